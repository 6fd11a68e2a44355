/* SPDX-License-Identifier: MIT */
/*
 * crypto-demo: a complete, small crypto protocol for Plexus, written as the
 * starting point for research plugins. Everything a crypto plugin must do is
 * here, in one file:
 *
 *  - meta authentication: both ends prove knowledge of a pre-shared key
 *    (DemoKey) over an ephemeral X25519 exchange, then every meta byte is
 *    sealed in XChaCha20-Poly1305 records (a stream filter);
 *  - data keys: one X25519 exchange per direction, carried in REQ_KEY and
 *    ANS_KEY extension lines and bound to the PSK;
 *  - packet protection: XChaCha20-Poly1305 (IETF) with an 8-byte sequence
 *    number in the clear and a 1024-packet replay window.
 *
 * The protocol is chosen over the shipped ones by configuration: it serves
 * protocol minor DEMO_MINOR (above every minor tinc speaks) and declares
 * itself usable with a peer only when we have the network's pre-shared key
 * (`DemoKey = <64 hex digits>` in tinc.conf, never in a host file) and the
 * peer's host file says `DemoProtocol = yes`. A node sets DemoProtocol in
 * its own host file exactly when it has the key, so both ends of every link
 * decide alike; other nodes, and tinc nodes, keep using SPTPS or legacy.
 *
 * Not a production protocol: no forward secrecy against a PSK leak beyond
 * the ephemeral exchange, no identity beyond "knows the PSK", no rekeying by
 * time. Wire formats are documented next to the code that writes them.
 *
 * Build (see Makefile):
 *   cc $(pkg-config --cflags plexus-sdk libsodium) -shared -fPIC -fvisibility=hidden \
 *      -o crypto-demo.so crypto-demo.c $(pkg-config --libs libsodium)
 */
#include <plexus/plugin.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tinc speaks minors up to PX_PROT_MINOR_CURRENT; a private protocol takes
 * one above it, so no tinc node ever selects it. */
#define DEMO_MINOR (PX_PROT_MINOR_CURRENT + 1)
#define DEMO_TAG   "demo1" /* first field of our REQ_KEY/ANS_KEY extension */

#define KEYLEN       32
#define MACLEN       32
#define NONCELEN     crypto_aead_xchacha20poly1305_ietf_NPUBBYTES /* 24 */
#define TAGLEN       crypto_aead_xchacha20poly1305_ietf_ABYTES    /* 16 */
#define SEQLEN       8
#define WINDOW       1024         /* replay window, packets */
#define META_CHUNK   16384        /* largest meta record payload */
#define REKEY_AFTER  (1ull << 40) /* packets per data key */
#define KEY_RETRY_MS 1000

static const struct px_host *host;
static px_plugin *self_plugin;
static uint8_t psk[KEYLEN];
static bool have_psk;

#define LOG(level, ...) host->log(self_plugin, (level), __VA_ARGS__)

/* --- helpers ------------------------------------------------------------ */

/* BLAKE2b keyed with the PSK over the concatenation of the given parts
 * (pointer, length pairs, terminated by NULL). */
static void psk_hash(uint8_t *out, size_t outlen, ...) {
	crypto_generichash_state st;
	va_list ap;

	crypto_generichash_init(&st, psk, sizeof(psk), outlen);
	va_start(ap, outlen);
	for (const void *p; (p = va_arg(ap, const void *));) {
		size_t len = va_arg(ap, size_t);
		crypto_generichash_update(&st, p, len);
	}
	va_end(ap);
	crypto_generichash_final(&st, out, outlen);
}

static bool hex_to(uint8_t *out, size_t outlen, const char *hex) {
	size_t got = 0;
	return strlen(hex) == 2 * outlen &&
	       sodium_hex2bin(out, outlen, hex, 2 * outlen, NULL, &got, NULL) == 0 && got == outlen;
}

static void nonce_from_seq(uint8_t nonce[NONCELEN], uint64_t seq) {
	memset(nonce, 0, NONCELEN);
	for (int i = 0; i < 8; i++) {
		nonce[NONCELEN - 8 + i] = (uint8_t)(seq >> (56 - 8 * i));
	}
}

/* --- meta connections ---------------------------------------------------- */

