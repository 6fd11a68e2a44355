#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# A captured datagram replayed from another address must not move the
# sender's UDP address (issue 11), and junk from an unknown address must not
# be checked against every node's key without limit. Two rounds with fresh
# namespaces and daemons (the script re-runs itself per round):
#   legacy  ExperimentalProtocol = no (tinc 1.0 packets, sender found by MAC)
#   sptps   the default (SPTPS records with node IDs)
# In each: alpha and beta ping each other over UDP; an eavesdropper copies
# one datagram alpha -> beta (captured in alpha's namespace), a third
# namespace "mallory" sends it to beta 20 times. Beta must keep alpha's
# address (`plexus dump nodes`) and pings must keep flowing. Then mallory
# sends 60000 junk datagrams to beta: beta's CPU seconds are printed and
# the log must say most were not tried against the node keys (their count
# is printed).
# shellcheck source=tests/integration/lib.sh disable=SC2317  # rounds are called as "round_$2"
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft
require_kind plexus
require_cli

JUNK=${PXT_JUNK:-60000}
# the summary of datagrams from unknown sources is logged at debug level 2
PXT_DEBUG=${PXT_DEBUG:-2}
export PXT_DEBUG

# udp_addr_of NODE PEER: "host:port" NODE's dump shows for PEER.
udp_addr_of() {
	plexus_cli "$1" dump nodes 2>/dev/null | awk -v p="$2" '$1 == p {
		for (i = 2; i < NF; i++) if ($i == "port") { print $(i - 1) ":" $(i + 1); exit }
	}'
}

# cpu_ticks PID: user + system clock ticks of that process.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

run_round() {
	local proto=$1 before after i pid mallory hz t0 t1
	two_node_net plexus plexus
	if [ "$proto" = legacy ]; then
		node_conf alpha "ExperimentalProtocol = no"
		node_conf beta "ExperimentalProtocol = no"
	fi
	netns_create 3
	mallory=$PXT_NS
	start_node beta
	start_node alpha
	up_and_ping alpha beta 30
	# wait until beta has a confirmed UDP path to alpha (data over UDP)
	for ((i = 0; i < 50; i++)); do
		before=$(udp_addr_of beta alpha)
		[ "$before" = "$(underlay_addr alpha):655" ] && break
		sleep 0.2
	done
	note "$proto: beta has alpha at $before"
	[ "$before" = "$(underlay_addr alpha):655" ] || fail "beta does not show alpha at its address: '$before'"

	# the eavesdropper's copy of one datagram alpha -> beta
	in_ns alpha timeout 20 python3 "$PXT_TOOLS/udpforge.py" grab eth0 "$(underlay_addr beta)" 655 \
		"$PXT_TMP/captured" >"$PXT_TMP/grab.out" 2>&1 &
	pid=$!
	track_pid "$pid"
	# pings until it has one (data goes by UDP once PMTU discovery found a size)
	for ((i = 0; i < 30; i++)); do
		pid_alive "$pid" || break
		in_ns alpha ping -n -q -c 2 -i 0.2 -W 1 "$(tun_addr beta)" >/dev/null 2>&1
	done
	wait "$pid"
	note "$(cat "$PXT_TMP/grab.out")"
	[ -s "$PXT_TMP/captured" ] || fail "no datagram captured"

	# replayed from mallory's address
	note "$(in_ns "$mallory" timeout 20 python3 "$PXT_TOOLS/udpforge.py" resend "$(underlay_addr beta)" 655 \
		"$PXT_TMP/captured" 20)"
	sleep 1
	after=$(udp_addr_of beta alpha)
	note "$proto: after the replay beta has alpha at $after"
	grep -E "UDP address of alpha set to" "${N_LOG[beta]}" | sed 's/^/  beta log: /' | head -5
	[ "$after" = "$before" ] || fail "$proto: a replayed datagram moved alpha's UDP address to $after"
	ping_check beta alpha 5 1 || fail "$proto: pings beta -> alpha lost after the replay"
	ping_check alpha beta 5 1 || fail "$proto: pings alpha -> beta lost after the replay"
	after=$(udp_addr_of beta alpha)
	[ "$after" = "$before" ] || fail "$proto: alpha's UDP address moved to $after"

	# junk flood from an unknown address
	hz=$(getconf CLK_TCK)
	t0=$(cpu_ticks "${N_PID[beta]}")
	note "$(in_ns "$mallory" timeout 60 python3 "$PXT_TOOLS/udpforge.py" junk "$(underlay_addr beta)" 655 "$JUNK")"
	sleep 1
	t1=$(cpu_ticks "${N_PID[beta]}")
	note "$proto: beta used $(awk -v a="$t0" -v b="$t1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }') CPU-s for $JUNK junk datagrams"
	grep -E "unknown source" "${N_LOG[beta]}" | tail -3 | sed 's/^/  beta log: /'
	wait_log beta "not tried against node keys" 5 ||
		fail "$proto: no sign of a limit on trial identification of unknown senders"
	note "$proto: $(grep -Eo '[0-9]+ of them not tried' "${N_LOG[beta]}" | awk '{ n += $1 } END { print n + 0 }') junk datagrams not tried against node keys"
	ping_check alpha beta 5 1 || fail "$proto: pings lost after the junk flood"
	assert_alive alpha beta
}

round_legacy() { run_round legacy; }
round_sptps() {
	. "$(dirname "$0")/sptps_lib.sh"
	require_sptps
	run_round sptps
	assert_proto beta alpha sptps
}

if [ "${1:-}" = --round ]; then
	PXT_TEST="${PXT_TEST}[$2]"
	"round_$2"
	pass
fi
for r in legacy sptps; do
	"$0" --round "$r" || fail "round $r failed"
done
pass "2 rounds"
