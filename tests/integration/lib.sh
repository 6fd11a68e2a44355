# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Shared helpers for the integration tests (source it from bash).
#
# Every test builds a small VPN inside network namespaces it creates itself:
#   - one "hub" namespace holding a bridge, every node namespace has an
#     "eth0" veth whose peer is attached to that bridge;
#   - node N (in creation order) gets underlay 198.18.1.N/24 and tunnel
#     address 198.19.0.N/16 (2001:db8:19::N/64 with PXT_IPV6=1);
#   - nothing is configured in the root namespace, no namespace has a default
#     route, so no packet can leave the test.
# An EXIT trap stops only the processes this test started (by PID), deletes
# its namespaces and its temp dir, and fails the test if a sanitizer report
# was written by any daemon.
#
# Environment:
#   PLEXUS_BUILD   build directory (default: <srcdir>/build)
#   PXT_KIND       node kind most tests use: plexus (default) or tinc10
#   PXT_KEEP=1     keep the temp dir (configs, logs) after the test
#   PXT_DEBUG      daemon debug level (default 1)
#   PXT_INSTALLED=1  use the installed /usr/sbin/plexusd and /usr/bin/plexus
#                  and their compiled-in plugin directory (PLEXUS_PLUGIN_PATH
#                  is unset), e.g. after installing the Debian packages

PXT_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -z "${PLEXUS_BUILD:-}" ]; then
	PLEXUS_BUILD=$PXT_SRCDIR/build