/*
 * Wire format, after both ID lines:
 *   "2 <nonce:64 hex> <x25519 public:64 hex>"   each side, at once (CHALLENGE)
 *   "3 <confirmation:64 hex>"                    each side, when it has the
 *                                                peer's CHALLENGE (CHAL_REPLY)
 * Keys and confirmations are BLAKE2b keyed with the PSK over the transcript
 * (names, nonces, public keys, initiator first) and the X25519 secret. After
 * its CHAL_REPLY each side sends only records:
 *   <ciphertext length:2, big endian> <XChaCha20-Poly1305 ciphertext + tag>
 * with nonce = 16 zero bytes || 64-bit record counter (big endian).
 */
struct meta {
	px_conn *c;
	bool outgoing;
	bool sent_reply; /* our CHAL_REPLY is out, the output filter is on */
	int refs;        /* auth state + installed filters */
	int busy;        /* receive loops running on it */
	bool dead;       /* the core freed a filter: the connection is going away */
	char peer[64];
	uint8_t eph_sk[KEYLEN], eph_pk[KEYLEN], nonce[32];
	uint8_t key_out[KEYLEN], key_in[KEYLEN], conf_peer[MACLEN];
	uint64_t seq_out, seq_in;
	size_t rlen;
	uint8_t rbuf[2 + META_CHUNK + TAGLEN];
};

static void meta_unref(struct meta *m) {
	if (--m->refs > 0 || m->busy) {
		return;
	}
	sodium_memzero(m, sizeof(*m));
	free(m);
}

static int filter_send(void *ctx, px_conn *c, const uint8_t *data, size_t len) {
	struct meta *m = ctx;
	uint8_t rec[2 + META_CHUNK + TAGLEN], nonce[NONCELEN];

	while (len) {
		size_t chunk = len > META_CHUNK ? META_CHUNK : len;
		nonce_from_seq(nonce, m->seq_out++);
		rec[0] = (uint8_t)((chunk + TAGLEN) >> 8);
		rec[1] = (uint8_t)(chunk + TAGLEN);
		crypto_aead_xchacha20poly1305_ietf_encrypt(rec + 2, NULL, data, chunk, NULL, 0, NULL, nonce,
		                                           m->key_out);
		if (host->conn_write_wire(c, rec, 2 + chunk + TAGLEN) < 0) {
			return -1;
		}
		data += chunk;
		len -= chunk;
	}
	return 0;
}

/* Reassemble records from the byte stream and feed their plaintext to the
 * core. conn_deliver() may close the connection, which frees our filters:
 * `busy` keeps the state alive until this loop has left it. */
static int filter_recv(void *ctx, px_conn *c, const uint8_t *data, size_t len) {
	struct meta *m = ctx;
	uint8_t plain[META_CHUNK], nonce[NONCELEN];
	int ret = 0;

	m->busy++;
	while (len && !m->dead) {
		size_t want = m->rlen < 2 ? 2 : 2 + (((size_t)m->rbuf[0] << 8) | m->rbuf[1]);
		if (want > sizeof(m->rbuf) || (m->rlen >= 2 && want < 2 + TAGLEN)) {
			LOG(PX_LOG_ERROR, "Bad record length from %s", m->peer);
			ret = -1;
			break;
		}
		size_t take = want - m->rlen < len ? want - m->rlen : len;
		memcpy(m->rbuf + m->rlen, data, take);
		m->rlen += take;
		data += take;
		len -= take;
		if (m->rlen < want || want == 2) {
			continue;
		}
		unsigned long long plen;
		nonce_from_seq(nonce, m->seq_in++);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, m->rbuf + 2, want - 2,
		                                               NULL, 0, nonce, m->key_in) != 0) {
			LOG(PX_LOG_ERROR, "Forged or corrupt meta record from %s", m->peer);
			ret = -1;
			break;
		}
		m->rlen = 0;
		if (host->conn_deliver(c, plain, (size_t)plen) < 0) {
			ret = -1;
			break;
		}
	}
	sodium_memzero(plain, sizeof(plain));
	m->busy--;
	if (m->dead) {
		ret = -1;
	}
	m->refs++; /* meta_unref() frees only if the last ref went while busy */
	meta_unref(m);
	return ret;
}

