#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# TUN offload (IFF_VNET_HDR + TSO): TCP over IPv4 and IPv6 through a router
# mode tunnel and over a switch mode (TAP) tunnel arrives intact (SHA-256 on
# both ends), and the daemons really did cut super-packets read from the
# device and join segments written to it (their counters when they stop).
# Then one side runs with PLEXUS_NO_TUN_OFFLOAD=1: still intact, and that
# side says offload is off.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping
[ "$PXT_KIND" = plexus ] || skip "TUN offload is Plexus's own (PXT_KIND=$PXT_KIND)"

# offload_counts NAME: "READ WRITTEN" from the device's closing line.
offload_counts() {
	sed -nE 's/.*offload: ([0-9]+) super-packets read .*, ([0-9]+) written .*/\1 \2/p' \
		"${N_LOG[$1]}" "${N_OUT[$1]}" | tail -n 1
}

# check_offload SENDER RECEIVER: the sender cut, the receiver joined.
check_offload() {
	local snd rcv
	snd=$(offload_counts "$1")
	rcv=$(offload_counts "$2")
	note "offload counters: $1 read/written: ${snd:-none}, $2 read/written: ${rcv:-none}"
	[ -n "$snd" ] && [ "${snd%% *}" -gt 0 ] || fail "$1 read no super-packet from its device"
	[ -n "$rcv" ] && [ "${rcv##* }" -gt 0 ] || fail "$2 wrote no joined super-packet to its device"
}

PXT_IPV6=1
two_node_net plexus plexus
PXT_MODE=switch
make_node gamma plexus
make_node delta plexus
connect_to gamma delta

start_node beta
start_node alpha
start_node delta
start_node gamma
up_and_ping alpha beta 30
wait_ping alpha "$(tun_addr6 beta)" 10 || fail "no IPv6 ping alpha -> beta"
assert_log alpha "TUN offload on" "alpha did not turn TUN offload on"
bulk_tcp alpha beta $((10 * 1024 * 1024)) || fail "10 MB TCP alpha -> beta (IPv4, router)"
PXT_BULK_ADDR=$(tun_addr6 beta) bulk_tcp alpha beta $((5 * 1024 * 1024)) || fail "5 MB TCP alpha -> beta (IPv6, router)"
up_and_ping gamma delta 30
assert_log gamma "TUN offload on" "gamma did not turn TUN offload on (TAP)"
bulk_tcp gamma delta $((5 * 1024 * 1024)) || fail "5 MB TCP gamma -> delta (switch)"
assert_alive alpha beta gamma delta
stop_node alpha
stop_node beta
stop_node gamma
stop_node delta
check_offload alpha beta
check_offload gamma delta

# without offload on beta: alpha's super-packets cut, beta writes one by one
: >"${N_LOG[alpha]}"
PLEXUS_NO_TUN_OFFLOAD=1 start_node beta
start_node alpha
up_and_ping alpha beta 30
assert_log beta "TUN offload off" "beta did not say that offload is off"
assert_no_log beta "TUN offload on"
bulk_tcp alpha beta $((2 * 1024 * 1024)) || fail "2 MB TCP alpha -> beta (beta without offload)"
bulk_tcp beta alpha $((2 * 1024 * 1024)) || fail "2 MB TCP beta -> alpha (beta without offload)"
assert_alive alpha beta
pass
