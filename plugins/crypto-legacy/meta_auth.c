/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Legacy meta-connection authentication (docs/protocol/legacy-auth.md §2-§5):
 * METAKEY (an RSA-encrypted stream-cipher secret per direction), CHALLENGE
 * and CHAL_REPLY, plus the meta stream cipher installed as a connection
 * filter. Received requests must arrive strictly in the order
 * METAKEY, CHALLENGE, CHAL_REPLY; anything else closes the connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "legacy.h"

enum meta_phase {
	WAIT_METAKEY,
	WAIT_CHALLENGE,
	WAIT_CHAL_REPLY,
	AUTH_DONE,
};

static const char *const expected_name[] = {"METAKEY", "CHALLENGE", "CHAL_REPLY", "nothing"};

struct meta_state {
	enum meta_phase phase;
	bool outgoing;
	EVP_PKEY *peer_key;
	int peer_k;                /* peer's modulus bytes: our METAKEY and CHALLENGE lengths */
	int own_k;                 /* our modulus bytes: what the peer sends us */
	const EVP_MD *our_digest;  /* announced in our METAKEY, checks the peer's reply */
	const EVP_MD *peer_digest; /* announced in the peer's METAKEY, for our reply */
	uint8_t *challenge_sent;   /* peer_k bytes */
	uint8_t *challenge_got;    /* own_k bytes */
};

/* One direction of the meta stream cipher. */
struct meta_cipher {
	EVP_CIPHER_CTX *ctx;
	uint64_t budget; /* bytes left before the Sweet32 limit */
};

uint64_t legacy_meta_budget(const EVP_CIPHER *cipher) {
	int b = EVP_CIPHER_get_block_size(cipher);

	if (b <= 1)
		b = EVP_CIPHER_get_iv_length(cipher);
	if (b <= 1)
		b = 8;
	int bits = 4 * b - 1;
	return bits >= 64 ? UINT64_MAX : (uint64_t)1 << bits;
}

/* Key and IV come from the END of the K-byte secret (docs/protocol/legacy-auth.md §3). */
static struct meta_cipher *meta_cipher_new(const EVP_CIPHER *cipher, const uint8_t *secret, int k,
                                           bool encrypt) {
	int kl = EVP_CIPHER_get_key_length(cipher), il = EVP_CIPHER_get_iv_length(cipher);
	struct meta_cipher *m;

	if (kl + il > k || !(m = calloc(1, sizeof(*m))))
		return NULL;
	m->ctx = EVP_CIPHER_CTX_new();
	if (!m->ctx || !EVP_CipherInit_ex(m->ctx, cipher, NULL, secret + k - kl,
	                                  il ? secret + k - kl - il : NULL, encrypt ? 1 : 0)) {
		EVP_CIPHER_CTX_free(m->ctx);
		free(m);
		return NULL;
	}
	m->budget = legacy_meta_budget(cipher);
	return m;
}

static bool spend_budget(struct meta_cipher *m, px_conn *c, size_t len) {
	if (len > m->budget) {
		LOG(PX_LOG_ALWAYS, "Meta cipher byte limit reached on connection with %s, closing",
		    lg.host->conn_name(c));
		return false;
	}
	m->budget -= len;
	return true;
}

/* Run a stream of bytes through the meta cipher (its context knows the
 * direction) and hand the result to `sink` in bounded chunks. */
