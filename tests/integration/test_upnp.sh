#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# UPnP = yes|udponly, UPnPDiscoverWait, UPnPRefreshPeriod: alpha finds the
# gateway (tests/tools/fake_igd.py, in its own namespace on the same
# bridge) by SSDP multicast and asks it to forward its port, TCP and UDP,
# to its underlay address for twice the refresh period, again every
# refresh period; with udponly only UDP. Then a bad UPnP value is refused
# at start-up. Skips when plexusd was built without libminiupnpc.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3

make_node alpha plexus
ALPHA=$(underlay_addr alpha)
netns_create 99
IGD_NS=$PXT_NS
IGD=198.18.1.99
IGD_LOG=$PXT_TMP/igd.log
# SSDP goes to 239.255.255.250; no namespace has a default route, so give
# multicast one on the bridge, in these two namespaces only.
in_ns alpha ip route add 224.0.0.0/4 dev eth0 || fail "multicast route in alpha"
in_ns "$IGD_NS" ip route add 224.0.0.0/4 dev eth0 || fail "multicast route in the gateway"

: >"$IGD_LOG"
in_ns "$IGD_NS" timeout -k 2 60 python3 "$PXT_TOOLS/fake_igd.py" --addr "$IGD" --http-port 49152 \
	--log "$IGD_LOG" --lifetime 55 >"$PXT_TMP/igd.out" 2>&1 &
track_pid $!
for ((i = 0; i < 50; i++)); do
	grep -q READY "$IGD_LOG" && break
	sleep 0.1
done
grep -q READY "$IGD_LOG" || fail "fake_igd did not start: $(cat "$PXT_TMP/igd.out")"

# count PROTO: AddPortMapping requests for alpha's port and address.
count() {
	grep -c "AddPortMapping proto=$1 ext=$PXT_PORT int=$PXT_PORT client=$ALPHA lease=4 desc=plexusd from" \
		"$IGD_LOG"
}
# wait_count PROTO N SECONDS
wait_count() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

node_conf alpha "DeviceType = dummy" "UPnP = yes" "UPnPDiscoverWait = 1" "UPnPRefreshPeriod = 2"
start_node alpha -d3
for ((i = 0; i < 100; i++)); do
	grep -q "AddPortMapping" "$IGD_LOG" && break
	if grep -q "built without libminiupnpc" "${N_LOG[alpha]}" "${N_OUT[alpha]}"; then
		skip "plexusd was built without libminiupnpc"
	fi
	node_alive alpha || fail "alpha exited: $(tail -5 "${N_LOG[alpha]}")"
	sleep 0.1
done
wait_count TCP 1 10 || fail "no TCP mapping for port $PXT_PORT: $(cat "$IGD_LOG")"
wait_count UDP 1 5 || fail "no UDP mapping for port $PXT_PORT: $(cat "$IGD_LOG")"
t0=$(date +%s%N)
note "first round: TCP and UDP port $PXT_PORT mapped to $ALPHA, lease 4 s"
# The next round comes a refresh period (2 s) after the first began.
wait_count TCP 2 6 || fail "no refresh of the TCP mapping: $(cat "$IGD_LOG")"
wait_count UDP 2 3 || fail "no refresh of the UDP mapping: $(cat "$IGD_LOG")"
note "refreshed $((($(date +%s%N) - t0) / 1000000)) ms after the first mappings were seen"
[ "$(grep -c "M-SEARCH from $ALPHA" "$IGD_LOG")" -ge 2 ] || fail "no second SSDP discovery"
wait_log alpha "UPnP: mapped UDP port $PXT_PORT to $ALPHA for 4 seconds" 5 ||
	fail "alpha did not log the mapping"
assert_alive alpha

# A reload to udponly replaces the worker. The old one may finish a
# request in flight (TCP, then at most one UDP), so from the second UDP
# mapping after the reload on, only UDP may be mapped.
sed -i 's/^UPnP = yes$/UPnP = udponly/' "${N_CONF[alpha]}"
mark=$(wc -l <"$IGD_LOG")
kill -HUP "${N_PID[alpha]}"
after() { tail -n +"$(($1 + 1))" "$IGD_LOG"; }
for ((i = 0; i < 60; i++)); do
	first=$(after "$mark" | grep -n "AddPortMapping proto=UDP" | sed -n '2p' | cut -d: -f1)
	[ -n "$first" ] && break
	sleep 0.1
done
[ -n "$first" ] || fail "reload to udponly: no new UDP mapping: $(cat "$IGD_LOG")"
mark=$((mark + first))
for ((i = 0; i < 60; i++)); do
	[ "$(after "$mark" | grep -c "AddPortMapping proto=UDP")" -ge 1 ] && break
	sleep 0.1
done
[ "$(after "$mark" | grep -c "AddPortMapping proto=UDP")" -ge 1 ] ||
	fail "reload to udponly: UDP mapping not refreshed: $(cat "$IGD_LOG")"
[ "$(after "$mark" | grep -c "AddPortMapping proto=TCP")" = 0 ] ||
	fail "reload to udponly: TCP still mapped: $(cat "$IGD_LOG")"
note "reload to udponly: UDP refreshed, TCP no longer mapped"
assert_alive alpha
stop_node alpha

# udponly from the start: UDP only.
: >"$IGD_LOG"
start_node alpha -d3
wait_count UDP 2 10 || fail "udponly: no UDP mapping and refresh: $(cat "$IGD_LOG")"
[ "$(count TCP)" = 0 ] || fail "udponly: TCP was mapped: $(cat "$IGD_LOG")"
note "udponly: $(count UDP) UDP mappings, no TCP"
assert_alive alpha
stop_node alpha

sed -i 's/^UPnP = udponly$/UPnP = maybe/' "${N_CONF[alpha]}"
start_node_expect_fail alpha 10
grep -q "UPnP = maybe: expected yes, udponly or no" "${N_OUT[alpha]}" || fail "UPnP = maybe: no refusal"
pass
