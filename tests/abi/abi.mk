# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# ABI guard tests. tests/abi/v1/ holds frozen copies of the ABI 1.0 SDK
# headers: never edit them. frozen-v1 is built against them alone and must
# keep loading and working with every later core.
ABI_MODULE_LDFLAGS = -module -rpath /nowhere -avoid-version -no-undefined -shared $(PX_LDFLAGS)
ABI_MODULES = tests/abi/frozen-v1.la tests/abi/badabi.la tests/abi/dup-a.la tests/abi/dup-b.la \
	tests/abi/misnamed.la tests/abi/incomplete/crypto-incomplete.la
check_LTLIBRARIES += $(ABI_MODULES)

tests_abi_frozen_v1_la_SOURCES = tests/abi/frozen_plugin.c
tests_abi_frozen_v1_la_CPPFLAGS = -I$(top_srcdir)/tests/abi/v1
tests_abi_frozen_v1_la_LDFLAGS = $(ABI_MODULE_LDFLAGS)

tests_abi_badabi_la_SOURCES = tests/abi/badabi_plugin.c
tests_abi_badabi_la_CPPFLAGS = -I$(top_srcdir)/tests/abi/v1
tests_abi_badabi_la_LDFLAGS = $(ABI_MODULE_LDFLAGS)

tests_abi_dup_a_la_SOURCES = tests/abi/dup_plugin.c
tests_abi_dup_a_la_CPPFLAGS = -I$(top_srcdir)/sdk -DDUP_NAME='"dup-a"' -DDUP_IDENT=dup_a -DDUP_ID=240
tests_abi_dup_a_la_LDFLAGS = $(ABI_MODULE_LDFLAGS)

tests_abi_dup_b_la_SOURCES = tests/abi/dup_plugin.c
tests_abi_dup_b_la_CPPFLAGS = -I$(top_srcdir)/sdk -DDUP_NAME='"dup-b"' -DDUP_IDENT=dup_b -DDUP_ID=240
tests_abi_dup_b_la_LDFLAGS = $(ABI_MODULE_LDFLAGS)

tests_abi_misnamed_la_SOURCES = tests/abi/dup_plugin.c
tests_abi_misnamed_la_CPPFLAGS = -I$(top_srcdir)/sdk -DDUP_NAME='"someone-else"' -DDUP_IDENT=misnamed -DDUP_ID=241
tests_abi_misnamed_la_LDFLAGS = $(ABI_MODULE_LDFLAGS)

# In a subdirectory not named after it: loading tests/abi does not see it.
tests_abi_incomplete_crypto_incomplete_la_SOURCES = tests/abi/incomplete_plugin.c
tests_abi_incomplete_crypto_incomplete_la_CPPFLAGS = -I$(top_srcdir)/sdk
tests_abi_incomplete_crypto_incomplete_la_LDFLAGS = $(ABI_MODULE_LDFLAGS)

# Plugins built against the frozen headers load and work with the daemon's
# host table (core/plugin_host.c), so this test links the core as a whole.
check_PROGRAMS += tests/abi/abi_test
TESTS += tests/abi/abi_test
tests_abi_abi_test_SOURCES = tests/abi/abi_test.c
tests_abi_abi_test_CPPFLAGS = $(TEST_CPPFLAGS) -DABI_PLUGIN_DIR='"$(abs_top_builddir)/tests/abi"' \
	-DABI_EXAMPLE_DIR='"$(abs_top_builddir)/sdk/examples"'
tests_abi_abi_test_LDADD = $(TEST_LIBS)
EXTRA_tests_abi_abi_test_DEPENDENCIES = $(ABI_MODULES) sdk/examples/hello.la

# The loader's tests hand it a host table of their own (loader_host.c), so
# they link only the plugins layer and the layers below it.
LOADER_HOST_SOURCES = tests/unit/loader_host.c tests/unit/loader_host.h

check_PROGRAMS += tests/unit/loader_test
TESTS += tests/unit/loader_test
tests_unit_loader_test_SOURCES = tests/unit/loader_test.c $(LOADER_HOST_SOURCES)
tests_unit_loader_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_loader_test_LDADD = $(TEST_LIBS)

# The daemon's host table, which the loader tests leave out.
check_PROGRAMS += tests/unit/host_table_test
TESTS += tests/unit/host_table_test
tests_unit_host_table_test_SOURCES = tests/unit/host_table_test.c
tests_unit_host_table_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_host_table_test_LDADD = $(TEST_LIBS)

# Root only (exits 77 otherwise): unsafe owners and modes of plugin files.
check_PROGRAMS += tests/unit/loader_strict_test
TESTS += tests/unit/loader_strict_test
tests_unit_loader_strict_test_SOURCES = tests/unit/loader_strict_test.c $(LOADER_HOST_SOURCES)
tests_unit_loader_strict_test_CPPFLAGS = $(TEST_CPPFLAGS) -DABI_PLUGIN_DIR='"$(abs_top_builddir)/tests/abi"'
tests_unit_loader_strict_test_LDADD = $(TEST_LIBS)
EXTRA_tests_unit_loader_strict_test_DEPENDENCIES = tests/abi/frozen-v1.la

EXTRA_DIST += tests/abi/v1/plexus/plugin.h tests/abi/v1/plexus/wire.h
