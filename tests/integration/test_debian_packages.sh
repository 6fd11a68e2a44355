#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-timeout: 900
# pxt-lane: background
#
# The Debian packages, end to end: build them with dpkg-buildpackage from a
# clean copy of the tree (the source tree is not written to), check their
# ABI dependencies and lintian, install them, run two nodes from the
# INSTALLED daemon and plugin directory and ping, build the SDK example out
# of tree against the installed plexus-sdk-dev, remove
# plexus-plugin-update-hosts and show the daemon still starts and connects,
# show that a stale plugin (another ABI major) in the plugin directory is
# logged and skipped, then purge and show nothing is left behind.
# The packages are purged again by the EXIT trap, whatever happens.
#
# Skips where dpkg-buildpackage/debhelper or a Build-Depends is missing, and
# where Plexus is already installed in /usr (it is not ours to replace).
export PXT_INSTALLED=1
PXT_DEBUG=${PXT_DEBUG:-2}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

require_root
for c in dpkg-buildpackage dpkg-deb dpkg-checkbuilddeps dh fakeroot git; do
	command -v "$c" >/dev/null 2>&1 ||
		skip "$c not installed (apt-get install dpkg-dev debhelper fakeroot git)"
done
PKGS="plexus plexus-plugin-udp plexus-plugin-sptps plexus-plugin-legacy plexus-plugin-compress plexus-plugin-update-hosts plexus-sdk-dev"
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -Eq 'installed|config-files' &&
		skip "package $p is already on this machine; this test installs and purges its own"
done
for f in /usr/sbin/plexusd /usr/bin/plexus /usr/include/plexus; do
	[ -e "$f" ] && skip "$f exists (a 'make install' to /usr?); not overwriting it"
done

T0=$SECONDS
INSTALLED=0
STALE=

# Purge whatever we installed before lib.sh's trap removes the namespaces
# and the temp dir (the daemons are stopped first: they run our binaries).
deb_cleanup() {
	local rc=$? n
	for n in "${PXT_NODES[@]}"; do
		stop_pid "${N_PID[$n]}" 10
	done
	[ -n "$STALE" ] && rm -f "$STALE"
	if [ "$INSTALLED" = 1 ]; then
		# shellcheck disable=SC2086
		dpkg --purge $PKGS >/dev/null 2>&1 || echo "WARNING: dpkg --purge $PKGS failed"
	fi
	(exit "$rc")
	pxt_cleanup
}
trap deb_cleanup EXIT

# ------------------------------------------------------------ build ---
SRC=$PXT_TMP/src
mkdir -p "$SRC"
git -C "$PXT_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 || skip "$PXT_SRCDIR is not a git checkout"
# tracked and new (not ignored) files as they are in the work tree
(cd "$PXT_SRCDIR" && git ls-files -z -c -o --exclude-standard | xargs -0 cp --parents -t "$SRC") ||
	fail "copying the source tree"
[ -d "$SRC/debian" ] || fail "no debian/ directory in $PXT_SRCDIR"
(cd "$SRC" && dpkg-checkbuilddeps) >"$PXT_TMP/builddeps.out" 2>&1 ||
	skip "Build-Depends missing: $(cat "$PXT_TMP/builddeps.out")"

note "building the packages (dpkg-buildpackage -b -us -uc; nocheck noddebs) in $SRC"
t=$SECONDS
(cd "$SRC" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" dpkg-buildpackage -b -us -uc) \
	>"$PXT_TMP/build.log" 2>&1 || {
	tail -n 40 "$PXT_TMP/build.log"
	fail "dpkg-buildpackage failed"
}
note "packages built in $((SECONDS - t)) s"
# the build happened in the copy: none of its products is in the source tree
for f in debian/tmp debian/.debhelper debian/files debian/debhelper-build-stamp debian/plexus; do
	[ -e "$PXT_SRCDIR/$f" ] && fail "the package build wrote $PXT_SRCDIR/$f into the source tree"
done

DEBS=()
for p in $PKGS; do
	f=$(ls "$PXT_TMP"/"${p}"_*.deb 2>/dev/null)
	[ -n "$f" ] && [ -f "$f" ] || fail "package $p was not built"
	DEBS+=("$f")
done

