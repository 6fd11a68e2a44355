/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Signatures: RSA-PSS with SHA-256 (salt length = digest length) made with
 * the updater's tinc RSA key (every node of a tinc 1.0 network has one), and
 * checked against the public key in hosts/<updater> as the receiver has it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "update.h"

#define MAX_KEY_FILE (1 << 16)

/* tinc keys are never encrypted: refuse to prompt. */
static int no_passphrase(char *buf, int size, int rwflag, void *u) {
	(void)buf, (void)size, (void)rwflag, (void)u;
	return 0;
}

EVP_PKEY *uh_load_private_key(void) {
	const char *file = uh.host->conf_get(NULL, "PrivateKeyFile", 0);
	char *path = file ? strdup(file) : uh_path(uh.host->confbase(), "rsa_key.priv", NULL);
	if (!path)
		return NULL;
	EVP_PKEY *pkey = NULL;
	FILE *f = fopen(path, "r");
	if (f) {
		pkey = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
		fclose(f);
	}
	if (!pkey || !EVP_PKEY_is_a(pkey, "RSA")) {
		UH_LOG(PX_LOG_ALWAYS, "Cannot read an RSA private key from %s: cannot sign updates", path);
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	free(path);
	return pkey;
}

static EVP_PKEY *decode_pem(const char *pem, size_t len) {
	EVP_PKEY *pkey = NULL;
	OSSL_DECODER_CTX *dctx =
	    OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, "RSA", EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	const unsigned char *p = (const unsigned char *)pem;
	if (!dctx || !OSSL_DECODER_from_data(dctx, &p, &len)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	return pkey;
}

/* The first PEM block with `label` that starts a line ("#-----BEGIN" is a
 * commented-out old key). */
static EVP_PKEY *key_from_block(const char *text, const char *label) {
	char begin[64], end[64];
	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	snprintf(end, sizeof(end), "-----END %s-----", label);
	const char *b = text;
	while ((b = strstr(b, begin)) && b != text && b[-1] != '\n')
		b++;
	const char *e = b ? strstr(b, end) : NULL;
	if (!e)
		return NULL;
	return decode_pem(b, (size_t)(e - b) + strlen(end));
}

EVP_PKEY *uh_public_key_from_text(const char *text) {
	EVP_PKEY *pkey = key_from_block(text, "RSA PUBLIC KEY");
	if (!pkey)
		pkey = key_from_block(text, "PUBLIC KEY");
	if (pkey && !EVP_PKEY_is_a(pkey, "RSA")) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return pkey;
}

static EVP_PKEY_CTX *set_pss(EVP_PKEY_CTX *pctx) {
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0)
		return NULL;
	return pctx;
}

int uh_sign(struct uh_msg *m, EVP_PKEY *priv) {
	static uint8_t tbs[UH_MAX_DATA + 512];
	int n = uh_signed_bytes(m, tbs, sizeof(tbs));
	if (n < 0 || EVP_PKEY_get_size(priv) > UH_MAX_SIG)
		return -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t siglen = sizeof(m->sig);
	int rc = -1;
	if (md && EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, priv) > 0 && set_pss(pctx) &&
	    EVP_DigestSign(md, m->sig, &siglen, tbs, (size_t)n) > 0) {
		m->siglen = siglen;
		rc = 0;
	}
	EVP_MD_CTX_free(md);
	return rc;
}

bool uh_verify(const struct uh_msg *m, EVP_PKEY *pub) {
	static uint8_t tbs[UH_MAX_DATA + 512];
	int n = uh_signed_bytes(m, tbs, sizeof(tbs));
	if (n < 0 || !pub || (size_t)EVP_PKEY_get_size(pub) != m->siglen)
		return false;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	bool ok = md && EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub) > 0 && set_pss(pctx) &&
	          EVP_DigestVerify(md, m->sig, m->siglen, tbs, (size_t)n) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}
