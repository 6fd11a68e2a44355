#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Bounded libFuzzer run of the SPTPS record parser and handshake state
# machine (tests/fuzz/sptps_fuzz.c, built with ASan + UBSan by
# tests/fuzz/run-sptps-fuzz.sh): PXT_FUZZ_SECONDS (default 60) seconds,
# seeded with the known-answer vectors. Exit 77 when clang or its libFuzzer
# runtime is not installed (Debian: clang). No network, no namespaces.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
NAME=$(basename "$0" .sh)
CC_FUZZ=${CC_FUZZ:-clang}
SECS=${PXT_FUZZ_SECONDS:-60}

command -v "$CC_FUZZ" >/dev/null 2>&1 || {
	echo "SKIP: $NAME: $CC_FUZZ not installed (apt-get install clang)"
	exit 77
}
pkg-config --exists libsodium || {
	echo "SKIP: $NAME: libsodium development files not found"
	exit 77
}
WORK=$(mktemp -d "/tmp/sptpsfuzz$$.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$WORK/probe.c"
if ! "$CC_FUZZ" -fsanitize=fuzzer,address,undefined "$WORK/probe.c" -o "$WORK/probe" >"$WORK/probe.log" 2>&1; then
	cat "$WORK/probe.log"
	echo "SKIP: $NAME: $CC_FUZZ cannot link libFuzzer programs"
	exit 77
fi
echo "[$(date +%T)] $NAME: fuzzing for $SECS s"
timeout -k 10 $((SECS + 240)) sh "$SRC/tests/fuzz/run-sptps-fuzz.sh" "$SECS" "$WORK" >"$WORK/fuzz.log" 2>&1
rc=$?
tail -n 25 "$WORK/fuzz.log"
if [ "$rc" != 0 ]; then
	ls "$WORK" | grep -E '^(crash|leak|timeout|oom)-' | sed 's/^/reproducer: /'
	echo "FAIL: $NAME: the fuzzer stopped with status $rc"
	exit 1
fi
grep -Eq "^Done [0-9]+ runs" "$WORK/fuzz.log" || {
	echo "FAIL: $NAME: the fuzzer did not report a finished run"
	exit 1
}
echo "PASS: $NAME: $(grep -E '^Done [0-9]+ runs' "$WORK/fuzz.log")"
exit 0
