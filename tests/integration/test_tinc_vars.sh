#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# tinc 1.1 server variables that change what the daemon does to traffic,
# each checked against the daemon in namespaces. A -> B -> C, C is TCPOnly
# (so B routes every A <-> C packet itself), legacy protocol.
#  - DecrementTTL (on B): a ping A -> C with TTL 1 is answered by B with
#    "time exceeded" from B's tunnel address; TTL 2 still reaches C. Without
#    it (first run of B) the TTL-1 ping reaches C.
#  - BroadcastSubnet: packets A sends to 198.19.200.0/24, which no node
#    owns, are flooded and arrive on B's and C's devices; without it (on A)
#    they go nowhere. As in tinc, every node that receives a flooded packet
#    routes it again, so B and C need it too (they have it from the start).
#  - PriorityInheritance (on A): pings A -> B with TOS 0x28 (DSCP 10) make
#    A's UDP datagrams to B carry DSCP 10; without it they carry 0.
#  - IffOneQueue (on A): A's tun device has IFF_ONE_QUEUE (0x2000) in its
#    tun_flags; before, it had not.
#  - GraphDumpFile (tinc 1.0; on A): a Graphviz file appears within a few
#    seconds of the start (later ones come at most once a minute).
#  - DeviceStandby (on C): tinc-down runs when B, the last node C reaches,
#    goes away (C keeps running), and tinc-up again when it is back.
#  - MinTimeout (tinc 1.0; on C): C's ConnectTo = Z, which refuses
#    connections, is retried after MinTimeout seconds, not after 1.
#  - DisableBuggyPeers (on A and B): each opens every new connection with
#    a PACKET of 1801 zero bytes; the other reads and drops it (B, at debug
#    level 5, logs the drop) and the connection stays up: A and B ping.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd ping nft
require_cli

make_node A plexus
make_node B plexus
make_node C plexus
for n in A B C; do node_conf "$n" "ExperimentalProtocol = no"; done
connect_to A B
connect_to C B
host_conf C "TCPOnly = yes"
node_conf A "DisableBuggyPeers = yes"
node_conf B "BroadcastSubnet = 198.19.200.0/24" "DisableBuggyPeers = yes"
node_conf C "BroadcastSubnet = 198.19.200.0/24" "MinTimeout = 7" "ConnectTo = Z" "DeviceStandby = yes"
printf 'Address = 127.0.0.1\nPort = 1\n' >"${N_DIR[C]}/hosts/Z"
sed -n '/BEGIN RSA PUBLIC KEY/,/END RSA PUBLIC KEY/p' "${N_DIR[A]}/hosts/A" >>"${N_DIR[C]}/hosts/Z"
start_node B -d5
start_node A
start_node C
up_and_ping A B 30
up_and_ping C B 30
wait_ping A C 30 || fail "no ping A -> C through B"

# --- DisableBuggyPeers --------------------------------------------------------
assert_log B "Dropping 1801-byte PACKET from A" "DisableBuggyPeers: B did not get (or drop) A's probe"
assert_no_log A "Closing connection with B|bad PACKET" "DisableBuggyPeers: the probe cost the A-B connection"
assert_no_log B "Closing connection with A|bad PACKET" "DisableBuggyPeers: the probe cost the A-B connection"
note "DisableBuggyPeers ok"

# --- MinTimeout ---------------------------------------------------------------
wait_log C "outgoing connection to Z in [0-9]+ seconds" 10 || fail "MinTimeout: C never retried Z"
grep -Eo "outgoing connection to Z in [0-9]+ seconds" "${N_LOG[C]}" | head -n 3
assert_no_log C "outgoing connection to Z in [1-6] seconds" "MinTimeout: C retried Z sooner than 7 s"
assert_log C "outgoing connection to Z in 7 seconds" "MinTimeout: first retry of Z not after 7 s"

# --- DecrementTTL -----------------------------------------------------------
out=$(in_ns A ping -n -c 1 -W 2 -t 1 "$(tun_addr C)" 2>&1)
echo "$out" | grep -q "1 received" || fail "DecrementTTL off: a TTL-1 ping A -> C did not arrive: $out"
stop_node B
node_conf B "DecrementTTL = yes"
start_node B
wait_ping A C 30 || fail "no ping A -> C through B with DecrementTTL"
out=$(in_ns A ping -n -c 1 -W 2 -t 1 "$(tun_addr C)" 2>&1)
echo "$out"
echo "$out" | grep -Eq "From $(tun_addr B).*(Time to live exceeded|Time exceeded)" ||
	fail "DecrementTTL: no time exceeded from B ($(tun_addr B)) for a TTL-1 ping A -> C"
ping_check A C 3 0 || fail "DecrementTTL: normal pings A -> C lost"
out=$(in_ns A ping -n -c 1 -W 2 -t 2 "$(tun_addr C)" 2>&1)
echo "$out" | grep -q "1 received" || fail "DecrementTTL: a TTL-2 ping A -> C did not arrive: $out"
note "DecrementTTL ok"

# --- BroadcastSubnet --------------------------------------------------------
# pre_count NODE: packets for 198.19.200.7 that came in on NODE's device.
for n in B C; do
	in_ns "$n" nft add table inet pxtv || fail "nft table in $n"
	in_ns "$n" nft add chain inet pxtv pre '{ type filter hook prerouting priority -300 ; policy accept ; }' ||
		fail "nft chain in $n"
	in_ns "$n" nft add counter inet pxtv bcast
	in_ns "$n" nft add rule inet pxtv pre iifname "$PXT_IFNAME" ip daddr 198.19.200.7 counter name bcast ||
		fail "nft rule in $n"
