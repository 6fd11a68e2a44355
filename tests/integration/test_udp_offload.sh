#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# UDP offload (issue 15): two Plexus nodes move TCP through the tunnel while
# strace watches their UDP system calls. The sender must hand runs of
# datagrams to the kernel as one sendmsg/sendmmsg message with a UDP_SEGMENT
# control message, the receiver must get coalesced datagrams (a UDP_GRO
# control message, which the kernel adds only to coalesced ones), the nftables
# counter must see datagrams longer than the underlay MTU (one segmented
# send crossing the veth whole), and the transfers must arrive intact.
# With PLEXUS_NO_UDP_OFFLOAD=1 none of it may happen and the data still flows.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft strace
require_kind plexus

two_node_net plexus plexus
udp_counter beta from_alpha alpha
start_node beta
start_node alpha
up_and_ping alpha beta 30

# trace_start NODE: strace the node's UDP sends and receives (all threads).
trace_start() {
	timeout -k 2 30 strace -f -qq -v -s 0 -e trace=sendmsg,sendmmsg,recvmmsg,recvmsg -e signal=none \
		-o "$PXT_TMP/$1.strace" -p "${N_PID[$1]}" 2>"$PXT_TMP/$1.strace.err" &
	TRACE_PID[$1]=$!
	track_pid "${TRACE_PID[$1]}"
	# attached once the daemon names a tracer
	for ((i = 0; i < 50; i++)); do
		awk '/^TracerPid:/ {exit !($2 > 0)}' "/proc/${N_PID[$1]}/status" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "strace did not attach to $1: $(cat "$PXT_TMP/$1.strace.err")"
}
declare -A TRACE_PID

# wait_pmtu_fixed NODE PEER: until NODE's path MTU to PEER is settled (pmtu ==
# min in `plexus dump nodes`) and near the underlay's 1500; before that, full-
# size frames go by TCP and the UDP counters would measure the wrong thing.
wait_pmtu_fixed() {
	local i p mn
	for ((i = 0; i < 100; i++)); do
		read -r p mn < <(plexus_cli "$1" dump nodes 2>/dev/null | awk -v n="$2" '$1 == n' |
			sed -nE 's/.* pmtu (-?[0-9]+) \(min (-?[0-9]+) .*/\1 \2/p')
		[ -n "$p" ] && [ "$p" = "$mn" ] && [ "$p" -ge 1400 ] && return 0
		sleep 0.2
	done
	plexus_cli "$1" dump nodes 2>&1 | sed 's/^/  dump: /'
	fail "$1: path MTU to $2 not settled within 20 s"
}

wait_pmtu_fixed alpha beta
wait_pmtu_fixed beta alpha
trace_start alpha
trace_start beta
p0=$(counter_packets beta from_alpha)
b0=$(counter_bytes beta from_alpha)
bulk_tcp alpha beta $((4 * 1024 * 1024)) 20 || fail "4 MB TCP alpha -> beta"
bulk_tcp beta alpha $((1024 * 1024)) 20 || fail "1 MB TCP beta -> alpha"
stop_pid "${TRACE_PID[alpha]}" 5
stop_pid "${TRACE_PID[beta]}" 5
p=$(($(counter_packets beta from_alpha) - p0))
b=$(($(counter_bytes beta from_alpha) - b0))

segs=$(grep -Ec "cmsg_level=SOL_UDP, cmsg_type=(UDP_SEGMENT|0x67)" "$PXT_TMP/alpha.strace")
gro=$(grep -E "recvm?msg" "$PXT_TMP/beta.strace" | grep -Ec "cmsg_level=SOL_UDP, cmsg_type=(UDP_GRO|0x68)")
note "alpha: $segs traced sends with UDP_SEGMENT; beta: $gro receives with UDP_GRO; nft: $p datagrams, $b bytes alpha -> beta"
[ "$segs" -ge 10 ] || fail "alpha sent no UDP_SEGMENT runs: $(grep -m3 -E 'sendm?msg' "$PXT_TMP/alpha.strace")"
[ "$gro" -ge 10 ] || fail "beta received no UDP_GRO-coalesced datagrams: $(grep -m3 recvmmsg "$PXT_TMP/beta.strace")"
# GSO super-datagrams cross the veth whole: the average exceeds the MTU.
[ "$p" -gt 0 ] && [ $((b / p)) -gt 1500 ] || fail "datagrams alpha -> beta average $((b / (p + 1))) bytes: not segmented by the kernel"
ping_check alpha beta 5 0 || fail "pings lost after the bulk transfers"

# The switch: without offload, plain sendmmsg and datagrams of at most the MTU.
stop_node alpha
stop_node beta
PLEXUS_NO_UDP_OFFLOAD=1 start_node beta
PLEXUS_NO_UDP_OFFLOAD=1 start_node alpha
up_and_ping alpha beta 30
wait_pmtu_fixed alpha beta
trace_start alpha
p0=$(counter_packets beta from_alpha)
b0=$(counter_bytes beta from_alpha)
bulk_tcp alpha beta $((2 * 1024 * 1024)) 20 || fail "2 MB TCP alpha -> beta without offload"
stop_pid "${TRACE_PID[alpha]}" 5
p=$(($(counter_packets beta from_alpha) - p0))
b=$(($(counter_bytes beta from_alpha) - b0))
note "without offload: nft $p datagrams, $b bytes alpha -> beta"
! grep -Eq "cmsg_type=(UDP_SEGMENT|0x67)" "$PXT_TMP/alpha.strace" || fail "PLEXUS_NO_UDP_OFFLOAD=1 still sends UDP_SEGMENT"
grep -q "sendmmsg" "$PXT_TMP/alpha.strace" || fail "PLEXUS_NO_UDP_OFFLOAD=1: no sendmmsg"
[ "$b" -ge $((1024 * 1024)) ] || fail "without offload: only $b bytes by UDP"
[ $((b / p)) -le 1500 ] || fail "without offload: $p datagrams averaging $((b / p)) bytes, over the MTU"
assert_alive alpha beta
pass
