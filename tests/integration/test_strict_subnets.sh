#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# StrictSubnets (issue 11) with real daemons in network namespaces:
#   S  StrictSubnets = yes. Also has hosts/Z for a node that never runs.
#   V  the victim, ConnectTo S; owns 198.19.7.0/24 too (198.19.7.1 is on its
#      interface)
#   F  an authenticated member gone bad: the test-only forger plugin
#      (tests/integration/forger/forger.c, built here) broadcasts the lines
#      the test appends to a file, ConnectTo S
#   O  an observer without StrictSubnets, ConnectTo S: sees what S forwards
# F claims 198.19.7.1/32 (a more specific prefix of V's subnet) three times,
# withdraws V's 198.19.7.0/24 and claims a subnet for an unknown node M.
# S must store and forward none of it (its `dump subnets` and O's are
# checked), log the refusal of F's claim exactly once, and pings from S and
# O to 198.19.7.1 must still reach V. Then S's host files change and
# `plexus reload` must apply them: a new Subnet for F is taken and announced,
# hosts/Z removed takes Z's subnet away.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd cc
require_kind plexus

LINES=$PXT_TMP/forger.lines
T0=$SECONDS

wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# has_subnet NODE SUBNET OWNER: is "SUBNET OWNER" in NODE's `dump subnets`?
# (the compact syntax drops /32 and #10)
has_subnet() {
	plexus_cli "$1" dump subnets 2>/dev/null | grep -Eq "^$2 owner $3\$"
}

show_subnets() { plexus_cli "$1" dump subnets 2>&1 | tr '\n' ';'; }

