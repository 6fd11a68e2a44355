#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# pxt-timeout: 600
# Data channel compression between two nodes: "px" (Plexus) and "peer"
# (Plexus, or tinc 1.0.36 with --peer tinc10, see test_compress_tinc.sh).
#
#   test_compress.sh [--peer plexus|tinc10] [--only levels|disabled]
#                    [--pairs "PX:PEER ..."]
#
# levels:   Compression = 0 on both sides first (the baseline), then levels
#           1, 9, 10 and 11 on both sides and asymmetric pairs. Each run:
#           ping both ways, then in each direction a TCP transfer of random
#           (incompressible) data and then of compressible text, each with
#           an end-to-end SHA-256. The sender's underlay
#           bytes (eth0 tx_bytes in its namespace) must be well below the
#           baseline's, and most of them must be UDP (nftables counter at
#           the receiver): compressed data went over UDP, not the meta
#           connection. --pairs replaces the level pairs (the first must
#           be 0:0, the baseline); test_compress_lz4.sh uses it for level 12.
# disabled: px runs without the compress plugin (as built with
#           --disable-compress) and Compression = 0, the peer asks for level
#           9 (tinc peer: 10). px must say in its log that it sends the
#           peer's data over the meta connection, ping and bulk still work.
#           px with Compression = 9 and no plugin refuses to start.
#
# PXT_NOCOMPRESS_BUILD=<dir>: a build configured with --disable-compress to
# take plexusd and plugins from for the disabled part (default: this build
# with a plugin directory that lacks compress, which is what such a build
# installs).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft

PEER_KIND=plexus
ONLY=
PART=
PAIRS=
while [ $# -gt 0 ]; do
	case $1 in
	--peer)
		PEER_KIND=$2
		shift
		;;
	--only)
		ONLY=$2
		shift
		;;
	--part)
		PART=$2
		shift
		;;
	--pairs)
		PAIRS=$2
		shift
		;;
	*) fail "unknown argument $1" ;;
	esac
	shift
done
[ "$PEER_KIND" = plexus ] || PXT_TEST=test_compress_tinc
BULK_BYTES=${PXT_COMPRESS_BYTES:-$((3 * 1024 * 1024))}
# compressed runs must use less than this share of the baseline's bytes
MAX_PERCENT=${PXT_COMPRESS_MAX_PERCENT:-60}

# ----------------------------------------------------------- text transfer ---

