# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# crypto-sptps unit tests: the SPTPS library sources (SPTPS_LIB_SOURCES from
# plugins/crypto-sptps/local.mk) are compiled straight into each test. The
# known-answer transcripts live in tests/data/sptps-vectors/ and are read
# at run time.
SPTPS_VECTOR_FILES = \
	tests/data/sptps-vectors/README.md \
	tests/data/sptps-vectors/stream-meta.json \
	tests/data/sptps-vectors/datagram-udp.json \
	tests/data/sptps-vectors/datagram-replay-window.json \
	tests/data/sptps-vectors/renegotiation-stream.json \
	tests/data/sptps-vectors/renegotiation-datagram.json \
	tests/data/sptps-vectors/stream-invitation.json
EXTRA_DIST += $(SPTPS_VECTOR_FILES)

if ENABLE_CRYPTO_SPTPS
SPTPS_TEST_SOURCES = $(SPTPS_LIB_SOURCES) tests/unit/check.h
SPTPS_TEST_CPPFLAGS = -I$(top_srcdir)/plugins/crypto-sptps -I$(top_srcdir)/tests/unit $(SODIUM_CFLAGS) \
	-DSPTPS_VECTOR_DIR='"$(abs_top_srcdir)/tests/data/sptps-vectors"'

check_PROGRAMS += tests/unit/sptps_vectors_test
TESTS += tests/unit/sptps_vectors_test
tests_unit_sptps_vectors_test_SOURCES = tests/unit/sptps_vectors_test.c tests/unit/sptps_json.c \
	tests/unit/sptps_json.h $(SPTPS_TEST_SOURCES)
tests_unit_sptps_vectors_test_CPPFLAGS = $(SPTPS_TEST_CPPFLAGS)
tests_unit_sptps_vectors_test_LDADD = $(SODIUM_LIBS)

check_PROGRAMS += tests/unit/sptps_session_test
TESTS += tests/unit/sptps_session_test
tests_unit_sptps_session_test_SOURCES = tests/unit/sptps_session_test.c $(SPTPS_TEST_SOURCES)
tests_unit_sptps_session_test_CPPFLAGS = $(SPTPS_TEST_CPPFLAGS)
tests_unit_sptps_session_test_LDADD = $(SODIUM_LIBS)

check_PROGRAMS += tests/unit/sptps_keys_test
TESTS += tests/unit/sptps_keys_test
tests_unit_sptps_keys_test_SOURCES = tests/unit/sptps_keys_test.c $(SPTPS_TEST_SOURCES)
tests_unit_sptps_keys_test_CPPFLAGS = $(SPTPS_TEST_CPPFLAGS)
tests_unit_sptps_keys_test_LDADD = $(SODIUM_LIBS)

check_PROGRAMS += tests/unit/sptps_plugin_test
TESTS += tests/unit/sptps_plugin_test
tests_unit_sptps_plugin_test_SOURCES = tests/unit/sptps_plugin_test.c $(CRYPTO_SPTPS_PLUGIN_SOURCES) \
	tests/unit/check.h
tests_unit_sptps_plugin_test_CPPFLAGS = -I$(top_srcdir)/sdk $(SPTPS_TEST_CPPFLAGS)
tests_unit_sptps_plugin_test_LDADD = $(SODIUM_LIBS)
endif

if ENABLE_CRYPTO_SPTPS
check_PROGRAMS += tests/unit/sptps_rekey_test
TESTS += tests/unit/sptps_rekey_test
tests_unit_sptps_rekey_test_SOURCES = tests/unit/sptps_rekey_test.c $(SPTPS_TEST_SOURCES)
tests_unit_sptps_rekey_test_CPPFLAGS = $(SPTPS_TEST_CPPFLAGS)
tests_unit_sptps_rekey_test_LDADD = $(SODIUM_LIBS)
endif
