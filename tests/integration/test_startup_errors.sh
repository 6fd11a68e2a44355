#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Start-up errors worded like tincd's:
#  - no usable private key for any loaded protocol: exit non-zero, naming
#    the files tried (not "legacy protocol disabled" and then "Ready");
#  - a private key the daemon may not read: "Permission denied" (not "not
#    an unencrypted RSA PEM key"); the daemon runs as root without
#    CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH so that mode 000 applies to it;
#  - a plugin turned off by DisablePlugin and one that is not installed are
#    reported differently.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd setpriv

make_node px plexus
make_node peer plexus
connect_to px peer
node_conf px "DeviceType = dummy"
dir=${N_DIR[px]}

# 1. no private key at all
mv "$dir/rsa_key.priv" "$dir/rsa_key.priv.away"
[ -e "$dir/ed25519_key.priv" ] && mv "$dir/ed25519_key.priv" "$dir/ed25519_key.priv.away"
start_node_expect_fail px 20
assert_log px "No usable private key for any protocol; tried: $dir/rsa_key.priv \(RSA\)" \
	"no start-up error naming rsa_key.priv"
assert_no_log px "Ready" "px got ready without a private key"
note "no key: exit $PXT_RC: $(grep -h -m1 'No usable private key' "${N_LOG[px]}" "${N_OUT[px]}" | sed 's/^.*plexusd\[[0-9]*\]: //' | head -1)"
# with ExperimentalProtocol = yes the Ed25519 key file is named too
node_conf px "ExperimentalProtocol = yes"
start_node_expect_fail px 20
assert_log px "No usable private key for any protocol; tried: $dir/rsa_key.priv \(RSA\), $dir/ed25519_key.priv \(Ed25519\)" \
	"no start-up error naming both key files"
sed -i '/^ExperimentalProtocol/d' "${N_CONF[px]}"
mv "$dir/rsa_key.priv.away" "$dir/rsa_key.priv"
[ -e "$dir/ed25519_key.priv.away" ] && mv "$dir/ed25519_key.priv.away" "$dir/ed25519_key.priv"

# 2. an unreadable RSA key (and no Ed25519 key): Permission denied
[ -e "$dir/ed25519_key.priv" ] && mv "$dir/ed25519_key.priv" "$dir/ed25519_key.priv.away"
chmod 000 "$dir/rsa_key.priv"
real=$PLEXUSD
PLEXUSD=$PXT_TMP/nodac.sh
printf '#!/bin/sh\nexec setpriv --bounding-set=-dac_override,-dac_read_search "%s" "$@"\n' "$real" >"$PLEXUSD"
chmod 755 "$PLEXUSD"
start_node_expect_fail px 20
PLEXUSD=$real
assert_log px "Cannot read RSA private key $dir/rsa_key.priv: Permission denied" \
	"an unreadable key was not reported as Permission denied"
assert_no_log px "not an unencrypted RSA PEM key" "an unreadable key was called a bad key"
assert_log px "No usable private key for any protocol" "px did not refuse to start"
note "unreadable key: $(grep -h -m1 'Permission denied' "${N_LOG[px]}" "${N_OUT[px]}" | sed 's/^.*plexusd\[[0-9]*\]: //' | head -1)"
chmod 600 "$dir/rsa_key.priv"
[ -e "$dir/ed25519_key.priv.away" ] && mv "$dir/ed25519_key.priv.away" "$dir/ed25519_key.priv"

# 3. disabled versus missing plugin
node_conf px "DisablePlugin = transport-tcp"
start_node_expect_fail px 20
assert_log px "Plugin \`transport-tcp' is required \(meta connections\) but disabled by DisablePlugin" \
	"a disabled plugin was not reported as disabled"
assert_no_log px "transport-tcp' is required.*not found" "a disabled plugin was reported as not found"
sed -i '/^DisablePlugin/d' "${N_CONF[px]}"
plugin_dir_without transport-tcp nodir
PLEXUS_PLUGIN_PATH=$nodir start_node_expect_fail px 20
assert_log px "Plugin \`transport-tcp' is required \(meta connections\) but was not found; searched: $nodir" \
	"a missing plugin was not reported as not found"
node_conf px "DisablePlugin = transport-udp"
start_node px
wait_log px "Plugin \`transport-udp' is disabled by DisablePlugin: running as TCPOnly = yes" 10 ||
	fail "a disabled optional plugin was not reported as disabled"
assert_no_log px "transport-udp' was not found" "a disabled optional plugin was reported as not found"
assert_alive px
stop_node px
note "disabled and missing plugins worded differently"
pass
