# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# crypto-sptps: tinc 1.1's SPTPS (Ed25519, X25519, ChaCha20-Poly1305).
# SPTPS_LIB_SOURCES is the self-contained protocol library; the unit tests
# and the fuzzer compile it directly.
SPTPS_LIB_SOURCES = \
	plugins/crypto-sptps/sptps.h \
	plugins/crypto-sptps/sptps.c \
	plugins/crypto-sptps/sptps_replay.h \
	plugins/crypto-sptps/sptps_replay.c \
	plugins/crypto-sptps/sptps_crypto.h \
	plugins/crypto-sptps/sptps_crypto.c \
	plugins/crypto-sptps/b64.h \
	plugins/crypto-sptps/b64.c \
	plugins/crypto-sptps/keys.h \
	plugins/crypto-sptps/keys.c
CRYPTO_SPTPS_PLUGIN_SOURCES = $(SPTPS_LIB_SOURCES) \
	plugins/crypto-sptps/sptps_plugin.h \
	plugins/crypto-sptps/plugin.c \
	plugins/crypto-sptps/meta.c \
	plugins/crypto-sptps/data.c
if ENABLE_CRYPTO_SPTPS
pkglib_LTLIBRARIES += plugins/crypto-sptps/crypto-sptps.la
plugins_crypto_sptps_crypto_sptps_la_SOURCES = $(CRYPTO_SPTPS_PLUGIN_SOURCES)
plugins_crypto_sptps_crypto_sptps_la_CPPFLAGS = -I$(top_srcdir)/sdk $(SODIUM_CFLAGS)
plugins_crypto_sptps_crypto_sptps_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_crypto_sptps_crypto_sptps_la_LIBADD = $(SODIUM_LIBS)
endif
