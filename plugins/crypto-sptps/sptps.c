/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * SPTPS session: record layer (stream and datagram framing, sequence
 * numbers, encryption) and the KEX/SIG/ACK handshake state machine,
 * including renegotiation (docs/protocol/sptps.md §2-§5).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sptps.h"
#include "sptps_replay.h"

/* The handshake scratch buffer: signature input = flag || KEX || KEX ||
 * label; the PRF seed "key expansion" || nonce || nonce || label is built in
 * the same buffer so that the label is stored once, right after both. */
#define SIG_PREFIX_LEN (1 + 2 * SPTPS_KEX_LEN)
#define PRF_LABEL      "key expansion"
#define PRF_PREFIX_LEN (sizeof(PRF_LABEL) - 1 + 2 * SPTPS_NONCE_LEN)
#define KEY_MATERIAL   (2 * SPTPS_CIPHER_KEY_LEN)

enum sptps_state {
	STATE_KEX,           /* waiting for the peer's KEX */
	STATE_SECONDARY_KEX, /* established; a KEX from the peer starts a rekey */
	STATE_SIG,           /* waiting for the peer's SIG */
	STATE_ACK,           /* rekey: waiting for the peer's ACK */
};

struct sptps {
	bool initiator;
	bool datagram;
	bool instate;  /* records from the peer are encrypted */
	bool outstate; /* our records are encrypted */
	bool failed;   /* stream mode: an error happened, refuse everything */
	enum sptps_state state;
	struct sptps_callbacks cb;
	struct sptps_key mykey, hiskey;

	uint32_t outseqno;
	struct sptps_replay rx; /* rx.inseqno is also the stream receive counter */

	uint8_t inkey[SPTPS_CIPHER_KEY_LEN];
	uint8_t outkey[SPTPS_CIPHER_KEY_LEN];
	uint8_t newinkey[SPTPS_CIPHER_KEY_LEN]; /* rekey: used once the peer's ACK arrives */

	/* Datagram renegotiation: handshake records travel over the meta
	 * connection and data records over UDP, so they overtake each other.
	 * The peer's next key is tried before its ACK arrives, its previous
	 * key stays valid for records older than the switch, and handshake
	 * records have their own monotonic counter instead of the window. */
	enum { NEXT_NONE, NEXT_CANDIDATE, NEXT_CONFIRMED } next; /* state of newinkey */
	bool prev_valid;                                         /* previnkey usable for seqno < prev_limit */
	bool stale_ack; /* switched on a data record: the peer's ACK is still to come */
	uint32_t prev_limit;
	uint32_t hs_next;   /* lowest sequence number a handshake record may have */
	uint32_t cur_seqno; /* sequence number of the record being processed */
	uint8_t previnkey[SPTPS_CIPHER_KEY_LEN];

	bool mykex_valid, hiskex_valid;
	uint8_t mykex[SPTPS_KEX_LEN];
	uint8_t hiskex[SPTPS_KEX_LEN];
	uint8_t ecdh_scalar[32];

	uint8_t *hsbuf; /* SIG_PREFIX_LEN bytes, then the label */
	size_t labellen;

	uint8_t *inbuf; /* stream: record being reassembled; datagram: copy to decrypt */
	size_t inlen, incap;
	uint8_t *outbuf;
	size_t outcap;
};

static const char *const error_names[] = {
    [0] = "ok",
    [-SPTPS_E_INVALID] = "invalid argument",
    [-SPTPS_E_STATE] = "not allowed in this state",
    [-SPTPS_E_FAILED] = "session failed earlier",
    [-SPTPS_E_TRUNCATED] = "truncated record",
    [-SPTPS_E_OVERSIZE] = "record too large",
    [-SPTPS_E_AUTH] = "authentication failed",
    [-SPTPS_E_REPLAY] = "replayed or out-of-window record",
    [-SPTPS_E_SEQNO] = "unexpected sequence number",
    [-SPTPS_E_UNEXPECTED] = "unexpected record",
    [-SPTPS_E_BAD_TYPE] = "invalid record type",
    [-SPTPS_E_BAD_KEX] = "invalid KEX",
    [-SPTPS_E_BAD_SIG] = "invalid SIG",
    [-SPTPS_E_BAD_ACK] = "invalid ACK",
    [-SPTPS_E_CRYPTO] = "cryptographic failure",
    [-SPTPS_E_CALLBACK] = "callback failed",
    [-SPTPS_E_NOMEM] = "out of memory",
};

const char *sptps_strerror(int err) {
	if (err > 0 || (size_t)-err >= sizeof(error_names) / sizeof(error_names[0])) {
		return "unknown error";
	}

	return error_names[-err];
}