static void filter_free(void *ctx) {
	struct meta *m = ctx;
	m->dead = true;
	meta_unref(m);
}

static const struct px_filter_ops demo_filter = {
    .size = sizeof(struct px_filter_ops),
    .send = filter_send,
    .recv = filter_recv,
    .free = filter_free,
};

static int demo_meta_start(px_plugin *self, px_conn *c, void **state) {
	struct meta *m = calloc(1, sizeof(*m));
	char hn[65], hp[65];

	if (!m) {
		return -1;
	}
	m->c = c;
	m->refs = 1;
	m->outgoing = host->conn_outgoing(c);
	snprintf(m->peer, sizeof(m->peer), "%s", host->conn_name(c));
	host->random_bytes(m->nonce, sizeof(m->nonce));
	crypto_box_keypair(m->eph_pk, m->eph_sk);
	*state = m;
	sodium_bin2hex(hn, sizeof(hn), m->nonce, sizeof(m->nonce));
	sodium_bin2hex(hp, sizeof(hp), m->eph_pk, sizeof(m->eph_pk));
	return host->conn_send(c, "%d %s %s", PX_REQ_CHALLENGE, hn, hp) < 0 ? -1 : 0;
}

/* The peer's CHALLENGE: derive both directions' keys and the two
 * confirmations, send ours, and from then on protect what we send. */
static int meta_on_challenge(struct meta *m, const char *line) {
	char hn[65], hp[65], hc[65];
	uint8_t peer_nonce[32], peer_pk[KEYLEN], shared[KEYLEN], okm[64], conf[64];

	if (sscanf(line, "%*d %64s %64s", hn, hp) != 2 || !hex_to(peer_nonce, 32, hn) ||
	    !hex_to(peer_pk, KEYLEN, hp)) {
		LOG(PX_LOG_ERROR, "Bad CHALLENGE from %s", m->peer);
		return -1;
	}
	if (crypto_scalarmult(shared, m->eph_sk, peer_pk) != 0) {
		LOG(PX_LOG_ERROR, "Degenerate X25519 key from %s", m->peer);
		return -1;
	}
	const char *me = host->self_name();
	const char *iname = m->outgoing ? me : m->peer, *rname = m->outgoing ? m->peer : me;
	const uint8_t *in_ = m->outgoing ? m->nonce : peer_nonce, *rn = m->outgoing ? peer_nonce : m->nonce;
	const uint8_t *ipk = m->outgoing ? m->eph_pk : peer_pk, *rpk = m->outgoing ? peer_pk : m->eph_pk;
#define TRANSCRIPT                                                                                           \
	iname, strlen(iname) + 1, rname, strlen(rname) + 1, in_, (size_t)32, rn, (size_t)32, ipk,            \
	    (size_t)KEYLEN, rpk, (size_t)KEYLEN, shared, sizeof(shared), NULL
	psk_hash(okm, sizeof(okm), "demo meta keys", (size_t)14, TRANSCRIPT);
	psk_hash(conf, sizeof(conf), "demo meta conf", (size_t)14, TRANSCRIPT);
#undef TRANSCRIPT
	/* okm: initiator->responder key, then responder->initiator key;
	 * conf: initiator's confirmation, then the responder's. */
	memcpy(m->key_out, okm + (m->outgoing ? 0 : 32), KEYLEN);
	memcpy(m->key_in, okm + (m->outgoing ? 32 : 0), KEYLEN);
	memcpy(m->conf_peer, conf + (m->outgoing ? 32 : 0), MACLEN);
	sodium_bin2hex(hc, sizeof(hc), conf + (m->outgoing ? 0 : 32), MACLEN);
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(okm, sizeof(okm));
	sodium_memzero(conf, sizeof(conf));
	sodium_memzero(m->eph_sk, sizeof(m->eph_sk));
	if (host->conn_send(m->c, "%d %s", PX_REQ_CHAL_REPLY, hc) < 0) {
		return -1;
	}
	/* Installed after the plaintext reply: it goes out raw. */
	m->refs++;
	host->conn_set_filter(m->c, PX_DIR_OUT, &demo_filter, m);
	m->sent_reply = true;
	return 0;
}

/* The peer's CHAL_REPLY: it knows the PSK. Everything after this line is
 * records; installing the input filter hands it any bytes already read. */
