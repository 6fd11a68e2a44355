#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# update-hosts acceptance point 2 (issue 6), in network namespaces:
#   U  plexus updater (HostsFilesMaster, ConfFileMaster, HostsUpdateInterval)
#   R  plexus receiver                                  ConnectTo U
#   F  plexus forger: DisablePlugin = update-hosts, and the test-only plugin
#      tests/integration/forger/forger.c (built here, out of tree) which
#      owns ids 100/101, captures what R forwards to it and broadcasts the
#      lines the test appends to a file                 ConnectTo R
#      Its own hosts/F claims HostsFilesMaster = yes; R's copy does not.
#   O  plexus observer: the forger plugin too, only capturing what R
#      forwards to it                                   ConnectTo R
# Lines are crafted by forger/craft.py with the `openssl` tool (RSA-PSS over
# the documented signed bytes). A valid run relayed by F is accepted first
# (so the crafting is right), then U is stopped and the crafted lines are
# sent one attack at a time: forged signature, tampered data, wrong key,
# unauthorised updater, unknown updater, self-proclaimed updater, replays of
# U's genuine runs (captured by F) and old serials, ../ and / in host and
# updater names, oversized data and length fields, invalid base64, binary
# data, broken templates. For each one R must log the refusal at debug level
# 1, every file under R's configuration directory must keep its SHA-256
# (host files, tinc.conf, serial state), no file may appear elsewhere and R
# must forward none of them to O. Then U is restarted with a changed host
# file, which R must apply; no daemon may have died. Works with an ASan
# build in PLEXUS_BUILD (sanitizer reports fail the test through lib.sh).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 openssl sha256sum cc
require_kind plexus

INTERVAL=2
CRAFT=$PXT_SRCDIR/tests/integration/forger/craft.py
LINES=$PXT_TMP/forger.lines
CAPTURE=$PXT_TMP/forger.capture
OBSERVED=$PXT_TMP/observer.capture

# ------------------------------------------------------------ helpers ---

# wait_for SECONDS CMD...: poll until CMD succeeds
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# diff of two hosts directories, ignoring dotfiles and the listed names
hosts_diff() {
	local a=$1 b=$2
	shift 2
	local x=() n
	for n in "$@"; do x+=(-x "$n"); done
	diff -r -x '.*' "${x[@]}" "$a" "$b"
}

# SHA-256 of every file (dotfiles included) under a directory, by path
tree_sums() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

log_lines() { wc -l <"${N_LOG[$1]}"; }

# wait_new_log NODE FROM_LINE REGEX TIMEOUT: REGEX in NODE's log after line
# FROM_LINE
wait_new_log() {
	local name=$1 from=$2 re=$3 limit=${4:-5} i
	for ((i = 0; i < limit * 10; i++)); do
		tail -n +"$((from + 1))" "${N_LOG[$name]}" | grep -Eq -- "$re" && return 0
		sleep 0.1
	done
	return 1
}

