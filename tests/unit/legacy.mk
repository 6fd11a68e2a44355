# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# crypto-legacy unit tests: the plugin sources are compiled straight into
# each test together with a fake core (legacy_fake.c).
if ENABLE_CRYPTO_LEGACY
LEGACY_TEST_SOURCES = $(CRYPTO_LEGACY_SOURCES) tests/unit/legacy_fake.c tests/unit/legacy_fake.h tests/unit/check.h
LEGACY_TEST_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/tests/unit $(CRYPTO_CFLAGS)

check_PROGRAMS += tests/unit/legacy_packet_test
TESTS += tests/unit/legacy_packet_test
tests_unit_legacy_packet_test_SOURCES = tests/unit/legacy_packet_test.c $(LEGACY_TEST_SOURCES)
tests_unit_legacy_packet_test_CPPFLAGS = $(LEGACY_TEST_CPPFLAGS)
tests_unit_legacy_packet_test_LDADD = $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/legacy_auth_test
TESTS += tests/unit/legacy_auth_test
tests_unit_legacy_auth_test_SOURCES = tests/unit/legacy_auth_test.c $(LEGACY_TEST_SOURCES)
tests_unit_legacy_auth_test_CPPFLAGS = $(LEGACY_TEST_CPPFLAGS)
tests_unit_legacy_auth_test_LDADD = $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/legacy_ecdh_test
TESTS += tests/unit/legacy_ecdh_test
tests_unit_legacy_ecdh_test_SOURCES = tests/unit/legacy_ecdh_test.c $(LEGACY_TEST_SOURCES)
tests_unit_legacy_ecdh_test_CPPFLAGS = $(LEGACY_TEST_CPPFLAGS)
tests_unit_legacy_ecdh_test_LDADD = $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/legacy_keys_test
TESTS += tests/unit/legacy_keys_test
tests_unit_legacy_keys_test_SOURCES = tests/unit/legacy_keys_test.c $(LEGACY_TEST_SOURCES)
tests_unit_legacy_keys_test_CPPFLAGS = $(LEGACY_TEST_CPPFLAGS)
tests_unit_legacy_keys_test_LDADD = $(CRYPTO_LIBS)
endif

if ENABLE_CRYPTO_LEGACY
# Interoperability with the real tinc 1.0 on 127.0.0.1 (skips without tincd).
check_PROGRAMS += tests/unit/legacy_tincd_test
TESTS += tests/unit/legacy_tincd_test
tests_unit_legacy_tincd_test_SOURCES = tests/unit/legacy_tincd_test.c $(LEGACY_TEST_SOURCES)
tests_unit_legacy_tincd_test_CPPFLAGS = $(LEGACY_TEST_CPPFLAGS)
tests_unit_legacy_tincd_test_LDADD = $(CRYPTO_LIBS)
endif
