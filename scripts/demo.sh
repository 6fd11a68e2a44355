#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Plexus demo (run as root on Debian 12, from the source tree):
#
#   scripts/demo.sh [--keep] [--no-deps]
#   scripts/demo.sh --stop        stop a demo left running with --keep
#
# Installs the dependencies, builds Plexus in ./build if needed, then runs a
# four-node VPN in network namespaces: alpha, bravo and charlie are plexusd,
# delta is Debian's tinc 1.0.36 (left out if tinc is not installed). The
# meta connections form a ring alpha -> bravo -> charlie -> delta -> alpha.
# Every node pings every other node through the tunnel, then alpha's
# `plexus dump nodes` is printed. Without --keep everything is removed at
# the end. Addresses: underlay 198.18.1.0/24, tunnel 198.19.0.0/16; nothing
# is configured outside the namespaces.

set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC" || exit 1
STATE=/tmp/plexus-demo.stop

KEEP=0
DEPS=1
for arg in "$@"; do
	case $arg in
	--keep) KEEP=1 ;;
	--no-deps) DEPS=0 ;;
	--stop)
		if [ -f "$STATE" ]; then
			sh "$STATE"
			rm -f "$STATE"
			echo "demo stopped"
		else
			echo "no demo is running ($STATE not found)"
		fi
		exit 0
		;;
	-h | --help)
		sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "unknown option $arg (see --help)" >&2
		exit 2
		;;
	esac
done

[ "$(id -u)" = 0 ] || {
	echo "demo.sh must run as root (network namespaces, TUN devices)" >&2
	exit 1
}
if [ -f "$STATE" ]; then
	echo "stopping the previous demo first"
	sh "$STATE"
	rm -f "$STATE"
fi

step() { printf '\n==> %s\n' "$*"; }

if [ "$DEPS" = 1 ]; then
	step "dependencies"
	sh "$SRC/tests/tools/install-deps.sh" || exit 1
fi

step "build (./build)"
if [ ! -x "$SRC/configure" ]; then
	autoreconf -fi || exit 1
fi
mkdir -p "$SRC/build"
(
	cd "$SRC/build" || exit 1
	[ -f Makefile ] || "$SRC/configure" -q || exit 1
	make -s -j"$(nproc 2>/dev/null || echo 2)"
) >"$SRC/build/demo-build.log" 2>&1 || {
	tail -n 40 "$SRC/build/demo-build.log"
	echo "build failed (full log: build/demo-build.log)"
	exit 1
}
echo "built $SRC/build/core/plexusd and $SRC/build/core/plexus"

export PLEXUS_BUILD=$SRC/build
export PXT_KIND=plexus
# shellcheck source=../tests/integration/lib.sh
. "$SRC/tests/integration/lib.sh"
PXT_TEST=demo

step "four nodes in network namespaces"
make_node alpha plexus
make_node bravo plexus
make_node charlie plexus
NODES="alpha bravo charlie"
if [ -x "$TINCD" ]; then
	make_node delta tinc10
	NODES="$NODES delta"
	ring="alpha bravo charlie delta alpha"
else
	echo "tinc is not installed: running without delta"
	ring="alpha bravo charlie alpha"
fi
prev=
for n in $ring; do
	[ -n "$prev" ] && connect_to "$prev" "$n"
	prev=$n
done
for n in $NODES; do
	start_node "$n"
done

step "waiting for the mesh"
for n in $NODES; do
	for m in $NODES; do
		[ "$n" = "$m" ] && continue
		wait_ping "$n" "$m" 45 || fail "$n cannot reach $m"
	done
done

step "every node pings every other node through the VPN"
for n in $NODES; do
	for m in $NODES; do
		[ "$n" = "$m" ] && continue
		rtt=$(in_ns "$n" ping -n -q -c 3 -i 0.2 -W 2 "$(tun_addr "$m")" 2>/dev/null |
			sed -nE 's/.*= [0-9.]+\/([0-9.]+)\/.*/\1/p')
		printf '  %-8s %-8s -> %-8s %-11s %s\n' "$n" "(${N_KIND[$n]})" "$m" "$(tun_addr "$m")" \
			"${rtt:+ok, avg $rtt ms}"
		[ -n "$rtt" ] || fail "$n -> $m: no reply"
	done
done

step "plexus dump nodes (on alpha)"
plexus_cli alpha dump nodes
step "plexus dump edges (on alpha)"
plexus_cli alpha dump edges

if [ "$KEEP" = 1 ]; then
	{
		echo "# stop the Plexus demo (written by scripts/demo.sh --keep)"
		for n in $NODES; do
			echo "kill -TERM ${N_PID[$n]} 2>/dev/null"
		done
		echo "sleep 1"
		for n in $NODES; do
			echo "kill -KILL ${N_PID[$n]} 2>/dev/null"
		done
		for ns in "${PXT_NAMESPACES[@]}" "$PXT_HUB"; do
			echo "ip netns del $ns 2>/dev/null"
		done
		echo "rm -rf $PXT_TMP"
	} >"$STATE"
	trap - EXIT INT TERM
	step "the demo keeps running"
	for n in $NODES; do
		echo "  $n: namespace ${N_NS[$n]}, config ${N_DIR[$n]}, log ${N_LOG[$n]}, pid ${N_PID[$n]}"
	done
	echo
	echo "  try:  ip netns exec ${N_NS[alpha]} ping $(tun_addr bravo)"
	echo "        $PLEXUS_CLI -c ${N_DIR[alpha]} --pidfile=${N_PIDFILE[alpha]} dump graph"
	echo "  stop: scripts/demo.sh --stop"
	exit 0
fi
step "cleaning up"
pass "all nodes reached each other"
