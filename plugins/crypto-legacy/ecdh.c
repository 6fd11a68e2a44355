/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Cryptography of the ECDH data-key exchange (docs/legacy-ecdh.md):
 * ephemeral X25519 keys, HKDF-SHA256 key derivation, and the RSA-signed
 * transcripts carried in REQ_KEY/ANS_KEY tokens. Protocol state (who asked
 * whom, which key is installed) lives in data_keys.c.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "legacy.h"

#define KDF_LABEL        "plexus legacy-ecdh v1 packet key"
#define TRANSCRIPT_LABEL "plexus-legacy-ecdh"

bool legacy_eph_new(struct legacy_ephemeral *e) {
	uint8_t priv[LEGACY_X25519_LEN];
	size_t publen = sizeof(e->pub);

	legacy_eph_clear(e);
	lg.host->random_bytes(priv, sizeof(priv));
	e->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, sizeof(priv));
	lg.host->memwipe(priv, sizeof(priv));
	if (!e->pkey || !EVP_PKEY_get_raw_public_key(e->pkey, e->pub, &publen) || publen != sizeof(e->pub)) {
		legacy_eph_clear(e);
		return false;
	}
	return true;
}

void legacy_eph_clear(struct legacy_ephemeral *e) {
	EVP_PKEY_free(e->pkey);
	e->pkey = NULL;
	memset(e->pub, 0, sizeof(e->pub));
}

bool legacy_x25519(const struct legacy_ephemeral *mine, const uint8_t peer_pub[LEGACY_X25519_LEN],
                   uint8_t shared[LEGACY_X25519_LEN]) {
	EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer_pub, LEGACY_X25519_LEN);
	EVP_PKEY_CTX *ctx = mine->pkey ? EVP_PKEY_CTX_new_from_pkey(NULL, mine->pkey, NULL) : NULL;
	size_t len = LEGACY_X25519_LEN;
	bool ok = peer && ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_derive_set_peer(ctx, peer) > 0 &&
	          EVP_PKEY_derive(ctx, shared, &len) > 0 && len == LEGACY_X25519_LEN;

	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	/* A low-order peer point gives an all-zero secret: never use it. */
	static const uint8_t zero[LEGACY_X25519_LEN];
	if (ok && !CRYPTO_memcmp(shared, zero, sizeof(zero)))
		ok = false;
	if (!ok)
		lg.host->memwipe(shared, LEGACY_X25519_LEN);
	return ok;
}

bool legacy_hkdf_sha256(const uint8_t *salt, size_t saltlen, const uint8_t *ikm, size_t ikmlen,
                        const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen) {
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infolen),
	    OSSL_PARAM_construct_end(),
	};
	bool ok = ctx && EVP_KDF_derive(ctx, out, outlen, params) > 0;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok;
}

