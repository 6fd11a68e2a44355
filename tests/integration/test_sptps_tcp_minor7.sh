#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Protocol minor 7: binary SPTPS_PACKET over meta connections.
#   A -- B -- C, Plexus over SPTPS, A and C only ConnectTo B; every UDP
#   datagram in and out of A's namespace is dropped (nftables). A and C are
#   not neighbours, so their frames go sealed end to end as SPTPS_PACKET
#   "21 <len>" + raw bytes to B, which relays them unopened (to C by UDP, to
#   A over TCP again). Checks: the ID lines announce 17.7, pings both ways,
#   2 MB TCP A -> C, SPTPS_PACKET sent and received on both A and C's side,
#   B opens none of A's records, no PACKET between A and B for A <-> C.
#   T is tinc 1.0.36 (legacy, minor 0) with ConnectTo = B: it must never get
#   SPTPS_PACKET (1.0 closes the connection on request 21) and keeps working
#   with B, C and (over TCP through B) A.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping nft
require_kind plexus
require_cli
require_sptps

PXT_DEBUG=4 # requests are logged with their contents at level 4
make_node A plexus
make_node B plexus
make_node C plexus
with_tinc=0
if [ -x "$TINCD" ]; then
	with_tinc=1
	make_node T tinc10
	connect_to T B
fi
connect_to A B
connect_to C B
for n in A B C; do
	node_conf "$n" "PingInterval = 5" "PingTimeout = 2"
done
in_ns A nft -f - <<'EOF2' || fail "nft: blocking UDP in A"
table inet m7block {
	chain o { type filter hook output priority 0; policy accept; meta l4proto udp counter drop; }
	chain i { type filter hook input priority 0; policy accept; meta l4proto udp counter drop; }
}
EOF2
start_node B
[ "$with_tinc" = 1 ] && start_node T
start_node A
start_node C
up_and_ping A B 30
up_and_ping C B 30
wait_ping A C 30 || fail "no ping A -> C"
wait_ping C A 15 || fail "no ping C -> A"
assert_proto A C sptps
assert_proto C A sptps
assert_log A "Sending ID to B .*: 0 A 17\.7" "A did not announce 17.7"
ping_check A C 20 2 || fail "A -> C pings lost"
ping_check C A 20 2 || fail "C -> A pings lost"
rx0=$(rx_packets B A)
p0=$(count_log A "Sending PACKET to B")
bulk_tcp A C $((2 * 1024 * 1024)) || fail "2 MB TCP A -> C"
rx1=$(rx_packets B A)

a_tx=$(count_log A "Sending SPTPS_PACKET to B")
a_rx=$(count_log A "Got SPTPS_PACKET from B")
c_tx=$(count_log C "Sending SPTPS_PACKET to B")
b_rx=$(count_log B "Got SPTPS_PACKET from A")
a_pkt=$(($(count_log A "Sending PACKET to B") - p0))
note "SPTPS_PACKET: A sent $a_tx, A got $a_rx, B got $b_rx from A, C sent $c_tx; PACKET A -> B during the transfer: $a_pkt; B opened $((rx1 - rx0)) of A's packets during the transfer"
[ "$a_tx" -ge 40 ] || fail "A sent only $a_tx SPTPS_PACKETs: A -> C did not use the binary form"
[ "$b_rx" -ge 40 ] || fail "B got only $b_rx SPTPS_PACKETs from A"
[ "$a_rx" -ge 20 ] || fail "A got only $a_rx SPTPS_PACKETs: C -> A did not use the binary form"
[ "$a_pkt" -le 5 ] || fail "A sent $a_pkt PACKETs to B: frames for C went hop by hop"
[ -n "$rx0" ] && [ -n "$rx1" ] || fail "plexus info B A shows no RX counter"
[ $((rx1 - rx0)) -le 10 ] || fail "B opened $((rx1 - rx0)) packets from A: it should relay them unopened"
drops=$(in_ns A nft list chain inet m7block o | sed -nE 's/.*packets ([0-9]+).*/\1/p')
note "UDP datagrams A tried to send (dropped): ${drops:-0}"

if [ "$with_tinc" = 1 ]; then
	up_and_ping T B 30
	up_and_ping T C 30
	up_and_ping T A 30
	assert_no_log T "SPTPS_PACKET|[Uu]nknown request|Bogus data" "tinc 1.0 got something it does not know"
	assert_no_log B "Sending SPTPS_PACKET to T" "B sent SPTPS_PACKET to tinc 1.0"
	assert_no_log C "Sending SPTPS_PACKET to T"
	assert_no_log A "Sending SPTPS_PACKET to T"
	[ "$(count_log B "Connection with T .* activated")" = 1 ] || fail "B's connection with T was not stable"
	assert_alive T
else
	note "tinc 1.0 ($TINCD) not installed: mixed-mesh part skipped"
fi
for n in A B C; do
	assert_no_log "$n" "$SPTPS_BAD_RE"
	assert_no_log "$n" "Got bad SPTPS_PACKET|did not announce it"
done
assert_alive A B C
extra=
[ "$with_tinc" = 1 ] && extra=", tinc 1.0 peer fine"
pass "A <-> C over binary SPTPS_PACKET ($a_tx sent by A, $a_rx received)$extra"
