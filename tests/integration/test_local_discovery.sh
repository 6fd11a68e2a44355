#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Issue 4, acceptance (LocalDiscovery): X and Y share one LAN behind the
# same NAT (masquerade, no hairpinning: a packet from the LAN to the NAT's
# public address does not come back in), P is public and the only node they
# connect to. With LocalDiscovery = yes, X and Y must find each other's LAN
# address (announced in their edges) and talk directly on the LAN:
# `plexus dump nodes` shows the peer at its 198.18.10.x address, and during
# a burst of pings the NAT forwards (almost) nothing to P.
# Runs once per protocol (sptps, legacy).
. "$(dirname "$0")/netcond-lib.sh"
require_root
require_cmd ping nft
require_cli

nc_make_node P
nc_make_node X
nc_make_node Y
for n in P X Y; do
	node_conf "$n" "LocalDiscovery = yes" "PingInterval = 5"
done
nc_router NAT
nc_router_uplink NAT 198.18.1.101
nc_behind X NAT 2
nc_behind Y NAT 3
nc_nat NAT cone
connect_to X P
connect_to Y P
nc_start P X Y
up_and_ping X P 30
up_and_ping Y P 30
wait_ping X Y 30 || fail "no ping X -> Y"
wait_ping Y X 10 || fail "no ping Y -> X"
nc_check_protocol X Y
nc_wait_direct X Y 20 || {
	plexus_cli X info Y
	plexus_cli X dump nodes
	plexus_cli X dump edges
	fail "X does not reach Y directly over UDP within 20 s"
}
nc_wait_direct Y X 10 || {
	plexus_cli Y info X
	fail "Y does not reach X directly over UDP"
}
ping_check X Y 10 2 || fail "X -> Y warm-up pings lost"
for n in X Y; do
	peer=Y
	[ "$n" = Y ] && peer=X
	line=$(nc_node_line "$n" "$peer")
	echo "$n: $line"
	echo "$line" | grep -Eq "^$peer id [0-9a-f]+ at $(nc_addr "$peer") port [0-9]+ .* via $peer " ||
		fail "$n's dump nodes does not show $peer at its LAN address $(nc_addr "$peer")"
done
nc_counter NAT to_p forward oifname wan ip daddr 198.18.1.1
nc_counter Y udp_from_x input ip saddr "$(nc_addr X)" udp dport 655
ping_check X Y 50 2 || fail "X -> Y burst: pings lost"
tp=$(nc_count NAT to_p)
yx=$(nc_count Y udp_from_x)
note "during 50 pings X -> Y: the NAT forwarded $tp packets to P; Y got $yx datagrams from X's LAN address"
[ "$yx" -ge 50 ] || fail "Y received only $yx datagrams from X's LAN address: not direct on the LAN"
[ "$tp" -le 40 ] || fail "the NAT forwarded $tp packets to P during the burst: traffic is relayed"
assert_alive P X Y
pass "X <-> Y direct on their LAN behind one NAT"
