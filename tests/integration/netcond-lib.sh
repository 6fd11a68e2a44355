# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Helpers for the "real network conditions" tests (issue 4): routers, NAT,
# a middle link with a small MTU, nftables counters and the protocol switch.
# Source it INSTEAD of lib.sh; it sources lib.sh itself.
#
# Protocol runs: without NC_PROTO the test script runs itself once per
# protocol in NC_PROTOS (default "sptps legacy"), each run bounded by
# NC_RUN_TIMEOUT seconds, and exits 1 if any run failed, 77 if all skipped,
# else 0. With NC_PROTO=legacy every Plexus node gets
# "ExperimentalProtocol = no"; NC_PROTO=sptps keeps the default.
# NC_TEST_NAME names the test in messages (for wrappers that exec another).
#
# Topology helpers (all addresses inside 198.18.0.0/15):
#   hub bridge (lib.sh)   198.18.1.0/24, the "public internet"
#   router R uplink       198.18.1.<100+k> on the hub (nc_router_uplink)
#   LAN behind a router   198.18.<10+k>.0/24, gateway .1 (nc_behind)
# Nodes are first made with lib.sh's make_node (on the hub), then moved
# behind a router: the hub-side veth end moves into the router namespace.

# ----------------------------------------------------- protocol dispatch ---
if [ -z "${NC_PROTO:-}" ]; then
	nc_rc_all=77
	nc_child=
	# a runner that times us out must also stop the run in progress (its
	# own trap then removes its namespaces)
	trap '[ -n "$nc_child" ] && kill -TERM "$nc_child" 2>/dev/null; wait; exit 143' TERM INT
	for nc_p in ${NC_PROTOS:-sptps legacy}; do
		echo "===== ${NC_TEST_NAME:-$(basename "$0" .sh)} [$nc_p]"
		NC_PROTO=$nc_p timeout -k 10 "${NC_RUN_TIMEOUT:-140}" bash "$0" "$@" &
		nc_child=$!
		wait "$nc_child"
		nc_rc=$?
		nc_child=
		case $nc_rc in
		0) echo "===== [$nc_p] passed" ;;
		77) echo "===== [$nc_p] skipped" ;;
		124 | 137) echo "===== [$nc_p] FAILED: timed out after ${NC_RUN_TIMEOUT:-140} s" ;;
		*) echo "===== [$nc_p] FAILED (exit $nc_rc)" ;;
		esac
		if [ "$nc_rc" != 0 ] && [ "$nc_rc" != 77 ]; then
			nc_rc_all=1
		elif [ "$nc_rc" = 0 ] && [ "$nc_rc_all" = 77 ]; then
			nc_rc_all=0
		fi
	done
	exit "$nc_rc_all"
fi

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PXT_TEST="${NC_TEST_NAME:-$PXT_TEST}[$NC_PROTO]"
declare -A NC_RNS NC_LANK NC_ADDR
NC_LANS=0

case $NC_PROTO in
sptps | legacy) ;;
*) fail "unknown NC_PROTO $NC_PROTO (sptps or legacy)" ;;
esac

# nc_make_node NAME: a Plexus node configured for the protocol of this run.
nc_make_node() {
	make_node "$1" plexus
	[ "$NC_PROTO" = legacy ] && node_conf "$1" "ExperimentalProtocol = no"
	return 0
}

# nc_check_protocol NODE PEER: NODE's data channel with PEER uses NC_PROTO.
nc_check_protocol() {
	local out
	out=$(plexus_cli "$1" dump nodes 2>&1)
	echo "$out" | grep -E "^$2 " | grep -Eq "protocol $NC_PROTO( |$)" || {
		echo "$out"
		fail "$1 does not use protocol $NC_PROTO with $2"
	}
}

# ---------------------------------------------------------------- routers ---

# nc_router NAME: an empty namespace that forwards IPv4.
nc_router() {
	local r=$1
	new_name
	ip netns add "$PXT_NAME" || fail "ip netns add $PXT_NAME"
	PXT_NAMESPACES+=("$PXT_NAME")
	NC_RNS[$r]=$PXT_NAME
	ip netns exec "$PXT_NAME" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1 >/dev/null 2>&1 ||
		fail "sysctl in router $r"
	ip -n "$PXT_NAME" link set lo up
}

# nc_in ROUTER|NODE CMD...: run CMD in that router's or node's namespace.
nc_in() {
	local ns=${NC_RNS[$1]:-${N_NS[$1]:-$1}}
	shift
	ip netns exec "$ns" "$@"
}

