# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Proxy variable parsing, SOCKS 4 / SOCKS 5 / HTTP CONNECT requests and the
# reply state machine (pure code, no sockets).
check_PROGRAMS += tests/unit/proxy_test
TESTS += tests/unit/proxy_test
tests_unit_proxy_test_SOURCES = tests/unit/proxy_test.c core/proxy_wire.c core/proxy_wire.h core/xalloc.c tests/unit/check.h
tests_unit_proxy_test_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/core

# The same in the real core, through net_fixture's fake transport.
check_PROGRAMS += tests/unit/proxy_conn_test
TESTS += tests/unit/proxy_conn_test
tests_unit_proxy_conn_test_SOURCES = tests/unit/proxy_conn_test.c $(NET_FIXTURE_SOURCES)
tests_unit_proxy_conn_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_proxy_conn_test_LDADD = $(TEST_LIBS)
