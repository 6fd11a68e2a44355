#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Benchmark Plexus against tinc 1.0.36 in one run (not part of CI):
#
#   tests/bench/run.sh [-r ROUNDS] [-o RESULTS] [EXTRA_IMPL...]
#
# Runs tests/bench/vpn-bench.sh (our two-namespace harness) for "tinc10" and
# for plexusd through the custom hook (legacy protocol, same default cipher
# aes-256-cbc/sha256, keys made by `plexusd -K`), interleaved per round, then
# prints the medians side by side: throughput, latency, CPU seconds per GB.
# EXTRA_IMPL are more harness implementations (e.g. veth) to include.
#
# Environment: PLEXUS_BUILD (default ./build), PXB_DURATION (10 s) and the
# other PXB_* knobs of vpn-bench.sh. Needs root, iperf3, jq, bc.

set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$SRC/tests/bench/vpn-bench.sh
ROUNDS=1
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	-r)
		ROUNDS=$2
		shift 2
		;;
	-o)
		OUT=$2
		shift 2
		;;
	-h | --help)
		sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) break ;;
	esac
done

export PLEXUS_BUILD=${PLEXUS_BUILD:-$SRC/build}
case $PLEXUS_BUILD in /*) ;; *) PLEXUS_BUILD=$PWD/$PLEXUS_BUILD ;; esac
# key generation (plexusd -K) and the hook both need the build's plugins
export PLEXUS_PLUGIN_PATH=${PLEXUS_PLUGIN_PATH:-$PLEXUS_BUILD/plugins}
[ "$(id -u)" = 0 ] || {
	echo "run.sh must run as root" >&2
	exit 1
}
[ -x "$PLEXUS_BUILD/core/plexusd" ] || {
	echo "no plexusd in $PLEXUS_BUILD (build first, or set PLEXUS_BUILD)" >&2
	exit 1
}
for tool in iperf3 jq bc; do
	command -v "$tool" >/dev/null || {
		echo "missing $tool (apt-get install $tool)" >&2
		exit 1
	}
done
[ -n "$OUT" ] || OUT=$(mktemp /tmp/plexus-bench.XXXXXX.txt)
: >"$OUT"

echo "results: $OUT"
PXB_CUSTOM=$SRC/tests/bench/plexus-hook.sh \
	PXB_CUSTOM_NAME=plexus \
	PXB_CUSTOM_PROTO=legacy \
	PXB_KEYGEN="$PLEXUS_BUILD/core/plexusd -K -c" \
	bash "$BENCH" -r "$ROUNDS" -o "$OUT" "$@" tinc10 custom

echo
echo "== medians (vpn-bench.sh --summary)"
bash "$BENCH" --summary "$OUT" >"$OUT.summary"
cat "$OUT.summary"

echo
echo "== side by side"
awk '
	NR == 1 { next }
	{ med[$1 " " $2] = $3; unit[$2] = $4; impls[$1] = 1 }
	END {
		n = split("tcp1_throughput tcp4_throughput udp_throughput udp_loss ping_rtt_avg ping_rtt_max cpu_per_gb_a cpu_per_gb_b cpu_per_gb_total tunnel_up_time", m, " ")
		printf "%-18s %-7s %12s %12s %9s\n", "metric", "unit", "tinc10", "plexus", "plexus/tinc"
		for (i = 1; i <= n; i++) {
			t = ("tinc10 " m[i]) in med ? med["tinc10 " m[i]] : ""
			p = ("plexus " m[i]) in med ? med["plexus " m[i]] : ""
			if (t == "" && p == "") continue
			r = (t != "" && p != "" && t + 0 != 0) ? sprintf("%.2f", p / t) : "-"
			printf "%-18s %-7s %12s %12s %9s\n", m[i], unit[m[i]], (t == "" ? "-" : t), (p == "" ? "-" : p), r
		}
	}' "$OUT.summary"
