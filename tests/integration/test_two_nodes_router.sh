#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Two nodes in router mode (TUN): ping both ways and 20 MB of TCP through the
# tunnel with an end-to-end checksum, IPv4 and IPv6 inner traffic.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping

PXT_IPV6=1
two_node_net "$PXT_KIND" "$PXT_KIND"
start_node beta
start_node alpha
up_and_ping alpha beta 30
wait_ping alpha "$(tun_addr6 beta)" 10 || fail "no IPv6 ping alpha -> beta through the tunnel"
wait_ping beta "$(tun_addr6 alpha)" 10 || fail "no IPv6 ping beta -> alpha through the tunnel"
bulk_tcp alpha beta $((20 * 1024 * 1024)) || fail "20 MB TCP alpha -> beta"
bulk_tcp beta alpha $((5 * 1024 * 1024)) || fail "5 MB TCP beta -> alpha"
assert_alive alpha beta
pass
