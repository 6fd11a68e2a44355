/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Legacy UDP packet protection (docs/protocol/legacy-data.md §1-§2), in place on batches:
 *   payload = E(seqno[4] || frame) || HMAC(ciphertext)[0..maclen)
 * The cipher is re-initialised to the key's fixed IV for every packet; the
 * seqno in the first block is what makes each ciphertext unique. One cipher
 * and one HMAC context per key are reused, so the data path never allocates.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "legacy.h"

struct legacy_key *legacy_key_new(const EVP_CIPHER *cipher, const EVP_MD *digest, int maclen,
                                  const uint8_t *key, size_t len, bool encrypt, int replaywin) {
	struct legacy_key *k = OPENSSL_zalloc(sizeof(*k));
	if (!k)
		return NULL;

	k->cipher = cipher;
	k->digest = digest;
	k->cipher_nid = cipher ? EVP_CIPHER_get_nid(cipher) : 0;
	k->digest_nid = digest ? EVP_MD_get_type(digest) : 0;
	k->maclen = digest ? maclen : 0;
	k->keylen = cipher ? EVP_CIPHER_get_key_length(cipher) : 0;
	k->ivlen = cipher ? EVP_CIPHER_get_iv_length(cipher) : 0;
	if (len != (cipher ? (size_t)(k->keylen + k->ivlen) : 1) || len > sizeof(k->key) || k->maclen < 0 ||
	    (digest && k->maclen > EVP_MD_get_size(digest)))
		goto fail;
	k->len = len;
	memcpy(k->key, key, len);

	if (cipher) {
		k->cctx = EVP_CIPHER_CTX_new();
		if (!k->cctx ||
		    !EVP_CipherInit_ex(k->cctx, cipher, NULL, k->key, k->key + k->keylen, encrypt ? 1 : 0))
			goto fail;
	}

	if (k->maclen) {
		if (!lg.hmac)
			lg.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		if (!lg.hmac)
			goto fail;
		OSSL_PARAM params[] = {
		    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(digest),
		                                     0),
		    OSSL_PARAM_construct_end(),
		};
		k->mctx = EVP_MAC_CTX_new(lg.hmac);
		if (!k->mctx || !EVP_MAC_init(k->mctx, k->key, k->len, params))
			goto fail;
	}

	if (!encrypt && legacy_replay_init(&k->replay, replaywin))
		goto fail;
	return k;

fail:
	legacy_key_free(k);
	return NULL;
}

void legacy_key_free(struct legacy_key *k) {
	if (!k)
		return;
	EVP_CIPHER_CTX_free(k->cctx);
	EVP_MAC_CTX_free(k->mctx);
	legacy_replay_free(&k->replay);
	OPENSSL_clear_free(k, sizeof(*k));
}

bool legacy_key_mac(struct legacy_key *k, const uint8_t *data, size_t len, uint8_t *mac) {
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t outlen = 0;

	/* A NULL key re-initialises HMAC with the key set at creation. */
	if (!EVP_MAC_init(k->mctx, NULL, 0, NULL) || !EVP_MAC_update(k->mctx, data, len) ||
	    !EVP_MAC_final(k->mctx, full, &outlen, sizeof(full)) || outlen < (size_t)k->maclen)
		return false;
	memcpy(mac, full, (size_t)k->maclen);
	return true;
}

