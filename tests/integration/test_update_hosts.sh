#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# update-hosts acceptance (docs/update-hosts.md), six nodes in namespaces:
#   U   plexus updater (HostsFilesMaster, ConfFileMaster, HostsUpdateInterval)
#   R1  plexus, DontForwardHostsUpdates             ConnectTo U
#   R2  plexus, reachable only through R1,          ConnectTo R1
#       IgnoreConfUpdates
#   R3  plexus, IgnoreHostsUpdates, later claims    ConnectTo U
#       to be an updater itself (self-proclaimed)
#   T   tinc 1.0.36                                 ConnectTo U
#   N   plexus newcomer with only hosts/U; U's      ConnectTo U (started late)
#       copy of hosts/N says NeedsNetUpdates = yes
#   P   plexus with DisablePlugin = update-hosts    ConnectTo U
# Checks: a changed host file on U reaches R1 within one interval, R2 (behind
# the non-forwarding R1) and R3 (ignoring) keep theirs, T and P stay
# connected and never see the requests; the self-proclaimed updater is
# refused; DEAD removes a file everywhere but on U; N is bootstrapped at once; CONFUPDATE
# changes PingInterval but keeps Name/Interface/ConnectTo, scripts see the
# documented environment; kill -9 of R1 in the middle of a run leaves whole
# files only and the next run completes it.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd ping diff
require_kind tinc10

INTERVAL=3

# diff of two hosts directories, ignoring dotfiles (temporaries) and an
# optional list of names
hosts_diff() {
	local a=$1 b=$2
	shift 2
	local x=() n
	for n in "$@"; do x+=(-x "$n"); done
	diff -r -x '.*' "${x[@]}" "$a" "$b"
}

# wait_for SECONDS CMD...: poll until CMD succeeds
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# Copy host files between the given nodes only.
exchange_among() {
	local a b
	for a in "$@"; do
		for b in "$@"; do
			[ "$a" = "$b" ] || cp "${N_DIR[$b]}/hosts/$b" "${N_DIR[$a]}/hosts/$b"
		done
	done
}

# Scripts that log their environment into $PXT_TMP/<node>.update
add_update_scripts() {
	local n=$1 s
	for s in hostsupdate-before hostsupdate-after confupdate-before confupdate-after; do
		printf '#!/bin/sh\necho "%s NETNAME=$NETNAME DEVICE=$DEVICE INTERFACE=$INTERFACE NAME=$NAME UPDATER=$UPDATER" >>"%s"\n' \
			"$s" "$PXT_TMP/$n.update" >"${N_DIR[$n]}/$s"
		chmod 755 "${N_DIR[$n]}/$s"
	done
}

make_node U plexus
make_node R1 plexus
make_node R2 plexus
make_node R3 plexus
make_node T tinc10
make_node N plexus
make_node P plexus
connect_to R1 U
connect_to R2 R1
connect_to R3 U
connect_to T U
connect_to N U
connect_to P U
node_conf P "DisablePlugin = update-hosts"

host_conf U "HostsFilesMaster = yes" "ConfFileMaster = yes"
node_conf U "HostsUpdateInterval = $INTERVAL" "ConfFileTemplate = template.conf"
# The template is this test's exact topology too: no AutoConnect links.
printf '# network-wide settings from U\nMode = router\nPingInterval = 13\nAutoConnect = no\nName = EVIL\n' >"${N_DIR[U]}/template.conf"
node_conf R1 "DontForwardHostsUpdates = yes"
node_conf R2 "IgnoreConfUpdates = yes"
node_conf R3 "IgnoreHostsUpdates = yes" "HostsUpdateInterval = 2"
for n in R1 R2 R3 N; do add_update_scripts "$n"; done

exchange_among U R1 R2 R3 T P
cp "${N_DIR[U]}/hosts/U" "${N_DIR[N]}/hosts/U"
cp "${N_DIR[N]}/hosts/N" "${N_DIR[U]}/hosts/N"
echo "NeedsNetUpdates = yes" >>"${N_DIR[U]}/hosts/N"

