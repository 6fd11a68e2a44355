#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Key request retry: alpha and beta have their meta connection up but no
# data key yet. beta's namespace drops everything arriving on the meta TCP
# port for 6 s while alpha starts pinging, so alpha's REQ_KEY (and its TCP
# retransmissions) never arrive: alpha's handshake deadline expires and the
# key exchange is restarted. Once the drop rule is gone the handshake
# completes and pings flow over UDP. A second round drops the UDP port on
# beta instead during a renegotiation-free period: data falls back to the
# meta connection and returns to UDP afterwards, the key stays valid.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping nft
require_kind plexus
require_cli
require_sptps

two_node_net plexus plexus
PXT_DEBUG=3
start_node beta
start_node alpha
wait_log alpha "Connection with beta .*activated" 20 || fail "no meta connection alpha -> beta"
wait_log beta "Connection with alpha .*activated" 20 || fail "no meta connection on beta"
[ -z "$(describe_of alpha beta)" ] || note "alpha already has a session with beta: $(describe_of alpha beta)"

note "dropping TCP to beta's port $PXT_PORT for 6 s while alpha pings"
nft_block beta tcp tcp dport "$PXT_PORT"
in_ns alpha ping -n -q -i 0.2 -w 6 "$(tun_addr beta)" >/dev/null 2>&1
wait_log alpha "key exchange with beta timed out" 1 || fail "alpha's key exchange with beta was never restarted while messages were dropped"
[ "$(describe_of alpha beta)" = sptps-handshake ] || fail "alpha's session with beta: $(describe_of alpha beta), expected a handshake under way"
nft_unblock beta tcp
note "drop rule removed"
t0=$(ms_now)
# pings may already pass over the meta connection: wait for the key
for ((i = 0; i < 200; i++)); do
	[ "$(describe_of alpha beta)" = sptps ] && [ "$(describe_of beta alpha)" = sptps ] && break
	sleep 0.1
done
took=$(($(ms_now) - t0))
[ "$(describe_of alpha beta)" = sptps ] || fail "no SPTPS key alpha -> beta 20 s after the drop rule's removal"
note "key exchange complete $took ms after the rule was removed"
assert_proto alpha beta sptps
ping_check alpha beta 10 0 || fail "pings lost after the handshake"
ping_check beta alpha 10 0 || fail "pings beta -> alpha lost"
[ "$(describe_of alpha beta)" = sptps ] || fail "alpha's session with beta: $(describe_of alpha beta)"
note "restarts logged by alpha: $(count_log alpha 'timed out')"

note "dropping UDP to beta for 4 s under ping"
nft_block beta udp udp dport "$PXT_PORT"
in_ns alpha ping -n -q -i 0.1 -w 4 "$(tun_addr beta)" >/dev/null 2>&1
nft_unblock beta udp
ping_check alpha beta 20 2 || fail "pings lost after UDP came back"
[ "$(describe_of alpha beta)" = sptps ] || fail "session with beta not valid after the UDP outage"
assert_alive alpha beta
pass "recovered $took ms after the drop ended"