static void logf_(const sptps_t *s, enum sptps_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logf_(const sptps_t *s, enum sptps_log_level level, const char *fmt, ...) {
	char msg[256];
	va_list ap;

	if (!s->cb.log) {
		return;
	}

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->cb.log(s->cb.ctx, level, msg);
}

/* Log why something was refused and return the error code. */
#define FAIL(s, code, ...) (logf_((s), SPTPS_LOG_ERROR, __VA_ARGS__), (code))

static void trace(const sptps_t *s, enum sptps_trace what, const uint8_t *data, size_t len) {
	if (s->cb.trace) {
		s->cb.trace(s->cb.ctx, what, data, len);
	}
}

static uint32_t get_be32(const uint8_t *p) {
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v) {
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Grow a buffer to at least need bytes; buffers only grow, so steady
 * traffic allocates nothing. */
static bool reserve(uint8_t **buf, size_t *cap, size_t need) {
	if (need <= *cap) {
		return true;
	}

	size_t newcap = need < 256 ? 256 : need;
	uint8_t *p = realloc(*buf, newcap);

	if (!p) {
		return false;
	}

	*buf = p;
	*cap = newcap;
	return true;
}

/* Frame, maybe encrypt and emit one record; every record consumes a
 * sequence number, handshake records included. */
static int send_record_raw(sptps_t *s, uint8_t type, const uint8_t *data, size_t len) {
	size_t hdr = s->datagram ? SPTPS_DATAGRAM_HEADER : SPTPS_STREAM_HEADER;
	size_t total = hdr + 1 + len + (s->outstate ? SPTPS_TAG_LEN : 0);
	uint32_t seqno = s->outseqno;

	if (len > SPTPS_MAX_BODY) {
		return FAIL(s, SPTPS_E_OVERSIZE, "Record of %zu bytes is too large to send", len);
	}

	if (!reserve(&s->outbuf, &s->outcap, total)) {
		return FAIL(s, SPTPS_E_NOMEM, "Out of memory for a %zu byte record", total);
	}

	s->outseqno++;
	uint8_t *rec = s->outbuf;

	if (s->datagram) {
		put_be32(rec, seqno);
	} else {
		rec[0] = len >> 8;
		rec[1] = len & 0xff;
	}

	rec[hdr] = type;

	if (len) {
		memcpy(rec + hdr + 1, data, len);
	}

	if (s->outstate) {
		sptps_cipher_seal(s->outkey, seqno, rec + hdr, len + 1, rec + hdr + 1 + len);
	}

	if (!s->cb.send(s->cb.ctx, type, rec, total)) {
		return FAIL(s, SPTPS_E_CALLBACK, "Could not send record %u", (unsigned)seqno);
	}

	return SPTPS_OK;
}

/* Make a fresh ephemeral key and send our KEX. */
static int send_kex(sptps_t *s) {
	uint8_t seed[32];

	if (s->mykex_valid) {
		return FAIL(s, SPTPS_E_STATE, "Our KEX is still pending");
	}

	s->mykex[0] = SPTPS_VERSION;
	s->cb.random(s->cb.ctx, s->mykex + 1, SPTPS_NONCE_LEN);
	s->cb.random(s->cb.ctx, seed, sizeof(seed));
	bool ok = sptps_ecdh_generate(seed, s->mykex + 1 + SPTPS_NONCE_LEN, s->ecdh_scalar);
	sptps_wipe(seed, sizeof(seed));

	if (!ok) {
		return FAIL(s, SPTPS_E_CRYPTO, "Could not generate an ephemeral key");
	}

	trace(s, SPTPS_TRACE_EPHEMERAL_PUBLIC, s->mykex + 1 + SPTPS_NONCE_LEN, 32);
	s->mykex_valid = true;
	return send_record_raw(s, SPTPS_HANDSHAKE, s->mykex, SPTPS_KEX_LEN);
}

/* Build flag || first KEX || second KEX || label in hsbuf; returns its length. */
static size_t build_sig_input(sptps_t *s, bool flag, const uint8_t *first, const uint8_t *second) {
	s->hsbuf[0] = flag;
	memcpy(s->hsbuf + 1, first, SPTPS_KEX_LEN);
	memcpy(s->hsbuf + 1 + SPTPS_KEX_LEN, second, SPTPS_KEX_LEN);
	return SIG_PREFIX_LEN + s->labellen;
}

static int send_sig(sptps_t *s) {
	uint8_t sig[SPTPS_ED25519_SIG_LEN];
	size_t len = build_sig_input(s, s->initiator, s->mykex, s->hiskex);

	trace(s, SPTPS_TRACE_SIGN_INPUT, s->hsbuf, len);

	if (!sptps_ed25519_sign(s->mykey.priv, s->mykey.pub, s->hsbuf, len, sig)) {
		return FAIL(s, SPTPS_E_CRYPTO, "Could not sign the handshake");
	}

	trace(s, SPTPS_TRACE_SIGNATURE, sig, sizeof(sig));
	return send_record_raw(s, SPTPS_HANDSHAKE, sig, sizeof(sig));
}

static int check_kex(const sptps_t *s, const uint8_t *data, size_t len) {
	if (len != SPTPS_KEX_LEN) {
		return FAIL(s, SPTPS_E_BAD_KEX, "Invalid KEX record length %zu", len);
	}

	if (data[0] != SPTPS_VERSION) {
		return FAIL(s, SPTPS_E_BAD_KEX, "Peer uses SPTPS version %u, we use %u", data[0],
		            SPTPS_VERSION);
	}

	return SPTPS_OK;
}

static int receive_kex(sptps_t *s, const uint8_t *data, size_t len) {
	int err = check_kex(s, data, len);

	if (err) {
		return err;
	}

	if (s->hiskex_valid) {
		return FAIL(s, SPTPS_E_BAD_KEX, "Received a second KEX before the first was processed");
	}

	memcpy(s->hiskex, data, SPTPS_KEX_LEN);
	s->hiskex_valid = true;
	return SPTPS_OK;
}

/* Shared secret -> PRF -> both direction keys. Our send key takes effect
 * now; the receive key waits in newinkey (for the ACK when rekeying).
 * early: a datagram rekey computing the peer's next key as soon as both
 * KEXes are known (no traces, the ephemeral scalar is kept for the SIG). */
static int compute_keys(sptps_t *s, uint8_t newoutkey[SPTPS_CIPHER_KEY_LEN], bool early) {
	uint8_t shared[SPTPS_ECDH_SECRET_LEN], km[KEY_MATERIAL];
	const uint8_t *inonce = (s->initiator ? s->mykex : s->hiskex) + 1;
	const uint8_t *rnonce = (s->initiator ? s->hiskex : s->mykex) + 1;
	uint8_t *seed = s->hsbuf + SIG_PREFIX_LEN - PRF_PREFIX_LEN;
	size_t seedlen = PRF_PREFIX_LEN + s->labellen;

	bool ok = sptps_ecdh_compute(s->ecdh_scalar, s->hiskex + 1 + SPTPS_NONCE_LEN, shared);

	if (!early) {
		sptps_wipe(s->ecdh_scalar, sizeof(s->ecdh_scalar));
	}

	if (!ok) {
		return FAIL(s, SPTPS_E_CRYPTO, "ECDH with the peer's ephemeral key failed");
	}

	if (early) {
		/* the SIG input shares hsbuf with the PRF seed: keep it intact */
		uint8_t saved[PRF_PREFIX_LEN];
		memcpy(saved, seed, sizeof(saved));
		memcpy(seed, PRF_LABEL, sizeof(PRF_LABEL) - 1);
		memcpy(seed + sizeof(PRF_LABEL) - 1, inonce, SPTPS_NONCE_LEN);
		memcpy(seed + sizeof(PRF_LABEL) - 1 + SPTPS_NONCE_LEN, rnonce, SPTPS_NONCE_LEN);
		sptps_prf(shared, sizeof(shared), seed, seedlen, km, sizeof(km));
		memcpy(seed, saved, sizeof(saved));
		memcpy(s->newinkey, s->initiator ? km : km + SPTPS_CIPHER_KEY_LEN, SPTPS_CIPHER_KEY_LEN);
		sptps_wipe(shared, sizeof(shared));
		sptps_wipe(km, sizeof(km));
		return SPTPS_OK;
	}

	trace(s, SPTPS_TRACE_SHARED_SECRET, shared, sizeof(shared));
	memcpy(seed, PRF_LABEL, sizeof(PRF_LABEL) - 1);
	memcpy(seed + sizeof(PRF_LABEL) - 1, inonce, SPTPS_NONCE_LEN);
	memcpy(seed + sizeof(PRF_LABEL) - 1 + SPTPS_NONCE_LEN, rnonce, SPTPS_NONCE_LEN);
	trace(s, SPTPS_TRACE_PRF_SEED, seed, seedlen);
	sptps_prf(shared, sizeof(shared), seed, seedlen, km, sizeof(km));
	sptps_wipe(shared, sizeof(shared));
	trace(s, SPTPS_TRACE_PRF_OUTPUT, km, sizeof(km));

	/* key0 (first half) protects responder -> initiator. */
	memcpy(s->newinkey, s->initiator ? km : km + SPTPS_CIPHER_KEY_LEN, SPTPS_CIPHER_KEY_LEN);
	memcpy(newoutkey, s->initiator ? km + SPTPS_CIPHER_KEY_LEN : km, SPTPS_CIPHER_KEY_LEN);
	sptps_wipe(km, sizeof(km));
	return SPTPS_OK;
}

static int derive_keys(sptps_t *s, uint8_t newoutkey[SPTPS_CIPHER_KEY_LEN]) {
	return compute_keys(s, newoutkey, false);
}

static int receive_sig(sptps_t *s, const uint8_t *data, size_t len) {
	uint8_t newoutkey[SPTPS_CIPHER_KEY_LEN];
	int err;

	if (len != SPTPS_ED25519_SIG_LEN) {
		return FAIL(s, SPTPS_E_BAD_SIG, "Invalid SIG record length %zu", len);
	}

	size_t msglen = build_sig_input(s, !s->initiator, s->hiskex, s->mykex);
	trace(s, SPTPS_TRACE_VERIFY_INPUT, s->hsbuf, msglen);

	if (!sptps_ed25519_verify(s->hiskey.pub, s->hsbuf, msglen, data)) {
		return FAIL(s, SPTPS_E_BAD_SIG, "Peer's SIG does not verify with its Ed25519 key");
	}

	if ((err = derive_keys(s, newoutkey))) {
		return err;
	}

	if (s->datagram && s->instate) {
		s->next = NEXT_CONFIRMED; /* the peer's ACK or its first new record switches */
	}

	if (!s->initiator && (err = send_sig(s))) {
		goto out;
	}

	s->mykex_valid = false;
	s->hiskex_valid = false;

	/* Rekey: the ACK still goes out under the old key. */
	if (s->outstate && (err = send_record_raw(s, SPTPS_HANDSHAKE, NULL, 0))) {
		goto out;
	}

	memcpy(s->outkey, newoutkey, sizeof(newoutkey));
	trace(s, SPTPS_TRACE_KEY_OUT, s->outkey, sizeof(s->outkey));
out:
	sptps_wipe(newoutkey, sizeof(newoutkey));
	return err;
}

/* Switch the receive direction to the new key and tell the application.
 * Datagram mode keeps the old key for records older than the switch. */
static int finish_handshake(sptps_t *s) {
	if (s->datagram && s->instate) {
		memcpy(s->previnkey, s->inkey, sizeof(s->previnkey));
		s->prev_valid = true;
		s->prev_limit = s->cur_seqno;
	}

	if (!s->instate) {
		s->hs_next = s->cur_seqno + 1; /* the last plaintext handshake record */
	}

	s->next = NEXT_NONE;
	memcpy(s->inkey, s->newinkey, sizeof(s->inkey));
	sptps_wipe(s->newinkey, sizeof(s->newinkey));
	trace(s, SPTPS_TRACE_KEY_IN, s->inkey, sizeof(s->inkey));
	s->instate = true;
	s->state = STATE_SECONDARY_KEX;

	if (!s->cb.receive(s->cb.ctx, SPTPS_HANDSHAKE, NULL, 0)) {
		return FAIL(s, SPTPS_E_CALLBACK, "Application refused the completed handshake");
	}

	return SPTPS_OK;
}

static int receive_handshake(sptps_t *s, const uint8_t *data, size_t len) {
	int err;

	switch (s->state) {
	case STATE_SECONDARY_KEX:
		/* The peer starts a rekey: answer with our own KEX first (but
		 * only for something that is a KEX at all). */
		if ((err = check_kex(s, data, len)) || (err = send_kex(s))) {
			return err;
		}

	/* fall through */
	case STATE_KEX:
		if ((err = receive_kex(s, data, len))) {
			return err;
		}

		if (s->datagram && s->instate && s->mykex_valid && compute_keys(s, NULL, true) == SPTPS_OK) {
			s->next = NEXT_CANDIDATE; /* the peer may switch before its SIG reaches us */
		}

		if (s->initiator && (err = send_sig(s))) {
			return err;
		}

		s->state = STATE_SIG;
		return SPTPS_OK;

	case STATE_SIG: {
		bool rekey = s->outstate;

		if ((err = receive_sig(s, data, len))) {
			return err;
		}

		if (rekey) {
			s->state = STATE_ACK;
			return SPTPS_OK;
		}

		s->outstate = true;
		return finish_handshake(s);
	}

	case STATE_ACK:
		if (len) {
			return FAIL(s, SPTPS_E_BAD_ACK, "Invalid ACK record length %zu", len);
		}

		return finish_handshake(s);
	}

	return FAIL(s, SPTPS_E_STATE, "Invalid session state");
}

/* Dispatch one decrypted record body by type. */
static int dispatch(sptps_t *s, uint8_t type, const uint8_t *body, size_t len, bool deliver) {
	if (type < SPTPS_HANDSHAKE) {
		if (!s->instate) {
			return FAIL(s, SPTPS_E_UNEXPECTED,
			            "Application record received before the handshake finished");
		}

		if (deliver && !s->cb.receive(s->cb.ctx, type, body, len)) {
			return FAIL(s, SPTPS_E_CALLBACK, "Application refused a record of type %u", type);
		}

		return SPTPS_OK;
	}

	if (type == SPTPS_HANDSHAKE) {
		return receive_handshake(s, body, len);
	}

	return FAIL(s, SPTPS_E_BAD_TYPE, "Invalid record type %u", type);
}

int sptps_start(sptps_t **out, const struct sptps_params *p) {
	*out = NULL;

	if (!p || !p->mykey || !p->mykey->has_private || !p->hiskey || !p->cb.send || !p->cb.receive ||
	    !p->cb.random || (p->labellen && !p->label) || p->labellen > SPTPS_MAX_BODY) {
		return SPTPS_E_INVALID;
	}

	if (!sptps_crypto_init()) {
		return SPTPS_E_CRYPTO;
	}

	sptps_t *s = calloc(1, sizeof(*s));

	if (!s) {
		return SPTPS_E_NOMEM;
	}

	s->initiator = p->initiator;
	s->datagram = p->datagram;
	s->state = STATE_KEX;
	s->cb = p->cb;
	s->mykey = *p->mykey;
	s->hiskey = *p->hiskey;
	s->hiskey.has_private = false;
	s->labellen = p->labellen;
	s->hsbuf = malloc(SIG_PREFIX_LEN + p->labellen);
	s->rx.win = p->datagram ? p->replaywin : 0;
	s->rx.jump_at_once = p->jump_at_once;

	if (s->rx.win) {
		s->rx.late = calloc(1, s->rx.win);
	}

	if (!s->hsbuf || (s->rx.win && !s->rx.late)) {
		sptps_free(s);
		return SPTPS_E_NOMEM;
	}

	if (p->labellen) {
		memcpy(s->hsbuf + SIG_PREFIX_LEN, p->label, p->labellen);
	}

	int err = send_kex(s);

	if (err) {
		sptps_free(s);
		return err;
	}

	*out = s;
	return SPTPS_OK;
}

void sptps_free(sptps_t *s) {
	if (!s) {
		return;
	}

	free(s->hsbuf);
	free(s->rx.late);

	if (s->inbuf) {
		sptps_wipe(s->inbuf, s->incap);
		free(s->inbuf);
	}

	if (s->outbuf) {
		sptps_wipe(s->outbuf, s->outcap);
		free(s->outbuf);
	}

	sptps_wipe(s, sizeof(*s));
	free(s);
}

int sptps_send_record(sptps_t *s, uint8_t type, const void *data, size_t len) {
	if (!s || (len && !data)) {
		return SPTPS_E_INVALID;
	}

	if (s->failed) {
		return SPTPS_E_FAILED;
	}

	if (!s->outstate) {
		return FAIL(s, SPTPS_E_STATE, "Handshake not finished yet, cannot send");
	}

	if (type >= SPTPS_HANDSHAKE) {
		return FAIL(s, SPTPS_E_INVALID, "Invalid application record type %u", type);
	}

	return send_record_raw(s, type, data, len);
}

bool sptps_can_renegotiate(const sptps_t *s) {
	return s && !s->failed && s->outstate && s->state == STATE_SECONDARY_KEX && !s->mykex_valid;
}

int sptps_force_kex(sptps_t *s) {
	if (!s) {
		return SPTPS_E_INVALID;
	}

	if (s->failed) {
		return SPTPS_E_FAILED;
	}

	if (!s->outstate || s->state != STATE_SECONDARY_KEX) {
		return FAIL(s, SPTPS_E_STATE, "Cannot renegotiate now");
	}

	s->state = STATE_KEX;
	return send_kex(s);
}

/* Datagram sanity and tag check shared by verify and open. On success
 * *seqno is set. */
static int check_datagram(const sptps_t *s, const uint8_t *rec, size_t len, uint32_t *seqno) {
	if (len < SPTPS_DATAGRAM_OVERHEAD) {
		return FAIL(s, SPTPS_E_TRUNCATED, "Datagram of %zu bytes is too short", len);
	}

	if (len - SPTPS_DATAGRAM_OVERHEAD > SPTPS_MAX_BODY) {
		return FAIL(s, SPTPS_E_OVERSIZE, "Datagram of %zu bytes is too large", len);
	}

	*seqno = get_be32(rec);
	return SPTPS_OK;
}

static int replay_refusal(const sptps_t *s, uint32_t seqno, enum sptps_replay_verdict v) {
	if (v == SPTPS_REPLAY_DROP_FAR) {
		return FAIL(s, SPTPS_E_REPLAY, "Record %u is %u ahead of the window, dropped (%u)",
		            (unsigned)seqno, (unsigned)(seqno - s->rx.inseqno),
		            (unsigned)s->rx.farfuture + 1);
	}

	return FAIL(s, SPTPS_E_REPLAY, "Late or replayed record %u (expected %u)", (unsigned)seqno,
	            (unsigned)s->rx.inseqno);
}

int sptps_verify_datagram(const sptps_t *s, const void *data, size_t len) {
	const uint8_t *rec = data;
	uint32_t seqno;
	int err;

	if (!s || !s->datagram || !data) {
		return SPTPS_E_INVALID;
	}

	if (!s->instate) {
		return SPTPS_E_STATE;
	}

	if ((err = check_datagram(s, rec, len, &seqno))) {
		return err;
	}

	size_t clen = len - SPTPS_DATAGRAM_HEADER - SPTPS_TAG_LEN;

	if (!sptps_cipher_check(s->inkey, seqno, rec + SPTPS_DATAGRAM_HEADER, clen,
	                        rec + len - SPTPS_TAG_LEN)) {
		return SPTPS_E_AUTH;
	}

	enum sptps_replay_verdict v = sptps_replay_check(&s->rx, seqno);
	return v < 0 ? SPTPS_E_REPLAY : SPTPS_OK;
}

/* Which receive key opened a datagram record. */
enum record_key { KEY_NONE, KEY_CURRENT, KEY_NEXT, KEY_PREV };

/* Authenticate and decrypt in place with the current key, then with the
 * peer's next key (renegotiation under way), then with its previous one
 * (records that left before the switch). A failed check changes nothing. */
static enum record_key open_with_any_key(const sptps_t *s, uint32_t seqno, uint8_t *c, size_t clen) {
	const uint8_t *tag = c + clen;

	if (sptps_cipher_open(s->inkey, seqno, c, clen, tag, c)) {
		return KEY_CURRENT;
	}

	if (s->next != NEXT_NONE && sptps_cipher_open(s->newinkey, seqno, c, clen, tag, c)) {
		return KEY_NEXT;
	}

	if (s->prev_valid && sptps_cipher_open(s->previnkey, seqno, c, clen, tag, c)) {
		return KEY_PREV;
	}

	return KEY_NONE;
}

/* An encrypted handshake record (renegotiation). These come over the meta
 * connection and may be far behind the data records in sequence numbers,
 * so the replay window does not apply: they only have to increase. */
static int open_handshake(sptps_t *s, enum record_key key, uint32_t seqno, const uint8_t *body, size_t len) {
	if ((int32_t)(seqno - s->hs_next) < 0) {
		return FAIL(s, SPTPS_E_REPLAY, "Replayed handshake record %u (expected at least %u)",
		            (unsigned)seqno, (unsigned)s->hs_next);
	}

	if (key == KEY_PREV) {
		if (s->stale_ack && !len) {
			s->stale_ack = false; /* the ACK we had already acted upon */
			s->hs_next = seqno + 1;
			return SPTPS_OK;
		}

		return FAIL(s, SPTPS_E_UNEXPECTED, "Handshake record %u under the previous key",
		            (unsigned)seqno);
	}

	if (key == KEY_NEXT) {
		if (s->next != NEXT_CONFIRMED) {
			return FAIL(s, SPTPS_E_UNEXPECTED, "Handshake record %u under an unconfirmed key",
			            (unsigned)seqno);
		}

		/* the peer finished and already renegotiates again */
		s->stale_ack = true;
		int err = finish_handshake(s);

		if (err) {
			return err;
		}
	}

	s->hs_next = seqno + 1;
	return receive_handshake(s, body, len);
}

int sptps_open_datagram(sptps_t *s, uint8_t *rec, size_t len, uint8_t *type, size_t *body_len) {
	uint32_t seqno;
	int err;

	if (!s || !s->datagram || !rec || !type || !body_len) {
		return SPTPS_E_INVALID;
	}

	if (!s->instate) {
		/* Handshake in the clear: strictly in order, handshake only. */
		if (len < SPTPS_DATAGRAM_HEADER + 1) {
			return FAIL(s, SPTPS_E_TRUNCATED, "Datagram of %zu bytes is too short", len);
		}

		seqno = get_be32(rec);

		if (seqno != s->rx.inseqno) {
			return FAIL(s, SPTPS_E_SEQNO, "Invalid handshake seqno %u, expected %u",
			            (unsigned)seqno, (unsigned)s->rx.inseqno);
		}

		s->rx.inseqno = seqno + 1;
		s->cur_seqno = seqno;
		*type = rec[SPTPS_DATAGRAM_HEADER];
		*body_len = len - SPTPS_DATAGRAM_HEADER - 1;

		if (*type != SPTPS_HANDSHAKE) {
			return FAIL(s, SPTPS_E_UNEXPECTED,
			            "Record of type %u received before the handshake finished", *type);
		}

		return receive_handshake(s, rec + SPTPS_DATAGRAM_HEADER + 1, *body_len);
	}

	if ((err = check_datagram(s, rec, len, &seqno))) {
		return err;
	}

	size_t clen = len - SPTPS_DATAGRAM_HEADER - SPTPS_TAG_LEN;
	uint8_t *c = rec + SPTPS_DATAGRAM_HEADER;
	enum record_key key = open_with_any_key(s, seqno, c, clen);

	if (key == KEY_NONE) {
		uint8_t be[4];
		put_be32(be, seqno);
		trace(s, SPTPS_TRACE_AUTH_FAILED, be, sizeof(be));
		return FAIL(s, SPTPS_E_AUTH, "Failed to decrypt and verify record %u", (unsigned)seqno);
	}

	*type = c[0];
	*body_len = clen - 1;
	s->cur_seqno = seqno;

	if (*type == SPTPS_HANDSHAKE) {
		err = open_handshake(s, key, seqno, c + 1, clen - 1);

		/* Like tinc, a handshake record inside the window takes its
		 * slot there; one that is behind or far ahead leaves the data
		 * window alone. */
		if (!err && sptps_replay_check(&s->rx, seqno) == SPTPS_REPLAY_ACCEPT) {
			sptps_replay_commit(&s->rx, seqno, SPTPS_REPLAY_ACCEPT);
		}

		return err;
	}

	if (key == KEY_PREV && (int32_t)(seqno - s->prev_limit) >= 0) {
		return FAIL(s, SPTPS_E_AUTH, "Record %u uses the previous key after the switch",
		            (unsigned)seqno);
	}

	/* Only authentic records may move the replay window. */
	enum sptps_replay_verdict v = sptps_replay_check(&s->rx, seqno);

	if (v < 0) {
		err = replay_refusal(s, seqno, v);
		sptps_replay_commit(&s->rx, seqno, v);
		return err;
	}

	if (v == SPTPS_REPLAY_ACCEPT_JUMP) {
		logf_(s, SPTPS_LOG_WARNING, "Lost %u records", (unsigned)(seqno - s->rx.inseqno));
	}

	sptps_replay_commit(&s->rx, seqno, v);

	if (key == KEY_NEXT && s->next == NEXT_CONFIRMED) {
		/* The peer sent its ACK and switched; the ACK is still on its
		 * way over the meta connection. Switch now. */
		s->stale_ack = true;

		if ((err = finish_handshake(s))) {
			return err;
		}
	}

	return dispatch(s, *type, c + 1, clen - 1, false);
}

ssize_t sptps_seal_datagram(sptps_t *s, uint8_t type, uint8_t *rec, size_t body_len) {
	if (!s || !s->datagram || !rec) {
		return SPTPS_E_INVALID;
	}

	if (!s->outstate) {
		return FAIL(s, SPTPS_E_STATE, "Handshake not finished yet, cannot send");
	}

	if (type >= SPTPS_HANDSHAKE) {
		return FAIL(s, SPTPS_E_INVALID, "Invalid application record type %u", type);
	}

	if (body_len > SPTPS_MAX_BODY) {
		return FAIL(s, SPTPS_E_OVERSIZE, "Record of %zu bytes is too large to send", body_len);
	}

	uint32_t seqno = s->outseqno++;
	put_be32(rec, seqno);
	rec[SPTPS_DATAGRAM_HEADER] = type;
	sptps_cipher_seal(s->outkey, seqno, rec + SPTPS_DATAGRAM_HEADER, body_len + 1,
	                  rec + SPTPS_DATAGRAM_HEADER + 1 + body_len);
	return (ssize_t)(body_len + SPTPS_DATAGRAM_OVERHEAD);
}

static ssize_t receive_datagram(sptps_t *s, const uint8_t *data, size_t len) {
	uint8_t type;
	size_t body_len;

	if (len > SPTPS_MAX_BODY + SPTPS_DATAGRAM_OVERHEAD) {
		return FAIL(s, SPTPS_E_OVERSIZE, "Datagram of %zu bytes is too large", len);
	}

	/* Decrypt a private copy: the caller's bytes stay untouched. */
	if (!reserve(&s->inbuf, &s->incap, len ? len : 1)) {
		return FAIL(s, SPTPS_E_NOMEM, "Out of memory for a %zu byte datagram", len);
	}

	if (len) {
		memcpy(s->inbuf, data, len);
	}

	int err = sptps_open_datagram(s, s->inbuf, len, &type, &body_len);

	if (err) {
		return err;
	}

	if (type < SPTPS_HANDSHAKE &&
	    !s->cb.receive(s->cb.ctx, type, s->inbuf + SPTPS_DATAGRAM_HEADER + 1, body_len)) {
		return FAIL(s, SPTPS_E_CALLBACK, "Application refused a record of type %u", type);
	}

	return (ssize_t)len;
}

/* A complete stream record is in inbuf (length header included). */
static int process_stream_record(sptps_t *s) {
	uint32_t seqno = s->rx.inseqno++;
	uint8_t *p = s->inbuf + SPTPS_STREAM_HEADER;
	size_t plen = s->inlen - SPTPS_STREAM_HEADER;

	if (s->instate) {
		plen -= SPTPS_TAG_LEN;

		if (!sptps_cipher_open(s->inkey, seqno, p, plen, p + plen, p)) {
			uint8_t be[4];
			put_be32(be, seqno);
			trace(s, SPTPS_TRACE_AUTH_FAILED, be, sizeof(be));
			return FAIL(s, SPTPS_E_AUTH, "Failed to decrypt and verify record %u",
			            (unsigned)seqno);
		}
	}

	return dispatch(s, p[0], p + 1, plen - 1, true);
}

static ssize_t receive_stream(sptps_t *s, const uint8_t *data, size_t len) {
	size_t used = 0;

	/* Length header first. */
	if (s->inlen < SPTPS_STREAM_HEADER) {
		if (!reserve(&s->inbuf, &s->incap, 256)) {
			return FAIL(s, SPTPS_E_NOMEM, "Out of memory");
		}

		size_t take = SPTPS_STREAM_HEADER - s->inlen;
		take = take < len ? take : len;
		memcpy(s->inbuf + s->inlen, data, take);
		s->inlen += take;
		used += take;

		if (s->inlen < SPTPS_STREAM_HEADER) {
			return (ssize_t)used;
		}
	}

	size_t body = (size_t)s->inbuf[0] << 8 | s->inbuf[1];
	size_t total = SPTPS_STREAM_HEADER + 1 + body + (s->instate ? SPTPS_TAG_LEN : 0);

	if (!reserve(&s->inbuf, &s->incap, total)) {
		return FAIL(s, SPTPS_E_NOMEM, "Out of memory for a %zu byte record", total);
	}

	size_t take = total - s->inlen;
	take = take < len - used ? take : len - used;
	memcpy(s->inbuf + s->inlen, data + used, take);
	s->inlen += take;
	used += take;

	if (s->inlen < total) {
		return (ssize_t)used;
	}

	int err = process_stream_record(s);
	s->inlen = 0;
	return err ? err : (ssize_t)used;
}

ssize_t sptps_receive(sptps_t *s, const void *data, size_t len) {
	if (!s || (len && !data)) {
		return SPTPS_E_INVALID;
	}

	if (s->failed) {
		return SPTPS_E_FAILED;
	}

	if (s->datagram) {
		return receive_datagram(s, data, len);
	}

	if (!len) {
		return 0;
	}

	ssize_t r = receive_stream(s, data, len);

	if (r < 0) {
		s->failed = true; /* the stream is out of sync or under attack */
	}

	return r;
}

bool sptps_established(const sptps_t *s) {
	return s && s->outstate;
}

bool sptps_is_initiator(const sptps_t *s) {
	return s && s->initiator;
}

bool sptps_heard_peer(const sptps_t *s) {
	return s && (s->outstate || s->state != STATE_KEX || s->hiskex_valid);
}

void sptps_replay_state(const sptps_t *s, uint32_t *inseqno, uint32_t *farfuture, uint32_t *received,
                        uint8_t *bitmap) {
	if (inseqno) {
		*inseqno = s->rx.inseqno;
	}

	if (farfuture) {
		*farfuture = s->rx.farfuture;
	}

	if (received) {
		*received = s->rx.received;
	}

	if (bitmap && s->rx.win) {
		memcpy(bitmap, s->rx.late, s->rx.win);
	}
}
