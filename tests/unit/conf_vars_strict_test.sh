#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# conf_vars_test.sh with CONF_VARS_STRICT=1: fails for every variable that no
# code reads, also those the parser only warns about (none is left: every
# known variable is implemented, refused, CLI-only or obsolete, the last two
# in that test's explicit lists).
CONF_VARS_STRICT=1 exec "${srcdir:-.}/tests/unit/conf_vars_test.sh"
