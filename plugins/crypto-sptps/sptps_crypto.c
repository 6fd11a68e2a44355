/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* SPTPS primitives on top of libsodium (see sptps_crypto.h). */
#include <string.h>

#include <sodium.h>

#include "sptps_crypto.h"

bool sptps_crypto_init(void) {
	return sodium_init() >= 0;
}

void sptps_wipe(void *buf, size_t len) {
	sodium_memzero(buf, len);
}

bool sptps_ed25519_from_seed(const uint8_t seed[32], uint8_t priv[SPTPS_ED25519_PRIV_LEN],
                             uint8_t pub[SPTPS_ED25519_PUB_LEN]) {
	uint8_t sk[crypto_sign_SECRETKEYBYTES];

	if (crypto_sign_seed_keypair(pub, sk, seed) != 0) {
		return false;
	}

	/* tinc stores SHA-512(seed) with the scalar half clamped. */
	crypto_hash_sha512(priv, seed, 32);
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
	sodium_memzero(sk, sizeof(sk));
	return true;
}

/* Reduce a 32-byte little-endian number modulo the group order L. */
static void scalar_reduce32(uint8_t out[32], const uint8_t in[32]) {
	uint8_t wide[64] = {0};

	memcpy(wide, in, 32);
	crypto_core_ed25519_scalar_reduce(out, wide);
	sodium_memzero(wide, sizeof(wide));
}

/* Hash parts into a 64-byte digest and reduce it modulo L. */
static void hash_to_scalar(uint8_t out[32], const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                           const uint8_t *c, size_t clen) {
	crypto_hash_sha512_state st;
	uint8_t digest[64];

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, a, alen);

	if (b) {
		crypto_hash_sha512_update(&st, b, blen);
	}

	crypto_hash_sha512_update(&st, c, clen);
	crypto_hash_sha512_final(&st, digest);
	crypto_core_ed25519_scalar_reduce(out, digest);
	sodium_memzero(digest, sizeof(digest));
}

/*
 * RFC 8032 signing from the expanded key, because tinc's key files do not
 * hold the seed that crypto_sign_detached() wants:
 * r = H(prefix || M), R = rB, k = H(R || A || M), S = r + k*a (mod L).
 */
bool sptps_ed25519_sign(const uint8_t priv[SPTPS_ED25519_PRIV_LEN], const uint8_t pub[SPTPS_ED25519_PUB_LEN],
                        const uint8_t *msg, size_t len, uint8_t sig[SPTPS_ED25519_SIG_LEN]) {
	uint8_t r[32], k[32], a[32], ka[32];
	bool ok = false;

	hash_to_scalar(r, priv + 32, 32, NULL, 0, msg, len);

	if (crypto_scalarmult_ed25519_base_noclamp(sig, r) != 0) {
		goto out;
	}

	hash_to_scalar(k, sig, 32, pub, 32, msg, len);
	scalar_reduce32(a, priv);
	crypto_core_ed25519_scalar_mul(ka, k, a);
	crypto_core_ed25519_scalar_add(sig + 32, r, ka);
	ok = true;
out:
	sodium_memzero(r, sizeof(r));
	sodium_memzero(a, sizeof(a));
	sodium_memzero(ka, sizeof(ka));
	return ok;
}

bool sptps_ed25519_verify(const uint8_t pub[SPTPS_ED25519_PUB_LEN], const uint8_t *msg, size_t len,
                          const uint8_t sig[SPTPS_ED25519_SIG_LEN]) {
	return crypto_sign_ed25519_verify_detached(sig, msg, len, pub) == 0;
}

bool sptps_ecdh_generate(const uint8_t seed[32], uint8_t pub[SPTPS_ED25519_PUB_LEN], uint8_t scalar[32]) {
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	bool ok = crypto_sign_seed_keypair(pub, sk, seed) == 0 &&
	          crypto_sign_ed25519_sk_to_curve25519(scalar, sk) == 0;

	sodium_memzero(sk, sizeof(sk));
	return ok;
}

