#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# No known variable may be silently without effect. Walks the parser's
# known-variable table (printed by core/conf_dump status: the very table
# conf.c uses) and fails for any variable no code reads, except the CLI-only
# ones listed below:
#  - "read" means its quoted name is passed to a function somewhere under
#    core/ or plugins/ (conf_get, conf_get_bool, conf_get_int, get_bool, the
#    host table's conf_get/conf_bool/conf_int, a plugin's own wrapper, ...),
#    outside conf.c, the CLI and the documentation (conf_doc.c);
#  - a variable the table marks as refused counts as handled: plexusd refuses
#    to start while it is set, as tincd does with what it cannot honour
#    (checked below);
#  - a variable the table marks as obsolete counts as handled too: it means
#    nothing any more, plexusd warns and names what replaced it (checked
#    below); the obsolete list below must agree with the table;
#  - a variable the table marks as warned (not implemented, a warning is
#    logged) is listed; it fails the test only with CONF_VARS_STRICT=1
#    (conf_vars_strict_test.sh; none is left);
#  - a variable marked not implemented must not be read (else flip its mark);
#  - plexusd refuses to start with each refused variable set (-o), and logs
#    the warning for a warned one.
set -u
srcdir=${srcdir:-.}
builddir=${builddir:-.}
strict=${CONF_VARS_STRICT:-0}
command -v perl >/dev/null 2>&1 || { echo "perl not found: skipped"; exit 77; }
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Variables only tinc's command-line tools read; tincd ignores them too, so
# no daemon code reads them in Plexus either. The table marks them
# tool-only; the two lists must agree.
#   Ifconfig, Route: tinc join writes them into tinc-up.invitation.
cli_only="Ifconfig Route"

# Variables that no longer mean anything; plexusd warns, naming what
# replaced each, and `plexus set` wants --force. The table marks them
# obsolete; the two lists must agree.
#   ECDSAPrivateKeyFile, ECDSAPublicKey, ECDSAPublicKeyFile: tinc 1.1pre's
#     P-521 keys; tinc 1.1 reads none of them (SPTPS uses Ed25519*).
#   LocalDiscoveryAddress: tinc 1.1 dropped it.
#   LoadPlugin, Transport, LogFile: Plexus's own early names; every plugin
#     found is loaded, the loader picks the transports, --logfile the log.
obsolete_names="ECDSAPrivateKeyFile ECDSAPublicKey ECDSAPublicKeyFile LocalDiscoveryAddress LoadPlugin Transport LogFile"

[ -x "$builddir/core/conf_dump" ] || { echo "FAIL: $builddir/core/conf_dump not built" >&2; exit 1; }
table=$("$builddir/core/conf_dump" status)
[ "$(echo "$table" | wc -l)" -gt 50 ] || { echo "FAIL: conf_dump status printed no table" >&2; exit 1; }
words() { printf '%s\n' $1 | sort | tr '\n' ' ' | sed 's/ $//'; }
tool_only=$(words "$(echo "$table" | awk '$2 == "tool-only" { print $1 }')")
[ "$tool_only" = "$(words "$cli_only")" ] ||
	fail "the table's tool-only variables ($tool_only) are not this test's CLI-only list ($cli_only)"
obsolete=$(words "$(echo "$table" | awk '$2 == "obsolete" { print $1 }')")
[ "$obsolete" = "$(words "$obsolete_names")" ] ||
	fail "the table's obsolete variables ($obsolete) are not this test's obsolete list ($obsolete_names)"

