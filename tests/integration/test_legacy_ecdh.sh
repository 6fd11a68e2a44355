#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# ECDH data-key exchange of the legacy protocol (docs/legacy-ecdh.md).
# Three rounds, each with fresh namespaces, keys and daemons (the script
# re-runs itself per round):
#   ecdh  two Plexus nodes (ExperimentalProtocol = no, so the legacy
#         protocol is used) with KeyExpire = 5: both directions get ECDH
#         keys (log and `plexus dump nodes`), ping and bulk TCP work, then
#         ~20 s of pings every 20 ms both ways plus back-to-back 20 MB
#         transfers while the keys are renewed every 5 s: < 1% loss, every
#         transfer intact, several renewals seen, nothing rejected, and the
#         data really goes over UDP.
#   tinc  Plexus <-> tinc 1.0.36: Plexus offers ECDH, tinc ignores the
#         offer and the RSA exchange is used (dump says rsa:...); ping and
#         bulk TCP over UDP, also across Plexus's KeyExpire = 5 renewals.
#   tincrelay  two Plexus nodes that only meet through a tinc 1.0 relay
#         still agree ECDH keys (tinc forwards both messages untouched).
# shellcheck source=tests/integration/lib.sh disable=SC2317  # rounds are called as "round_$2"
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft

PXT_DEBUG=${PXT_DEBUG:-3}
export PXT_DEBUG

# fast_pings FROM TO SECONDS MAX_LOSS_PERMILLE: pings every 20 ms.
fast_pings() {
	local from=$1 addr count out sent recv
	addr=$(addr_of "$2")
	count=$(($3 * 50))
	out=$(in_ns "$from" timeout $(($3 + 20)) ping -n -q -c "$count" -i 0.02 -W 1 "$addr" 2>&1)
	sent=$(echo "$out" | sed -nE 's/^([0-9]+) packets transmitted.*/\1/p')
	recv=$(echo "$out" | sed -nE 's/.* ([0-9]+) (packets )?received.*/\1/p')
	note "pings $from -> $2: $recv of $sent answered"
	if [ -z "$sent" ] || [ -z "$recv" ] || [ "$sent" -le 0 ]; then
		echo "$out"
		return 1
	fi
	if (((sent - recv) * 1000 > sent * $4)); then
		echo "$out"
		return 1
	fi
	return 0
}

# dump_line NODE PEER: the peer's line in `plexus dump nodes` on NODE.
dump_line() {
	plexus_cli "$1" dump nodes 2>&1 | grep -E "^$2 id "
}

round_ecdh() {
	make_node alpha plexus
	make_node beta plexus
	connect_to alpha beta
	for n in alpha beta; do
		node_conf "$n" "ExperimentalProtocol = no" "KeyExpire = 5"
	done
	udp_counter beta from_alpha alpha
	udp_counter alpha from_beta beta
	start_node beta
	start_node alpha
	up_and_ping alpha beta 30

	wait_log alpha "Got packet key from beta \(ecdh:aes-256-cbc/sha256/4\)" 10 ||
		fail "alpha got no ECDH packet key from beta"
	wait_log beta "Got packet key from alpha \(ecdh:aes-256-cbc/sha256/4\)" 10 ||
		fail "beta got no ECDH packet key from alpha"
	local line
	line=$(dump_line alpha beta)
	echo "$line" | grep -q "protocol legacy (ecdh:aes-256-cbc/sha256/4)" ||
		fail "dump nodes on alpha does not show the ECDH exchange for beta: $line"
	line=$(dump_line beta alpha)
	echo "$line" | grep -q "protocol legacy (ecdh:aes-256-cbc/sha256/4)" ||
		fail "dump nodes on beta does not show the ECDH exchange for alpha: $line"
	note "dump: $line"

	bulk_tcp alpha beta $((10 * 1024 * 1024)) || fail "10 MB TCP alpha -> beta"
	bulk_tcp beta alpha $((5 * 1024 * 1024)) || fail "5 MB TCP beta -> alpha"

	# Renewals under traffic: pings both ways, bulk transfers back to back.
	local before_a before_b pa pb bulks=0
	before_a=$(log_count alpha "Got packet key from beta \(ecdh:")
	before_b=$(log_count beta "Got packet key from alpha \(ecdh:")
	fast_pings alpha beta 20 10 >"$PXT_TMP/pings_ab" 2>&1 &
	pa=$!
	track_pid "$pa"
	fast_pings beta alpha 20 10 >"$PXT_TMP/pings_ba" 2>&1 &
	pb=$!
	track_pid "$pb"
	while pid_alive "$pa" || pid_alive "$pb"; do
		bulk_tcp alpha beta $((20 * 1024 * 1024)) 60 || fail "bulk TCP alpha -> beta during key renewals"
		bulks=$((bulks + 1))
	done
	wait "$pa" || fail "more than 1% of pings alpha -> beta lost during key renewals: $(cat "$PXT_TMP/pings_ab")"
	wait "$pb" || fail "more than 1% of pings beta -> alpha lost during key renewals: $(cat "$PXT_TMP/pings_ba")"
	cat "$PXT_TMP/pings_ab" "$PXT_TMP/pings_ba"
	note "$bulks bulk transfers of 20 MB during the renewals"

	local renew_a renew_b
	renew_a=$(($(log_count alpha "Got packet key from beta \(ecdh:") - before_a))
	renew_b=$(($(log_count beta "Got packet key from alpha \(ecdh:") - before_b))
	note "ECDH keys renewed during the traffic: alpha $renew_a, beta $renew_b"
	[ "$renew_a" -ge 3 ] || fail "alpha renewed its ECDH key for beta only $renew_a times in 20 s (KeyExpire = 5)"
	[ "$renew_b" -ge 3 ] || fail "beta renewed its ECDH key for alpha only $renew_b times in 20 s (KeyExpire = 5)"
	for n in alpha beta; do
		assert_no_log "$n" "Rejecting ECDH|downgrade|Got packet key from [a-z]+ \(rsa:" "$n: unexpected rejection or RSA key"
	done
	local a b
	# Bytes, not datagrams: with UDP offload a run of datagrams (the bulk
	# data one way, its ACKs the other) crosses the veth as one packet.
	a=$(counter_bytes beta from_alpha)
	b=$(counter_bytes alpha from_beta)
	note "UDP bytes: alpha -> beta $a, beta -> alpha $b"
	[ "${a:-0}" -ge $((10 * 1024 * 1024)) ] || fail "too few UDP bytes alpha -> beta ($a): data not on UDP"
	[ "${b:-0}" -ge 100000 ] || fail "too few UDP bytes beta -> alpha ($b): data not on UDP"
	assert_alive alpha beta
	pass "ecdh"
}

