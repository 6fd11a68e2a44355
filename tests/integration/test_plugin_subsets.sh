#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The daemon with only some plugins installed, as a distro that packages
# them separately ships it. "px" takes its plugins from a directory that
# lacks one plugin (what a --disable-<plugin> build installs). Rounds, each
# with fresh namespaces and keys (the script re-runs itself per round):
#   noudp-plexus  no transport-udp, peer Plexus:  `TCPOnly = no` refuses to
#                 start (naming the plugin and the directories searched);
#                 without it px warns once and runs TCP-only: ping, bulk
#                 both ways, and the peer sends px no UDP at all.
#   noudp-tinc    the same against tinc 1.0.36, which is told by px's
#                 options to send over TCP.
#   nolegacy      no crypto-legacy: `ExperimentalProtocol = no` refuses to
#                 start; otherwise px talks SPTPS to a Plexus peer (ping,
#                 bulk), and a tinc 1.0.36 node that connects to px is
#                 refused with a log line naming it, px staying up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping nft
require_kind plexus
require_cli

# drop_conf NODE VAR: remove VAR from the node's main config file.
drop_conf() { sed -i "/^$2 *=/d" "${N_CONF[$1]}"; }

noudp_round() {
	local peer_kind=$1 dir in out
	[ "$peer_kind" = tinc10 ] && require_kind tinc10
	plugin_dir_without transport-udp dir
	make_node px plexus
	make_node peer "$peer_kind"
	connect_to px peer
	udp_counter peer from_px px
	udp_counter px from_peer peer

	node_conf px "TCPOnly = no"
	PLEXUS_PLUGIN_PATH=$dir start_node_expect_fail px 20
	assert_log px "transport-udp' is required \(the data channel, TCPOnly = no\).*searched: $dir" \
		"no clear error for TCPOnly = no without transport-udp"
	drop_conf px TCPOnly

	start_node peer
	PLEXUS_PLUGIN_PATH=$dir start_node px
	up_and_ping px peer 30
	bulk_tcp px peer $((4 * 1024 * 1024)) || fail "4 MB TCP px -> peer"
	bulk_tcp peer px $((2 * 1024 * 1024)) || fail "2 MB TCP peer -> px"
	ping_check px peer 5 0 || fail "pings px -> peer lost after the transfers"
	assert_log px "transport-udp' was not found \(searched: $dir.*\): running as TCPOnly = yes" \
		"px did not say that transport-udp is missing and where it looked"
	[ "$(log_count px "transport-udp' was not found")" = 1 ] || fail "the missing plugin was reported more than once"
	out=$(counter_packets peer from_px)
	in=$(counter_packets px from_peer)
	note "UDP datagrams px -> peer ${out:-?}, peer -> px ${in:-?}"
	[ "${out:-x}" = 0 ] || fail "px sent $out UDP datagrams without a UDP transport"
	[ "${in:-x}" = 0 ] || fail "the peer sent $in UDP datagrams to a TCP-only node"
	assert_alive px peer
	pass "$peer_kind peer"
}

nolegacy_round() {
	local dir
	require_kind tinc10
	require_sptps
	plugin_dir_without crypto-legacy dir
	make_node px plexus
	make_node peer plexus
	make_node old tinc10
	connect_to px peer

	node_conf px "ExperimentalProtocol = no"
	PLEXUS_PLUGIN_PATH=$dir start_node_expect_fail px 20
	assert_log px "crypto-legacy' is required \(the tinc 1.0 protocol, ExperimentalProtocol = no\).*searched: $dir" \
		"no clear error for ExperimentalProtocol = no without crypto-legacy"
	drop_conf px ExperimentalProtocol

	start_node peer
	PLEXUS_PLUGIN_PATH=$dir start_node px
	up_and_ping px peer 30
	assert_proto px peer sptps
	assert_log px "crypto-legacy' was not found \(searched: $dir.*\): only SPTPS peers" \
		"px did not say that crypto-legacy is missing and where it looked"
	bulk_tcp px peer $((4 * 1024 * 1024)) || fail "4 MB TCP px -> peer"
	bulk_tcp peer px $((2 * 1024 * 1024)) || fail "2 MB TCP peer -> px"

	# a tinc 1.0 node is refused with a reason, and nothing else changes
	connect_to old px
	start_node old
	wait_log px "No crypto plugin can authenticate old" 20 ||
		fail "px did not log why it refuses the tinc 1.0 node"
	ping_check px peer 5 0 || fail "pings px -> peer lost while the tinc 1.0 node was refused"
	assert_alive px peer old
	pass
}

if [ "${1:-}" = --round ]; then
	PXT_TEST="${PXT_TEST}[$2]"
	case $2 in
	noudp-plexus) noudp_round plexus ;;
	noudp-tinc) noudp_round tinc10 ;;
	nolegacy) nolegacy_round ;;
	*) fail "unknown round $2" ;;
	esac
fi

rc=0
skipped=
for r in noudp-plexus noudp-tinc nolegacy; do
	"$0" --round "$r"
	case $? in
	0) ;;
	77) skipped="$skipped $r" ;; # that plugin (or tinc) is not there to leave out
	*) rc=1 ;;
	esac
done
[ "$rc" = 0 ] || fail "a round failed"
[ "$skipped" != " noudp-plexus noudp-tinc nolegacy" ] || skip "every round skipped"
pass "3 rounds${skipped:+ (skipped:$skipped)}"
