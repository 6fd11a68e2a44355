#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# The whole Plexus test suite, from a fresh Debian 12 checkout (run as root):
#
#   tests/run-all.sh [--quick] [--only REGEX] [--no-deps] [--jobs N]
#
#   1. installs the build and test dependencies with apt-get (skipped when
#      all are present, or with --no-deps)
#   2. autoreconf -fi; out-of-tree build in ./build (--enable-werror)
#   3. make check in ./build: every unit test program counts as one test
#   4. ./build-asan (--enable-sanitizers): make check, plus the bad-input and
#      two-node integration tests against the sanitized daemon
#   5. make distcheck (one test)
#   6. every tests/integration/test_*.sh (one test each, with a timeout; the
#      log is printed when it fails); those marked "# pxt-lane: background"
#      run in a second lane next to the others. test_sdk_example.sh installs the build
#      into a staging dir and builds sdk/examples against it.
#
#   --quick        skip step 4 and 5
#   --only REGEX   run only the steps / tests whose name matches REGEX
#                  (names: unit, asan, distcheck, test_two_nodes_router, ...);
#                  the build itself always runs
#   --no-deps      never call apt-get
#
# Logs: ./build-logs/. The last line is always "N passed, N failed"; the exit
# status is non-zero if anything failed.

set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC" || exit 1

QUICK=0
ONLY=
DEPS=1
JOBS=$(nproc 2>/dev/null || echo 2)
TEST_TIMEOUT=${PXT_TEST_TIMEOUT:-300}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--only)
		ONLY=${2:-}
		shift
		;;
	--only=*) ONLY=${1#--only=} ;;
	--no-deps) DEPS=0 ;;
	--jobs)
		JOBS=${2:-2}
		shift
		;;
	-h | --help)
		sed -n '3,28p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "unknown option $1 (see --help)" >&2
		echo "0 passed, 1 failed"
		exit 2
		;;
	esac
	shift
done

LOGS=$SRC/build-logs
rm -rf "$LOGS"
mkdir -p "$LOGS/integration"
PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
START=$SECONDS

say() { echo "[$(date +%T)] $*"; }

wanted() { [ -z "$ONLY" ] || [[ $1 =~ $ONLY ]]; }

record() { # record NAME pass|fail|skip [DETAIL]
	case $2 in
	pass)
		PASSED=$((PASSED + 1))
		echo "PASS: $1${3:+ ($3)}"
		;;
	skip)
		SKIPPED=$((SKIPPED + 1))
		echo "SKIP: $1${3:+ ($3)}"
		;;
	*)
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("$1")
		echo "FAIL: $1${3:+ ($3)}"
		;;
	esac
}

finish() {
	local n
	echo
	say "done in $((SECONDS - START)) s; logs in $LOGS"
	[ "$SKIPPED" -gt 0 ] && echo "$SKIPPED skipped"
	for n in "${FAILED_NAMES[@]}"; do
		echo "failed: $n"
	done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit $?
}

show_log() { # show_log FILE [LINES]
	echo "  ----- $1 (last ${2:-80} lines)"
	tail -n "${2:-80}" "$1" | sed 's/^/  | /'
	echo "  -----"
}

# ------------------------------------------------------------ dependencies ---
if [ "$DEPS" = 1 ]; then
	say "dependencies (tests/tools/install-deps.sh)"
	if ! sh "$SRC/tests/tools/install-deps.sh" >"$LOGS/deps.log" 2>&1; then
		record dependencies fail "apt-get install failed"
		show_log "$LOGS/deps.log" 40
	else
		tail -n 1 "$LOGS/deps.log"
	fi
fi

# ------------------------------------------------------------------- build ---
# configure_and_make DIR LOGNAME CONFIGURE-ARGS...
configure_and_make() {
	local dir=$1 log=$LOGS/$2.log
	shift 2
	mkdir -p "$dir"
	(
		# an existing build reconfigures itself through make's rebuild rules
		cd "$dir" && { [ -f Makefile ] || "$SRC/configure" "$@"; } && make -j"$JOBS"
	) >"$log" 2>&1
}

# count_trs DIR PREFIX: count every .trs of the last make check as one test.
count_trs() {
	local dir=$1 prefix=$2 trs name res n=0
	while IFS= read -r trs; do
		n=$((n + 1))
		name=${trs#"$dir"/}
		name=${name%.trs}
		res=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
		case $res in
		PASS | XFAIL) record "$prefix$name" pass ;;
		SKIP) record "$prefix$name" skip ;;
		*)
			record "$prefix$name" fail "$res"
			[ -f "${trs%.trs}.log" ] && show_log "${trs%.trs}.log" 60
			;;
		esac
	done < <(find "$dir" -name '*.trs' -not -path '*/_build/*' | sort)
	UNIT_COUNT=$n
}

# run_check DIR PREFIX LOGNAME [MAKE-ENV...]
run_check() {
	local dir=$1 prefix=$2 log=$LOGS/$3.log rc
	shift 3
	find "$dir" -name '*.trs' -not -path '*/_build/*' -delete 2>/dev/null
	(cd "$dir" && env "$@" make -j"$JOBS" check) >"$log" 2>&1
	rc=$?
	count_trs "$dir" "$prefix"
	if [ "$rc" != 0 ] && [ "$UNIT_COUNT" = 0 ]; then
		record "${prefix}make-check" fail "make check failed before running tests"
		show_log "$log" 60
	elif [ "$rc" != 0 ] && ! grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]' "$log"; then
		# some test program did not even build
		record "${prefix}make-check" fail "make check exit $rc"
		show_log "$log" 60
	fi
}