fi
case $PLEXUS_BUILD in
/*) ;;
*) PLEXUS_BUILD=$PWD/$PLEXUS_BUILD ;;
esac
if [ "${PXT_INSTALLED:-0}" = 1 ]; then
	# the installed package: its binaries, and only the plugin directory
	# compiled into the daemon
	PLEXUSD=/usr/sbin/plexusd
	PLEXUS_CLI=/usr/bin/plexus
	unset PLEXUS_PLUGIN_PATH
else
	PLEXUSD=$PLEXUS_BUILD/core/plexusd
	PLEXUS_CLI=$PLEXUS_BUILD/core/plexus
	export PLEXUS_PLUGIN_PATH=${PLEXUS_PLUGIN_PATH:-$PLEXUS_BUILD/plugins}
fi
TINCD=${TINCD:-/usr/sbin/tincd}
PXT_KIND=${PXT_KIND:-plexus}
PXT_TOOLS=$PXT_SRCDIR/tests/tools
PXT_IFNAME=pxtun
PXT_PORT=655

PXT_TEST=$(basename "$0" .sh)
PXT_COUNTER=0
PXT_HUB=
PXT_NAMESPACES=()
PXT_PIDS=()
PXT_NODES=()
declare -A N_NS N_IDX N_KIND N_DIR N_PID N_LOG N_PIDFILE N_CONF N_OUT N_MODE

PXT_TMP=$(mktemp -d "/tmp/pxt$$.XXXXXX") || {
	echo "FAIL: mktemp"
	exit 1
}

note() { echo "[$(date +%T)] $PXT_TEST: $*"; }

# ------------------------------------------------------------ reporting ---

# Print what helps to understand a failure: the tail of every daemon log.
dump_logs() {
	local n
	for n in "${PXT_NODES[@]}"; do
		echo "----- $n (${N_KIND[$n]}) log: ${N_LOG[$n]}"
		[ -f "${N_LOG[$n]}" ] && tail -n "${PXT_LOG_LINES:-60}" "${N_LOG[$n]}"
		if [ -s "${N_OUT[$n]}" ]; then
			echo "----- $n stdout/stderr"
			tail -n 30 "${N_OUT[$n]}"
		fi
	done
}

fail() {
	echo "FAIL: $PXT_TEST: $*"
	dump_logs
	exit 1
}

pass() {
	echo "PASS: $PXT_TEST${1:+: $*}"
	exit 0
}

skip() {
	echo "SKIP: $PXT_TEST: $*"
	exit 77
}

# --------------------------------------------------------- process utils ---

# True while PID exists and is not a zombie.
pid_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Remember a PID we started so the trap can stop it.
track_pid() { PXT_PIDS+=("$1"); }

# SIGTERM, wait up to $2 seconds (default 10) polling, then SIGKILL.
stop_pid() {
	local pid=$1 limit=$((${2:-10} * 10)) i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < limit; i++)); do
		pid_alive "$pid" || break
		sleep 0.1
	done
	pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

pxt_cleanup() {
	local rc=$? n pid ns f sanitizer=0
	trap - EXIT INT TERM
	for n in "${PXT_NODES[@]}"; do
		stop_pid "${N_PID[$n]}" 10
	done
	for pid in "${PXT_PIDS[@]}"; do
		stop_pid "$pid" 3
	done
	# anything still running inside our own namespaces was started by us
	for ns in "${PXT_NAMESPACES[@]}" $PXT_HUB; do
		[ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	wait 2>/dev/null
	for ns in "${PXT_NAMESPACES[@]}" $PXT_HUB; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	for f in "$PXT_TMP"/sanitizer.*; do
		[ -s "$f" ] || continue
		echo "----- sanitizer report $f"
		head -n 80 "$f"
		sanitizer=1
	done
	if [ "$sanitizer" = 1 ] && { [ "$rc" = 0 ] || [ "$rc" = 77 ]; }; then
		echo "FAIL: $PXT_TEST: sanitizer report(s) written by a daemon"
		rc=1
	fi
	if [ "${PXT_KEEP:-0}" = 1 ]; then
		echo "kept $PXT_TMP"
	else
		rm -rf "$PXT_TMP"
	fi
	exit "$rc"
}
trap pxt_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------- requirements ---

require_root() {
	[ "$(id -u)" = 0 ] || skip "must run as root (network namespaces)"
}

# require_kind KIND: the binaries for that kind of node exist.
require_kind() {
	case $1 in
	tinc10) [ -x "$TINCD" ] || skip "tinc 1.0 ($TINCD) not installed" ;;
	plexus)
		[ -x "$PLEXUSD" ] || fail "plexusd not built: $PLEXUSD (set PLEXUS_BUILD)"
		;;
	*) fail "unknown node kind $1" ;;
	esac
}

require_cli() {
	[ -x "$PLEXUS_CLI" ] || fail "plexus CLI not built: $PLEXUS_CLI"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
	done
}

# ------------------------------------------------------------ namespaces ---

# Sets PXT_NAME to a fresh unique name "pxt<pid>-<counter>".
new_name() {
	PXT_COUNTER=$((PXT_COUNTER + 1))
	PXT_NAME="pxt$$-$PXT_COUNTER"
}

hub_ensure() {
	[ -n "$PXT_HUB" ] && return 0
	new_name
	PXT_HUB=$PXT_NAME
	ip netns add "$PXT_HUB" || fail "ip netns add $PXT_HUB"
	ip netns exec "$PXT_HUB" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
	ip -n "$PXT_HUB" link add br0 type bridge || fail "bridge in $PXT_HUB"
	ip -n "$PXT_HUB" link set br0 up
	ip -n "$PXT_HUB" link set lo up
}

# netns_create IDX: a node namespace (name in PXT_NS) whose eth0 is
# 198.18.1.IDX/24 on the hub bridge.
netns_create() {
	local idx=$1 ns
	hub_ensure
	new_name
	ns=$PXT_NAME
	ip netns add "$ns" || fail "ip netns add $ns"
	PXT_NAMESPACES+=("$ns")
	if [ "${PXT_IPV6:-0}" = 1 ]; then
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1
	else
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
	fi
	ip -n "$ns" link set lo up
	# both ends are created directly inside the namespaces, never in root
	ip -n "$ns" link add eth0 type veth peer name "v$idx" netns "$PXT_HUB" ||
		fail "veth for $ns"
	ip -n "$PXT_HUB" link set "v$idx" master br0 || fail "bridge port v$idx"
	ip -n "$PXT_HUB" link set "v$idx" up
	ip -n "$ns" addr add "198.18.1.$idx/24" dev eth0
	ip -n "$ns" link set eth0 up
	PXT_NS=$ns
}

# in_ns NODE|NS CMD...: run CMD in that node's (or that) namespace.
in_ns() {
	local ns=${N_NS[$1]:-$1}
	shift
	ip netns exec "$ns" "$@"
}

# ------------------------------------------------------------------ nodes ---

tun_addr() { echo "198.19.0.${N_IDX[$1]}"; }
tun_addr6() { echo "2001:db8:19::${N_IDX[$1]}"; }
underlay_addr() { echo "198.18.1.${N_IDX[$1]}"; }

# block_udp NODE PEER TABLE: in NODE's namespace, drop every UDP datagram
# to and from PEER's underlay address (nftables table TABLE, so that
# unblock_udp NODE TABLE lifts exactly this block).
block_udp() {
	in_ns "$1" nft -f - <<EOF
table inet $3 {
	chain c_out { type filter hook output priority 0; policy accept;
		ip daddr $(underlay_addr "$2") meta l4proto udp drop
	}
	chain c_in { type filter hook input priority 0; policy accept;
		ip saddr $(underlay_addr "$2") meta l4proto udp drop
	}
}
EOF
}
unblock_udp() { in_ns "$1" nft delete table inet "$2"; }

# Resolve a node name to its tunnel address; anything else is returned as is.
addr_of() {
	if [ -n "${N_IDX[$1]:-}" ]; then tun_addr "$1"; else echo "$1"; fi
}

# Create keys in DIR for a node of KIND with the given generator.
gen_keys() {
	local dir=$1 gen=$2 name=$3
	case $gen in
	tinc10)
		"$TINCD" -c "$dir" -K2048 </dev/null >"$dir/keygen.log" 2>&1 ||
			fail "tincd -K failed: $(cat "$dir/keygen.log")"
		;;
	plexus)
		if [ -x "$PLEXUS_CLI" ] && "$PLEXUS_CLI" -c "$dir" generate-keys </dev/null >"$dir/keygen.log" 2>&1; then
			:
		elif [ -x "$PLEXUSD" ] && "$PLEXUSD" -c "$dir" -K </dev/null >>"$dir/keygen.log" 2>&1; then
			:
		else
			fail "plexus key generation failed: $(cat "$dir/keygen.log" 2>/dev/null)"
		fi
		;;
	esac
	[ -s "$dir/rsa_key.priv" ] || fail "no rsa_key.priv made by $gen in $dir"
	grep -q "BEGIN RSA PUBLIC KEY" "$dir/hosts/$name" ||
		fail "no RSA public key made by $gen in $dir/hosts/$name"
}

# make_node NAME KIND
#   KIND: plexus | tinc10. Creates the namespace and the configuration dir.
#   PXT_MODE       router (default) | switch
#   PXT_KEYGEN     key generator: tinc10 | plexus (default: the node's kind)
#   PXT_CONF_FILE  main config file name for plexus nodes (tinc.conf default,
#                  or plexus.conf)
make_node() {
	local name=$1 kind=$2 idx dir mode=${PXT_MODE:-router} conf
	require_kind "$kind"
	PXT_NODES+=("$name")
	idx=${#PXT_NODES[@]}
	netns_create "$idx"
	dir=$PXT_TMP/$name
	mkdir -p "$dir/hosts"
	N_NS[$name]=$PXT_NS
	N_IDX[$name]=$idx
	N_KIND[$name]=$kind
	N_DIR[$name]=$dir
	N_LOG[$name]=$PXT_TMP/$name.log
	N_OUT[$name]=$PXT_TMP/$name.out
	N_PIDFILE[$name]=$PXT_TMP/$name.pid
	N_MODE[$name]=$mode
	N_PID[$name]=
	: >"$dir/hosts/$name"
	conf=tinc.conf
	if [ "${PXT_USE_INIT:-0}" = 1 ]; then
		# `plexus init NAME` writes plexus.conf, an empty host file and keys
		"$PLEXUS_CLI" -c "$dir" init "$name" </dev/null >"$dir/init.log" 2>&1 ||
			fail "plexus init $name failed: $(cat "$dir/init.log")"
		[ -f "$dir/plexus.conf" ] || fail "plexus init did not write $dir/plexus.conf"
		grep -Eq "^Name *=? *$name" "$dir/plexus.conf" || fail "plexus init: no Name = $name in plexus.conf"
		conf=plexus.conf
	else
		echo "# $PXT_TEST node $name ($kind)" >"$dir/tinc.conf"
		echo "Name = $name" >>"$dir/tinc.conf"
	fi
	{
		echo "Mode = $mode"
		echo "Interface = $PXT_IFNAME"
		echo "AddressFamily = ipv4"
		# Tests build exact topologies; AutoConnect (on by default, as in
		# tinc 1.1) would add links of its own. PXT_AUTOCONNECT=1 keeps it.
		[ "$kind" = plexus ] && [ "${PXT_AUTOCONNECT:-0}" != 1 ] && echo "AutoConnect = no"
	} >>"$dir/$conf"
	{
		echo "Address = $(underlay_addr "$name")"
		echo "Port = $PXT_PORT"
		if [ "$mode" = router ]; then
			echo "Subnet = $(tun_addr "$name")/32"
			[ "${PXT_IPV6:-0}" = 1 ] && echo "Subnet = $(tun_addr6 "$name")/128"
		fi
	} >>"$dir/hosts/$name"
	{
		echo "#!/bin/sh"
		echo "ip addr add $(tun_addr "$name")/16 dev \"\$INTERFACE\""
		[ "${PXT_IPV6:-0}" = 1 ] && echo "ip -6 addr add $(tun_addr6 "$name")/64 dev \"\$INTERFACE\" nodad"
		echo "ip link set \"\$INTERFACE\" up"
		echo "echo \"tinc-up NAME=\$NAME INTERFACE=\$INTERFACE\" >>\"$PXT_TMP/$name.scripts\""
	} >"$dir/tinc-up"
	printf '#!/bin/sh\nip link set "$INTERFACE" down\necho "tinc-down" >>"%s"\n' \
		"$PXT_TMP/$name.scripts" >"$dir/tinc-down"
	chmod 755 "$dir/tinc-up" "$dir/tinc-down"
	if [ "${PXT_USE_INIT:-0}" = 1 ]; then
		[ -s "$dir/rsa_key.priv" ] || fail "plexus init made no rsa_key.priv"
		grep -q "BEGIN RSA PUBLIC KEY" "$dir/hosts/$name" || fail "plexus init: no public key in hosts/$name"
	else
		gen_keys "$dir" "${PXT_KEYGEN:-$kind}" "$name"
	fi
	if [ "$kind" = plexus ] && [ "$conf" = tinc.conf ] && [ "${PXT_CONF_FILE:-tinc.conf}" != tinc.conf ]; then
		conf=$PXT_CONF_FILE
		mv "$dir/tinc.conf" "$dir/$conf"
	fi
	N_CONF[$name]=$dir/$conf
}

# node_conf NAME "Var = value"...: append to the node's main config file.
node_conf() {
	local name=$1
	shift
	printf '%s\n' "$@" >>"${N_CONF[$name]}"
}

# host_conf NAME "Var = value"...: append to the node's own host file
# (copied to every other node by exchange_hosts).
host_conf() {
	local name=$1
	shift
	printf '%s\n' "$@" >>"${N_DIR[$name]}/hosts/$name"
}

connect_to() { node_conf "$1" "ConnectTo = $2"; }

# Copy every node's own host file into every other node's hosts/.
exchange_hosts() {
	local a b
	for a in "${PXT_NODES[@]}"; do
		for b in "${PXT_NODES[@]}"; do
			[ "$a" = "$b" ] && continue
			# atomically: a running daemon may be reading it
			cp "${N_DIR[$b]}/hosts/$b" "${N_DIR[$a]}/hosts/.$b.tmp" &&
				mv -f "${N_DIR[$a]}/hosts/.$b.tmp" "${N_DIR[$a]}/hosts/$b"
		done
	done
}

# plugin_dir_without NAME VAR: set VAR to a plugin directory with every
# plugin of the build but NAME, as a --disable-NAME build (or a distro
# without that package) installs it. Skips the test if NAME was not built
# (so it must not run in a subshell).
plugin_dir_without() {
	# names of our own locals must not be a caller's VAR
	local _pdw_dir=$PXT_TMP/plugins-no-$1 _pdw_p
	[ -e "$PLEXUS_BUILD/plugins/$1/$1.la" ] || skip "plugin $1 not built in $PLEXUS_BUILD"
	mkdir -p "$_pdw_dir"
	for _pdw_p in "$PLEXUS_BUILD"/plugins/*/; do
		_pdw_p=$(basename "$_pdw_p")
		[ "$_pdw_p" = "$1" ] || ln -s "$PLEXUS_BUILD/plugins/$_pdw_p" "$_pdw_dir/$_pdw_p"
	done
	printf -v "$2" '%s' "$_pdw_dir"
}

