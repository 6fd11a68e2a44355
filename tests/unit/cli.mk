# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The plexus CLI's own file formats: sign/verify against tinc 1.1's output.
TESTS += tests/unit/cli_sign_kat_test.sh
EXTRA_DIST += tests/unit/cli_sign_kat_test.sh \
	tests/data/tinc11-sign/README.md \
	tests/data/tinc11-sign/tinc.conf \
	tests/data/tinc11-sign/ed25519_key.priv \
	tests/data/tinc11-sign/hosts/tnode \
	tests/data/tinc11-sign/doc \
	tests/data/tinc11-sign/doc.signed

# Invitation names (URL key hash, cookie file name) against tinc 1.1's.
check_PROGRAMS += tests/unit/invitation_names_test
TESTS += tests/unit/invitation_names_test
tests_unit_invitation_names_test_SOURCES = tests/unit/invitation_names_test.c
tests_unit_invitation_names_test_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/plugins/crypto-sptps $(SODIUM_CFLAGS) \
	-DINVITE_KAT_DIR='"$(abs_top_srcdir)/tests/data/tinc11-invite"'
tests_unit_invitation_names_test_LDADD = core/libplexuscore.la $(SODIUM_LIBS)
EXTRA_DIST += tests/data/tinc11-invite/README.md \
	tests/data/tinc11-invite/ed25519_key.priv \
	tests/data/tinc11-invite/url \
	tests/data/tinc11-invite/invitation-file

# plexus top's model and the pcap headers of plexus pcap.
check_PROGRAMS += tests/unit/cli_top_pcap_test
TESTS += tests/unit/cli_top_pcap_test
tests_unit_cli_top_pcap_test_SOURCES = tests/unit/cli_top_pcap_test.c core/top_stats.c core/pcap_format.c
tests_unit_cli_top_pcap_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_cli_top_pcap_test_LDADD =
