#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Bounded libFuzzer run of every parser that takes bytes from the network or
# disk (tests/fuzz/run-fuzz.sh: meta protocol before and after
# authentication, legacy UDP packets, compressed payloads, update-hosts
# requests, configuration files, subnet/address strings, the control
# protocol, SPTPS), built with clang and ASan + UBSan from the real sources,
# seeded with tests/fuzz/corpus/. PXT_FUZZ_SECONDS (default 20) seconds per
# target, PXT_FUZZ_JOBS (default 2) targets at once, and when building takes
# long, less time per target so that everything ends within PXT_FUZZ_BUDGET
# (default 270) seconds (tests/run-all.sh gives each test 300). Objects are
# kept in BUILD/fuzz-obj and reused. Prints the executions of each target. A crash fails the test and names the reproducer. Exit 77
# when clang or its libFuzzer runtime is not installed (Debian: clang).
# No network, no namespaces.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
NAME=$(basename "$0" .sh)
CC_FUZZ=${CC_FUZZ:-clang}
SECS=${PXT_FUZZ_SECONDS:-20}
BUILD=${PLEXUS_BUILD:-$SRC/build}

command -v "$CC_FUZZ" >/dev/null 2>&1 || {
	echo "SKIP: $NAME: $CC_FUZZ not installed (apt-get install clang)"
	exit 77
}
[ -f "$BUILD/config.h" ] || {
	echo "SKIP: $NAME: no configured build directory (set PLEXUS_BUILD)"
	exit 77
}
for pc in libcrypto libsodium; do
	pkg-config --exists "$pc" || {
		echo "SKIP: $NAME: $pc development files not found"
		exit 77
	}
done
WORK=$(mktemp -d "/tmp/pxfuzz$$.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$WORK/probe.c"
if ! "$CC_FUZZ" -fsanitize=fuzzer,address,undefined "$WORK/probe.c" -o "$WORK/probe" >"$WORK/probe.log" 2>&1; then
	cat "$WORK/probe.log"
	echo "SKIP: $NAME: $CC_FUZZ cannot link libFuzzer programs (Debian: libclang-rt-14-dev)"
	exit 77
fi
echo "[$(date +%T)] $NAME: building the targets, then fuzzing each for $SECS s"
start=$(date +%s)
BUDGET=${PXT_FUZZ_BUDGET:-270}
FUZZ_JOBS=${PXT_FUZZ_JOBS:-2} CC_FUZZ=$CC_FUZZ FUZZ_OBJ_DIR=$BUILD/fuzz-obj FUZZ_DEADLINE=$((start + BUDGET)) \
	timeout -k 10 $((BUDGET + SECS * 8 + 120)) bash "$SRC/tests/fuzz/run-fuzz.sh" "$BUILD" "$SECS" "$WORK/fuzz"
rc=$?
echo "[$(date +%T)] $NAME: $(($(date +%s) - start)) s in all"
case $rc in
0) echo "PASS: $NAME: no target crashed" ;;
77) echo "SKIP: $NAME: the fuzz runner skipped"; exit 77 ;;
*)
	# Keep the reproducers: the work directory is removed on exit.
	mkdir -p /tmp/pxfuzz-reproducers
	find "$WORK/fuzz" -maxdepth 2 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) \
		-exec cp {} /tmp/pxfuzz-reproducers/ \;
	echo "FAIL: $NAME: the fuzz run failed (status $rc); reproducers copied to /tmp/pxfuzz-reproducers/"
	exit 1
	;;
esac
exit 0
