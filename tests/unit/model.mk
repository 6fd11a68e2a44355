# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Unit tests for the data model: config files, addresses, subnets, nodes,
# edges and the graph. They compile the files under test directly (plus a
# logger/timer stub) so they do not depend on the rest of the core building.
MODEL_TEST_SOURCES = core/xalloc.c core/slots.c tests/unit/model_stubs.c tests/unit/model_stubs.h tests/unit/check.h
MODEL_TEST_LIBS = $(SODIUM_LIBS)
MODEL_TEST_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS)

check_PROGRAMS += tests/unit/conf_test
TESTS += tests/unit/conf_test
tests_unit_conf_test_SOURCES = tests/unit/conf_test.c core/conf.c core/config_files.c core/plugin_vars.c core/host_cache.c $(MODEL_TEST_SOURCES)
tests_unit_conf_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_conf_test_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_unit_conf_test_LDADD = $(MODEL_TEST_LIBS)

# Every known variable is read by some code, refused, CLI-only or obsolete
# (the last two in explicit lists); the strict variant also fails for any
# that is only warned about.
TESTS += tests/unit/conf_vars_test.sh tests/unit/conf_vars_strict_test.sh
EXTRA_DIST += tests/unit/conf_vars_test.sh tests/unit/conf_vars_strict_test.sh

check_PROGRAMS += tests/unit/netutl_test
TESTS += tests/unit/netutl_test
tests_unit_netutl_test_SOURCES = tests/unit/netutl_test.c core/netutl.c $(MODEL_TEST_SOURCES)
tests_unit_netutl_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_netutl_test_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_unit_netutl_test_LDADD = $(MODEL_TEST_LIBS)

MODEL_NODE_SOURCES = core/netutl.c core/subnet.c core/node.c core/edge.c $(MODEL_TEST_SOURCES)

check_PROGRAMS += tests/unit/subnet_test
TESTS += tests/unit/subnet_test
tests_unit_subnet_test_SOURCES = tests/unit/subnet_test.c $(MODEL_NODE_SOURCES)
tests_unit_subnet_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_subnet_test_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_unit_subnet_test_LDADD = $(MODEL_TEST_LIBS)

check_PROGRAMS += tests/unit/subnet_table_test
TESTS += tests/unit/subnet_table_test
tests_unit_subnet_table_test_SOURCES = tests/unit/subnet_table_test.c $(MODEL_NODE_SOURCES)
tests_unit_subnet_table_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_subnet_table_test_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_unit_subnet_table_test_LDADD = $(MODEL_TEST_LIBS)

check_PROGRAMS += tests/unit/node_test
TESTS += tests/unit/node_test
tests_unit_node_test_SOURCES = tests/unit/node_test.c $(MODEL_NODE_SOURCES)
tests_unit_node_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_node_test_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_unit_node_test_LDADD = $(MODEL_TEST_LIBS)

check_PROGRAMS += tests/unit/graph_test
TESTS += tests/unit/graph_test
tests_unit_graph_test_SOURCES = tests/unit/graph_test.c core/graph.c $(MODEL_NODE_SOURCES)
tests_unit_graph_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_graph_test_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_unit_graph_test_LDADD = $(MODEL_TEST_LIBS)

check_PROGRAMS += tests/unit/host_cache_test
TESTS += tests/unit/host_cache_test
tests_unit_host_cache_test_SOURCES = tests/unit/host_cache_test.c core/conf.c core/config_files.c core/host_cache.c $(MODEL_TEST_SOURCES)
tests_unit_host_cache_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_host_cache_test_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_unit_host_cache_test_LDADD = $(MODEL_TEST_LIBS)

check_PROGRAMS += tests/unit/rate_limit_test
TESTS += tests/unit/rate_limit_test
tests_unit_rate_limit_test_SOURCES = tests/unit/rate_limit_test.c core/rate_limit.c tests/unit/check.h
tests_unit_rate_limit_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_rate_limit_test_CFLAGS = $(MODEL_TEST_CFLAGS)
