# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The core's layer check (no cycles, no upward calls) on the built objects.
TESTS += tests/unit/layers_test.sh
EXTRA_DIST += tests/unit/layers_test.sh scripts/check-layers.py

# The C style: every file as clang-format leaves it.
TESTS += tests/unit/format_test.sh
EXTRA_DIST += tests/unit/format_test.sh scripts/check-format.sh .clang-format tests/abi/v1/.clang-format
