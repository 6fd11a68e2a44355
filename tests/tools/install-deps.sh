#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Install what building and testing Plexus needs on Debian 12 (run as root).
# Does nothing when every package is present; never asks questions.
# Used by tests/run-all.sh and scripts/demo.sh.
PKGS="libltdl-dev libssl-dev libsodium-dev zlib1g-dev liblzo2-dev liblz4-dev libminiupnpc-dev libvdeplug-dev autoconf automake libtool
pkg-config build-essential libncurses-dev libreadline-dev tinc iperf3 nftables iproute2 iputils-ping python3 jq
tcpdump tmux vde2 strace
debhelper dpkg-dev fakeroot lintian git
clang libclang-rt-14-dev clang-format"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: not a Debian system, install these yourself: $PKGS" >&2
	exit 0
fi
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all dependencies present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing$missing; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q && apt-get install -y -q --no-install-recommends $missing
