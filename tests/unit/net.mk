# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Unit tests of the network core (meta I/O, requests, connections, outgoing
# back-off). They link the real core and register fake stream/crypto
# providers through the host table (net_fixture.c).
NET_FIXTURE_SOURCES = tests/unit/net_fixture.c tests/unit/net_fixture.h tests/unit/check.h

check_PROGRAMS += tests/unit/meta_test
TESTS += tests/unit/meta_test
tests_unit_meta_test_SOURCES = tests/unit/meta_test.c $(NET_FIXTURE_SOURCES)
tests_unit_meta_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_meta_test_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/protocol_test
TESTS += tests/unit/protocol_test
tests_unit_protocol_test_SOURCES = tests/unit/protocol_test.c $(NET_FIXTURE_SOURCES)
tests_unit_protocol_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_protocol_test_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/policy_test
TESTS += tests/unit/policy_test
tests_unit_policy_test_SOURCES = tests/unit/policy_test.c $(NET_FIXTURE_SOURCES)
tests_unit_policy_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_policy_test_LDADD = $(TEST_LIBS)

# The same source built with regression checks for defects of the core that
# were found and fixed (PX_TEST_KNOWN_BUGS); an ordinary test that must pass.
check_PROGRAMS += tests/unit/protocol_bugs_test
TESTS += tests/unit/protocol_bugs_test
tests_unit_protocol_bugs_test_SOURCES = tests/unit/protocol_test.c $(NET_FIXTURE_SOURCES)
tests_unit_protocol_bugs_test_CPPFLAGS = $(TEST_CPPFLAGS) -DPX_TEST_KNOWN_BUGS
tests_unit_protocol_bugs_test_CFLAGS = $(AM_CFLAGS) -Wno-unused-function
tests_unit_protocol_bugs_test_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/admission_test
TESTS += tests/unit/admission_test
tests_unit_admission_test_SOURCES = tests/unit/admission_test.c tests/unit/check.h
tests_unit_admission_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_admission_test_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/seen_cache_test
TESTS += tests/unit/seen_cache_test
tests_unit_seen_cache_test_SOURCES = tests/unit/seen_cache_test.c core/seen_cache.c core/seen_cache.h tests/unit/check.h
tests_unit_seen_cache_test_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/core $(SODIUM_CFLAGS)
tests_unit_seen_cache_test_LDADD = $(SODIUM_LIBS)

# AutoConnect's pure decision function, with scripted and simulated meshes.
check_PROGRAMS += tests/unit/autoconnect_test
TESTS += tests/unit/autoconnect_test
tests_unit_autoconnect_test_SOURCES = tests/unit/autoconnect_test.c core/autoconnect.c core/autoconnect.h tests/unit/check.h
tests_unit_autoconnect_test_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/core
