#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Plexus <-> tinc 1.0.36 on the legacy protocol. Four rounds, each with fresh
# namespaces, keys and daemons (the script re-runs itself per round):
#   1 plexus ConnectTo tinc, default cipher, keys swapped (tincd -K keys for
#     plexus, plexus generate-keys keys for tincd)
#   2 tinc ConnectTo plexus, default cipher, own keys
#   3 plexus ConnectTo tinc, Cipher = aes-256-cbc, Digest = sha256
#   4 tinc ConnectTo plexus, Cipher = aes-128-cbc, Digest = sha1, MACLength = 10
# Each round: ping both ways, 5 MB TCP, and the data really goes over UDP
# (nftables counters on both sides count datagrams from the peer).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft

# The "other" kind defaults to plexus; PXT_KIND=tinc10 proves the harness.
OTHER=$PXT_KIND
[ "$OTHER" = tinc10 ] || OTHER=plexus

round() {
	local r=$1 p t
	require_kind tinc10
	case $r in
	1) PXT_KEYGEN=tinc10 make_node px "$OTHER"; PXT_KEYGEN=$OTHER make_node tinc tinc10 ;;
	*) make_node px "$OTHER"; make_node tinc tinc10 ;;
	esac
	case $r in
	3) for n in px tinc; do host_conf "$n" "Cipher = aes-256-cbc" "Digest = sha256"; done ;;
	4) for n in px tinc; do host_conf "$n" "Cipher = aes-128-cbc" "Digest = sha1" "MACLength = 10"; done ;;
	esac
	case $r in
	1 | 3) connect_to px tinc ;;
	*) connect_to tinc px ;;
	esac
	udp_counter tinc from_px px
	udp_counter px from_tinc tinc
	# start the node that is connected to first, so the first attempt works
	case $r in
	1 | 3) start_node tinc; start_node px ;;
	*) start_node px; start_node tinc ;;
	esac
	up_and_ping px tinc 30
	bulk_tcp px tinc $((5 * 1024 * 1024)) || fail "5 MB TCP px -> tinc"
	bulk_tcp tinc px $((2 * 1024 * 1024)) || fail "2 MB TCP tinc -> px"
	ping_check px tinc 10 0 || fail "pings px -> tinc lost after bulk"
	p=$(counter_packets tinc from_px)
	t=$(counter_packets px from_tinc)
	note "UDP datagrams: px -> tinc $p, tinc -> px $t"
	[ "${p:-0}" -ge 10 ] || fail "round $r: too few UDP datagrams px -> tinc ($p): data not on UDP"
	[ "${t:-0}" -ge 10 ] || fail "round $r: too few UDP datagrams tinc -> px ($t): data not on UDP"
	assert_alive px tinc
	pass "round $r"
}

if [ "${1:-}" = --round ]; then
	PXT_TEST="$PXT_TEST[$2]"
	round "$2"
fi

for r in 1 2 3 4; do
	"$0" --round "$r" || fail "round $r failed"
done
pass "4 rounds"
