# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# transport-udp's offload bookkeeping (UDP_SEGMENT runs, UDP_GRO splitting),
# compiled into the test without the plugin's I/O.
if ENABLE_TRANSPORT_UDP
check_PROGRAMS += tests/unit/udp_gso_test
TESTS += tests/unit/udp_gso_test
tests_unit_udp_gso_test_SOURCES = tests/unit/udp_gso_test.c tests/unit/check.h \
	plugins/transport-udp/udp_gso.c plugins/transport-udp/udp_gso.h
tests_unit_udp_gso_test_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/tests/unit
endif
