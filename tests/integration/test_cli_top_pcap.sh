#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# plexus pcap, top and info against a running daemon (alpha, with peers
# beta and gamma):
#  - `pcap` piped into `tcpdump -r -` decodes the ICMP echoes of a ping;
#  - `top` under tmux shows gamma's counters growing while alpha pings it,
#    and its sort keys change the row order (I: by incoming packets puts the
#    busy gamma above the idle beta; n: back to name order);
#  - `info NODE|ADDRESS|SUBNET` prints tinc 1.1's layout;
#  - `connect NODE` opens a meta connection beta -> gamma (only alpha has
#    ConnectTo lines); ourselves or an unknown node are refused;
#  - `dump invitations` lists invitation files as tinc 1.1 does;
#  - the interactive shell (no command) on a terminal completes command
#    names with Tab and recalls the previous line with Up (readline).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd ping tcpdump tmux
require_kind plexus
require_cli

# ---- dump invitations (no daemon needed)
INV=$PXT_TMP/inv
mkdir -p "$INV/invitations"
err=$("$PLEXUS_CLI" -c "$INV" dump invitations 2>&1 >/dev/null) || fail "dump invitations without any failed"
[ "$err" = "No outstanding invitations." ] || fail "dump invitations (none): got '$err'"
printf 'Name = carol\nNetname = x\n' >"$INV/invitations/AAAAAAAAAAAAAAAAAAAAAAAA"
printf 'Name = dave\n' >"$INV/invitations/BBBBBBBBBBBBBBBBBBBBBBBB"
printf 'Name = eve\n' >"$INV/invitations/ed25519_key.priv"
printf 'junk\n' >"$INV/invitations/CCCCCCCCCCCCCCCCCCCCCCCC"
out=$("$PLEXUS_CLI" -c "$INV" dump invitations 2>"$PXT_TMP/inv.err") || fail "dump invitations failed"
[ "$(printf '%s\n' "$out" | sort)" = "AAAAAAAAAAAAAAAAAAAAAAAA carol
BBBBBBBBBBBBBBBBBBBBBBBB dave" ] || fail "dump invitations: got '$out'"
grep -q "Invalid invitation file .*CCCCCCCCCCCCCCCCCCCCCCCC" "$PXT_TMP/inv.err" || fail "dump invitations: junk file not reported"
note "dump invitations ok"

make_node alpha plexus
make_node beta plexus
make_node gamma plexus
connect_to alpha beta
connect_to alpha gamma
start_node beta
start_node gamma
start_node alpha
up_and_ping alpha beta 30
up_and_ping alpha gamma 30

cli() { "$PLEXUS_CLI" -c "${N_DIR[alpha]}" --pidfile="${N_PIDFILE[alpha]}" "$@"; }

# ---- pcap | tcpdump -r -
FIFO=$PXT_TMP/pcap.fifo
DECODED=$PXT_TMP/tcpdump.txt
mkfifo "$FIFO"
timeout -k 2 60 tcpdump -n -l -r - <"$FIFO" >"$DECODED" 2>"$PXT_TMP/tcpdump.err" &
tcpdump_pid=$!
track_pid "$tcpdump_pid"
"$PLEXUS_CLI" -c "${N_DIR[alpha]}" --pidfile="${N_PIDFILE[alpha]}" pcap >"$FIFO" 2>"$PXT_TMP/pcap.err" &
pcap_pid=$!
track_pid "$pcap_pid"
ok=0
for ((i = 0; i < 10; i++)); do
	in_ns alpha ping -n -q -c 2 -i 0.2 -W 1 "$(tun_addr gamma)" >/dev/null 2>&1
	if grep -q "$(tun_addr alpha) > $(tun_addr gamma): ICMP echo request" "$DECODED" &&
		grep -q "$(tun_addr gamma) > $(tun_addr alpha): ICMP echo reply" "$DECODED"; then
		ok=1
		break
	fi
	pid_alive "$pcap_pid" || break
done
stop_pid "$pcap_pid" 2
for ((i = 0; i < 50; i++)); do
	pid_alive "$tcpdump_pid" || break
	sleep 0.1
done
echo "--- tcpdump -r - (first lines)"
head -n 6 "$DECODED"
cat "$PXT_TMP/tcpdump.err" "$PXT_TMP/pcap.err"
[ "$ok" = 1 ] || fail "tcpdump did not decode the ping's echo request and reply from plexus pcap"
pid_alive "$tcpdump_pid" && fail "tcpdump did not see the end of the pcap stream"
grep -q "link-type EN10MB" "$PXT_TMP/tcpdump.err" || fail "pcap stream is not link type Ethernet"
cli pcap x >/dev/null 2>&1 && fail "pcap accepted a non-numeric snap length"
note "pcap ok"

# ---- top under tmux
SOCK=pxt-top-$$
tmx() { tmux -L "$SOCK" "$@"; }
tmx new-session -d -s top -x 100 -y 20 \
	"$PLEXUS_CLI -c ${N_DIR[alpha]} --pidfile=${N_PIDFILE[alpha]} top; sleep 30"
track_pid "$(tmx display-message -p '#{pid}')"
screen() { tmx capture-pane -p -t top; }
# wait_screen REGEX SECONDS: poll the pane until it matches
wait_screen() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		screen | grep -Eq "$1" && return 0
		sleep 0.1
	done
	return 1
}
row() { screen | grep -E "^$1 " | head -n 1; }
# line number of node $1 in the table
rownum() { screen | grep -nE "^$1 " | cut -d: -f1 | head -n 1; }