done
pre_count() {
	in_ns "$1" nft list counter inet pxtv bcast | sed -nE 's/.*packets ([0-9]+).*/\1/p' | head -n 1
}
in_ns A ping -n -q -c 3 -i 0.2 -W 1 198.19.200.7 >/dev/null 2>&1
nb=$(pre_count B) nc=$(pre_count C)
[ "${nb:-0}" = 0 ] && [ "${nc:-0}" = 0 ] || fail "BroadcastSubnet unset: B got $nb, C got $nc packets for 198.19.200.7"
# PriorityInheritance, before: B counts A's datagrams with DSCP 10.
in_ns B nft add counter inet pxtv dscp10
in_ns B nft add rule inet pxtv pre ip saddr "$(underlay_addr A)" udp dport "$PXT_PORT" ip dscp 10 \
	counter name dscp10 || fail "nft dscp rule in B"
dscp_count() {
	in_ns B nft list counter inet pxtv dscp10 | sed -nE 's/.*packets ([0-9]+).*/\1/p' | head -n 1
}
ping_check_tos() { in_ns A ping -n -q -Q 0x28 -c 5 -i 0.2 -W 1 "$(tun_addr B)" 2>&1 | grep -q " 5 received"; }
ping_check_tos || fail "PriorityInheritance off: TOS pings A -> B lost"
d0=$(dscp_count)
[ "${d0:-0}" = 0 ] || fail "PriorityInheritance off: $d0 datagrams A -> B carried DSCP 10"

tun_flags() { in_ns A cat "/sys/class/net/$PXT_IFNAME/tun_flags"; }
f=$(tun_flags) || fail "no tun_flags for A's device"
(((f & 0x2000) == 0)) || fail "IffOneQueue unset, yet A's tun_flags are $f"

stop_node A
node_conf A "BroadcastSubnet = 198.19.200.0/24" "PriorityInheritance = yes" "IffOneQueue = yes" \
	"GraphDumpFile = $PXT_TMP/A.dot"
[ ! -e "$PXT_TMP/A.dot" ] || fail "GraphDumpFile: $PXT_TMP/A.dot exists before it is set"
start_node A
wait_ping A C 30 || fail "no ping A -> C after restarting A with BroadcastSubnet"
in_ns A ping -n -q -c 3 -i 0.2 -W 1 198.19.200.7 >/dev/null 2>&1
nb=$(pre_count B) nc=$(pre_count C)
note "BroadcastSubnet: 3 packets A -> 198.19.200.7 arrived $nb times on B, $nc times on C"
[ "${nb:-0}" -ge 3 ] && [ "${nc:-0}" -ge 3 ] || fail "BroadcastSubnet: B got $nb, C got $nc of 3 packets"
plexus_cli A dump subnets | grep -q "^198.19.200.0/24 owner (broadcast)" ||
	fail "BroadcastSubnet: not in dump subnets: $(plexus_cli A dump subnets 2>&1)"

# --- GraphDumpFile -----------------------------------------------------------
for ((i = 0; i < 50; i++)); do
	[ -s "$PXT_TMP/A.dot" ] && break
	sleep 0.1
done
cat "$PXT_TMP/A.dot" 2>/dev/null
head -n 1 "$PXT_TMP/A.dot" 2>/dev/null | grep -qx "digraph {" || fail "GraphDumpFile: no dot file from A"
grep -qF '"A" [label = "A"];' "$PXT_TMP/A.dot" || fail "GraphDumpFile: node A missing"
tail -n 1 "$PXT_TMP/A.dot" | grep -qx "}" || fail "GraphDumpFile: dump not complete"

# --- IffOneQueue --------------------------------------------------------------
f=$(tun_flags) || fail "no tun_flags for A's device"
note "IffOneQueue: A's tun_flags $f"
(((f & 0x2000) != 0)) || fail "IffOneQueue = yes, yet A's tun_flags are $f"

# --- PriorityInheritance ----------------------------------------------------
wait_ping A B 20 || fail "no ping A -> B"
d0=$(dscp_count)
ping_check_tos || fail "PriorityInheritance: TOS pings A -> B lost"
d1=$(dscp_count)
note "PriorityInheritance: 5 pings with TOS 0x28 -> $((d1 - d0)) datagrams A -> B with DSCP 10"
[ $((d1 - d0)) -ge 5 ] || fail "PriorityInheritance: only $((d1 - d0)) of 5 datagrams carried DSCP 10"

# --- DeviceStandby ------------------------------------------------------------
scripts_count() { grep -c "^$2" "$PXT_TMP/$1.scripts" 2>/dev/null; }
u0=$(scripts_count C tinc-up) d0=$(scripts_count C tinc-down)
# B's restart for DecrementTTL was one down/up cycle already
[ "$u0" = $((d0 + 1)) ] && [ "$d0" -ge 1 ] ||
	fail "DeviceStandby: C ran tinc-up ${u0}x and tinc-down ${d0}x while B restarted once"
stop_node B
for ((i = 0; i < 100; i++)); do
	[ "$(scripts_count C tinc-down)" = $((d0 + 1)) ] && break
	sleep 0.1
done
[ "$(scripts_count C tinc-down)" = $((d0 + 1)) ] || fail "DeviceStandby: no tinc-down on C when B went away"
assert_alive C
start_node B
wait_ping A C 30 || fail "DeviceStandby: no ping A -> C after B is back"
[ "$(scripts_count C tinc-up)" = $((u0 + 1)) ] || fail "DeviceStandby: no tinc-up on C when B came back"
note "DeviceStandby ok"

assert_alive A B C
pass
