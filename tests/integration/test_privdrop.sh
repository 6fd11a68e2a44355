#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# tincd's -U/--user, -R/--chroot and -L/--mlock. Node alpha is started three
# times against a plain beta: with -U nobody, with -U nobody -R, with
# -U nobody -L. Each time, after start-up:
#   - /proc/PID/status shows nobody's uid and primary gid in all four fields
#     and only nobody's groups (-R: /proc/PID/root is the confbase; -L: VmLck > 0);
#   - the tunnel pings, `plexus dump nodes` (as root, over the control socket)
#     works, tinc-up ran (as root, before the drop) and host-up ran after it;
#   - SIGHUP reloads; the root-owned log file cannot be reopened, the daemon
#     says so and keeps logging to the open one; a configuration the user
#     cannot read is refused with a clear message and the daemon keeps running;
#   - the daemon stops through `plexus stop` or `plexusd -k` (pid file).
# Also: an unknown -U user is refused at start-up.
. "$(dirname "$0")/lib.sh"
require_root
require_cli
require_cmd ping ldd
id nobody >/dev/null 2>&1 || skip "no user nobody"

NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
NOBODY_GROUPS=$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ')

two_node_net plexus plexus
ADIR=${N_DIR[alpha]}
# nobody must reach alpha's configuration (no -R) and write its script log
# and sanitizer reports (create files, not list them)
chmod 1733 "$PXT_TMP"
SANITIZED=0
ldd "$PLEXUSD" "$PLEXUS_BUILD/core/.libs/"*.so* 2>/dev/null | grep -q libasan && SANITIZED=1
mkdir -m 755 "$ADIR/status"
chown nobody "$ADIR/status"
# host-up runs after the drop; inside the chroot only shell built-ins exist
cat >"$ADIR/host-up" <<EOF
#!/bin/sh
if [ -d /status ]; then dir=/status; else dir=$ADIR/status; fi
echo "host-up NODE=\$NODE" >>"\$dir/host-up.log"
EOF
chmod 755 "$ADIR/host-up"