daemon_bin() {
	case ${N_KIND[$1]} in
	tinc10) echo "$TINCD" ;;
	plexus) echo "$PLEXUSD" ;;
	esac
}

# start_node NAME [EXTRA DAEMON ARGS...]
#   Runs the daemon exactly like tincd: -c DIR -D -dLEVEL --pidfile=F
#   --logfile=L in the node's namespace, in the background. With
#   PXT_DETACH=1 the daemon detaches itself and the PID comes from the pid
#   file. Host files are exchanged first unless PXT_NO_EXCHANGE=1.
start_node() {
	local name=$1 bin pid i
	shift
	[ "${PXT_NO_EXCHANGE:-0}" = 1 ] || exchange_hosts
	bin=$(daemon_bin "$name")
	: >"${N_LOG[$name]}"
	rm -f "${N_PIDFILE[$name]}"
	export ASAN_OPTIONS="log_path=$PXT_TMP/sanitizer.asan.$name:detect_leaks=${PXT_DETECT_LEAKS:-1}"
	export UBSAN_OPTIONS="log_path=$PXT_TMP/sanitizer.ubsan.$name:print_stacktrace=1"
	if [ "${PXT_START_CLI:-0}" = 1 ]; then
		# `plexus start [plexusd options]`: the daemon detaches itself
		ip netns exec "${N_NS[$name]}" "$PLEXUS_CLI" -c "${N_DIR[$name]}" --pidfile="${N_PIDFILE[$name]}" \
			start -d"${PXT_DEBUG:-1}" --logfile="${N_LOG[$name]}" "$@" \
			</dev/null >>"${N_OUT[$name]}" 2>&1 || fail "$name: plexus start failed (exit $?)"
	elif [ "${PXT_DETACH:-0}" = 1 ]; then
		ip netns exec "${N_NS[$name]}" "$bin" -c "${N_DIR[$name]}" -d"${PXT_DEBUG:-1}" \
			--pidfile="${N_PIDFILE[$name]}" --logfile="${N_LOG[$name]}" "$@" \
			</dev/null >>"${N_OUT[$name]}" 2>&1 || fail "$name: daemon failed to start (exit $?)"
	fi
	if [ "${PXT_START_CLI:-0}" = 1 ] || [ "${PXT_DETACH:-0}" = 1 ]; then
		pid=
		for ((i = 0; i < 100; i++)); do
			pid=$(awk 'NR == 1 {print $1}' "${N_PIDFILE[$name]}" 2>/dev/null)
			[ -n "$pid" ] && break
			sleep 0.1
		done
		[ -n "$pid" ] || fail "$name: no pid file ${N_PIDFILE[$name]} after detaching"
	else
		ip netns exec "${N_NS[$name]}" "$bin" -c "${N_DIR[$name]}" -D -d"${PXT_DEBUG:-1}" \
			--pidfile="${N_PIDFILE[$name]}" --logfile="${N_LOG[$name]}" "$@" \
			</dev/null >>"${N_OUT[$name]}" 2>&1 &
		pid=$!
	fi
	N_PID[$name]=$pid
	note "started $name (${N_KIND[$name]}, pid $pid, ns ${N_NS[$name]}, $(underlay_addr "$name") / $(tun_addr "$name"))"
}

