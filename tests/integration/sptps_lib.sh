# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Helpers shared by the test_sptps_*.sh integration tests (source after
# lib.sh). They only read what lib.sh set up; nothing here touches the root
# namespace.

# The SPTPS plugin must exist in the build under test.
require_sptps() {
	# a file, not the directory a --disable-crypto-sptps build still makes
	local f
	for f in "$PLEXUS_PLUGIN_PATH"/crypto-sptps.{la,so} "$PLEXUS_PLUGIN_PATH"/*/crypto-sptps.{la,so}; do
		[ -e "$f" ] && return 0
	done
	skip "crypto-sptps plugin not built in $PLEXUS_PLUGIN_PATH"
}

# sptps_proto_of NODE PEER: the data protocol NODE's `plexus dump nodes`
# shows for PEER ("sptps", "legacy", "-").
sptps_proto_of() {
	plexus_cli "$1" dump nodes 2>/dev/null | awk -v p="$2" '$1 == p {
		for (i = 1; i < NF; i++) if ($i == "protocol") { print $(i + 1); exit }
	}'
}

# assert_proto NODE PEER PROTO [TIMEOUT]: wait until the dump shows PROTO.
assert_proto() {
	local node=$1 peer=$2 want=$3 limit=${4:-10} i got=
	for ((i = 0; i < limit * 5; i++)); do
		got=$(sptps_proto_of "$node" "$peer")
		[ "$got" = "$want" ] && return 0
		sleep 0.2
	done
	plexus_cli "$node" dump nodes 2>&1 | sed 's/^/  dump: /'
	fail "$node shows protocol '$got' for $peer, expected '$want'"
}

# Lines that must never show up in a healthy SPTPS run (errors about
# sequence numbers, authentication or session restarts).
SPTPS_BAD_RE='seqno|[Ff]ailed to decrypt|Restarting the SPTPS|[Ii]nvalid (KEX|SIG|ACK)|Late or replayed|ahead of the window|Cannot renegotiate|AddressSanitizer|runtime error'

# flood_ping FROM TO SECONDS: ping -f for SECONDS; prints "sent received".
flood_ping() {
	local from=$1 addr secs=$3 out tx rx
	addr=$(addr_of "$2")
	out=$(in_ns "$from" timeout -k 2 $((secs + 5)) ping -n -q -f -w "$secs" -s 1000 "$addr" 2>&1)
	tx=$(echo "$out" | sed -nE 's/^([0-9]+) packets transmitted.*/\1/p')
	rx=$(echo "$out" | sed -nE 's/.* ([0-9]+) (packets )?received.*/\1/p')
	echo "${tx:-0} ${rx:-0}"
}

# count_log NODE REGEX: like log_count but never fails on no match.
count_log() {
	local c
	c=$(cat "${N_LOG[$1]}" "${N_OUT[$1]}" 2>/dev/null | grep -Ec -- "$2")
	echo "${c:-0}"
}

# rx_packets NODE PEER: packets NODE has received (and opened) from PEER.
rx_packets() {
	plexus_cli "$1" info "$2" 2>/dev/null | sed -nE 's/^RX: *([0-9]+) packets.*/\1/p'
}

# nft_block NODE NAME RULE...: add a drop rule (input hook) in NODE's
# namespace, in a table of its own; nft_unblock NODE NAME removes it.
nft_block() {
	local node=$1 name=$2
	shift 2
	in_ns "$node" nft add table inet "pxs_$name" || fail "nft table pxs_$name in $node"
	in_ns "$node" nft add chain inet "pxs_$name" input '{ type filter hook input priority -10 ; policy accept ; }' ||
		fail "nft chain in $node"
	in_ns "$node" nft add rule inet "pxs_$name" input "$@" drop || fail "nft rule $* in $node"
}

nft_unblock() {
	in_ns "$1" nft delete table inet "pxs_$2" 2>/dev/null
}

# describe_of NODE PEER: the SPTPS state word in NODE's dump for PEER
# ("sptps", "sptps-handshake", "sptps-rekey", "-").
describe_of() {
	plexus_cli "$1" dump nodes 2>/dev/null | awk -v p="$2" '$1 == p {
		for (i = 1; i < NF; i++) if ($i == "protocol") { d = $(i + 2); gsub(/[()]/, "", d); print d; exit }
	}'
}

# ms_now: monotonic-enough wall clock in milliseconds.
ms_now() { date +%s%3N; }

# wait_ping_fast FROM TO LIMIT_MS: poll with 100 ms pings; prints the
# milliseconds it took, returns 1 on timeout.
wait_ping_fast() {
	local from=$1 addr t0 now
	addr=$(addr_of "$2")
	t0=$(ms_now)
	while :; do
		if in_ns "$from" ping -n -q -c 1 -W 0.3 "$addr" >/dev/null 2>&1; then
			echo $(($(ms_now) - t0))
			return 0
		fi
		now=$(ms_now)
		((now - t0 > $3)) && break
		sleep 0.05
	done
	echo $(($(ms_now) - t0))
	return 1
}