SENT=0
# forge WHAT REGEX LINE...: F sends the lines, R must log REGEX and change
# no file
forge() {
	local what=$1 re=$2 line from now
	shift 2
	[ $# -gt 0 ] || fail "$what: no line to send"
	for line in "$@"; do
		case $line in
		'' | *CRAFT-FAILED* | *$'\n'*) fail "$what: crafting the line failed: $line" ;;
		esac
	done
	from=$(log_lines R)
	printf '%s\n' "$@" >>"$LINES"
	SENT=$((SENT + $#))
	wait_new_log F "$F_FROM" "forger: line $SENT \([0-9]+ bytes\) broadcast" 5 ||
		fail "$what: F did not broadcast line $SENT"
	wait_new_log R "$from" "$re" 5 || {
		tail -n +"$((from + 1))" "${N_LOG[R]}" | head -20
		fail "$what: R did not log /$re/"
	}
	now=$(tree_sums "${N_DIR[R]}")
	[ "$now" = "$R_SUMS" ] || fail "$what: R's files changed: $(diff <(echo "$R_SUMS") <(echo "$now"))"
	note "refused: $what${2:+ ($# lines)}"
}

# craft host|conf ARGS...: one line from craft.py (runs in $(...): a
# failure is marked in the output, which forge() turns into a test failure)
craft() { python3 "$CRAFT" "$@" || echo "CRAFT-FAILED $*"; }

# The captured CONFUPDATE of U's run SERIAL, with a fresh nonce
captured_conf() {
	awk -v s="$1" '$1 == 101 && $3 == "U" && $4 == s' "$CAPTURE" | head -n 1 | python3 "$CRAFT" renonce
}

# Every captured HOSTUPDATE line of U's run SERIAL, with fresh nonces
captured_run() {
	awk -v s="$1" '$1 == 100 && $3 == "U" && $4 == s' "$CAPTURE" | python3 "$CRAFT" renonce
}

# Serials of U's runs F has seen complete (END captured), oldest first
captured_runs() { awk '$1 == 100 && $3 == "U" && $5 == "END" {print $4}' "$CAPTURE" | sort -un; }

# --------------------------------------------------------------- setup ---

FORGER_DIR=$PXT_TMP/forger
mkdir -p "$FORGER_DIR"
cc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -I"$PXT_SRCDIR/sdk" \
	-o "$FORGER_DIR/forger.so" "$PXT_SRCDIR/tests/integration/forger/forger.c" 2>"$PXT_TMP/forger.build" ||
	fail "building the forger plugin: $(cat "$PXT_TMP/forger.build")"
openssl genrsa -traditional -out "$PXT_TMP/wrong.pem" 2048 2>/dev/null || fail "openssl genrsa"
: >"$LINES"
: >"$CAPTURE"
: >"$OBSERVED"

make_node U plexus
make_node R plexus
make_node F plexus
make_node O plexus
connect_to R U
connect_to F R
connect_to O R
host_conf U "HostsFilesMaster = yes" "ConfFileMaster = yes"
node_conf U "HostsUpdateInterval = $INTERVAL" "ConfFileTemplate = template.conf"
printf 'Mode = router\nPingInterval = 30\nAutoConnect = no\n' >"${N_DIR[U]}/template.conf"
node_conf F "DisablePlugin = update-hosts" "ForgerLines = $LINES" "ForgerCapture = $CAPTURE"
node_conf O "DisablePlugin = update-hosts" "ForgerCapture = $OBSERVED"
exchange_hosts
# F calls itself an updater in its own copy, which R never reads
host_conf F "HostsFilesMaster = yes" "ConfFileMaster = yes"
export PXT_NO_EXCHANGE=1

start_node U
start_node R
PLEXUS_PLUGIN_PATH="$FORGER_DIR:$PLEXUS_PLUGIN_PATH" start_node F
PLEXUS_PLUGIN_PATH="$FORGER_DIR:$PLEXUS_PLUGIN_PATH" start_node O
wait_log F "forger: sending lines from" 10 || fail "F did not load the forger plugin"
up_and_ping R U 30
up_and_ping F R 30
up_and_ping O R 30
wait_log F "forger: connection with R active \(100: announced\)" 10 ||
	fail "R did not announce HOSTUPDATE to F"
F_FROM=0

# --- genuine runs of U, captured by F through R ------------------------------
wait_for $((INTERVAL * 3 + 5)) test "$(captured_runs | wc -l)" -ge 1 ||
	fail "F captured no complete run of U: $(head -c 300 "$CAPTURE")"
RUN1=$(captured_runs | head -n 1)
wait_for 10 grep -q "PingInterval = 30" "${N_CONF[R]}" || fail "R did not take U's template"
note "captured U's run $RUN1"
printf 'Address = 198.18.1.99\nSubnet = 198.19.50.0/24\n' >"${N_DIR[U]}/hosts/extra"
wait_for $((INTERVAL * 3 + 5)) hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[R]}/hosts" ||
	fail "R did not apply U's change: $(hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[R]}/hosts")"
wait_for $((INTERVAL * 3 + 5)) test "$(captured_runs | tail -n 1)" != "$RUN1" ||
	fail "F captured no second run of U"
RUN2=$(captured_runs | tail -n 1)
note "captured U's run $RUN2 (new hosts/extra)"
[ -n "$(captured_conf "$RUN1")" ] || fail "F captured no CONFUPDATE of U"

