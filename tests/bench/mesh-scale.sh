#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Control-plane scale benchmark (not part of CI's default set; a 20-node run
# is, through tests/integration/test_mesh_scale20.sh):
#
#   tests/bench/mesh-scale.sh [--seed S] [--timeout SECONDS] [--autoconnect SETTLE] N
#
# N plexusd nodes, each in its own namespace on one bridge (lib.sh: underlay
# 198.18.1.I/24, tunnel 198.19.0.I/32, so N <= 250), AutoConnect off and a
# random ConnectTo graph from a fixed seed: node I connects to 2 or 3
# distinct random earlier nodes (node 2 to node 1 only). Every daemon is
# started as fast as possible (default debug level), then the script prints
#   converge_s  from the last start until every node's dump of reachable
#               nodes (`plexus dump reachable nodes`, here over the control
#               socket directly) lists N nodes; each node is polled every
#               50 ms until it has
#   quiet_s     from the last start until all daemons together use < 10 % of
#               a core over one second
#   cpu_s       CPU seconds of all daemons together, until quiet
#   rss_*_mb    resident memory per daemon when quiet, median and maximum
#   pings       how many of 10 random pairs (same seed) ping over the VPN
# and exits 0 if the mesh converged, got quiet and every pair pinged.
# --autoconnect SETTLE: AutoConnect = yes and node I (I > 1) has a single
# ConnectTo, to one random earlier node; after convergence the meta
# connections (each node's own edges, over the control socket every 0.5 s)
# must stop changing for SETTLE seconds in a row with no "Closing
# connection" logged meanwhile, and every node must hold at least
# AutoConnect's target of 3. Adds to the RESULT line
#   settle_s    from the last start until the last change of any node's
#               connections
#   conns       connections per node when settled, min/median/max
#   cpu_total_s CPU seconds of all daemons at the end
# PXB_PERF=FILE: `perf record -g` the daemons into FILE until quiet.
# Ed25519 keys only (SPTPS); they are kept in PXB_KEYS (default
# /tmp/pxb-mesh-keys) between runs. Needs root.
. "$(dirname "$0")/../integration/lib.sh"

SEED=1
TIMEOUT=120
AC_SETTLE=
while [ $# -gt 0 ]; do
	case $1 in
	--seed)
		SEED=$2
		shift 2
		;;
	--timeout)
		TIMEOUT=$2
		shift 2
		;;
	--autoconnect)
		AC_SETTLE=$2
		shift 2
		;;
	-h | --help)
		sed -n '4,35p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) fail "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
done
N=${1:-}
[[ "$N" =~ ^[0-9]+$ ]] && ((N >= 2 && N <= 250)) || fail "usage: $0 [--seed S] [--timeout S] N (2..250)"
require_root
require_cmd python3 ping awk
require_kind plexus
require_cli
PXT_LOG_LINES=${PXT_LOG_LINES:-8}
ms_now() { date +%s%3N; }
# the system's interpreter: a version manager's shim can take seconds to
# start on a loaded machine, which would count as convergence time
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
KEYS=${PXB_KEYS:-/tmp/pxb-mesh-keys}
mkdir -p "$KEYS"

# ------------------------------------------------------------ the graph ---
# "I J" lines: node I has ConnectTo = nJ.
awk -v n="$N" -v seed="$SEED" -v one="${AC_SETTLE:+1}" 'BEGIN {
	srand(seed)
	for (i = 2; i <= n; i++) {
		k = (i == 2 || one) ? 1 : 2 + int(rand() * 2)
		if (k > i - 1) k = i - 1
		split("", used)
		for (c = 0; c < k;) {
			j = 1 + int(rand() * (i - 1))
			if (j in used) continue
			used[j] = 1; c++
			print i, j
		}
	}
}' >"$PXT_TMP/graph"

