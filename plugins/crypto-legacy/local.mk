# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
if ENABLE_CRYPTO_LEGACY
pkglib_LTLIBRARIES += plugins/crypto-legacy/crypto-legacy.la
plugins_crypto_legacy_crypto_legacy_la_SOURCES = plugins/crypto-legacy/crypto_legacy.c
plugins_crypto_legacy_crypto_legacy_la_CPPFLAGS = -I$(top_srcdir)/sdk
plugins_crypto_legacy_crypto_legacy_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