# --- a valid run relayed by F is accepted: the crafting is right ---------------
KEY_U=${N_DIR[U]}/rsa_key.priv
KEY_R=${N_DIR[R]}/rsa_key.priv
KEY_F=${N_DIR[F]}/rsa_key.priv
KEY_W=$PXT_TMP/wrong.pem
S=$(date +%s%3N)
printf 'Subnet = 198.19.60.0/24\n' >"$PXT_TMP/control.data"
from=$(log_lines R)
control=("$(craft host --key "$KEY_U" --updater U --serial "$S" --op START)"
	"$(craft host --key "$KEY_U" --updater U --serial "$S" --op FILE --host control --data-file "$PXT_TMP/control.data")"
	"$(craft host --key "$KEY_U" --updater U --serial "$S" --op END)")
case "${control[*]}" in
*CRAFT-FAILED*) fail "crafting the control run failed: ${control[*]}" ;;
esac
printf '%s\n' "${control[@]}" >>"$LINES"
SENT=3
wait_for 10 cmp -s "${N_DIR[R]}/hosts/control" "$PXT_TMP/control.data" ||
	fail "R did not accept a valid run of U relayed by F: $(tail -n +"$((from + 1))" "${N_LOG[R]}" | grep -E 'Refusing|Ignoring' | head)"
wait_new_log R "$from" "Host files updated by U \(serial $S\)" 10 || fail "R did not finish the control run"
wait_for 5 grep -q "^100 [0-9a-f]* U $S END " "$OBSERVED" || fail "R did not forward the valid run to O"
CONTROL=$S
note "valid run $S relayed by F accepted"

# --- freeze: no more genuine traffic, R's files must not change from here ------
stop_node U
sleep 1
R_SUMS=$(tree_sums "${N_DIR[R]}")
F_FROM=$(log_lines F)
R_FROM=$(log_lines R)
O_SEEN=$(wc -l <"$OBSERVED")
# the serials R accepted last (U may have sent a run after the control run)
LAST_HOSTS=$(awk '{print $1}' "${N_DIR[R]}/cache/update-hosts/U.hosts")
LAST_CONF=$(awk '{print $1}' "${N_DIR[R]}/cache/update-hosts/U.conf")
[[ -n $LAST_HOSTS && $LAST_HOSTS -ge $CONTROL ]] || fail "R's serial state for U: '$LAST_HOSTS' (control run $CONTROL)"
[[ -n $LAST_CONF && $LAST_CONF -ge $RUN2 ]] || fail "R's CONFUPDATE state for U: '$LAST_CONF' (run $RUN2)"
S=$(($(date +%s%3N) + 10000))

printf 'Subnet = 0.0.0.0/0\n' >"$PXT_TMP/evil.data"
evil=$PXT_TMP/evil.data
printf 'PingInterval = 1\nName = EVIL\n' >"$PXT_TMP/evil.conf"
head -c 2049 /dev/zero | tr '\0' 'a' >"$PXT_TMP/big.data"
head -c 2049 /dev/zero | tr '\0' 'a' | sed 's/^/PingInterval = 1\n#/' | head -c 2049 >"$PXT_TMP/big.conf"
printf 'Subnet = 1.2.3.4\001\n' >"$PXT_TMP/binary.data"
printf 'PingInterval = 1\n= a value without a variable\n' >"$PXT_TMP/broken.conf"
good64=$(base64 -w0 <"$evil")
other64=$(printf 'Subnet = 0.0.0.0/1\n' | base64 -w0)

# forged signature bytes / tampered content / wrong key
forge "forged signature" "Refusing HOSTUPDATE of U \(via F\): bad signature" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 1)) --op FILE --host R --data-file "$evil" --flip-sig)"
forge "tampered data" "Refusing HOSTUPDATE of U \(via F\): bad signature" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 2)) --op FILE --host R --data-file "$evil" --b64data="$other64")"
forge "tampered host name" "Refusing HOSTUPDATE of U \(via F\): bad signature" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 3)) --op FILE --host extra --data-file "$evil" --line-host R)"
forge "DEAD with a forged signature" "Refusing HOSTUPDATE of U \(via F\): bad signature" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 4)) --op DEAD --host extra --flip-sig)"
forge "wrong key" "Refusing HOSTUPDATE of U \(via F\): bad signature" \
	"$(craft host --key "$KEY_W" --updater U --serial $((S + 5)) --op FILE --host R --data-file "$evil")"
forge "wrong key (F's own)" "Refusing HOSTUPDATE of U \(via F\): bad signature" \
	"$(craft host --key "$KEY_F" --updater U --serial $((S + 6)) --op START)"
