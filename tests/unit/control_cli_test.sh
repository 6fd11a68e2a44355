#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The plexus CLI against control_fake_daemon: handshake, dumps, info, log,
# plugins, simple requests, stop, and its error messages. Only a UNIX
# socket in a private temporary directory is used.
set -u
builddir=${builddir:-.}
cli="$builddir/core/plexus"
fake="$builddir/tests/unit/control_fake_daemon"
dir=$(mktemp -d /tmp/control_cli_test.XXXXXX) || exit 1
fakepid=
cleanup() {
	if [ -n "$fakepid" ]; then kill "$fakepid" 2>/dev/null; wait "$fakepid" 2>/dev/null; fi
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect NAME EXPECTED-OUTPUT COMMAND...: stdout must match exactly, exit 0.
expect() {
	name=$1 want=$2
	shift 2
	got=$("$@" 2>"$dir/err") || { fail "$name: exit status $? ($(cat "$dir/err"))"; return; }
	[ "$got" = "$want" ] || fail "$name: got
$got
expected
$want"
}

P="$cli -c $dir"

# No daemon yet: a clear message and a failure status.
if $P pid 2>"$dir/err"; then fail "pid without a daemon succeeded"; fi
grep -q "Could not open pid file $dir/pid" "$dir/err" || fail "missing pid file message: $(cat "$dir/err")"

"$fake" "$dir/pid" &
fakepid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$dir/pid.socket" ] && break; sleep 0.2; done
[ -S "$dir/pid.socket" ] || { echo "fake daemon did not start" >&2; exit 1; }

expect pid "$fakepid" $P pid
expect nodes "alpha id 010203040506 at MYSELF port 10655 cipher 0 digest 0 maclength 0 compression 0 options 0 status 0010 nexthop alpha via alpha distance 0 pmtu 1518 (min 0 max 1518)
beta id 560c72de72c0 at 198.18.0.2 port 655 cipher 0 digest 0 maclength 0 compression 0 options c status 0812 nexthop beta via beta distance 1 pmtu 1518 (min 0 max 1518) protocol legacy (aes-256-cbc/sha256_key_valid)" $P dump nodes
expect edges "alpha to beta at 198.18.0.2 port 655 local unspec port unspec options c weight 10" $P dump edges
expect subnets "10.1.2.0/24 owner beta" $P list subnets
expect graph 'graph {
  "alpha" [label = "alpha", color = "green", style = "filled"];
  "beta" [label = "beta", color = "black"];
  "alpha" -- "beta" [weight = 10];
}' $P dump graph
expect plugins "crypto-legacy version 0.1.0 ABI 1.0 provides crypto:legacy path /usr/lib/plexus/crypto-legacy.so" $P plugins
expect info-address "Subnet: 10.1.2.0/24
Owner:  beta" $P info 10.1.2.200
expect debug "Old level 0, new level 3." $P debug 3
expect reload "" $P reload
expect retry "" $P retry
expect purge "" $P purge
expect disconnect "" $P disconnect beta

got=$($P dump connections) || fail "dump connections"
echo "$got" | grep -q '^beta at 198.18.0.2 port 655 options c socket 5 status c0$' || fail "connections: $got"
echo "$got" | grep -q '^<control> at localhost port unix options 0 socket [0-9]* status 200$' || fail "connections: $got"

got=$($P info beta) || fail "info beta"
echo "$got" | grep -q '^Data channel: legacy (aes-256-cbc/sha256_key_valid)$' || fail "info beta: $got"
echo "$got" | grep -q '^Subnets:      10.1.2.0/24$' || fail "info beta: $got"

if $P info gamma 2>/dev/null; then fail "info on an unknown node succeeded"; fi
if $P disconnect gamma 2>/dev/null; then fail "disconnect of an unknown node succeeded"; fi
if $P dump foo 2>/dev/null; then fail "dump foo succeeded"; fi
if $P frobnicate 2>/dev/null; then fail "unknown command succeeded"; fi

# The log stream: framed messages come out one per line.
timeout 3 $P log 5 >"$dir/log" 2>&1
grep -q '^fake log message [0-9]*$' "$dir/log" || fail "log: $(cat "$dir/log")"

# A wrong cookie is refused.
sed 's/ [0-9A-F]\{64\} / 0000 /' "$dir/pid" >"$dir/badpid"
if $cli -c "$dir" --pidfile "$dir/badpid" pid 2>"$dir/err"; then fail "bad cookie accepted"; fi

expect stop "" $P stop
wait "$fakepid" || fail "fake daemon exited with status $?"
fakepid=
[ ! -e "$dir/pid" ] || fail "pid file left behind"
[ ! -e "$dir/pid.socket" ] || fail "socket left behind"
if $P pid 2>/dev/null; then fail "pid after stop succeeded"; fi

echo "control_cli_test: $failures failed"
[ "$failures" -eq 0 ]
