#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# vpn-bench.sh - two-namespace VPN benchmark harness (tinc-compatible daemons)
#
# USAGE
#   vpn-bench.sh [-r ROUNDS] [-o RESULTS_FILE] IMPL [IMPL ...]
#       Runs every IMPL once per round, interleaved (A B C A B C ...). Each
#       run gets fresh namespaces, fresh keys and fresh daemons. Metric lines
#       go to stdout (and are appended to RESULTS_FILE with -o).
#   vpn-bench.sh --summary RESULTS_FILE   medians per impl/metric (+ throughput ratios
#                                         vs veth and veth-nooffload)
#   vpn-bench.sh --list                   list implementations
#   vpn-bench.sh --cleanup-stale          remove pxb-* namespaces of dead runs
#
#   Must run as root (netns, veth, tun). Needs: iproute2 (ip, ss), iperf3, jq,
#   ping (iputils), coreutils timeout; ethtool only for veth-nooffload.
#
# IMPLEMENTATIONS (node a = 198.19.0.1 initiates ConnectTo = b, node b = 198.19.0.2)
#   veth            raw veth, no VPN (ceiling; kernel TSO/GSO/GRO on, as default)
#   veth-nooffload  raw veth with tso/gso/gro off (per-1500-byte-packet ceiling)
#   tinc10          Debian tinc 1.0 ($TINC10_SBIN, default /usr/sbin/tincd),
#                   legacy protocol, default Cipher/Digest. NOTE: since 1.0.10
#                   the default is aes-256-cbc / sha256 (MACLength 4), not
#                   blowfish / sha1 (check: pmtu log line shows NIDs 427/672)
#   tinc10-aes      tinc 1.0 with explicit Cipher = aes-256-cbc, Digest = sha256
#                   (same as the default; kept as a sanity check)
#   tinc10-bf       tinc 1.0 with Cipher = blowfish, Digest = sha1 (pre-1.0.10
#                   default). OpenSSL 3 only has bf-cbc in its legacy provider,
#                   so the harness starts these daemons with an OPENSSL_CONF
#                   that activates default+legacy (without it, UDP key setup
#                   fails and tinc silently tunnels everything over TCP)
#   tinc11          tinc 1.1 ($TINC11_SBIN, default /tmp/tinc11/sbin/tincd;
#                   CLI $TINC11_CLI, default: "tinc" next to it), SPTPS
#                   (ExperimentalProtocol = yes)
#   tinc11-legacy   tinc 1.1 with ExperimentalProtocol = no (legacy protocol,
#                   1.1 defaults: aes-256-cbc / sha256)
#   interop-10-11   node a = tinc 1.0 (default cipher), node b = tinc 1.1 (default
#                   config, i.e. ExperimentalProtocol = yes; falls back to legacy)
#   interop-11-10   node a = tinc 1.1, node b = tinc 1.0
#   custom          some other daemon, started by the hook $PXB_CUSTOM (see below)
#
# NETWORK (everything lives in 198.18.0.0/15, RFC 2544 benchmarking range)
#   namespaces pxb-a-<pid>, pxb-b-<pid> (unique per run), veth pxbv0 <-> pxbv1
#   created directly inside them; underlay 198.18.0.1/24 <-> 198.18.0.2/24;
#   tunnel interface "pxbtun", 198.19.0.1/32 and 198.19.0.2/32, /32 route to
#   the peer. IPv6 is disabled inside both namespaces. Nothing is configured in
#   the root namespace and the namespaces have no default route, so no traffic
#   can leave them. Namespaces, daemons and iperf3 servers are removed by an
#   EXIT/INT/TERM trap, also on failure. Every traffic command is wrapped in
#   `timeout`, every wait loop has a bounded number of iterations.
#
# MEASUREMENTS (client in ns a -> server in ns b, over the tunnel address)
#   ping: 200 ICMP echoes, 0.01 s interval (idle tunnel): rtt avg/max/min, loss
#   tcp1: iperf3 TCP, 1 stream, $PXB_DURATION s (10); daemon CPU seconds
#         (utime+stime from /proc/PID/stat, before/after), CPU s per GB received,
#         whole-machine busy % (from /proc/stat) during the test
#   tcp4: iperf3 TCP, 4 parallel streams, $PXB_DURATION s
#   udp:  iperf3 UDP, 1400-byte datagrams, offered $PXB_UDP_RATE (1G): received
#         rate, loss %, jitter. If the tunnel's MTU cannot carry 1400-byte
#         payloads (tinc 1.1 SPTPS on a 1500-byte underlay: max 1397), iperf3
#         fails with EMSGSIZE; the test is then repeated once with the largest
#         payload that fits (path MTU - 28), reported as metric udp_len.
#         Both iperf3 sockets get $PXB_UDP_WINDOW (4M, capped by the host's
#         net.core.[rw]mem_max) of buffer, the same for every implementation:
#         with the default, the inner iperf3 server's own socket overflows
#         (RcvbufErrors) and its loss would be counted against the VPN.
#   Output: one line per metric:  impl=NAME metric=NAME value=NUMBER unit=UNIT
#   Lines starting with '#' are comments (run headers, link info, failures).
#
# ENVIRONMENT
#   TINC10_SBIN, TINC11_SBIN, TINC11_CLI   binaries (see above)
#   PXB_DURATION (10)  PXB_UDP_RATE (1G)  PXB_UDP_LEN (1400)  PXB_PINGS (200)
#   PXB_UDP_WINDOW (4M: iperf3 -w for the UDP test)
#   PXB_UP_TIMEOUT (30 s: wait for first ping through the tunnel)
#   PXB_PMTU_TIMEOUT (45 s: wait for tinc's PMTU discovery to settle; tinc
#       sends packets larger than the discovered minimum MTU over the TCP
#       meta connection, so measuring before that is meaningless)
#   PXB_WARMUP (custom only, 5 s: extra settle time after the tunnel is up)
#   PXB_KEEP=1 keep the temp dir (configs, logs, iperf3 JSON) for inspection
#   PXB_CUSTOM, PXB_CUSTOM_NAME, PXB_CUSTOM_PROTO  (custom hook, below)
#   PXB_KEYGEN   custom only: command run as `$PXB_KEYGEN CONFDIR` to create that
#                node's keys (rsa_key.priv, ed25519_key.priv and the public keys in
#                CONFDIR/hosts/NODE); default: tinc 1.1's CLI if present, else tincd -K
#
# CUSTOM HOOK CONTRACT (impl "custom")
#   PXB_CUSTOM=/path/to/executable   PXB_CUSTOM_NAME=label (default "custom",
#   used as impl= in output)   PXB_CUSTOM_PROTO=sptps|legacy (default sptps)
#   1. The harness generates a tinc-1.1-style config dir per node (with tinc
#      1.1's `tinc generate-keys`, so RSA + Ed25519 keys; if PXB_CUSTOM_PROTO=
#      legacy and no tinc 1.1 CLI exists, tinc 1.0 `tincd -K` RSA keys):
#        CONFDIR/tinc.conf       Name, Mode = router, Interface = pxbtun,
#                                AddressFamily = ipv4, ConnectTo = b (node a),
#                                ExperimentalProtocol = yes|no
#        CONFDIR/hosts/{a,b}     Address, Port = 655, Subnet = 198.19.0.N/32,
#                                public keys (both nodes' files in both dirs)
#        CONFDIR/rsa_key.priv, CONFDIR/ed25519_key.priv
#        CONFDIR/tinc-up         assigns the tunnel address + peer route to
#                                $INTERFACE (call it like tinc does, or do the
#                                same yourself)
#   2. For each node the harness runs, in the background:
#        ip netns exec pxb-N-<pid> $PXB_CUSTOM NODE CONFDIR PIDFILE LOGFILE
#      with these variables exported:
#        PXB_NODE (a|b) PXB_PEER (b|a) PXB_CONFDIR PXB_PIDFILE PXB_LOGFILE
#        PXB_NETNS PXB_IFNAME (pxbtun) PXB_PORT (655)
#        PXB_UNDERLAY_LOCAL PXB_UNDERLAY_PEER (198.18.0.x)
#        PXB_TUN_LOCAL PXB_TUN_PEER (198.19.0.x)
#        PXB_DAEMON_PIDFILE (write the daemon's PID there, digits only, if the
#                            hook does not exec the daemon itself)
#      The hook must keep the daemon in the FOREGROUND, ideally by `exec`ing it
#      (then the hook's PID is the daemon's PID and is used for CPU accounting).
#      If it cannot, it must write the daemon PID to $PXB_DAEMON_PIDFILE within
#      the up-timeout. The daemon must bring up a tunnel interface carrying
#      PXB_TUN_LOCAL with a route to PXB_TUN_PEER. It is stopped with SIGTERM
#      (SIGKILL after 5 s). It must not daemonize into another process group
#      the harness does not know about.
#   3. Readiness = ping to PXB_TUN_PEER works, then a 1400-byte ping works,
#      then PXB_WARMUP seconds of settling.
#   Example hook running tinc 1.1 itself:
#      #!/bin/sh
#      exec /tmp/tinc11/sbin/tincd -D -c "$2" --pidfile="$3" --logfile="$4"
#
# EXAMPLES
#   ./vpn-bench.sh -r 3 -o results.txt veth tinc10 tinc10-aes tinc11 tinc11-legacy
#   ./vpn-bench.sh --summary results.txt
#   PXB_CUSTOM=./hook.sh PXB_CUSTOM_NAME=mydaemon ./vpn-bench.sh custom

