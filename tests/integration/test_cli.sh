#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The plexus CLI on a two-node net: generate-keys (a bare directory, and
# beta's keys), init (alpha: plexus.conf written by `plexus init`), start
# (the daemon detaches), pid, dump nodes|edges|subnets|connections|graph,
# info NODE|ADDRESS, plugins, debug, reload, stop.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd ping
[ "$PXT_KIND" = plexus ] || skip "the plexus CLI needs plexus nodes"
require_kind plexus
require_cli

# generate-keys on a bare tinc-style directory
KD=$PXT_TMP/keys-only
mkdir -p "$KD/hosts"
echo "Name = keytest" >"$KD/tinc.conf"
"$PLEXUS_CLI" -c "$KD" generate-keys </dev/null >"$PXT_TMP/genkeys.out" 2>&1 ||
	fail "plexus generate-keys failed: $(cat "$PXT_TMP/genkeys.out")"
grep -q "BEGIN RSA PRIVATE KEY\|BEGIN PRIVATE KEY" "$KD/rsa_key.priv" 2>/dev/null ||
	fail "plexus generate-keys wrote no rsa_key.priv"
grep -q "BEGIN RSA PUBLIC KEY" "$KD/hosts/keytest" 2>/dev/null ||
	fail "plexus generate-keys did not append the public key to hosts/keytest"
note "generate-keys: $(head -n 3 "$PXT_TMP/genkeys.out" | tr '\n' ' ')"

PXT_USE_INIT=1 make_node alpha plexus
make_node beta plexus
connect_to alpha beta
PXT_START_CLI=1 start_node beta
PXT_START_CLI=1 start_node alpha
up_and_ping alpha beta 30

cli() { # cli NODE ARGS...: run, keep output in $OUT, fail on non-zero exit
	local node=$1
	shift
	OUT=$(plexus_cli "$node" "$@" 2>&1) || fail "plexus $* on $node failed: $OUT"
	echo "\$ plexus $* ($node)"
	echo "$OUT" | head -n 20
}

cli alpha pid
[ "$OUT" = "${N_PID[alpha]}" ] || fail "plexus pid said '$OUT', pid file says ${N_PID[alpha]}"

cli alpha dump nodes
echo "$OUT" | grep -Eq "^alpha id [0-9a-f]{12} at MYSELF port $PXT_PORT " || fail "dump nodes: no line for ourself (alpha id ... at MYSELF port $PXT_PORT)"
echo "$OUT" | grep -Eq "^beta id [0-9a-f]{12} at $(underlay_addr beta) port $PXT_PORT .* nexthop beta via beta distance 1 " || fail "dump nodes: no line for beta at $(underlay_addr beta)"
cli alpha dump reachable nodes
echo "$OUT" | grep -q "^beta " || fail "dump reachable nodes lacks beta"

cli alpha dump edges
echo "$OUT" | grep -Eq "^alpha to beta at $(underlay_addr beta) port $PXT_PORT " || fail "dump edges: no edge alpha -> beta"
echo "$OUT" | grep -Eq "^beta to alpha at $(underlay_addr alpha) port " || fail "dump edges: no edge beta -> alpha"

cli alpha dump subnets
echo "$OUT" | grep -Eq "^$(tun_addr beta)(/32)? owner beta$" || fail "dump subnets: no $(tun_addr beta) owned by beta"
echo "$OUT" | grep -Eq "^$(tun_addr alpha)(/32)? owner alpha$" || fail "dump subnets: no $(tun_addr alpha) owned by alpha"

cli alpha dump connections
echo "$OUT" | grep -Eq "^beta at $(underlay_addr beta) port $PXT_PORT " || fail "dump connections: no meta connection to beta"

cli alpha dump graph
echo "$OUT" | grep -q "graph" && echo "$OUT" | grep -q "alpha" && echo "$OUT" | grep -q "beta" ||
	fail "dump graph: not a Graphviz graph of alpha and beta"

cli alpha info beta
echo "$OUT" | grep -qi "reachable" || fail "info beta does not say beta is reachable"
cli alpha info "$(tun_addr beta)"
echo "$OUT" | grep -q "beta" || fail "info $(tun_addr beta) does not name its owner beta"

cli alpha plugins
for p in crypto-legacy transport-tcp transport-udp; do
	echo "$OUT" | grep -q "^$p " || fail "plugins: $p not listed"
done

cli alpha debug 3
cli alpha debug 1
cli alpha reload
wait_ping alpha beta 10 || fail "no ping after reload"
ping_check alpha beta 3 0 || fail "pings lost after reload"

pid=${N_PID[beta]}
cli beta stop
pid_alive "$pid" && fail "plexus stop returned but beta (pid $pid) still runs"
N_PID[beta]=
# a stopped daemon: the CLI must say so and fail
if plexus_cli beta pid >/dev/null 2>&1; then
	fail "plexus pid succeeded against a stopped daemon"
fi
cli alpha stop
N_PID[alpha]=
pass
