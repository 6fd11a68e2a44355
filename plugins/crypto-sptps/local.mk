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
SPTPS_PLUGIN_FILES = $(SPTPS_LIB_SOURCES)
EXTRA_DIST += $(SPTPS_PLUGIN_FILES)