# start_node_expect_fail NAME TIMEOUT [ARGS...]: run the daemon in the
# foreground, expect it to exit non-zero within TIMEOUT seconds. The exit
# code is in PXT_RC, the combined output in the node's .out file and log.
start_node_expect_fail() {
	local name=$1 limit=$2 bin
	shift 2
	[ "${PXT_NO_EXCHANGE:-0}" = 1 ] || exchange_hosts
	bin=$(daemon_bin "$name")
	: >"${N_LOG[$name]}"
	: >"${N_OUT[$name]}"
	ASAN_OPTIONS="log_path=$PXT_TMP/sanitizer.asan.$name-fail:detect_leaks=${PXT_DETECT_LEAKS:-1}" \
		UBSAN_OPTIONS="log_path=$PXT_TMP/sanitizer.ubsan.$name-fail:print_stacktrace=1" \
		timeout -k 3 "$limit" ip netns exec "${N_NS[$name]}" "$bin" -c "${N_DIR[$name]}" -D -d"${PXT_DEBUG:-1}" \
		--pidfile="${N_PIDFILE[$name]}" "$@" </dev/null >>"${N_OUT[$name]}" 2>&1
	PXT_RC=$?
	[ "$PXT_RC" = 124 ] && fail "$name: daemon kept running although it should have refused to start"
	[ "$PXT_RC" != 0 ] || fail "$name: daemon exited 0 although it should have refused to start"
	return 0
}

