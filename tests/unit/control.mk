# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Control socket: pid file paths, dump formats and the daemon-side protocol.
# The test compiles the control sources itself and stubs the rest of the
# core, so it does not depend on the network code.
check_PROGRAMS += tests/unit/control_test
TESTS += tests/unit/control_test
tests_unit_control_test_SOURCES = tests/unit/control_test.c core/control.c core/control_format.c core/paths.c
tests_unit_control_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_control_test_LDADD =