round_tinc() {
	require_kind tinc10
	make_node px plexus
	make_node tinc tinc10
	connect_to px tinc
	node_conf px "ExperimentalProtocol = no" "KeyExpire = 5"
	udp_counter tinc from_px px
	udp_counter px from_tinc tinc
	start_node tinc
	start_node px
	up_and_ping px tinc 30
	assert_log px "Requesting ECDH packet key from tinc" "px did not offer ECDH to tinc"
	wait_log px "Got packet key from tinc \(rsa:aes-256-cbc/sha256/4\)" 10 ||
		fail "px got no RSA packet key from tinc"
	local line
	line=$(dump_line px tinc)
	echo "$line" | grep -q "protocol legacy (rsa:aes-256-cbc/sha256/4)" ||
		fail "dump nodes on px does not show the RSA exchange for tinc: $line"
	note "dump: $line"
	bulk_tcp px tinc $((5 * 1024 * 1024)) || fail "5 MB TCP px -> tinc"
	bulk_tcp tinc px $((2 * 1024 * 1024)) || fail "2 MB TCP tinc -> px"
	# Across px's renewals (tinc 1.0 drops a replaced key at once: allow 2%).
	fast_pings px tinc 12 20 || fail "pings px -> tinc lost across renewals"
	fast_pings tinc px 12 20 || fail "pings tinc -> px lost across renewals"
	assert_no_log px "Rejecting ECDH|downgrade" "px rejected something from tinc"
	assert_no_log tinc "Got bad (REQ|ANS)_KEY|wrong keylength" "tinc complained about px's requests"
	local p t
	# px -> tinc in bytes (px sends runs of datagrams as one packet); tinc
	# sends its datagrams singly.
	p=$(counter_bytes tinc from_px)
	t=$(counter_packets px from_tinc)
	note "UDP: px -> tinc $p bytes, tinc -> px $t datagrams"
	[ "${p:-0}" -ge $((1024 * 1024)) ] || fail "too few UDP bytes px -> tinc ($p): data not on UDP"
	[ "${t:-0}" -ge 100 ] || fail "too few UDP datagrams tinc -> px ($t): data not on UDP"
	assert_alive px tinc
	pass "tinc"
}

# Two Plexus nodes that only meet through a tinc 1.0 relay: the ECDH offer
# and answer cross tinc unchanged (tinc forwards REQ_KEY verbatim and
# appends the reflexive address to the 7-field ANS_KEY) and are accepted.
round_tincrelay() {
	require_kind tinc10
	make_node alpha plexus
	make_node relay tinc10
	make_node gamma plexus
	connect_to alpha relay
	connect_to gamma relay
	for n in alpha gamma; do
		node_conf "$n" "ExperimentalProtocol = no"
	done
	start_node relay
	start_node alpha
	start_node gamma
	up_and_ping alpha gamma 40
	wait_log alpha "Got packet key from gamma \(ecdh:aes-256-cbc/sha256/4\)" 10 ||
		fail "alpha got no ECDH packet key from gamma across the tinc relay"
	wait_log gamma "Got packet key from alpha \(ecdh:aes-256-cbc/sha256/4\)" 10 ||
		fail "gamma got no ECDH packet key from alpha across the tinc relay"
	wait_log alpha "Got packet key from relay \(rsa:aes-256-cbc/sha256/4\)" 10 ||
		fail "alpha got no RSA packet key from the tinc relay"
	bulk_tcp alpha gamma $((5 * 1024 * 1024)) || fail "5 MB TCP alpha -> gamma"
	ping_check alpha relay 5 1 || fail "pings alpha -> relay (tinc) lost"
	for n in alpha gamma; do
		assert_no_log "$n" "Rejecting ECDH|downgrade" "$n rejected a key message that crossed tinc"
	done
	assert_no_log relay "Got bad (REQ|ANS)_KEY|wrong keylength" "the tinc relay complained about ECDH messages"
	assert_alive alpha relay gamma
	pass "tincrelay"
}

if [ "${1:-}" = --round ]; then
	PXT_TEST="${PXT_TEST}[$2]"
	"round_$2"
fi

for r in ecdh tinc tincrelay; do
	"$0" --round "$r" || fail "round $r failed"
done
pass "3 rounds"
