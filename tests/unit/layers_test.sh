#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The core's layers: scripts/check-layers.py reads the built objects' symbol
# references and fails on a cycle between core units or an upward call
# (core/LAYERS, core/README.md), and on a unit test that links a layer above
# its own. Runs in the build directory, after make check built the tests.
srcdir=${srcdir:-.}
exec python3 "$srcdir/scripts/check-layers.py" --tests --layers "$srcdir/core/LAYERS" .
