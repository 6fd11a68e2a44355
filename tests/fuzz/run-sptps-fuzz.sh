#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
#
# Build the SPTPS libFuzzer target with clang (ASan + UBSan) and run it for a
# bounded time, seeded with every record of the known-answer vectors.
#
#   tests/fuzz/run-sptps-fuzz.sh [seconds] [workdir]      (default 60 s, /tmp/sptps-fuzz)
#
# Exit status: 0 if no crash was found, non-zero otherwise (the crashing
# input is left in the work directory).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_TO_RUN=${1:-60}
WORK=${2:-/tmp/sptps-fuzz}
CC=${CC_FUZZ:-clang}
LIB="$SRC/plugins/crypto-sptps"

command -v "$CC" >/dev/null 2>&1 || {
	echo "run-sptps-fuzz: $CC not found (apt-get install clang)" >&2
	exit 77
}

mkdir -p "$WORK/corpus"
# shellcheck disable=SC2046
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$LIB" -I"$SRC/tests/fuzz" $(pkg-config --cflags libsodium) \
	"$SRC/tests/fuzz/sptps_fuzz.c" "$LIB/sptps.c" "$LIB/sptps_replay.c" "$LIB/sptps_crypto.c" \
	"$LIB/b64.c" "$LIB/keys.c" $(pkg-config --libs libsodium) -o "$WORK/sptps_fuzz"

# Seed corpus: every record on the wire in the vectors, once per mode byte
# that fits (stream records for even modes, datagram records for odd ones,
# each datagram with its 2-byte length prefix).
python3 - "$SRC/tests/data/sptps-vectors" "$WORK/corpus" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
n = 0
for name in sorted(os.listdir(src)):
    if not name.endswith(".json"):
        continue
    doc = json.load(open(os.path.join(src, name)))
    datagram = doc["mode"] == "datagram"
    for rec in doc["records"]:
        wire = bytes.fromhex(rec["wire_hex"])
        body = (len(wire).to_bytes(2, "big") + wire) if datagram else wire
        for mode in ((1, 3, 5, 7) if datagram else (0, 2, 4, 6)):
            with open(os.path.join(dst, "%s-%s-%d" % (name[:-5], rec["record"], mode)), "wb") as f:
                f.write(bytes([mode]) + body)
            n += 1
print("seed corpus: %d inputs" % n)
PY

cd "$WORK"
exec ./sptps_fuzz -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 corpus
