# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The router's unit test. route*.c get their outputs (route_io) from the test
# and it stubs the logger and the clock, so it compiles the router's sources
# itself instead of linking the core library.
check_PROGRAMS += tests/unit/route_test
TESTS += tests/unit/route_test
tests_unit_route_test_SOURCES = tests/unit/route_test.c \
	core/route.c core/route_io.c core/route_icmp.c core/route_mss.c core/route_neighbor.c \
	core/route_internal.h
tests_unit_route_test_CPPFLAGS = $(TEST_CPPFLAGS)

# The same checks against the real subnet table (core/subnet.c).
check_PROGRAMS += tests/unit/route_subnet_test
TESTS += tests/unit/route_subnet_test
tests_unit_route_subnet_test_SOURCES = tests/unit/route_test.c \
	core/route.c core/route_io.c core/route_icmp.c core/route_mss.c core/route_neighbor.c core/subnet.c core/netutl.c core/xalloc.c
tests_unit_route_subnet_test_CPPFLAGS = $(TEST_CPPFLAGS) -DROUTE_TEST_REAL_SUBNET