forge "CONFUPDATE forged signature" "Refusing CONFUPDATE of U \(via F\): bad signature" \
	"$(craft conf --key "$KEY_U" --updater U --serial $((S + 7)) --data-file "$PXT_TMP/evil.conf" --flip-sig)"
forge "CONFUPDATE wrong key" "Refusing CONFUPDATE of U \(via F\): bad signature" \
	"$(craft conf --key "$KEY_W" --updater U --serial $((S + 8)) --data-file "$PXT_TMP/evil.conf")"

# unauthorised, unknown and self-proclaimed updaters (all correctly signed)
forge "unauthorised updater" "Refusing HOSTUPDATE of F \(via F\): unauthorised updater \(no HostsFilesMaster = yes in hosts/F\)" \
	"$(craft host --key "$KEY_F" --updater F --serial $((S + 9)) --op FILE --host R --data-file "$evil")"
forge "unauthorised updater DEAD" "Refusing HOSTUPDATE of F \(via F\): unauthorised updater" \
	"$(craft host --key "$KEY_F" --updater F --serial $((S + 10)) --op DEAD --host U)"
forge "unauthorised CONFUPDATE" "Refusing CONFUPDATE of F \(via F\): unauthorised updater \(no ConfFileMaster = yes in hosts/F\)" \
	"$(craft conf --key "$KEY_F" --updater F --serial $((S + 11)) --data-file "$PXT_TMP/evil.conf")"
forge "unknown updater" "Refusing HOSTUPDATE of ghost \(via F\): no host file hosts/ghost" \
	"$(craft host --key "$KEY_W" --updater ghost --serial $((S + 12)) --op FILE --host R --data-file "$evil")"
forge "self-proclaimed updater" "Refusing HOSTUPDATE of R \(via F\): names us as its updater" \
	"$(craft host --key "$KEY_R" --updater R --serial $((S + 13)) --op FILE --host U --data-file "$evil")"
forge "self-proclaimed CONFUPDATE" "Refusing CONFUPDATE of R \(via F\): names us as its updater" \
	"$(craft conf --key "$KEY_R" --updater R --serial $((S + 14)) --data-file "$PXT_TMP/evil.conf")"

# replays of U's genuine runs (fresh nonces: the core's dedupe cache cannot
# help) and old serials properly signed with U's key. A replayed run is
# refused as a whole: one line at level 0, the rest at debug level 3.
for run in "$RUN1" "$RUN2"; do
	mapfile -t lines < <(captured_run "$run")
	[ "${#lines[@]}" -ge 2 ] || fail "no captured HOSTUPDATE lines of run $run"
	from=$(log_lines R)
	forge "replayed run $run" \
		"Refusing HOSTUPDATE [A-Z]+ of U \(via F\): replayed or old serial $run \(last $LAST_HOSTS\)" "${lines[@]}"
	sleep 0.5
	n=$(tail -n +"$((from + 1))" "${N_LOG[R]}" | grep -c "replayed or old serial $run ")
	[ "$n" = 1 ] || fail "replayed run $run: $n refusal lines at debug level 1 for ${#lines[@]} lines"
done
# the one-line-per-run limit must not hide a different refusal of that serial
forge "forged signature after the replay of run $RUN2" "Refusing HOSTUPDATE of U \(via F\): bad signature" \
	"$(craft host --key "$KEY_U" --updater U --serial "$RUN2" --op FILE --host R --data-file "$evil" --flip-sig)"
forge "replayed CONFUPDATE of run $RUN1" "Refusing CONFUPDATE of U \(via F\): replayed or old serial $RUN1" \
	"$(captured_conf "$RUN1")"
forge "replayed control run FILE" "Refusing HOSTUPDATE FILE of U \(via F\): replayed or old serial $CONTROL \(last $LAST_HOSTS\)" \
	"$(grep -F " $CONTROL FILE control " "$LINES" | python3 "$CRAFT" renonce)"
forge "old serial" "Refusing HOSTUPDATE FILE of U \(via F\): replayed or old serial 1 " \
	"$(craft host --key "$KEY_U" --updater U --serial 1 --op FILE --host R --data-file "$evil")"
