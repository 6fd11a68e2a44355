#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Issue 11, costs after authentication: an authenticated but malicious
# member floods a daemon with meta requests, in network namespaces:
#   T  plexus target (MaxSubnetsPerNode = 1500, debug level 0)
#   L  plexus legitimate peer                           ConnectTo T
#   F  plexus attacker with the test-only plugin tests/integration/flooder
#      (built here, out of tree)                        ConnectTo T
# Once T's CPU time and RSS are measured, F sends 8000 ADD_EDGE (a chain of
# 2000 made-up nodes and a star of 4000 edges from one made-up node), 20000
# ADD_SUBNET (2000 for each of ten nodes) and 20000 distinct ~1000-byte lines
# of an unhandled broadcast request, then an end marker. The test prints
# T's CPU seconds (from /proc/PID/stat) and RSS growth for the flood and
# asserts bounds on both; T must have applied both caps (log line, nothing
# beyond the cap stored at T or forwarded to L) and still route pings
# between L and itself.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd cc
require_kind plexus

MAX_CPU_MS=${PXT_FLOOD_MAX_CPU_MS:-2000}
MAX_RSS_KB=${PXT_FLOOD_MAX_RSS_KB:-24576}
SUBNET_CAP=1500

# cpu_ms PID: user + system CPU time of PID in milliseconds
cpu_ms() {
	local stat ticks
	stat=$(cat "/proc/$1/stat") || return 1
	stat=${stat##*) } # fields from 3 on; comm may contain spaces
	read -r -a f <<<"$stat"
	ticks=$(getconf CLK_TCK)
	echo $(((f[11] + f[12]) * 1000 / ticks))
}

# rss_kb PID: resident set size in KiB
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

FLOODER_DIR=$PXT_TMP/flooder
TRIGGER=$PXT_TMP/flood.go
mkdir -p "$FLOODER_DIR"
cc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -I"$PXT_SRCDIR/sdk" \
	-o "$FLOODER_DIR/flooder.so" "$PXT_SRCDIR/tests/integration/flooder/flooder.c" 2>"$PXT_TMP/flooder.build" ||
	fail "building the flooder plugin: $(cat "$PXT_TMP/flooder.build")"

make_node T plexus
make_node L plexus
make_node F plexus
connect_to L T
connect_to F T
node_conf T "MaxSubnetsPerNode = $SUBNET_CAP"
node_conf F "FloodTarget = T" "FloodTrigger = $TRIGGER"

PXT_DEBUG=0 start_node T
start_node L
PLEXUS_PLUGIN_PATH="$FLOODER_DIR:$PLEXUS_PLUGIN_PATH" start_node F
wait_log F "flooder: target T" 10 || fail "F did not load the flooder plugin"
up_and_ping L T 30
wait_log F "flooder: connection with T active" 30 || fail "F did not connect to T"
wait_ping F T 30 || fail "no ping F -> T"

T_PID=${N_PID[T]}
cpu0=$(cpu_ms "$T_PID") || fail "cannot read T's CPU time"
rss0=$(rss_kb "$T_PID")
note "T before the flood: ${cpu0} ms CPU, ${rss0} KiB RSS"
start=$SECONDS
touch "$TRIGGER"
wait_log F "flooder: sent all [0-9]+ lines to T" 60 || fail "F did not finish the flood: $(tail -3 "${N_LOG[F]}")"
note "F sent the flood in $((SECONDS - start)) s"
# T has read everything once the end marker's node shows up
for ((i = 0; i < 300; i++)); do
	plexus_cli T dump nodes 2>/dev/null | grep -q '^floodend ' && break
	node_alive T || break
	sleep 0.2
done
assert_alive T L
plexus_cli T dump nodes 2>/dev/null | grep -q '^floodend ' || fail "T did not read the whole flood within 60 s"
cpu1=$(cpu_ms "$T_PID")
rss1=$(rss_kb "$T_PID")
cpu=$((cpu1 - cpu0))
rss=$((rss1 - rss0))
note "T for the flood ($((SECONDS - start)) s): CPU ${cpu} ms, RSS +${rss} KiB (${rss0} -> ${rss1} KiB)"

nodes=$(plexus_cli T dump nodes | wc -l)
edges=$(plexus_cli T dump edges | wc -l)
t_subnets=$(plexus_cli T dump subnets | grep -c ' fc1$')
l_subnets=$(plexus_cli L dump subnets | grep -c ' fc1$')
note "T knows $nodes nodes, $edges edges; fc1 has $t_subnets subnets at T, $l_subnets at L"

((cpu <= MAX_CPU_MS)) || fail "T used ${cpu} ms of CPU for the flood (bound ${MAX_CPU_MS} ms)"
((rss <= MAX_RSS_KB)) || fail "T's RSS grew by ${rss} KiB in the flood (bound ${MAX_RSS_KB} KiB)"
((t_subnets == SUBNET_CAP)) || fail "T stored $t_subnets subnets of fc1, MaxSubnetsPerNode = $SUBNET_CAP"
((l_subnets <= SUBNET_CAP)) || fail "T forwarded $l_subnets subnets of fc1 to L, beyond MaxSubnetsPerNode = $SUBNET_CAP"
assert_log T "MaxSubnetsPerNode \($SUBNET_CAP\) reached for fc[0-9]"
assert_log T "MaxEdgesPerNode \(1024\) reached for fstar"
((edges < 8000)) || fail "T stored $edges edges: MaxEdgesPerNode did not apply to fstar"

ping_check L T 5 1 || fail "pings L -> T lost after the flood"
ping_check T L 5 1 || fail "pings T -> L lost after the flood"
assert_alive T L F
pass "flood of 48001 lines: T used ${cpu} ms CPU, RSS +${rss} KiB; caps applied, L <-> T still pings"
