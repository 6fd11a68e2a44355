# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Helpers shared by the test_sptps_*.sh integration tests (source after
# lib.sh). They only read what lib.sh set up; nothing here touches the root
# namespace.

# The SPTPS plugin must exist in the build under test.
require_sptps() {
	[ -e "$PLEXUS_PLUGIN_PATH/crypto-sptps.so" ] || [ -e "$PLEXUS_PLUGIN_PATH/.libs/crypto-sptps.so" ] ||
		ls "$PLEXUS_PLUGIN_PATH"/crypto-sptps* >/dev/null 2>&1 ||
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
