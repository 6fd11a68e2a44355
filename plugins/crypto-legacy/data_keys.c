/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Data-key exchange (docs/protocol/legacy-data.md §2, §4): REQ_KEY, ANS_KEY, KEY_CHANGED
 * and the KeyExpire renewal. Every node has its own inbound key (ours,
 * handed out in ANS_KEY) and outbound key (the peer's).
 *
 * Two ways to agree on a key (docs/legacy-ecdh.md):
 *  - RSA (tinc 1.0): the key owner sends the key itself in ANS_KEY;
 *  - ECDH: the requester adds "pxkex=2", a freshness counter and a signed
 *    ephemeral X25519 key to REQ_KEY; a peer that understands it (and has
 *    not seen that counter yet) answers with its own signed
 *    ephemeral key ("X25519:..." in the key field) and both derive the
 *    key with HKDF. Anyone else ignores the extra fields and answers RSA.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/objects.h>

#include "legacy.h"

/* Every allocated node slot, so that fini and key renewal need no help from the core. */
static struct legacy_node *all_nodes;

struct legacy_node *legacy_node_get(px_node *n, bool create) {
	if (!n)
		return NULL;
	void **slot = lg.host->node_slot(n, lg.self);
	if (!slot)
		return NULL;
	if (*slot || !create)
		return *slot;

	struct legacy_node *ln = calloc(1, sizeof(*ln));
	if (!ln)
		return NULL;
	ln->node = n;
	ln->next = all_nodes;
	if (all_nodes)
		all_nodes->prev = ln;
	all_nodes = ln;
	*slot = ln;
	return ln;
}

static void node_free(struct legacy_node *ln) {
	if (ln->prev)
		ln->prev->next = ln->next;
	else
		all_nodes = ln->next;
	if (ln->next)
		ln->next->prev = ln->prev;
	legacy_key_free(ln->in);
	legacy_key_free(ln->in_old);
	legacy_key_free(ln->out);
	legacy_eph_clear(&ln->eph);
	free(ln);
}

void legacy_nodes_free_all(void) {
	while (all_nodes)
		node_free(all_nodes);
}

bool legacy_errlog_allowed(struct legacy_node *ln) {
	uint64_t now = lg.host->now_ms();

	if (ln->last_errlog_ms && now - ln->last_errlog_ms < LEGACY_ERRLOG_MS)
		return false;
	ln->last_errlog_ms = now ? now : 1;
	return true;
}

static size_t inbound_key_len(void) {
	return lg.cipher
	           ? (size_t)(EVP_CIPHER_get_key_length(lg.cipher) + EVP_CIPHER_get_iv_length(lg.cipher))
	           : 1;
}

static struct legacy_key *make_inbound_key(void) {
	uint8_t raw[LEGACY_MAX_KEY];
	size_t len = inbound_key_len();

	if (len > sizeof(raw))
		return NULL;
	lg.host->random_bytes(raw, len);
	struct legacy_key *k = legacy_key_new(lg.cipher, lg.digest, lg.maclen, raw, len, false, lg.replaywin);
	lg.host->memwipe(raw, sizeof(raw));
	return k;
}

/* Make k the inbound key; the previous one keeps decrypting for a grace
 * period so that packets already in flight are not lost. */
static void install_inbound(struct legacy_node *ln, struct legacy_key *k) {
	if (ln->in) {
		legacy_key_free(ln->in_old);
		ln->in_old = ln->in;
		ln->in_old_until = lg.host->now_ms() + LEGACY_GRACE_MS;
	}
	ln->in = k;
}

enum legacy_ecdh_mode legacy_ecdh_mode(const char *peer) {
	const char *v = peer ? lg.host->conf_get(peer, "LegacyECDH", 0) : NULL;
	int mode = v ? legacy_parse_ecdh_mode(v) : -1;

	if (v && mode < 0)
		LOG(PX_LOG_ERROR, "Ignoring invalid LegacyECDH = %s in hosts/%s", v, peer);
	return mode < 0 ? lg.ecdh_mode : (enum legacy_ecdh_mode)mode;
}

/* The peer's RSA public key if an ECDH exchange with it is possible at all,
 * else NULL (the caller falls back to RSA and says why). */
static EVP_PKEY *ecdh_peer_key(px_node *n, bool log_missing) {
	const char *name = lg.host->node_name(n);

	if (!lg.privkey || legacy_ecdh_mode(name) == ECDH_OFF || strlen(name) > LEGACY_MAX_KEX_NAME ||
	    strlen(lg.host->self_name()) > LEGACY_MAX_KEX_NAME)
		return NULL;
	EVP_PKEY *pub = legacy_load_public_key(name);
	if (!pub && log_missing)
		LOG(PX_LOG_PROTOCOL,
		    "No RSA public key for %s: cannot verify an ECDH key exchange, using RSA", name);
	return pub;
}

/* Hand `to` a fresh key for sending to us, the RSA way (the key itself). */
int legacy_send_ans_key(px_node *to) {
	struct legacy_node *ln = legacy_node_get(to, true);
	struct legacy_key *k = ln ? make_inbound_key() : NULL;

	if (!k) {
		LOG(PX_LOG_ALWAYS, "Could not create a packet key for %s", lg.host->node_name(to));
		return -1;
	}
	install_inbound(ln, k);

	char hex[2 * LEGACY_MAX_KEY + 1];
	legacy_hex_encode(k->key, k->len, hex);
	int r = lg.host->send_to_node(to, "%d %s %s %s %d %d %d %d", PX_REQ_ANS_KEY, lg.host->self_name(),
	                              lg.host->node_name(to), hex, k->cipher_nid, k->digest_nid, k->maclen,
	                              lg.host->node_in_compression(to));
	lg.host->memwipe(hex, sizeof(hex));
	return r;
}

static uint64_t wall_clock_ms(void) {
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The counter of our next ECDH REQ_KEY. The receiver answers only counters
 * above the last one it saw from us, which makes a replayed request
 * harmless; wall-clock time keeps it increasing across our restarts too. */
static uint64_t next_req_counter(void) {
	uint64_t now = lg.wall_ms ? lg.wall_ms() : wall_clock_ms();

	lg.last_req_counter = now > lg.last_req_counter ? now : lg.last_req_counter + 1;
	return lg.last_req_counter;
}

/* REQ_KEY with a fresh signed ephemeral key; it stays pending until the answer. */
static bool send_ecdh_req(struct legacy_node *ln, px_node *to) {
	char transcript[1024], token[LEGACY_MAX_TOKEN];
	const char *me = lg.host->self_name(), *name = lg.host->node_name(to);
	uint64_t counter = next_req_counter();

	if (!legacy_eph_new(&ln->eph) ||
	    legacy_kex_transcript_req(transcript, sizeof(transcript), me, name, counter, ln->eph.pub) < 0 ||
	    !legacy_kex_token_make(lg.privkey, transcript, ln->eph.pub, token, sizeof(token))) {
		legacy_eph_clear(&ln->eph);
		LOG(PX_LOG_ERROR, "Could not make an ECDH key request for %s", name);
		return false;
	}
	LOG(PX_LOG_PROTOCOL, "Requesting ECDH packet key from %s", name);
	lg.host->send_to_node(to, "%d %s %s %s %llu %s", PX_REQ_REQ_KEY, me, name, LEGACY_KEX_TOKEN,
	                      (unsigned long long)counter, token);
	return true;
}

void legacy_key_request(px_plugin *self, px_node *to) {
	struct legacy_node *ln = legacy_node_get(to, true);
	uint64_t now = lg.host->now_ms();

	if (!ln || (ln->req_in_flight && now - ln->req_sent_ms < LEGACY_REQ_RETRY_MS))
		return;
	ln->req_in_flight = true;
	ln->req_sent_ms = now;

	EVP_PKEY *pub = ecdh_peer_key(to, true);
	bool sent = pub && send_ecdh_req(ln, to);
	EVP_PKEY_free(pub);
	if (sent)
		return;
	legacy_eph_clear(&ln->eph);
	if (legacy_ecdh_mode(lg.host->node_name(to)) == ECDH_REQUIRED) {
		LOG(PX_LOG_ERROR,
		    "No packet key for %s: LegacyECDH = required but no ECDH exchange is possible",
		    lg.host->node_name(to));
		return;
	}
	LOG(PX_LOG_PROTOCOL, "Requesting packet key from %s", lg.host->node_name(to));
	lg.host->send_to_node(to, "%d %s %s", PX_REQ_REQ_KEY, lg.host->self_name(), lg.host->node_name(to));
}

/* Answer a verified ECDH REQ_KEY: derive our new inbound key from our fresh
 * ephemeral and theirs, install it, send our signed ephemeral back. */
static bool answer_ecdh(struct legacy_node *ln, px_node *from, const uint8_t req_pub[LEGACY_X25519_LEN]) {
	const char *me = lg.host->self_name(), *name = lg.host->node_name(from);
	struct legacy_ephemeral eph = {0};
	uint8_t shared[LEGACY_X25519_LEN], raw[LEGACY_MAX_KEY];
	char transcript[1024], token[LEGACY_MAX_TOKEN];
	size_t len = inbound_key_len();
	int cipher_nid = lg.cipher ? EVP_CIPHER_get_nid(lg.cipher) : 0;
	int digest_nid = lg.digest ? EVP_MD_get_type(lg.digest) : 0;
	int compression = lg.host->node_in_compression(from);
	struct legacy_key *k = NULL;
	bool ok = false;

	if (!legacy_eph_new(&eph))
		goto out;
	if (!legacy_x25519(&eph, req_pub, shared)) {
		LOG(PX_LOG_ERROR, "Rejecting ECDH REQ_KEY from %s: unusable X25519 public key", name);
		goto out;
	}
	if (len > sizeof(raw) ||
	    !legacy_ecdh_kdf(shared, name, me, req_pub, eph.pub, cipher_nid, digest_nid, lg.maclen, raw,
	                     len) ||
	    !(k = legacy_key_new(lg.cipher, lg.digest, lg.maclen, raw, len, false, lg.replaywin)) ||
	    legacy_kex_transcript_ans(transcript, sizeof(transcript), me, name, eph.pub, req_pub, cipher_nid,
	                              digest_nid, lg.maclen, compression) < 0 ||
	    !legacy_kex_token_make(lg.privkey, transcript, eph.pub, token, sizeof(token))) {
		LOG(PX_LOG_ALWAYS, "Could not create an ECDH packet key for %s", name);
		legacy_key_free(k);
		goto out;
	}
	k->kex = KEX_ECDH;
	install_inbound(ln, k);
	ln->peer_ecdh = true;
	LOG(PX_LOG_PROTOCOL, "Answering ECDH key request from %s", name);
	lg.host->send_to_node(from, "%d %s %s %s %d %d %d %d", PX_REQ_ANS_KEY, me, name, token, cipher_nid,
	                      digest_nid, lg.maclen, compression);
	ok = true;
out:
	legacy_eph_clear(&eph);
	lg.host->memwipe(shared, sizeof(shared));
	lg.host->memwipe(raw, sizeof(raw));
	return ok;
}

/* Signing an answer is an RSA private-key operation: bounded per node and
 * overall, whatever a peer (or whoever relays its requests) sends us. */
static bool answer_allowed(struct legacy_node *ln) {
	uint64_t now = lg.host->now_ms();

	return legacy_bucket_take(&ln->answer_budget, now, LEGACY_ANSWER_BURST, LEGACY_ANSWER_INTERVAL_MS) &&
	       legacy_bucket_take(&lg.answer_budget, now, LEGACY_ANSWER_BURST_ALL,
	                          LEGACY_ANSWER_INTERVAL_ALL_MS);
}

/* An ECDH REQ_KEY: verify, check that it is fresh, answer, and if what we
 * send with is still an RSA key, upgrade that direction too. */
static void on_ecdh_req(struct legacy_node *ln, px_node *from, const char *counter_field, const char *token) {
	const char *name = lg.host->node_name(from);
	uint8_t req_pub[LEGACY_X25519_LEN], sig[LEGACY_MAX_SIG];
	size_t siglen = 0;
	uint64_t counter = 0;
	char transcript[1024];

	EVP_PKEY *pub = ecdh_peer_key(from, true);
	if (!pub) {
		if (legacy_ecdh_mode(name) == ECDH_REQUIRED) {
			LOG(PX_LOG_ERROR,
			    "Ignoring key request from %s: LegacyECDH = required but no ECDH exchange is "
			    "possible",
			    name);
			return;
		}
		legacy_send_ans_key(from);
		return;
	}
	const char *why = legacy_kex_parse_counter(counter_field, &counter)
	                      ? legacy_kex_token_parse(token, req_pub, sig, sizeof(sig), &siglen)
	                      : "malformed counter";
	if (!why && legacy_kex_transcript_req(transcript, sizeof(transcript), name, lg.host->self_name(),
	                                      counter, req_pub) < 0)
		why = "names too long";
	if (!why && !legacy_kex_verify(pub, transcript, sig, siglen))
		why = "bad signature";
	EVP_PKEY_free(pub);
	if (why) {
		LOG(PX_LOG_ERROR, "Rejecting ECDH REQ_KEY from %s: %s", name, why);
		return;
	}
	if (counter <= ln->req_counter_seen) {
		if (legacy_errlog_allowed(ln))
			LOG(PX_LOG_ERROR, "Ignoring replayed ECDH REQ_KEY from %s (counter %llu, last %llu)",
			    name, (unsigned long long)counter, (unsigned long long)ln->req_counter_seen);
		return;
	}
	ln->req_counter_seen = counter;
	if (!answer_allowed(ln)) {
		if (legacy_errlog_allowed(ln))
			LOG(PX_LOG_ERROR, "Not answering ECDH REQ_KEY from %s: too many key requests", name);
		return;
	}
	if (!answer_ecdh(ln, from, req_pub))
		return;
	if (ln->out && ln->out->kex != KEX_ECDH) {
		LOG(PX_LOG_PROTOCOL, "%s speaks ECDH: replacing our RSA packet key for it", name);
		ln->req_in_flight = false;
		legacy_key_request(lg.self, from);
	}
}

static bool is_integer(const char *s) {
	char *end;
	if (!*s)
		return false;
	(void)strtol(s, &end, 10);
	return *end == '\0';
}

int legacy_key_on_req(px_plugin *self, px_node *from, const char *line) {
	char fromname[LEGACY_MAX_STRING + 1], toname[LEGACY_MAX_STRING + 1];
	char extra[LEGACY_MAX_STRING + 1], counter[LEGACY_MAX_STRING + 1], token[LEGACY_MAX_STRING + 1];
	const char *name = lg.host->node_name(from);
	int fields =
	    sscanf(line, "%*d %2048s %2048s %2048s %2048s %2048s", fromname, toname, extra, counter, token);

	if (fields < 2) {
		LOG(PX_LOG_ERROR, "Got bad REQ_KEY from %s", name);
		return 0;
	}
	if (fields >= 3 && is_integer(extra)) {
		LOG(PX_LOG_ERROR, "Ignoring extended REQ_KEY (type %s) from %s: not a legacy request", extra,
		    name);
		return 0;
	}
	struct legacy_node *ln = legacy_node_get(from, true);
	if (!ln)
		return 0;
	enum legacy_ecdh_mode mode = legacy_ecdh_mode(name);

	if (fields >= 3 && !strcmp(extra, LEGACY_KEX_TOKEN) && mode != ECDH_OFF) {
		if (fields < 5) {
			LOG(PX_LOG_ERROR, "Rejecting ECDH REQ_KEY from %s: no counter or key token", name);
			return 0;
		}
		on_ecdh_req(ln, from, counter, token);
		return 0;
	}
	/* tinc 1.0 ignores fields it does not know: so do we. */
	if (ln->peer_ecdh || mode == ECDH_REQUIRED) {
		LOG(PX_LOG_ERROR, "Refusing RSA key request from %s: %s (possible downgrade attack)", name,
		    ln->peer_ecdh ? "it already proved ECDH support" : "LegacyECDH = required");
		return 0;
	}
	legacy_send_ans_key(from);
	return 0;
}

static bool parse_numeric_addr(const char *host, const char *port, struct px_addr *out) {
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;

	if (getaddrinfo(host, port, &hints, &ai) || !ai)
		return false;
	bool ok = ai->ai_addrlen <= sizeof(out->ss);
	if (ok) {
		memset(out, 0, sizeof(*out));
		memcpy(&out->ss, ai->ai_addr, ai->ai_addrlen);
		out->len = ai->ai_addrlen;
	}
	freeaddrinfo(ai);
	return ok;
}

/* Look up an ANS_KEY's algorithms and check the fields against them
 * (hexlen: length of an RSA key field, or 0 for ECDH, whose key is derived
 * with the right length); logs and returns false on anything we cannot or
 * must not use. */
static bool check_ans_key(const char *name, int cipher_nid, int digest_nid, int maclen, int compression,
                          size_t hexlen, const EVP_CIPHER **cipher, const EVP_MD **digest, size_t *keylen) {
	*cipher = NULL;
	*digest = NULL;
	if (cipher_nid) {
		*cipher = EVP_get_cipherbynid(cipher_nid);
		if (!*cipher) {
			LOG(PX_LOG_ERROR, "Node %s uses unknown cipher (nid %d)", name, cipher_nid);
			return false;
		}
		if (EVP_CIPHER_get_block_size(*cipher) > LEGACY_MAX_BLOCK ||
		    EVP_CIPHER_get_flags(*cipher) & EVP_CIPH_FLAG_AEAD_CIPHER) {
			LOG(PX_LOG_ERROR, "Node %s uses unsupported cipher %s", name, OBJ_nid2ln(cipher_nid));
			return false;
		}
	}
	if (digest_nid) {
		*digest = EVP_get_digestbynid(digest_nid);
		if (!*digest || EVP_MD_get_size(*digest) > LEGACY_MAX_MAC) {
			LOG(PX_LOG_ERROR, "Node %s uses unknown or unsupported digest (nid %d)", name,
			    digest_nid);
			return false;
		}
	}
	*keylen =
	    *cipher ? (size_t)(EVP_CIPHER_get_key_length(*cipher) + EVP_CIPHER_get_iv_length(*cipher)) : 1;
	if (*keylen > LEGACY_MAX_KEY || (hexlen && hexlen != 2 * *keylen)) {
		LOG(PX_LOG_ERROR, "Node %s sent a key of wrong length (%zu hex digits, expected %zu)", name,
		    hexlen, 2 * *keylen);
		return false;
	}
	if (maclen < 0 || (*digest && maclen > EVP_MD_get_size(*digest))) {
		LOG(PX_LOG_ERROR, "Node %s uses bogus MAC length %d", name, maclen);
		return false;
	}
	if (compression < 0 || compression > PX_COMPRESS_MAX) {
		LOG(PX_LOG_ERROR, "Node %s uses bogus compression level %d", name, compression);
		return false;
	}
	return true;
}

/* The parsed fields of an ANS_KEY. */
struct ans_key {
	char key[LEGACY_MAX_STRING + 1];
	int cipher_nid, digest_nid, maclen, compression;
	char addr[LEGACY_MAX_STRING + 1], port[LEGACY_MAX_STRING + 1];
	bool has_addr;
};

/* Common tail of both forms: the new outbound key is in place. */
static void key_installed(px_node *from, const struct ans_key *a) {
	const char *name = lg.host->node_name(from);

	lg.host->node_set_out_compression(from, a->compression);
	if (a->has_addr) {
		struct px_addr udp;
		if (parse_numeric_addr(a->addr, a->port, &udp))
			lg.host->node_set_udp_addr(from, &udp);
		else
			LOG(PX_LOG_PROTOCOL, "Ignoring non-numeric address %s port %s for %s in ANS_KEY",
			    a->addr, a->port, name);
	}
	LOG(PX_LOG_PROTOCOL, "Got packet key from %s (%s)", name, legacy_describe(lg.self, from));
	lg.host->node_key_changed(from, true);
}

/* ECDH answer: only to our pending request, only with a valid signature
 * over both ephemeral keys and the parameters. Until it verifies, the
 * current key and the pending ephemeral stay as they are, so a forged
 * answer cannot take the working key away. */
static void on_ecdh_ans(struct legacy_node *ln, px_node *from, struct ans_key *a) {
	const char *name = lg.host->node_name(from), *me = lg.host->self_name();
	uint8_t ans_pub[LEGACY_X25519_LEN], sig[LEGACY_MAX_SIG], shared[LEGACY_X25519_LEN],
	    raw[LEGACY_MAX_KEY];
	size_t siglen = 0, keylen = 0;
	char transcript[1024];
	const EVP_CIPHER *cipher;
	const EVP_MD *digest;
	EVP_PKEY *pub = NULL;
	const char *why = NULL;

	if (!ln->eph.pkey) {
		LOG(PX_LOG_ERROR, "Ignoring ECDH ANS_KEY from %s: we did not ask for one", name);
		return;
	}
	if (!check_ans_key(name, a->cipher_nid, a->digest_nid, a->maclen, a->compression, 0, &cipher, &digest,
	                   &keylen))
		return;
	why = legacy_kex_token_parse(a->key, ans_pub, sig, sizeof(sig), &siglen);
	if (!why && !(pub = legacy_load_public_key(name)))
		why = "no RSA public key to verify it";
	if (!why && legacy_kex_transcript_ans(transcript, sizeof(transcript), name, me, ans_pub, ln->eph.pub,
	                                      a->cipher_nid, a->digest_nid, a->maclen, a->compression) < 0)
		why = "names too long";
	if (!why && !legacy_kex_verify(pub, transcript, sig, siglen))
		why = "bad signature";
	EVP_PKEY_free(pub);
	if (!why && !legacy_x25519(&ln->eph, ans_pub, shared))
		why = "unusable X25519 public key";
	if (why) {
		LOG(PX_LOG_ERROR, "Rejecting ECDH ANS_KEY from %s: %s", name, why);
		return;
	}

	struct legacy_key *k = NULL;
	if (legacy_ecdh_kdf(shared, me, name, ln->eph.pub, ans_pub, a->cipher_nid, a->digest_nid, a->maclen,
	                    raw, keylen))
		k = legacy_key_new(cipher, digest, a->maclen, raw, keylen, true, 0);
	lg.host->memwipe(shared, sizeof(shared));
	lg.host->memwipe(raw, sizeof(raw));
	legacy_eph_clear(&ln->eph);
	ln->req_in_flight = false;
	ln->push_legacy = false;
	ln->peer_ecdh = true;
	ln->out_stale_ms = 0;
	legacy_key_free(ln->out); /* replaced without a gap (make before break) */
	ln->out = NULL;
	if (!k) {
		lg.host->node_key_changed(from, false);
		LOG(PX_LOG_ERROR, "Cannot use the ECDH key of %s (%s/%s not available here)", name,
		    cipher ? OBJ_nid2ln(a->cipher_nid) : "none", digest ? OBJ_nid2ln(a->digest_nid) : "none");
		return;
	}
	k->kex = KEX_ECDH;
	ln->out = k;
	key_installed(from, a);
}

/* RSA answer: the key itself (tinc 1.0's form). */
static void on_rsa_ans(struct legacy_node *ln, px_node *from, struct ans_key *a) {
	const char *name = lg.host->node_name(from);

	if (ln->peer_ecdh || legacy_ecdh_mode(name) == ECDH_REQUIRED) {
		LOG(PX_LOG_ERROR, "Refusing RSA packet key from %s: %s (possible downgrade attack)", name,
		    ln->peer_ecdh ? "it already proved ECDH support" : "LegacyECDH = required");
		return;
	}

	/* A new ANS_KEY means the peer replaced its key: the old one is dead. */
	ln->req_in_flight = false;
	ln->out_stale_ms = 0;
	legacy_eph_clear(&ln->eph); /* answered the RSA way */
	if (ln->out) {
		legacy_key_free(ln->out);
		ln->out = NULL;
		lg.host->node_key_changed(from, false);
	}

	const EVP_CIPHER *cipher;
	const EVP_MD *digest;
	uint8_t key[LEGACY_MAX_KEY];
	size_t want;
	if (!check_ans_key(name, a->cipher_nid, a->digest_nid, a->maclen, a->compression, strlen(a->key),
	                   &cipher, &digest, &want))
		return;
	int keylen = legacy_hex_decode(a->key, strlen(a->key), key, sizeof(key));
	if (keylen < 0) {
		LOG(PX_LOG_ERROR, "Node %s sent a key that is not valid hex", name);
		return;
	}
	ln->out = legacy_key_new(cipher, digest, a->maclen, key, (size_t)keylen, true, 0);
	lg.host->memwipe(key, sizeof(key));
	if (!ln->out) {
		LOG(PX_LOG_ERROR, "Cannot use the key of %s (%s/%s not available here)", name,
		    cipher ? OBJ_nid2ln(a->cipher_nid) : "none", digest ? OBJ_nid2ln(a->digest_nid) : "none");
		return;
	}
	key_installed(from, a);

	/* node_up asked for ECDH instead of pushing our key; the peer answered
	 * the RSA way, so it gets our key pushed as tinc would have done. */
	if (ln->push_legacy) {
		ln->push_legacy = false;
		if (!ln->in)
			legacy_send_ans_key(from);
	}
}

int legacy_key_on_ans(px_plugin *self, px_node *from, const char *line) {
	static struct ans_key a; /* large; the event loop is single-threaded */
	char fromname[LEGACY_MAX_STRING + 1], toname[LEGACY_MAX_STRING + 1];
	const char *name = lg.host->node_name(from);

	int fields = sscanf(line, "%*d %2048s %2048s %2048s %d %d %d %d %2048s %2048s", fromname, toname,
	                    a.key, &a.cipher_nid, &a.digest_nid, &a.maclen, &a.compression, a.addr, a.port);
	a.has_addr = fields >= 9;
	if (fields < 7) {
		LOG(PX_LOG_ERROR, "Got bad ANS_KEY from %s", name);
	} else if (a.cipher_nid == -1 && a.digest_nid == -1) {
		LOG(PX_LOG_ERROR, "Ignoring SPTPS ANS_KEY from %s: not a legacy key", name);
	} else {
		struct legacy_node *ln = legacy_node_get(from, true);
		if (ln && !strncmp(a.key, LEGACY_X25519_PREFIX, strlen(LEGACY_X25519_PREFIX)))
			on_ecdh_ans(ln, from, &a);
		else if (ln)
			on_rsa_ans(ln, from, &a);
	}
	lg.host->memwipe(&a, sizeof(a));
	return 0;
}

/* The peer renewed its keys. An RSA key is dead at once (tinc 1.0 frees
 * it). An ECDH peer keeps our current key in its grace period, so we go on
 * sending with it while we ask for the new one: no gap, no detour over
 * TCP. An ECDH request already in flight is answered with a key made after
 * the renewal, so it is not repeated. */
void legacy_key_on_changed(px_plugin *self, px_node *n) {
	struct legacy_node *ln = legacy_node_get(n, false);

	if (ln && ln->out && ln->out->kex == KEX_ECDH) {
		uint64_t now = lg.host->now_ms();
		if (!ln->out_stale_ms)
			ln->out_stale_ms = now ? now : 1;
		if (!ln->eph.pkey)
			ln->req_in_flight = false;
		legacy_key_request(self, n);
		return;
	}
	if (ln) {
		legacy_key_free(ln->out);
		ln->out = NULL;
		if (!ln->eph.pkey)
			ln->req_in_flight = false;
	}
	lg.host->node_key_changed(n, false);
}

/* An ECDH key the peer renewed is used for half its grace period at most:
 * if no new key came by then, stop using it (the core then asks again). */
bool legacy_key_valid(px_plugin *self, px_node *to) {
	struct legacy_node *ln = legacy_node_get(to, false);

	if (!ln || !ln->out)
		return false;
	if (ln->out_stale_ms && lg.host->now_ms() - ln->out_stale_ms > LEGACY_GRACE_MS / 2) {
		LOG(PX_LOG_ERROR, "No new ECDH packet key from %s in time, dropping the old one",
		    lg.host->node_name(to));
		legacy_key_free(ln->out);
		ln->out = NULL;
		ln->out_stale_ms = 0;
		lg.host->node_key_changed(to, false);
		return false;
	}
	return true;
}

/* tinc pushes its key to a node that comes up. With a peer that may speak
 * ECDH we ask for an ECDH key instead; the peer does the same towards us.
 * If the answer comes the RSA way, our key is pushed then. */
void legacy_node_up(px_plugin *self, px_node *n) {
	struct legacy_node *ln = legacy_node_get(n, true);
	EVP_PKEY *pub = ln ? ecdh_peer_key(n, false) : NULL;

	if (pub) {
		EVP_PKEY_free(pub);
		ln->push_legacy = true;
		ln->req_in_flight = false;
		legacy_key_request(self, n);
		return;
	}
	if (legacy_ecdh_mode(lg.host->node_name(n)) != ECDH_REQUIRED)
		legacy_send_ans_key(n);
}

void legacy_node_down(px_plugin *self, px_node *n) {
	void **slot = lg.host->node_slot(n, lg.self);

	if (slot && *slot) {
		node_free(*slot);
		*slot = NULL;
	}
}

/* One word (the dump format): "<exchange>:<cipher>/<digest>/<maclen>". */
const char *legacy_describe(px_plugin *self, px_node *n) {
	struct legacy_node *ln = legacy_node_get(n, false);

	if (!ln || !ln->out)
		return "-";
	snprintf(ln->desc, sizeof(ln->desc), "%s:%s/%s/%d", ln->out->kex == KEX_ECDH ? "ecdh" : "rsa",
	         ln->out->cipher ? OBJ_nid2ln(ln->out->cipher_nid) : "none",
	         ln->out->digest ? OBJ_nid2ln(ln->out->digest_nid) : "none", ln->out->maclen);
	return ln->desc;
}

/* Renew our inbound key for n. RSA: push a fresh key. ECDH: only the peer
 * can start an exchange, so the current key becomes the old one (still
 * decrypting for the grace period) and KEY_CHANGED (sent by the caller)
 * makes the peer ask again. */
static bool renew_inbound(struct legacy_node *ln) {
	if (ln->in_old && lg.host->now_ms() > ln->in_old_until) {
		legacy_key_free(ln->in_old); /* nothing arrived to expire it in legacy_open */
		ln->in_old = NULL;
	}
	if (!ln->in || !lg.host->node_reachable(ln->node))
		return false;
	if (ln->peer_ecdh || ln->in->kex == KEX_ECDH) {
		install_inbound(ln, NULL);
		return true;
	}
	legacy_send_ans_key(ln->node);
	return false;
}

static void broadcast_key_changed(void) {
	uint32_t nonce;

	lg.host->random_bytes(&nonce, sizeof(nonce));
	lg.host->broadcast(NULL, "%d %x %s", PX_REQ_KEY_CHANGED, nonce, lg.host->self_name());
}

void legacy_renew_inbound(px_node *n) {
	struct legacy_node *ln = legacy_node_get(n, false);

	if (ln && renew_inbound(ln))
		broadcast_key_changed();
}

/* KeyExpire: tell everyone our keys changed; RSA peers holding one of ours
 * get a fresh one at once (also keeps NAT mappings alive), ECDH peers ask
 * for one when they next send. */
void legacy_expire_keys(void *arg) {
	LOG(PX_LOG_PROTOCOL, "Expiring packet keys");
	broadcast_key_changed();
	for (struct legacy_node *ln = all_nodes; ln; ln = ln->next)
		renew_inbound(ln);
	if (lg.expire_timer)
		lg.host->timer_arm(lg.expire_timer, (uint32_t)lg.keyexpire_s * 1000u);
}
