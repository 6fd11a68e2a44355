#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# TCPOnly = yes on one side (its host file, so both ends know): every packet
# rides the meta connection. Ping both ways and 10 MB of TCP must work, and
# no tunnel datagram may appear on UDP.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft

two_node_net "$PXT_KIND" "$PXT_KIND"
host_conf beta "TCPOnly = yes"
udp_counter beta udp_from_alpha alpha
udp_counter alpha udp_from_beta beta
start_node beta
start_node alpha
up_and_ping alpha beta 30
bulk_tcp alpha beta $((10 * 1024 * 1024)) || fail "10 MB TCP alpha -> beta over TCPOnly"
bulk_tcp beta alpha $((2 * 1024 * 1024)) || fail "2 MB TCP beta -> alpha over TCPOnly"
ping_check alpha beta 10 0 || fail "pings lost after bulk over TCPOnly"
u1=$(counter_packets beta udp_from_alpha)
u2=$(counter_packets alpha udp_from_beta)
note "UDP datagrams with TCPOnly: alpha -> beta $u1, beta -> alpha $u2"
[ "${u1:-0}" -le 5 ] && [ "${u2:-0}" -le 5 ] ||
	fail "TCPOnly = yes, yet $u1 / $u2 datagrams went over UDP"
assert_alive alpha beta
pass
