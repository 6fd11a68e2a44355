#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Mixed network: P1 (Plexus) -- P2 (Plexus) -- T (tinc 1.0.36, legacy only);
# P1 and T have ConnectTo = P2. P1 <-> P2 use SPTPS, both Plexus nodes use
# the legacy protocol with T (tinc 1.0 never sees a request it does not
# know: it would drop the connection), and every pair pings every other.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping
require_kind plexus
require_kind tinc10
require_cli
require_sptps

make_node P1 plexus
make_node P2 plexus
make_node T tinc10
connect_to P1 P2
connect_to T P2
start_node P2
start_node P1
start_node T
up_and_ping P1 P2 30
up_and_ping T P2 30
for a in P1 P2 T; do
	for b in P1 P2 T; do
		[ "$a" = "$b" ] && continue
		wait_ping "$a" "$b" 30 || fail "no ping $a -> $b"
		ping_check "$a" "$b" 10 1 || fail "pings $a -> $b lost"
	done
done
note "every pair pings"
assert_proto P1 P2 sptps
assert_proto P2 P1 sptps
assert_proto P1 T legacy
assert_proto P2 T legacy
bulk_tcp P1 T $((2 * 1024 * 1024)) || fail "2 MB TCP P1 -> T"
bulk_tcp T P1 $((2 * 1024 * 1024)) || fail "2 MB TCP T -> P1"
bulk_tcp P1 P2 $((2 * 1024 * 1024)) || fail "2 MB TCP P1 -> P2"
# tinc 1.0 closes the connection on any request it does not understand
assert_no_log T "Unknown request|Bogus data|Error while processing"
[ "$(count_log T 'Closing connection with P2')" = 0 ] || fail "tinc 1.0 dropped its connection with P2"
for n in P1 P2; do
	assert_no_log "$n" "$SPTPS_BAD_RE"
done
plexus_cli P1 dump nodes
assert_alive P1 P2 T
pass
