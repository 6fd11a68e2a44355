#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# A (plexus) -- B (tinc 1.0) -- C (plexus); A and C only have ConnectTo = B.
# A and C must reach each other through the graph learnt from B, and after
# the keys are exchanged their packets must go directly A <-> C over UDP:
# during a burst of 50 pings B sees (almost) no datagrams from A or C while
# C sees at least 50 from A.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft

make_node A "$PXT_KIND"
make_node B tinc10
make_node C "$PXT_KIND"
connect_to A B
connect_to C B
start_node B
start_node A
start_node C
up_and_ping A B 30
up_and_ping C B 30
wait_ping A C 30 || fail "no ping A -> C through the mesh"
wait_ping C A 10 || fail "no ping C -> A through the mesh"
# warm-up: keys exchanged, UDP addresses learnt, PMTU probes under way
ping_check A C 10 2 || fail "A -> C warm-up pings lost"
ping_check C A 10 2 || fail "C -> A warm-up pings lost"

udp_counter B b_from_A A
udp_counter B b_from_C C
udp_counter C c_from_A A
udp_counter A a_from_C C
ping_check A C 50 2 || fail "A -> C burst: pings lost"
ba=$(counter_packets B b_from_A)
bc=$(counter_packets B b_from_C)
ca=$(counter_packets C c_from_A)
ac=$(counter_packets A a_from_C)
note "during 50 pings A -> C: B got $ba datagrams from A and $bc from C; C got $ca from A, A got $ac from C"
[ "${ca:-0}" -ge 50 ] || fail "C received only $ca UDP datagrams from A: A -> C is not direct"
[ "${ac:-0}" -ge 50 ] || fail "A received only $ac UDP datagrams from C: C -> A is not direct"
[ "${ba:-0}" -le 15 ] || fail "B received $ba datagrams from A during the burst: traffic is relayed"
[ "${bc:-0}" -le 15 ] || fail "B received $bc datagrams from C during the burst: traffic is relayed"

if [ "$PXT_KIND" = plexus ] && [ -x "$PLEXUS_CLI" ]; then
	out=$(plexus_cli A dump nodes 2>&1)
	echo "$out"
	echo "$out" | grep -Eq "^C id [0-9a-f]+ at $(underlay_addr C) port $PXT_PORT .* via C " ||
		fail "plexus dump nodes on A does not show C at its direct UDP address $(underlay_addr C) (via C)"
fi
bulk_tcp A C $((5 * 1024 * 1024)) || fail "5 MB TCP A -> C"
assert_alive A B C
pass