set -uo pipefail

SELF="$(readlink -f "$0")"
TINC10_SBIN="${TINC10_SBIN:-/usr/sbin/tincd}"
TINC11_SBIN="${TINC11_SBIN:-/tmp/tinc11/sbin/tincd}"
TINC11_CLI="${TINC11_CLI:-$(dirname "$TINC11_SBIN")/tinc}"
PXB_DURATION="${PXB_DURATION:-10}"
PXB_UDP_RATE="${PXB_UDP_RATE:-1G}"
PXB_UDP_LEN="${PXB_UDP_LEN:-1400}"
PXB_UDP_WINDOW="${PXB_UDP_WINDOW:-4M}"
PXB_PINGS="${PXB_PINGS:-200}"
PXB_UP_TIMEOUT="${PXB_UP_TIMEOUT:-30}"
PXB_PMTU_TIMEOUT="${PXB_PMTU_TIMEOUT:-45}"
PXB_WARMUP="${PXB_WARMUP:-5}"
PXB_KEEP="${PXB_KEEP:-0}"
IPERF_PORT=5201
TINC_PORT=655
IFNAME=pxbtun
UNDER_A=198.18.0.1 UNDER_B=198.18.0.2 UNDER_PLEN=24
TUN_B=198.19.0.2 # node a is 198.19.0.1
ALL_IMPLS="veth veth-nooffload tinc10 tinc10-aes tinc10-bf tinc11 tinc11-legacy interop-10-11 interop-11-10 custom"

