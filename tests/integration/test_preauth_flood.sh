#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# What a stranger can cost a daemon before it authenticates:
#   1. 20 000 connections with random bogus ID names (tests/tools/metaabuse.py
#      idflood) against beta (MaxConnectionBurst raised so that every ID is
#      read): beta's RSS may grow by a few MB at most (the negative host-file
#      cache is bounded), and a legitimate node (gamma) connects and pings
#      during the flood.
#   2. MaxConnectionBurst at tinc's default (10) on delta: a burst of 20
#      connections from one address gets at most the per-source burst (5),
#      the rest are closed at once; a legitimate node still connects; bursts
#      from three addresses at once are cut to the global burst plus 1/s.
# Prints RSS before/after and accepted/refused counts.
. "$(dirname "$0")/lib.sh"
require_root
require_kind plexus
require_cmd python3 ping

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

make_node alpha plexus
make_node beta plexus
make_node gamma plexus
connect_to alpha beta
connect_to gamma beta
node_conf beta "MaxConnectionBurst = 1000000"
PXT_DEBUG=0 start_node beta # 60 000 connection log lines would only slow the flood
start_node alpha
up_and_ping alpha beta 30

netns_create 97
EVIL1=$PXT_NS
netns_create 98
EVIL2=$PXT_NS
netns_create 99
EVIL3=$PXT_NS
BETA_IP=$(underlay_addr beta)

# --- 1. bogus ID flood -------------------------------------------------------
# a warm-up round so that buffers and allocator arenas exist before measuring
ip netns exec "$EVIL1" timeout -k 2 60 python3 "$PXT_TOOLS/metaabuse.py" "$BETA_IP" "$PXT_PORT" idflood 500 >/dev/null 2>&1
rss0=$(rss_kb "${N_PID[beta]}")
flood_start=$SECONDS
ip netns exec "$EVIL1" timeout -k 2 120 python3 "$PXT_TOOLS/metaabuse.py" "$BETA_IP" "$PXT_PORT" idflood 20000 \
	>"$PXT_TMP/idflood.out" 2>&1 &
fpid=$!
track_pid "$fpid"
# a legitimate node joins while the flood runs
sleep 1
start_node gamma
wait_ping gamma beta 30 || fail "gamma could not reach beta during the ID flood"
flood_running=no
pid_alive "$fpid" && flood_running=yes
note "gamma connected and pinged beta during the flood (flood still running: $flood_running)"
wait "$fpid" 2>/dev/null
note "$(cat "$PXT_TMP/idflood.out") in $((SECONDS - flood_start)) s"
grep -q "sent 20000 bogus IDs" "$PXT_TMP/idflood.out" || fail "the ID flood did not run: $(cat "$PXT_TMP/idflood.out")"
assert_alive alpha beta gamma
rss1=$(rss_kb "${N_PID[beta]}")
growth=$((rss1 - rss0))
note "beta RSS: ${rss0} kB before, ${rss1} kB after 20000 bogus IDs (growth ${growth} kB)"
if grep -q -- "--enable-sanitizers" "$PLEXUS_BUILD/config.status" 2>/dev/null; then
	# ASan keeps freed memory in quarantine (up to 256 MB): RSS says nothing here
	note "sanitizer build: RSS growth not asserted (ASan quarantine)"
else
	((growth < 4096)) || fail "beta's RSS grew by ${growth} kB for 20000 bogus IDs (bounded cache expected: < 4096 kB)"
fi
ping_check alpha beta 3 1 || fail "alpha -> beta no longer pings after the flood"
ping_check gamma beta 3 1 || fail "gamma -> beta no longer pings after the flood"

# --- 2. MaxConnectionBurst (default 10) and the per-source limit --------------
make_node delta plexus
connect_to delta beta
start_node delta
wait_ping delta beta 30 || fail "delta does not reach beta"
DELTA_IP=$(underlay_addr delta)
burst() { # burst NS: 20 connections at once to delta; prints "accepted A refused R ..."
	ip netns exec "$1" timeout -k 2 30 python3 "$PXT_TOOLS/metaabuse.py" "$DELTA_IP" "$PXT_PORT" burst 20 2>&1
}
count() { echo "$1" | sed -nE "s/.*$2 ([0-9]+).*/\1/p"; }
burst_start=$SECONDS
out1=$(burst "$EVIL1")
note "one address, 20 at once: $out1"
a1=$(count "$out1" accepted)
r1=$(count "$out1" refused)
[ -n "$a1" ] && [ -n "$r1" ] || fail "burst did not run: $out1"
((a1 >= 1 && a1 <= 6)) || fail "one address got $a1 of 20 connections accepted (per-source burst 5 expected)"
# a legitimate node from another address still gets in
node_conf alpha "ConnectTo = delta"
exchange_hosts
plexus_cli alpha reload >/dev/null 2>&1 || kill -HUP "${N_PID[alpha]}"
wait_ping alpha delta 30 || fail "alpha could not reach delta after the burst"
# alpha may have come in through beta: check a direct connection exists
for ((i = 0; i < 100; i++)); do
	grep -q "Connection from $(underlay_addr alpha) " "${N_LOG[delta]}" && break
	sleep 0.2
done
note "alpha connected to delta directly after the burst: $(grep -c "Connection from $(underlay_addr alpha) " "${N_LOG[delta]}") connection(s)"
# three addresses at once: 60 connections, each address within its own
# burst, so only the global MaxConnectionBurst (10, then 1/s) stops them
round_start=$SECONDS
burst "$EVIL1" >"$PXT_TMP/burst1" &
b1=$!
burst "$EVIL2" >"$PXT_TMP/burst2" &
b2=$!
burst "$EVIL3" >"$PXT_TMP/burst3" &
b3=$!
track_pid "$b1"
track_pid "$b2"
track_pid "$b3"
wait "$b1" "$b2" "$b3" 2>/dev/null
elapsed=$((SECONDS - round_start + 1))
total=0
for i in 1 2 3; do
	out=$(cat "$PXT_TMP/burst$i")
	note "address $i of 3 in parallel, 20 at once: $out"
	a=$(count "$out" accepted)
	[ -n "$a" ] || fail "parallel burst $i did not run: $out"
	total=$((total + a))
done
note "accepted from 60 connections by 3 addresses at once (within ${elapsed} s): $total (MaxConnectionBurst 10, then 1/s)"
((total >= 1 && total <= 10 + elapsed)) ||
	fail "delta accepted $total of 60 connections in ${elapsed} s (MaxConnectionBurst = 10, then one a second expected)"
assert_log delta "Refusing connection from .*(MaxConnectionBurst|too many connections from this address)" \
	"no log line about the refused connections"
note "refusal log lines on delta: $(grep -c "Refusing connection" "${N_LOG[delta]}") (rate-limited)"
assert_alive alpha beta gamma delta
ping_check alpha delta 3 1 || fail "alpha -> delta no longer pings"
pass "RSS growth ${growth} kB for 20000 bogus IDs; one address: ${a1} of 20 accepted; three at once: ${total} of 60"