forge "old serial DEAD" "Refusing HOSTUPDATE DEAD of U \(via F\): replayed or old serial $((RUN1 - 1)) " \
	"$(craft host --key "$KEY_U" --updater U --serial $((RUN1 - 1)) --op DEAD --host extra)"
forge "old serial CONFUPDATE" "Refusing CONFUPDATE of U \(via F\): replayed or old serial $RUN2 \(last $LAST_CONF\)" \
	"$(craft conf --key "$KEY_U" --updater U --serial "$RUN2" --data-file "$PXT_TMP/evil.conf")"

# path traversal in host and updater names (correctly signed by U)
for h in ../evil ../tinc.conf ../../evil /tmp/evil a/b .. . extra/ .extra; do
	forge "host name $h" "Refusing HOSTUPDATE from F: invalid host name" \
		"$(craft host --key "$KEY_U" --updater U --serial $((S + 20)) --op FILE --host "$h" --data-file "$evil")"
done
for h in ../tinc.conf ../rsa_key.priv /etc/hostname ..; do
	forge "DEAD $h" "Refusing HOSTUPDATE from F: invalid host name" \
		"$(craft host --key "$KEY_U" --updater U --serial $((S + 21)) --op DEAD --host "$h")"
done
forge "updater ../U" "Refusing HOSTUPDATE from F: invalid updater name" \
	"$(craft host --key "$KEY_U" --updater ../U --serial $((S + 22)) --op FILE --host R --data-file "$evil")"
forge "CONFUPDATE updater /U" "Refusing CONFUPDATE from F: invalid updater name" \
	"$(craft conf --key "$KEY_U" --updater /U --serial $((S + 23)) --data-file "$PXT_TMP/evil.conf")"

# oversized data and lying length fields
forge "oversized host file" "Refusing HOSTUPDATE from F: data too large" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 30)) --op FILE --host R --data-file "$PXT_TMP/big.data")"
forge "oversized template" "Refusing CONFUPDATE from F: data too large" \
	"$(craft conf --key "$KEY_U" --updater U --serial $((S + 31)) --data-file "$PXT_TMP/big.conf")"
forge "huge LEN" "Refusing HOSTUPDATE from F: data too large" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 32)) --op FILE --host R --data-file "$evil" --len 4294967296)"
forge "LEN overflow" "Refusing HOSTUPDATE from F: bad length field" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 33)) --op FILE --host R --data-file "$evil" --len 99999999999999999999999)"
forge "negative LEN" "Refusing HOSTUPDATE from F: bad length field" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 34)) --op FILE --host R --data-file "$evil" --len=-19)"
forge "short LEN" "Refusing HOSTUPDATE from F: length field does not match the data" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 35)) --op FILE --host R --data-file "$evil" --len 5)"
forge "huge SIGLEN" "Refusing HOSTUPDATE from F: bad signature length" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 36)) --op FILE --host R --data-file "$evil" --siglen 1025)"
forge "SIGLEN mismatch" "Refusing HOSTUPDATE from F: signature length field does not match" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 37)) --op FILE --host R --data-file "$evil" --siglen 255)"
forge "serial overflow" "Refusing HOSTUPDATE from F: bad serial" \
	"$(craft host --key "$KEY_U" --updater U --serial 18446744073709551616 --op FILE --host R --data-file "$evil")"

# invalid base64
forge "base64 data with bad characters" "Refusing HOSTUPDATE from F: invalid base64 data" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 40)) --op FILE --host R --data-file "$evil" --b64data="${good64:0:8}!!!!${good64:12}")"
forge "base64 data not a multiple of 4" "Refusing HOSTUPDATE from F: invalid base64 data" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 41)) --op FILE --host R --data-file "$evil" --b64data="${good64}A")"
forge "base64 padding inside" "Refusing HOSTUPDATE from F: invalid base64 data" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 42)) --op FILE --host R --data-file "$evil" --b64data="QQ==${good64}")"
forge "base64url data" "Refusing HOSTUPDATE from F: invalid base64 data" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 43)) --op FILE --host R --data-file "$evil" --b64data="$(echo "$good64" | tr 'A-Za-z0-9' '_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-')")"
forge "base64 signature invalid" "Refusing HOSTUPDATE from F: invalid base64 signature" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 44)) --op FILE --host R --data-file "$evil" --b64sig='AAAA*AAA')"
forge "CONFUPDATE base64 invalid" "Refusing CONFUPDATE from F: invalid base64 data" \
	"$(craft conf --key "$KEY_U" --updater U --serial $((S + 45)) --data-file "$PXT_TMP/evil.conf" --b64data='%%%%')"