# ------------------------------------------------------ dependencies ---
ABI=$(sed -n 's/^#define PX_ABI_MAJOR[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$PXT_SRCDIR/sdk/plexus/plugin.h")
[ -n "$ABI" ] || fail "no PX_ABI_MAJOR in sdk/plexus/plugin.h"
for f in "${DEBS[@]}"; do
	p=$(dpkg-deb -f "$f" Package)
	echo "  $p: Installed-Size $(dpkg-deb -f "$f" Installed-Size) KiB; Depends: $(dpkg-deb -f "$f" Depends)$(
		prov=$(dpkg-deb -f "$f" Provides)
		[ -n "$prov" ] && echo "; Provides: $prov"
	)"
	case $p in
	plexus)
		dpkg-deb -f "$f" Provides | grep -Eq "(^|, )plexus-plugin-abi-$ABI( |,|$)" ||
			fail "plexus does not provide plexus-plugin-abi-$ABI"
		;;
	plexus-plugin-*)
		dpkg-deb -f "$f" Depends | grep -Eq "(^|, )plexus-plugin-abi-$ABI( |,|$)" ||
			fail "$p does not depend on plexus-plugin-abi-$ABI"
		;;
	esac
done

if command -v lintian >/dev/null 2>&1; then
	t=$SECONDS
	lintian --info --pedantic --fail-on error "$PXT_TMP"/plexus_*.changes >"$PXT_TMP/lintian.out" 2>&1
	lrc=$?
	grep -v 'running with root privileges' "$PXT_TMP/lintian.out"
	[ "$lrc" = 0 ] || fail "lintian reports errors (exit $lrc)"
	note "lintian: $(grep -c '^E:' "$PXT_TMP/lintian.out") errors, $(grep -c '^W:' "$PXT_TMP/lintian.out") warnings, $(grep -c '^[IP]:' "$PXT_TMP/lintian.out") info/pedantic ($((SECONDS - t)) s)"
else
	note "lintian not installed: not run"
fi

# ----------------------------------------------------------- install ---
INSTALLED=1
dpkg -i "${DEBS[@]}" >"$PXT_TMP/install.out" 2>&1 || {
	cat "$PXT_TMP/install.out"
	fail "dpkg -i failed"
}
# shellcheck disable=SC2086
dpkg -L $PKGS >"$PXT_TMP/files.list" 2>/dev/null
note "installed $(wc -l <"$PXT_TMP/files.list") paths from ${#DEBS[@]} packages"
for f in /usr/share/man/man5/plexus.conf.5.gz /usr/share/bash-completion/completions/plexus \
	/usr/share/bash-completion/completions/plexusd; do
	grep -qx "$f" "$PXT_TMP/files.list" || fail "$f is not in the packages"
done
# The man pages carry the packaged paths, not the build's defaults.
zcat /usr/share/man/man8/plexusd.8.gz | grep -q '^\.I /etc/tinc/NETNAME/$' ||
	fail "plexusd(8) does not name /etc/tinc/NETNAME/"
PLUGINDIR=$(pkg-config --variable=plugindir plexus-sdk) || fail "pkg-config plexus-sdk (installed .pc)"
[ -f "$PLUGINDIR/transport-tcp.so" ] ||
	fail "the SDK's plugindir $PLUGINDIR has no transport-tcp.so: $(grep transport-tcp "$PXT_TMP/files.list")"
note "plugin directory: $PLUGINDIR ($(ls "$PLUGINDIR" | tr '\n' ' '))"
[ -e /etc/systemd/system/multi-user.target.wants/plexus.service ] &&
	fail "installing enabled plexus.service (no configuration exists yet)"

assert_installed_plugins() {
	local n=$1 p
	shift
	for p in "$@"; do
		assert_log "$n" "Loaded plugin $p .*\($PLUGINDIR/$p\.so\)" "$n did not load $p from $PLUGINDIR"
	done
}

# ------------------------------------------------- two nodes, installed ---
two_node_net plexus plexus
start_node beta
start_node alpha
up_and_ping alpha beta 30
assert_log alpha "Plugin search path: $PLUGINDIR\$" "alpha searched another plugin path"
assert_installed_plugins alpha transport-tcp transport-udp crypto-sptps crypto-legacy compress update-hosts
assert_installed_plugins beta transport-tcp transport-udp crypto-sptps crypto-legacy compress update-hosts
stop_node alpha
stop_node beta

# ---------------------------------------------- the SDK, out of tree ---
EX=$PXT_TMP/sdk-example
cp -r /usr/share/doc/plexus-sdk-dev/examples "$EX" || fail "no SDK examples installed"
make -s -C "$EX" >"$PXT_TMP/sdk.out" 2>&1 || {
	cat "$PXT_TMP/sdk.out"
	fail "the SDK example does not build against the installed plexus-sdk-dev"
}
note "SDK example built out of tree against the installed headers"