bool sptps_ecdh_compute(const uint8_t scalar[32], const uint8_t peer_pub[SPTPS_ED25519_PUB_LEN],
                        uint8_t secret[SPTPS_ECDH_SECRET_LEN]) {
	uint8_t u[32];
	bool ok = crypto_sign_ed25519_pk_to_curve25519(u, peer_pub) == 0 &&
	          crypto_scalarmult(secret, scalar, u) == 0;

	sodium_memzero(u, sizeof(u));
	return ok;
}

bool sptps_prf(const uint8_t *secret, size_t secretlen, const uint8_t *seed, size_t seedlen, uint8_t *out,
               size_t outlen) {
	crypto_auth_hmacsha512_state st;
	uint8_t a[crypto_auth_hmacsha512_BYTES] = {0};
	uint8_t block[crypto_auth_hmacsha512_BYTES];

	while (outlen) {
		/* A_i = H(A_{i-1} || seed) */
		crypto_auth_hmacsha512_init(&st, secret, secretlen);
		crypto_auth_hmacsha512_update(&st, a, sizeof(a));
		crypto_auth_hmacsha512_update(&st, seed, seedlen);
		crypto_auth_hmacsha512_final(&st, a);

		/* output block = H(A_i || seed) */
		crypto_auth_hmacsha512_init(&st, secret, secretlen);
		crypto_auth_hmacsha512_update(&st, a, sizeof(a));
		crypto_auth_hmacsha512_update(&st, seed, seedlen);
		crypto_auth_hmacsha512_final(&st, block);

		size_t n = outlen < sizeof(block) ? outlen : sizeof(block);
		memcpy(out, block, n);
		out += n;
		outlen -= n;
	}

	sodium_memzero(a, sizeof(a));
	sodium_memzero(block, sizeof(block));
	sodium_memzero(&st, sizeof(st));
	return true;
}

/* The 8-byte DJB ChaCha20 nonce: the sequence number, big-endian. */
static void make_nonce(uint8_t nonce[8], uint64_t seqno) {
	for (int i = 7; i >= 0; i--) {
		nonce[i] = seqno & 0xff;
		seqno >>= 8;
	}
}

/* Poly1305 key = first 32 bytes of keystream block 0. */
static void poly_key(const uint8_t key[SPTPS_CHACHA_KEY_LEN], const uint8_t nonce[8], uint8_t pk[32]) {
	crypto_stream_chacha20(pk, 32, nonce, key);
}

void sptps_cipher_seal(const uint8_t key[SPTPS_CHACHA_KEY_LEN], uint64_t seqno, uint8_t *data, size_t len,
                       uint8_t tag[SPTPS_TAG_LEN]) {
	uint8_t nonce[8], pk[32];

	make_nonce(nonce, seqno);
	poly_key(key, nonce, pk);
	crypto_stream_chacha20_xor_ic(data, data, len, nonce, 1, key);
	crypto_onetimeauth_poly1305(tag, data, len, pk);
	sodium_memzero(pk, sizeof(pk));
}

bool sptps_cipher_check(const uint8_t key[SPTPS_CHACHA_KEY_LEN], uint64_t seqno, const uint8_t *data,
                        size_t len, const uint8_t tag[SPTPS_TAG_LEN]) {
	uint8_t nonce[8], pk[32];

	make_nonce(nonce, seqno);
	poly_key(key, nonce, pk);
	bool ok = crypto_onetimeauth_poly1305_verify(tag, data, len, pk) == 0;
	sodium_memzero(pk, sizeof(pk));
	return ok;
}

bool sptps_cipher_open(const uint8_t key[SPTPS_CHACHA_KEY_LEN], uint64_t seqno, const uint8_t *in, size_t len,
                       const uint8_t tag[SPTPS_TAG_LEN], uint8_t *out) {
	uint8_t nonce[8];

	if (!sptps_cipher_check(key, seqno, in, len, tag)) {
		return false;
	}

	make_nonce(nonce, seqno);
	crypto_stream_chacha20_xor_ic(out, in, len, nonce, 1, key);
	return true;
}