stop_node() {
	local name=$1
	stop_pid "${N_PID[$name]}" 10
	N_PID[$name]=
}

node_alive() { pid_alive "${N_PID[$1]}"; }

assert_alive() {
	local n
	for n in "$@"; do
		node_alive "$n" || fail "daemon of $n (pid ${N_PID[$n]}) is not running any more"
	done
}

# plexus_cli NAME ARGS...: the plexus CLI against that node's daemon.
plexus_cli() {
	local name=$1
	shift
	timeout -k 2 "${PXT_CLI_TIMEOUT:-15}" "$PLEXUS_CLI" -c "${N_DIR[$name]}" \
		--pidfile="${N_PIDFILE[$name]}" "$@"
}

# ---------------------------------------------------------------- traffic ---

# wait_ping FROM TO TIMEOUT: poll until one ping FROM -> TO works (TO: node
# name or address). Bounded by TIMEOUT seconds.
wait_ping() {
	local from=$1 addr limit=${3:-30} start=$SECONDS i
	addr=$(addr_of "$2")
	for ((i = 0; i < limit * 5; i++)); do
		in_ns "$from" ping -n -q -c 1 -W 1 "$addr" >/dev/null 2>&1 && return 0
		((SECONDS - start >= limit)) && break
		# no point in waiting for a daemon that is gone
		if [ -n "${N_PID[$from]:-}" ] && ! pid_alive "${N_PID[$from]}"; then
			echo "daemon of $from (pid ${N_PID[$from]}) exited"
			return 1
		fi
		sleep 0.2
	done
	return 1
}