PXB_OUT="${PXB_OUT:-}" # results file the metric/comment lines are appended to
log() {
	echo "# $*" >&2
	[ -n "$PXB_OUT" ] && echo "# $*" >>"$PXB_OUT"
	return 0
}
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- summary ---
summary() {
	local f="$1"
	[ -r "$f" ] || die "cannot read $f"
	grep -E '^impl=[^ ]+ metric=[^ ]+ value=[^ ]+ unit=' "$f" |
		sed -E 's/^impl=([^ ]+) metric=([^ ]+) value=([^ ]+) unit=([^ ]*).*/\1 \2 \3 \4/' |
		sort -k1,1 -k2,2 -k3,3g |
		awk '
		function flush(   m) {
			if (n == 0) return
			if (n % 2) m = v[(n + 1) / 2]; else m = (v[n / 2] + v[n / 2 + 1]) / 2
			med[key] = m; cnt[key] = n; un[key] = unit; lo[key] = v[1]; hi[key] = v[n]
			keys[++nk] = key
			n = 0
		}
		{
			k = $1 " " $2
			if (k != key) { flush(); key = k }
			v[++n] = $3; unit = $4
		}
		END {
			flush()
			printf "%-16s %-20s %12s %-7s %2s %12s %12s %8s %8s\n", "impl", "metric", "median", "unit", "n", "min", "max", "/veth", "/veth-no"
			for (i = 1; i <= nk; i++) {
				split(keys[i], p, " ")
				r = "-"; r2 = "-"
				vk = "veth " p[2]; vk2 = "veth-nooffload " p[2]
				if (p[2] ~ /throughput/) {
					if (p[1] != "veth" && (vk in med) && med[vk] != 0) r = sprintf("%.3f", med[keys[i]] / med[vk])
					if (p[1] != "veth-nooffload" && (vk2 in med) && med[vk2] != 0) r2 = sprintf("%.3f", med[keys[i]] / med[vk2])
				}
				printf "%-16s %-20s %12.6g %-7s %2d %12.6g %12.6g %8s %8s\n", p[1], p[2], med[keys[i]], un[keys[i]], cnt[keys[i]], lo[keys[i]], hi[keys[i]], r, r2
			}
		}'
}

# --------------------------------------------------------------- one run ---
NS_A="" NS_B="" WORK="" IMPL="" KIND_A="" KIND_B=""
STARTED_PIDS=()
DAEMON_PID_A="" DAEMON_PID_B=""
TARGET=""

emit() {
	local line
	line=$(printf 'impl=%s metric=%s value=%s unit=%s' "$IMPL" "$1" "$2" "$3")
	echo "$line"
	[ -n "$PXB_OUT" ] && echo "$line" >>"$PXB_OUT"
	return 0
}

ns_exists() { [ -n "$1" ] && [ -e "/run/netns/$1" ]; }

