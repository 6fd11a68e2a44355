#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The SDK as a third party uses it: `make install` the build into a staging
# root, build sdk/examples out of tree with its own Makefile against the
# installed plexus-sdk.pc, load the example into plexusd through
# PLEXUS_PLUGIN_PATH and look for "hello plugin initialised" in the log.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd make pkg-config
[ "$PXT_KIND" = plexus ] || skip "needs plexusd"
require_kind plexus
[ -f "$PLEXUS_BUILD/Makefile" ] || fail "no configured build in $PLEXUS_BUILD"

STAGE=$PXT_TMP/stage
make -s -C "$PLEXUS_BUILD" install DESTDIR="$STAGE" >"$PXT_TMP/install.log" 2>&1 ||
	fail "make install DESTDIR=$STAGE failed: $(tail -20 "$PXT_TMP/install.log")"
pc=$(find "$STAGE" -name plexus-sdk.pc | head -n 1)
[ -n "$pc" ] || fail "make install did not install plexus-sdk.pc"
[ -n "$(find "$STAGE" -path '*/include/plexus/plugin.h')" ] || fail "make install did not install plexus/plugin.h"

# out of tree: a copy of the example directory, nothing from the source tree
EX=$PXT_TMP/example
cp -r "$PXT_SRCDIR/sdk/examples" "$EX"
rm -f "$EX"/*.so
PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$STAGE \
	make -C "$EX" CFLAGS="-O2 -Wall -Wextra -Werror -Wno-unused-parameter" >"$PXT_TMP/example.log" 2>&1 ||
	fail "building sdk/examples against the installed SDK failed: $(cat "$PXT_TMP/example.log")"
cat "$PXT_TMP/example.log"
so=$(find "$EX" -maxdepth 1 -name '*.so' | head -n 1)
[ -n "$so" ] || fail "sdk/examples produced no .so"

make_node alpha plexus
PLEXUS_PLUGIN_PATH="$EX:$PLEXUS_PLUGIN_PATH" start_node alpha
wait_log alpha "hello plugin initialised" 15 || fail "no 'hello plugin initialised' in plexusd's log"
assert_alive alpha
grep -h "hello" "${N_LOG[alpha]}" | head -3
pass