# ping_check FROM TO COUNT [MAXLOST]: COUNT pings, at most MAXLOST lost.
ping_check() {
	local from=$1 addr count=${3:-5} maxlost=${4:-0} out recv
	addr=$(addr_of "$2")
	out=$(in_ns "$from" timeout $((count + 10)) ping -n -q -c "$count" -i 0.2 -W 2 "$addr" 2>&1)
	recv=$(echo "$out" | sed -nE 's/.* ([0-9]+) (packets )?received.*/\1/p')
	[ -n "$recv" ] || recv=0
	if ((count - recv > maxlost)); then
		echo "$out"
		return 1
	fi
	return 0
}

# bulk_tcp FROM TO BYTES [TIMEOUT]: send BYTES of random data over TCP from
# node FROM to node TO's tunnel address (PXT_BULK_ADDR: another address of
# TO, e.g. its IPv6 one) and compare SHA-256 on both ends.
bulk_tcp() {
	local from=$1 to=$2 bytes=$3 limit=${4:-90} addr port srv i out_s out_c spid
	addr=${PXT_BULK_ADDR:-$(addr_of "$to")}
	port=$((20000 + RANDOM % 20000))
	out_s=$PXT_TMP/bulk.$PXT_COUNTER.srv
	out_c=$PXT_TMP/bulk.$PXT_COUNTER.cli
	PXT_COUNTER=$((PXT_COUNTER + 1))
	in_ns "$to" timeout -k 2 "$limit" python3 "$PXT_TOOLS/bulk.py" serve "$addr" "$port" >"$out_s" 2>&1 &
	spid=$!
	track_pid "$spid"
	for ((i = 0; i < 50; i++)); do
		grep -q '^listening' "$out_s" 2>/dev/null && break
		pid_alive "$spid" || break
		sleep 0.1
	done
	grep -q '^listening' "$out_s" || {
		cat "$out_s"
		return 1
	}
	in_ns "$from" timeout -k 2 "$limit" python3 "$PXT_TOOLS/bulk.py" send "$addr" "$port" "$bytes" >"$out_c" 2>&1
	wait "$spid"
	srv=$(grep '^received' "$out_s")
	if [ -z "$srv" ] || [ "$srv" != "$(grep '^sent' "$out_c" | sed 's/^sent/received/')" ]; then
		echo "bulk transfer $from -> $to ($bytes bytes) failed:"
		echo " server: $(cat "$out_s")"
		echo " client: $(cat "$out_c")"
		return 1
	fi
	note "bulk $from -> $to: $(grep '^sent' "$out_c")"
	return 0
}

