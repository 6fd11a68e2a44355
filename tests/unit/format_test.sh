#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Every C file in the tree is as clang-format (.clang-format) makes it; the
# frozen ABI 1.0 headers opt out in tests/abi/v1/.clang-format.
srcdir=${srcdir:-.}
exec sh "$srcdir/scripts/check-format.sh"
