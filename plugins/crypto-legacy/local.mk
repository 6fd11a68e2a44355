# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# crypto-legacy: tinc 1.0's RSA meta authentication and UDP packet protection,
# with the ECDH data-key exchange between Plexus nodes.
CRYPTO_LEGACY_SOURCES = \
	plugins/crypto-legacy/legacy.h \
	plugins/crypto-legacy/plugin.c \
	plugins/crypto-legacy/hex.c \
	plugins/crypto-legacy/rsa_keys.c \
	plugins/crypto-legacy/meta_auth.c \
	plugins/crypto-legacy/data_keys.c \
	plugins/crypto-legacy/ecdh.c \
	plugins/crypto-legacy/packet.c \
	plugins/crypto-legacy/replay.c \
	plugins/crypto-legacy/bucket.c
if ENABLE_CRYPTO_LEGACY
pkglib_LTLIBRARIES += plugins/crypto-legacy/crypto-legacy.la
plugins_crypto_legacy_crypto_legacy_la_SOURCES = $(CRYPTO_LEGACY_SOURCES)
plugins_crypto_legacy_crypto_legacy_la_CPPFLAGS = -I$(top_srcdir)/sdk $(CRYPTO_CFLAGS)
plugins_crypto_legacy_crypto_legacy_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_crypto_legacy_crypto_legacy_la_LIBADD = $(CRYPTO_LIBS)
endif