static int meta_on_reply(struct meta *m, const char *line) {
	char hc[65];
	uint8_t conf[MACLEN];

	if (!m->sent_reply || sscanf(line, "%*d %64s", hc) != 1 || !hex_to(conf, MACLEN, hc) ||
	    sodium_memcmp(conf, m->conf_peer, MACLEN) != 0) {
		LOG(PX_LOG_ERROR, "Peer %s failed DemoKey authentication", m->peer);
		return -1;
	}
	LOG(PX_LOG_CONNECTIONS, "DemoKey authentication with %s succeeded", m->peer);
	m->refs++;
	px_conn *c = m->c;
	host->conn_set_filter(c, PX_DIR_IN, &demo_filter, m);
	host->conn_auth_done(c); /* calls meta_free(); the filters keep m */
	return 0;
}

static int demo_meta_request(px_plugin *self, void *state, px_conn *c, int reqno, const char *line) {
	struct meta *m = state;

	if (reqno == PX_REQ_CHALLENGE && !m->sent_reply) {
		return meta_on_challenge(m, line);
	}
	if (reqno == PX_REQ_CHAL_REPLY) {
		return meta_on_reply(m, line);
	}
	LOG(PX_LOG_ERROR, "Unexpected request %d from %s during authentication", reqno, m->peer);
	return -1;
}

static void demo_meta_free(px_plugin *self, void *state) {
	meta_unref(state);
}

/* --- data keys ------------------------------------------------------------ */

/*
 * Each node keys its own sending direction. To send to B, A picks an
 * ephemeral X25519 key and sends through the mesh
 *   "15 A B demo1 <A's public:64 hex> <mac:64 hex>"            (REQ_KEY)
 * B answers with its own ephemeral key
 *   "16 B A demo1 <B's public:64 hex> <mac:64 hex>"            (ANS_KEY)
 * The macs (BLAKE2b keyed with the PSK) bind names and keys, so relays cannot
 * substitute keys. Both derive the A->B key from the X25519 secret; B keeps
 * the previous receive key for packets still in flight.
 */
struct rx_key {
	bool valid;
	uint8_t key[KEYLEN];
	uint64_t top; /* highest sequence number accepted + 1 */
	uint64_t seen[WINDOW / 64];
};

struct peer {
	bool pending, out_valid;
	uint64_t asked_ms;
	uint8_t eph_sk[KEYLEN], eph_pk[KEYLEN];
	uint8_t key_out[KEYLEN];
	uint64_t seq_out;
	struct rx_key rx, rx_old;
};

static struct peer *peer_of(px_node *n, bool create) {
	void **slot = host->node_slot(n, self_plugin);
	if (!*slot && create) {
		*slot = calloc(1, sizeof(struct peer));
	}
	return *slot;
}

static void peer_free(px_node *n) {
	void **slot = host->node_slot(n, self_plugin);
	if (*slot) {
		sodium_memzero(*slot, sizeof(struct peer));
		free(*slot);
		*slot = NULL;
	}
}

static void data_key(uint8_t key[KEYLEN], const char *from, const char *to, const uint8_t *ipk,
                     const uint8_t *rpk, const uint8_t *shared) {
	psk_hash(key, KEYLEN, "demo data key", (size_t)13, from, strlen(from) + 1, to, strlen(to) + 1, ipk,
	         (size_t)KEYLEN, rpk, (size_t)KEYLEN, shared, (size_t)KEYLEN, NULL);
}

static void demo_key_request(px_plugin *self, px_node *to) {
	struct peer *p = peer_of(to, true);
	char hp[65], hm[65];
	uint8_t mac[MACLEN];
	const char *me = host->self_name(), *name = host->node_name(to);

	if (!p || (p->pending && host->now_ms() - p->asked_ms < KEY_RETRY_MS)) {
		return;
	}
	crypto_box_keypair(p->eph_pk, p->eph_sk);
	psk_hash(mac, MACLEN, "demo req", (size_t)8, me, strlen(me) + 1, name, strlen(name) + 1, p->eph_pk,
	         (size_t)KEYLEN, NULL);
	sodium_bin2hex(hp, sizeof(hp), p->eph_pk, KEYLEN);
	sodium_bin2hex(hm, sizeof(hm), mac, MACLEN);
	p->pending = true;
	p->asked_ms = host->now_ms();
	LOG(PX_LOG_PROTOCOL, "Requesting a data key exchange with %s", name);
	host->send_to_node(to, "%d %s %s %s %s %s", PX_REQ_REQ_KEY, me, name, DEMO_TAG, hp, hm);
}

