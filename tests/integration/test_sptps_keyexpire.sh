#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Key renewal under load: two Plexus nodes over SPTPS with KeyExpire = 2 on
# both sides (renegotiations start from either side, sometimes both at
# once). For 30 s a ping flood runs alpha -> beta while bulk TCP runs
# beta -> alpha. Afterwards: dozens of renegotiations happened, the session
# was never restarted (no new REQ_KEY, no timeout), nothing about sequence
# numbers, replays or failed decryption was logged, loss < 1%.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping
require_kind plexus
require_cli
require_sptps

DURATION=${PXT_SPTPS_LOAD_SECONDS:-30}
two_node_net plexus plexus
for n in alpha beta; do
	node_conf "$n" "KeyExpire = 2"
done
# level 5 shows every renegotiation and every dropped record
PXT_DEBUG=5
start_node beta
start_node alpha
up_and_ping alpha beta 30
assert_proto alpha beta sptps
ping_check alpha beta 10 0 || fail "warm-up pings lost"
before_a=$(count_log alpha 'Starting SPTPS key exchange')
before_b=$(count_log beta 'Starting SPTPS key exchange')

note "load for $DURATION s: ping flood alpha -> beta, bulk TCP beta -> alpha"
(
	# back-to-back 100 MB transfers until the flood is over
	end=$((SECONDS + DURATION))
	while ((SECONDS < end)); do
		bulk_tcp beta alpha $((100 * 1024 * 1024)) 60 || exit 1
	done
) >"$PXT_TMP/bulk.out" 2>&1 &
bulk_pid=$!
track_pid "$bulk_pid"
read -r tx rx < <(flood_ping alpha beta "$DURATION")
wait "$bulk_pid"
bulk_rc=$?
cat "$PXT_TMP/bulk.out"
lost=$((tx - rx))
note "ping flood: $tx sent, $rx received, $lost lost"
[ "$tx" -ge 1000 ] || fail "ping flood sent only $tx packets"
[ $((lost * 100)) -lt "$tx" ] || fail "ping flood lost $lost of $tx packets (>= 1%)"
[ "$bulk_rc" = 0 ] || fail "bulk TCP beta -> alpha during the renegotiations failed"

renewals=$(( $(count_log alpha 'renegotiation with beta successful') + $(count_log beta 'renegotiation with alpha successful') ))
note "renegotiations completed (both logs): $renewals"
[ "$renewals" -ge $((DURATION / 2)) ] || fail "only $renewals renegotiations in $DURATION s with KeyExpire = 2"
[ "$(count_log alpha 'Starting SPTPS key exchange')" = "$before_a" ] || fail "alpha restarted the SPTPS session"
[ "$(count_log beta 'Starting SPTPS key exchange')" = "$before_b" ] || fail "beta restarted the SPTPS session"
for n in alpha beta; do
	assert_no_log "$n" "$SPTPS_BAD_RE|timed out|Dropped [0-9]+ SPTPS|do not match our SPTPS"
done
ping_check alpha beta 10 0 || fail "pings lost after the load"
assert_alive alpha beta
pass "$renewals renegotiations, $tx pings with $lost lost"