# --------------------------------- without plexus-plugin-update-hosts ---
dpkg -r plexus-plugin-update-hosts >>"$PXT_TMP/install.out" 2>&1 || fail "dpkg -r plexus-plugin-update-hosts"
[ -e "$PLUGINDIR/update-hosts.so" ] && fail "update-hosts.so still installed after dpkg -r"
start_node beta
start_node alpha
up_and_ping alpha beta 30
assert_installed_plugins alpha transport-tcp transport-udp crypto-sptps crypto-legacy compress
assert_no_log alpha "Loaded plugin update-hosts" "alpha loaded update-hosts after its package was removed"
note "without plexus-plugin-update-hosts: started and connected"
stop_node alpha
stop_node beta

# ------------------------ a stale plugin in the installed directory ---
# The SDK example built for the next ABI major, dropped into the package's
# plugin directory as a third party would: the daemon must log it, skip it
# and run, since the configuration does not need it.
printf '#include <plexus/plugin.h>\n#undef PX_ABI_MAJOR\n#define PX_ABI_MAJOR %d\n#include "hello.c"\n' \
	$((ABI + 1)) >"$EX/stale.c"
# shellcheck disable=SC2046 # pkg-config prints several words
cc $(pkg-config --cflags plexus-sdk) -I"$EX" -shared -fPIC -fvisibility=hidden -o "$EX/hello.so" "$EX/stale.c" ||
	fail "building the stale plugin"
STALE=$PLUGINDIR/hello.so
install -m 0644 "$EX/hello.so" "$STALE"
start_node beta
start_node alpha
if wait_ping alpha beta 30 >/dev/null; then
	assert_log beta "Plugin .hello. .*ABI $((ABI + 1))\..*not loaded" "the stale plugin was not logged"
	note "stale plugin $STALE (ABI $((ABI + 1))): logged and skipped, nodes connect"
else
	grep -hE "hello|not starting" "${N_LOG[beta]}" "${N_OUT[beta]}" | head -5
	STALE_FAIL="a plugin built for ABI major $((ABI + 1)) in $PLUGINDIR stops the daemon from starting"
	node_alive beta || STALE_FAIL="$STALE_FAIL (beta exited)"
	note "FAILED: $STALE_FAIL"
fi
stop_node alpha
stop_node beta
rm -f "$STALE"
STALE=

# ------------------------------------------------------------- purge ---
# shellcheck disable=SC2086
dpkg --purge $PKGS >>"$PXT_TMP/install.out" 2>&1 || {
	tail -n 20 "$PXT_TMP/install.out"
	fail "dpkg --purge failed"
}
INSTALLED=0
left=0
while read -r f; do
	case $f in
	/usr | /usr/* | /lib | /lib/* | /etc | /etc/*) ;;
	*) continue ;;
	esac
	[ -e "$f" ] || continue
	# shared directories (/usr/lib/x86_64-linux-gnu, /usr/share/doc...) stay;
	# ours (/usr/include/plexus, /usr/share/doc/plexus-*...) are named so
	[ -d "$f" ] && [ "${f#*plexus}" = "$f" ] && continue
	echo "left behind: $f"
	left=$((left + 1))
done <"$PXT_TMP/files.list"
[ -e "$PLUGINDIR" ] && {
	echo "left behind: $PLUGINDIR"
	left=$((left + 1))
}
for d in /etc /var/lib/plexus /run/plexus; do
	[ -e "$d" ] || continue
	find "$d" -name '*plexus*' 2>/dev/null | sed 's/^/left behind: /'
	left=$((left + $(find "$d" -name '*plexus*' 2>/dev/null | wc -l)))
done
n=$(ls /var/lib/dpkg/info/ | grep -Ec '^plexus(-plugin-[a-z-]+|-sdk-dev)?(:[a-z0-9]+)?\.')
[ "$n" = 0 ] || {
	ls /var/lib/dpkg/info/ | grep -E '^plexus' | sed 's/^/left behind in dpkg: /'
	left=$((left + n))
}
[ "$left" = 0 ] || fail "$left paths left behind after dpkg --purge"
note "purged: none of the $(wc -l <"$PXT_TMP/files.list") installed paths is left, $PLUGINDIR is gone"

[ -z "${STALE_FAIL:-}" ] || fail "$STALE_FAIL"
pass "built, installed, pinged, ran without update-hosts and purged in $((SECONDS - T0)) s"