# Every quoted identifier-like string inside the argument list of a call.
# The CLI (core/cli_*.c) names variables to edit and check files, not to
# act on them, so it does not count as reading them.
read_names=$(find "$srcdir/core" "$srcdir/plugins" -name '*.c' ! -path '*/core/conf.c' ! -path '*/core/cli_*.c' \
	! -path '*/core/conf_doc.c' -print0 |
	xargs -0 perl -0777 -ne '
		s{/\*.*?\*/}{}gs; s{//[^\n]*}{}g;
		my $args = qr/(\((?:[^()"]++|"(?:[^"\\]|\\.)*"|(?-1))*\))/;
		while (/\b[A-Za-z_]\w*\s*$args/g) {
			my $a = $1;
			print "$1\n" while $a =~ /"([A-Za-z][A-Za-z0-9]*)"/g;
		}' | sort -u)

is_read() { echo "$read_names" | grep -qx "$1"; }

implemented=0 unread=""
while read -r name support; do
	case " $cli_only " in
	*" $name "*)
		is_read "$name" && fail "$name is listed as CLI-only but code reads it"
		continue
		;;
	esac
	if is_read "$name"; then
		[ "$support" = implemented ] || fail "$name is marked $support but code reads it: mark it implemented"
		implemented=$((implemented + 1))
		continue
	fi
	case $support in
	implemented) fail "$name is marked implemented but no code under core/ or plugins/ reads it" ;;
	refuse | obsolete) ;;
	*)
		unread="$unread $name"
		[ "$strict" = 1 ] && fail "no code reads $name (plexusd only warns that it has no effect)"
		;;
	esac
done <<EOF
$table
EOF
echo "known variables: $implemented read by code;" \
	"refused:$(echo "$table" | awk '$2 == "refuse" { printf " %s", $1 }'); CLI-only: $cli_only;" \
	"obsolete: $obsolete_names"
echo "accepted with a warning, read by no code ($(echo $unread | wc -w)):$unread"

# The daemon's start-up path. A refused variable stops it before it opens
# anything (and, should it not, the missing transport-tcp stops it before
# any device or socket); a warned one is logged (then -K exits: no crypto
# plugin in the empty plugin path, or keys written into the temporary
# directory).
plexusd="$builddir/core/plexusd"
if [ -x "$plexusd" ]; then
	dir=$(mktemp -d /tmp/conf_vars_test.XXXXXX) || exit 1
	trap 'rm -rf "$dir"' EXIT INT TERM
	mkdir -p "$dir/conf/hosts" "$dir/noplugins"
	printf 'Name = alpha\nDeviceType = dummy\n' >"$dir/conf/tinc.conf"
	: >"$dir/conf/hosts/alpha"
	refused=$(echo "$table" | awk '$2 == "refuse" { print $1 }')
	for name in $refused; do
		PLEXUS_PLUGIN_PATH="$dir/noplugins" timeout 10 "$plexusd" -D -c "$dir/conf" --pidfile="$dir/pid" \
			-o DisablePlugin=transport-tcp -o "$name=plexus-test-value" >"$dir/out" 2>&1
		rc=$?
		[ "$rc" = 1 ] || fail "plexusd -o $name=...: exit status $rc, expected 1"
		grep -q "Variable $name is not implemented by Plexus; refusing" "$dir/out" ||
			fail "plexusd -o $name=...: no refusal message: $(cat "$dir/out")"
	done
	echo "refused at start-up: $(echo $refused)"
	for name in $obsolete_names; do
		PLEXUS_PLUGIN_PATH="$dir/noplugins" timeout 10 "$plexusd" -D -K -c "$dir/conf" --pidfile="$dir/pid" \
			-o "$name=plexus-test-value" >"$dir/out" 2>&1
		grep -q "command line: Variable $name is obsolete and has no effect: ..*" "$dir/out" ||
			fail "plexusd -o $name=...: no obsolete warning: $(cat "$dir/out")"
	done
	printf 'Name = alpha\nDisableBuggyPeers = no\nUPnP = no\nSandbox = off\nProxy = none\n' >"$dir/conf/tinc.conf"
	PLEXUS_PLUGIN_PATH="$dir/noplugins" timeout 10 "$plexusd" -D -K -c "$dir/conf" --pidfile="$dir/pid" \
		>"$dir/out" 2>&1
	grep -q "not implemented" "$dir/out" && fail "values that mean 'off' were reported: $(cat "$dir/out")"

	# LogLevel is the debug level unless -d is given. Without transport-tcp
	# the daemon stops in its plugin check, before any device or socket.
	for args in "-o LogLevel=3:3" "-d1 -o LogLevel=3:1" "-o LogLevel=0:0"; do
		want=${args##*:}
		PLEXUS_PLUGIN_PATH="$dir/noplugins" timeout 10 "$plexusd" -D -c "$dir/conf" --pidfile="$dir/pid" \
			-o DisablePlugin=transport-tcp ${args%:*} >"$dir/out" 2>&1
		grep -q "starting, debug level $want\$" "$dir/out" ||
			fail "plexusd ${args%:*}: expected debug level $want: $(cat "$dir/out")"
	done

	# Bad UPnP values are refused (tinc would take them as UPnP = no); the
	# daemon stops in its settings, before any device or socket.
	for opt in UPnP=maybe UPnPDiscoverWait=0 UPnPRefreshPeriod=-5 UPnPRefreshPeriod=soon; do
		PLEXUS_PLUGIN_PATH="$dir/noplugins" timeout 10 "$plexusd" -D -c "$dir/conf" --pidfile="$dir/pid" \
			-o DisablePlugin=transport-tcp -o "$opt" >"$dir/out" 2>&1
		rc=$?
		[ "$rc" = 1 ] || fail "plexusd -o $opt: exit status $rc, expected 1"
		grep -Eq "expected (yes, udponly or no|1 to 86400 seconds)|${opt%%=*}.*(integer|number)" "$dir/out" ||
			fail "plexusd -o $opt: no refusal message: $(cat "$dir/out")"
	done

	# A DisablePlugin name that no plugin has is reported with the known ones.
	PLEXUS_PLUGIN_PATH="$dir/noplugins" timeout 10 "$plexusd" -D -c "$dir/conf" --pidfile="$dir/pid" \
		-o DisablePlugin=transport-tcp -o DisablePlugin=compres >"$dir/out" 2>&1
	grep -q "DisablePlugin = compres names no known plugin (known: transport-tcp, .*compress" "$dir/out" ||
		fail "DisablePlugin = compres: no warning: $(cat "$dir/out")"
	grep -q "DisablePlugin = transport-tcp names" "$dir/out" && fail "DisablePlugin = transport-tcp reported"
else
	fail "$plexusd not built"
fi

[ "$failures" = 0 ] && echo "conf_vars_test: ok"
[ "$failures" = 0 ]