# ------------------------------------------------------------ the nodes ---
note "setting up $N nodes (seed $SEED)"
mkdir -p "$PXT_TMP/hosts"
for ((i = 1; i <= N; i++)); do
	name=n$i
	dir=$PXT_TMP/$name
	mkdir -p "$dir/hosts"
	PXT_NODES+=("$name")
	N_IDX[$name]=$i
	N_KIND[$name]=plexus
	N_DIR[$name]=$dir
	N_LOG[$name]=$PXT_TMP/$name.log
	N_OUT[$name]=$PXT_TMP/$name.out
	N_PIDFILE[$name]=$PXT_TMP/$name.pid
	N_PID[$name]=
	{
		echo "Name = $name"
		echo "Mode = router"
		echo "Interface = $PXT_IFNAME"
		echo "AddressFamily = ipv4"
		if [ -n "$AC_SETTLE" ]; then echo "AutoConnect = yes"; else echo "AutoConnect = no"; fi
		awk -v i="$i" '$1 == i { print "ConnectTo = n" $2 }' "$PXT_TMP/graph"
	} >"$dir/tinc.conf"
	printf '#!/bin/sh\nip addr add 198.19.0.%d/16 dev "$INTERFACE"\nip link set "$INTERFACE" up\n' "$i" >"$dir/tinc-up"
	chmod 755 "$dir/tinc-up"
	if [ ! -s "$KEYS/$name.priv" ] || [ ! -s "$KEYS/$name.pub" ]; then
		"$PLEXUS_CLI" -c "$dir" generate-ed25519-keys </dev/null >"$dir/keygen.log" 2>&1 ||
			fail "key generation for $name: $(cat "$dir/keygen.log")"
		cp "$dir/ed25519_key.priv" "$KEYS/$name.priv"
		grep -i '^Ed25519PublicKey' "$dir/hosts/$name" >"$KEYS/$name.pub"
	fi
	cp "$KEYS/$name.priv" "$dir/ed25519_key.priv"
	chmod 600 "$dir/ed25519_key.priv"
	{
		echo "Address = 198.18.1.$i"
		echo "Port = $PXT_PORT"
		echo "Subnet = 198.19.0.$i/32"
		cat "$KEYS/$name.pub"
	} >"$PXT_TMP/hosts/$name"