wait_screen "Nodes: +3 +Sort: name +Current" 10 || {
	screen
	fail "top did not show three nodes sorted by name"
}
[ "$(rownum alpha)" -lt "$(rownum beta)" ] && [ "$(rownum beta)" -lt "$(rownum gamma)" ] ||
	fail "top's name order is not alpha, beta, gamma"

# cumulative mode: gamma's packet counters grow while pings run
tmx send-keys -t top c
wait_screen "Sort: name +Cumulative" 5 || fail "key c did not switch top to cumulative"
before=$(row gamma | awk '{print $2}')
in_ns alpha ping -n -q -c 10 -i 0.2 -W 1 "$(tun_addr gamma)" >/dev/null 2>&1
grew=0
for ((i = 0; i < 50; i++)); do
	now=$(row gamma | awk '{print $2}')
	if [ -n "$now" ] && [ "$now" -ge $((before + 10)) ]; then
		grew=1
		break
	fi
	sleep 0.1
done
note "top: gamma IN pkts (cumulative) $before -> $now"
[ "$grew" = 1 ] || {
	screen
	fail "top's cumulative IN pkts of gamma did not grow by the 10 pings"
}

# current mode, sorted by incoming packets: during a ping gamma (busy)
# moves above beta (idle); its rate is shown as non-zero
tmx send-keys -t top c
tmx send-keys -t top I
in_ns alpha timeout 20 ping -n -q -c 60 -i 0.2 -W 1 "$(tun_addr gamma)" >/dev/null 2>&1 &
ping_pid=$!
track_pid "$ping_pid"
sorted=0
for ((i = 0; i < 100; i++)); do
	if screen | grep -Eq "Sort: in pkts +Current" && [ "$(rownum gamma)" -lt "$(rownum beta)" ] &&
		[ "$(row gamma | awk '{print $2}')" -gt 0 ]; then
		sorted=1
		break
	fi
	sleep 0.1
done
screen | sed -n '1,6p'
[ "$sorted" = 1 ] || fail "top sorted by in pkts (I) did not put the busy gamma above beta with a rate"
tmx send-keys -t top n
wait_screen "Sort: name +Current" 5 || fail "key n did not switch back to name order"
[ "$(rownum beta)" -lt "$(rownum gamma)" ] || fail "name order not restored after n"
tmx send-keys -t top q
stop_pid "$ping_pid" 2
tmx kill-server 2>/dev/null
note "top ok"