# Like bulk.py, but the payload is text (compressible); one line per record
# with a counter so that reordering or loss still changes the digest.
cat >"$PXT_TMP/textbulk.py" <<'EOF'
import hashlib, socket, sys
def text(n):
    out, i, size = [], 0, 0
    while size < n:
        line = ("%08d GET /static/app.js HTTP/1.1 Host: example.invalid Accept: */* "
                "User-Agent: plexus-test/1.0 Cookie: session=abcdef0123456789\n" % i).encode()
        out.append(line)
        size += len(line)
        i += 1
    return b"".join(out)[:n]
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
try:
    if mode == "serve":
        srv = socket.socket(fam, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((addr, port))
        srv.listen(1)
        srv.settimeout(60)
        print("listening", flush=True)
        conn, _ = srv.accept()
        conn.settimeout(30)
        h, total = hashlib.sha256(), 0
        while True:
            d = conn.recv(65536)
            if not d:
                break
            h.update(d)
            total += len(d)
        conn.close()
        print("received", total, h.hexdigest(), flush=True)
    else:
        data = text(int(sys.argv[4]))
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect((addr, port))
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        s.close()
        print("received", len(data), hashlib.sha256(data).hexdigest(), flush=True)
except (OSError, socket.timeout) as e:
    print("error", e, flush=True)
    sys.exit(1)
EOF

# text_bulk FROM TO BYTES: compressible TCP transfer through the tunnel,
# checked end to end.
text_bulk() {
	local from=$1 to=$2 bytes=$3 addr port out_s out_c spid i
	addr=$(addr_of "$to")
	port=$((20000 + RANDOM % 20000))
	PXT_COUNTER=$((PXT_COUNTER + 1))
	out_s=$PXT_TMP/text.$PXT_COUNTER.srv
	out_c=$PXT_TMP/text.$PXT_COUNTER.cli
	in_ns "$to" timeout -k 2 90 python3 "$PXT_TMP/textbulk.py" serve "$addr" "$port" >"$out_s" 2>&1 &
	spid=$!
	track_pid "$spid"
	for ((i = 0; i < 50; i++)); do
		grep -q '^listening' "$out_s" 2>/dev/null && break
		pid_alive "$spid" || break
		sleep 0.1
	done
	in_ns "$from" timeout -k 2 90 python3 "$PXT_TMP/textbulk.py" send "$addr" "$port" "$bytes" >"$out_c" 2>&1
	wait "$spid"
	if ! grep -q '^received' "$out_c" || [ "$(grep '^received' "$out_s")" != "$(cat "$out_c")" ]; then
		echo "text transfer $from -> $to failed: server: $(cat "$out_s") client: $(cat "$out_c")"
		return 1
	fi
	return 0
}

tx_bytes() { in_ns "$1" cat /sys/class/net/eth0/statistics/tx_bytes; }

# counter_bytes NODE CNAME: bytes of an nftables counter made by udp_counter.
# udp_share FROM TO BYTES: transfer BYTES of text FROM -> TO; sets TX to
# FROM's underlay tx bytes during it and UDP to the UDP bytes TO received
# from FROM.
udp_share() {
	local from=$1 to=$2 tx0 u0
	tx0=$(tx_bytes "$from")
	u0=$(counter_bytes "$to" "from_$from")
	text_bulk "$from" "$to" "$3" || fail "text transfer $from -> $to ($LEVELS)"
	TX=$(($(tx_bytes "$from") - tx0))
	UDP=$(($(counter_bytes "$to" "from_$from") - u0))
}

# measure FROM TO: transfer BULK_BYTES of text FROM -> TO and set MEASURED
# to FROM's underlay tx bytes during it. First waits until the data channel
# carries full-size frames over UDP: with PMTU discovery, frames above the
# node's minmtu go over the meta connection until discovery is done (tinc
# 1.0 with compression fixes its MTU only after 30 probe rounds).
measure() {
	local from=$1 to=$2 start=$SECONDS
	while :; do
		udp_share "$from" "$to" $((256 * 1024))
		((UDP * 10 >= TX * 8)) && break
		((SECONDS - start < 75)) || fail "$from -> $to ($LEVELS): data does not go over UDP ($UDP of $TX bytes)"
		sleep 2
	done
	((SECONDS - start > 5)) && note "$from -> $to: UDP carries the data after $((SECONDS - start))s"
	# Incompressible data first: the sender backs off from compressing it
	# (tinc 1.0 peers get stored streams, SPTPS peers uncompressed
	# records), which the receiver must still decode; the text after it
	# must be compressed again, or the share below is not met.
	bulk_tcp "$from" "$to" $((1024 * 1024)) || fail "random transfer $from -> $to ($LEVELS)"
	udp_share "$from" "$to" "$BULK_BYTES"
	((UDP * 10 >= TX * 8)) || fail "$from -> $to ($LEVELS): only $UDP of $TX bytes over UDP"
	MEASURED=$TX
}

# set_level NODE LEVEL: the Compression the node asks its peers for.
set_level() {
	sed -i '/^Compression/d' "${N_CONF[$1]}"
	node_conf "$1" "Compression = $2"
}

start_pair() {
	# the node connected to starts first, so the first attempt works
	start_node peer
	start_node px
	up_and_ping px peer 40
}

stop_pair() {
	stop_node px
	stop_node peer
}

# ---------------------------------------------------------------- levels ---

levels_part() {
	local pairs pair a b base_px base_peer pct
	make_node px plexus
	make_node peer "$PEER_KIND"
	connect_to px peer
	udp_counter peer from_px px
	udp_counter px from_peer peer
	# px's level : peer's level. Each level is used in both directions,
	# symmetric and asymmetric. tinc 1.0 with compression needs ~30 s per
	# run before UDP carries full-size frames, so fewer pairs there (still
	# every level on each side, and zlib against LZO both ways).
	pairs="0:0 1:1 9:9 10:10 11:11 1:10 11:9 9:1 10:11"
	[ "$PEER_KIND" = tinc10 ] && pairs="0:0 9:9 10:10 1:11 11:1"
	[ -z "$PAIRS" ] || pairs=$PAIRS
	[ "${pairs%% *}" = 0:0 ] || fail "the first level pair must be 0:0 (the baseline)"
	for pair in $pairs; do
		a=${pair%:*}
		b=${pair#*:}
		LEVELS="px wants $a, peer wants $b"
		set_level px "$a"
		set_level peer "$b"
		start_pair
		# peer compresses with px's level, px with peer's level
		measure px peer
		local px_tx=$MEASURED
		measure peer px
		local peer_tx=$MEASURED
		ping_check px peer 5 0 || fail "pings lost after the transfers ($LEVELS)"
		assert_alive px peer
		if [ "$pair" = 0:0 ]; then
			base_px=$px_tx
			base_peer=$peer_tx
			note "baseline: px -> peer $px_tx bytes, peer -> px $peer_tx bytes for $BULK_BYTES of text"
		else
			pct=$((px_tx * 100 / base_px))
			note "level $b px -> peer: $px_tx bytes ($pct% of uncompressed)"
			((pct <= MAX_PERCENT)) || fail "level $b px -> peer used $pct% of the uncompressed bytes"
			pct=$((peer_tx * 100 / base_peer))
			note "level $a peer -> px: $peer_tx bytes ($pct% of uncompressed)"
			((pct <= MAX_PERCENT)) || fail "level $a peer -> px used $pct% of the uncompressed bytes"
		fi
		for n in px peer; do
			assert_no_log "$n" "rror while (de|un)?compressing" "$n could not (de)compress ($LEVELS)"
		done
		stop_pair
	done
}

# -------------------------------------------------------------- disabled ---

disabled_part() {
	local build dir want
	want=9
	[ "$PEER_KIND" = tinc10 ] && want=10
	make_node px plexus
	make_node peer "$PEER_KIND"
	connect_to px peer
	# plugins of a --disable-compress build
	if [ -n "${PXT_NOCOMPRESS_BUILD:-}" ]; then
		build=$PXT_NOCOMPRESS_BUILD
		[ ! -e "$build/plugins/compress/compress.la" ] || fail "$build was built with the compress plugin"
		dir=$build/plugins
		NOCOMP_PLEXUSD=$build/core/plexusd
	else
		plugin_dir_without compress dir
		NOCOMP_PLEXUSD=$PLEXUSD
	fi
	# asking for compression without the plugin is a start-up error
	set_level px 9
	set_level peer "$want"
	PLEXUS_PLUGIN_PATH=$dir PLEXUSD=$NOCOMP_PLEXUSD start_node_expect_fail px 20
	assert_log px "compress.*required.*Compression = 9" "px started with Compression = 9 and no compress plugin"
	set_level px 0
	start_node peer
	PLEXUS_PLUGIN_PATH=$dir PLEXUSD=$NOCOMP_PLEXUSD start_node px
	up_and_ping px peer 40
	LEVELS="px without compress, peer wants $want"
	text_bulk px peer $((1024 * 1024)) || fail "text transfer px -> peer ($LEVELS)"
	text_bulk peer px $((1024 * 1024)) || fail "text transfer peer -> px ($LEVELS)"
	ping_check px peer 5 0 || fail "pings lost ($LEVELS)"
	assert_log px "peer asks for compression level $want but no plugin provides it" \
		"px did not log why it sends the peer's data over the meta connection"
	[ "$(log_count px "asks for compression level")" = 1 ] || fail "the fallback was logged more than once"
	# (no UDP either way: px cannot answer the peer's MTU probes at the
	# level the peer asked for, as with a tinc 1.0 built without LZO)
	assert_alive px peer
	stop_pair
}

if [ -n "$PART" ]; then
	PXT_TEST="${PXT_TEST}[$PART]"
	"$PART"_part
	pass
fi

# each part in a fresh process: its own namespaces, keys and trap
rc=0
for part in levels disabled; do
	[ -z "$ONLY" ] || [ "$ONLY" = "$part" ] || continue
	"$0" --peer "$PEER_KIND" --part "$part" ${PAIRS:+--pairs "$PAIRS"} || rc=1
done
[ "$rc" = 0 ] || fail "a part failed"
pass