/* Parse "<id> <from> <to> demo1 <public> <mac>". */
static bool parse_key_line(const char *line, uint8_t pk[KEYLEN], uint8_t mac[MACLEN]) {
	char tag[16], hp[65], hm[65];
	return sscanf(line, "%*d %*s %*s %15s %64s %64s", tag, hp, hm) == 3 && !strcmp(tag, DEMO_TAG) &&
	       hex_to(pk, KEYLEN, hp) && hex_to(mac, MACLEN, hm);
}

static int demo_key_on_req(px_plugin *self, px_node *from, const char *line) {
	const char *me = host->self_name(), *name = host->node_name(from);
	uint8_t ipk[KEYLEN], mac[MACLEN], want[MACLEN], rpk[KEYLEN], rsk[KEYLEN], shared[KEYLEN];
	struct peer *p = peer_of(from, true);

	if (!p || !parse_key_line(line, ipk, mac)) {
		LOG(PX_LOG_ERROR, "Bad REQ_KEY from %s", name);
		return -1;
	}
	psk_hash(want, MACLEN, "demo req", (size_t)8, name, strlen(name) + 1, me, strlen(me) + 1, ipk,
	         (size_t)KEYLEN, NULL);
	crypto_box_keypair(rpk, rsk);
	if (sodium_memcmp(mac, want, MACLEN) != 0 || crypto_scalarmult(shared, rsk, ipk) != 0) {
		LOG(PX_LOG_ERROR, "REQ_KEY from %s failed verification", name);
		sodium_memzero(rsk, sizeof(rsk));
		return -1;
	}
	p->rx_old = p->rx;
	memset(&p->rx, 0, sizeof(p->rx));
	data_key(p->rx.key, name, me, ipk, rpk, shared);
	p->rx.valid = true;
	sodium_memzero(rsk, sizeof(rsk));
	sodium_memzero(shared, sizeof(shared));

	char hp[65], hm[65];
	psk_hash(mac, MACLEN, "demo ans", (size_t)8, me, strlen(me) + 1, name, strlen(name) + 1, ipk,
	         (size_t)KEYLEN, rpk, (size_t)KEYLEN, NULL);
	sodium_bin2hex(hp, sizeof(hp), rpk, KEYLEN);
	sodium_bin2hex(hm, sizeof(hm), mac, MACLEN);
	host->send_to_node(from, "%d %s %s %s %s %s", PX_REQ_ANS_KEY, me, name, DEMO_TAG, hp, hm);
	return 0;
}

static int demo_key_on_ans(px_plugin *self, px_node *from, const char *line) {
	const char *me = host->self_name(), *name = host->node_name(from);
	uint8_t rpk[KEYLEN], mac[MACLEN], want[MACLEN], shared[KEYLEN];
	struct peer *p = peer_of(from, false);

	if (!p || !p->pending) {
		LOG(PX_LOG_PROTOCOL, "Unexpected ANS_KEY from %s: ignored", name);
		return 0;
	}
	if (!parse_key_line(line, rpk, mac)) {
		LOG(PX_LOG_ERROR, "Bad ANS_KEY from %s", name);
		return -1;
	}
	psk_hash(want, MACLEN, "demo ans", (size_t)8, name, strlen(name) + 1, me, strlen(me) + 1, p->eph_pk,
	         (size_t)KEYLEN, rpk, (size_t)KEYLEN, NULL);
	if (sodium_memcmp(mac, want, MACLEN) != 0 || crypto_scalarmult(shared, p->eph_sk, rpk) != 0) {
		LOG(PX_LOG_ERROR, "ANS_KEY from %s failed verification", name);
		return -1;
	}
	data_key(p->key_out, me, name, p->eph_pk, rpk, shared);
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(p->eph_sk, sizeof(p->eph_sk));
	p->seq_out = 0;
	p->pending = false;
	p->out_valid = true;
	LOG(PX_LOG_PROTOCOL, "Data key for %s established", name);
	host->node_key_changed(from, true);
	return 0;
}

