#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Benchmark of data channel compression (not run in CI; needs root):
#
#   tests/bench/compress-bench.sh [LEVELS...]     (default: 0 1 6 10)
#
# Two Plexus nodes in network namespaces (tests/integration/lib.sh), both
# with Compression = LEVEL. For each level and each kind of data, iperf3
# sends for BENCH_SECONDS (default 10) through the tunnel, and we report
#   - goodput (payload Mbit/s as iperf3's receiver counted it),
#   - underlay bytes per payload byte (sender's eth0 tx_bytes),
#   - CPU seconds per GB of payload, of the sending and of the receiving
#     daemon (utime + stime from /proc/PID/stat).
# Data: "text" is a generated log-like text file (compresses about 5:1 with
# zlib), "random" is iperf3's default random payload (incompressible).
#
# Environment: PLEXUS_BUILD (build dir), BENCH_SECONDS, BENCH_PMTU=no to
# turn PMTU discovery off (then UDP is used from the first packet),
# BENCH_PROTO=legacy for the tinc 1.0 protocol (default: SPTPS, every packet
# is flagged compressed or not; legacy has no such flag), BENCH_DATA to pick
# the kinds of data (default "text random").
. "$(dirname "$0")/../integration/lib.sh"
require_root
require_cmd iperf3 python3

SECONDS_EACH=${BENCH_SECONDS:-10}
LEVELS=("$@")
[ ${#LEVELS[@]} -gt 0 ] || LEVELS=(0 1 6 10)
HZ=$(getconf CLK_TCK)

# Log-like text: repetitive structure, varying numbers, like real traffic.
python3 - "$PXT_TMP/text.dat" <<'EOF'
import random, sys
random.seed(1)
verbs = ["GET", "POST", "PUT", "DELETE"]
paths = ["/api/v1/users", "/static/app.js", "/index.html", "/api/v1/orders", "/img/logo.png"]
with open(sys.argv[1], "w") as f:
    size, i = 0, 0
    while size < 4 * 1024 * 1024:
        line = '198.51.100.%d - - [23/Nov/2026:10:%02d:%02d +0000] "%s %s?id=%d HTTP/1.1" %d %d "-" "Mozilla/5.0 (X11; Linux x86_64)"\n' % (
            random.randrange(1, 255), i // 60 % 60, i % 60, random.choice(verbs), random.choice(paths),
            random.randrange(100000), random.choice([200, 200, 200, 304, 404]), random.randrange(100, 50000))
        f.write(line)
        size += len(line)
        i += 1
EOF
# 256 MB (per-packet compression cannot see that the 4 MB block repeats)
for _ in 1 2 3 4 5 6; do
	cat "$PXT_TMP/text.dat" "$PXT_TMP/text.dat" >"$PXT_TMP/text.tmp" && mv "$PXT_TMP/text.tmp" "$PXT_TMP/text.dat"
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tx_bytes() { in_ns "$1" cat /sys/class/net/eth0/statistics/tx_bytes; }

make_node tx plexus
make_node rx plexus
connect_to tx rx
case ${BENCH_PROTO:-sptps} in
legacy) node_conf tx "ExperimentalProtocol = no" && node_conf rx "ExperimentalProtocol = no" ;;
sptps) node_conf tx "ExperimentalProtocol = yes" && node_conf rx "ExperimentalProtocol = yes" ;;
*) fail "BENCH_PROTO must be legacy or sptps" ;;
esac
read -r -a DATAS <<<"${BENCH_DATA:-text random}"
if [ "${BENCH_PMTU:-yes}" = no ]; then
	node_conf tx "PMTUDiscovery = no"
	node_conf rx "PMTUDiscovery = no"
fi

# run_one LEVEL DATA: prints one result line.
run_one() {
	local level=$1 data=$2 srv c0tx c0rx b0 c1tx c1rx b1 json bytes secs args
	in_ns rx iperf3 -s -1 -B "$(tun_addr rx)" >/dev/null 2>&1 &
	srv=$!
	track_pid "$srv"
	sleep 0.5
	args=()
	[ "$data" = text ] && args=(-F "$PXT_TMP/text.dat")
	c0tx=$(cpu_ticks "${N_PID[tx]}")
	c0rx=$(cpu_ticks "${N_PID[rx]}")
	b0=$(tx_bytes tx)
	json=$(in_ns tx iperf3 -c "$(tun_addr rx)" -t "$SECONDS_EACH" -J "${args[@]}" 2>/dev/null)
	c1tx=$(cpu_ticks "${N_PID[tx]}")
	c1rx=$(cpu_ticks "${N_PID[rx]}")
	b1=$(tx_bytes tx)
	wait "$srv" 2>/dev/null
	read -r bytes secs < <(echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)["end"]["sum_received"]
print(d["bytes"], d["seconds"])' 2>/dev/null)
	if [ -z "$bytes" ] || [ "$bytes" = 0 ]; then
		printf '%-6s %-7s iperf3 failed\n' "$level" "$data"
		return
	fi
	python3 - "$level" "$data" "$bytes" "$secs" "$((b1 - b0))" "$((c1tx - c0tx))" "$((c1rx - c0rx))" "$HZ" <<'EOF'
import sys
level, data, nbytes, secs, wire, ctx, crx, hz = sys.argv[1:]
nbytes, secs, wire, ctx, crx, hz = int(nbytes), float(secs), int(wire), int(ctx), int(crx), int(hz)
gb = nbytes / 1e9
print("%-6s %-7s %9.1f %10.3f %12.2f %12.2f" % (level, data, nbytes * 8 / secs / 1e6, wire / nbytes,
      ctx / hz / gb, crx / hz / gb))
EOF
}

echo
echo "level  data    goodput    wire/B   CPU s/GB tx  CPU s/GB rx   (${SECONDS_EACH}s each, $(nproc) CPUs, ${BENCH_PROTO:-sptps})"
for level in "${LEVELS[@]}"; do
	sed -i '/^Compression/d' "${N_CONF[tx]}" "${N_CONF[rx]}"
	node_conf tx "Compression = $level"
	node_conf rx "Compression = $level"
	start_node rx >/dev/null
	start_node tx >/dev/null
	wait_ping tx rx 30 || fail "no tunnel at level $level"
	# let PMTU discovery settle so that full-size frames go over UDP
	in_ns rx timeout 10 iperf3 -s -1 -B "$(tun_addr rx)" >/dev/null 2>&1 &
	warm=$!
	track_pid "$warm"
	sleep 0.5
	in_ns tx iperf3 -c "$(tun_addr rx)" -t 3 >/dev/null 2>&1
	wait "$warm" 2>/dev/null
	for data in "${DATAS[@]}"; do
		run_one "$level" "$data"
	done
	stop_node tx
	stop_node rx
done