cleanup_one() {
	local rc=$? pid alive
	trap - EXIT INT TERM
	for pid in "${STARTED_PIDS[@]}" $DAEMON_PID_A $DAEMON_PID_B; do
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	done
	for _ in $(seq 1 50); do
		alive=0
		for pid in "${STARTED_PIDS[@]}" $DAEMON_PID_A $DAEMON_PID_B; do
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	for pid in "${STARTED_PIDS[@]}" $DAEMON_PID_A $DAEMON_PID_B; do
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	done
	# anything still inside our own namespaces was started by this run
	for ns in "$NS_A" "$NS_B"; do
		if ns_exists "$ns"; then
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -KILL "$pid" 2>/dev/null
			done
		fi
	done
	wait 2>/dev/null
	for ns in "$NS_A" "$NS_B"; do
		ns_exists "$ns" && ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		if [ "$PXB_KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
	fi
	exit $rc
}

# Run a long command inside a namespace in the background and wait for it, so
# that a TERM/INT trap fires at once instead of after the command finishes.
bgwait_ns() { # bgwait_ns NS CMD... (redirect the call to capture output)
	local ns="$1" p rc
	shift
	ip netns exec "$ns" "$@" &
	p=$!
	STARTED_PIDS+=("$p")
	wait "$p"
	rc=$?
	return $rc
}
nsa() { ip netns exec "$NS_A" "$@"; }
nsb() { ip netns exec "$NS_B" "$@"; }
ns_of() { if [ "$1" = a ]; then echo "$NS_A"; else echo "$NS_B"; fi; }

setup_netns() {
	NS_A="pxb-a-$$" NS_B="pxb-b-$$"
	ns_exists "$NS_A" && die "namespace $NS_A already exists"
	ns_exists "$NS_B" && die "namespace $NS_B already exists"
	ip netns add "$NS_A" || die "ip netns add $NS_A"
	ip netns add "$NS_B" || die "ip netns add $NS_B"
	# create the veth pair directly inside the namespaces (never in root ns)
	ip -n "$NS_A" link add pxbv0 type veth peer name pxbv1 netns "$NS_B" || die "veth"
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_A" addr add "$UNDER_A/$UNDER_PLEN" dev pxbv0
	ip -n "$NS_B" addr add "$UNDER_B/$UNDER_PLEN" dev pxbv1
	ip -n "$NS_A" link set pxbv0 up
	ip -n "$NS_B" link set pxbv1 up
	for _ in $(seq 1 20); do
		nsa timeout 3 ping -q -c 1 -W 1 "$UNDER_B" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "underlay ping failed"
}

proc_cpu_ticks() { # utime+stime of PID in clock ticks
	[ -r "/proc/$1/stat" ] || { echo 0; return; }
	sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
sys_cpu() { # "busy total" jiffies for the whole machine
	awk '/^cpu /{t=0; for (i = 2; i <= NF; i++) t += $i; idle = $5 + $6; print t - idle, t}' /proc/stat
}

# ------------------------------------------------------ config generation ---
node_num() { if [ "$1" = a ]; then echo 1; else echo 2; fi; }
node_peer() { if [ "$1" = a ]; then echo b; else echo a; fi; }

gen_conf() { # gen_conf KIND NODE DIR
	local kind="$1" node="$2" dir="$3" n peer
	n=$(node_num "$node"); peer=$(node_peer "$node")
	mkdir -p "$dir/hosts"
	{
		echo "Name = $node"
		echo "Mode = router"
		echo "Interface = $IFNAME"
		echo "AddressFamily = ipv4"
		[ "$node" = a ] && echo "ConnectTo = b"
		case "$kind" in
		t10aes) echo "Cipher = aes-256-cbc"; echo "Digest = sha256" ;;
		t10bf) echo "Cipher = blowfish"; echo "Digest = sha1" ;;
		t11) echo "ExperimentalProtocol = yes" ;;
		t11leg) echo "ExperimentalProtocol = no" ;;
		custom)
			if [ "${PXB_CUSTOM_PROTO:-sptps}" = legacy ]; then echo "ExperimentalProtocol = no"
			else echo "ExperimentalProtocol = yes"; fi ;;
		esac
	} >"$dir/tinc.conf"
	{
		echo "Address = 198.18.0.$n"
		echo "Port = $TINC_PORT"
		echo "Subnet = 198.19.0.$n/32"
	} >"$dir/hosts/$node"
	cat >"$dir/tinc-up" <<-EOF
	#!/bin/sh
	ip addr add 198.19.0.$n/32 dev "\$INTERFACE"
	ip link set "\$INTERFACE" up
	ip route add 198.19.0.$(node_num "$peer")/32 dev "\$INTERFACE"
	EOF
	printf '#!/bin/sh\nip link set "$INTERFACE" down\n' >"$dir/tinc-down"
	chmod 755 "$dir/tinc-up" "$dir/tinc-down"
	case "$kind" in
	t10 | t10aes | t10bf)
		"$TINC10_SBIN" -c "$dir" -K2048 </dev/null >"$dir/keygen.log" 2>&1 || die "tinc 1.0 key generation failed ($dir/keygen.log)" ;;
	t11 | t11leg)
		"$TINC11_CLI" --batch -c "$dir" generate-keys 2048 </dev/null >"$dir/keygen.log" 2>&1 || die "tinc 1.1 key generation failed" ;;
	custom)
		if [ -n "${PXB_KEYGEN:-}" ]; then
			$PXB_KEYGEN "$dir" </dev/null >"$dir/keygen.log" 2>&1 || die "PXB_KEYGEN key generation failed ($dir/keygen.log)"
		elif [ -x "$TINC11_CLI" ]; then
			"$TINC11_CLI" --batch -c "$dir" generate-keys 2048 </dev/null >"$dir/keygen.log" 2>&1 || die "key generation failed"
		else
			"$TINC10_SBIN" -c "$dir" -K2048 </dev/null >"$dir/keygen.log" 2>&1 || die "key generation failed"
		fi ;;
	esac
}

