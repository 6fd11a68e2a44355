#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The bash completion (completion/plexus, built): sourced in bash, its
# functions are called with COMP_WORDS/COMP_CWORD set as bash would, and
# COMPREPLY is checked: every command of `plexus help` and every option of
# `plexusd --help`, variable names from the parser's table (also NODE.VAR
# and plexusd -o VAR=), dump arguments, and node names from a running
# daemon (control_fake_daemon, on a UNIX socket in a temporary directory).
set -u
srcdir=${srcdir:-.}
builddir=${builddir:-.}
command -v bash >/dev/null 2>&1 || { echo "bash not found: skipped"; exit 77; }
comp="$builddir/completion/plexus"
cli="$builddir/core/plexus"
daemon="$builddir/core/plexusd"
fake="$builddir/tests/unit/control_fake_daemon"
for f in "$comp" "$cli" "$daemon" "$fake" "$builddir/core/conf_dump"; do
	[ -e "$f" ] || { echo "FAIL: $f not built" >&2; exit 1; }
done
dir=$(mktemp -d /tmp/completion_test.XXXXXX) || exit 1
fakepid=
cleanup() {
	if [ -n "$fakepid" ]; then kill "$fakepid" 2>/dev/null; wait "$fakepid" 2>/dev/null; fi
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# complete WORD0 LINE: the sorted replies for the command line LINE (words
# split at spaces; a trailing space starts an empty word), as bash would
# compute them after a TAB at its end, with WORD0 as the typed command.
complete_line() {
	bash -c '
		. "$1" || exit 1
		line=$3
		read -r -a COMP_WORDS <<<"$line"
		COMP_WORDS[0]=$2
		[ "${line% }" != "$line" ] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		case $line in plexusd*) _plexusd ;; *) _plexus ;; esac
		printf "%s\n" "${COMPREPLY[@]}" | sort
	' completion-test "$comp" "$1" "$2"
}

# expect LINE WANT: the replies, joined by spaces, must be WANT.
expect() {
	case $1 in plexusd*) w0=$daemon ;; *) w0=$cli ;; esac
	got=$(complete_line "$w0" "$1" | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$2" ] || fail "'$1<TAB>': got '$got', expected '$2'"
}

# Every command `plexus help` lists is offered after "plexus ".
complete_line "$cli" "plexus " >"$dir/commands"
"$cli" help | sed -n '/^Commands:/,$p' | sed 1d | grep '^  [a-z]' |
	sed 's/^  //; s/  .*//' | tr ',' '\n' | awk '{ print $1 }' | sort -u >"$dir/help-commands"
[ "$(wc -l <"$dir/help-commands")" -gt 30 ] || fail "could not read the commands from plexus help"
missing=$(comm -23 "$dir/help-commands" "$dir/commands")
[ -z "$missing" ] || fail "commands of plexus help not completed: $missing"

# Every long option of plexusd --help is offered after "plexusd --".
complete_line "$daemon" "plexusd --" >"$dir/options"
"$daemon" --help | grep -o -- '--[a-z-]*' | sort -u >"$dir/help-options"
[ "$(wc -l <"$dir/help-options")" -gt 10 ] || fail "could not read the options from plexusd --help"
missing=$(comm -23 "$dir/help-options" "$dir/options")
[ -z "$missing" ] || fail "options of plexusd --help not completed: $missing"

# Every variable of the parser's table can be completed.
complete_line "$cli" "plexus get " >"$dir/vars"
"$builddir/core/conf_dump" names | sort >"$dir/table"
cmp -s "$dir/vars" "$dir/table" || fail "plexus get <TAB> differs from the variable table: $(diff "$dir/table" "$dir/vars" | head -5)"

expect "plexus get Na" "Name"
expect "plexus set alpha.Sub" "alpha.Subnet"
expect "plexus config add Conn" "ConnectTo"
expect "plexus config g" "get"
expect "plexus dump re" "reachable"
expect "plexus dump reachable " "nodes"
expect "plexus gen" "generate-ed25519-keys generate-keys generate-rsa-keys"
expect "plexus --ne" "--net"
expect "plexus start --lo" "--logfile"
expect "plexusd -o Na" "Name="
expect "plexusd -o beta.Addr" "beta.Address= beta.AddressFamily="
expect "plexusd --kill = TE" "TERM"
expect "plexusd -k --vers" "--version"
expect "plexusd -U root -o Por" "Port="

# Node names come from the running daemon selected by -c/--pidfile.
expect "plexus -c $dir info " ""
"$fake" "$dir/pid" &
fakepid=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	[ -S "$dir/pid.socket" ] && break
	sleep 0.1
done
[ -S "$dir/pid.socket" ] || { echo "FAIL: fake daemon did not start" >&2; exit 1; }
expect "plexus -c $dir info " "alpha beta"
expect "plexus -c $dir disconnect b" "beta"
expect "plexus --pidfile $dir/pid verify " ". alpha beta"
expect "plexus -c $dir edit hosts/a" "hosts/alpha"

[ "$failures" = 0 ] && echo "completion_test: ok"
[ "$failures" = 0 ]
