#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Where the data path spends its time (not CI):
#
#   tests/bench/perf-profile.sh [-p sptps|legacy] [-t SECONDS] [-n TOP] [-u RATE]
#
# Two plexusd nodes in namespaces (the integration tests' lib.sh), one iperf3
# TCP stream alpha -> beta for SECONDS (8), or UDP at RATE (e.g. 1G) with -u,
# while `perf record` samples both daemons (the sender alpha and the receiver
# beta). Prints the iperf3 result and, per daemon, the TOP (20) symbols by
# self time, kernel and user space together. Only this run's namespaces and
# processes are touched; everything is removed on exit.
#
# Environment: PLEXUS_BUILD (default ./build), PXT_KEEP=1 keeps the temp dir
# with perf.data files. Needs root, perf, iperf3.

PROTO=sptps
SECS=8
TOP=20
UDP_RATE=
while [ $# -gt 0 ]; do
	case $1 in
	-p)
		PROTO=$2
		shift 2
		;;
	-t)
		SECS=$2
		shift 2
		;;
	-n)
		TOP=$2
		shift 2
		;;
	-u)
		UDP_RATE=$2
		shift 2
		;;
	-h | --help)
		sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "unknown argument $1 (see --help)" >&2
		exit 2
		;;
	esac
done
case $PROTO in sptps | legacy) ;; *)
	echo "-p wants sptps or legacy" >&2
	exit 2
	;;
esac

. "$(dirname "$0")/../integration/lib.sh"
require_root
require_cmd perf iperf3 ping
require_kind plexus

two_node_net plexus plexus
if [ "$PROTO" = legacy ]; then
	node_conf alpha "ExperimentalProtocol = no"
	node_conf beta "ExperimentalProtocol = no"
fi
start_node beta
start_node alpha
up_and_ping alpha beta 30
# let the path MTU settle so the profile shows the steady state
wait_ping alpha beta 10 >/dev/null
in_ns alpha ping -c 3 -s 1400 -M do "$(addr_of beta)" >/dev/null 2>&1
sleep 3

in_ns beta timeout -k 2 $((SECS + 20)) iperf3 -s -1 -B "$(addr_of beta)" >"$PXT_TMP/iperf-s.txt" 2>&1 &
track_pid $!
for ((i = 0; i < 50; i++)); do
	in_ns beta ss -ltn 2>/dev/null | grep -q ':5201 ' && break
	sleep 0.1
done

for n in alpha beta; do
	perf record -q -g -F 999 -o "$PXT_TMP/perf-$n.data" -p "${N_PID[$n]}" -- sleep $((SECS + 1)) \
		>"$PXT_TMP/perf-$n.log" 2>&1 &
	eval "perf_$n=\$!"
	track_pid $!
done
sleep 0.5
if [ -n "$UDP_RATE" ]; then
	in_ns alpha timeout -k 2 $((SECS + 10)) iperf3 -c "$(addr_of beta)" -u -b "$UDP_RATE" -l 1400 -w 4M \
		-t "$SECS" >"$PXT_TMP/iperf-c.txt" 2>&1
else
	in_ns alpha timeout -k 2 $((SECS + 10)) iperf3 -c "$(addr_of beta)" -t "$SECS" >"$PXT_TMP/iperf-c.txt" 2>&1
fi
# shellcheck disable=SC2154 # set by the eval above
wait "$perf_alpha" "$perf_beta"

echo "== plexus $PROTO, ${UDP_RATE:+UDP at $UDP_RATE, }$SECS s, iperf3:"
grep -E 'sender|receiver' "$PXT_TMP/iperf-c.txt" | sed 's/^/  /'
for n in alpha beta; do
	role=sender
	[ "$n" = beta ] && role=receiver
	echo "== $role ($n): self time by object"
	perf report -i "$PXT_TMP/perf-$n.data" --no-children --sort dso --stdio -g none \
		--percent-limit 1 2>/dev/null | grep -E '^ +[0-9]' | head -n 8
	echo "== $role ($n): top $TOP symbols by self time"
	perf report -i "$PXT_TMP/perf-$n.data" --no-children --sort dso,symbol --stdio -g none \
		--percent-limit 0.5 2>/dev/null | grep -E '^ +[0-9]' | head -n "$TOP"
done
pass