start_node() { # start_node KIND NODE DIR -> sets DAEMON_PID_<NODE>
	local kind="$1" node="$2" dir="$3" ns pid peer n
	ns=$(ns_of "$node"); peer=$(node_peer "$node"); n=$(node_num "$node")
	case "$kind" in
	t10 | t10aes | t10bf)
		local osslconf="${OPENSSL_CONF:-}"
		if [ "$kind" = t10bf ]; then
			# OpenSSL 3 only offers bf-cbc through its legacy provider
			osslconf="$WORK/openssl-legacy.cnf"
			printf '%s\n' 'openssl_conf = openssl_init' '[openssl_init]' 'providers = provider_sect' \
				'[provider_sect]' 'default = default_sect' 'legacy = legacy_sect' \
				'[default_sect]' 'activate = 1' '[legacy_sect]' 'activate = 1' >"$osslconf"
		fi
		OPENSSL_CONF="$osslconf" ip netns exec "$ns" "$TINC10_SBIN" -D -c "$dir" --pidfile="$dir/tincd.pid" --logfile="$dir/tincd.log" \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$! ;;
	t11 | t11leg)
		ip netns exec "$ns" "$TINC11_SBIN" -D -c "$dir" --pidfile="$dir/tincd.pid" --logfile="$dir/tincd.log" \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$! ;;
	custom)
		local pn
		pn=$(node_num "$peer")
		(
			export PXB_NODE="$node" PXB_PEER="$peer" PXB_CONFDIR="$dir" PXB_PIDFILE="$dir/daemon.pidfile" \
				PXB_LOGFILE="$dir/daemon.log" PXB_NETNS="$ns" PXB_IFNAME="$IFNAME" PXB_PORT="$TINC_PORT" \
				PXB_UNDERLAY_LOCAL="198.18.0.$n" PXB_UNDERLAY_PEER="198.18.0.$pn" \
				PXB_TUN_LOCAL="198.19.0.$n" PXB_TUN_PEER="198.19.0.$pn" \
				PXB_DAEMON_PIDFILE="$dir/daemon.pid"
			exec ip netns exec "$ns" "$PXB_CUSTOM" "$node" "$dir" "$dir/daemon.pidfile" "$dir/daemon.log"
		) </dev/null >"$dir/stdout.log" 2>&1 &
		pid=$! ;;
	*) die "unknown node kind $kind" ;;
	esac
	STARTED_PIDS+=("$pid")
	if [ "$node" = a ]; then DAEMON_PID_A=$pid; else DAEMON_PID_B=$pid; fi
}

resolve_custom_pids() { # the hook may have written the real daemon PID
	local node f p
	for node in a b; do
		f="$WORK/$node/daemon.pid"
		if [ -s "$f" ]; then
			p=$(tr -dc '0-9' <"$f")
			if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
				if [ "$node" = a ]; then DAEMON_PID_A=$p; else DAEMON_PID_B=$p; fi
				STARTED_PIDS+=("$p")
			fi
		fi
	done
}

# prints "pmtu min max cipher digest" for the peer as seen by NODE, or nothing
pmtu_state() { # pmtu_state KIND NODE
	local kind="$1" node="$2" dir="$WORK/$2" peer pid line
	peer=$(node_peer "$node")
	case "$kind" in
	t10 | t10aes | t10bf)
		if [ "$node" = a ]; then pid=$DAEMON_PID_A; else pid=$DAEMON_PID_B; fi
		kill -USR2 "$pid" 2>/dev/null || return
		sleep 0.3
		line=$(grep -E " $peer at .* pmtu [0-9]+ \(min [0-9]+ max [0-9]+\)" "$dir/tincd.log" 2>/dev/null | tail -n 1)
		[ -n "$line" ] || return
		echo "$line" | sed -E 's/.* cipher ([0-9]+) digest ([0-9]+) .* pmtu ([0-9]+) \(min ([0-9]+) max ([0-9]+)\).*/\3 \4 \5 \1 \2/' ;;
	t11 | t11leg)
		line=$(timeout 5 "$TINC11_CLI" --batch -c "$dir" --pidfile="$dir/tincd.pid" dump nodes 2>/dev/null | grep -E "^$peer id ")
		[ -n "$line" ] || return
		echo "$line" | sed -E 's/.* cipher ([0-9]+) digest ([0-9]+) .* pmtu ([0-9]+) \(min ([0-9]+) max ([0-9]+)\).*/\3 \4 \5 \1 \2/' ;;
	esac
}

