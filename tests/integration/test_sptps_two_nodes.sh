#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Two Plexus nodes over SPTPS (both have Ed25519 keys): the meta connection
# and the UDP data channel use SPTPS, `plexus dump nodes` says so, pings go
# both ways, 8 MB of TCP cross the tunnel intact and the datagrams really
# travel over UDP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping nft
require_kind plexus
require_cli
require_sptps

two_node_net plexus plexus
udp_counter beta from_alpha alpha
udp_counter alpha from_beta beta
start_node beta
start_node alpha
up_and_ping alpha beta 30
assert_proto alpha beta sptps
assert_proto beta alpha sptps
grep -q "Ed25519PublicKey" "${N_DIR[alpha]}/hosts/alpha" || fail "generate-keys wrote no Ed25519 key"
bulk_tcp alpha beta $((8 * 1024 * 1024)) || fail "8 MB TCP alpha -> beta"
bulk_tcp beta alpha $((4 * 1024 * 1024)) || fail "4 MB TCP beta -> alpha"
ping_check alpha beta 10 0 || fail "pings lost after the bulk transfers"
# Bytes, not datagrams: with UDP offload a run of datagrams crosses the
# veth as one packet. 1 MiB (the old 1000 datagrams, roughly): part of the
# transfer goes by TCP until the path MTU is known.
a=$(counter_bytes beta from_alpha)
b=$(counter_bytes alpha from_beta)
note "UDP bytes alpha -> beta $a, beta -> alpha $b"
[ "${a:-0}" -ge $((1024 * 1024)) ] || fail "only $a UDP bytes alpha -> beta: data not on UDP"
[ "${b:-0}" -ge $((1024 * 1024)) ] || fail "only $b UDP bytes beta -> alpha: data not on UDP"
for n in alpha beta; do
	assert_no_log "$n" "$SPTPS_BAD_RE"
done
plexus_cli alpha dump nodes
assert_alive alpha beta
pass