# ------------------------------------------------------------------- logs ---

# wait_log NAME REGEX TIMEOUT: poll the node's log for an extended regex.
wait_log() {
	local name=$1 re=$2 limit=${3:-10} i
	for ((i = 0; i < limit * 10; i++)); do
		grep -Eq -- "$re" "${N_LOG[$name]}" "${N_OUT[$name]}" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

assert_log() {
	grep -Eq -- "$2" "${N_LOG[$1]}" "${N_OUT[$1]}" 2>/dev/null ||
		fail "${3:-log of $1 lacks /$2/}"
}

assert_no_log() {
	if grep -Eq -- "$2" "${N_LOG[$1]}" "${N_OUT[$1]}" 2>/dev/null; then
		grep -E -- "$2" "${N_LOG[$1]}" "${N_OUT[$1]}" | head -5
		fail "${3:-log of $1 unexpectedly has /$2/}"
	fi
}

log_count() {
	cat "${N_LOG[$1]}" "${N_OUT[$1]}" 2>/dev/null | grep -Ec -- "$2"
}

# --------------------------------------------------------------- scenarios ---

# two_node_net KIND_A KIND_B: nodes "alpha" (ConnectTo beta) and "beta".
two_node_net() {
	make_node alpha "$1"
	make_node beta "$2"
	connect_to alpha beta
}

# up_and_ping A B [TIMEOUT]: wait for the tunnel, then pings both ways.
up_and_ping() {
	local a=$1 b=$2 limit=${3:-30}
	wait_ping "$a" "$b" "$limit" || fail "no ping $a -> $b within ${limit}s"
	wait_ping "$b" "$a" 10 || fail "no ping $b -> $a"
	ping_check "$a" "$b" 5 1 || fail "pings $a -> $b lost"
	ping_check "$b" "$a" 5 1 || fail "pings $b -> $a lost"
	note "ping $a <-> $b ok"
}

# ------------------------------------------------------- nftables counters ---

# udp_counter NODE CNAME FROM_NODE: count UDP datagrams arriving in NODE's
# namespace for the VPN port from FROM_NODE's underlay address.
udp_counter() {
	local node=$1 cname=$2 from=$3
	if ! in_ns "$node" nft list table inet pxt >/dev/null 2>&1; then
		in_ns "$node" nft add table inet pxt || fail "nft table in $node"
		in_ns "$node" nft add chain inet pxt input '{ type filter hook input priority 0 ; policy accept ; }' ||
			fail "nft chain in $node"
	fi
	in_ns "$node" nft add counter inet pxt "$cname" || fail "nft counter $cname"
	in_ns "$node" nft add rule inet pxt input ip saddr "$(underlay_addr "$from")" \
		udp dport "$PXT_PORT" counter name "$cname" || fail "nft rule $cname"
}

# counter_packets NODE CNAME: current packet count. With UDP offload one
# counted packet may be a run of datagrams the kernel segments later (on
# the same host, veth passes it whole): to ask "was the data on UDP", count
# bytes.
counter_packets() {
	in_ns "$1" nft list counter inet pxt "$2" 2>/dev/null |
		sed -nE 's/.*packets ([0-9]+).*/\1/p' | head -n 1
}

# counter_bytes NODE CNAME: current byte count.
counter_bytes() {
	in_ns "$1" nft list counter inet pxt "$2" 2>/dev/null |
		sed -nE 's/.*bytes ([0-9]+).*/\1/p' | head -n 1
}