# ---- info
out=$(cli info gamma) || fail "info gamma failed"
echo "$out"
echo "$out" | grep -q "^Node:         gamma$" || fail "info gamma: no Node line"
echo "$out" | grep -Eq "^Address:      $(underlay_addr gamma) port $PXT_PORT$" || fail "info gamma: Address line"
echo "$out" | grep -Eq "^Online since: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}$" || fail "info gamma: Online since"
echo "$out" | grep -Eq "^Status:       validkey visited reachable" || fail "info gamma: Status"
echo "$out" | grep -Eq "^Reachability: directly with (UDP|TCP)$" || fail "info gamma: Reachability"
echo "$out" | grep -Eq "^RX:           [1-9][0-9]* packets  [1-9][0-9]* bytes$" || fail "info gamma: RX counters"
echo "$out" | grep -Eq "^Edges:        alpha$" || fail "info gamma: Edges"
echo "$out" | grep -Eq "^Subnets:      $(tun_addr gamma)$" || fail "info gamma: Subnets"
want="Subnet: $(tun_addr gamma)
Owner:  gamma"
[ "$(cli info "$(tun_addr gamma)")" = "$want" ] || fail "info ADDRESS: not tinc's Subnet/Owner lines"
[ "$(cli info "$(tun_addr gamma)/32")" = "$want" ] || fail "info SUBNET: not tinc's Subnet/Owner lines"
err=$(cli info 198.19.200.200 2>&1) && fail "info of an unowned address succeeded"
[ "$err" = "Unknown address 198.19.200.200." ] || fail "info unknown address: got '$err'"
err=$(cli info nosuchnode 2>&1) && fail "info of an unknown node succeeded"
[ "$err" = "Unknown node nosuchnode." ] || fail "info unknown node: got '$err'"

# ---- connect
plexus_cli beta dump connections | grep -q "^gamma " && fail "beta is connected to gamma before connect"
plexus_cli beta connect gamma || fail "connect gamma failed"
conn=0
for ((i = 0; i < 100; i++)); do
	plexus_cli beta dump connections | grep -q "^gamma " && {
		conn=1
		break
	}
	sleep 0.1
done
[ "$conn" = 1 ] || fail "connect gamma: no meta connection beta -> gamma within 10 s"
err=$(plexus_cli beta connect beta 2>&1) && fail "connect to ourselves succeeded"
[ "$err" = "Could not connect to beta." ] || fail "connect beta: got '$err'"
plexus_cli beta connect nosuch >/dev/null 2>&1 && fail "connect to a node without host file succeeded"
note "connect ok"

# ---- interactive shell with readline
if grep -q "HAVE_READLINE 1" "$PLEXUS_BUILD/config.h" 2>/dev/null; then
	tmx new-session -d -s sh -x 100 -y 20 \
		"$PLEXUS_CLI -c ${N_DIR[alpha]} --pidfile=${N_PIDFILE[alpha]}; sleep 30"
	track_pid "$(tmx display-message -p '#{pid}')"
	shscreen() { tmx capture-pane -p -t sh; }
	for ((i = 0; i < 50; i++)); do
		shscreen | grep -q "^plexus>" && break
		sleep 0.1
	done
	tmx send-keys -t sh "vers" Tab Enter
	for ((i = 0; i < 50; i++)); do
		[ "$(shscreen | grep -c "^plexus [0-9]")" -ge 1 ] && break
		sleep 0.1
	done
	tmx send-keys -t sh Up Enter
	for ((i = 0; i < 50; i++)); do
		[ "$(shscreen | grep -c "^plexus [0-9]")" -ge 2 ] && break
		sleep 0.1
	done
	shscreen | sed -n '1,5p'
	[ "$(shscreen | grep -c "^plexus> version$")" = 2 ] || fail "shell: Tab did not complete vers, or Up did not recall it"
	[ "$(shscreen | grep -c "^plexus [0-9]")" = 2 ] || fail "shell: completed command did not run twice"
	tmx kill-server 2>/dev/null
	note "shell with readline ok"
else
	note "built without readline: shell line editing not tested"
fi
assert_alive alpha beta gamma
pass
