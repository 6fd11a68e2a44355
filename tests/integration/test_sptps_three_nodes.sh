#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# A -- B -- C, all Plexus over SPTPS; A and C only have ConnectTo = B.
#   round 1: after the key exchange (handshake records relayed by B over the
#            meta connections) A and C talk directly over UDP: during 100
#            pings B sees almost no datagrams from A or C.
#   round 2: C has IndirectData = yes, so A's records for C go to B by UDP
#            and B relays them unopened (node-ID prefix): C receives them
#            from B's address, and B's count of packets it opened from A
#            does not move with the burst.
# Each round: ping all pairs, 4 MB TCP A -> C, no SPTPS errors logged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping nft
require_kind plexus
require_cli
require_sptps

round() {
	local r=$1 ba bc ca cb ac rx0 rx1 n
	make_node A plexus
	make_node B plexus
	make_node C plexus
	connect_to A B
	connect_to C B
	[ "$r" = 2 ] && host_conf C "IndirectData = yes"
	start_node B
	start_node A
	start_node C
	up_and_ping A B 30
	up_and_ping C B 30
	wait_ping A C 30 || fail "no ping A -> C"
	wait_ping C A 10 || { fail "no ping C -> A"; }
	ping_check A C 10 2 || { fail "A -> C warm-up pings lost"; }
	ping_check C A 10 2 || { fail "C -> A warm-up pings lost"; }
	assert_proto A C sptps
	assert_proto C A sptps
	assert_proto B A sptps
	udp_counter B b_from_A A
	udp_counter B b_from_C C
	udp_counter C c_from_A A
	udp_counter C c_from_B B
	udp_counter A a_from_C C
	rx0=$(rx_packets B A)
	ping_check A C 100 3 || fail "A -> C burst: pings lost"
	rx1=$(rx_packets B A)
	ba=$(counter_packets B b_from_A)
	bc=$(counter_packets B b_from_C)
	ca=$(counter_packets C c_from_A)
	cb=$(counter_packets C c_from_B)
	ac=$(counter_packets A a_from_C)
	note "round $r, 100 pings A -> C: B got $ba from A, $bc from C; C got $ca from A, $cb from B; A got $ac from C; B opened $((rx1 - rx0)) packets from A"
	case $r in
	1)
		[ "${ca:-0}" -ge 100 ] || fail "C got only $ca datagrams from A: A -> C is not direct"
		[ "${ac:-0}" -ge 100 ] || fail "A got only $ac datagrams from C: C -> A is not direct"
		[ "${ba:-0}" -le 20 ] || fail "B got $ba datagrams from A: A -> C is relayed"
		;;
	2)
		[ "${ba:-0}" -ge 100 ] || fail "B got only $ba datagrams from A: A -> C does not go through B"
		[ "${cb:-0}" -ge 100 ] || fail "C got only $cb datagrams from B: B does not relay by UDP"
		[ "${ca:-0}" -le 20 ] || fail "C got $ca datagrams straight from A despite IndirectData"
		[ -n "$rx0" ] && [ -n "$rx1" ] || fail "plexus info B A shows no RX counter"
		[ $((rx1 - rx0)) -le 30 ] || fail "B opened $((rx1 - rx0)) packets from A: it decrypts what it relays"
		;;
	esac
	bulk_tcp A C $((4 * 1024 * 1024)) || fail "4 MB TCP A -> C"
	bulk_tcp C A $((2 * 1024 * 1024)) || fail "2 MB TCP C -> A"
	for n in A B C; do
		assert_no_log "$n" "$SPTPS_BAD_RE"
	done
	assert_alive A B C
	pass "round $r"
}

if [ "${1:-}" = --round ]; then
	PXT_TEST="$PXT_TEST[$2]"
	round "$2"
fi
skipped=
for r in 1 2; do
	"$0" --round "$r"
	case $? in
	0) ;;
	77) skipped="$skipped $r" ;;
	*) fail "round $r failed" ;;
	esac
done
[ -z "$skipped" ] || note "skipped round(s):$skipped"
pass "2 rounds${skipped:+ (skipped:$skipped)}"
