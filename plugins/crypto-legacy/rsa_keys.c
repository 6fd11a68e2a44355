/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * RSA keys of the legacy protocol (docs/protocol/legacy-auth.md §1): loading our private
 * key and peers' public keys in every form tinc 1.0 accepts, raw (unpadded)
 * RSA for METAKEY, and key-pair generation compatible with `tincd -K`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "legacy.h"

#define MAX_KEYFILE_SIZE  (1 << 20)
#define OBSOLETE_EXPONENT 0xFFFF /* tinc's exponent for hex PublicKey lines */

static bool valid_name(const char *name) {
	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return false;
	}
	return true;
}

static char *read_text_file(const char *path) {
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = malloc(MAX_KEYFILE_SIZE + 1);
	size_t n = buf ? fread(buf, 1, MAX_KEYFILE_SIZE, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* Never prompt for a pass phrase: tinc keys are unencrypted. */
static int no_passphrase(char *buf, int size, int rwflag, void *u) {
	return 0;
}

static EVP_PKEY *decode_public_pem(const char *pem, size_t len) {
	EVP_PKEY *pkey = NULL;
	OSSL_DECODER_CTX *dctx =
	    OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, "RSA", EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	const unsigned char *p = (const unsigned char *)pem;

	if (dctx && !OSSL_DECODER_from_data(dctx, &p, &len)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	return pkey;
}

/* Find a PEM block labelled `label` in text that may hold anything else
 * (a host file is also a config file) and decode it. */
static EVP_PKEY *public_key_from_block(const char *text, const char *label) {
	char begin[64], end[64];
	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	snprintf(end, sizeof(end), "-----END %s-----", label);

	/* Only markers at the start of a line count: "#-----BEGIN" is a
	 * key that generate_keys disabled. */
	const char *b = text;
	while ((b = strstr(b, begin)) && b != text && b[-1] != '\n')
		b++;
	const char *e = b ? strstr(b, end) : NULL;
	if (!e)
		return NULL;
	return decode_public_pem(b, (size_t)(e - b) + strlen(end));
}

static EVP_PKEY *public_key_from_text(const char *text) {
	EVP_PKEY *pkey = public_key_from_block(text, "RSA PUBLIC KEY");
	return pkey ? pkey : public_key_from_block(text, "PUBLIC KEY");
}

static EVP_PKEY *rsa_from_numbers(const char *n_hex, const char *d_hex) {
	BIGNUM *n = NULL, *e = BN_new(), *d = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;

	if (!e || !bld || !ctx || !BN_hex2bn(&n, n_hex) || !BN_set_word(e, OBSOLETE_EXPONENT) ||
	    (d_hex && !BN_hex2bn(&d, d_hex)))
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (d && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	return pkey;
}

EVP_PKEY *legacy_read_pem_file(const char *path, bool private_key) {
	EVP_PKEY *pkey = NULL;

	if (private_key) {
		BIO *bio = BIO_new_file(path, "r");
		if (!bio)
			return NULL;
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	} else {
		char *text = read_text_file(path);
		if (!text)
			return NULL;
		pkey = public_key_from_text(text);
		free(text);
	}
	if (pkey && !EVP_PKEY_is_a(pkey, "RSA")) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return pkey;
}

/* hosts/<name> PEM block, then PublicKeyFile, then the obsolete hex PublicKey. */
EVP_PKEY *legacy_load_public_key(const char *name) {
	char path[4096];
	EVP_PKEY *pkey;

	if (!valid_name(name))
		return NULL;
	snprintf(path, sizeof(path), "%s/hosts/%s", lg.host->confbase(), name);
	pkey = legacy_read_pem_file(path, false);
	if (pkey)
		return pkey;

	const char *file = lg.host->conf_get(name, "PublicKeyFile", 0);
	if (file) {
		pkey = legacy_read_pem_file(file, false);
		if (pkey)
			return pkey;
		LOG(PX_LOG_ERROR, "Could not read RSA public key of %s from %s", name, file);
	}

	const char *hex = lg.host->conf_get(name, "PublicKey", 0);
	if (hex) {
		pkey = rsa_from_numbers(hex, NULL);
		if (pkey)
			return pkey;
		LOG(PX_LOG_ERROR, "Invalid PublicKey for %s", name);
	}
	return NULL;
}

EVP_PKEY *legacy_load_private_key(void) {
	const char *d_hex = lg.host->conf_get(NULL, "PrivateKey", 0);
	if (d_hex) {
		const char *n_hex = lg.host->conf_get(NULL, "PublicKey", 0);
		EVP_PKEY *pkey = n_hex ? rsa_from_numbers(n_hex, d_hex) : NULL;
		if (!pkey)
			LOG(PX_LOG_ALWAYS, "PrivateKey needs a valid PublicKey; legacy protocol disabled");
		return pkey;
	}

	char path[4096];
	const char *file = lg.host->conf_get(NULL, "PrivateKeyFile", 0);
	if (!file) {
		snprintf(path, sizeof(path), "%s/rsa_key.priv", lg.host->confbase());
		file = path;
	}

	struct stat st;
	if (stat(file, &st)) {
		LOG(PX_LOG_ALWAYS, "Cannot read RSA private key %s: %s; legacy protocol disabled", file,
		    strerror(errno));
		return NULL;
	}
	if (st.st_mode & 077)
		LOG(PX_LOG_ALWAYS, "Warning: insecure file permissions for RSA private key file %s!", file);

	/* an unreadable file is reported as such, not as a bad key */
	if (access(file, R_OK)) {
		LOG(PX_LOG_ALWAYS, "Cannot read RSA private key %s: %s; legacy protocol disabled", file,
		    strerror(errno));
		return NULL;
	}
	EVP_PKEY *pkey = legacy_read_pem_file(file, true);
	if (!pkey)
		LOG(PX_LOG_ALWAYS,
		    "Cannot read RSA private key %s: not an unencrypted RSA PEM key; legacy protocol "
		    "disabled",
		    file);
	return pkey;
}

int legacy_rsa_size(EVP_PKEY *pkey) {
	return EVP_PKEY_get_size(pkey);
}

static bool rsa_raw(EVP_PKEY *pkey, bool public_op, const uint8_t *in, uint8_t *out) {
	size_t k = (size_t)EVP_PKEY_get_size(pkey), outlen = k;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	bool ok = ctx && (public_op ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) > 0 &&
	          EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
	          (public_op ? EVP_PKEY_encrypt(ctx, out, &outlen, in, k)
	                     : EVP_PKEY_decrypt(ctx, out, &outlen, in, k)) > 0 &&
	          outlen == k;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

bool legacy_rsa_public_raw(EVP_PKEY *pkey, const uint8_t *in, uint8_t *out) {
	return rsa_raw(pkey, true, in, out);
}

bool legacy_rsa_private_raw(EVP_PKEY *pkey, const uint8_t *in, uint8_t *out) {
	return rsa_raw(pkey, false, in, out);
}

static bool write_public_pem(EVP_PKEY *pkey, FILE *f) {
	OSSL_ENCODER_CTX *ectx =
	    OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", NULL);
	bool ok = ectx && OSSL_ENCODER_to_fp(ectx, f);
	OSSL_ENCODER_CTX_free(ectx);
	return ok;
}

/* Private key as PKCS#1 "RSA PRIVATE KEY" PEM, mode 0600, as tinc 1.0 reads it. */
static bool write_private_pem(EVP_PKEY *pkey, const char *path) {
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return false;
	if (fchmod(fd, 0600)) {
		close(fd);
		return false;
	}
	BIO *bio = BIO_new_fd(fd, BIO_CLOSE);
	if (!bio) {
		close(fd);
		return false;
	}
	bool ok =
	    PEM_write_bio_PrivateKey_traditional(bio, pkey, NULL, NULL, 0, NULL, NULL) && BIO_flush(bio) > 0;
	BIO_free(bio);
	return ok;
}

static bool is_old_key_line(const char *line, bool *in_block) {
	if (!strncmp(line, "-----BEGIN RSA PUBLIC KEY-----", 30) ||
	    !strncmp(line, "-----BEGIN PUBLIC KEY-----", 26))
		*in_block = true;
	if (*in_block) {
		if (!strncmp(line, "-----END ", 9))
			*in_block = false;
		return true;
	}
	/* The obsolete "PublicKey = <hex>" (not PublicKeyFile). */
	size_t n = strspn(line, " \t");
	return !strncasecmp(line + n, "PublicKey", 9) && strspn(line + n + 9, " \t=") > 0;
}

/* Comment out RSA public keys already in a host file, so that the key we
 * are about to append is the one peers (and tinc) will read. */
static bool disable_old_keys(const char *path) {
	char tmp[4200], line[4096];
	bool in_block = false, changed = false;
	FILE *in = fopen(path, "r");

	if (!in)
		return errno == ENOENT;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *out = fopen(tmp, "w");
	if (!out) {
		fclose(in);
		return false;
	}
	while (fgets(line, sizeof(line), in)) {
		if (is_old_key_line(line, &in_block)) {
			fputc('#', out);
			changed = true;
		}
		fputs(line, out);
	}
	bool ok = !ferror(in);
	fclose(in);
	ok = fclose(out) == 0 && ok;
	if (ok && changed) {
		LOG(PX_LOG_ALWAYS, "Disabled the old RSA public key in %s", path);
		ok = rename(tmp, path) == 0;
	} else {
		unlink(tmp);
	}
	return ok;
}

static bool append_public_key(EVP_PKEY *pkey, const char *path) {
	if (!disable_old_keys(path))
		return false;

	FILE *f = fopen(path, "a+");
	if (!f)
		return false;
	/* Start on a fresh line if the host file does not end with one. */
	if (fseek(f, -1, SEEK_END) == 0 && fgetc(f) != '\n')
		fputc('\n', f);
	fseek(f, 0, SEEK_END);
	bool ok = write_public_pem(pkey, f);
	return fclose(f) == 0 && ok;
}

int legacy_generate_keys(px_plugin *self, const char *confbase, const char *name, int bits) {
	char priv[4096], hosts[4096], hostfile[4096];
	struct stat st;

	if (!bits)
		bits = 2048;
	if (bits < 1024 || bits > 8192) {
		LOG(PX_LOG_ALWAYS, "RSA key size must be between 1024 and 8192 bits, not %d", bits);
		return -1;
	}
	bits &= ~7;
	if (!valid_name(name)) {
		LOG(PX_LOG_ALWAYS, "Invalid node name %s", name ? name : "(none)");
		return -1;
	}
	if (!confbase || snprintf(priv, sizeof(priv), "%s/rsa_key.priv", confbase) >= (int)sizeof(priv) ||
	    snprintf(hosts, sizeof(hosts), "%s/hosts", confbase) >= (int)sizeof(hosts) ||
	    snprintf(hostfile, sizeof(hostfile), "%s/hosts/%s", confbase, name) >= (int)sizeof(hostfile)) {
		LOG(PX_LOG_ALWAYS, "Configuration directory path too long");
		return -1;
	}

	if (stat(priv, &st) == 0 && st.st_size > 0) {
		LOG(PX_LOG_ALWAYS, "Refusing to overwrite existing RSA private key %s (remove it first)",
		    priv);
		return -1;
	}

	LOG(PX_LOG_ALWAYS, "Generating %d bits RSA key pair", bits);
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (!pkey) {
		LOG(PX_LOG_ALWAYS, "Error generating RSA key pair");
		return -1;
	}

	int ret = -1;
	if (!write_private_pem(pkey, priv)) {
		LOG(PX_LOG_ALWAYS, "Cannot write RSA private key %s: %s", priv, strerror(errno));
		goto out;
	}
	if (mkdir(hosts, 0755) && errno != EEXIST) {
		LOG(PX_LOG_ALWAYS, "Cannot create %s: %s", hosts, strerror(errno));
		goto out;
	}
	if (!append_public_key(pkey, hostfile)) {
		LOG(PX_LOG_ALWAYS, "Cannot append RSA public key to %s: %s", hostfile, strerror(errno));
		goto out;
	}
	LOG(PX_LOG_ALWAYS, "RSA private key written to %s, public key appended to %s", priv, hostfile);
	ret = 0;
out:
	EVP_PKEY_free(pkey);
	return ret;
}