say "autoreconf -fi"
if ! autoreconf -fi >"$LOGS/autoreconf.log" 2>&1; then
	record autoreconf fail
	show_log "$LOGS/autoreconf.log"
	finish
fi

say "build: ./build (configure --enable-werror)"
BUILD_OK=0
if configure_and_make "$SRC/build" build --enable-werror; then
	record build pass
	BUILD_OK=1
else
	record build fail
	show_log "$LOGS/build.log"
fi

if [ "$BUILD_OK" = 1 ] && wanted unit; then
	say "unit tests: make check in ./build"
	run_check "$SRC/build" "unit:" unit-check
fi

# ------------------------------------------------------------ sanitizers ---
ASAN_TESTS="test_bad_input test_two_nodes_router test_plugin_subsets test_sptps_bad_input test_sptps_restart test_update_hosts_attacks"
if [ "$QUICK" = 0 ] && wanted asan; then
	say "asan build: ./build-asan (configure --enable-werror --enable-sanitizers)"
	if configure_and_make "$SRC/build-asan" build-asan --enable-werror --enable-sanitizers; then
		record asan:build pass
		run_check "$SRC/build-asan" "asan:" asan-check ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
		for t in $ASAN_TESTS; do
			[ -f "$SRC/tests/integration/$t.sh" ] || continue
			log=$LOGS/integration/asan-$t.log
			t0=$SECONDS
			PLEXUS_BUILD=$SRC/build-asan PLEXUS_PLUGIN_PATH=$SRC/build-asan/plugins \
				timeout -k 10 "$TEST_TIMEOUT" bash "$SRC/tests/integration/$t.sh" >"$log" 2>&1
			rc=$?
			case $rc in
			0) record "asan:$t" pass "$((SECONDS - t0)) s" ;;
			77) record "asan:$t" skip "$(grep -m1 '^SKIP' "$log")" ;;
			*)
				record "asan:$t" fail "exit $rc"
				show_log "$log" 150
				;;
			esac
		done
	else
		record asan:build fail
		show_log "$LOGS/build-asan.log"
	fi
fi

# -------------------------------------------------------------- distcheck ---
if [ "$QUICK" = 0 ] && [ "$BUILD_OK" = 1 ] && wanted distcheck; then
	say "make distcheck"
	if (cd "$SRC/build" && make -j"$JOBS" distcheck) >"$LOGS/distcheck.log" 2>&1; then
		record distcheck pass
	else
		record distcheck fail
		show_log "$LOGS/distcheck.log"
	fi
fi

# ------------------------------------------------------------ integration ---
# run_one FILE: run one integration test with its timeout; sets RC, SECS
# and LIMIT.
run_one() {
	local t=$1 name t0
	name=$(basename "$t" .sh)
	t0=$SECONDS
	# a test may ask for more time in its header: "# pxt-timeout: SECONDS"
	LIMIT=$(sed -n 's/^# pxt-timeout: *\([0-9][0-9]*\).*/\1/p' "$t" | head -n 1)
	[ -n "$LIMIT" ] && [ "$LIMIT" -gt "$TEST_TIMEOUT" ] || LIMIT=$TEST_TIMEOUT
	PLEXUS_BUILD=$SRC/build PLEXUS_PLUGIN_PATH=$SRC/build/plugins \
		timeout -k 10 "$LIMIT" bash "$t" >"$LOGS/integration/$name.log" 2>&1
	RC=$?
	SECS=$((SECONDS - t0))
}

# record_one NAME RC SECS LIMIT [NOTE]
record_one() {
	local log=$LOGS/integration/$1.log
	case $2 in
	0) record "$1" pass "$3 s${5:-}" ;;
	77) record "$1" skip "$(grep -m1 '^SKIP' "$log")" ;;
	124 | 137)
		record "$1" fail "timed out after $4 s"
		show_log "$log" 150
		;;
	*)
		record "$1" fail "exit $2"
		show_log "$log" 150
		;;
	esac
}

# Tests whose header says "# pxt-lane: background" mostly wait (on tinc
# 1.0's slow MTU discovery, a NAT or PMTU timer, a package build) and judge
# bytes or events with generous margins, not time: they run one after
# another in a second lane, next to the main lane, so that CI stays well
# inside its time limit. Everything else runs alone in the main lane.
is_background() { grep -q '^# pxt-lane: background' "$1"; }

if [ "$BUILD_OK" = 1 ]; then
	BG_RESULTS=$LOGS/integration/background.results
	: >"$BG_RESULTS"
	BG_PID=
	bg_tests=()
	for t in "$SRC"/tests/integration/test_*.sh; do
		[ -f "$t" ] && wanted "$(basename "$t" .sh)" && is_background "$t" && bg_tests+=("$t")
	done
	if [ "${#bg_tests[@]}" -gt 0 ]; then
		(
			for t in "${bg_tests[@]}"; do
				run_one "$t"
				echo "$(basename "$t" .sh) $RC $SECS $LIMIT" >>"$BG_RESULTS"
			done
		) &
		BG_PID=$!
		say "background lane: ${#bg_tests[@]} tests ($(for t in "${bg_tests[@]}"; do basename "$t" .sh; done | tr '\n' ' '))"
	fi
	for t in "$SRC"/tests/integration/test_*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		wanted "$name" || continue
		is_background "$t" && continue
		say "integration: $name"
		run_one "$t"
		record_one "$name" "$RC" "$SECS" "$LIMIT"
	done
	if [ -n "$BG_PID" ]; then
		say "waiting for the background lane"
		wait "$BG_PID"
		while read -r name rc secs limit; do
			record_one "$name" "$rc" "$secs" "$limit" ", background lane"
		done <"$BG_RESULTS"
	fi
fi

finish
