#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# `plexus log 5` taps the daemon's log at level 5 although the daemon runs
# with -d0: protocol messages (level >= 3) must reach the tap but not the
# daemon's own log file.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd ping
[ "$PXT_KIND" = plexus ] || skip "plexus log needs plexus nodes"
require_kind plexus
require_cli

two_node_net plexus plexus
node_conf alpha "PingInterval = 2"
PXT_DEBUG=0 start_node beta
PXT_DEBUG=0 start_node alpha
up_and_ping alpha beta 30

TAP=$PXT_TMP/tap.log
"$PLEXUS_CLI" -c "${N_DIR[alpha]}" --pidfile="${N_PIDFILE[alpha]}" log 5 >"$TAP" 2>&1 &
tap=$!
track_pid "$tap"

# make the daemon talk: pings through the tunnel, a reconnect and PINGs
"$PLEXUS_CLI" -c "${N_DIR[alpha]}" --pidfile="${N_PIDFILE[alpha]}" disconnect beta >/dev/null 2>&1
wait_ping alpha beta 30 || fail "no ping after disconnect/reconnect"
ping_check alpha beta 5 1 >/dev/null

# protocol request names and "Sending"/"Got" lines are logged at level >= 3
RE='Sending|Got |PING|PONG|REQ_KEY|ANS_KEY|ADD_EDGE|ADD_SUBNET|METAKEY|CHALLENGE|ACK'
found=0
for ((i = 0; i < 100; i++)); do
	if grep -Eq "$RE" "$TAP"; then
		found=1
		break
	fi
	pid_alive "$tap" || break
	sleep 0.1
done
stop_pid "$tap" 2
echo "--- tap (first lines)"
head -n 15 "$TAP"
[ "$found" = 1 ] || fail "plexus log 5 showed no level >= 3 message (/$RE/)"
assert_no_log alpha "$RE" "the daemon at -d0 wrote level >= 3 messages to its own log"
assert_alive alpha beta
pass
