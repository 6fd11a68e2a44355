#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# AutoConnect with no ConnectTo at all: six nodes that only have each
# other's host files (with Address lines), as a tinc 1.1 network can be set
# up. The daemons must find each other from the host files alone, every
# node must see all eight as reachable, and the mesh must settle: meta
# connections per node stay within a bound and stop changing.
. "$(dirname "$0")/lib.sh"
require_root
require_cli
require_cmd ping

export PXT_AUTOCONNECT=1
nodes=(A B C D E F)
BOUND=6 # 2 x the target of 3: nobody closes what others opened to it
for n in "${nodes[@]}"; do make_node "$n" plexus; done
exchange_hosts
export PXT_NO_EXCHANGE=1
for n in "${nodes[@]}"; do start_node "$n"; done

peers_of() {
	plexus_cli "$1" dump edges 2>/dev/null | awk -v me="$1" '$1 == me && $2 == "to" {print $3}' | sort | tr '\n' ' '
}
reachable_of() { plexus_cli "$1" dump reachable nodes 2>/dev/null | grep -c .; }

# 1. Everybody reaches everybody.
start=$SECONDS
joined=0
while ((SECONDS - start < 45)); do
	ok=1
	for n in "${nodes[@]}"; do
		[ "$(reachable_of "$n")" -ge 6 ] || { ok=0; break; }
	done
	[ $ok = 1 ] && { joined=1; break; }
	sleep 1
done
t_join=$((SECONDS - start))
[ $joined = 1 ] || fail "not every node saw all 6 as reachable within 45 s ($(for n in "${nodes[@]}"; do printf '%s:%s ' "$n" "$(reachable_of "$n")"; done))"
note "all 6 nodes see all 6 reachable after ${t_join} s"
wait_ping A F 10 || fail "no ping A -> F"
wait_ping F A 10 || fail "no ping F -> A"

# 2. Settling: no change for 12 s in a row, bounded to 60 s.
start=$SECONDS
last=
last_change=$SECONDS
settled=0
max_seen=0
changes=0
while ((SECONDS - start < 60)); do
	snap=
	for n in "${nodes[@]}"; do
		p=$(peers_of "$n")
		set -- $p
		[ $# -gt "$max_seen" ] && max_seen=$#
		snap+="$n:[$p] "
	done
	if [ "$snap" != "$last" ]; then
		[ -n "$last" ] && changes=$((changes + 1))
		last=$snap
		last_change=$SECONDS
		note "+$((SECONDS - start)) s: $snap"
	fi
	((SECONDS - last_change >= 12)) && { settled=1; break; }
	sleep 1
done
t_settle=$((last_change - start))
note "$changes changes; last ${t_settle} s after the check began, then none for 12 s; largest count $max_seen (bound $BOUND)"
[ $settled = 1 ] || fail "the meta connections kept changing for 60 s"
[ "$max_seen" -le $BOUND ] || fail "a node had $max_seen meta connections (bound $BOUND)"
assert_alive "${nodes[@]}"
pass
