#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Issue 4, acceptance 1 (cone): A and C sit behind two separate
# port-restricted cone NATs (nftables masquerade), P is public and is the
# only node they connect to. Once the keys are exchanged, A and C must talk
# directly: `plexus dump nodes` on each shows the other at its NAT's public
# address with UDP working, and during a burst of pings the public node sees
# (almost) no packets from either NAT. Runs once per protocol (sptps, legacy).
# NC_NAT_MODE=cone-port (test_nat_cone_port.sh): the NATs also translate the
# UDP port (655 -> 4655), so only the reflexive address that P appends to
# the key answers can tell A and C where to send.
. "$(dirname "$0")/netcond-lib.sh"
require_root
require_cmd ping nft
require_cli

mode=${NC_NAT_MODE:-cone}
nc_two_nats "$mode" "PingInterval = 5"
port_re='[0-9]+'
[ "$mode" = cone-port ] && port_re=4655
nc_start P A C
up_and_ping A P 30
up_and_ping C P 30
wait_ping A C 30 || fail "no ping A -> C through P"
wait_ping C A 10 || fail "no ping C -> A through P"
nc_check_protocol A C
nc_check_protocol C A
# hole punching: both sides probe each other's NAT mapping
nc_wait_direct A C 20 || {
	plexus_cli A info C
	plexus_cli A dump nodes
	fail "A does not reach C directly over UDP within 20 s"
}
nc_wait_direct C A 10 || {
	plexus_cli C info A
	fail "C does not reach A directly over UDP"
}
ping_check A C 10 2 || fail "A -> C warm-up pings lost"

for n in A C; do
	peer=C
	[ "$n" = C ] && peer=A
	line=$(nc_node_line "$n" "$peer")
	echo "$n: $line"
	pub=198.18.1.101
	[ "$peer" = C ] && pub=198.18.1.102
	echo "$line" | grep -Eq "^$peer id [0-9a-f]+ at $pub port $port_re .* via $peer " ||
		fail "$n's dump nodes does not show $peer at its NAT address $pub port $port_re (direct, via $peer)"
done

# anything from either NAT reaching P during the burst (UDP data or TCP meta)
nc_counter P from_nat1 input ip saddr 198.18.1.101
nc_counter P from_nat2 input ip saddr 198.18.1.102
nc_counter C udp_from_nat1 input ip saddr 198.18.1.101 udp dport 655
nc_counter A udp_from_nat2 input ip saddr 198.18.1.102 udp dport 655
ping_check A C 50 2 || fail "A -> C burst: pings lost"
p1=$(nc_count P from_nat1)
p2=$(nc_count P from_nat2)
c1=$(nc_count C udp_from_nat1)
a2=$(nc_count A udp_from_nat2)
note "during 50 pings A -> C: P got $p1 packets from NAT1 and $p2 from NAT2; C got $c1 datagrams via NAT1, A got $a2 via NAT2"
[ "$c1" -ge 50 ] || fail "C received only $c1 UDP datagrams from A's NAT: A -> C is not direct"
[ "$a2" -ge 50 ] || fail "A received only $a2 UDP datagrams from C's NAT: C -> A is not direct"
[ "$p1" -le 40 ] || fail "P received $p1 packets from NAT1 during the burst: traffic is relayed"
[ "$p2" -le 40 ] || fail "P received $p2 packets from NAT2 during the burst: traffic is relayed"
assert_alive P A C
pass "A <-> C direct through two $mode NATs"
