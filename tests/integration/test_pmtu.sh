#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Issue 4, acceptance 2: A -- R1 ==(MTU 1280)== R2 -- B. The routers send
# ICMP "fragmentation needed" as usual. With PingInterval = 5:
#   1. PMTU A <-> B is discovered within 10 s of the tunnel coming up and
#      fits the 1280-byte link (shown by `plexus dump nodes`);
#   2. bulk TCP through the tunnel works both ways (checksummed), and a
#      ping with DF that is too big for the path is either carried (over
#      the meta connection) or answered with "frag needed", never lost;
#   3. the middle link goes back to MTU 1500: the higher PMTU is found again
#      within NC_PMTU_RAISE_LIMIT s (default 30).
# Runs once per protocol (sptps, legacy).
# Step 3 is strict by default: the kernel caches the 1280 learnt from ICMP
# for net.ipv4.route.mtu_expires (600 s), and the daemon must still find the
# larger PMTU (e.g. by probing with IP_PMTUDISC_PROBE). NC_PMTU_EXPIRES=N
# shortens that kernel cache in A's and B's namespaces, to check the
# daemon's own re-probing separately.
. "$(dirname "$0")/netcond-lib.sh"
require_root
require_cmd ping python3
require_cli

nc_make_node A
nc_make_node B
for n in A B; do
	node_conf "$n" "PingInterval = 5"
done
nc_router R1
nc_router R2
nc_router_link R1 R2 198.18.30.1 198.18.30.2
NC_KEEP_ADDRESS=1 nc_behind A R1 2
NC_KEEP_ADDRESS=1 nc_behind B R2 2
nc_route R1 198.18.11.0/24 198.18.30.2
nc_route R2 198.18.10.0/24 198.18.30.1
nc_in R1 ip link set mid mtu 1280
nc_in R2 ip link set mid mtu 1280
connect_to A B
if [ -n "${NC_PMTU_EXPIRES:-}" ]; then
	for n in A B; do
		in_ns "$n" sysctl -qw net.ipv4.route.mtu_expires="$NC_PMTU_EXPIRES" ||
			skip "cannot set net.ipv4.route.mtu_expires in a namespace"
	done
fi

in_ns A ping -n -q -c 1 -W 2 "$(nc_addr B)" >/dev/null || fail "underlay A -> B does not work"
in_ns A ping -n -q -c 1 -W 2 -M do -s 1300 "$(nc_addr B)" >/dev/null 2>&1 &&
	fail "a 1328-byte DF ping crossed the 1280 link: the test network is wrong"

nc_start B A
up_and_ping A B 30
t0=$SECONDS

# wait_pmtu NODE PEER LIMIT LO HI: until NODE's PMTU to PEER is fixed
# (pmtu == min) within [LO, HI]; prints the value. Returns 1 on timeout.
wait_pmtu() {
	local i v p mn mx
	for ((i = 0; i < $3 * 2; i++)); do
		v=$(nc_pmtu "$1" "$2")
		read -r p mn mx <<<"$v"
		if [ "$p" = "$mn" ] && [ "$p" -ge "$4" ] && [ "$p" -le "$5" ]; then
			echo "$p"
			return 0
		fi
		sleep 0.5
	done
	echo "$v"
	return 1
}

# The frame must fit 1280 - IP - UDP - crypto overhead.
if ! pa=$(wait_pmtu A B 10 1150 1252); then
	plexus_cli A dump nodes
	fail "PMTU A -> B not discovered within 10 s of the tunnel coming up (pmtu/min/max now: $pa)"
fi
pb=$(wait_pmtu B A 5 1150 1252) || fail "PMTU B -> A not discovered (pmtu/min/max now: $pb)"
note "PMTU over the 1280 link found after $((SECONDS - t0)) s: A -> B $pa, B -> A $pb"
plexus_cli A info B | grep -E "Reachability|PMTU"

bulk_tcp A B $((4 * 1024 * 1024)) 60 || fail "4 MB TCP A -> B over the 1280 path"
bulk_tcp B A $((2 * 1024 * 1024)) 60 || fail "2 MB TCP B -> A over the 1280 path"
# a full-size DF ping through the tunnel: carried or refused, not dropped
out=$(in_ns A ping -n -c 3 -i 0.3 -W 2 -M do -s 1400 "$(tun_addr B)" 2>&1)
if echo "$out" | grep -Eq " ([1-9][0-9]*) received"; then
	note "1428-byte DF ping through the tunnel was carried (meta connection)"
elif echo "$out" | grep -Eqi "frag needed|message too long|mtu"; then
	note "1428-byte DF ping through the tunnel answered with frag needed: $(echo "$out" | grep -Ei 'frag|mtu' | head -n 1)"
else
	echo "$out"
	fail "a 1428-byte DF ping through the tunnel vanished (neither carried nor refused)"
fi
ping_check A B 10 1 || fail "pings lost after the bulk transfers"

# raise the middle MTU again: the periodic re-probe must notice
nc_in R1 ip link set mid mtu 1500
nc_in R2 ip link set mid mtu 1500
t1=$SECONDS
limit=${NC_PMTU_RAISE_LIMIT:-30}
if ! pa2=$(wait_pmtu A B "$limit" 1300 1500); then
	plexus_cli A dump nodes
	grep -E "MTU|PMTU" "${N_LOG[A]}" | tail -n 15
	echo "A's kernel route to B (a cached PMTU shows as 'mtu N'):"
	in_ns A ip route get "$(nc_addr B)"
	fail "PMTU A -> B did not grow back within $limit s after the link went back to 1500 (pmtu/min/max now: $pa2)"
fi
pb2=$(wait_pmtu B A 10 1300 1500) || fail "PMTU B -> A did not grow back (pmtu/min/max now: $pb2)"
note "PMTU after raising the link to 1500: A -> B $pa2, B -> A $pb2 (after $((SECONDS - t1)) s)"
bulk_tcp A B $((2 * 1024 * 1024)) 60 || fail "2 MB TCP A -> B after the MTU went up"
assert_alive A B
pass "PMTU $pa -> $pa2"
