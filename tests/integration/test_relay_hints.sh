#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# UDP_INFO and MTU_INFO (tinc 1.1's relay hints, docs/protocol/meta.md).
#   A -- B -- C, Plexus over SPTPS, A and C only ConnectTo B; UDP between A
#   and C is dropped (nftables), and C's link takes at most 1280 bytes.
# Phase 1 (the effect): a large ping A -> C cannot go by UDP anywhere near
#   C, so B relays it to C over TCP (binary SPTPS_PACKET). C, its
#   destination, sends UDP_INFO about itself and MTU_INFO (the MTU of its
#   link to B, which B lowers to its own measurement of C) towards A. A,
#   which cannot measure C itself, takes that as C's provisional MTU:
#   `plexus dump nodes` on A shows it. Without the hints A knows only what
#   its own (failing) probes tell it, which stays above C's 1280 bytes.
# Phase 2 (pacing): UDP between B and C is dropped too, so every packet
#   A -> C reaches C over TCP and calls for both hints; C has
#   UDPInfoInterval = 2 and MTUInfoInterval = 3 (tinc's default: 5), and
#   the number C sends during a 12 s ping stream follows them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd ping nft
require_kind plexus
require_cli
require_sptps

PXT_DEBUG=4 # request contents
make_node A plexus
make_node B plexus
make_node C plexus
connect_to A B
connect_to C B
for n in A B C; do
	node_conf "$n" "PingInterval = 5" "PingTimeout = 2"
done
node_conf A "UDPInfoInterval = 2" "MTUInfoInterval = 3"
node_conf C "UDPInfoInterval = 2" "MTUInfoInterval = 3"
block_udp A C hints_ac
block_udp C A hints_ac
in_ns C ip link set eth0 mtu 1280 || fail "mtu 1280 on C's link"
start_node B
start_node A
start_node C
up_and_ping A B 30
up_and_ping C B 30
wait_ping A C 30 || fail "no ping A -> C"
assert_proto A C sptps
assert_log A "Sending ID to B .*: 0 A 17\.7" "A did not announce 17.7"

# pmtu_of NODE PEER: "pmtu min max" of PEER on NODE.
pmtu_of() {
	plexus_cli "$1" dump nodes 2>/dev/null |
		sed -nE "s/^$2 .* pmtu (-?[0-9]+) \(min (-?[0-9]+) max (-?[0-9]+)\).*/\1 \2 \3/p"
}
measured() { # measured NODE PEER: NODE finished PMTU discovery with PEER
	local p
	p=$(pmtu_of "$1" "$2")
	set -- $p
	[ -n "${2:-}" ] && [ "$2" -gt 0 ] && [ "$2" = "$3" ]
}
for pair in "B C" "C B"; do
	for ((i = 0; i < 150; i++)); do
		measured $pair && break
		sleep 0.2
	done
	measured $pair || fail "$pair: PMTU discovery did not finish ($(pmtu_of $pair))"
done
note "path MTU: B sees C at '$(pmtu_of B C)', C sees B at '$(pmtu_of C B)', A sees C at '$(pmtu_of A C)'"

# Phase 1.
c_ip=$(tun_addr C)
for ((i = 0; i < 40; i++)); do
	in_ns A ping -n -q -c 1 -W 1 -s 1300 "$c_ip" >/dev/null 2>&1
	set -- $(pmtu_of A C)
	[ "${1:-1518}" -lt 1518 ] && break
	sleep 0.2
done
a_c=$(pmtu_of A C)
note "A's pmtu for C after large pings: $a_c"
set -- $a_c
a_mtu=$1
[ "$1" -lt 1280 ] && [ "$1" -ge 1000 ] || fail "A did not take a provisional MTU for C from MTU_INFO (pmtu $a_c)"
[ "$2" = 0 ] || fail "A measured C itself (min $2) although UDP between them is dropped"
assert_log C "Sending MTU_INFO about C \([0-9]+\) towards A via B" "C sent no MTU_INFO"
assert_log B "Got MTU_INFO from C .*: 23 C A [0-9]+" "B got no MTU_INFO from C"
assert_log A "Got MTU_INFO from B .*: 23 C A $1\$" "A got no MTU_INFO about C with $1"
assert_log A "Using provisional MTU $1 for node C \(MTU_INFO from B\)"
assert_log C "Sending UDP_INFO about C .* towards A via B" "C sent no UDP_INFO"
assert_log A "Got UDP_INFO from B .*: 22 C A $(underlay_addr C) $PXT_PORT\$" \
	"A got no UDP_INFO from B carrying B's idea of C's address"

# Phase 2: every packet A -> C reaches C by TCP.
block_udp B C hints_bc
block_udp C B hints_bc
for ((i = 0; i < 100; i++)); do
	set -- $(pmtu_of B C)
	[ "${2:-1}" = 0 ] && break
	sleep 0.2
done
[ "${2:-1}" = 0 ] || fail "B still counts on UDP with C ($(pmtu_of B C))"
wait_ping A C 20 || fail "no ping A -> C with UDP to C dropped"
sleep 5.5 # both intervals pass: the window starts with a hint of each kind due
u0=$(count_log C "Sending UDP_INFO about C .* towards A")
m0=$(count_log C "Sending MTU_INFO about C .* towards A")
t0=$SECONDS
in_ns A ping -n -q -c 120 -i 0.1 -W 1 "$c_ip" >"$PXT_TMP/ping.out" 2>&1
w=$((SECONDS - t0))
u=$(($(count_log C "Sending UDP_INFO about C .* towards A") - u0))
m=$(($(count_log C "Sending MTU_INFO about C .* towards A") - m0))
note "in ${w}s of pings A -> C over TCP: C sent $u UDP_INFO (every 2 s: $((w / 2))..$(((w + 1) / 2 + 1))), $m MTU_INFO (every 3 s: $((w / 3))..$(((w + 1) / 3 + 1))); $(grep -E 'packets' "$PXT_TMP/ping.out")"
[ "$w" -ge 10 ] || fail "the ping stream took ${w}s, not about 12"
# With a hint due at the start, an interval of I seconds over a stream of
# about w seconds (SECONDS is whole seconds, so w is off by up to one) gives
# between w/I and (w+1)/I + 1 hints; tinc's default of 5 would give fewer.
[ "$u" -le $(((w + 1) / 2 + 1)) ] && [ "$u" -ge $((w / 2)) ] || fail "UDP_INFO not paced by UDPInfoInterval = 2: $u in ${w}s"
[ "$m" -le $(((w + 1) / 3 + 1)) ] && [ "$m" -ge $((w / 3)) ] || fail "MTU_INFO not paced by MTUInfoInterval = 3: $m in ${w}s"

for n in A B C; do
	assert_no_log "$n" "Got bad (UDP|MTU)_INFO|which we cannot reach directly|UDP_INFO with a false origin"
	assert_no_log "$n" "$SPTPS_BAD_RE"
done
assert_alive A B C
pass "A took MTU $a_mtu for C from MTU_INFO; C paced $u UDP_INFO and $m MTU_INFO over ${w}s"
