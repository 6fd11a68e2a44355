#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The SDK's crypto example as a researcher uses it: `make install` into a
# staging root, build sdk/examples/crypto-demo.so out of tree with the
# example's own Makefile against the installed plexus-sdk.pc, load it into
# three nodes. alpha and beta share a DemoKey and announce DemoProtocol, so
# the demo protocol is chosen over SPTPS for their meta connection and data
# channel: pings and 20 MB of TCP cross it, by UDP. gamma has the plugin but
# no key: its link to beta (meta connection and data) stays on SPTPS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd make pkg-config python3 ping nft
[ "$PXT_KIND" = plexus ] || skip "needs plexusd"
require_kind plexus
require_cli
require_sptps
[ -f "$PLEXUS_BUILD/Makefile" ] || fail "no configured build in $PLEXUS_BUILD"
pkg-config --exists libsodium || skip "libsodium's pkg-config file is missing"

STAGE=$PXT_TMP/stage
make -s -C "$PLEXUS_BUILD" install DESTDIR="$STAGE" >"$PXT_TMP/install.log" 2>&1 ||
	fail "make install DESTDIR=$STAGE failed: $(tail -20 "$PXT_TMP/install.log")"
pc=$(find "$STAGE" -name plexus-sdk.pc | head -n 1)
[ -n "$pc" ] || fail "make install did not install plexus-sdk.pc"

