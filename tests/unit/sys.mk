# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Unit tests of the system layer: event loop, logger, device, transports.
# They list the few core sources they need instead of TEST_LIBS, so they build
# even while unrelated core files are in flux.

check_PROGRAMS += tests/unit/event_test
TESTS += tests/unit/event_test
tests_unit_event_test_SOURCES = tests/unit/event_test.c core/event.c core/logger.c
tests_unit_event_test_CPPFLAGS = $(TEST_CPPFLAGS)

check_PROGRAMS += tests/unit/logger_test
TESTS += tests/unit/logger_test
tests_unit_logger_test_SOURCES = tests/unit/logger_test.c core/logger.c
tests_unit_logger_test_CPPFLAGS = $(TEST_CPPFLAGS)

check_PROGRAMS += tests/unit/script_test
TESTS += tests/unit/script_test
tests_unit_script_test_SOURCES = tests/unit/script_test.c core/script.c core/logger.c
tests_unit_script_test_CPPFLAGS = $(TEST_CPPFLAGS)

check_PROGRAMS += tests/unit/process_priority_test
TESTS += tests/unit/process_priority_test
tests_unit_process_priority_test_SOURCES = tests/unit/process_priority_test.c core/process_priority.c core/logger.c
tests_unit_process_priority_test_CPPFLAGS = $(TEST_CPPFLAGS)

check_PROGRAMS += tests/unit/device_test
TESTS += tests/unit/device_test
tests_unit_device_test_SOURCES = tests/unit/device_test.c core/device.c core/device_kinds.c core/device_vde.c \
	core/logger.c core/device_vnet.c core/tun_gso.c core/tun_gro.c core/inet_csum.c core/xalloc.c
tests_unit_device_test_CPPFLAGS = $(TEST_CPPFLAGS) $(VDE_CFLAGS)
tests_unit_device_test_LDADD = $(VDE_LIBS)

# The transport plugins are compiled into the test (it #includes their .c
# files) and driven through a fake host table backed by core/event.c.
check_PROGRAMS += tests/unit/transport_test
TESTS += tests/unit/transport_test
tests_unit_transport_test_SOURCES = tests/unit/transport_test.c core/event.c core/logger.c \
	plugins/transport-udp/udp_gso.c
tests_unit_transport_test_CPPFLAGS = $(TEST_CPPFLAGS)
EXTRA_DIST += plugins/transport-udp/transport_udp.c plugins/transport-tcp/transport_tcp.c

check_PROGRAMS += tests/unit/udp_trial_test
TESTS += tests/unit/udp_trial_test
tests_unit_udp_trial_test_SOURCES = tests/unit/udp_trial_test.c core/udp_trial.c core/udp_trial.h
tests_unit_udp_trial_test_CPPFLAGS = $(TEST_CPPFLAGS)

check_PROGRAMS += tests/unit/udp_discovery_test
TESTS += tests/unit/udp_discovery_test
tests_unit_udp_discovery_test_SOURCES = tests/unit/udp_discovery_test.c core/udp_discovery.c core/udp_discovery.h
tests_unit_udp_discovery_test_CPPFLAGS = $(TEST_CPPFLAGS)

check_PROGRAMS += tests/unit/sptps_frame_test
TESTS += tests/unit/sptps_frame_test
tests_unit_sptps_frame_test_SOURCES = tests/unit/sptps_frame_test.c core/sptps_frame.c core/sptps_frame.h
tests_unit_sptps_frame_test_CPPFLAGS = $(TEST_CPPFLAGS)
# TUN offload: cutting and joining TCP/UDP packets, no kernel needed.
check_PROGRAMS += tests/unit/tun_offload_test
TESTS += tests/unit/tun_offload_test
tests_unit_tun_offload_test_SOURCES = tests/unit/tun_offload_test.c core/tun_gso.c core/tun_gro.c core/inet_csum.c
tests_unit_tun_offload_test_CPPFLAGS = $(TEST_CPPFLAGS)

check_PROGRAMS += tests/unit/graph_holddown_test
TESTS += tests/unit/graph_holddown_test
tests_unit_graph_holddown_test_SOURCES = tests/unit/graph_holddown_test.c core/graph_holddown.c core/graph_holddown.h
tests_unit_graph_holddown_test_CPPFLAGS = $(TEST_CPPFLAGS)
