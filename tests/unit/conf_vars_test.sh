#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# No known variable may be silently without effect. Walks the known-variable
# table in core/conf.c:
#  - a variable marked implemented must be read somewhere under core/ or
#    plugins/ (its quoted name passed to a function: conf_get, conf_get_bool,
#    conf_get_int, get_bool, the host table's conf_get/conf_bool/conf_int, a
#    plugin's own wrapper, ...), outside conf.c;
#  - a variable marked not implemented must not be read (else flip its mark);
#  - plexusd refuses to start with each refused variable set (-o), and logs
#    the warning for a warned one.
set -u
srcdir=${srcdir:-.}
builddir=${builddir:-.}
command -v perl >/dev/null 2>&1 || { echo "perl not found: skipped"; exit 77; }
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

table=$(perl -ne '
	$in = 1 if /known_vars\[\] = \{/;
	$in = 0 if $in && /^\};/;
	print "$1 ", ($2 // "CONF_IMPLEMENTED"), "\n" if $in && /^\s*\{"(\w+)",\s*[^,}]+(?:,\s*(CONF_\w+))?/;
' "$srcdir/core/conf.c")
[ "$(echo "$table" | wc -l)" -gt 50 ] || { echo "FAIL: could not parse known_vars[] in core/conf.c" >&2; exit 1; }

# Every quoted identifier-like string inside the argument list of a call.
# The CLI (core/cli_*.c) names variables to edit and check files, not to
# act on them, so it does not count as reading them.
read_names=$(find "$srcdir/core" "$srcdir/plugins" -name '*.c' ! -path '*/core/conf.c' ! -path '*/core/cli_*.c' -print0 |
	xargs -0 perl -0777 -ne '
		s{/\*.*?\*/}{}gs; s{//[^\n]*}{}g;
		my $args = qr/(\((?:[^()"]++|"(?:[^"\\]|\\.)*"|(?-1))*\))/;
		while (/\b[A-Za-z_]\w*\s*$args/g) {
			my $a = $1;
			print "$1\n" while $a =~ /"([A-Za-z][A-Za-z0-9]*)"/g;
		}' | sort -u)

is_read() { echo "$read_names" | grep -qx "$1"; }

implemented=0 unimplemented=0
while read -r name support; do
	if [ "$support" = CONF_IMPLEMENTED ]; then
		implemented=$((implemented + 1))
		is_read "$name" || fail "$name is marked implemented but no code under core/ or plugins/ reads it"
	else
		unimplemented=$((unimplemented + 1))
		is_read "$name" && fail "$name is marked $support but code reads it: mark it implemented"
	fi
done <<EOF
$table
EOF
echo "known variables: $implemented implemented, $unimplemented not implemented (warned or refused)"

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
	refused=$(echo "$table" | awk '$2 == "CONF_REFUSE" { print $1 }')
	for name in $refused; do
		PLEXUS_PLUGIN_PATH="$dir/noplugins" timeout 10 "$plexusd" -D -c "$dir/conf" --pidfile="$dir/pid" \
			-o DisablePlugin=transport-tcp -o "$name=plexus-test-value" >"$dir/out" 2>&1
		rc=$?
		[ "$rc" = 1 ] || fail "plexusd -o $name=...: exit status $rc, expected 1"
		grep -q "Variable $name is not implemented by Plexus; refusing" "$dir/out" ||
			fail "plexusd -o $name=...: no refusal message: $(cat "$dir/out")"
	done
	echo "refused at start-up: $(echo $refused)"
	PLEXUS_PLUGIN_PATH="$dir/noplugins" timeout 10 "$plexusd" -D -K -c "$dir/conf" --pidfile="$dir/pid" \
		-o UPnP=yes >"$dir/out" 2>&1
	grep -q "command line: Variable UPnP is not implemented by Plexus and has no effect" "$dir/out" ||
		fail "plexusd -o UPnP=yes: no warning: $(cat "$dir/out")"
	printf 'Name = alpha\nUPnP = no\nSandbox = off\nProxy = none\n' >"$dir/conf/tinc.conf"
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