static bool demo_key_valid(px_plugin *self, px_node *to) {
	struct peer *p = peer_of(to, false);
	return p && p->out_valid;
}

/* Unreachable (or about to be purged): the core frees the slot array but
 * not what it points to, so the state goes here. */
static void demo_node_down(px_plugin *self, px_node *n) {
	peer_free(n);
}

/* --- packets --------------------------------------------------------------- */

/* Datagram: <sequence number:8, big endian> <ciphertext> <tag:16>; the
 * sequence number is additional data and the low half of the nonce. */
static unsigned demo_seal(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n) {
	struct peer *p = peer_of(to, false);
	uint8_t nonce[NONCELEN];
	unsigned alive = 0;

	for (unsigned i = 0; i < n; i++) {
		struct px_buf *b = &bufs[i];
		if (!b->len) {
			continue;
		}
		if (!p || !p->out_valid || b->data - b->base < SEQLEN ||
		    (size_t)(b->base + b->cap - (b->data + b->len)) < TAGLEN) {
			b->len = 0;
			continue;
		}
		uint64_t seq = p->seq_out++;
		if (p->seq_out >= REKEY_AFTER) {
			p->out_valid = false; /* the next packet asks for a new key */
		}
		nonce_from_seq(nonce, seq);
		b->data -= SEQLEN;
		memcpy(b->data, nonce + NONCELEN - SEQLEN, SEQLEN);
		unsigned long long clen;
		crypto_aead_xchacha20poly1305_ietf_encrypt(b->data + SEQLEN, &clen, b->data + SEQLEN, b->len,
		                                           b->data, SEQLEN, NULL, nonce, p->key_out);
		b->len = (uint32_t)(SEQLEN + clen);
		alive++;
	}
	return alive;
}

static bool window_fresh(const struct rx_key *r, uint64_t seq) {
	if (seq >= r->top) {
		return true;
	}
	if (r->top - seq > WINDOW) {
		return false;
	}
	return !((r->seen[(seq / 64) % (WINDOW / 64)] >> (seq % 64)) & 1);
}

static void window_mark(struct rx_key *r, uint64_t seq) {
	if (seq >= r->top) {
		if (seq - r->top >= WINDOW) {
			memset(r->seen, 0, sizeof(r->seen));
		} else {
			for (uint64_t s = r->top; s < seq; s++) {
				r->seen[(s / 64) % (WINDOW / 64)] &= ~(1ull << (s % 64));
			}
		}
		r->top = seq + 1;
	}
	r->seen[(seq / 64) % (WINDOW / 64)] |= 1ull << (seq % 64);
}

/* Authenticate and decrypt in place with one receive key. */
static bool open_with(struct rx_key *r, struct px_buf *b, uint64_t seq) {
	uint8_t nonce[NONCELEN];
	unsigned long long mlen;

	if (!r->valid || !window_fresh(r, seq)) {
		return false;
	}
	nonce_from_seq(nonce, seq);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(b->data + SEQLEN, &mlen, NULL, b->data + SEQLEN,
	                                               b->len - SEQLEN, b->data, SEQLEN, nonce,
	                                               r->key) != 0) {
		return false;
	}
	window_mark(r, seq);
	b->data += SEQLEN;
	b->len = (uint32_t)mlen;
	return true;
}

static unsigned demo_open(px_plugin *self, px_node *from, struct px_buf *bufs, unsigned n) {
	struct peer *p = peer_of(from, false);
	unsigned alive = 0;

	for (unsigned i = 0; i < n; i++) {
		struct px_buf *b = &bufs[i];
		if (!b->len) {
			continue;
		}
		uint64_t seq = 0;
		if (p && b->len >= SEQLEN + TAGLEN) {
			for (int k = 0; k < SEQLEN; k++) {
				seq = seq << 8 | b->data[k];
			}
		}
		if (!p || b->len < SEQLEN + TAGLEN ||
		    !(open_with(&p->rx, b, seq) || open_with(&p->rx_old, b, seq))) {
			if (host->log_level() >= PX_LOG_TRAFFIC) {
				LOG(PX_LOG_TRAFFIC,
				    "Dropping a forged, replayed or undecryptable packet from %s",
				    host->node_name(from));
			}
			b->len = 0;
			continue;
		}
		alive++;
	}
	return alive;
}

