#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Build every fuzz target (tests/fuzz/fuzz_*.c and sptps_fuzz.c) with clang
# -fsanitize=fuzzer,address,undefined from the real core and plugin sources,
# then fuzz each for a bounded time, seeded with tests/fuzz/corpus/TARGET/.
#
#   tests/fuzz/run-fuzz.sh BUILD_DIR [seconds per target] [workdir] [target...]
#
# BUILD_DIR is a configured build directory (for config.h and the enabled
# plugins). Environment: FUZZ_JOBS (targets fuzzed at once, default 2),
# CC_FUZZ (default clang), FUZZ_OBJ_DIR (where objects are kept and reused
# while newer than their source and every header; default WORKDIR/obj),
# FUZZ_DEADLINE (a time in seconds since the epoch: if building took long,
# each target gets less time so that the run ends by then, at least 5 s). Prints the executions of each target. Exit status:
# 0 if no target crashed, 1 if one did (its reproducer is left in
# WORKDIR/TARGET/ as crash-*, leak-*, timeout-* or oom-*: fix the bug and
# add the file to tests/fuzz/corpus/TARGET/), 2 if a target did not build,
# 77 without clang.
# Lists of names and flags are split into words on purpose.
# shellcheck disable=SC2086,SC2046,SC2089,SC2090
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:?usage: run-fuzz.sh BUILD_DIR [seconds] [workdir] [target...]}
BUILD=$(cd "$BUILD" && pwd)
SECS=${2:-20}
WORK=${3:-/tmp/plexus-fuzz}
if [ $# -gt 3 ]; then shift 3; else set --; fi
CC=${CC_FUZZ:-clang}
JOBS=${FUZZ_JOBS:-2}

command -v "$CC" >/dev/null 2>&1 || {
	echo "run-fuzz: $CC not found (apt-get install clang)" >&2
	exit 77
}
[ -f "$BUILD/config.h" ] || {
	echo "run-fuzz: $BUILD is not a configured build directory" >&2
	exit 2
}

have_lz4() { grep -q '^#define HAVE_LZ4 1' "$BUILD/config.h"; }
enabled() { # a plugin's automake conditional in the build: ENABLE_X_TRUE is "#" when it is off
	! grep -q "^S\\[\"ENABLE_$1_TRUE\"\\]=\"#\"" "$BUILD/config.status"
}

# mk_sources FILE VARIABLE [DIR]: the basenames of the .c files an automake
# variable lists (continuation lines included; only those under DIR/ when
# given), so that the targets link exactly what the build links and new
# source files need no edit here.
mk_sources() {
	awk -v var="$2" -v dir="${3:-}" '
		$1 == var && ($2 == "=" || $2 == "+=") { on = 1 }
		on { for (i = 1; i <= NF; i++) if ($i ~ /\.c$/ && (dir == "" || index($i, dir "/") == 1)) { n = $i; sub(/.*\//, "", n); sub(/\.c$/, "", n); print n } }
		on && !/\\$/ { on = 0 }' "$SRC/$1" | tr '\n' ' '
}
CORE=$(mk_sources core/local.mk core_libplexuscore_la_SOURCES core)
# what libplexuscore links from crypto-sptps (the SPTPS library, for invitations)
CORE_SPTPS=$(mk_sources core/local.mk core_libplexuscore_la_SOURCES plugins/crypto-sptps)
UH=$(mk_sources plugins/update-hosts/local.mk UPDATE_HOSTS_SOURCES)
LEGACY=$(mk_sources plugins/crypto-legacy/local.mk CRYPTO_LEGACY_SOURCES)
SPTPS="sptps sptps_replay sptps_crypto b64 keys"
prefixed() { # DIR NAMES...: DIR/NAME.c for each name
	d=$1
	shift
	for n in "$@"; do printf '%s/%s.c ' "$d" "$n"; done
}

# Sources and libraries of each target; empty sources: not available in this build.
target_sources() {
	case $1 in
	conf) echo "tests/fuzz/fuzz_conf.c $(prefixed core conf config_files host_cache xalloc slots) tests/unit/model_stubs.c" ;;
	addr) echo "tests/fuzz/fuzz_addr.c $(prefixed core netutl subnet node edge xalloc slots) tests/unit/model_stubs.c" ;;
	control) echo "tests/fuzz/fuzz_control.c tests/unit/control_fixture.c $(prefixed core control control_format control_pcap route_io paths)" ;;
	meta) enabled UPDATE_HOSTS && enabled CRYPTO_LEGACY &&
		echo "tests/fuzz/fuzz_meta.c tests/unit/net_fixture.c $(prefixed core $CORE) $(prefixed plugins/crypto-sptps $CORE_SPTPS) $(prefixed plugins/update-hosts $UH)
			$(prefixed plugins/crypto-legacy $LEGACY)" ;;
	update_hosts) enabled UPDATE_HOSTS && echo "tests/fuzz/fuzz_update_hosts.c $(prefixed plugins/update-hosts $UH)" ;;
	legacy_udp) enabled CRYPTO_LEGACY &&
		echo "tests/fuzz/fuzz_legacy_udp.c tests/unit/legacy_fake.c $(prefixed plugins/crypto-legacy $LEGACY)" ;;
	compress) enabled COMPRESS && echo "tests/fuzz/fuzz_compress.c $(prefixed plugins/compress plugin zlib_codec lzo_codec)
			$(have_lz4 && prefixed plugins/compress lz4_codec)" ;;
	sptps) enabled CRYPTO_SPTPS && echo "tests/fuzz/sptps_fuzz.c $(prefixed plugins/crypto-sptps $SPTPS)" ;;
	esac
}
target_libs() {
	case $1 in
	conf | addr) pkg-config --libs libcrypto libsodium ;;
	control) ;;
	meta) echo "$(pkg-config --libs libcrypto libsodium) -lltdl $(sed -n "s/^VDE_LIBS = //p;s/^MINIUPNPC_LIBS = //p" "$BUILD/Makefile" | tr "\n" " ")" ;;
	update_hosts | legacy_udp) pkg-config --libs libcrypto ;;
	compress) pkg-config --libs zlib lzo2 $(have_lz4 && echo liblz4) ;;
	sptps) pkg-config --libs libsodium ;;
	esac
}
target_maxlen() {
	case $1 in
	meta | update_hosts) echo 16384 ;;
	addr) echo 256 ;;
	*) echo 4096 ;;
	esac
}

