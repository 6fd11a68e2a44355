# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The core's layer check (no cycles, no upward calls) on the built objects.
TESTS += tests/unit/layers_test.sh
EXTRA_DIST += tests/unit/layers_test.sh scripts/check-layers.py