static void put_be32(uint8_t *p, uint32_t v) {
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* salt = sender_pub || receiver_pub; info = label 0 sender 0 receiver 0
 * be32(cipher) be32(digest) be32(maclen). Names never contain NUL, so the
 * encoding is unambiguous; swapping the names gives the other direction's
 * (different) key. */
bool legacy_ecdh_kdf(const uint8_t shared[LEGACY_X25519_LEN], const char *sender, const char *receiver,
                     const uint8_t sender_pub[LEGACY_X25519_LEN],
                     const uint8_t receiver_pub[LEGACY_X25519_LEN], int cipher_nid, int digest_nid,
                     int maclen, uint8_t *out, size_t outlen) {
	uint8_t salt[2 * LEGACY_X25519_LEN];
	uint8_t info[sizeof(KDF_LABEL) + 2 * (LEGACY_MAX_KEX_NAME + 1) + 12];
	size_t sl = strlen(sender), rl = strlen(receiver), n = 0;

	if (!sl || !rl || sl > LEGACY_MAX_KEX_NAME || rl > LEGACY_MAX_KEX_NAME)
		return false;
	memcpy(salt, sender_pub, LEGACY_X25519_LEN);
	memcpy(salt + LEGACY_X25519_LEN, receiver_pub, LEGACY_X25519_LEN);

	memcpy(info, KDF_LABEL, sizeof(KDF_LABEL)); /* with its NUL */
	n = sizeof(KDF_LABEL);
	memcpy(info + n, sender, sl + 1);
	n += sl + 1;
	memcpy(info + n, receiver, rl + 1);
	n += rl + 1;
	put_be32(info + n, (uint32_t)cipher_nid);
	put_be32(info + n + 4, (uint32_t)digest_nid);
	put_be32(info + n + 8, (uint32_t)maclen);
	n += 12;
	return legacy_hkdf_sha256(salt, sizeof(salt), shared, LEGACY_X25519_LEN, info, n, out, outlen);
}

int legacy_kex_transcript_req(char *out, size_t cap, const char *from, const char *to, uint64_t counter,
                              const uint8_t req_pub[LEGACY_X25519_LEN]) {
	char hex[2 * LEGACY_X25519_LEN + 1];

	legacy_hex_encode(req_pub, LEGACY_X25519_LEN, hex);
	int n = snprintf(out, cap, "%s %d REQ_KEY %s %s %llu %s", TRANSCRIPT_LABEL, LEGACY_KEX_VERSION, from,
	                 to, (unsigned long long)counter, hex);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

bool legacy_kex_parse_counter(const char *s, uint64_t *out) {
	uint64_t v = 0;

	if (!*s || strlen(s) > 20)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

int legacy_kex_transcript_ans(char *out, size_t cap, const char *from, const char *to,
                              const uint8_t ans_pub[LEGACY_X25519_LEN],
                              const uint8_t req_pub[LEGACY_X25519_LEN], int cipher_nid, int digest_nid,
                              int maclen, int compression) {
	char ahex[2 * LEGACY_X25519_LEN + 1], rhex[2 * LEGACY_X25519_LEN + 1];

	legacy_hex_encode(ans_pub, LEGACY_X25519_LEN, ahex);
	legacy_hex_encode(req_pub, LEGACY_X25519_LEN, rhex);
	int n =
	    snprintf(out, cap, "%s %d ANS_KEY %s %s %s %s %d %d %d %d", TRANSCRIPT_LABEL, LEGACY_KEX_VERSION,
	             from, to, ahex, rhex, cipher_nid, digest_nid, maclen, compression);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* RSA PKCS#1 v1.5 with SHA-256: deterministic, so the tests can pin the bytes. */
static EVP_MD_CTX *sig_ctx(EVP_PKEY *key, bool sign) {
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	if (!md || !key || !EVP_PKEY_is_a(key, "RSA") ||
	    (sign ? EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL)
	          : EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	return md;
}

bool legacy_kex_token_make(EVP_PKEY *priv, const char *transcript, const uint8_t pub[LEGACY_X25519_LEN],
                           char *out, size_t cap) {
	uint8_t sig[LEGACY_MAX_SIG];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = sig_ctx(priv, true);
	bool ok = md && EVP_PKEY_get_size(priv) <= (int)sizeof(sig) &&
	          EVP_DigestSign(md, sig, &siglen, (const uint8_t *)transcript, strlen(transcript)) > 0;
	EVP_MD_CTX_free(md);

	size_t pl = strlen(LEGACY_X25519_PREFIX);
	if (!ok || cap < pl + 2 * LEGACY_X25519_LEN + 1 + 4 * ((siglen + 2) / 3) + 1)
		return false;
	memcpy(out, LEGACY_X25519_PREFIX, pl);
	legacy_hex_encode(pub, LEGACY_X25519_LEN, out + pl);
	out[pl + 2 * LEGACY_X25519_LEN] = ':';
	EVP_EncodeBlock((unsigned char *)out + pl + 2 * LEGACY_X25519_LEN + 1, sig, (int)siglen);
	return true;
}

static bool is_base64(const char *s, size_t len) {
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool pad = c == '=' && i + 2 >= len && (i + 1 == len || s[i + 1] == '=');
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || pad))
			return false;
	}
	return true;
}

const char *legacy_kex_token_parse(const char *token, uint8_t pub[LEGACY_X25519_LEN], uint8_t *sig,
                                   size_t sigcap, size_t *siglen) {
	size_t pl = strlen(LEGACY_X25519_PREFIX);

	if (strncmp(token, LEGACY_X25519_PREFIX, pl))
		return "no X25519: prefix";
	const char *hex = token + pl, *colon = strchr(hex, ':');
	if (!colon || colon - hex != 2 * LEGACY_X25519_LEN ||
	    legacy_hex_decode(hex, 2 * LEGACY_X25519_LEN, pub, LEGACY_X25519_LEN) != LEGACY_X25519_LEN)
		return "malformed X25519 public key";

	const char *b64 = colon + 1;
	size_t len = strlen(b64);
	if (!len || len % 4 || len > 4 * ((sigcap + 2) / 3) || !is_base64(b64, len))
		return "malformed signature";
	uint8_t buf[4 * ((LEGACY_MAX_SIG + 2) / 3)];
	int n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return "malformed signature";
	/* EVP_DecodeBlock counts padding as zero bytes. */
	n -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
	if (n <= 0 || (size_t)n > sigcap)
		return "malformed signature";
	memcpy(sig, buf, (size_t)n);
	*siglen = (size_t)n;
	return NULL;
}

bool legacy_kex_verify(EVP_PKEY *pub, const char *transcript, const uint8_t *sig, size_t siglen) {
	EVP_MD_CTX *md = sig_ctx(pub, false);
	bool ok = md && siglen == (size_t)EVP_PKEY_get_size(pub) &&
	          EVP_DigestVerify(md, sig, siglen, (const uint8_t *)transcript, strlen(transcript)) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}
