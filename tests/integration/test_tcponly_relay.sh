#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Issue 4, acceptance 5: A -> B -> C where C has TCPOnly = yes (in its host
# file, so every node knows). A and C only connect to B. A and C must ping
# each other through B (a known tinc bug drops packets for a TCP-only node
# at the relay), bulk TCP A -> C must arrive intact, and no tunnel datagram
# may reach C over UDP. Runs once per protocol (sptps, legacy).
# NC_TCPONLY_IN=main (test_tcponly_relay_main.sh): C sets TCPOnly in its own
# main config only, so A and B learn it from C's edges, not a host file.
. "$(dirname "$0")/netcond-lib.sh"
require_root
require_cmd ping nft python3
require_cli

nc_make_node A
nc_make_node B
nc_make_node C
connect_to A B
connect_to C B
if [ "${NC_TCPONLY_IN:-host}" = main ]; then
	node_conf C "TCPOnly = yes"
else
	host_conf C "TCPOnly = yes"
fi
nc_counter C udp_in input udp dport 655
nc_counter B udp_from_c input ip saddr "$(underlay_addr C)" meta l4proto udp
nc_start B A C
up_and_ping A B 30
up_and_ping C B 30
wait_ping A C 30 || fail "no ping A -> C through B (C is TCPOnly)"
wait_ping C A 10 || fail "no ping C -> A through B (C is TCPOnly)"
ping_check A C 20 1 || fail "pings A -> C lost"
ping_check C A 20 1 || fail "pings C -> A lost"
nc_check_protocol A C
bulk_tcp A C $((2 * 1024 * 1024)) 60 || fail "2 MB TCP A -> C through B"
bulk_tcp C A $((1024 * 1024)) 60 || fail "1 MB TCP C -> A through B"
u1=$(nc_count C udp_in)
u2=$(nc_count B udp_from_c)
note "UDP datagrams: to C $u1, from C to B $u2"
[ "$u1" -le 5 ] && [ "$u2" -le 5 ] || fail "C is TCPOnly, yet $u1 datagrams reached it / it sent $u2 over UDP"
assert_alive A B C
pass "A <-> C through B with C TCPOnly"