SENT=0
# forge LINE...: F broadcasts the lines (waits until it did)
forge() {
	printf '%s\n' "$@" >>"$LINES"
	SENT=$((SENT + $#))
	wait_log F "forger: line $SENT \([0-9]+ bytes\) broadcast" 10 || fail "F did not broadcast line $SENT"
}

nonce() { printf '%x' $((RANDOM * 32768 + RANDOM + 1)); }

# --------------------------------------------------------------- setup ---

FORGER_DIR=$PXT_TMP/forger
mkdir -p "$FORGER_DIR"
cc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -I"$PXT_SRCDIR/sdk" \
	-o "$FORGER_DIR/forger.so" "$PXT_SRCDIR/tests/integration/forger/forger.c" 2>"$PXT_TMP/forger.build" ||
	fail "building the forger plugin: $(cat "$PXT_TMP/forger.build")"
: >"$LINES"

make_node S plexus
make_node V plexus
make_node F plexus
make_node O plexus
connect_to V S
connect_to F S
connect_to O S
node_conf S "StrictSubnets = yes"
host_conf V "Subnet = 198.19.7.0/24"
echo 'ip addr add 198.19.7.1/32 dev "$INTERFACE"' >>"${N_DIR[V]}/tinc-up"
node_conf F "DisablePlugin = update-hosts" "ForgerLines = $LINES"
exchange_hosts
printf 'Address = 198.18.1.99\nSubnet = 198.19.9.0/24\n' >"${N_DIR[S]}/hosts/Z"
export PXT_NO_EXCHANGE=1

start_node S
start_node V
PLEXUS_PLUGIN_PATH="$FORGER_DIR:$PLEXUS_PLUGIN_PATH" start_node F
start_node O
wait_log F "forger: sending lines from" 10 || fail "F did not load the forger plugin"
up_and_ping S V 30
up_and_ping S F 30
up_and_ping S O 30
wait_ping O 198.19.7.1 15 || fail "O cannot reach V's 198.19.7.1 before the attack"
wait_log F "forger: connection with S active" 10 || fail "F's connection with S not active"

# --- start-up: subnets of every host file, the node need not run -----------
has_subnet S 198.19.9.0/24 Z || fail "S does not know Z's subnet from hosts/Z: $(show_subnets S)"
plexus_cli S dump nodes 2>/dev/null | grep -q '^Z ' || fail "S has no node Z from hosts/Z"
note "start-up: S knows Z's 198.19.9.0/24 from its host file"

# --- the attack ------------------------------------------------------------
forge "10 $(nonce) F 198.19.7.1/32#10" "10 $(nonce) F 198.19.7.1/32#10" \
	"11 $(nonce) V 198.19.7.0/24#10" "10 $(nonce) M 198.19.8.0/24#10" "10 $(nonce) F 198.19.7.1/32#10"
# S handles lines in order: once it refused M's, it has seen them all (on a
# daemon without the check this times out and the checks below fail).
wait_log S "Ignoring unauthorized ADD_SUBNET from F .* for M: 198.19.8.0/24" 5 ||
	note "S logged no refusal of M's subnet"
ping_check S 198.19.7.1 5 0 || fail "S's pings to 198.19.7.1 no longer reach V"
ping_check O 198.19.7.1 5 0 || fail "O's pings to 198.19.7.1 no longer reach V"
note "pings S -> 198.19.7.1 and O -> 198.19.7.1: 5/5 each reach V"

has_subnet S 198.19.7.1 F && fail "S stored F's claim on 198.19.7.1: $(show_subnets S)"
has_subnet O 198.19.7.1 F && fail "S forwarded F's claim on 198.19.7.1 to O: $(show_subnets O)"
has_subnet S 198.19.7.0/24 V || fail "S dropped V's 198.19.7.0/24 on F's DEL_SUBNET: $(show_subnets S)"
has_subnet O 198.19.7.0/24 V || fail "S forwarded F's DEL_SUBNET of V's subnet to O: $(show_subnets O)"
has_subnet S 198.19.8.0/24 M && fail "S stored a subnet for unknown node M"
has_subnet O 198.19.8.0/24 M && fail "S forwarded a subnet for unknown node M"
plexus_cli S dump nodes 2>/dev/null | grep -q '^M ' && fail "S created node M for a refused subnet"
refusals=$(log_count S "Ignoring unauthorized ADD_SUBNET from F .* for F: 198.19.7.1/32")
[ "$refusals" = 1 ] || fail "S logged the refusal of F's 198.19.7.1/32 $refusals times (3 claims), want 1"
dels=$(log_count S "Ignoring unauthorized DEL_SUBNET from F .* for V: 198.19.7.0/24")
[ "$dels" = 1 ] || fail "S logged the refusal of F's DEL_SUBNET $dels times, want 1"
note "3 claims of 198.19.7.1/32 by F: 0 stored on S, 0 forwarded to O, $refusals log line"

# --- reload: host file changes are applied ----------------------------------
printf 'Subnet = 198.19.10.0/24\n' >>"${N_DIR[S]}/hosts/F"
rm -f "${N_DIR[S]}/hosts/Z"
plexus_cli S reload >/dev/null 2>&1 || fail "plexus reload on S failed"
wait_for 10 has_subnet S 198.19.10.0/24 F || fail "S did not load F's new subnet on reload: $(show_subnets S)"
wait_for 10 has_subnet O 198.19.10.0/24 F || fail "S did not announce F's new subnet to O: $(show_subnets O)"
wait_for 10 eval '! has_subnet S 198.19.9.0/24 Z' || fail "S kept Z's subnet after hosts/Z was removed"
before=$(log_count S "Ignoring unauthorized")
forge "10 $(nonce) F 198.19.10.0/24#10"
ping_check S O 3 0 || fail "S -> O pings lost after the reload"
after=$(log_count S "Ignoring unauthorized")
[ "$after" = "$before" ] || fail "S refused F's subnet that its host file now lists"
note "reload: F's 198.19.10.0/24 taken and announced, Z's 198.19.9.0/24 gone"

assert_alive S V F O
pass "StrictSubnets: $((SENT - 1)) forged lines refused, $refusals log line for 3 identical claims, $((SECONDS - T0)) s"