# nc_router_uplink ROUTER ADDR: interface "wan" with ADDR/24 on the hub.
nc_router_uplink() {
	local r=$1 addr=$2 ns=${NC_RNS[$1]}
	hub_ensure
	ip -n "$ns" link add wan type veth peer name "u$r" netns "$PXT_HUB" || fail "uplink of $r"
	ip -n "$PXT_HUB" link set "u$r" master br0 || fail "bridge port u$r"
	ip -n "$PXT_HUB" link set "u$r" up
	ip -n "$ns" addr add "$addr/24" dev wan
	ip -n "$ns" link set wan up
}

# nc_router_link R1 R2 ADDR1 ADDR2: a point-to-point link "mid" (/24).
nc_router_link() {
	local ns1=${NC_RNS[$1]} ns2=${NC_RNS[$2]}
	ip -n "$ns1" link add mid type veth peer name mid netns "$ns2" || fail "link $1 - $2"
	ip -n "$ns1" addr add "$3/24" dev mid
	ip -n "$ns2" addr add "$4/24" dev mid
	ip -n "$ns1" link set mid up
	ip -n "$ns2" link set mid up
}

# nc_route ROUTER|NODE PREFIX GATEWAY
nc_route() {
	nc_in "$1" ip route replace "$2" via "$3" || fail "route $2 via $3 in $1"
}

# nc_lan_prefix ROUTER [LAN]: "198.18.X" of the router's LAN bridge LAN
# (default "lan"), made on first use; every LAN gets its own X from 10 up.
nc_lan_prefix() {
	local r=$1 lan=${2:-lan} ns=${NC_RNS[$1]}
	if [ -z "${NC_LANK[$r:$lan]:-}" ]; then
		NC_LANK[$r:$lan]=$((10 + NC_LANS))
		NC_LANS=$((NC_LANS + 1))
		ip -n "$ns" link add "$lan" type bridge || fail "LAN bridge $lan in $r"
		ip -n "$ns" addr add "198.18.${NC_LANK[$r:$lan]}.1/24" dev "$lan"
		ip -n "$ns" link set "$lan" up
	fi
	NC_PREFIX=198.18.${NC_LANK[$r:$lan]}
}

# nc_behind NODE ROUTER HOSTNUM [LAN]: move NODE from the hub onto ROUTER's
# LAN bridge (default "lan") as 198.18.<lan>.HOSTNUM, with a route to
# 198.18.0.0/15 (the test's range only) via the router. The node's host file
# keeps "Address" (rewritten) only with NC_KEEP_ADDRESS=1: a node behind NAT
# cannot be called.
nc_behind() {
	local node=$1 r=$2 host=$3 lan=${4:-lan} ns=${NC_RNS[$2]} idx=${N_IDX[$1]} addr
	nc_lan_prefix "$r" "$lan"
	addr=$NC_PREFIX.$host
	ip -n "$PXT_HUB" link set "v$idx" nomaster
	ip -n "$PXT_HUB" link set "v$idx" netns "$ns" || fail "move v$idx into $r"
	ip -n "$ns" link set "v$idx" master "$lan" || fail "attach v$idx to $r's $lan"
	ip -n "$ns" link set "v$idx" up
	in_ns "$node" ip addr flush dev eth0
	in_ns "$node" ip addr add "$addr/24" dev eth0
	in_ns "$node" ip link set eth0 up
	in_ns "$node" ip route replace 198.18.0.0/15 via "$NC_PREFIX.1" || fail "route of $node"
	if [ "${NC_KEEP_ADDRESS:-0}" = 1 ]; then
		sed -i "s/^Address = .*/Address = $addr/" "${N_DIR[$node]}/hosts/$node"
	else
		sed -i '/^Address = /d' "${N_DIR[$node]}/hosts/$node"
	fi
	NC_ADDR[$node]=$addr
}

# nc_addr NODE: the node's own underlay address.
nc_addr() { echo "${NC_ADDR[$1]:-$(underlay_addr "$1")}"; }