done
for ((i = 1; i <= N; i++)); do
	cp "$PXT_TMP"/hosts/* "$PXT_TMP/n$i/hosts/"
	netns_create "$i"
	N_NS[n$i]=$PXT_NS
done
# The kernel's ARP table is one for all namespaces, and its gc_thresh3
# (1024 by default, a root-namespace setting this script leaves alone)
# bounds the learned entries of all of them together: 250 nodes with a
# handful of peers each overflowed it ("No buffer space available", TCP
# connects timing out) and the mesh never converged. Permanent entries do
# not count against it, so from NEIGH_STATIC nodes on every namespace gets
# one for each other node's underlay address.
NEIGH_STATIC=64
if ((N >= NEIGH_STATIC)); then
	note "static neighbour entries ($N x $((N - 1)))"
	declare -A MAC
	for ((i = 1; i <= N; i++)); do
		MAC[$i]=$(ip -n "${N_NS[n$i]}" -br link show eth0 | awk '{ print $3 }')
		[ -n "${MAC[$i]}" ] || fail "no MAC for n$i's eth0"
	done
	for ((i = 1; i <= N; i++)); do
		for ((j = 1; j <= N; j++)); do
			((j == i)) || echo "neigh replace 198.18.1.$j lladdr ${MAC[$j]} dev eth0 nud permanent"
		done | ip -n "${N_NS[n$i]}" -batch - || fail "static neighbours in n$i"
	done
fi

# ------------------------------------------------- CPU and RSS sampler ---
# Samples every daemon's utime+stime every 250 ms; once "$PXT_TMP/go" holds
# the epoch ms of the last start and the daemons used < 0.1 CPU-s over the
# last second, writes "quiet_ms cpu_s rss_median_mb rss_max_mb" to
# "$PXT_TMP/quiet" and exits. Gives up after TIMEOUT seconds.
cat >"$PXT_TMP/sampler.py" <<'EOF'
import os, sys, time
pids_file, go_file, out_file, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
hz = os.sysconf("SC_CLK_TCK")
page = os.sysconf("SC_PAGE_SIZE")
def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return 0
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])
def rss(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * page
    except OSError:
        return 0
start = time.time()
hist = []
while time.time() - start < timeout:
    time.sleep(0.25)
    try:
        go = int(open(go_file).read())
        pids = [int(p) for p in open(pids_file).read().split()]
    except (OSError, ValueError):
        continue
    now = time.time() * 1000
    total = sum(ticks(p) for p in pids)
    hist.append((now, total))
    old = [h for h in hist if h[0] <= now - 1000]
    if now - go >= 1000 and old and (total - old[-1][1]) / hz < 0.1:
        r = sorted(rss(p) for p in pids)
        med = r[len(r) // 2] / 1048576
        with open(out_file, "w") as f:
            f.write(f"{int(now - go)} {total / hz:.2f} {med:.1f} {r[-1] / 1048576:.1f}\n")
        sys.exit(0)
sys.exit(1)
EOF
"$PY" "$PXT_TMP/sampler.py" "$PXT_TMP/pids" "$PXT_TMP/go" "$PXT_TMP/quiet" "$TIMEOUT" &
track_pid $!
SAMPLER=$!

# One control connection per daemon, kept open and shared by the polling
# scripts below (converge.py, settle.py): ctl_open(conns, PIDFILE) returns
# (socket, file) after the greeting, opening it on first use.
cat >"$PXT_TMP/ctl.py" <<'EOF'
import socket
def ctl_open(conns, pf):
    c = conns.get(pf)
    if c is None:
        words = open(pf).read().split()
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(pf[:-len(".pid")] + ".socket")
        f = s.makefile("rw")
        f.write(f"0 ^{words[1]} 0\n"); f.flush()
        f.readline(); f.readline()
        c = conns[pf] = (s, f)
    return c
EOF

# ----------------------------------------------------------- convergence ---
# The control protocol spoken directly (what `plexus dump reachable nodes`
# does, without a process per poll, which on a loaded machine took longer
# than the convergence itself): every node not yet seeing N reachable nodes
# is asked again every 50 ms. Started before the daemons (its own start-up
# must not count); writes the ms from the last start until the last node
# saw N, or "none K" with K nodes short at the timeout, to
# "$PXT_TMP/converged".
cat >"$PXT_TMP/converge.py" <<'EOF'
import socket, sys, time
from ctl import ctl_open
n, go_file, timeout = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
out_file, pidfiles = sys.argv[4], sys.argv[5:]
while True:
    try:
        go = int(open(go_file).read())
        break
    except (OSError, ValueError):
        time.sleep(0.01)
REACHABLE = 1 << 4
conns = {}
def ask(pf):
    s, f = ctl_open(conns, pf)
    f.write("18 3\n"); f.flush()
    count = 0
    while True:
        w = f.readline().split()
        if not w:
            raise OSError("closed")
        if len(w) <= 2:
            return count
        if int(w[12], 16) & REACHABLE:
            count += 1
pending = set(pidfiles)
while pending and time.time() * 1000 - go < timeout * 1000:
    for pf in list(pending):
        try:
            got = ask(pf)
            if got == n:
                pending.discard(pf)
            print(f"{int(time.time() * 1000 - go)} {pf} {got}", file=sys.stderr)
        except (OSError, ValueError, IndexError) as e:
            print(f"{int(time.time() * 1000 - go)} {pf} {e!r}", file=sys.stderr)
            conns.pop(pf, None)
    if pending:
        time.sleep(0.05)
with open(out_file, "w") as f:
    f.write(f"{int(time.time() * 1000 - go)}\n" if not pending else f"none {len(pending)}\n")
EOF
"$PY" "$PXT_TMP/converge.py" "$N" "$PXT_TMP/go" "$TIMEOUT" "$PXT_TMP/converged" \
	$(for name in "${PXT_NODES[@]}"; do echo "${N_PIDFILE[$name]}"; done) 2>"$PXT_TMP/converge.log" &
CONVERGER=$!
track_pid "$CONVERGER"

PERF=
if [ -n "${PXB_PERF:-}" ]; then
	# the whole machine from just before the daemons start until they are
	# quiet (attaching to the PIDs afterwards misses the start); read it
	# with `perf report -i FILE --comm plexusd`
	perf record -a -F 499 -g -o "$PXB_PERF" >"$PXT_TMP/perf.out" 2>&1 &
	PERF=$!
	track_pid "$PERF"
	for ((i = 0; i < 100; i++)); do
		[ -s "$PXB_PERF" ] && break
		sleep 0.1
	done
	sleep 0.5
fi
# ------------------------------------------------------------ start all ---
note "starting $N daemons"
for ((i = 1; i <= N; i++)); do
	name=n$i
	ip netns exec "${N_NS[$name]}" "$PLEXUSD" -c "${N_DIR[$name]}" -D \
		${PXB_DEBUG:+-d$PXB_DEBUG} --pidfile="${N_PIDFILE[$name]}" --logfile="${N_LOG[$name]}" </dev/null >"${N_OUT[$name]}" 2>&1 &
	N_PID[$name]=$!
done
T_LAST=$(ms_now)
for name in "${PXT_NODES[@]}"; do echo "${N_PID[$name]}"; done >"$PXT_TMP/pids"
echo "$T_LAST" >"$PXT_TMP/go"

wait "$CONVERGER"
read -r T_CONV SHORT <"$PXT_TMP/converged" 2>/dev/null || T_CONV=none
for name in "${PXT_NODES[@]}"; do
	pid_alive "${N_PID[$name]}" || fail "daemon of $name (pid ${N_PID[$name]}) exited"
done
if [ "${T_CONV:-none}" != none ]; then
	CONVERGE=$(awk -v ms="$T_CONV" 'BEGIN { printf "%.2f", ms / 1000 }')
else
	T_CONV=
	CONVERGE="none(${SHORT:-?}-nodes-short)"
fi
note "converged: $CONVERGE s after the last start"

wait "$SAMPLER"
if [ -n "$PERF" ]; then
	kill -INT "$PERF" 2>/dev/null
	wait "$PERF" 2>/dev/null
fi
if [ -s "$PXT_TMP/quiet" ]; then
	read -r q_ms CPU RSS_MED RSS_MAX <"$PXT_TMP/quiet"
	QUIET=$(awk -v ms="$q_ms" 'BEGIN { printf "%.2f", ms / 1000 }')
else
	QUIET=none CPU=? RSS_MED=? RSS_MAX=?
fi

# ------------------------------------------------- AutoConnect settling ---
# Each node's own edges (its active meta connections) over the control
# socket every 0.5 s until no node's set changed for SETTLE s (bounded by
# TIMEOUT from the last start). The logs' sizes at the last change mark
# where the quiet window starts. Writes "settle_ms min median max" or
# "none" to "$PXT_TMP/settled", the sizes to "$PXT_TMP/logpos".
if [ -n "$AC_SETTLE" ]; then
	cat >"$PXT_TMP/settle.py" <<'EOF'
import os, socket, sys, time
from ctl import ctl_open
go, settle, timeout = int(open(sys.argv[1]).read()), float(sys.argv[2]), float(sys.argv[3])
out_file, pos_file, pidfiles = sys.argv[4], sys.argv[5], sys.argv[6:]
conns = {}
def peers(pf):
    me = os.path.basename(pf)[:-len(".pid")]
    s, f = ctl_open(conns, pf)
    f.write("18 4\n"); f.flush()
    got = []
    while True:
        w = f.readline().split()
        if not w:
            raise OSError("closed")
        if len(w) <= 2:
            return tuple(sorted(got))
        if w[2] == me:
            got.append(w[3])
def logpos():
    return " ".join(str(os.path.getsize(pf[:-len(".pid")] + ".log")) for pf in pidfiles)
last, last_change, pos = None, 0, ""
while time.time() * 1000 - go < timeout * 1000:
    try:
        snap = tuple(peers(pf) for pf in pidfiles)
    except (OSError, ValueError, IndexError):
        conns.clear()
        snap = None
    now = time.time() * 1000 - go
    if snap != last:
        last, last_change, pos = snap, now, logpos()
    elif snap is not None and now - last_change >= settle * 1000:
        k = sorted(len(p) for p in snap)
        with open(out_file, "w") as f:
            f.write(f"{int(last_change)} {k[0]} {k[len(k) // 2]} {k[-1]}\n")
        with open(pos_file, "w") as f:
            f.write(pos + "\n")
        sys.exit(0)
    time.sleep(0.5)
with open(out_file, "w") as f:
    f.write("none\n")
EOF
	"$PY" "$PXT_TMP/settle.py" "$PXT_TMP/go" "$AC_SETTLE" "$TIMEOUT" "$PXT_TMP/settled" "$PXT_TMP/logpos" \
		$(for name in "${PXT_NODES[@]}"; do echo "${N_PIDFILE[$name]}"; done)
	read -r S_MS C_MIN C_MED C_MAX <"$PXT_TMP/settled" 2>/dev/null || S_MS=none
	SETTLE=none CONNS=none
	if [ "${S_MS:-none}" != none ]; then
		SETTLE=$(awk -v ms="$S_MS" 'BEGIN { printf "%.2f", ms / 1000 }')
		CONNS="$C_MIN/$C_MED/$C_MAX"
		note "settled: no connection changed for $AC_SETTLE s from $SETTLE s on; connections per node min/median/max $CONNS"
		read -r -a POS <"$PXT_TMP/logpos"
		i=0
		for name in "${PXT_NODES[@]}"; do
			if tail -c +"$((POS[i] + 1))" "${N_LOG[$name]}" | grep -q "Closing connection"; then
				tail -c +"$((POS[i] + 1))" "${N_LOG[$name]}" | grep "Closing connection" | head -3
				SETTLE=churn
			fi
			i=$((i + 1))
		done
		((C_MIN >= 3)) || SETTLE=below-target
	fi
fi

# ---------------------------------------------------------------- pings ---
PINGS=0
while read -r a b; do
	in_ns "n$a" ping -n -q -c 3 -i 0.2 -W 1 "198.19.0.$b" >/dev/null 2>&1 && PINGS=$((PINGS + 1))
done < <(awk -v n="$N" -v seed="$SEED" 'BEGIN {
	srand(seed + 1)
	for (k = 0; k < 10; k++) {
		a = 1 + int(rand() * n); do b = 1 + int(rand() * n); while (b == a)
		print a, b
	}
}')

AC=
if [ -n "$AC_SETTLE" ]; then
	CPU_END=$(for name in "${PXT_NODES[@]}"; do awk '{ s = substr($0, index($0, ")") + 2); split(s, f, " "); print f[12] + f[13] }' "/proc/${N_PID[$name]}/stat" 2>/dev/null; done |
		awk -v hz="$(getconf CLK_TCK)" '{ t += $1 } END { printf "%.2f", t / hz }')
	AC=" settle_s=$SETTLE conns=$CONNS cpu_total_s=$CPU_END"
fi
echo "RESULT nodes=$N seed=$SEED converge_s=$CONVERGE quiet_s=$QUIET cpu_s=$CPU rss_median_mb=$RSS_MED rss_max_mb=$RSS_MAX pings=$PINGS/10$AC"
[ -n "$T_CONV" ] && [ "$QUIET" != none ] && ((PINGS == 10)) || fail "mesh of $N did not converge, get quiet or ping"
if [ -n "$AC_SETTLE" ]; then
	[[ "$SETTLE" =~ ^[0-9.]+$ ]] || fail "AutoConnect mesh of $N did not settle ($SETTLE, connections $CONNS)"
fi
pass