export PXT_NO_EXCHANGE=1
start_node U
start_node R1
start_node R3
start_node T
start_node R2
start_node P
up_and_ping U R1 30
up_and_ping U R3 30
up_and_ping U T 30
up_and_ping R2 R1 30
up_and_ping U P 30
wait_ping R2 U 20 || fail "R2 cannot reach U through R1"

# --- 1. a host file changes on U ------------------------------------------
for n in R1 R2 R3 T P; do cp -a "${N_DIR[$n]}/hosts" "$PXT_TMP/$n.hosts0"; done
echo "Subnet = 198.19.100.0/24" >>"${N_DIR[U]}/hosts/R3"
printf 'Address = 198.18.1.200\nSubnet = 198.19.200.0/24\n' >"${N_DIR[U]}/hosts/extra"
note "changed hosts/R3 and added hosts/extra on U"
wait_for $((INTERVAL * 2 + 2)) hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[R1]}/hosts" N ||
	fail "R1's hosts directory does not match U's within $((INTERVAL * 2 + 2))s: $(hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[R1]}/hosts" N)"
note "R1 matches U"
sleep 1
hosts_diff "$PXT_TMP/R2.hosts0" "${N_DIR[R2]}/hosts" || fail "R2 (behind DontForwardHostsUpdates R1) changed"
hosts_diff "$PXT_TMP/R3.hosts0" "${N_DIR[R3]}/hosts" || fail "R3 (IgnoreHostsUpdates) changed"
hosts_diff "$PXT_TMP/T.hosts0" "${N_DIR[T]}/hosts" || fail "T (tinc 1.0) changed"
hosts_diff "$PXT_TMP/P.hosts0" "${N_DIR[P]}/hosts" || fail "P (plugin disabled) changed"
assert_log R1 "Updated hosts/R3 from U"
assert_log R3 "Ignored host update run .* \\(IgnoreHostsUpdates\\)"
assert_no_log R2 "Refusing HOSTUPDATE|Updated hosts/"
grep -q "hostsupdate-after NETNAME= DEVICE=/dev/net/tun INTERFACE=$PXT_IFNAME NAME=R1 UPDATER=U" \
	"$PXT_TMP/R1.update" || fail "hostsupdate-after on R1 lacks the documented environment: $(cat "$PXT_TMP/R1.update")"

# --- 5. CONFUPDATE --------------------------------------------------------
wait_for 10 grep -q "PingInterval = 13" "${N_CONF[R1]}" || fail "R1 did not take the template"
conf=$(cat "${N_CONF[R1]}")
echo "$conf" | grep -q "^Name = R1$" || fail "R1 lost its Name: $conf"
echo "$conf" | grep -q "^Interface = $PXT_IFNAME$" || fail "R1 lost its Interface: $conf"
echo "$conf" | grep -q "^ConnectTo = U$" || fail "R1 lost its ConnectTo: $conf"
echo "$conf" | grep -q "^DontForwardHostsUpdates = yes$" || fail "R1 lost its local policy: $conf"
echo "$conf" | grep -q "EVIL" && fail "R1 took Name from the template: $conf"
grep -q "^Port = $PXT_PORT$" "${N_DIR[R1]}/hosts/R1" || fail "R1's Port changed"
wait_for 10 grep -q "PingInterval = 13" "${N_CONF[R3]}" || fail "R3 (accepts configuration) did not take the template"
# R1 does not forward host updates, but forwards CONFUPDATE; R2 ignores it
sleep 1
grep -q "PingInterval" "${N_CONF[R2]}" && fail "R2 (IgnoreConfUpdates) took the template"
wait_log R1 "Reloading configuration" 10 || fail "R1 did not reload after CONFUPDATE"
grep -q "confupdate-after NETNAME= DEVICE=/dev/net/tun INTERFACE=$PXT_IFNAME NAME=R1 UPDATER=U" \
	"$PXT_TMP/R1.update" || fail "confupdate-after on R1 lacks the documented environment"
