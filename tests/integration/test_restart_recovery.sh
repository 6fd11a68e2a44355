#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Restart recovery within half a second, for every role a node can have.
# alpha ConnectTo beta, gamma ConnectTo beta; alpha pings gamma (relayed
# through beta's meta connections at first, then directly). One node at a
# time is killed with SIGKILL and started again; a ping stream alpha ->
# gamma (every 20 ms) runs across it, and the time from the restarted
# daemon being ready to the first reply must be at most LIMIT_MS:
#   1 beta, the ConnectTo target, restarted at once
#   2 beta again, after being down for 2 s
#   3 alpha, a connecting node (and the pinging one)
#   4 gamma, the other connecting node (indirect for alpha)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd ping
require_kind plexus
require_cli

LIMIT_MS=${PXT_RESTART_LIMIT_MS:-500}
make_node alpha plexus
make_node beta plexus
make_node gamma plexus
connect_to alpha beta
connect_to gamma beta
start_node beta
start_node alpha
start_node gamma
up_and_ping alpha gamma 30

# ping_stream FILE: a timestamped ping alpha -> gamma every 20 ms for at
# most 12 s, in the background; its PID in PING_PID.
ping_stream() {
	in_ns alpha timeout 14 ping -D -n -i 0.02 -c 600 "$(tun_addr gamma)" >"$1" 2>&1 &
	PING_PID=$!
	track_pid "$PING_PID"
}

# first_reply_ms FILE T0: milliseconds from T0 (epoch ms) to the first reply
# in FILE received after T0; empty if none yet.
first_reply_ms() {
	awk -v t0="$2" '/bytes from/ {
		ts = $1; gsub(/[\[\]]/, "", ts); ms = int(ts * 1000)
		if (ms > t0) { print ms - t0; exit }
	}' "$1"
}

# restart_case WHAT NODE DOWN_S: kill NODE with SIGKILL, wait DOWN_S
# seconds, start it again and time the first ping reply, from the start and
# from the moment the new daemon is ready (its pid file is written after
# tinc-up, with its listeners open). The limit applies to the latter: on a
# loaded machine loading the plugins and running tinc-up alone can take
# longer than the limit, and that is not what this test is about.
restart_case() {
	local what=$1 node=$2 down=$3 out t0 tr took from_ready i
	out=$PXT_TMP/ping.$node.$down
	ping_stream "$out"
	# the stream must be flowing before the kill
	for ((i = 0; i < 50; i++)); do
		grep -q "bytes from" "$out" && break
		sleep 0.05
	done
	grep -q "bytes from" "$out" || fail "$what: no ping alpha -> gamma before the kill"
	kill -KILL "${N_PID[$node]}"
	wait "${N_PID[$node]}" 2>/dev/null
	N_PID[$node]=
	mv "${N_LOG[$node]}" "${N_LOG[$node]}.$what"
	[ "$down" = 0 ] || sleep "$down"
	t0=$(ms_now)
	PXT_NO_EXCHANGE=1 start_node "$node"
	tr=
	for ((i = 0; i < 500; i++)); do
		# the file's modification time, not the moment this loop sees it
		[ -s "${N_PIDFILE[$node]}" ] && tr=$(stat -c %.3Y "${N_PIDFILE[$node]}") && tr=${tr/./} && break
		sleep 0.01
	done
	[ -n "$tr" ] || fail "$what: restarted $node never got ready"
	took=
	for ((i = 0; i < 100; i++)); do
		took=$(first_reply_ms "$out" "$t0")
		[ -n "$took" ] && break
		sleep 0.05
	done
	stop_pid "$PING_PID" 2
	[ -n "$took" ] || tail -n 5 "$out"
	[ -n "$took" ] || fail "$what: no ping alpha -> gamma within 5 s of the restart"
	from_ready=$((t0 + took - tr))
	((from_ready >= 0)) || from_ready=0
	note "$what: pings alpha -> gamma again $took ms after the restart, $from_ready ms after $node was ready"
	RESULTS+=("$what=${from_ready}ms")
	((from_ready <= LIMIT_MS)) || FAILED+=("$what: $from_ready ms > $LIMIT_MS ms")
	wait_ping alpha gamma 10 || fail "$what: no ping alpha -> gamma after the restart"
	assert_alive alpha beta gamma
}

RESULTS=()
FAILED=()
restart_case target beta 0
restart_case target-down2s beta 2
restart_case connecting alpha 0
restart_case indirect gamma 0
note "results: ${RESULTS[*]}"
((${#FAILED[@]} == 0)) || fail "${FAILED[*]}"
for n in alpha beta gamma; do
	assert_no_log "$n" "AddressSanitizer|runtime error"
done
pass "${RESULTS[*]}"