wait_ready() {
	local t0 t1 ok=0 node st all
	t0=$(date +%s.%N)
	for _ in $(seq 1 $((PXB_UP_TIMEOUT * 2))); do
		if nsa timeout 3 ping -q -c 1 -W 1 "$TARGET" >/dev/null 2>&1; then ok=1; break; fi
		for node in a b; do
			local p; if [ "$node" = a ]; then p=$DAEMON_PID_A; else p=$DAEMON_PID_B; fi
			[ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && die "daemon on node $node exited early (see logs)"
		done
		sleep 0.5
	done
	[ "$ok" = 1 ] || die "tunnel did not pass ping within ${PXB_UP_TIMEOUT}s"
	t1=$(date +%s.%N)
	emit tunnel_up_time "$(echo "$t1 - $t0" | bc -l | xargs printf '%.3f')" s
	[ "$KIND_A" = custom ] && resolve_custom_pids
	log "impl=$IMPL daemon a: pid=$DAEMON_PID_A comm=$(cat "/proc/$DAEMON_PID_A/comm" 2>/dev/null); daemon b: pid=$DAEMON_PID_B comm=$(cat "/proc/$DAEMON_PID_B/comm" 2>/dev/null)"
	if [ "$KIND_A" = custom ] || [ "$KIND_B" = custom ]; then
		ok=0
		for _ in $(seq 1 20); do
			if nsa timeout 3 ping -q -c 1 -W 1 -s "$PXB_UDP_LEN" "$TARGET" >/dev/null 2>&1; then ok=1; break; fi
			sleep 0.5
		done
		[ "$ok" = 1 ] || die "1400-byte ping through tunnel failed"
		sleep "$PXB_WARMUP"
		return 0
	fi
	# tinc: wait until PMTU discovery has settled in both directions
	local deadline=$(($(date +%s) + PXB_PMTU_TIMEOUT)) sa="" sb=""
	while [ "$(date +%s)" -lt "$deadline" ]; do
		# keep some traffic flowing in both directions (tinc 1.1 probes on demand)
		nsa timeout 3 ping -q -c 3 -i 0.2 -W 1 -s 1200 "$TARGET" >/dev/null 2>&1
		sa=$(pmtu_state "$KIND_A" a); sb=$(pmtu_state "$KIND_B" b)
		all=1
		for st in "$sa" "$sb"; do
			set -- $st
			if [ $# -lt 3 ] || [ "$2" -le 0 ] || [ "$2" != "$3" ]; then all=0; fi
		done
		[ "$all" = 1 ] && break
		sleep 0.5
	done
	log "impl=$IMPL pmtu(a->b: pmtu min max cipher digest)=[$sa] pmtu(b->a)=[$sb] settled=$all"
	set -- $sa; [ $# -ge 3 ] && emit pmtu_a_to_b "$1" bytes
	set -- $sb; [ $# -ge 3 ] && emit pmtu_b_to_a "$1" bytes
	emit pmtu_settled "$all" bool
	[ "$all" = 1 ] || log "WARNING: impl=$IMPL PMTU not settled after ${PXB_PMTU_TIMEOUT}s (UDP path broken? traffic may be going over the TCP meta connection); measuring anyway"
	emit pmtu_settle_time "$(echo "$(date +%s.%N) - $t1" | bc -l | xargs printf '%.3f')" s
}

# ------------------------------------------------------------------ tests ---
start_iperf_server() {
	local tag="$1"
	ip netns exec "$NS_B" timeout -k 5 $((PXB_DURATION + 60)) iperf3 -s -1 -B "$TARGET" -p "$IPERF_PORT" \
		</dev/null >"$WORK/srv-$tag.log" 2>&1 &
	SRV_PID=$!
	STARTED_PIDS+=("$SRV_PID")
	for _ in $(seq 1 50); do
		nsb ss -Hltn "sport = :$IPERF_PORT" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	die "iperf3 server did not start"
}
stop_iperf_server() {
	for _ in $(seq 1 50); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
	kill -TERM "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
}

iperf_client() { # iperf_client TAG args...
	local tag="$1"; shift
	start_iperf_server "$tag"
	bgwait_ns "$NS_A" timeout -k 5 $((PXB_DURATION + 30)) iperf3 -c "$TARGET" -p "$IPERF_PORT" -t "$PXB_DURATION" -J "$@" \
		</dev/null >"$WORK/$tag.json" 2>"$WORK/$tag.err"
	local rc=$?
	stop_iperf_server
	if [ $rc -ne 0 ] || ! jq -e '(.error == null) and ((.end // {}) | length > 0)' "$WORK/$tag.json" >/dev/null 2>&1; then
		log "impl=$IMPL test=$tag iperf3 failed rc=$rc: $(jq -r '.error // empty' "$WORK/$tag.json" 2>/dev/null | head -c 200)"
		return 1
	fi
}

test_ping() {
	local out
	bgwait_ns "$NS_A" timeout -k 2 $((PXB_PINGS / 50 + 20)) ping -q -c "$PXB_PINGS" -i 0.01 -W 1 "$TARGET" \
		</dev/null >"$WORK/ping.out" 2>&1
	out=$(cat "$WORK/ping.out")
	local rtt loss
	rtt=$(echo "$out" | sed -nE 's/^rtt min\/avg\/max\/mdev = ([0-9.]+)\/([0-9.]+)\/([0-9.]+)\/([0-9.]+) ms.*/\1 \2 \3/p')
	loss=$(echo "$out" | sed -nE 's/.* ([0-9.]+)% packet loss.*/\1/p')
	if [ -n "$rtt" ]; then
		set -- $rtt
		emit ping_rtt_avg "$2" ms
		emit ping_rtt_max "$3" ms
		emit ping_rtt_min "$1" ms
	else
		log "impl=$IMPL ping test failed: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
	[ -n "$loss" ] && emit ping_loss "$loss" %
}

test_tcp1() {
	local ca0 cb0 ca1 cb1 s0 s1 tck bytes
	tck=$(getconf CLK_TCK)
	ca0=$(proc_cpu_ticks "${DAEMON_PID_A:-0}"); cb0=$(proc_cpu_ticks "${DAEMON_PID_B:-0}"); s0=$(sys_cpu)
	iperf_client tcp1 || return 0
	ca1=$(proc_cpu_ticks "${DAEMON_PID_A:-0}"); cb1=$(proc_cpu_ticks "${DAEMON_PID_B:-0}"); s1=$(sys_cpu)
	local j="$WORK/tcp1.json"
	emit tcp1_throughput "$(jq -r '.end.sum_received.bits_per_second / 1e6' "$j")" Mbit/s
	emit tcp1_retransmits "$(jq -r '.end.sum_sent.retransmits // 0' "$j")" count
	bytes=$(jq -r '.end.sum_received.bytes' "$j")
	emit tcp1_bytes "$bytes" bytes
	emit tcp1_iperf_snd_cpu "$(jq -r '.end.cpu_utilization_percent.host_total' "$j")" %
	emit tcp1_iperf_rcv_cpu "$(jq -r '.end.cpu_utilization_percent.remote_total' "$j")" %
	# shellcheck disable=SC2086
	emit tcp1_sys_busy "$(echo "$s0 $s1" | awk '{d = $4 - $2; print (d > 0 ? 100 * ($3 - $1) / d : 0)}')" %
	if [ -n "$DAEMON_PID_A" ]; then
		local a b
		a=$(echo "($ca1 - $ca0) / $tck" | bc -l | sed 's/^\./0./')
		b=$(echo "($cb1 - $cb0) / $tck" | bc -l | sed 's/^\./0./')
		emit cpu_a_tcp1 "$(printf '%.2f' "$a")" s
		emit cpu_b_tcp1 "$(printf '%.2f' "$b")" s
		if [ "${bytes:-0}" != 0 ]; then
			emit cpu_per_gb_a "$(echo "$a / ($bytes / 1000000000)" | bc -l | xargs printf '%.3f')" s/GB
			emit cpu_per_gb_b "$(echo "$b / ($bytes / 1000000000)" | bc -l | xargs printf '%.3f')" s/GB
			emit cpu_per_gb_total "$(echo "($a + $b) / ($bytes / 1000000000)" | bc -l | xargs printf '%.3f')" s/GB
		fi
	fi
}

test_tcp4() {
	iperf_client tcp4 -P 4 || return 0
	local j="$WORK/tcp4.json"
	emit tcp4_throughput "$(jq -r '.end.sum_received.bits_per_second / 1e6' "$j")" Mbit/s
	emit tcp4_retransmits "$(jq -r '.end.sum_sent.retransmits // 0' "$j")" count
}

test_udp() {
	local len="$PXB_UDP_LEN" mtu
	if ! iperf_client udp -u -b "$PXB_UDP_RATE" -l "$len" -w "$PXB_UDP_WINDOW"; then
		# A tunnel whose MTU cannot carry the datagram answers with ICMP
		# "fragmentation needed" (iperf3 sends with DF), and the connected UDP
		# socket then fails with EMSGSIZE. Retry once with the largest payload
		# that fits the path MTU the kernel learnt for the target.
		grep -q 'Message too long' "$WORK/udp.json" 2>/dev/null || return 0
		mtu=$(ip -n "$NS_A" route get "$TARGET" 2>/dev/null | sed -nE 's/.* mtu ([0-9]+).*/\1/p' | head -n 1)
		[ -n "$mtu" ] || return 0
		len=$((mtu - 28))
		[ "$len" -lt "$PXB_UDP_LEN" ] || return 0
		log "impl=$IMPL udp: ${PXB_UDP_LEN}-byte datagrams exceed the tunnel path MTU ($mtu); retrying with $len"
		sleep 1
		iperf_client udp -u -b "$PXB_UDP_RATE" -l "$len" -w "$PXB_UDP_WINDOW" || return 0
	fi
	emit udp_len "$len" bytes
	local j="$WORK/udp.json" secs lost pk rx
	# iperf3 >= 3.11 reports sum_sent / sum_received for UDP; older ones only .end.sum
	emit udp_offered "$(jq -r '(.end.sum_sent // .end.sum).bits_per_second / 1e6' "$j")" Mbit/s
	# received rate = bytes the server got / sender's test duration. (The
	# server's own .sum_received.seconds also counts the wait for the test-end
	# message on the TCP control connection, which can take seconds when the
	# tunnel is flooded, so its bits_per_second understates the rate.)
	rx=$(jq -r '.end.sum_received.bytes // empty' "$j")
	secs=$(jq -r '(.end.sum_sent // .end.sum).seconds' "$j")
	if [ -n "$rx" ]; then
		emit udp_throughput "$(echo "$rx $secs" | awk '{print $1 * 8 / $2 / 1e6}')" Mbit/s
	else
		pk=$(jq -r '.end.sum.packets' "$j"); lost=$(jq -r '.end.sum.lost_packets' "$j")
		emit udp_throughput "$(echo "$pk $lost $secs $len" | awk '{print ($1 - $2) * $4 * 8 / $3 / 1e6}')" Mbit/s
	fi
	emit udp_loss "$(jq -r '(.end.sum_received // .end.sum).lost_percent' "$j")" %
	emit udp_jitter "$(jq -r '.end.sum.jitter_ms' "$j")" ms
}

run_one() {
	IMPL="$1"
	case "$IMPL" in
	veth | veth-nooffload) KIND_A=none KIND_B=none ;;
	tinc10) KIND_A=t10 KIND_B=t10 ;;
	tinc10-aes) KIND_A=t10aes KIND_B=t10aes ;;
	tinc10-bf) KIND_A=t10bf KIND_B=t10bf ;;
	tinc11) KIND_A=t11 KIND_B=t11 ;;
	tinc11-legacy) KIND_A=t11leg KIND_B=t11leg ;;
	interop-10-11) KIND_A=t10 KIND_B=t11 ;;
	interop-11-10) KIND_A=t11 KIND_B=t10 ;;
	custom)
		KIND_A=custom KIND_B=custom
		[ -n "${PXB_CUSTOM:-}" ] && [ -x "$PXB_CUSTOM" ] || die "custom: PXB_CUSTOM must point to an executable hook"
		IMPL="${PXB_CUSTOM_NAME:-custom}" ;;
	*) die "unknown implementation '$IMPL' (try --list)" ;;
	esac
	[ "$(id -u)" = 0 ] || die "must run as root"
	local tool
	for tool in ip ss iperf3 jq ping timeout bc; do
		command -v "$tool" >/dev/null || die "missing tool: $tool"
	done
	case "$KIND_A$KIND_B" in *t10*) [ -x "$TINC10_SBIN" ] || die "tinc 1.0 not found at $TINC10_SBIN" ;; esac
	case "$KIND_A$KIND_B" in *t11*) [ -x "$TINC11_SBIN" ] && [ -x "$TINC11_CLI" ] || die "tinc 1.1 not found at $TINC11_SBIN / $TINC11_CLI" ;; esac

	trap cleanup_one EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	WORK=$(mktemp -d /tmp/pxb.XXXXXX)
	setup_netns

	if [ "$KIND_A" = none ]; then
		TARGET=$UNDER_B
		if [ "$IMPL" = veth-nooffload ]; then
			command -v ethtool >/dev/null || die "veth-nooffload needs ethtool"
			nsa ethtool -K pxbv0 tso off gso off gro off >/dev/null 2>&1 || die "ethtool -K failed"
			nsb ethtool -K pxbv1 tso off gso off gro off >/dev/null 2>&1 || die "ethtool -K failed"
		fi
	else
		TARGET=$TUN_B
		gen_conf "$KIND_A" a "$WORK/a"
		gen_conf "$KIND_B" b "$WORK/b"
		cp "$WORK/a/hosts/a" "$WORK/b/hosts/a"
		cp "$WORK/b/hosts/b" "$WORK/a/hosts/b"
		start_node "$KIND_B" b "$WORK/b"
		start_node "$KIND_A" a "$WORK/a"
		wait_ready
	fi
	test_ping
	sleep 1
	test_tcp1
	sleep 1
	test_tcp4
	sleep 1
	test_udp
	if [ "$KIND_A" != none ]; then
		local p
		for p in "$DAEMON_PID_A" "$DAEMON_PID_B"; do
			kill -0 "$p" 2>/dev/null || log "WARNING: impl=$IMPL daemon $p died during the tests"
		done
	fi
	return 0
}

