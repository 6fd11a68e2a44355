# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# update-hosts unit tests: the plugin sources are compiled into each test,
# which drives them through a fake host table (no core library needed).
if ENABLE_UPDATE_HOSTS
UPDATE_TEST_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/tests/unit $(CRYPTO_CFLAGS)

check_PROGRAMS += tests/unit/update_codec_test
TESTS += tests/unit/update_codec_test
tests_unit_update_codec_test_SOURCES = tests/unit/update_codec_test.c tests/unit/check.h $(UPDATE_HOSTS_SOURCES)
tests_unit_update_codec_test_CPPFLAGS = $(UPDATE_TEST_CPPFLAGS)
tests_unit_update_codec_test_LDADD = $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/update_plugin_test
TESTS += tests/unit/update_plugin_test
tests_unit_update_plugin_test_SOURCES = tests/unit/update_plugin_test.c tests/unit/check.h $(UPDATE_HOSTS_SOURCES)
tests_unit_update_plugin_test_CPPFLAGS = $(UPDATE_TEST_CPPFLAGS)
tests_unit_update_plugin_test_LDADD = $(CRYPTO_LIBS)
endif
