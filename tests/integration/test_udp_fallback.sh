#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Issue 4, acceptance 3: alpha sends a paced TCP stream (iperf3, 20 Mbit/s,
# 36 s) to beta through the tunnel. From second 8 to 18 every UDP datagram
# between them is dropped (nftables in alpha's namespace). The transfer must
# go on over the meta connection (TCP port 655 carries the data while UDP is
# blocked) and return to UDP once the block is lifted (UDP carries the data
# again and the meta connection goes quiet). PingInterval = 5, PingTimeout
# = 2 so that both switches can happen within the 10 s. Prints the
# per-phase counters and the per-second goodput. Runs once per protocol.
. "$(dirname "$0")/netcond-lib.sh"
require_root
require_cmd iperf3 nft python3
require_cli

two_node_net plexus plexus
[ "$NC_PROTO" = legacy ] && node_conf alpha "ExperimentalProtocol = no" && node_conf beta "ExperimentalProtocol = no"
for n in alpha beta; do
	node_conf "$n" "PingInterval = 5" "PingTimeout = 2"
done
a=$(underlay_addr alpha)
nc_counter beta udp_in input ip saddr "$a" udp dport 655
nc_counter beta tcp_in input ip saddr "$a" tcp dport 655
nc_counter beta tcp_in2 input ip saddr "$a" tcp sport 655
nc_start beta alpha
up_and_ping alpha beta 30
nc_check_protocol alpha beta
nc_wait_direct alpha beta 15 || fail "alpha -> beta never used UDP"

# snap NAME: remember UDP/TCP byte counters at this moment
declare -A U T
snap() {
	U[$1]=$(nc_count_bytes beta udp_in)
	T[$1]=$(($(nc_count_bytes beta tcp_in) + $(nc_count_bytes beta tcp_in2)))
}

dur=36
in_ns beta timeout 80 iperf3 -s -1 -B "$(tun_addr beta)" >"$PXT_TMP/iperf.srv" 2>&1 &
track_pid $!
sleep 1
in_ns alpha timeout 80 iperf3 -c "$(tun_addr beta)" -t "$dur" -b 20M -i 1 -J >"$PXT_TMP/iperf.json" 2>"$PXT_TMP/iperf.err" &
ipid=$!
track_pid "$ipid"
t0=$SECONDS
snap start
sleep 8
snap block
note "blocking UDP between alpha and beta"
block_udp alpha beta ncblock || fail "nft block"
sleep 10
snap unblock
unblock_udp alpha ncblock || fail "nft unblock"
note "UDP unblocked"
sleep $((dur - 18 - 6))
snap late
sleep 5
snap end
wait "$ipid"
irc=$?
note "iperf3 exit $irc after $((SECONDS - t0)) s"

ph() { # ph FROM TO: "udp_bytes tcp_bytes" between two snapshots
	echo "$((U[$2] - U[$1])) $((T[$2] - T[$1]))"
}
read -r u1 t1 <<<"$(ph start block)"
read -r u2 t2 <<<"$(ph block unblock)"
read -r u3 t3 <<<"$(ph unblock late)"
read -r u4 t4 <<<"$(ph late end)"
note "bytes seen by beta from alpha  UDP / meta TCP"
note "  0-8 s   normal       $u1 / $t1"
note "  8-18 s  UDP blocked  $u2 (dropped before beta) / $t2"
note "  18-30 s unblocked    $u3 / $t3"
note "  30-35 s last 5 s     $u4 / $t4"
python3 - "$PXT_TMP/iperf.json" <<'EOF2' || true
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("no iperf3 JSON:", e)
    sys.exit(0)
iv = [i["sum"] for i in d.get("intervals", [])]
print("goodput per second (Mbit/s):", " ".join("%.1f" % (i["bits_per_second"] / 1e6) for i in iv))
end = d.get("end", {})
r = end.get("sum_received", {})
print("received %.1f MB, %.2f Mbit/s average" % (r.get("bytes", 0) / 1e6, r.get("bits_per_second", 0) / 1e6))
EOF2
[ "$irc" = 0 ] || {
	cat "$PXT_TMP/iperf.err"
	tail -n 20 "$PXT_TMP/iperf.json"
	fail "iperf3 through the tunnel failed (exit $irc): the transfer did not survive the UDP block"
}
recv=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"]))' "$PXT_TMP/iperf.json")
# blocked phase: the data must have moved to the meta connection
[ "$t2" -ge 2000000 ] || fail "only $t2 bytes went over the meta connection while UDP was blocked: no TCP fallback"
# back to UDP: the last 5 s ride UDP, the meta connection is quiet again
[ "$u4" -ge 2000000 ] || fail "only $u4 bytes over UDP in the last 5 s: did not return to UDP after the block"
[ "$t4" -le $((u4 / 10)) ] || fail "the meta connection still carried $t4 bytes in the last 5 s (UDP $u4): not back to UDP"
[ "$recv" -ge $((dur * 20000000 / 8 / 2)) ] || fail "only $recv bytes arrived in $dur s at 20 Mbit/s"
ping_check alpha beta 5 0 || fail "pings lost at the end"
assert_alive alpha beta
pass "transfer survived a 10 s UDP block ($recv bytes)"
