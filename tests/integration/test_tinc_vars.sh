#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# tinc 1.1 server variables that change what the daemon does to traffic,
# each checked against the daemon in namespaces. A -> B -> C, C is TCPOnly
# (so B routes every A <-> C packet itself), legacy protocol.
#  - DecrementTTL (on B): a ping A -> C with TTL 1 is answered by B with
#    "time exceeded" from B's tunnel address; TTL 2 still reaches C. Without
#    it (first run of B) the TTL-1 ping reaches C.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd ping

make_node A plexus
make_node B plexus
make_node C plexus
for n in A B C; do node_conf "$n" "ExperimentalProtocol = no"; done
connect_to A B
connect_to C B
host_conf C "TCPOnly = yes"
start_node B
start_node A
start_node C
up_and_ping A B 30
up_and_ping C B 30
wait_ping A C 30 || fail "no ping A -> C through B"

# --- DecrementTTL -----------------------------------------------------------
out=$(in_ns A ping -n -c 1 -W 2 -t 1 "$(tun_addr C)" 2>&1)
echo "$out" | grep -q "1 received" || fail "DecrementTTL off: a TTL-1 ping A -> C did not arrive: $out"
stop_node B
node_conf B "DecrementTTL = yes"
start_node B
wait_ping A C 30 || fail "no ping A -> C through B with DecrementTTL"
out=$(in_ns A ping -n -c 1 -W 2 -t 1 "$(tun_addr C)" 2>&1)
echo "$out"
echo "$out" | grep -Eq "From $(tun_addr B).*(Time to live exceeded|Time exceeded)" ||
	fail "DecrementTTL: no time exceeded from B ($(tun_addr B)) for a TTL-1 ping A -> C"
ping_check A C 3 0 || fail "DecrementTTL: normal pings A -> C lost"
out=$(in_ns A ping -n -c 1 -W 2 -t 2 "$(tun_addr C)" 2>&1)
echo "$out" | grep -q "1 received" || fail "DecrementTTL: a TTL-2 ping A -> C did not arrive: $out"
note "DecrementTTL ok"

assert_alive A B C
pass
