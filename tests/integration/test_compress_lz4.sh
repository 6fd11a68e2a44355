#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# pxt-timeout: 600
# LZ4 (Compression = 12, tinc 1.1) between two Plexus nodes.
#
# refused: a compress plugin built without liblz4 (PXT_NOLZ4_BUILD=<dir of a
#          build configured with --disable-lz4>, or this build when it has no
#          LZ4) must refuse Compression = 12 at start-up, naming LZ4, and
#          must not fall back to another level. Skipped (with a note) when
#          no such build is at hand.
# levels:  test_compress.sh's level part with the pairs 0:0 (baseline),
#          12:12 and 10:12 (LZ4 against LZO, both directions): ping, bulk text with an
#          end-to-end SHA-256, the sender's wire bytes well below the
#          baseline's, data over UDP. Skipped when this build lacks LZ4.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft

# has_lz4 BUILD: whether BUILD's compress plugin offers level 12.
has_lz4() {
	grep -q '^#define HAVE_LZ4 1' "$1/config.h" 2>/dev/null
}

refused_part() {
	local build=${PXT_NOLZ4_BUILD:-}
	if [ -z "$build" ] && ! has_lz4 "$PLEXUS_BUILD"; then
		build=$PLEXUS_BUILD
	fi
	if [ -z "$build" ]; then
		note "no build without LZ4 at hand (PXT_NOLZ4_BUILD unset): refusal not checked"
		return 0
	fi
	! has_lz4 "$build" || fail "$build was built with LZ4"
	[ -e "$build/plugins/compress/compress.la" ] || fail "$build has no compress plugin"
	make_node px plexus
	make_node peer plexus
	connect_to px peer
	node_conf px "Compression = 12"
	PLEXUS_PLUGIN_PATH=$build/plugins PLEXUSD=$build/core/plexusd start_node_expect_fail px 20
	assert_log px "compression level 12.*LZ4.*without liblz4" "px without LZ4 did not say why it refuses Compression = 12"
	assert_no_log px "Ready" "px without LZ4 started with Compression = 12"
	note "without LZ4: Compression = 12 refused: $(grep -m1 'compression level 12' "${N_LOG[px]}" "${N_OUT[px]}" | sed 's/^[^:]*://')"
	# the same build with Compression = 11 starts: only level 12 is missing
	sed -i '/^Compression/d' "${N_CONF[px]}"
	node_conf px "Compression = 11"
	start_node peer
	PLEXUS_PLUGIN_PATH=$build/plugins PLEXUSD=$build/core/plexusd start_node px
	up_and_ping px peer 40
	stop_node px
	stop_node peer
}

if [ "${1:-}" = --part ]; then
	PXT_TEST="${PXT_TEST}[$2]"
	"$2"_part
	pass
fi

rc=0
"$0" --part refused || rc=1
if has_lz4 "$PLEXUS_BUILD"; then
	PXT_COMPRESS_BYTES=${PXT_COMPRESS_BYTES:-$((1024 * 1024))} \
		bash "$(dirname "$0")/test_compress.sh" --only levels --pairs "0:0 12:12 10:12" || rc=1
else
	note "this build has no LZ4: level 12 transfers not checked"
fi
[ "$rc" = 0 ] || fail "a part failed"
pass
