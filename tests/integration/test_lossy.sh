#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# Issue 4, acceptance 4: A -- R -- B, with R dropping 5 % of all TCP and UDP
# packets (nftables numgen) and relaying the VPN's UDP through
# tests/tools/impair.py, which delays each datagram by 2 ms + up to 8 ms of
# jitter (so datagrams are reordered). For 60 s of pings and a bulk TCP
# stream through the tunnel:
#   - the VPN stays up: no meta connection closed, no node unreachable, no
#     restart of the UDP channel (MTU discovery restart, SPTPS restart) and
#     the data still goes directly over UDP at the end;
#   - throughput degrades gracefully: the numbers (baseline through the same
#     relay without impairment, then impaired) are printed; the impaired
#     stream must keep at least NC_LOSSY_MIN_KBPS (default 200) kbit/s.
# PingInterval = 10 so that the periodic path checks happen several times
# within the minute. Runs once per protocol (sptps, legacy).
. "$(dirname "$0")/netcond-lib.sh"
require_root
require_cmd iperf3 nft python3 ping
require_cli

NC_WINDOW=${NC_LOSSY_WINDOW:-60}
# MTU discovery restarts are logged at debug level 5 (traffic)
[ "${PXT_DEBUG:-1}" -ge 5 ] 2>/dev/null || PXT_DEBUG=5
nc_make_node A
nc_make_node B
for n in A B; do
	node_conf "$n" "PingInterval = 10"
done
nc_router R
NC_KEEP_ADDRESS=1 nc_behind A R 2 left
NC_KEEP_ADDRESS=1 nc_behind B R 2 right
connect_to A B
nc_impair R A left B right --start-off --delay 2 --jitter 8
nc_start B A
up_and_ping A B 30
nc_check_protocol A B
nc_wait_direct A B 15 || fail "A -> B never used UDP through the relay"

# iperf_run SECONDS JSONFILE: bulk TCP A -> B through the tunnel; prints Mbit/s
iperf_run() {
	in_ns B timeout $(($1 + 30)) iperf3 -s -1 -B "$(tun_addr B)" >"$2.srv" 2>&1 &
	track_pid $!
	sleep 0.5
	in_ns A timeout $(($1 + 25)) iperf3 -c "$(tun_addr B)" -t "$1" -J >"$2" 2>"$2.err"
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
r=d["end"]["sum_received"]; s=d["end"]["sum_sent"]
print("%.2f %d %d" % (r["bits_per_second"]/1e6, r["bytes"], s.get("retransmits", -1)))' "$2" 2>/dev/null || echo "0 0 -1"
}

read -r base_mbps base_bytes base_retr <<<"$(iperf_run 8 "$PXT_TMP/base.json")"
note "baseline through the relay, no impairment: $base_mbps Mbit/s ($base_bytes bytes, $base_retr TCP retransmits)"

restart_re='restarting discovery|restarting it|Closing connection|became unreachable|No response to MTU probes|timed out'
ra=$(log_count A "$restart_re")
rb=$(log_count B "$restart_re")
kill -USR1 "$NC_IMPAIR_PID"
nc_loss R 5
note "impairment on: 5 % loss (both directions, TCP and UDP), 2-10 ms delay with reordering, for $NC_WINDOW s"
t0=$SECONDS
in_ns A timeout $((NC_WINDOW + 20)) ping -n -q -i 0.2 -c $((NC_WINDOW * 5 - 10)) -W 2 "$(tun_addr B)" >"$PXT_TMP/ping.out" 2>&1 &
ppid=$!
track_pid "$ppid"
read -r imp_mbps imp_bytes imp_retr <<<"$(iperf_run $((NC_WINDOW - 5)) "$PXT_TMP/imp.json")"
wait "$ppid"
while ((SECONDS - t0 < NC_WINDOW)); do sleep 1; done
sent_recv=$(sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) (packets )?received.*/\1 \2/p' "$PXT_TMP/ping.out")
read -r psent precv <<<"${sent_recv:-0 0}"
rtt=$(grep -E '^rtt|^round-trip' "$PXT_TMP/ping.out" | sed 's/.*= //')
dropped=$(nc_in R nft list table ip ncloss 2>/dev/null | sed -nE 's/.*counter packets ([0-9]+).*/\1/p')
nc_loss R 0
kill -USR2 "$NC_IMPAIR_PID"
ra2=$(log_count A "$restart_re")
rb2=$(log_count B "$restart_re")

note "impaired: $imp_mbps Mbit/s bulk TCP ($imp_bytes bytes, $imp_retr TCP retransmits)"
note "impaired: pings $precv/$psent answered, rtt min/avg/max/mdev $rtt"
note "R dropped ${dropped:-?} packets"
note "records refused as late or replayed (reordering beyond the replay window, logged at -d5): A $(log_count A '[Ll]ate or replayed') B $(log_count B '[Ll]ate or replayed')"
rm -f "$PXT_TMP/impair.stats"
kill -HUP "$NC_IMPAIR_PID"
for ((i = 0; i < 20; i++)); do
	[ -s "$PXT_TMP/impair.stats" ] && break
	sleep 0.1
done
[ -f "$PXT_TMP/impair.stats" ] && sed 's/^/  relay: /' "$PXT_TMP/impair.stats"
if [ "$base_mbps" != 0 ]; then
	note "throughput ratio impaired/baseline: $(python3 -c "print('%.1f %%' % (100 * $imp_mbps / $base_mbps))")"
fi

# -- verdicts --
if ((ra2 > ra || rb2 > rb)); then
	grep -E "$restart_re" "${N_LOG[A]}" | tail -n 5
	grep -E "$restart_re" "${N_LOG[B]}" | tail -n 5
	fail "channel restarts under 5 % loss: A $((ra2 - ra)), B $((rb2 - rb)) (see above)"
fi
assert_alive A B
[ "$psent" -gt 0 ] || fail "ping did not run"
lost=$((psent - precv))
# 5 % loss on each of the four crossings of R (request and reply, in and
# out of the relay) gives ~19 %; allow 30 %
((lost * 100 <= psent * 30)) || fail "$lost of $psent pings lost (more than 30 %)"
min_kbps=${NC_LOSSY_MIN_KBPS:-200}
python3 -c "import sys; sys.exit(0 if $imp_mbps * 1000 >= $min_kbps else 1)" ||
	fail "impaired throughput $imp_mbps Mbit/s is below $min_kbps kbit/s"
ping_check A B 10 1 || fail "pings lost after the impairment ended"
plexus_cli A info B | grep -q "directly with UDP" || {
	plexus_cli A info B
	fail "A no longer reaches B directly over UDP after the impaired minute"
}
pass "VPN up for $NC_WINDOW s under 5 % loss + reordering: $imp_mbps Mbit/s (baseline $base_mbps)"