# nc_nat ROUTER cone|symmetric: masquerade everything leaving "wan".
#   cone:      plain masquerade. Linux keeps the source port when it can and
#              reuses the mapping for every destination (endpoint-independent
#              mapping); only replies to a mapping get in (address- and
#              port-dependent filtering): a port-restricted cone NAT.
#   symmetric: masquerade fully-random: a new random port per destination.
# Unsolicited packets to the router itself are dropped in the input hook
# (before conntrack confirms them), like a home router's firewall; without
# that an early hole-punching probe would be answered with ICMP and, worse,
# leave a conntrack entry that steals the port the NAT wants to map.
#   cone-port: a cone NAT that translates the port: UDP from port 655 always
#              leaves as port 4655 (one fixed mapping for every destination),
#              so the port a node announces is wrong and only the reflexive
#              address learnt by a third node can open the direct path.
nc_nat() {
	local r=$1 mode=$2 flags= portmap= wanaddr
	[ "$mode" = symmetric ] && flags=fully-random
	if [ "$mode" = cone-port ]; then
		wanaddr=$(nc_in "$r" ip -4 -o addr show dev wan | awk '{print $4}' | cut -d/ -f1)
		portmap="oifname \"wan\" udp sport 655 snat to $wanaddr:4655"
	fi
	nc_in "$r" nft -f - <<EOF || fail "nft NAT in $r"
table ip ncnat {
	chain c_post {
		type nat hook postrouting priority srcnat; policy accept;
		$portmap
		oifname "wan" masquerade $flags
	}
	chain c_fwd {
		type filter hook forward priority filter; policy accept;
		iifname "wan" ct state new drop
	}
	chain c_in {
		type filter hook input priority filter; policy accept;
		iifname "wan" ct state new drop
	}
}
EOF
}

# nc_start NODE...: copy the host files once, then start the nodes in order.
# (lib.sh's start_node copies them again before every start, rewriting the
# host files of daemons that are already running; one that reads hosts/X at
# that moment sees a truncated file, and plexusd keeps what it read.)
nc_start() {
	local n
	exchange_hosts
	for n in "$@"; do
		PXT_NO_EXCHANGE=1 start_node "$n"
	done
}

# ----------------------------------------------------------------- counters ---

# nc_counter NS|NODE|ROUTER NAME HOOK MATCH...: a named nftables counter
# on the given hook (input, output, forward, prerouting) for packets that
# match the nft expression MATCH.
nc_counter() {
	local where=$1 cname=$2 hook=$3
	shift 3
	if ! nc_in "$where" nft list chain inet nccount "c_$hook" >/dev/null 2>&1; then
		nc_in "$where" nft add table inet nccount || fail "nft table in $where"
		nc_in "$where" nft add chain inet nccount "c_$hook" \
			"{ type filter hook $hook priority -200 ; policy accept ; }" || fail "nft chain $hook in $where"
	fi
	nc_in "$where" nft add counter inet nccount "$cname" || fail "nft counter $cname"
	nc_in "$where" nft add rule inet nccount "c_$hook" "$@" counter name "$cname" ||
		fail "nft rule for $cname: $*"
}

# nc_count NS|NODE|ROUTER NAME: packets counted so far.
nc_count() {
	local v
	v=$(nc_in "$1" nft list counter inet nccount "$2" 2>/dev/null |
		sed -nE 's/.*packets ([0-9]+).*/\1/p' | head -n 1)
	echo "${v:-0}"
}

# nc_count_bytes NS|NODE|ROUTER NAME
nc_count_bytes() {
	local v
	v=$(nc_in "$1" nft list counter inet nccount "$2" 2>/dev/null |
		sed -nE 's/.*bytes ([0-9]+).*/\1/p' | head -n 1)
	echo "${v:-0}"
}

# --------------------------------------------------------------- inspection ---

# nc_node_line NODE PEER: PEER's line of `plexus dump nodes` on NODE.
nc_node_line() {
	plexus_cli "$1" dump nodes 2>/dev/null | grep -E "^$2 " | head -n 1
}

# nc_pmtu NODE PEER: the PMTU NODE currently uses towards PEER (0 if none).
nc_pmtu() {
	local v
	v=$(nc_node_line "$1" "$2" | sed -nE 's/.* pmtu (-?[0-9]+) \(min (-?[0-9]+) max (-?[0-9]+)\).*/\1 \2 \3/p')
	echo "${v:-0 0 0}"
}

# nc_wait_direct NODE PEER TIMEOUT: until `plexus info` says UDP works.
nc_wait_direct() {
	local i
	for ((i = 0; i < $3 * 2; i++)); do
		plexus_cli "$1" info "$2" 2>/dev/null | grep -q "directly with UDP" && return 0
		sleep 0.5
	done
	return 1
}

# nc_ping_stats FROM TO COUNT INTERVAL: prints "sent received" of a ping run.
nc_ping_stats() {
	local out
	out=$(in_ns "$1" timeout $(($3 + 20)) ping -n -q -c "$3" -i "$4" -W 2 "$(addr_of "$2")" 2>&1)
	echo "$out" | sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) (packets )?received.*/\1 \2/p'
}

