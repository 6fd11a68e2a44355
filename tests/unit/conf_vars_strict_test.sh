#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# conf_vars_test.sh with CONF_VARS_STRICT=1: fails for every variable that no
# code reads, also those the parser only warns about. In XFAIL_TESTS while
# such variables remain; once it passes (XPASS), move it to TESTS.
CONF_VARS_STRICT=1 exec "${srcdir:-.}/tests/unit/conf_vars_test.sh"
