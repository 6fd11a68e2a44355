#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# DeviceType = vde (tinc 1.1): px plugs into a VDE switch this test starts
# in px's namespace (its control socket under the test's temp dir); the
# switch's own tap port (vdetap0) holds px's VPN address, so pings from
# there go switch -> px -> tunnel -> peer (peer on an ordinary TUN/TAP
# device). Checked in router and switch mode:
#   - pings both ways and a bulk transfer across the tunnel;
#   - VDEPort is honoured: the switch's management console lists our
#     endpoint (plexusd) on exactly that port;
#   - scripts see INTERFACE=vde when no Interface is set;
#   - VDEGroup (router part): libvdeplug hands the group of our socket to
#     nogroup, seen as a chown call under strace (the socket is gone again
#     once the switch is connected, so only the call shows it).
# Skips when vde_switch is missing or Plexus was built without libvdeplug
# (the daemon must then refuse the type with a message naming it).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping ip vde_switch strace getent

# vdemgmt.py SOCK CMD: one command on the switch's management socket,
# prints the answer up to its "1000 Success" (or whatever code ends it).
cat >"$PXT_TMP/vdemgmt.py" <<'PYEOF'
import re, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(0.5)
s.sendall(sys.argv[2].encode() + b"\n")
out, end = b"", time.time() + 5
while time.time() < end and not re.search(rb"\n\d{4} [A-Za-z]", out):
    try:
        d = s.recv(65536)
    except socket.timeout:
        continue
    if not d:
        break
    out += d
print(out.decode(errors="replace"))
PYEOF

# start_switch NODE: a VDE switch (with tap port vdetap0) in NODE's
# namespace, daemonized; its PID (from its pid file) is tracked.
start_switch() {
	local i pid=
	SW_SOCK=$PXT_TMP/vde.sw
	SW_MGMT=$PXT_TMP/vde.mgmt
	in_ns "$1" vde_switch -s "$SW_SOCK" -M "$SW_MGMT" -p "$PXT_TMP/vde.pid" -t vdetap0 -d ||
		fail "vde_switch did not start"
	for ((i = 0; i < 50; i++)); do
		pid=$(cat "$PXT_TMP/vde.pid" 2>/dev/null)
		[ -n "$pid" ] && [ -S "$SW_MGMT" ] && break
		sleep 0.1
	done
	[ -n "$pid" ] || fail "vde_switch wrote no pid file"
	track_pid "$pid"
	SW_PID=$pid
	note "vde_switch pid $pid, control socket $SW_SOCK"
}

set_var() {
	sed -i "/^$2 *=/d" "${N_CONF[$1]}"
	[ -z "$3" ] || node_conf "$1" "$2 = $3"
}

# vde_up NODE: tinc-up configures the switch's tap port, not $INTERFACE
# (that is "vde", no kernel interface), and records INTERFACE.
vde_up() {
	{
		echo "#!/bin/sh"
		echo "ip addr add $(tun_addr "$1")/16 dev vdetap0"
		echo "ip link set vdetap0 up"
		echo "echo \"tinc-up INTERFACE=\$INTERFACE\" >>\"$PXT_TMP/$1.scripts\""
	} >"${N_DIR[$1]}/tinc-up"
	printf '#!/bin/sh\necho tinc-down >>"%s"\n' "$PXT_TMP/$1.scripts" >"${N_DIR[$1]}/tinc-down"
}

# vde_group_check: px once more under strace with VDEGroup = nogroup; the
# chown calls made while plugging in must give that group.
vde_group_check() {
	local gid spid dpid i bin
	gid=$(getent group nogroup | cut -d: -f3)
	[ -n "$gid" ] || fail "this system has no group nogroup"
	bin=$(daemon_bin px)
	set_var px VDEGroup nogroup
	: >"${N_LOG[px]}"
	rm -f "${N_PIDFILE[px]}"
	ip netns exec "${N_NS[px]}" strace -f -qq -e trace=chown,fchown,fchownat,lchown -o "$PXT_TMP/vde.strace" \
		"$bin" -c "${N_DIR[px]}" -D -d1 --pidfile="${N_PIDFILE[px]}" --logfile="${N_LOG[px]}" \
		</dev/null >>"${N_OUT[px]}" 2>&1 &
	spid=$!
	track_pid "$spid"
	wait_log px "is a VDE socket" 20 || fail "px under strace did not plug into the VDE switch"
	for ((i = 0; i < 50; i++)); do
		dpid=$(awk 'NR == 1 {print $1}' "${N_PIDFILE[px]}" 2>/dev/null)
		[ -n "$dpid" ] && break
		sleep 0.1
	done
	[ -n "$dpid" ] || fail "px under strace wrote no pid file"
	stop_pid "$dpid" 10
	stop_pid "$spid" 5
	grep -Eq "chown.*, -1, $gid\)" "$PXT_TMP/vde.strace" ||
		fail "VDEGroup: no chown to nogroup ($gid): $(cat "$PXT_TMP/vde.strace")"
	set_var px VDEGroup ""
	note "VDEGroup: libvdeplug gave our socket group nogroup ($gid)"
}

run_mode() {
	local mode=$1 port=$2 ports
	PXT_MODE=$mode make_node px plexus
	PXT_MODE=$mode make_node peer plexus
	connect_to px peer
	set_var px Interface ""
	set_var px DeviceType vde
	vde_up px

	# built without libvdeplug: refused, naming the type; then skip
	set_var px Device "$PXT_TMP/no-such-switch"
	start_node_expect_fail px 20
	if grep -q "DeviceType vde: Plexus was built without libvdeplug" "${N_LOG[px]}" "${N_OUT[px]}"; then
		skip "Plexus built without libvdeplug (DeviceType = vde refused at start-up, as it must be)"
	fi
	assert_log px "Could not open VDE socket $PXT_TMP/no-such-switch" "px: a missing VDE switch not reported"

	start_switch px
	set_var px Device "$SW_SOCK"
	set_var px VDEPort "$port"
	start_node peer
	start_node px
	wait_log px "is a VDE socket \(port $port" 20 || fail "px did not plug into the VDE switch"
	up_and_ping px peer 30
	bulk_tcp px peer $((512 * 1024)) || fail "bulk px -> peer over vde ($mode)"
	bulk_tcp peer px $((512 * 1024)) || fail "bulk peer -> px over vde ($mode)"

	ports=$(timeout 10 python3 "$PXT_TMP/vdemgmt.py" "$SW_MGMT" port/print)
	echo "$ports" | awk -v p="$(printf 'Port %04d' "$port")" '
		/^Port / {inport = index($0, p) == 1}
		inport && /plexusd/ {found = 1}
		END {exit !found}' || fail "switch does not list plexusd on port $port: $ports"
	grep -q "tinc-up INTERFACE=vde" "$PXT_TMP/px.scripts" || fail "tinc-up did not see INTERFACE=vde: $(cat "$PXT_TMP/px.scripts")"
	assert_alive px peer
	stop_node px
	grep -q tinc-down "$PXT_TMP/px.scripts" || fail "px ran no tinc-down"
	[ "$mode" != router ] || vde_group_check
	note "vde ($mode): pings and 512 KiB each way ok; switch lists plexusd on port $port"
	stop_node peer
	stop_pid "$SW_PID" 5
}

if [ "${1:-}" = --part ]; then
	PXT_TEST="${PXT_TEST}[$2]"
	run_mode "$2" "$3"
	pass
fi

rc=0
"$0" --part router 5
rc=$?
[ "$rc" = 77 ] && exit 77
"$0" --part switch 7 || rc=1
[ "$rc" = 0 ] || fail "a part failed"
pass
