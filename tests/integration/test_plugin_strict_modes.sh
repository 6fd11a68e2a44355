#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# As root, plexusd opens only plugin files that only root can change
# (loading a shared object runs its constructors before any check). The
# shipped plugins come from a directory without compress; a copy of
# compress.so sits in PluginDir:
#   1. PluginDir mode 0777: the daemon starts, logs the refusal naming the
#      directory, and runs without compression;
#   2. the copy owned by nobody (PluginDir 0755): refused, naming the file;
#   3. with RequirePlugin = compress the refusal makes start-up fail;
#   4. the control: root's file in a 0755 PluginDir is loaded.
. "$(dirname "$0")/lib.sh"
require_root
require_kind plexus

plugin_dir_without compress base
insecure=$PXT_TMP/insecure-plugins
mkdir "$insecure"
cp "$PLEXUS_BUILD/plugins/compress/.libs/compress.so" "$insecure/compress.so"
so=$insecure/compress.so
tail_msg="; as root, plexusd loads only files that only root can change"

make_node alpha plexus
node_conf alpha "PluginDir = $insecure"

# started: wait for the daemon to be ready, report how long it took
started() {
	local t0=$1
	wait_log alpha "Ready" 20 || fail "alpha did not get ready"
	assert_alive alpha
	note "alpha ready in $((($(date +%s%N) - t0) / 1000000)) ms"
}

note "round 1: PluginDir $insecure is world-writable"
chmod 0777 "$insecure"
t0=$(date +%s%N)
PLEXUS_PLUGIN_PATH=$base start_node alpha
started "$t0"
assert_log alpha "Plugin \`compress' \($so\) refused: $insecure is writable by others \(mode 0777\)$tail_msg" \
	"no refusal naming the world-writable PluginDir"
assert_no_log alpha "Loaded plugin compress" "compress was loaded from a world-writable directory"
note "refusal lines: $(log_count alpha "refused:")"
stop_node alpha

note "round 2: the plugin file belongs to nobody"
chmod 0755 "$insecure"
chown 65534:65534 "$so"
t0=$(date +%s%N)
PLEXUS_PLUGIN_PATH=$base start_node alpha
started "$t0"
assert_log alpha "Plugin \`compress' \($so\) refused: $so is owned by uid 65534, not root$tail_msg" \
	"no refusal naming the plugin file owned by nobody"
assert_no_log alpha "Loaded plugin compress" "compress was loaded from a file owned by nobody"
stop_node alpha

note "round 3: RequirePlugin = compress, the only copy refused"
node_conf alpha "RequirePlugin = compress"
PLEXUS_PLUGIN_PATH=$base start_node_expect_fail alpha 20
assert_log alpha "Plugin \`compress' \($so\) refused: $so is owned by uid 65534"
assert_log alpha "Plugin \`compress' is required \(RequirePlugin\) but was not found" \
	"no clear error for the required plugin that was refused"
note "exit code with the required plugin refused: $PXT_RC"

note "round 4 (control): root's file in a 0755 PluginDir"
chown 0:0 "$so"
chmod 0755 "$so"
: >"${N_OUT[alpha]}" # round 3's output
t0=$(date +%s%N)
PLEXUS_PLUGIN_PATH=$base start_node alpha
started "$t0"
assert_log alpha "Loaded plugin compress .*\($so\)" "compress from a safe PluginDir was not loaded"
assert_no_log alpha "refused:"
pass "world-writable dir and foreign-owned file refused, safe copy loaded"