static int filter_apply(struct meta_cipher *m, px_conn *c, const uint8_t *data, size_t len,
                        int (*sink)(px_conn *c, const void *data, size_t len)) {
	uint8_t buf[4096];

	if (!spend_budget(m, c, len))
		return -1;
	while (len) {
		int chunk = len > sizeof(buf) ? (int)sizeof(buf) : (int)len, outl = 0;
		if (!EVP_CipherUpdate(m->ctx, buf, &outl, data, chunk) || sink(c, buf, (size_t)outl) < 0)
			return -1;
		data += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

static int filter_send(void *ctx, px_conn *c, const uint8_t *data, size_t len) {
	return filter_apply(ctx, c, data, len, lg.host->conn_write_wire);
}

static int filter_recv(void *ctx, px_conn *c, const uint8_t *data, size_t len) {
	return filter_apply(ctx, c, data, len, lg.host->conn_deliver);
}

static void filter_free(void *ctx) {
	struct meta_cipher *m = ctx;

	if (!m)
		return;
	EVP_CIPHER_CTX_free(m->ctx);
	free(m);
}

static const struct px_filter_ops meta_filter_ops = {
    .size = sizeof(struct px_filter_ops),
    .send = filter_send,
    .recv = filter_recv,
    .free = filter_free,
};

void legacy_meta_free(px_plugin *self, void *state) {
	struct meta_state *st = state;

	if (!st)
		return;
	EVP_PKEY_free(st->peer_key);
	if (st->challenge_sent)
		OPENSSL_clear_free(st->challenge_sent, (size_t)st->peer_k);
	if (st->challenge_got)
		OPENSSL_clear_free(st->challenge_got, (size_t)st->own_k);
	free(st);
}

int legacy_meta_start(px_plugin *self, px_conn *c, void **state) {
	const char *name = lg.host->conn_name(c);
	struct meta_state *st = NULL;
	uint8_t *secret = NULL, *enc = NULL;
	char *hex = NULL;
	int ret = -1;

	*state = NULL;
	if (!lg.privkey) {
		LOG(PX_LOG_ALWAYS, "No RSA private key: cannot authenticate %s with the legacy protocol",
		    name);
		return -1;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	st->phase = WAIT_METAKEY;
	st->outgoing = lg.host->conn_outgoing(c);
	st->our_digest = EVP_sha256();
	st->peer_key = legacy_load_public_key(name);
	if (!st->peer_key) {
		LOG(PX_LOG_ALWAYS, "No RSA public key known for %s", name);
		goto out;
	}
	st->peer_k = legacy_rsa_size(st->peer_key);
	st->own_k = legacy_rsa_size(lg.privkey);

	/* A modulus-sized random secret, top bit cleared so it is below n. */
	size_t k = (size_t)st->peer_k;
	secret = malloc(k);
	enc = malloc(k);
	hex = malloc(2 * k + 1);
	if (!secret || !enc || !hex)
		goto out;
	lg.host->random_bytes(secret, k);
	secret[0] &= 0x7f;
	if (!legacy_rsa_public_raw(st->peer_key, secret, enc)) {
		LOG(PX_LOG_ALWAYS, "Error during encryption of meta key for %s", name);
		goto out;
	}
	struct meta_cipher *out = meta_cipher_new(lg.meta_cipher, secret, st->peer_k, true);
	if (!out) {
		LOG(PX_LOG_ALWAYS, "Error setting up the meta cipher for %s", name);
		goto out;
	}
	legacy_hex_encode(enc, k, hex);
	if (lg.host->conn_send(c, "%d %d %d %d %d %s", PX_REQ_METAKEY, EVP_CIPHER_get_nid(lg.meta_cipher),
	                       EVP_MD_get_type(st->our_digest), 0, 0, hex) < 0) {
		filter_free(out);
		goto out;
	}
	/* Everything we send after the METAKEY line is encrypted. */
	lg.host->conn_set_filter(c, PX_DIR_OUT, &meta_filter_ops, out);
	*state = st;
	st = NULL;
	ret = 0;
out:
	if (secret)
		OPENSSL_clear_free(secret, k);
	free(enc);
	free(hex);
	legacy_meta_free(self, st);
	return ret;
}

static int got_metakey(struct meta_state *st, px_conn *c, const char *line) {
	const char *name = lg.host->conn_name(c);
	char hex[LEGACY_MAX_STRING + 1];
	int cipher_nid, digest_nid, maclength, compression;
	size_t k = (size_t)st->own_k;

	if (sscanf(line, "%*d %d %d %d %d %2048s", &cipher_nid, &digest_nid, &maclength, &compression, hex) !=
	    5) {
		LOG(PX_LOG_ERROR, "Got bad METAKEY from %s", name);
		return -1;
	}
	if (strlen(hex) != 2 * k) {
		LOG(PX_LOG_ERROR, "Possible intruder %s: wrong keylength in METAKEY", name);
		return -1;
	}

	const EVP_CIPHER *cipher = cipher_nid ? EVP_get_cipherbynid(cipher_nid) : NULL;
	const EVP_MD *digest = digest_nid ? EVP_get_digestbynid(digest_nid) : NULL;
	if (!cipher || !digest) {
		LOG(PX_LOG_ERROR, "%s uses unknown or null cipher/digest in METAKEY (%d/%d)", name,
		    cipher_nid, digest_nid);
		return -1;
	}
	if (EVP_CIPHER_get_block_size(cipher) != 1) {
		LOG(PX_LOG_ERROR, "%s announced a block cipher (nid %d) for the meta stream", name,
		    cipher_nid);
		return -1;
	}
	if (maclength < 0 || maclength > EVP_MD_get_size(digest)) {
		LOG(PX_LOG_ERROR, "%s uses bogus MAC length %d in METAKEY", name, maclength);
		return -1;
	}

	uint8_t *enc = malloc(k), *secret = malloc(k);
	int ret = -1;
	if (!enc || !secret)
		goto out;
	if (legacy_hex_decode(hex, 2 * k, enc, k) != (int)k) {
		LOG(PX_LOG_ERROR, "Got bad METAKEY from %s: invalid hex", name);
		goto out;
	}
	if (!legacy_rsa_private_raw(lg.privkey, enc, secret)) {
		LOG(PX_LOG_ERROR, "Error during decryption of meta key from %s", name);
		goto out;
	}
	struct meta_cipher *in = meta_cipher_new(cipher, secret, st->own_k, false);
	if (!in) {
		LOG(PX_LOG_ERROR, "Cannot use the meta cipher (nid %d) of %s", cipher_nid, name);
		goto out;
	}
	st->peer_digest = digest;

	/* Our challenge has the length of the peer's key. */
	char *chex = malloc(2 * (size_t)st->peer_k + 1);
	st->challenge_sent = malloc((size_t)st->peer_k);
	if (!chex || !st->challenge_sent) {
		free(chex);
		filter_free(in);
		goto out;
	}
	lg.host->random_bytes(st->challenge_sent, (size_t)st->peer_k);
	legacy_hex_encode(st->challenge_sent, (size_t)st->peer_k, chex);
	ret = lg.host->conn_send(c, "%d %s", PX_REQ_CHALLENGE, chex) < 0 ? -1 : 0;
	free(chex);
	if (ret < 0) {
		filter_free(in);
		goto out;
	}
	st->phase = WAIT_CHALLENGE;
	/* The peer's bytes after its METAKEY line are ciphertext. Installed
	 * last: the core may push already-buffered bytes through it at once. */
	lg.host->conn_set_filter(c, PX_DIR_IN, &meta_filter_ops, in);
out:
	free(enc);
	if (secret)
		OPENSSL_clear_free(secret, k);
	return ret;
}

bool legacy_chal_reply_line(const EVP_MD *md, const uint8_t *challenge, size_t len, char *out,
                            size_t outcap) {
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;

	if (outcap < 2 + 2 * (size_t)EVP_MD_get_size(md) + 1 ||
	    !EVP_Digest(challenge, len, digest, &dlen, md, NULL))
		return false;
	snprintf(out, outcap, "%d ", PX_REQ_CHAL_REPLY);
	legacy_hex_encode(digest, dlen, out + strlen(out));
	return true;
}

static int send_chal_reply(struct meta_state *st, px_conn *c) {
	char line[2 * EVP_MAX_MD_SIZE + 8];

	if (!legacy_chal_reply_line(st->peer_digest, st->challenge_got, (size_t)st->own_k, line,
	                            sizeof(line)))
		return -1;
	return lg.host->conn_send(c, "%s", line) < 0 ? -1 : 0;
}

static int got_challenge(struct meta_state *st, px_conn *c, const char *line) {
	const char *name = lg.host->conn_name(c);
	char hex[LEGACY_MAX_STRING + 1];
	size_t k = (size_t)st->own_k;

	if (sscanf(line, "%*d %2048s", hex) != 1) {
		LOG(PX_LOG_ERROR, "Got bad CHALLENGE from %s", name);
		return -1;
	}
	if (strlen(hex) != 2 * k) {
		LOG(PX_LOG_ERROR, "Possible intruder %s: wrong challenge length", name);
		return -1;
	}
	st->challenge_got = malloc(k);
	if (!st->challenge_got)
		return -1;
	if (legacy_hex_decode(hex, 2 * k, st->challenge_got, k) != (int)k) {
		LOG(PX_LOG_ERROR, "Got bad CHALLENGE from %s: invalid hex", name);
		return -1;
	}
	st->phase = WAIT_CHAL_REPLY;
	/* The connecting side answers at once; the accepting side only
	 * after the client proved itself (1.0.35+). */
	return st->outgoing ? send_chal_reply(st, c) : 0;
}

static int got_chal_reply(struct meta_state *st, px_conn *c, const char *line) {
	const char *name = lg.host->conn_name(c);
	char hex[LEGACY_MAX_STRING + 1];
	uint8_t want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned wantlen = 0;

	if (sscanf(line, "%*d %2048s", hex) != 1) {
		LOG(PX_LOG_ERROR, "Got bad CHAL_REPLY from %s", name);
		return -1;
	}
	if (!EVP_Digest(st->challenge_sent, (size_t)st->peer_k, want, &wantlen, st->our_digest, NULL))
		return -1;
	if (strlen(hex) != 2 * (size_t)wantlen ||
	    legacy_hex_decode(hex, strlen(hex), got, sizeof(got)) != (int)wantlen) {
		LOG(PX_LOG_ERROR, "Possible intruder %s: wrong challenge reply length or bad hex", name);
		return -1;
	}
	if (CRYPTO_memcmp(want, got, wantlen)) {
		LOG(PX_LOG_ERROR, "Possible intruder %s: wrong challenge reply", name);
		return -1;
	}
	if (!st->outgoing && send_chal_reply(st, c))
		return -1;
	st->phase = AUTH_DONE;
	LOG(PX_LOG_PROTOCOL, "Legacy authentication with %s succeeded", name);
	lg.host->conn_auth_done(c);
	return 0;
}

int legacy_meta_request(px_plugin *self, void *state, px_conn *c, int reqno, const char *line) {
	struct meta_state *st = state;
	static const int expected_req[] = {PX_REQ_METAKEY, PX_REQ_CHALLENGE, PX_REQ_CHAL_REPLY, -1};

	if (!st || reqno != expected_req[st->phase]) {
		LOG(PX_LOG_ERROR, "Unauthorized request %d from %s during authentication (expected %s)",
		    reqno, lg.host->conn_name(c), st ? expected_name[st->phase] : "nothing");
		return -1;
	}
	switch (st->phase) {
	case WAIT_METAKEY:
		return got_metakey(st, c, line);
	case WAIT_CHALLENGE:
		return got_challenge(st, c, line);
	case WAIT_CHAL_REPLY:
		return got_chal_reply(st, c, line);
	case AUTH_DONE:
		break;
	}
	return -1;
}
