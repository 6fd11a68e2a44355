#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# AutoConnect (tinc 1.1's default). Five nodes; every node's only ConnectTo
# is A, every host file has an Address. AutoConnect must give each node
# about three meta connections on its own, so that when A dies for good the
# other four stay connected: every ordered pair of survivors pings within a
# bounded time. Then the survivors' mesh must settle: per-node meta
# connection counts stay at most 3 (four survivors) and the set of
# connections stops changing.
. "$(dirname "$0")/lib.sh"
require_root
require_cli
require_cmd ping

export PXT_AUTOCONNECT=1
nodes=(A B C D E)
survivors=(B C D E)
for n in "${nodes[@]}"; do make_node "$n" plexus; done
for n in "${survivors[@]}"; do connect_to "$n" A; done
for n in "${nodes[@]}"; do start_node "$n"; done

# Active meta connections of a node as a sorted list of peer names (edges
# from it: an edge exists once a connection is authenticated).
peers_of() {
	plexus_cli "$1" dump edges 2>/dev/null | awk -v me="$1" '$1 == me && $2 == "to" {print $3}' | sort | tr '\n' ' '
}
count_of() { local p; p=$(peers_of "$1"); set -- $p; echo $#; }

# 1. AutoConnect grows every node to (at least) three connections.
start=$SECONDS
grown=0
while ((SECONDS - start < 40)); do
	ok=1
	for n in "${nodes[@]}"; do
		[ "$(count_of "$n")" -ge 3 ] || { ok=0; break; }
	done
	[ $ok = 1 ] && { grown=1; break; }
	sleep 1
done
t_grow=$((SECONDS - start))
for n in "${nodes[@]}"; do note "$n has $(count_of "$n") meta connections: $(peers_of "$n")"; done
if [ $grown = 1 ]; then
	note "every node had >= 3 meta connections after ${t_grow} s"
else
	note "not every node reached 3 meta connections within ${t_grow} s"
fi
for n in "${survivors[@]}"; do
	grep -q "AutoConnect: connecting to" "${N_LOG[$n]}" || note "$n logged no AutoConnect attempt"
done

# 2. A, the only ConnectTo target, dies for good.
stop_node A
note "stopped A"
start=$SECONDS
for a in "${survivors[@]}"; do
	for b in "${survivors[@]}"; do
		[ "$a" = "$b" ] && continue
		wait_ping "$a" "$b" 40 || fail "$a cannot reach $b after A died ($((SECONDS - start)) s)"
	done
done
t_ping=$((SECONDS - start))
note "all 12 ordered pairs of survivors ping: ${t_ping} s after A died"

# 3. The survivors settle: at most 3 connections each (four nodes), and no
#    change for 12 s in a row (bounded to 60 s in all).
start=$SECONDS
last=
last_change=$SECONDS
settled=0
max_seen=0
while ((SECONDS - start < 60)); do
	snap=
	for n in "${survivors[@]}"; do
		p=$(peers_of "$n")
		set -- $p
		[ $# -gt "$max_seen" ] && max_seen=$#
		snap+="$n:[$p] "
	done
	if [ "$snap" != "$last" ]; then
		last=$snap
		last_change=$SECONDS
		note "+$((SECONDS - start)) s: $snap"
	fi
	((SECONDS - last_change >= 12)) && { settled=1; break; }
	sleep 1
done
t_settle=$((last_change - start))
note "largest connection count seen: $max_seen; last change ${t_settle} s after the check began, then none for 12 s"
[ $settled = 1 ] || fail "the survivors' meta connections kept changing for 60 s"
[ "$max_seen" -le 3 ] || fail "a survivor had $max_seen meta connections (bound 3)"
for n in "${survivors[@]}"; do
	[ "$(count_of "$n")" -ge 2 ] || fail "$n ended with $(count_of "$n") meta connections"
done
assert_alive "${survivors[@]}"
pass
