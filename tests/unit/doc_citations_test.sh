#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Every *.md file that a source file, build file or document names must exist
# in the repository (relative to the top directory or to the citing file), so
# that no comment points at notes outside it again (docs/protocol/ holds the
# protocol facts). Also refuses the old fact-sheet directory (see below).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 99

files=$(find core plugins sdk tests scripts docs -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.mk' -o -name '*.py' \
	-o -name '*.md' -o -name '*.am' -o -name '*.in' \) 2>/dev/null | grep -v '^tests/fuzz/corpus/')
files="$files README.md Makefile.am configure.ac"

bad=0
for f in $files; do
	[ -f "$f" ] || continue
	dir=$(dirname "$f")
	# Tokens ending in .md, without URLs; strip markdown/quote punctuation.
	for ref in $(grep -v 'https\?://' "$f" | grep -o '[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b' | sort -u); do
		case "$ref" in
		*/*) ;;
		*) # a bare name: a sibling of the citing file, or a top-level file
			[ -f "$dir/$ref" ] || [ -f "$ref" ] || {
				echo "$f: cites $ref, which is not in the repository (cite docs/... by path)"
				bad=1
			}
			continue ;;
		esac
		[ -f "$ref" ] || [ -f "$dir/$ref" ] || {
			echo "$f: cites $ref, which does not exist in the repository"
			bad=1
		}
	done
	if grep -n "shared[/]protocol" "$f" >/dev/null; then
		echo "$f: points at the old fact sheets (outside the repository); cite docs/protocol/"
		bad=1
	fi
done
[ "$bad" = 0 ] && echo "doc citations: all *.md references resolve inside the repository"
exit "$bad"
