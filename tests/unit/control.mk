# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Control socket: pid file paths, dump formats, the daemon-side protocol,
# and the plexus CLI against a fake daemon. These compile the control
# sources themselves and stub the rest of the core (control_fixture.c), so
# they do not depend on the network code.
check_PROGRAMS += tests/unit/control_test tests/unit/control_fake_daemon
TESTS += tests/unit/control_test tests/unit/control_cli_test.sh
EXTRA_DIST += tests/unit/control_cli_test.sh tests/unit/control_fixture.h
tests_unit_control_test_SOURCES = tests/unit/control_test.c tests/unit/control_fixture.c \
	core/control.c core/control_format.c core/control_pcap.c core/route_io.c core/paths.c
tests_unit_control_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_control_test_LDADD =
tests_unit_control_fake_daemon_SOURCES = tests/unit/control_fake_daemon.c tests/unit/control_fixture.c \
	core/control.c core/control_format.c core/control_pcap.c core/route_io.c core/paths.c
tests_unit_control_fake_daemon_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_control_fake_daemon_LDADD =