# content and framing the plugin must not accept even when signed
forge "binary host file" "Refusing HOSTUPDATE of U for R \(via F\): host file is not plain text" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 50)) --op FILE --host R --data-file "$PXT_TMP/binary.data")"
forge "template that is not Variable = value" "Refusing CONFUPDATE of U \(via F\): .*Variable = value" \
	"$(craft conf --key "$KEY_U" --updater U --serial $((S + 51)) --data-file "$PXT_TMP/broken.conf")"
forge "START with a host name" "Refusing HOSTUPDATE from F: START/END carry no host name" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 52)) --op START --host R)"
forge "DEAD with data" "Refusing HOSTUPDATE from F: START/END/DEAD carry no data" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 53)) --op DEAD --host extra --data-file "$evil")"
forge "missing field" "Refusing HOSTUPDATE from F: wrong number of fields" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 54)) --op FILE --host R --data-file "$evil" | cut -d' ' -f1-9)"
forge "extra field" "Refusing CONFUPDATE from F: wrong number of fields" \
	"$(craft conf --key "$KEY_U" --updater U --serial $((S + 55)) --data-file "$PXT_TMP/evil.conf") x"
forge "bad nonce" "Refusing HOSTUPDATE from F: bad nonce" \
	"$(craft host --key "$KEY_U" --updater U --serial $((S + 56)) --op START | sed -E 's|^100 [0-9a-f]+ |100 ../../../.. |')"

# a flood: 400 copies of one forged line (fresh nonces defeat the core's
# dedupe cache); one log line at level 0, R keeps up and stays connected
flood=$(craft host --key "$KEY_U" --updater U --serial $((S + 60)) --op FILE --host R --data-file "$evil" --flip-sig)
mapfile -t lines < <(for ((i = 0; i < 400; i++)); do echo "$flood"; done | python3 "$CRAFT" renonce)
from=$(log_lines R)
forge "flood of 400 forged lines" "Refusing HOSTUPDATE of U \(via F\): bad signature" "${lines[@]}"
ping_check F R 5 0 || fail "R does not answer pings after the flood"
n=$(tail -n +"$((from + 1))" "${N_LOG[R]}" | grep -c "bad signature")
[ "$n" = 1 ] || fail "the flood gave $n level-0 refusal lines"

[ -z "$(find "$PXT_TMP" -name '*evil*' -not -name 'evil.*')" ] ||
	fail "a file named evil appeared: $(find "$PXT_TMP" -name '*evil*')"
note "$SENT lines sent by F, every forged one refused, R's files unchanged"
assert_alive R F O
[ "$(wc -l <"$OBSERVED")" = "$O_SEEN" ] ||
	fail "R forwarded refused lines to O: $(tail -n +"$((O_SEEN + 1))" "$OBSERVED" | cut -c1-120)"
if tail -n +"$((R_FROM + 1))" "${N_LOG[R]}" | grep -E "Updated hosts/|Removed hosts/|rewritten from the template|Reloading"; then
	fail "R applied something after the freeze"
fi
up_and_ping F R 10
if tail -n +"$((F_FROM + 1))" "${N_LOG[F]}" | grep "Closing connection with R"; then
	fail "R closed its connection with F during the attacks"
fi

# --- a genuine update from U still applies ----------------------------------------
echo "Subnet = 198.19.51.0/24" >>"${N_DIR[U]}/hosts/extra"
from=$(log_lines R)
start_node U
# R's next attempt to reach U may be far off: SIGALRM retries at once
wait_log U "Ready" 10 || fail "U did not restart"
kill -ALRM "${N_PID[R]}"
wait_for $((INTERVAL * 3 + 15)) hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[R]}/hosts" control ||
	fail "R did not apply U's update after the attacks: $(hosts_diff "${N_DIR[U]}/hosts" "${N_DIR[R]}/hosts" control)"
wait_new_log R "$from" "Updated hosts/extra from U" 5 || fail "R did not log the genuine update"
up_and_ping R U 30
assert_alive U R F O
pass "$SENT lines from the forger"
