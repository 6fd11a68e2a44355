# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Fuzz targets (tests/fuzz/fuzz_*.c, one per parser that takes bytes from
# the network or disk). `make check` builds each with replay_main.c instead
# of libFuzzer and replays its seed corpus (tests/fuzz/corpus/TARGET/), so
# every input there, including each crash ever found, stays a regression
# test without clang. tests/fuzz/run-fuzz.sh builds the same sources with
# clang -fsanitize=fuzzer and fuzzes them (tests/integration/test_fuzz.sh).
FUZZ_REPLAY_SOURCES = tests/fuzz/replay_main.c tests/fuzz/fuzz_target.h
EXTRA_DIST += tests/fuzz/fuzz.mk tests/fuzz/run-fuzz.sh tests/fuzz/README.md tests/fuzz/corpus

check_PROGRAMS += tests/fuzz/fuzz_conf_replay
TESTS += tests/fuzz/fuzz_conf_replay
tests_fuzz_fuzz_conf_replay_SOURCES = tests/fuzz/fuzz_conf.c core/conf.c core/config_files.c core/host_cache.c $(MODEL_TEST_SOURCES) $(FUZZ_REPLAY_SOURCES)
tests_fuzz_fuzz_conf_replay_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/fuzz -DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/conf"'
tests_fuzz_fuzz_conf_replay_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_fuzz_fuzz_conf_replay_LDADD = $(MODEL_TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_addr_replay
TESTS += tests/fuzz/fuzz_addr_replay
tests_fuzz_fuzz_addr_replay_SOURCES = tests/fuzz/fuzz_addr.c $(MODEL_NODE_SOURCES) $(FUZZ_REPLAY_SOURCES)
tests_fuzz_fuzz_addr_replay_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/fuzz -DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/addr"'
tests_fuzz_fuzz_addr_replay_CFLAGS = $(MODEL_TEST_CFLAGS)
tests_fuzz_fuzz_addr_replay_LDADD = $(MODEL_TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_control_replay
TESTS += tests/fuzz/fuzz_control_replay
tests_fuzz_fuzz_control_replay_SOURCES = tests/fuzz/fuzz_control.c tests/unit/control_fixture.c \
	core/control.c core/control_format.c core/control_pcap.c core/route_io.c core/paths.c $(FUZZ_REPLAY_SOURCES)
tests_fuzz_fuzz_control_replay_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/fuzz -DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/control"'

if ENABLE_UPDATE_HOSTS
check_PROGRAMS += tests/fuzz/fuzz_update_hosts_replay
TESTS += tests/fuzz/fuzz_update_hosts_replay
tests_fuzz_fuzz_update_hosts_replay_SOURCES = tests/fuzz/fuzz_update_hosts.c $(UPDATE_HOSTS_SOURCES) \
	$(FUZZ_REPLAY_SOURCES)
tests_fuzz_fuzz_update_hosts_replay_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/tests/fuzz $(CRYPTO_CFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/update_hosts"'
tests_fuzz_fuzz_update_hosts_replay_LDADD = $(CRYPTO_LIBS)
endif

# The meta protocol with the shipped update-hosts and crypto-legacy plugins linked in.
if ENABLE_UPDATE_HOSTS
if ENABLE_CRYPTO_LEGACY
check_PROGRAMS += tests/fuzz/fuzz_meta_replay
TESTS += tests/fuzz/fuzz_meta_replay
tests_fuzz_fuzz_meta_replay_SOURCES = tests/fuzz/fuzz_meta.c $(NET_FIXTURE_SOURCES) $(UPDATE_HOSTS_SOURCES) \
	$(CRYPTO_LEGACY_SOURCES) \
	$(FUZZ_REPLAY_SOURCES)
tests_fuzz_fuzz_meta_replay_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/fuzz $(CRYPTO_CFLAGS) \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/meta"'
tests_fuzz_fuzz_meta_replay_LDADD = $(TEST_LIBS) $(CRYPTO_LIBS)
endif
endif

if ENABLE_CRYPTO_LEGACY
check_PROGRAMS += tests/fuzz/fuzz_legacy_udp_replay
TESTS += tests/fuzz/fuzz_legacy_udp_replay
tests_fuzz_fuzz_legacy_udp_replay_SOURCES = tests/fuzz/fuzz_legacy_udp.c $(LEGACY_TEST_SOURCES) \
	$(FUZZ_REPLAY_SOURCES)
tests_fuzz_fuzz_legacy_udp_replay_CPPFLAGS = $(LEGACY_TEST_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/legacy_udp"'
tests_fuzz_fuzz_legacy_udp_replay_LDADD = $(CRYPTO_LIBS)
endif

if ENABLE_COMPRESS
check_PROGRAMS += tests/fuzz/fuzz_compress_replay
TESTS += tests/fuzz/fuzz_compress_replay
tests_fuzz_fuzz_compress_replay_SOURCES = tests/fuzz/fuzz_compress.c $(COMPRESS_SOURCES) $(FUZZ_REPLAY_SOURCES)
tests_fuzz_fuzz_compress_replay_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/tests/fuzz $(ZLIB_CFLAGS) \
	$(LZO_CFLAGS) $(LZ4_CFLAGS) -DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/compress"'
tests_fuzz_fuzz_compress_replay_LDADD = $(ZLIB_LIBS) $(LZO_LIBS) $(LZ4_LIBS)
endif

if ENABLE_CRYPTO_SPTPS
check_PROGRAMS += tests/fuzz/fuzz_sptps_replay
TESTS += tests/fuzz/fuzz_sptps_replay
tests_fuzz_fuzz_sptps_replay_SOURCES = tests/fuzz/sptps_fuzz.c $(SPTPS_LIB_SOURCES) $(FUZZ_REPLAY_SOURCES)
tests_fuzz_fuzz_sptps_replay_CPPFLAGS = -I$(top_srcdir)/plugins/crypto-sptps -I$(top_srcdir)/tests/fuzz \
	$(SODIUM_CFLAGS) -DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus/sptps"'
tests_fuzz_fuzz_sptps_replay_LDADD = $(SODIUM_LIBS)
endif
