#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# systemd's notify protocol, with a listener standing in for systemd:
# READY=1 only once the device is up and the daemon listens, STATUS= with
# connection counts, WATCHDOG=1 at half of WATCHDOG_USEC, RELOADING=1 and
# READY=1 again around SIGHUP, STOPPING=1 on SIGTERM; scripts do not inherit
# NOTIFY_SOCKET. The shipped units pass `systemd-analyze verify` where it
# runs.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping

SOCK=$PXT_TMP/notify.sock
MSGS=$PXT_TMP/notify.msgs
: >"$MSGS"
python3 "$PXT_TOOLS/notify_listener.py" "$SOCK" "$MSGS" 120 &
track_pid $!
for ((i = 0; i < 50; i++)); do
	[ -S "$SOCK" ] && break
	sleep 0.1
done
[ -S "$SOCK" ] || fail "notify listener did not start"

# wait_msg REGEX TIMEOUT: poll the received messages
wait_msg() {
	local re=$1 limit=${2:-10} i
	for ((i = 0; i < limit * 10; i++)); do
		grep -Eq -- "$re" "$MSGS" && return 0
		sleep 0.1
	done
	return 1
}

two_node_net "$PXT_KIND" "$PXT_KIND"
# tinc-up records whether the daemon leaked the notify variables to scripts
sed -i '2i env | grep -E "^(NOTIFY_SOCKET|WATCHDOG_)" >>"'"$PXT_TMP"'/script-env"; true' "${N_DIR[alpha]}/tinc-up"
start_node beta
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=400000 start_node alpha

wait_msg '^[0-9]+ READY=1' 15 || fail "no READY=1 from alpha"
# READY is sent after the device is configured and the daemon listens
assert_log alpha 'Ready' "READY=1 arrived but the log has no 'Ready' line"
grep -q "tinc-up NAME=alpha" "$PXT_TMP/alpha.scripts" || fail "READY=1 before tinc-up ran"
in_ns alpha ss -ltn | grep -q ":$PXT_PORT " || fail "READY=1 but alpha does not listen on TCP $PXT_PORT"
[ -s "$PXT_TMP/script-env" ] && fail "tinc-up inherited $(cat "$PXT_TMP/script-env")"
note "READY=1: $(grep -m1 READY=1 "$MSGS")"

up_and_ping alpha beta 30
wait_msg 'STATUS=1 meta connection, 2 of 2 nodes reachable' 5 ||
	fail "no STATUS line with the connection and node counts: $(tail -n 3 "$MSGS")"

# WATCHDOG_USEC=400000: a keep-alive every 200 ms
n0=$(grep -c 'WATCHDOG=1' "$MSGS")
sleep 1.1
n1=$(grep -c 'WATCHDOG=1' "$MSGS")
note "watchdog keep-alives in 1.1 s: $((n1 - n0))"
[ $((n1 - n0)) -ge 3 ] && [ $((n1 - n0)) -le 8 ] || fail "expected 3-8 WATCHDOG=1 in 1.1 s, got $((n1 - n0))"

kill -HUP "${N_PID[alpha]}"
wait_msg 'RELOADING=1\|MONOTONIC_USEC=[0-9]+' 5 || fail "no RELOADING=1 with MONOTONIC_USEC after SIGHUP"
line=$(grep -n 'RELOADING=1' "$MSGS" | head -n 1 | cut -d: -f1)
tail -n +"$line" "$MSGS" | grep -q 'READY=1' || wait_msg 'READY=1' 1
[ "$(tail -n +"$line" "$MSGS" | grep -c 'READY=1')" -ge 1 ] || fail "no READY=1 after the reload"
ping_check alpha beta 3 1 || fail "pings lost after the reload"

stop_node alpha
wait_msg '^[0-9]+ STOPPING=1' 5 || fail "no STOPPING=1 on SIGTERM"

# a NOTIFY_SOCKET that is not an absolute path or @name is refused with a
# log line, and the daemon runs anyway (as outside systemd)
NOTIFY_SOCKET=relative.sock start_node alpha
wait_log alpha 'Unusable NOTIFY_SOCKET=relative.sock' 10 || fail "no log line for a bad NOTIFY_SOCKET"
up_and_ping alpha beta 30

if command -v systemd-analyze >/dev/null 2>&1 && [ -d "$PLEXUS_BUILD/systemd" ]; then
	for u in "$PLEXUS_BUILD"/systemd/*.service; do
		out=$(systemd-analyze verify --man=no "$u" 2>&1)
		# outside a booted systemd, verify may only complain about the
		# missing binaries of the build tree and the absent manager
		bad=$(printf '%s\n' "$out" | grep -v -e 'is not executable' -e 'No such file or directory' \
			-e 'System has not been booted' -e 'Failed to connect to bus' -e '^$' || true)
		[ -z "$bad" ] || fail "systemd-analyze verify $(basename "$u"): $bad"
		note "systemd-analyze verify $(basename "$u"): ok"
	done
fi
assert_alive beta
pass
