#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# Issue #13's acceptance: a 50-node AutoConnect mesh converges and settles.
# tests/bench/mesh-scale.sh --autoconnect: 50 nodes, AutoConnect = yes, each
# with one ConnectTo to a random earlier node and every Address in its host
# files. Every node must see all 50 reachable, the meta connections must
# then stay unchanged for PXT_AC_SETTLE_S (default 6 s: at least one
# AutoConnect round) with no "Closing connection" logged, every node must
# hold at least AutoConnect's target of 3, and 10 random pairs must ping.
# Prints converge time, connections per node (min/median/max), CPU seconds.
here=$(dirname "$0")
settle=${PXT_AC_SETTLE_S:-6}
out=$(mktemp /tmp/pxt-ac50.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT
bash "$here/../bench/mesh-scale.sh" --timeout 50 --autoconnect "$settle" 50 >"$out" 2>&1
rc=$?
cat "$out"
[ "$rc" = 77 ] && exit 77
result=$(grep '^RESULT ' "$out")
[ "$rc" = 0 ] && [ -n "$result" ] || {
	echo "FAIL: test_autoconnect50: the 50-node AutoConnect mesh did not converge, settle or ping"
	exit 1
}
echo "PASS: test_autoconnect50: $result"
