# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Proxy variable parsing, SOCKS 4 / SOCKS 5 / HTTP CONNECT requests and the
# reply state machine (pure code, no sockets).
check_PROGRAMS += tests/unit/proxy_test
TESTS += tests/unit/proxy_test
tests_unit_proxy_test_SOURCES = tests/unit/proxy_test.c core/proxy_wire.c core/proxy_wire.h tests/unit/check.h
tests_unit_proxy_test_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/core
