#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# docs/tinc-1.1-variables.md cannot drift from the parser: every variable
# in its tables must be in the known-variable table (core/conf_dump
# status) with the status the row gives (implemented, CLI-only = tool-only,
# obsolete-warned = obsolete or warn, refused = refuse), no variable may be
# listed twice, every cited test file must exist, and the counts line must
# match the first table.
set -u
srcdir=${srcdir:-.}
builddir=${builddir:-.}
docname=docs/tinc-1.1-variables.md
doc=$srcdir/$docname
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

[ -x "$builddir/core/conf_dump" ] || { echo "FAIL: $builddir/core/conf_dump not built" >&2; exit 1; }
[ -f "$doc" ] || { echo "FAIL: $doc missing" >&2; exit 1; }
table=$("$builddir/core/conf_dump" status) || { echo "FAIL: conf_dump status" >&2; exit 1; }

# Table rows: "| Name | scope | status | tests |", not the header or rule.
rows=$(grep -E '^\| [A-Za-z0-9]+ \| (server|host|server/host) \| ' "$doc")
[ "$(echo "$rows" | wc -l)" -ge 78 ] || fail "fewer than 78 variable rows in $doc"
dups=$(echo "$rows" | awk -F' *\\| *' '{ print $2 }' | sort | uniq -d)
[ -z "$dups" ] || fail "listed twice: $dups"

n=0 impl=0 cli=0 obs=0 ref=0 checked=0
section=1
while IFS= read -r line; do
	case $line in
	"## Older names"*) section=2 ;;
	esac
	echo "$line" | grep -Eq '^\| [A-Za-z0-9]+ \| (server|host|server/host) \| ' || continue
	name=$(echo "$line" | awk -F' *\\| *' '{ print $2 }')
	status=$(echo "$line" | awk -F' *\\| *' '{ print $4 }')
	tests=$(echo "$line" | awk -F' *\\| *' '{ print $5 }')
	actual=$(echo "$table" | awk -v v="$name" '$1 == v { print $2 }')
	[ -n "$actual" ] || { fail "$name is not in the parser's known-variable table"; continue; }
	case $status in
	implemented) want=implemented ;;
	CLI-only) want=tool-only ;;
	obsolete-warned) want="obsolete warn" ;;
	refused) want=refuse ;;
	*) fail "$name: unknown status '$status'" && continue ;;
	esac
	case " $want " in
	*" $actual "*) ;;
	*) fail "$name is '$status' in $doc but '$actual' in the parser's table" ;;
	esac
	# Every implemented variable has a test that shows it taking effect.
	[ "$status" = implemented ] && [ "$tests" = "—" ] && fail "$name is implemented but no test covers it"
	for t in $(echo "$tests" | tr -d '`,'); do
		[ "$t" = "—" ] && continue
		[ -f "$srcdir/$t" ] || fail "$name: cited test $t does not exist"
		checked=$((checked + 1))
	done
	[ "$section" = 1 ] || continue
	n=$((n + 1))
	case $status in
	implemented) impl=$((impl + 1)) ;;
	CLI-only) cli=$((cli + 1)) ;;
	obsolete-warned) obs=$((obs + 1)) ;;
	refused) ref=$((ref + 1)) ;;
	esac
done <"$doc"

want="Counts: $n variables; $impl implemented, $cli CLI-only, $obs obsolete-warned, $ref refused."
grep -qF "$want" "$doc" || fail "the counts line does not say: $want"
echo "tinc 1.1 variables: $n; $impl implemented, $cli CLI-only, $obs obsolete-warned, $ref refused; $checked test citations checked"
[ "$failures" = 0 ] && echo "tinc11_vars_test: ok"
[ "$failures" = 0 ]
