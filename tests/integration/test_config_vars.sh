#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# tinc variables that used to be accepted and ignored, in a running daemon:
# FWMark marks every packet alpha sends to beta's underlay address (nftables
# counts marked and unmarked ones), BindToInterface and ListenAddress limit
# where alpha listens, ProcessPriority sets its nice value, ScriptsInterpreter
# and ScriptsExtension run a non-executable tinc-up.sh, and a variable Plexus
# does not implement is logged. Then Sandbox refuses to start.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd nft ss ping

two_node_net "$PXT_KIND" plexus
[ "${N_KIND[alpha]}" = plexus ] || skip "alpha must be a Plexus node"
node_conf alpha "FWMark = 4660" "BindToInterface = eth0" "ListenAddress = $(underlay_addr alpha)" \
	"ProcessPriority = low" "ScriptsInterpreter = /bin/sh" "ScriptsExtension = .sh" "LocalDiscoveryAddress = 198.18.0.255"
mv "${N_DIR[alpha]}/tinc-up" "${N_DIR[alpha]}/tinc-up.sh"
mv "${N_DIR[alpha]}/tinc-down" "${N_DIR[alpha]}/tinc-down.sh"
chmod 644 "${N_DIR[alpha]}/tinc-up.sh" "${N_DIR[alpha]}/tinc-down.sh"

# Packets from alpha to beta's underlay address, marked (0x1234) or not.
in_ns alpha nft add table inet pxmark || fail "nft table"
in_ns alpha nft add chain inet pxmark out '{ type filter hook output priority 0 ; policy accept ; }' ||
	fail "nft chain"
in_ns alpha nft add counter inet pxmark marked
in_ns alpha nft add counter inet pxmark unmarked
in_ns alpha nft add rule inet pxmark out ip daddr "$(underlay_addr beta)" meta mark 0x1234 counter name marked
in_ns alpha nft add rule inet pxmark out ip daddr "$(underlay_addr beta)" meta mark != 0x1234 counter name unmarked
count() { in_ns alpha nft list counter inet pxmark "$1" | sed -nE 's/.*packets ([0-9]+).*/\1/p' | head -n 1; }

start_node beta
start_node alpha
up_and_ping alpha beta 30
marked=$(count marked) unmarked=$(count unmarked)
note "alpha -> beta underlay packets: $marked with FWMark 0x1234, $unmarked without"
[ "$marked" -gt 0 ] || fail "no packet from alpha carried FWMark"
[ "$unmarked" = 0 ] || fail "$unmarked packets from alpha left without FWMark"

listen=$(in_ns alpha ss -Htuln | awk '{print $5}' | sort -u | tr '\n' ' ')
note "alpha listens on: $listen"
want="$(underlay_addr alpha)%eth0:$PXT_PORT"
for l in $listen; do
	[ "$l" = "$want" ] || fail "alpha listens on $l, expected only $want (ListenAddress, BindToInterface)"
done
[ -n "$listen" ] || fail "alpha listens nowhere"

nice=$(awk '{print $19}' "/proc/${N_PID[alpha]}/stat")
note "alpha's nice value: $nice"
[ "$nice" = 10 ] || fail "ProcessPriority = low: nice is $nice, expected 10"
grep -q "tinc-up NAME=alpha" "$PXT_TMP/alpha.scripts" || fail "tinc-up.sh did not run through /bin/sh"
assert_log alpha "Variable LocalDiscoveryAddress is obsolete and has no effect: tinc 1.1 dropped it"
assert_alive alpha beta
stop_node alpha

node_conf alpha "Sandbox = normal"
start_node_expect_fail alpha 20
grep -q "Variable Sandbox is not implemented by Plexus; refusing" "${N_OUT[alpha]}" "${N_LOG[alpha]}" ||
	fail "Sandbox = normal: no refusal message"
note "Sandbox = normal refused (exit $PXT_RC)"
pass
