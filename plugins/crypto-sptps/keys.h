/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Long-term Ed25519 keys in tinc's file formats (docs/protocol/sptps.md §9):
 * ed25519_key.priv holds the 64-byte expanded private key and the public
 * key (no seed) in tinc base64, 48 bytes per line; host files carry
 * "Ed25519PublicKey = <43 chars>" or an ED25519 PUBLIC KEY block.
 */
#ifndef PX_SPTPS_KEYS_H
#define PX_SPTPS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sptps_crypto.h"

#define SPTPS_PUBKEY_B64_LEN 43

struct sptps_key {
	uint8_t priv[SPTPS_ED25519_PRIV_LEN]; /* expanded; valid if has_private */
	uint8_t pub[SPTPS_ED25519_PUB_LEN];
	bool has_private;
};

bool sptps_key_from_seed(struct sptps_key *k, const uint8_t seed[32]);
/* A new key pair from 32 bytes of random (random: the caller's source). */
bool sptps_key_generate(struct sptps_key *k, void (*random)(void *ctx, uint8_t *buf, size_t len), void *ctx);
/* Parse the text of an ed25519_key.priv file: the base64 lines between a
 * "-----BEGIN ED25519 PRIVATE KEY" line and a "-----END " line, each line
 * decoded on its own, 96 bytes in all. */
bool sptps_key_parse_private(struct sptps_key *k, const char *text, size_t len);
/* The 43-character base64 of Ed25519PublicKey (surrounding blanks allowed). */
bool sptps_key_parse_public_b64(struct sptps_key *k, const char *b64);
/* A "-----BEGIN ED25519 PUBLIC KEY-----" block anywhere in text. */
bool sptps_key_parse_public_pem(struct sptps_key *k, const char *text, size_t len);
void sptps_key_public_b64(const struct sptps_key *k, char out[SPTPS_PUBKEY_B64_LEN + 1]);
/* Newly allocated texts (free() them), or NULL. */
char *sptps_key_format_private(const struct sptps_key *k);
char *sptps_key_format_public_pem(const struct sptps_key *k);
char *sptps_key_format_host_line(const struct sptps_key *k); /* "Ed25519PublicKey = ...\n" */
/* Read a private key file; *loose_mode tells whether group/others may read it. */
bool sptps_key_load_private_file(struct sptps_key *k, const char *path, bool *loose_mode);
void sptps_key_wipe(struct sptps_key *k);

#endif
