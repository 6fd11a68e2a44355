#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# SPTPS next to the legacy protocol and tinc 1.0.36, in one run (not CI):
#
#   tests/bench/sptps-bench.sh [-r ROUNDS] [-o RESULTS]
#   tests/bench/sptps-bench.sh -s RESULTS [RESULTS...]   summary only
#
# Per round, tests/bench/vpn-bench.sh runs tinc10, then plexusd through
# tests/bench/plexus-hook.sh with the legacy protocol (PXB_CUSTOM_PROTO=
# legacy: ExperimentalProtocol = no, same default cipher as tinc), then
# plexusd with SPTPS (PXB_CUSTOM_PROTO=sptps: Ed25519 + ChaCha20-Poly1305).
# Keys for both Plexus runs come from `plexusd -K` (RSA and Ed25519).
# Prints the medians side by side: throughput, ping RTT min/avg/max, CPU
# seconds per GB, with the ratios plexus-legacy/tinc10 and plexus-sptps/
# tinc10. -s prints that summary for results files of earlier runs (several
# are pooled, e.g. runs made at different times on a noisy machine).
#
# Environment: PLEXUS_BUILD (default ./build), PXB_DURATION (10 s) and the
# other PXB_* knobs of vpn-bench.sh. Needs root, iperf3, jq, bc.

set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$SRC/tests/bench/vpn-bench.sh
ROUNDS=1
OUT=
ONLY_SUMMARY=0
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
	-s)
		ONLY_SUMMARY=1
		shift
		break
		;;
	-h | --help)
		sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "unknown argument $1 (see --help)" >&2
		exit 2
		;;
	esac
done

# print_summary RESULTS SUMMARY_FILE: medians, side by side, with ratios.
print_summary() {
	echo
	echo "== medians (vpn-bench.sh --summary)"
	bash "$BENCH" --summary "$1" >"$2"
	cat "$2"

	echo
	echo "== side by side (medians; ratios are plexus / tinc10)"
	awk '
		NR == 1 { next }
		{ med[$1 " " $2] = $3; unit[$2] = $4 }
		function get(i, m) { return ((i " " m) in med) ? med[i " " m] : "-" }
		function ratio(p, t) { return (p != "-" && t != "-" && t + 0 != 0) ? sprintf("%.2f", p / t) : "-" }
		END {
			n = split("tcp1_throughput tcp4_throughput udp_throughput udp_loss ping_rtt_min ping_rtt_avg ping_rtt_max ping_loss cpu_per_gb_a cpu_per_gb_b cpu_per_gb_total tunnel_up_time", m, " ")
			printf "%-18s %-7s %12s %14s %13s %14s %13s\n", "metric", "unit", "tinc10", "plexus-legacy", "plexus-sptps", "legacy/tinc10", "sptps/tinc10"
			for (i = 1; i <= n; i++) {
				t = get("tinc10", m[i]); l = get("plexus-legacy", m[i]); s = get("plexus-sptps", m[i])
				if (t == "-" && l == "-" && s == "-") continue
				printf "%-18s %-7s %12s %14s %13s %14s %13s\n", m[i], unit[m[i]], t, l, s, ratio(l, t), ratio(s, t)
			}
			print ""
			print "ping RTT min/avg/max (ms), and avg against tinc10:"
			k = split("tinc10 plexus-legacy plexus-sptps", impl, " ")
			for (i = 1; i <= k; i++) {
				a = get(impl[i], "ping_rtt_avg")
				if (a == "-") continue
				printf "  %-14s %s/%s/%s", impl[i], get(impl[i], "ping_rtt_min"), a, get(impl[i], "ping_rtt_max")
				if (impl[i] != "tinc10" && ratio(a, get("tinc10", "ping_rtt_avg")) != "-")
					printf "   avg x%s", ratio(a, get("tinc10", "ping_rtt_avg"))
				printf "\n"
			}
		}' "$2"
}

if [ "$ONLY_SUMMARY" = 1 ]; then
	[ $# -gt 0 ] || {
		echo "-s wants results files" >&2
		exit 2
	}
	pooled=$(mktemp /tmp/sptps-bench-summary.XXXXXX)
	trap 'rm -f "$pooled" "$pooled.summary"' EXIT
	cat "$@" >"$pooled" || exit 1
	print_summary "$pooled" "$pooled.summary"
	exit 0
fi

export PLEXUS_BUILD=${PLEXUS_BUILD:-$SRC/build}
case $PLEXUS_BUILD in /*) ;; *) PLEXUS_BUILD=$PWD/$PLEXUS_BUILD ;; esac
export PLEXUS_PLUGIN_PATH=${PLEXUS_PLUGIN_PATH:-$PLEXUS_BUILD/plugins}
[ "$(id -u)" = 0 ] || {
	echo "sptps-bench.sh must run as root" >&2
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
[ -n "$OUT" ] || OUT=$(mktemp /tmp/sptps-bench.XXXXXX.txt)
: >"$OUT"
echo "results: $OUT"

plexus_run() { # plexus_run NAME PROTO
	PXB_CUSTOM=$SRC/tests/bench/plexus-hook.sh \
		PXB_CUSTOM_NAME=$1 \
		PXB_CUSTOM_PROTO=$2 \
		PXB_KEYGEN="$PLEXUS_BUILD/core/plexusd -K -c" \
		bash "$BENCH" -r 1 -o "$OUT" custom
}

for ((r = 1; r <= ROUNDS; r++)); do
	echo "== round $r/$ROUNDS"
	bash "$BENCH" -r 1 -o "$OUT" tinc10 || echo "tinc10 run failed" >&2
	plexus_run plexus-legacy legacy || echo "plexus legacy run failed" >&2
	plexus_run plexus-sptps sptps || echo "plexus sptps run failed" >&2
done

print_summary "$OUT" "$OUT.summary"