/* --- descriptor and configuration --------------------------------------------- */

/* Both ends must reach the same verdict: we have the key, and the peer
 * says in its (public) host file that it has it too. */
static bool demo_usable(px_plugin *self, px_node *peer) {
	return have_psk && host->conf_bool(host->node_name(peer), "DemoProtocol", false);
}

static const char *demo_describe(px_plugin *self, px_node *n) {
	return demo_key_valid(self, n) ? "demo-keyed" : "demo-nokey";
}

static const struct px_crypto_ops demo_crypto = {
    .size = sizeof(struct px_crypto_ops),
    .name = "demo",
    .minor_min = DEMO_MINOR,
    .minor_max = DEMO_MINOR,
    .headroom = SEQLEN,
    .overhead = SEQLEN + TAGLEN,
    .flags = 0, /* hop by hop: every UDP hop opens and reseals */
    .usable = demo_usable,
    .meta_start = demo_meta_start,
    .meta_request = demo_meta_request,
    .meta_free = demo_meta_free,
    .key_request = demo_key_request,
    .key_on_req = demo_key_on_req,
    .key_on_ans = demo_key_on_ans,
    .key_valid = demo_key_valid,
    .node_down = demo_node_down,
    .seal = demo_seal,
    .open = demo_open,
    .describe = demo_describe,
};

/* The variables we read: registered, they draw no "Unknown variable"
 * warning and `plexusd --dump-variables` lists them. */
static const struct px_var demo_vars[] = {
    {sizeof(struct px_var), "DemoKey", PX_VAR_SERVER, PX_VAR_STRING,
     "crypto-demo: the network's pre-shared key, 64 hex digits (tinc.conf only)"},
    {sizeof(struct px_var), "DemoProtocol", PX_VAR_HOST, PX_VAR_BOOL,
     "crypto-demo: this node has DemoKey and speaks the demo protocol"},
};

static int demo_init(px_plugin *self, const struct px_host *h) {
	host = h;
	self_plugin = self;
	for (size_t i = 0; i < sizeof(demo_vars) / sizeof(demo_vars[0]); i++) {
		if (host->register_variable(self, &demo_vars[i]) < 0) {
			return -1;
		}
	}
	if (sodium_init() < 0) {
		LOG(PX_LOG_ALWAYS, "libsodium failed to initialise");
		return -1;
	}
	const char *key = host->conf_get(NULL, "DemoKey", 0);
	if (key && !hex_to(psk, sizeof(psk), key)) {
		LOG(PX_LOG_ALWAYS, "DemoKey must be %zu hex digits", 2 * sizeof(psk));
		return -1;
	}
	have_psk = key != NULL;
	/* Our own host file is part of the server configuration. */
	bool announced = host->conf_bool(NULL, "DemoProtocol", false);
	if (announced != have_psk) {
		LOG(PX_LOG_ALWAYS, "%s: set DemoKey in tinc.conf and DemoProtocol = yes in hosts/%s together",
		    have_psk ? "DemoKey without DemoProtocol" : "DemoProtocol without DemoKey",
		    host->self_name());
		return -1;
	}
	LOG(PX_LOG_ALWAYS, "crypto-demo: protocol minor %d, XChaCha20-Poly1305, %s", DEMO_MINOR,
	    have_psk ? "DemoKey set: preferred over the shipped protocols" : "no DemoKey: not used");
	return host->register_crypto(self, &demo_crypto);
}

static bool free_peer_cb(px_node *n, void *arg) {
	peer_free(n);
	return true;
}

/* Nodes still reachable at shutdown never see node_down(). */
static void demo_fini(px_plugin *self) {
	host->node_foreach(free_peer_cb, NULL);
	sodium_memzero(psk, sizeof(psk));
}

PX_PLUGIN_DEFINE(crypto_demo, .name = "crypto-demo", .version = "1.0",
                 .description = "Example crypto protocol: PSK + X25519, XChaCha20-Poly1305 (SDK example)",
                 .license = "MIT", .init = demo_init, .fini = demo_fini);
