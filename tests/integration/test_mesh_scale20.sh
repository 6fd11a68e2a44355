#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The control-plane benchmark at CI size: tests/bench/mesh-scale.sh with 20
# nodes (random ConnectTo graph, fixed seed, all daemons started at once).
# Every node must see all 20 nodes reachable within PXT_MESH_LIMIT_S
# (default 10 s, generous for a loaded CI machine; the benchmark reports the
# figure), the daemons must get quiet and 10 random pairs must ping.
here=$(dirname "$0")
limit=${PXT_MESH_LIMIT_S:-10}
out=$(mktemp /tmp/pxt-mesh20.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT
bash "$here/../bench/mesh-scale.sh" --timeout 40 20 >"$out" 2>&1
rc=$?
cat "$out"
[ "$rc" = 77 ] && exit 77
result=$(grep '^RESULT ' "$out")
[ "$rc" = 0 ] && [ -n "$result" ] || {
	echo "FAIL: test_mesh_scale20: the 20-node mesh did not converge, get quiet or ping"
	exit 1
}
conv=$(echo "$result" | sed -nE 's/.* converge_s=([0-9.]+) .*/\1/p')
awk -v c="$conv" -v l="$limit" 'BEGIN { exit !(c != "" && c <= l) }' || {
	echo "FAIL: test_mesh_scale20: converged after ${conv:-?} s (limit $limit s)"
	exit 1
}
echo "PASS: test_mesh_scale20: $result"
