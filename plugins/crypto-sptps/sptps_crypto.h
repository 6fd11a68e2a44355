/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The primitives SPTPS is built from (docs/protocol/sptps.md §1, §3.3-§5), as thin wrappers
 * over libsodium: Ed25519 with tinc's *expanded* private keys, the ephemeral
 * Edwards-key X25519 exchange, the HMAC-SHA512 PRF and tinc's
 * ChaCha20-Poly1305 record cipher (64-bit nonce, Poly1305 over the
 * ciphertext only). Nothing here keeps state between calls.
 */
#ifndef PX_SPTPS_CRYPTO_H
#define PX_SPTPS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPTPS_ED25519_PUB_LEN  32
#define SPTPS_ED25519_PRIV_LEN 64 /* clamped scalar || nonce prefix */
#define SPTPS_ED25519_SIG_LEN  64
#define SPTPS_ECDH_SECRET_LEN  32
#define SPTPS_CIPHER_KEY_LEN   64 /* per direction; only the first 32 bytes are used */
#define SPTPS_CHACHA_KEY_LEN   32
#define SPTPS_TAG_LEN          16

/* Initialise libsodium once; false if it cannot be used. */
bool sptps_crypto_init(void);

/* Expand a 32-byte RFC 8032 seed into tinc's private key form and the
 * matching public key. */
bool sptps_ed25519_from_seed(const uint8_t seed[32], uint8_t priv[SPTPS_ED25519_PRIV_LEN],
                             uint8_t pub[SPTPS_ED25519_PUB_LEN]);

/* Standard Ed25519 signature made from an expanded private key. */
bool sptps_ed25519_sign(const uint8_t priv[SPTPS_ED25519_PRIV_LEN], const uint8_t pub[SPTPS_ED25519_PUB_LEN],
                        const uint8_t *msg, size_t len, uint8_t sig[SPTPS_ED25519_SIG_LEN]);

bool sptps_ed25519_verify(const uint8_t pub[SPTPS_ED25519_PUB_LEN], const uint8_t *msg, size_t len,
                          const uint8_t sig[SPTPS_ED25519_SIG_LEN]);

/* Ephemeral key for one KEX: Edwards public key for the wire and the
 * clamped X25519 scalar kept until the peer's SIG arrives. */
bool sptps_ecdh_generate(const uint8_t seed[32], uint8_t pub[SPTPS_ED25519_PUB_LEN], uint8_t scalar[32]);

/* X25519 of our scalar with the Montgomery form of the peer's Edwards key. */
bool sptps_ecdh_compute(const uint8_t scalar[32], const uint8_t peer_pub[SPTPS_ED25519_PUB_LEN],
                        uint8_t secret[SPTPS_ECDH_SECRET_LEN]);

/* tinc's PRF: A0 = 64 zero bytes, Ai = H(Ai-1 || seed), out = H(A1 || seed) ||
 * H(A2 || seed) ..., H = HMAC-SHA512 keyed with secret. */
bool sptps_prf(const uint8_t *secret, size_t secretlen, const uint8_t *seed, size_t seedlen, uint8_t *out,
               size_t outlen);

/* Encrypt len bytes in place (may be unaligned) with the nonce seqno and
 * write the 16-byte tag to tag. */
void sptps_cipher_seal(const uint8_t key[SPTPS_CHACHA_KEY_LEN], uint64_t seqno, uint8_t *data, size_t len,
                       uint8_t tag[SPTPS_TAG_LEN]);

/* Check the tag of len ciphertext bytes. Side-effect free. */
bool sptps_cipher_check(const uint8_t key[SPTPS_CHACHA_KEY_LEN], uint64_t seqno, const uint8_t *data,
                        size_t len, const uint8_t tag[SPTPS_TAG_LEN]);

/* Check the tag, then decrypt len bytes from in to out (in == out allowed). */
bool sptps_cipher_open(const uint8_t key[SPTPS_CHACHA_KEY_LEN], uint64_t seqno, const uint8_t *in, size_t len,
                       const uint8_t tag[SPTPS_TAG_LEN], uint8_t *out);

void sptps_wipe(void *buf, size_t len);

#endif