# out of tree: the installed example sources, nothing from the source tree
src=$(find "$STAGE" -path '*/sdk/examples/crypto-demo.c' | head -n 1)
[ -n "$src" ] || fail "make install did not install sdk/examples/crypto-demo.c"
EX=$PXT_TMP/example
cp -r "$(dirname "$src")" "$EX"
rm -f "$EX"/*.so
PKG_CONFIG_PATH=$(dirname "$pc"):$(pkg-config --variable pcfiledir libsodium) PKG_CONFIG_SYSROOT_DIR=$STAGE \
	make -C "$EX" crypto-demo.so CFLAGS="-O2 -Wall -Wextra -Werror -Wno-unused-parameter" \
	>"$PXT_TMP/example.log" 2>&1 ||
	fail "building crypto-demo against the installed SDK failed: $(cat "$PXT_TMP/example.log")"
[ -f "$EX/crypto-demo.so" ] || fail "the example Makefile produced no crypto-demo.so"
# only the crypto example in its directory: hello.so is not under test here
PLUGS=$PXT_TMP/demo-plugins
mkdir -p "$PLUGS"
cp "$EX/crypto-demo.so" "$PLUGS/"
export PLEXUS_PLUGIN_PATH="$PLUGS:$PLEXUS_PLUGIN_PATH"

key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
two_node_net plexus plexus
make_node gamma plexus
connect_to gamma beta
for n in alpha beta; do
	node_conf "$n" "DemoKey = $key"
	[ "$n" = alpha ] && node_conf "$n" "DemoUnregistered = 1"
	host_conf "$n" "DemoProtocol = yes"
done
udp_counter beta from_alpha alpha
udp_counter alpha from_beta beta
start_node beta
start_node alpha
PXT_DEBUG=3 start_node gamma
for n in alpha beta gamma; do
	wait_log "$n" "crypto-demo: protocol minor" 15 || fail "$n did not load crypto-demo"
done
up_and_ping alpha beta 30
assert_log alpha "DemoKey authentication with beta succeeded" "alpha: no demo meta authentication with beta"
assert_log beta "DemoKey authentication with alpha succeeded" "beta: no demo meta authentication with alpha"
assert_proto alpha beta demo
assert_proto beta alpha demo
# Frames above the path MTU found so far go over the meta connection: wait
# for PMTU discovery on both sides so that the bulk data tests the UDP path.
wait_pmtu() {
	local node=$1 peer=$2 i line
	for ((i = 0; i < 100; i++)); do
		line=$(plexus_cli "$node" dump nodes 2>/dev/null | awk -v p="$peer" '$1 == p')
		if [[ $line =~ \(min\ ([0-9]+)\ max\ ([0-9]+)\) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] &&
			[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]; then
			return 0
		fi
		sleep 0.2
	done
	echo "$line"
	return 1
}
wait_pmtu alpha beta || fail "alpha found no path MTU to beta within 20 s"
wait_pmtu beta alpha || fail "beta found no path MTU to alpha within 20 s"
bulk_tcp alpha beta $((20 * 1024 * 1024)) 60 || fail "20 MB TCP alpha -> beta over crypto-demo"
bulk_tcp beta alpha $((4 * 1024 * 1024)) 30 || fail "4 MB TCP beta -> alpha over crypto-demo"
ping_check alpha beta 10 0 || fail "pings lost after the bulk transfers"
# Bytes, not datagrams: with UDP offload a run of datagrams crosses the
# veth as one packet.
a=$(counter_bytes beta from_alpha)
b=$(counter_bytes alpha from_beta)
note "UDP bytes alpha -> beta $a, beta -> alpha $b"
[ "${a:-0}" -ge $((14 * 1024 * 1024)) ] || fail "only $a UDP bytes alpha -> beta: data not on UDP"
[ "${b:-0}" -ge $((1024 * 1024)) ] || fail "only $b UDP bytes beta -> alpha: data not on UDP"

# gamma loaded the plugin without a key: SPTPS with beta, both ways
up_and_ping gamma beta 30
assert_proto gamma beta sptps
assert_proto beta gamma sptps
assert_no_log gamma "DemoKey authentication" "gamma used the demo protocol without a key"
# the meta connection too: gamma announced SPTPS's minor, not legacy's
assert_log gamma "SPTPS authentication with beta succeeded" "gamma's meta connection to beta is not SPTPS"
for n in alpha beta gamma; do
	assert_no_log "$n" "Forged|failed (DemoKey|verification)|Bad (record|REQ_KEY|ANS_KEY|CHALLENGE)|AddressSanitizer|runtime error"
done
# DemoKey and DemoProtocol are registered by the plugin: no warning for
# them, while an unregistered variable still draws one
for n in alpha beta; do
	assert_no_log "$n" "Unknown variable .Demo(Key|Protocol)'" "$n warned about a variable crypto-demo registered"
done
assert_log alpha "Unknown variable .DemoUnregistered" "no warning for an unregistered variable"
vars=$(PLEXUS_PLUGIN_PATH=$PLEXUS_PLUGIN_PATH "$PLEXUSD" -c "${N_DIR[alpha]}" --dump-variables 2>&1) ||
	fail "plexusd --dump-variables failed: $vars"
echo "$vars"
echo "$vars" | grep -q "^DemoKey server single string crypto-demo " || fail "--dump-variables lacks DemoKey"
echo "$vars" | grep -q "^DemoProtocol host single bool crypto-demo " || fail "--dump-variables lacks DemoProtocol"
# the CLI learns them from plexusd --dump-variables: `plexus set` takes
# them without --force (DemoProtocol, a host variable, lands in hosts/cli),
# checks a bool's value, still refuses an unregistered name; fsck is quiet
CV=$PXT_TMP/cliconf
mkdir -p "$CV/hosts"
echo "Name = cli" >"$CV/tinc.conf"
: >"$CV/hosts/cli"
"$PLEXUS_CLI" -c "$CV" set DemoKey "$key" || fail "plexus set DemoKey refused"
"$PLEXUS_CLI" -c "$CV" set DemoProtocol yes || fail "plexus set DemoProtocol refused"
grep -q "^DemoKey = $key" "$CV/tinc.conf" || fail "DemoKey not in tinc.conf: $(cat "$CV/tinc.conf")"
grep -q "^DemoProtocol = yes" "$CV/hosts/cli" || fail "DemoProtocol not in hosts/cli: $(cat "$CV/hosts/cli")"
"$PLEXUS_CLI" -c "$CV" set DemoProtocol maybe 2>"$PXT_TMP/cli.err" && fail "plexus set DemoProtocol maybe accepted"
grep -q "expected yes or no" "$PXT_TMP/cli.err" || fail "no reason for refusing DemoProtocol maybe: $(cat "$PXT_TMP/cli.err")"
"$PLEXUS_CLI" -c "$CV" set DemoUnregistered 1 2>/dev/null && fail "plexus set accepted an unregistered variable"
[ "$("$PLEXUS_CLI" -c "$CV" get DemoKey 2>&1)" = "$key" ] || fail "plexus get DemoKey"
if "$PLEXUS_CLI" -c "$CV" fsck 2>&1 | grep -i "unknown variable Demo"; then
	fail "fsck calls a registered plugin variable unknown"
fi
plexus_cli beta dump nodes
assert_alive alpha beta gamma
pass