# /bin/sh and the libraries it needs, so that scripts run inside the chroot
copy_shell_into() {
	local root=$1 f
	mkdir -p "$root/bin"
	cp /bin/sh "$root/bin/sh"
	for f in $(ldd /bin/sh | grep -oE '/[^ ]+'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
}

# status_ids PID FIELD: the four ids on that line of /proc/PID/status
status_ids() { awk -v f="$2:" '$1 == f {print $2, $3, $4, $5}' "/proc/$1/status"; }

# check_dropped PID [CAPS]: ids and groups of nobody, effective and permitted
# capabilities CAPS (default none; -L keeps CAP_IPC_LOCK where the memlock
# limit could not be lifted, so 0 or 4000 is accepted then).
check_dropped() {
	local pid=$1 caps=${2:-0000000000000000} want_uid want_gid groups eff prm
	want_uid="$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
	want_gid="$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID"
	[ "$(status_ids "$pid" Uid)" = "$want_uid" ] ||
		fail "alpha Uid is '$(status_ids "$pid" Uid)', want '$want_uid'"
	[ "$(status_ids "$pid" Gid)" = "$want_gid" ] ||
		fail "alpha Gid is '$(status_ids "$pid" Gid)', want '$want_gid'"
	groups=$(awk '$1 == "Groups:" {for (i = 2; i <= NF; i++) print $i}' "/proc/$pid/status" | sort -n | tr '\n' ' ')
	[ "$groups" = "$NOBODY_GROUPS" ] || fail "alpha Groups are '$groups', want '$NOBODY_GROUPS'"
	eff=$(awk '$1 == "CapEff:" {print $2}' "/proc/$pid/status")
	prm=$(awk '$1 == "CapPrm:" {print $2}' "/proc/$pid/status")
	[[ " $caps " == *" $eff "* ]] && [[ " $caps " == *" $prm "* ]] ||
		fail "alpha kept capabilities: CapEff $eff CapPrm $prm (allowed: $caps)"
	note "alpha pid $pid: Uid $(status_ids "$pid" Uid), Gid $(status_ids "$pid" Gid), Groups $groups, CapEff $eff"
}

# wait until the log says the drop happened (it follows the control socket)
wait_dropped() {
	wait_log alpha "Running as user nobody" 15 || fail "alpha never reported dropping privileges"
}

check_running_node() {
	local status=$1
	up_and_ping alpha beta 30
	plexus_cli alpha dump nodes >"$PXT_TMP/dump" 2>&1 || fail "plexus dump nodes as root failed: $(cat "$PXT_TMP/dump")"
	grep -q "^beta " "$PXT_TMP/dump" || fail "dump nodes lacks beta: $(cat "$PXT_TMP/dump")"
	note "plexus dump nodes through the control socket: $(wc -l <"$PXT_TMP/dump") nodes"
	grep -q "tinc-up NAME=alpha" "$PXT_TMP/alpha.scripts" || fail "tinc-up of alpha did not run"
	for ((i = 0; i < 50; i++)); do
		grep -q "host-up NODE=beta" "$status/host-up.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "host-up NODE=beta" "$status/host-up.log" 2>/dev/null || fail "host-up for beta did not run after the drop"
	[ "$(stat -c %u "$status/host-up.log")" = "$NOBODY_UID" ] ||
		fail "host-up ran as uid $(stat -c %u "$status/host-up.log"), not as nobody"
	rm -f "$status/host-up.log"
}

# SIGHUP as the unprivileged user: a readable configuration reloads, an
# unreadable one is refused with a message naming the user.
check_reload() {
	local pid=$1 conf=$2 n
	n=$(log_count alpha "Reloading configuration")
	kill -HUP "$pid"
	for ((i = 0; i < 50; i++)); do
		(($(log_count alpha "Reloading configuration") > n)) && break
		sleep 0.1
	done
	(($(log_count alpha "Reloading configuration") > n)) || fail "SIGHUP did not reload"
	assert_no_log alpha "Configuration not reloaded"
	# the log file is root's: nobody cannot reopen it, and keeps the old one
	assert_log alpha "Could not reopen log file .*still writing to the old one" \
		"no message about the log file that could not be reopened"
	chmod 600 "$conf"
	kill -HUP "$pid"
	wait_log alpha "Configuration not reloaded.*running as user nobody" 10 ||
		fail "reload of an unreadable configuration gave no clear message"
	chmod 644 "$conf"
	assert_alive alpha
	ping_check alpha beta 3 1 || fail "no ping after the reloads"
	note "SIGHUP after the drop: reloaded; unreadable $(basename "$conf") refused with a message"
}

wait_exit() {
	local pid=$1 how=$2
	for ((i = 0; i < 100; i++)); do
		pid_alive "$pid" || break
		sleep 0.1
	done
	pid_alive "$pid" && fail "alpha did not exit after $how"
	wait "$pid" 2>/dev/null
	N_PID[alpha]=
	note "alpha stopped by $how"
}

# ---------------------------------------------------------- unknown user ---
start_node_expect_fail alpha 10 -U "pxt-no-such-user-$$"
assert_log alpha "Unknown user .pxt-no-such-user-$$." "unknown -U user not refused with a clear message"
note "-U pxt-no-such-user: refused at start-up (exit $PXT_RC)"

start_node beta

# ----------------------------------------------------------------- -U only ---
start_node alpha -U nobody
wait_dropped
pid=${N_PID[alpha]}
check_dropped "$pid"
check_running_node "$ADIR/status"
check_reload "$pid" "${N_CONF[alpha]}"
plexus_cli alpha stop >/dev/null 2>&1 || fail "plexus stop failed"
wait_exit "$pid" "plexus stop"

# ------------------------------------------------------------- -U and -R ---
copy_shell_into "$ADIR"
if [ "$SANITIZED" = 1 ]; then
	# inside the chroot the report path resolves below it; leak checking
	# needs /proc, which the chroot lacks
	mkdir -p -m 1777 "$ADIR$PXT_TMP"
	PXT_DETECT_LEAKS=0 start_node alpha -U nobody -R
else
	start_node alpha -U nobody -R
fi
wait_dropped
pid=${N_PID[alpha]}
check_dropped "$pid"
root=$(readlink "/proc/$pid/root")
[ "$root" = "$(realpath "$ADIR")" ] || fail "alpha's root is '$root', want '$(realpath "$ADIR")'"
note "alpha pid $pid: /proc/PID/root -> $root"
check_running_node "$ADIR/status"
check_reload "$pid" "${N_CONF[alpha]}"
"$PLEXUSD" -c "$ADIR" --pidfile="${N_PIDFILE[alpha]}" -k || fail "plexusd -k failed"
wait_exit "$pid" "plexusd -k (pid file)"
for f in "$ADIR$PXT_TMP"/sanitizer.*; do
	[ -s "$f" ] && fail "sanitizer report from the chrooted alpha: $(head -n 40 "$f")"
done

# ------------------------------------------------------------- -U and -L ---
if [ "$SANITIZED" = 1 ]; then
	note "-L skipped: sanitizer builds reserve terabytes of shadow memory that cannot be locked"
else
	start_node alpha -U nobody -L
	wait_dropped
	pid=${N_PID[alpha]}
	check_dropped "$pid" "0000000000000000 0000000000004000"
	vmlck=$(awk '$1 == "VmLck:" {print $2}' "/proc/$pid/status")
	[ -n "$vmlck" ] && ((vmlck > 0)) || fail "alpha VmLck is '$vmlck' kB with -L"
	note "alpha pid $pid: VmLck $vmlck kB"
	check_running_node "$ADIR/status"
	kill -TERM "$(awk '{print $1}' "${N_PIDFILE[alpha]}")"
	wait_exit "$pid" "SIGTERM to the pid in the pid file"
fi

assert_alive beta
pass
