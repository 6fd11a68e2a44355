#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Two nodes with Mode = switch (TAP, MAC learning): ping both ways (needs ARP
# through the tunnel) and 20 MB of TCP with an end-to-end checksum.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping

PXT_MODE=switch
two_node_net "$PXT_KIND" "$PXT_KIND"
start_node beta
start_node alpha
up_and_ping alpha beta 30
in_ns alpha ip neigh show dev "$PXT_IFNAME" | grep -q "$(tun_addr beta) .*lladdr" ||
	fail "alpha did not learn beta's MAC over the TAP interface"
bulk_tcp alpha beta $((20 * 1024 * 1024)) || fail "20 MB TCP alpha -> beta"
bulk_tcp beta alpha $((5 * 1024 * 1024)) || fail "5 MB TCP beta -> alpha"
assert_alive alpha beta
pass