note "CONFUPDATE applied on R1/R3, ignored on R2"

# --- 2. a self-proclaimed updater -------------------------------------------
echo "HostsFilesMaster = yes" >>"${N_DIR[R3]}/hosts/R3"
wait_log U "Refusing HOSTUPDATE of R3 \(via R3\): unauthorised updater" 10 ||
	fail "U did not refuse R3's self-proclaimed updates"
sed -i '/^HostsFilesMaster/d' "${N_DIR[R3]}/hosts/R3"
note "self-proclaimed updater R3 refused"

# --- 3. DEAD and NeedsNetUpdates ----------------------------------------------
echo "DeadHost = yes" >>"${N_DIR[U]}/hosts/extra"
wait_for $((INTERVAL * 2 + 2)) test ! -e "${N_DIR[R1]}/hosts/extra" || fail "DEAD did not remove hosts/extra on R1"
[ -e "${N_DIR[U]}/hosts/extra" ] || fail "DEAD removed hosts/extra on U"
note "DEAD removed hosts/extra on R1, kept on U"

start_node N
wait_log U "N needs network updates: sending a full run" 20 || fail "U did not send N a full run"
wait_for 10 test -e "${N_DIR[N]}/hosts/R2" || fail "newcomer N did not receive the host files"
hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[N]}/hosts" extra || fail "N's hosts directory does not match U's"
wait_ping N R1 30 || fail "newcomer N cannot reach R1"
note "newcomer N bootstrapped"

# --- 4. kill -9 in the middle of a run -----------------------------------------
cp -a "${N_DIR[R1]}/hosts" "$PXT_TMP/R1.hosts1"
printf '#!/bin/sh\ntouch "%s"\nsleep 30\n' "$PXT_TMP/R1.inrun" >"${N_DIR[R1]}/hostsupdate-before"
echo "Subnet = 198.19.101.0/24" >>"${N_DIR[U]}/hosts/R2"
echo "Subnet = 198.19.102.0/24" >>"${N_DIR[U]}/hosts/T"
wait_for $((INTERVAL * 2 + 2)) test -e "$PXT_TMP/R1.inrun" || fail "R1 did not start the run"
kill -KILL "${N_PID[R1]}"
wait "${N_PID[R1]}" 2>/dev/null
note "killed R1 (pid ${N_PID[R1]}) in the middle of a run"
N_PID[R1]=
for f in "${N_DIR[R1]}"/hosts/*; do
	b=$(basename "$f")
	cmp -s "$f" "$PXT_TMP/R1.hosts1/$b" || cmp -s "$f" "${N_DIR[U]}/hosts/$b" ||
		fail "R1's hosts/$b is neither the old nor the new file"
done
# a temporary as a crash during a write would leave it
printf 'Subnet = 198.19' >"${N_DIR[R1]}/hosts/.R2.uhtmp.4242"
add_update_scripts R1
start_node R1
wait_for 10 test ! -e "${N_DIR[R1]}/hosts/.R2.uhtmp.4242" || fail "R1 kept a leftover temporary file"
wait_for $((INTERVAL * 3 + 10)) hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[R1]}/hosts" N extra ||
	fail "the next run did not complete R1: $(hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[R1]}/hosts" N extra)"
note "R1 completed by the next run after kill -9"

# --- the tinc 1.0 node stayed connected throughout -------------------------------
up_and_ping U T 20
wait_ping T R1 30 || fail "T cannot reach R1"
assert_no_log T "Closing connection with U|Unknown request|Bogus data"
up_and_ping U P 20
assert_no_log P "Closing connection with U|HOSTUPDATE|CONFUPDATE"
grep -q "PingInterval" "${N_CONF[P]}" && fail "P (plugin disabled) took the template"
assert_alive U R1 R2 R3 T N P
pass
