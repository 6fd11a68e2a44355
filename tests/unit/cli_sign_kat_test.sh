#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# plexus sign/verify against a file tinc 1.1 signed (tests/data/tinc11-sign):
# same key and time give the same bytes; tinc's signature verifies; a
# changed byte, signer or time does not.
set -u
builddir=${builddir:-.}
srcdir=${srcdir:-.}
cli="$builddir/core/plexus"
data="$srcdir/tests/data/tinc11-sign"
dir=$(mktemp -d /tmp/cli_sign_kat.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

cp -R "$data/." "$dir/" || exit 1
chmod 600 "$dir/ed25519_key.priv"
t=$(head -n 1 "$dir/doc.signed" | awk '{print $4}')

SOURCE_DATE_EPOCH=$t "$cli" -c "$dir" sign "$dir/doc" >"$dir/out" 2>"$dir/err" || fail "sign: $(cat "$dir/err")"
cmp -s "$dir/out" "$dir/doc.signed" || fail "sign differs from tinc's: $(head -n 1 "$dir/out")"
SOURCE_DATE_EPOCH=$t "$cli" -c "$dir" sign <"$dir/doc" | cmp -s - "$dir/doc.signed" || fail "sign from stdin differs"

"$cli" -c "$dir" verify tnode "$dir/doc.signed" >"$dir/out" 2>"$dir/err" || fail "verify tinc's file: $(cat "$dir/err")"
cmp -s "$dir/out" "$dir/doc" || fail "verify printed something else than the data"
"$cli" -c "$dir" verify '*' <"$dir/doc.signed" >/dev/null 2>&1 || fail "verify '*' from stdin"

sed 's/198.18.1.1/198.18.1.2/' "$dir/doc.signed" >"$dir/bad1"
awk 'NR == 1 {$4 = $4 - 1} {print}' "$dir/doc.signed" >"$dir/bad2"
sed '1s/tnode/other/' "$dir/doc.signed" >"$dir/bad3"
cp "$dir/hosts/tnode" "$dir/hosts/other"
for f in bad1 bad2 bad3; do
	if "$cli" -c "$dir" verify '*' "$dir/$f" >/dev/null 2>&1; then fail "$f verified"; fi
done
if "$cli" -c "$dir" verify other "$dir/doc.signed" >/dev/null 2>&1; then fail "verify other accepted tnode's file"; fi
printf 'Signature = tnode 1 short\n' >"$dir/bad4"
if "$cli" -c "$dir" verify tnode "$dir/bad4" >/dev/null 2>"$dir/err"; then fail "short signature verified"; fi
grep -q "Invalid input" "$dir/err" || fail "short signature: $(cat "$dir/err")"

[ "$failures" = 0 ] && echo "cli_sign_kat_test: ok (signature line $(head -c 40 "$dir/doc.signed")...)"
exit "$failures"
