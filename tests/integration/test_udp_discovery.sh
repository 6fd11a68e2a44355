#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# UDPDiscovery* with SPTPS peers (tinc 1.1's UDP discovery,
# docs/protocol/sptps.md §10). PingTimeout = 30 keeps Plexus's own fast
# re-check of a silent UDP path out of the way.
#  1. UDPDiscovery = no on both: once the tunnel is up and quiet, alpha sends
#     beta no UDP at all (UDP is left to PMTU probing, every PingInterval).
#  2. Both reloaded with UDPDiscovery = yes, keepalive 1 s, timeout 3 s: the
#     quiet tunnel carries about one probe a second; UDP blocked by nftables
#     in alpha's namespace is given up within the timeout (plus one keepalive
#     period) and pings go over the meta connection; unblocked, UDP returns.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd nft ping
require_cli

two_node_net plexus plexus
for n in alpha beta; do
	node_conf "$n" "UDPDiscovery = no" "UDPDiscoveryInterval = 1" "UDPDiscoveryKeepaliveInterval = 1" \
		"UDPDiscoveryTimeout = 3" "PingInterval = 60" "PingTimeout = 30"
done
udp_counter beta udp_from_alpha alpha
start_node beta
start_node alpha
up_and_ping alpha beta 30

# direct NODE PEER: does NODE send to PEER directly by UDP?
direct() { plexus_cli "$1" info "$2" 2>/dev/null | grep -q "directly with UDP"; }
wait_direct() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		direct "$1" "$2" && return 0
		sleep 0.2
	done
	return 1
}
# quiet_window SECONDS: datagrams alpha -> beta within that many seconds
quiet_window() {
	local c0
	c0=$(counter_packets beta udp_from_alpha)
	sleep "$1"
	echo $(($(counter_packets beta udp_from_alpha) - c0))
}

wait_direct alpha beta 15 || fail "alpha -> beta never used UDP"
# PMTU discovery's bursts end within 7 s; wait for a quiet second (bounded)
for ((i = 0; i < 15; i++)); do
	[ "$(quiet_window 1)" = 0 ] && break
done
q1=$(quiet_window 4)
note "UDPDiscovery = no: $q1 datagrams alpha -> beta in 4 quiet seconds"
[ "$q1" -le 1 ] || fail "UDPDiscovery = no, yet alpha sent $q1 datagrams to beta in 4 quiet seconds"

for n in alpha beta; do
	sed -i 's/^UDPDiscovery = no$/UDPDiscovery = yes/' "${N_DIR[$n]}/tinc.conf"
	plexus_cli "$n" reload || fail "reload of $n"
done
sleep 1
q2=$(quiet_window 4)
note "UDPDiscovery = yes, keepalive 1 s: $q2 datagrams alpha -> beta in 4 quiet seconds"
[ "$q2" -ge 3 ] || fail "UDPDiscovery = yes with a 1 s keepalive, yet only $q2 datagrams in 4 s"
direct alpha beta || fail "alpha no longer sends to beta by UDP after the reload"

note "blocking UDP between alpha and beta"
block_udp alpha beta udblock || fail "nft block"
t0=$(date +%s%N)
for ((i = 0; i < 100; i++)); do
	direct alpha beta || break
	sleep 0.1
done
ms=$((($(date +%s%N) - t0) / 1000000))
direct alpha beta && fail "alpha still counts on UDP to beta 10 s after the block (UDPDiscoveryTimeout = 3)"
note "alpha gave up UDP to beta $ms ms after the block"
[ "$ms" -le 5000 ] || fail "UDP given up after $ms ms, more than timeout 3 s + keepalive 1 s + 1 s"
wait_ping alpha beta 8 || fail "no ping alpha -> beta over the meta connection while UDP is blocked"
wait_ping beta alpha 8 || fail "no ping beta -> alpha over the meta connection while UDP is blocked"
ping_check alpha beta 5 0 || fail "pings lost while UDP is blocked"

unblock_udp alpha udblock || fail "nft unblock"
note "UDP unblocked"
wait_direct alpha beta 15 || fail "alpha did not return to UDP within 15 s after the block"
ping_check alpha beta 5 0 || fail "pings lost after UDP came back"
assert_alive alpha beta
pass "quiet UDP: $q1 datagrams without discovery, $q2 with; UDP given up $ms ms after the block"
