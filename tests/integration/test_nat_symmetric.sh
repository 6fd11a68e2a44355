#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# Issue 4, acceptance 1 (symmetric): A and C sit behind two symmetric NATs
# (masquerade fully-random: a new random port per destination), P is public
# and the only node they connect to. No direct path can exist, so traffic
# between A and C must be relayed by P, and it must still work: pings both
# ways with little loss, and P sees the relayed packets. Runs once per
# protocol (sptps, legacy).
. "$(dirname "$0")/netcond-lib.sh"
require_root
require_cmd ping nft
require_cli

nc_two_nats symmetric "PingInterval = 5"
nc_start P A C
up_and_ping A P 30
up_and_ping C P 30
wait_ping A C 30 || fail "no ping A -> C through P"
wait_ping C A 10 || fail "no ping C -> A through P"
nc_check_protocol A C
# let both sides try (and fail) to punch through, then settle on relaying
sleep 6
ping_check A C 10 2 || fail "A -> C warm-up pings lost"

nc_counter P from_nat1 input ip saddr 198.18.1.101
nc_counter P from_nat2 input ip saddr 198.18.1.102
ping_check A C 50 3 || fail "A -> C: pings lost while relayed by P"
ping_check C A 20 2 || fail "C -> A: pings lost while relayed by P"
p1=$(nc_count P from_nat1)
p2=$(nc_count P from_nat2)
note "during 70 pings between A and C: P got $p1 packets from NAT1 and $p2 from NAT2"
[ "$p1" -ge 60 ] && [ "$p2" -ge 60 ] ||
	fail "P saw only $p1 / $p2 packets from the NATs: the traffic was not relayed by P (how did it get through?)"
for n in A C; do
	peer=C
	[ "$n" = C ] && peer=A
	echo "$n: $(nc_node_line "$n" "$peer")"
	plexus_cli "$n" info "$peer" | grep -E "Reachability|PMTU"
done
bulk_tcp A C $((2 * 1024 * 1024)) 60 || fail "2 MB TCP A -> C relayed by P"
assert_alive P A C
pass "A <-> C relayed by P through two symmetric NATs"
