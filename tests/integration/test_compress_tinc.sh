#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# pxt-timeout: 600
# Compression between Plexus and tinc 1.0.36: levels 1, 9, 10 and 11 on each
# side (symmetric and asymmetric) against an uncompressed baseline, and a
# Plexus node without the compress plugin talking to a tinc node that asks
# for compression. See test_compress.sh.
exec "$(dirname "$0")/test_compress.sh" --peer tinc10 "$@"