# ------------------------------------------------------------- impairment ---

# nc_impair ROUTER A LAN_A B LAN_B [IMPAIR ARGS...]: route the VPN's UDP
# between nodes A and B (each on its own LAN of ROUTER, port 655) through
# tests/tools/impair.py running in ROUTER, transparently: DNAT brings each
# datagram to the relay's socket on the arrival side, SNAT makes what the
# relay sends look like it came from the other node, and conntrack maps the
# answers back. Install it before the daemons start (flows that conntrack
# already knows would bypass the relay). The relay's own PID (for SIGUSR1 =
# impairment on, SIGUSR2 = off, SIGTERM = stop) is in NC_IMPAIR_PID; its
# statistics go to $PXT_TMP/impair.stats when it stops. Extra args go to
# impair.py (--start-off, --delay, --jitter...).
nc_impair() {
	local r=$1 a=$2 la=$3 b=$4 lb=$5 ra rb aa ab i
	shift 5
	nc_lan_prefix "$r" "$la"
	ra=$NC_PREFIX.1
	nc_lan_prefix "$r" "$lb"
	rb=$NC_PREFIX.1
	aa=$(nc_addr "$a")
	ab=$(nc_addr "$b")
	nc_in "$r" nft -f - <<EOF || fail "nft impairment rules in $r"
table ip ncimpair {
	chain c_dnat {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "$la" ip saddr $aa ip daddr $ab udp dport 655 dnat to $ra:6555
		iifname "$lb" ip saddr $ab ip daddr $aa udp dport 655 dnat to $rb:6556
	}
	chain c_snat {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "$lb" ip saddr $rb udp sport 6556 snat to $aa:655
		oifname "$la" ip saddr $ra udp sport 6555 snat to $ab:655
	}
}
EOF
	nc_in "$r" timeout -k 2 "${NC_IMPAIR_MAX:-300}" python3 "$PXT_TOOLS/impair.py" \
		--left "$ra:6555" --right "$rb:6556" --left-peer "$aa:655" --right-peer "$ab:655" \
		--stats "$PXT_TMP/impair.stats" --pidfile "$PXT_TMP/impair.pid" "$@" >"$PXT_TMP/impair.out" 2>&1 &
	track_pid $!
	for ((i = 0; i < 50; i++)); do
		if grep -q '^relaying' "$PXT_TMP/impair.out" 2>/dev/null; then
			NC_IMPAIR_PID=$(cat "$PXT_TMP/impair.pid")
			track_pid "$NC_IMPAIR_PID"
			return 0
		fi
		sleep 0.1
	done
	cat "$PXT_TMP/impair.out"
	fail "impair.py did not start"
}

# nc_loss ROUTER PCT: drop PCT % of the TCP and UDP packets arriving at
# ROUTER from its LANs (forwarded or for the relay), both directions, with
# nftables numgen. PCT 0 removes the rule.
nc_loss() {
	nc_in "$1" nft delete table ip ncloss 2>/dev/null
	[ "$2" = 0 ] && return 0
	nc_in "$1" nft -f - <<EOF || fail "nft loss rule in $1"
table ip ncloss {
	chain c_pre {
		type filter hook prerouting priority mangle; policy accept;
		iifname != "lo" meta l4proto { tcp, udp } numgen random mod 100 < $2 counter drop
	}
}
EOF
}

# ---------------------------------------------------------------- scenarios ---

# nc_two_nats MODE [EXTRA CONF...]: public node P (198.18.1.1 on the hub),
# node A behind router NAT1 (wan 198.18.1.101, LAN 198.18.10.0/24) and node
# C behind router NAT2 (wan 198.18.1.102, LAN 198.18.11.0/24); A and C only
# have ConnectTo = P, both NATs of the given MODE (cone | symmetric).
# Every node's main config also gets the EXTRA lines.
nc_two_nats() {
	local mode=$1 n
	shift
	nc_make_node P
	nc_make_node A
	nc_make_node C
	for n in P A C; do
		[ $# -gt 0 ] && node_conf "$n" "$@"
	done
	nc_router NAT1
	nc_router NAT2
	nc_router_uplink NAT1 198.18.1.101
	nc_router_uplink NAT2 198.18.1.102
	nc_behind A NAT1 2
	nc_behind C NAT2 2
	nc_nat NAT1 "$mode"
	nc_nat NAT2 "$mode"
	connect_to A P
	connect_to C P
}
