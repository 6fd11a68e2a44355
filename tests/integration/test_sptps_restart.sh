#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Peer restart recovery over SPTPS. alpha and beta (beta ConnectTo alpha),
# a ping stream alpha -> beta all along.
#   1 kill -9 beta mid-traffic and start it again: pings flow within 3 s of
#     the new beta being ready (no PingTimeout, no key expiry involved).
#   2 restart in the middle of a key exchange: alpha (KeyExpire = 2) is
#     kept in the middle of a renegotiation (its namespace drops beta's
#     meta traffic, so beta's answer never arrives), beta is killed then,
#     the rule lifted and beta started again: again within 3 s.
#   3 kill -9 beta while its own first handshake with alpha is under way
#     (alpha frozen with SIGSTOP meanwhile), restart: within 3 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping nft
require_kind plexus
require_cli
require_sptps

LIMIT_MS=3000
make_node alpha plexus
make_node beta plexus
connect_to beta alpha
node_conf alpha "KeyExpire = 2"
PXT_DEBUG=3
start_node alpha
start_node beta
up_and_ping alpha beta 30
assert_proto alpha beta sptps

# background traffic for the whole test
in_ns alpha ping -n -q -i 0.05 -w 120 "$(tun_addr beta)" >/dev/null 2>&1 &
track_pid $!

# restart_beta: start beta again, wait for it to be ready, time the first
# ping alpha -> beta.
restart_beta() {
	local what=$1 took
	start_node beta
	wait_log beta "Ready" 10 || fail "$what: restarted beta never got ready"
	t0=$(ms_now)
	# pings alone may pass over the meta connection: wait for the key too
	for ((i = 0; i < 150; i++)); do
		in_ns alpha ping -n -q -c 1 -W 0.3 "$(tun_addr beta)" >/dev/null 2>&1 &&
			[ "$(describe_of alpha beta)" = sptps ] && [ "$(describe_of beta alpha)" = sptps ] && break
		assert_alive alpha
		sleep 0.05
	done
	took=$(($(ms_now) - t0))
	[ "$(describe_of alpha beta)" = sptps ] || fail "$what: no SPTPS key alpha -> beta 15 s after beta's restart"
	note "$what: SPTPS key up and pings flow $took ms after beta was ready"
	[ "$took" -le "$LIMIT_MS" ] || fail "$what: traffic took $took ms (> $LIMIT_MS) to flow again"
	ping_check alpha beta 10 0 || fail "$what: pings lost after recovery"
	ping_check beta alpha 5 0 || fail "$what: pings beta -> alpha lost after recovery"
	assert_proto alpha beta sptps
}

kill9_beta() {
	kill -KILL "${N_PID[beta]}"
	wait "${N_PID[beta]}" 2>/dev/null
	N_PID[beta]=
	mv "${N_LOG[beta]}" "${N_LOG[beta]}.$1"
}

# 1: plain kill -9 mid-traffic
sleep 1
kill9_beta 1
sleep 0.5
restart_beta "kill -9"

# 2: in the middle of a renegotiation
nft_block alpha meta tcp dport "$PXT_PORT"
for ((i = 0; i < 60; i++)); do
	[ "$(describe_of alpha beta)" = sptps-rekey ] && break
	sleep 0.1
done
[ "$(describe_of alpha beta)" = sptps-rekey ] || fail "alpha never got stuck in a renegotiation with beta"
note "alpha is in the middle of a renegotiation with beta; killing beta"
kill9_beta 2
nft_unblock alpha meta
restart_beta "kill -9 during a renegotiation"

# 3: in the middle of beta's first handshake: alpha is frozen (SIGSTOP)
# right after the new meta connection is up, beta sends its REQ_KEY and is
# killed before alpha could answer; alpha resumes with the stale request.
kill9_beta 3
start_node beta
wait_log beta "Connection with alpha .*activated" 10 || fail "restarted beta did not connect"
kill -STOP "${N_PID[alpha]}"
in_ns beta ping -n -q -c 2 -W 1 "$(tun_addr alpha)" >/dev/null 2>&1
wait_log beta "Starting SPTPS key exchange with alpha" 5 || {
	kill -CONT "${N_PID[alpha]}"
	fail "beta did not start a key exchange with alpha"
}
kill9_beta 3b
kill -CONT "${N_PID[alpha]}"
restart_beta "kill -9 during the first handshake"

for n in alpha beta; do
	assert_no_log "$n" "AddressSanitizer|runtime error"
done
assert_alive alpha beta
pass