bool legacy_seal_one(struct legacy_key *k, struct px_buf *b) {
	int block = k->cipher ? EVP_CIPHER_get_block_size(k->cipher) : 0;

	if (b->data < b->base + LEGACY_SEQNO_LEN || b->data + b->len + block + k->maclen > b->base + b->cap)
		return false;

	uint8_t *p = b->data - LEGACY_SEQNO_LEN;
	uint32_t seqno = ++k->seqno;
	p[0] = (uint8_t)(seqno >> 24);
	p[1] = (uint8_t)(seqno >> 16);
	p[2] = (uint8_t)(seqno >> 8);
	p[3] = (uint8_t)seqno;

	int len = (int)b->len + LEGACY_SEQNO_LEN;
	if (k->cipher) {
		int outl = 0, finl = 0;
		if (!EVP_EncryptInit_ex(k->cctx, NULL, NULL, NULL, k->key + k->keylen) ||
		    !EVP_EncryptUpdate(k->cctx, p, &outl, p, len) ||
		    !EVP_EncryptFinal_ex(k->cctx, p + outl, &finl))
			return false;
		len = outl + finl;
	}
	if (k->maclen) {
		if (!legacy_key_mac(k, p, (size_t)len, p + len))
			return false;
		len += k->maclen;
	}
	b->data = p;
	b->len = (uint32_t)len;
	return true;
}

static bool mac_matches(struct legacy_key *k, const struct px_buf *b) {
	uint8_t mac[EVP_MAX_MD_SIZE];

	if (!k->maclen || b->len < (uint32_t)(LEGACY_SEQNO_LEN + k->maclen))
		return false;
	size_t clen = b->len - (uint32_t)k->maclen;
	return legacy_key_mac(k, b->data, clen, mac) &&
	       !CRYPTO_memcmp(mac, b->data + clen, (size_t)k->maclen);
}

/* Decrypt and replay-check a packet whose MAC (if any) was verified. */
static enum legacy_open_result open_verified(struct legacy_key *k, struct px_buf *b, uint32_t *seqno) {
	uint8_t *p = b->data;
	int len = (int)b->len - k->maclen;

	if (k->cipher) {
		int block = EVP_CIPHER_get_block_size(k->cipher);
		int outl = 0, finl = 0;
		if (len <= 0 || (block > 1 && len % block))
			return OPEN_BAD_DECRYPT;
		if (!EVP_DecryptInit_ex(k->cctx, NULL, NULL, NULL, k->key + k->keylen) ||
		    !EVP_DecryptUpdate(k->cctx, p, &outl, p, len) ||
		    !EVP_DecryptFinal_ex(k->cctx, p + outl, &finl))
			return OPEN_BAD_DECRYPT;
		len = outl + finl;
	}
	if (len < LEGACY_SEQNO_LEN)
		return OPEN_SHORT;

	*seqno = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	switch (legacy_replay_check(&k->replay, *seqno)) {
	case REPLAY_LATE:
		return OPEN_REPLAY;
	case REPLAY_FAR_FUTURE:
		return OPEN_FAR_FUTURE;
	case REPLAY_OK:
		break;
	}
	b->data = p + LEGACY_SEQNO_LEN;
	b->len = (uint32_t)(len - LEGACY_SEQNO_LEN);
	return OPEN_OK;
}

enum legacy_open_result legacy_open_one(struct legacy_key *k, struct px_buf *b, uint32_t *seqno) {
	if (b->len < (uint32_t)(LEGACY_SEQNO_LEN + k->maclen))
		return OPEN_SHORT;
	if (k->maclen && !mac_matches(k, b))
		return OPEN_BAD_MAC;
	return open_verified(k, b, seqno);
}

unsigned legacy_seal(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n) {
	struct legacy_node *ln = legacy_node_get(to, false);
	unsigned alive = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!bufs[i].len)
			continue; /* dropped earlier */
		if (!ln || !ln->out || !legacy_seal_one(ln->out, &bufs[i])) {
			if (ln && legacy_errlog_allowed(ln))
				LOG(PX_LOG_ERROR, "Cannot encrypt packet for %s: %s", lg.host->node_name(to),
				    ln->out ? "no room in buffer" : "no valid key");
			bufs[i].len = 0;
			continue;
		}
		alive++;
	}
	return alive;
}

/* Choose the inbound key a packet was made with: the current one, or during
 * the grace period after a renewal, the previous one (an ECDH renewal may
 * leave only the previous one until the peer asks for a new key). */