ALL="meta legacy_udp compress update_hosts conf addr control sptps"
TARGETS=${*:-$ALL}
CFLAGS_FUZZ="-gline-tables-only -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
# shellcheck disable=SC2046
CPPFLAGS_FUZZ="-I$BUILD -I$SRC/sdk -I$SRC/core -I$SRC/tests/unit -I$SRC/tests/fuzz -I$SRC/plugins/crypto-sptps
	-DPLEXUS_PLUGINDIR=\"/nonexistent\" -DPLEXUS_SYSCONFDIR=\"/nonexistent\" -DPLEXUS_LOCALSTATEDIR=\"/nonexistent\"
	-DPLEXUS_SBINDIR=\"/nonexistent\" $(pkg-config --cflags libcrypto libsodium 2>/dev/null)"
OBJ=${FUZZ_OBJ_DIR:-$WORK/obj}
mkdir -p "$WORK" "$OBJ" || exit 2
rm -f "$OBJ/failed"
# Objects built with other flags are not reused.
if [ "$(cat "$OBJ/flags" 2>/dev/null)" != "$CC $CFLAGS_FUZZ $CPPFLAGS_FUZZ" ]; then
	rm -f "$OBJ"/*.o
	printf '%s' "$CC $CFLAGS_FUZZ $CPPFLAGS_FUZZ" >"$OBJ/flags"
fi

# Each source is compiled once (in the background, JOBS at a time), then
# every target is linked from the objects.
objects() {
	for s in "$@"; do printf '%s/%s.o ' "$OBJ" "$(echo "$s" | tr / _)"; done
}
build_failed=
sources_all=
for t in $TARGETS; do
	sources_all="$sources_all $(target_sources "$t")"
done
running=0
for s in $(printf '%s\n' $sources_all | sort -u); do
	o=$(objects "$s")
	o=${o% }
	if [ -f "$o" ] && [ "$o" -nt "$SRC/$s" ] && [ "$o" -nt "$BUILD/config.h" ] &&
		[ -z "$(find "$SRC/core" "$SRC/sdk" "$SRC/plugins" "$SRC/tests/unit" "$SRC/tests/fuzz" -name '*.h' -newer "$o" | head -n 1)" ]; then
		continue
	fi
	# shellcheck disable=SC2086
	{ "$CC" $CFLAGS_FUZZ $CPPFLAGS_FUZZ -c "$SRC/$s" -o "$o.tmp" 2>"$o.log" && mv "$o.tmp" "$o"; } ||
		echo "$s" >>"$OBJ/failed" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait
		running=0
	fi
done
wait
if [ -s "$OBJ/failed" ]; then
	for s in $(cat "$OBJ/failed"); do
		echo "run-fuzz: $s did not compile:"
		o=$(objects "$s")
		cat "${o% }.log"
	done
	exit 2
fi
for t in $TARGETS; do
	srcs=$(target_sources "$t")
	if [ -z "$srcs" ]; then
		echo "run-fuzz: $t: not enabled in this build, skipped"
		continue
	fi
	# shellcheck disable=SC2046,SC2086
	if ! "$CC" $CFLAGS_FUZZ -fsanitize=fuzzer $(objects $srcs) $(target_libs "$t") -o "$WORK/fuzz_$t" \
		>"$WORK/link_$t.log" 2>&1; then
		echo "run-fuzz: $t did not link:"
		cat "$WORK/link_$t.log"
		build_failed=1
	fi
done
[ -z "$build_failed" ] || exit 2

# Fit the fuzzing into what is left before the deadline.
if [ -n "${FUZZ_DEADLINE:-}" ]; then
	n=0
	for t in $TARGETS; do [ -x "$WORK/fuzz_$t" ] && n=$((n + 1)); done
	rounds=$(((n + JOBS - 1) / JOBS))
	left=$((FUZZ_DEADLINE - $(date +%s) - 15))
	if [ "$rounds" -gt 0 ] && [ $((left / rounds)) -lt "$SECS" ]; then
		SECS=$((left / rounds))
		[ "$SECS" -ge 5 ] || SECS=5
		echo "run-fuzz: building took long; $SECS s per target to end in time"
	fi
fi

# Fuzz: a copy of each seed corpus, so new inputs stay out of the source tree.
fuzz_one() {
	t=$1
	rm -rf "${WORK:?}/$t"
	mkdir -p "$WORK/$t/corpus"
	cp "$SRC/tests/fuzz/corpus/$t/"* "$WORK/$t/corpus/" 2>/dev/null
	(cd "$WORK/$t" && "$WORK/fuzz_$t" -max_total_time="$SECS" -max_len="$(target_maxlen "$t")" -timeout=10 \
		-rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=2 -close_fd_mask=3 -print_final_stats=1 corpus >"$WORK/$t/fuzz.log" 2>&1)
	echo $? >"$WORK/$t/status"
}
running=0
for t in $TARGETS; do
	[ -x "$WORK/fuzz_$t" ] || continue
	fuzz_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait
		running=0
	fi
done
wait

rc=0
for t in $TARGETS; do
	[ -x "$WORK/fuzz_$t" ] || continue
	st=$(cat "$WORK/$t/status" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t/fuzz.log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/$t/fuzz.log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+' "$WORK/$t/fuzz.log" | tail -n 1)
	seeds=$(ls "$SRC/tests/fuzz/corpus/$t" 2>/dev/null | wc -l)
	if [ "$st" = 0 ]; then
		echo "fuzz $t: ${runs:-?} executions in $SECS s (${rate:-?}/s, $cov, $seeds seeds): no crash"
	else
		echo "fuzz $t: FAILED (status $st) after ${runs:-?} executions; the fuzzer said:"
		grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==|Test unit written|abort' "$WORK/$t/fuzz.log" | head -n 20
		for f in "$WORK/$t"/crash-* "$WORK/$t"/leak-* "$WORK/$t"/timeout-* "$WORK/$t"/oom-*; do
			[ -e "$f" ] && echo "reproducer: $f (add it to tests/fuzz/corpus/$t/ once fixed)"
		done
		rc=1
	fi
done
exit $rc