# ------------------------------------------------------------------- main ---
usage() { sed -n '3,41p' "$SELF" | sed 's/^# \{0,1\}//'; }

cleanup_stale() { # remove namespaces left by runs of this script that were SIGKILLed
	local f ns owner pid
	for f in /run/netns/pxb-a-* /run/netns/pxb-b-*; do
		[ -e "$f" ] || continue
		ns=${f##*/}; owner=${ns##*-}
		if kill -0 "$owner" 2>/dev/null; then log "skip $ns (run $owner still alive)"; continue; fi
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" && log "removed stale namespace $ns"
	done
}

main() {
	local rounds=1 impl r rc
	while [ $# -gt 0 ]; do
		case "$1" in
		--one) shift; run_one "$1"; exit $? ;;
		--summary) summary "$2"; exit $? ;;
		--cleanup-stale) cleanup_stale; exit 0 ;;
		--list) echo "$ALL_IMPLS" | tr ' ' '\n'; exit 0 ;;
		-h | --help) usage; exit 0 ;;
		-r) rounds="$2"; shift 2 ;;
		-o) PXB_OUT="$(readlink -f "$2")"; shift 2 ;;
		--) shift; break ;;
		-*) die "unknown option $1" ;;
		*) break ;;
		esac
	done
	[ $# -gt 0 ] || { usage; exit 2; }
	export PXB_OUT
	CHILD=""
	# background children of a non-interactive shell ignore SIGINT, so always forward TERM
	trap '[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null; wait; exit 143' TERM
	trap '[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null; wait; exit 130' INT
	log "date=$(date -u +%Y-%m-%dT%H:%M:%SZ) kernel=$(uname -r) nproc=$(nproc) duration=$PXB_DURATION udp_rate=$PXB_UDP_RATE udp_len=$PXB_UDP_LEN udp_window=$PXB_UDP_WINDOW rounds=$rounds impls=$*"
	for r in $(seq 1 "$rounds"); do
		for impl in "$@"; do
			log "run round=$r impl=$impl start=$(date -u +%H:%M:%S)"
			"$SELF" --one "$impl" &
			CHILD=$!
			wait "$CHILD"
			rc=$?
			CHILD=""
			[ $rc -ne 0 ] && log "run round=$r impl=$impl FAILED rc=$rc"
		done
	done
	return 0
}

main "$@"