static struct legacy_key *pick_key(struct legacy_node *ln, const struct px_buf *b) {
	struct legacy_key *first = ln->in ? ln->in : ln->in_old;

	if (!first->maclen)
		return first;
	if (mac_matches(first, b))
		return first;
	if (first != ln->in_old && ln->in_old && mac_matches(ln->in_old, b))
		return ln->in_old;
	return NULL;
}

static void log_open_error(struct legacy_node *ln, enum legacy_open_result r, uint32_t seqno, uint32_t last) {
	const char *name = lg.host->node_name(ln->node);

	if (!legacy_errlog_allowed(ln))
		return;
	switch (r) {
	case OPEN_SHORT:
		LOG(PX_LOG_ERROR, "Got too short packet from %s", name);
		break;
	case OPEN_BAD_MAC:
		LOG(PX_LOG_ERROR, "Got unauthenticated packet from %s", name);
		break;
	case OPEN_BAD_DECRYPT:
		LOG(PX_LOG_ERROR, "Error decrypting packet from %s", name);
		break;
	case OPEN_REPLAY:
		LOG(PX_LOG_ERROR, "Got late or replayed packet from %s, seqno %u, last received %u", name,
		    seqno, last);
		break;
	case OPEN_FAR_FUTURE:
		LOG(PX_LOG_ERROR, "Packet from %s is %u seqs in the future, dropped", name, seqno - last);
		break;
	case OPEN_OK:
		break;
	}
}

unsigned legacy_open(px_plugin *self, px_node *from, struct px_buf *bufs, unsigned n) {
	struct legacy_node *ln = legacy_node_get(from, false);
	unsigned alive = 0;

	if (ln && ln->in_old && lg.host->now_ms() > ln->in_old_until) {
		legacy_key_free(ln->in_old);
		ln->in_old = NULL;
	}

	for (unsigned i = 0; i < n; i++) {
		struct px_buf *b = &bufs[i];
		if (!b->len)
			continue;
		if (!ln || (!ln->in && !ln->in_old)) {
			if (ln && legacy_errlog_allowed(ln))
				LOG(PX_LOG_ERROR, "Got packet from %s but we have no key for it",
				    lg.host->node_name(from));
			b->len = 0;
			continue;
		}

		enum legacy_open_result r;
		uint32_t seqno = 0;
		struct legacy_key *k = NULL;
		if (b->len < (uint32_t)(LEGACY_SEQNO_LEN + (ln->in ? ln->in : ln->in_old)->maclen)) {
			r = OPEN_SHORT;
		} else if (!(k = pick_key(ln, b))) {
			r = OPEN_BAD_MAC;
		} else {
			r = open_verified(k, b, &seqno);
		}
		if (r != OPEN_OK) {
			log_open_error(ln, r, seqno, k ? k->replay.received : 0);
			b->len = 0;
			continue;
		}
		if (k == ln->in && k->replay.received > LEGACY_REKEY_SEQNO)
			ln->rekey_pending = true;
		alive++;
	}

	if (ln && ln->rekey_pending) {
		ln->rekey_pending = false;
		LOG(PX_LOG_PROTOCOL, "Inbound seqno from %s near wrap-around, renewing key",
		    lg.host->node_name(from));
		legacy_renew_inbound(from);
	}
	return alive;
}

struct identify_walk {
	const struct px_buf *buf;
	px_node *found;
};

static bool identify_cb(px_node *n, void *arg) {
	struct identify_walk *w = arg;
	void **slot = lg.host->node_slot(n, lg.self);
	struct legacy_node *ln = slot ? *slot : NULL;

	if (!ln)
		return true;
	if ((ln->in && mac_matches(ln->in, w->buf)) || (ln->in_old && mac_matches(ln->in_old, w->buf))) {
		w->found = n;
		return false;
	}
	return true;
}

px_node *legacy_identify(px_plugin *self, const struct px_buf *buf) {
	struct identify_walk w = {.buf = buf};
	lg.host->node_foreach(identify_cb, &w);
	return w.found;
}
