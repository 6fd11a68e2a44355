#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The documentation of the configuration variables is generated from the
# parser's table (core/conf_dump); this fails when something drifted from it:
#  - a variable of the table without documentation, or documentation of an
#    unknown one, or a status note that disagrees with the table;
#  - README.md's generated list differs from what the table gives now;
#  - the built plexus.conf(5) or plexusd(8) misses a variable;
#  - a man page template hard-codes an installation path instead of
#    @sysconfdir@ and friends, or a built page still has a placeholder;
#  - a docs/*.md file is not installed (dist_doc_DATA in doc/local.mk), or a
#    docs/protocol/*.md file (dist_protocoldoc_DATA).
set -u
srcdir=${srcdir:-.}
builddir=${builddir:-.}
dump="$builddir/core/conf_dump"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
dir=$(mktemp -d /tmp/docs_sync_test.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM

[ -x "$dump" ] || { echo "FAIL: $dump not built" >&2; exit 1; }
"$dump" check || fail "the variable table and core/conf_doc.c disagree (above)"
"$dump" names >"$dir/names" || fail "conf_dump names"
n=$(wc -l <"$dir/names")
[ "$n" -gt 50 ] || fail "only $n variables listed"

# README.md: the lines between the markers are exactly conf_dump markdown.
"$dump" markdown >"$dir/want" || fail "conf_dump markdown"
(cd "$srcdir" && sed -n '/^<!-- BEGIN variables: /,/^<!-- END variables -->$/p' README.md) | sed '1d;$d' >"$dir/got"
if ! cmp -s "$dir/want" "$dir/got"; then
	diff -u "$dir/got" "$dir/want" | head -20 >&2
	fail "README.md's variable list is out of date: run make update-readme"
fi

# The built man pages name every variable.
for page in doc/plexus.conf.5 doc/plexusd.8; do
	f="$builddir/$page"
	[ -f "$f" ] || { fail "$page not built"; continue; }
	while read -r name; do
		grep -Eq "^(\\\\fB|\\.B )$name(\\\\fR| |\$)" "$f" || fail "$page does not list $name"
	done <"$dir/names"
done
for page in doc/plexus.conf.5 doc/plexusd.8 doc/plexus.8; do
	f="$builddir/$page"
	[ -f "$f" ] || { fail "$page not built"; continue; }
	grep -n '@[a-zA-Z_]*@' "$f" | grep -v '@VARIABLES@' >&2 && fail "$page has an unsubstituted placeholder"
	grep -q '^\.TH ' "$f" || fail "$page has no .TH line"
done

# Templates use the configured paths.
for t in "$srcdir"/doc/*.in; do
	grep -nE '(^|[^@a-z])/(etc|usr|var)/' "$t" | grep -vE '/dev/|/bin/sh' >&2 &&
		fail "$(basename "$t") hard-codes an installation path: use @sysconfdir@, @localstatedir@, @pkglibdir@"
done

# Every document under docs/ and docs/protocol/ is installed (a variable's
# lines run from its name to the first line without a backslash).
installed() { # installed VARIABLE FILE
	sed -n "/^$1 /,/[^\\\\]\$/p" "$srcdir/doc/local.mk" | tr -s ' \t\\' '\n' | grep -qxF "$2"
}
for d in "$srcdir"/docs/*.md; do
	name=docs/$(basename "$d")
	installed dist_doc_DATA "$name" || fail "$name is not in dist_doc_DATA (doc/local.mk)"
done
for d in "$srcdir"/docs/protocol/*.md; do
	name=docs/protocol/$(basename "$d")
	installed dist_protocoldoc_DATA "$name" || fail "$name is not in dist_protocoldoc_DATA (doc/local.mk)"
done

[ "$failures" = 0 ] && echo "docs_sync_test: ok ($n variables)"
[ "$failures" = 0 ]
