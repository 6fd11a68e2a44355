# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# compress plugin unit test: the plugin sources are compiled into the test,
# which loads the plugin through a fake host table.
if ENABLE_COMPRESS
check_PROGRAMS += tests/unit/compress_test
TESTS += tests/unit/compress_test
tests_unit_compress_test_SOURCES = tests/unit/compress_test.c tests/unit/check.h $(COMPRESS_SOURCES) \
	core/compress_backoff.c core/compress_backoff.h
tests_unit_compress_test_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/tests/unit -I$(top_srcdir)/core $(ZLIB_CFLAGS) $(LZO_CFLAGS) $(LZ4_CFLAGS)
tests_unit_compress_test_LDADD = $(ZLIB_LIBS) $(LZO_LIBS) $(LZ4_LIBS)
endif
