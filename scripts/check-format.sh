#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Fails when a tracked C file differs from what clang-format makes of it under
# the repository's .clang-format, and names the files. Run from anywhere in the
# source tree; --fix rewrites them instead.
set -u
cd "$(dirname "$0")/.." || exit 2
command -v clang-format >/dev/null 2>&1 || {
	echo "check-format: clang-format not installed (Debian package clang-format)" >&2
	exit 2
}
fix=0
[ "${1:-}" = --fix ] && fix=1
if [ -d .git ] || git rev-parse --git-dir >/dev/null 2>&1; then
	files=$(git ls-files '*.c' '*.h')
else
	files=$(find core plugins sdk tests -name '*.[ch]' | sort)
fi
bad=0
for f in $files; do
	[ -f "$f" ] || continue
	if [ "$fix" = 1 ]; then
		clang-format -i "$f"
	elif ! clang-format "$f" | cmp -s - "$f"; then
		echo "check-format: $f is not clang-formatted (scripts/check-format.sh --fix)"
		bad=$((bad + 1))
	fi
done
[ "$bad" = 0 ] || {
	echo "check-format: $bad file(s) differ"
	exit 1
}
echo "check-format: $(echo "$files" | wc -l) files formatted"
