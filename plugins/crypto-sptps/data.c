/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * SPTPS UDP sessions (docs/protocol/sptps.md §6-§7): one datagram session per peer
 * node, its handshake carried in REQ_KEY (first KEX, sub-type 15) and
 * ANS_KEY (everything else), Ed25519 key exchange with REQ_PUBKEY /
 * ANS_PUBKEY, and in-place packet protection for the core's batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <netdb.h>
#include <string.h>

#include "b64.h"
#include "sptps_plugin.h"

/*
 * Per-node state; it outlives the SPTPS session it holds so that the
 * handshake timer and the "nudge" budget survive restarts.
 */
struct node_session {
	sptps_t *s; /* NULL: no session */
	px_node *n;
	px_timer *timer;     /* handshake or renegotiation deadline */
	bool first_kex;      /* our next handshake record is the REQ_KEY that opens the session */
	bool valid;          /* first handshake done: we can seal */
	bool rekeying;       /* a renegotiation we started is under way */
	bool in_data_path;   /* log library complaints at traffic level */
	unsigned timeouts;   /* consecutive handshake timeouts (back-off) */
	uint64_t started_ms; /* start of the running handshake or renegotiation */
	uint64_t last_ok_ms; /* last record that opened */
	uint64_t last_nudge_ms;
	uint64_t last_fail_restart_ms;
	uint64_t bad_bytes; /* bytes of records we could not open since the last nudge */
	uint64_t drops;     /* records dropped since the last summary line */
	uint64_t last_drop_log_ms;
	int last_err;
	/* Calls into the session may reach the core (send_to_node), and the
	 * core may then drop the node (write error -> unreachable): while
	 * busy, frees are deferred to the end of the outermost call. */
	int busy;
	bool doomed;      /* node_down/up happened while busy */
	sptps_t *dead[4]; /* sessions replaced while busy */
	char name[64];
};

static void session_timeout(void *arg);

static struct node_session **session_slot(px_node *n) {
	return (struct node_session **)sp.host->node_slot(n, sp.self);
}

/* The node's state, created on first use (never per packet: once per node). */
static struct node_session *session_get(px_node *n, bool create) {
	struct node_session **slot = session_slot(n);

	if (!slot) {
		return NULL;
	}

	if (!*slot && create) {
		struct node_session *ns = calloc(1, sizeof(*ns));

		if (!ns) {
			return NULL;
		}

		ns->n = n;
		ns->timer = sp.host->timer_new(session_timeout, ns);
		snprintf(ns->name, sizeof(ns->name), "%s", sp.host->node_name(n));
		*slot = ns;
	}

	return *slot;
}

static void destroy(struct node_session *ns) {
	sptps_free(ns->s);

	for (int i = 0; i < 4; i++) {
		sptps_free(ns->dead[i]);
	}

	if (ns->timer) {
		sp.host->timer_free(ns->timer);
	}

	free(ns);
}

static void hold(struct node_session *ns) {
	ns->busy++;
}

/* End of a call into the session; false if ns is gone now. */
static bool release(struct node_session *ns) {
	if (--ns->busy > 0) {
		return !ns->doomed;
	}

	for (int i = 0; i < 4; i++) {
		sptps_free(ns->dead[i]);
		ns->dead[i] = NULL;
	}

	if (ns->doomed) {
		destroy(ns);
		return false;
	}

	return true;
}

/* Free a session now, or when the call running on it returns. */
static void retire(struct node_session *ns, sptps_t *s) {
	if (!s) {
		return;
	}

	if (ns->busy) {
		for (int i = 0; i < 4; i++) {
			if (!ns->dead[i]) {
				ns->dead[i] = s;
				return;
			}
		}

		LOG(PX_LOG_ERROR, "Too many SPTPS sessions with %s replaced at once", ns->name);
		return; /* leaked rather than freed under a running call */
	}

	sptps_free(s);
}

static void timer_off(struct node_session *ns) {
	if (ns->timer && sp.host->timer_disarm) {
		sp.host->timer_disarm(ns->timer);
	}
}

/* Drop the SPTPS session but keep the node's bookkeeping. */
static void session_stop(struct node_session *ns) {
	if (ns->s) {
		retire(ns, ns->s);
		ns->s = NULL;
	}

	if (ns->valid) {
		ns->valid = false;
		sp.host->node_key_changed(ns->n, false);
	}

	ns->rekeying = false;
	timer_off(ns);
}

static void session_free(px_node *n) {
	struct node_session **slot = session_slot(n);

	if (slot && *slot) {
		struct node_session *ns = *slot;
		*slot = NULL;

		if (ns->busy) {
			ns->doomed = true;
			timer_off(ns);
			return;
		}

		destroy(ns);
	}
}

/* How long the running handshake may take: doubles with every timeout. */
static uint32_t handshake_deadline(const struct node_session *ns) {
	unsigned shift = ns->timeouts < 3 ? ns->timeouts : 3;
	return SPTPS_HANDSHAKE_MS << shift;
}

static void arm_deadline(struct node_session *ns) {
	ns->started_ms = sp.host->now_ms();

	if (ns->timer) {
		sp.host->timer_arm(ns->timer, handshake_deadline(ns));
	}
}

/* Handshake records travel base64-encoded over the meta network. */
static bool session_send_cb(void *ctx, uint8_t type, const uint8_t *wire, size_t len) {
	struct node_session *ns = ctx;
	char b64[SPTPS_B64_LEN(SPTPS_MAX_B64_RECORD) + 1];
	const char *me = sp.host->self_name();

	if (type != SPTPS_HANDSHAKE || len > SPTPS_MAX_B64_RECORD || ns->doomed) {
		return false; /* data records go through seal() */
	}

	sptps_b64_encode(b64, wire, len, false);

	if (ns->first_kex) {
		ns->first_kex = false;
		return sp.host->send_to_node(ns->n, "%d %s %s %d %s", PX_REQ_REQ_KEY, me, ns->name,
		                             PX_REQ_REQ_KEY, b64) >= 0;
	}

	return sp.host->send_to_node(ns->n, "%d %s %s %s -1 -1 -1 %d", PX_REQ_ANS_KEY, me, ns->name, b64,
	                             sp.host->node_in_compression(ns->n)) >= 0;
}

/* Turn a data record into an Ethernet frame (router mode records carry
 * bare IP packets). Returns the frame length or -1. frame has room for
 * PX_ETH_HLEN bytes before body when needed. */
static int record_to_frame(uint8_t type, uint8_t *body, size_t len, uint8_t **frame, uint16_t *flags) {
	if (len > PX_MTU) {
		return -1;
	}

	if (type == SPTPS_PKT_PROBE) {
		*frame = body;
		*flags |= PX_BUF_PROBE;
		return (int)len;
	}

	if (type & ~(SPTPS_PKT_COMPRESSED | SPTPS_PKT_MAC)) {
		return -1;
	}

	if (type & SPTPS_PKT_MAC) {
		*frame = body;

		if (type & SPTPS_PKT_COMPRESSED) {
#ifdef PX_BUF_COMPRESSED
			*flags |= PX_BUF_COMPRESSED;
#else
			return -1;
#endif
		}

		return (int)len;
	}

	if (type & SPTPS_PKT_COMPRESSED) {
		/* tinc 1.1 in router mode compresses the bare IP packet: the core
		 * decompresses it and then adds the Ethernet header (ABI 1.1). */
#ifdef PX_BUF_ADD_ETH
		if (!len)
			return -1;
		*frame = body;
		*flags |= PX_BUF_COMPRESSED | PX_BUF_ADD_ETH;
		return (int)len;
#else
		return -1;
#endif
	}

	if (!len) {
		return -1;
	}

	uint8_t *f = body - PX_ETH_HLEN;
	memset(f, 0, 12);

	switch (body[0] >> 4) {
	case 4:
		f[12] = 0x08;
		f[13] = 0x00;
		break;

	case 6:
		f[12] = 0x86;
		f[13] = 0xdd;
		break;

	default:
		return -1;
	}

	*frame = f;
	return (int)len + PX_ETH_HLEN;
}

/* Records that reach a session outside open() (SPTPS_PACKET in REQ_KEY). */
static bool session_receive_cb(void *ctx, uint8_t type, const uint8_t *data, size_t len) {
	struct node_session *ns = ctx;

	if (ns->doomed) {
		return true;
	}

	if (type == SPTPS_HANDSHAKE) {
		if (!ns->valid) {
			LOG(PX_LOG_PROTOCOL, "SPTPS key exchange with %s successful", ns->name);
		} else {
			LOG(PX_LOG_TRAFFIC, "SPTPS key renegotiation with %s successful", ns->name);
		}

		ns->valid = true;
		ns->rekeying = false;
		ns->timeouts = 0;
		ns->last_ok_ms = sp.host->now_ms();
		timer_off(ns);
		sp.host->node_key_changed(ns->n, true);
		return true;
	}

	uint8_t storage[PX_MTU + 64];
	uint8_t *frame;
	uint16_t flags = PX_BUF_VIA_TCP;

	if (len > PX_MTU || type == SPTPS_PKT_PROBE) {
		return true; /* probes are only valid over UDP: drop */
	}

	memcpy(storage + 32, data, len);
	int flen = record_to_frame(type, storage + 32, len, &frame, &flags);

	if (flen < 0) {
		LOG(PX_LOG_TRAFFIC, "Dropping SPTPS record of type %u from %s", type, ns->name);
		return true;
	}

	struct px_buf b = {.base = storage,
	                   .data = frame,
	                   .len = (uint32_t)flen,
	                   .cap = sizeof(storage),
	                   .flags = flags,
	                   .node = ns->n};
	sp.host->deliver_packets(ns->n, &b, 1);
	return true;
}

static void session_log_cb(void *ctx, enum sptps_log_level level, const char *msg) {
	struct node_session *ns = ctx;

	/* per-packet rejections belong to the traffic debug level; open()
	 * writes a rate-limited summary at the error level */
	if (ns->in_data_path || (ns->valid && level == SPTPS_LOG_ERROR)) {
		level = SPTPS_LOG_DEBUG;
	}

	sptps_glue_log(ns->name, level, msg);
}

static struct node_session *session_start(px_node *n, bool initiator) {
	const char *peer = sp.host->node_name(n);
	const char *me = sp.host->self_name();
	struct sptps_key hiskey;
	char label[256];
	struct node_session *ns = session_get(n, true);

	if (!ns) {
		return NULL;
	}

	session_stop(ns);

	if (!sp.mykey.has_private || !sptps_peer_key(peer, &hiskey)) {
		return NULL;
	}

	int len = snprintf(label, sizeof(label), "tinc UDP key expansion %s %s", initiator ? me : peer,
	                   initiator ? peer : me);

	if (len < 0 || (size_t)len >= sizeof(label)) {
		return NULL;
	}

	ns->first_kex = initiator;
	arm_deadline(ns);

	struct sptps_params p = {
	    .initiator = initiator,
	    .datagram = true,
	    .mykey = &sp.mykey,
	    .hiskey = &hiskey,
	    .label = label,
	    .labellen = (size_t)len + 1,
	    .replaywin = sp.replaywin,
	    .jump_at_once = true, /* records are authentic: a far jump is real loss */
	    .cb = {ns, session_send_cb, session_receive_cb, sptps_glue_random, session_log_cb, NULL},
	};

	sptps_t *s = NULL;
	hold(ns);
	int err = sptps_start(&s, &p);

	if (ns->doomed || ns->s) { /* dropped or restarted meanwhile */
		retire(ns, s);
		s = NULL;
	} else {
		ns->s = s;
	}

	if (!release(ns)) {
		return NULL;
	}

	if (err != SPTPS_OK || !s) {
		timer_off(ns);
		return NULL;
	}

	return ns;
}

static void request_pubkey(px_node *n) {
	sp.host->send_to_node(n, "%d %s %s %d", PX_REQ_REQ_KEY, sp.host->self_name(), sp.host->node_name(n),
	                      PX_REQ_REQ_PUBKEY);
}

/* Open a session with `to` as the initiator (REQ_KEY), or ask for its key. */
static void start_key_exchange(px_node *to) {
	struct sptps_key k;

	if (!sptps_peer_key(sp.host->node_name(to), &k)) {
		request_pubkey(to);
		return;
	}

	LOG(PX_LOG_PROTOCOL, "Starting SPTPS key exchange with %s", sp.host->node_name(to));
	session_start(to, true);
}

void sptps_key_request(px_plugin *self, px_node *to) {
	struct node_session *ns = session_get(to, false);

	(void)self;

	/* up, or a handshake is under way: its timer retries it if need be */
	if (ns && ns->s) {
		return;
	}

	start_key_exchange(to);
}

/*
 * The handshake (or a renegotiation we started) did not finish in time:
 * the request or an answer was lost (a relay went away, the peer
 * restarted). Start over with a fresh REQ_KEY; the deadline doubles with
 * every consecutive timeout.
 */
static void session_timeout(void *arg) {
	struct node_session *ns = arg;

	if (!ns->s) {
		return;
	}

	if (ns->valid && sptps_can_renegotiate(ns->s)) {
		ns->rekeying = false; /* finished meanwhile (peer's side) */
		return;
	}

	if (!sp.host->node_reachable || !sp.host->node_reachable(ns->n)) {
		session_stop(ns);
		return;
	}

	ns->timeouts++;
	LOG(PX_LOG_CONNECTIONS, "SPTPS %s with %s timed out after %u ms, restarting it",
	    ns->valid ? "key renegotiation" : "key exchange", ns->name,
	    (unsigned)(sp.host->now_ms() - ns->started_ms));
	start_key_exchange(ns->n);
}

/* Feed one base64 record into n's session. A broken handshake is left to
 * its deadline (the peer may still be sending the records that fix it). */
static void feed_record(px_node *n, const char *b64) {
	uint8_t rec[SPTPS_MAX_B64_RECORD];
	struct node_session *ns = session_get(n, false);
	ssize_t len = sptps_b64_decode(rec, sizeof(rec), b64, strlen(b64));

	if (len < 0) {
		LOG(PX_LOG_ERROR, "Invalid base64 SPTPS record from %s", sp.host->node_name(n));
		return;
	}

	if (!ns || !ns->s) {
		LOG(PX_LOG_ERROR, "SPTPS record from %s without a session", sp.host->node_name(n));
		return;
	}

	hold(ns);
	ssize_t err = sptps_receive(ns->s, rec, (size_t)len);

	if (!release(ns)) {
		return;
	}

	if (err < 0) {
		LOG(PX_LOG_ERROR, "Rejected SPTPS handshake record from %s: %s", ns->name,
		    sptps_strerror((int)err));
	}

	/* A SIG over the wrong KEXes: one of us answered a stale request (both
	 * restarted while records were queued). This handshake cannot finish:
	 * start a fresh one at once, at most once a second. */
	uint64_t now = sp.host->now_ms();

	if (err == SPTPS_E_BAD_SIG && !ns->valid && now - ns->last_fail_restart_ms >= 1000) {
		ns->last_fail_restart_ms = now;
		LOG(PX_LOG_CONNECTIONS, "SPTPS key exchange with %s failed, restarting it", ns->name);
		start_key_exchange(n);
	}
}
/* ANS_PUBKEY: remember the key in hosts/<name> (as tinc does). */
static void store_pubkey(px_node *n, const char *b64) {
	struct sptps_key k;
	char path[512];
	const char *name = sp.host->node_name(n);

	if (sptps_peer_key(name, &k)) {
		return; /* we already trust a key for it */
	}

	if (!sptps_key_parse_public_b64(&k, b64)) {
		LOG(PX_LOG_ERROR, "Got an invalid Ed25519 public key from %s", name);
		return;
	}

	snprintf(path, sizeof(path), "%s/hosts/%s", sp.host->confbase(), name);
	FILE *f = fopen(path, "a");
	char *line = sptps_key_format_host_line(&k);

	if (!f || !line || fputs(line, f) < 0) {
		LOG(PX_LOG_ERROR, "Could not store the Ed25519 public key of %s in %s", name, path);
	} else {
		LOG(PX_LOG_PROTOCOL, "Learned the Ed25519 public key of %s", name);
	}

	if (f) {
		fclose(f);
	}

	free(line);
}

int sptps_key_on_req(px_plugin *self, px_node *from, const char *line) {
	char src[64], dst[64], rest[SPTPS_B64_LEN(SPTPS_MAX_B64_RECORD) + 1];
	int subtype;
	struct sptps_key k;

	(void)self;
	rest[0] = 0;

	if (sscanf(line, "%*d %63s %63s %d %2731s", src, dst, &subtype, rest) < 3) {
		LOG(PX_LOG_ERROR, "Got bad REQ_KEY from %s", sp.host->node_name(from));
		return 0;
	}

	switch (subtype) {
	case PX_REQ_REQ_KEY: { /* a peer starts a UDP session with us */
		struct node_session *ns = session_get(from, false);

		if (!sptps_peer_key(src, &k)) {
			request_pubkey(from);
			return 0;
		}

		/* Both sides opened a session at once (traffic both ways right
		 * after the node came up): if both gave way, both would wait as
		 * responders. The node with the smaller name keeps its own, unless
		 * the peer already answered it (then this REQ_KEY abandons it). */
		if (ns && ns->s && !ns->valid && sptps_is_initiator(ns->s) && !sptps_heard_peer(ns->s) &&
		    strcmp(sp.host->self_name(), src) < 0 &&
		    sp.host->now_ms() - ns->started_ms < handshake_deadline(ns)) {
			LOG(PX_LOG_PROTOCOL, "Both %s and we started an SPTPS key exchange: keeping ours",
			    src);
			return 0;
		}

		if (!session_start(from, false)) {
			return 0;
		}

		feed_record(from, rest);
		return 0;
	}

	case PX_REQ_REQ_PUBKEY: {
		char b64[SPTPS_PUBKEY_B64_LEN + 1];

		if (!sp.mykey.has_private) {
			return 0;
		}

		sptps_key_public_b64(&sp.mykey, b64);
		sp.host->send_to_node(from, "%d %s %s %d %s", PX_REQ_REQ_KEY, sp.host->self_name(), src,
		                      PX_REQ_ANS_PUBKEY, b64);
		return 0;
	}

	case PX_REQ_ANS_PUBKEY:
		store_pubkey(from, rest);
		return 0;

	case PX_REQ_SPTPS_PACKET: {
		struct node_session *ns = session_get(from, false);

		if (ns && ns->valid) {
			feed_record(from, rest);
		}

		return 0;
	}

	default:
		LOG(PX_LOG_ERROR, "Unknown REQ_KEY sub-type %d from %s", subtype, src);
		return 0;
	}
}

/* The reflexive UDP address a relay appended to an ANS_KEY (NAT traversal). */
static void use_reflexive_address(px_node *from, const char *host, const char *port) {
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;

	if (getaddrinfo(host, port, &hints, &ai) || !ai) {
		return;
	}

	struct px_addr a;
	memset(&a, 0, sizeof(a));
	if (ai->ai_addrlen <= sizeof(a.ss)) {
		memcpy(&a.ss, ai->ai_addr, ai->ai_addrlen);
		a.len = ai->ai_addrlen;
		sp.host->node_set_udp_addr(from, &a);
	}
	freeaddrinfo(ai);
}

int sptps_key_on_ans(px_plugin *self, px_node *from, const char *line) {
	char src[64], dst[64], b64[SPTPS_B64_LEN(SPTPS_MAX_B64_RECORD) + 1];
	char host[64], port[16];
	int level = 0;

	(void)self;

	int fields =
	    sscanf(line, "%*d %63s %63s %2731s %*s %*s %*s %d %63s %15s", src, dst, b64, &level, host, port);
	if (fields < 3) {
		LOG(PX_LOG_ERROR, "Got bad ANS_KEY from %s", sp.host->node_name(from));
		return 0;
	}

	if (level >= 0 && level <= PX_COMPRESS_MAX) {
		sp.host->node_set_out_compression(from, level);
	}

	feed_record(from, b64);
	if (fields == 6) {
		use_reflexive_address(from, host, port);
	}
	return 0;
}

bool sptps_key_valid(px_plugin *self, px_node *to) {
	struct node_session *ns = session_get(to, false);

	(void)self;
	return ns && ns->s && ns->valid;
}

void sptps_node_up(px_plugin *self, px_node *n) {
	(void)self;
	session_free(n); /* reachability changes discard the session (docs/protocol/sptps.md §6) */
}

void sptps_node_down(px_plugin *self, px_node *n) {
	(void)self;
	session_free(n);
}

unsigned sptps_seal(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n) {
	struct node_session *ns = session_get(to, false);
	unsigned alive = 0;

	(void)self;

	for (unsigned i = 0; i < n; i++) {
		struct px_buf *b = &bufs[i];
		uint8_t type;
		uint8_t *body = b->data;
		size_t len = b->len;

		if (!ns || !ns->s || !ns->valid || !len) {
			b->len = 0;
			continue;
		}

		if (b->flags & PX_BUF_PROBE) {
			type = SPTPS_PKT_PROBE;
#ifdef PX_BUF_COMPRESSED
		} else if (b->flags & PX_BUF_COMPRESSED) {
			type = SPTPS_PKT_MAC | SPTPS_PKT_COMPRESSED; /* the core compressed the whole frame */
#endif
		} else if (sp.router_mode && len >= PX_ETH_HLEN) {
			type = SPTPS_PKT_NORMAL;
			body += PX_ETH_HLEN;
			len -= PX_ETH_HLEN;
		} else {
			type = SPTPS_PKT_MAC;
		}

		uint8_t *rec = body - SPTPS_DATAGRAM_HEADER - 1;

		if (rec < b->base || body + len + SPTPS_TAG_LEN > b->base + b->cap) {
			b->len = 0;
			continue;
		}

		ssize_t wire = sptps_seal_datagram(ns->s, type, rec, len);

		if (wire < 0) {
			b->len = 0;
			continue;
		}

		b->data = rec;
		b->len = (uint32_t)wire;
		alive++;
	}

	return alive;
}

/*
 * Records from `ns` that we cannot open and that say the peer holds a
 * session we do not have (we restarted, or lost a handshake): after a
 * quiet second of nothing but such records, start a fresh key exchange,
 * which tells the peer to drop its session. At most one per
 * SPTPS_NUDGE_MS, and only once SPTPS_NUDGE_BYTES of them arrived, so
 * forged datagrams cannot make us send more than they cost.
 */
static void maybe_nudge(struct node_session *ns, size_t len) {
	uint64_t now = sp.host->now_ms();

	ns->bad_bytes += len;

	if (ns->bad_bytes < SPTPS_NUDGE_BYTES || now - ns->last_nudge_ms < SPTPS_NUDGE_MS) {
		return;
	}

	if (ns->s && ns->valid && now - ns->last_ok_ms < SPTPS_NUDGE_MS) {
		return; /* the session works: a few bad records are noise */
	}

	if (ns->s && !ns->valid && now - ns->started_ms < handshake_deadline(ns)) {
		return; /* a handshake is under way */
	}

	if (!sp.host->node_reachable || !sp.host->node_reachable(ns->n)) {
		return;
	}

	ns->last_nudge_ms = now;
	ns->bad_bytes = 0;
	LOG(PX_LOG_CONNECTIONS, "Records from %s do not match our SPTPS session: starting a new key exchange",
	    ns->name);
	start_key_exchange(ns->n);
}

/* One summary line per node and second for dropped records (the
 * per-record reasons are at the traffic debug level). */
static void count_drop(struct node_session *ns, int err) {
	uint64_t now = sp.host->now_ms();

	ns->drops++;
	ns->last_err = err;

	if (now - ns->last_drop_log_ms >= 1000) {
		LOG(PX_LOG_ERROR, "Dropped %llu SPTPS record(s) from %s (last: %s)",
		    (unsigned long long)ns->drops, ns->name, sptps_strerror(err));
		ns->last_drop_log_ms = now;
		ns->drops = 0;
	}
}

unsigned sptps_open(px_plugin *self, px_node *from, struct px_buf *bufs, unsigned n) {
	struct node_session *ns = session_get(from, true);
	unsigned alive = 0;

	(void)self;

	for (unsigned i = 0; i < n; i++) {
		struct px_buf *b = &bufs[i];
		uint8_t type = 0;
		size_t len;
		int err = SPTPS_E_STATE;
		uint32_t wirelen = b->len;

		if (ns && ns->s) {
			ns->in_data_path = true;
			hold(ns);
			err = sptps_open_datagram(ns->s, b->data, b->len, &type, &len);
			ns->in_data_path = false;

			if (!release(ns)) {
				ns = NULL;
			}
		}

		if (!ns) {
			b->len = 0;
			continue;
		}

		if (err != SPTPS_OK || type == SPTPS_HANDSHAKE) {
			b->len = 0;

			if (ns && err != SPTPS_OK) {
				count_drop(ns, err);

				if (err == SPTPS_E_AUTH || err == SPTPS_E_STATE || err == SPTPS_E_SEQNO ||
				    err == SPTPS_E_UNEXPECTED) {
					maybe_nudge(ns, wirelen);
				}
			}

			continue;
		}

		ns->last_ok_ms = sp.host->now_ms();
		uint8_t *body = b->data + SPTPS_DATAGRAM_HEADER + 1;

		/* room for the Ethernet header of a router-mode record */
		if (body - b->base < PX_ETH_HLEN) {
			b->len = 0;
			continue;
		}

		uint8_t *frame;
		int flen = record_to_frame(type, body, len, &frame, &b->flags);

		if (flen < 0) {
			count_drop(ns, SPTPS_E_BAD_TYPE);
			b->len = 0;
			continue;
		}

		b->data = frame;
		b->len = (uint32_t)flen;
		alive++;
	}

	return alive;
}

struct identify_ctx {
	const struct px_buf *buf;
	px_node *found;
};

static bool identify_one(px_node *n, void *arg) {
	struct identify_ctx *ic = arg;
	struct node_session *ns = session_get(n, false);

	if (ns && ns->s && ns->valid && sptps_verify_datagram(ns->s, ic->buf->data, ic->buf->len) == 0) {
		ic->found = n;
		return false;
	}

	return true;
}

/* Trial verification (no state change) against every established session. */
px_node *sptps_identify(px_plugin *self, const struct px_buf *buf) {
	struct identify_ctx ic = {buf, NULL};

	(void)self;
	sp.host->node_foreach(identify_one, &ic);
	return ic.found;
}

const char *sptps_describe(px_plugin *self, px_node *n) {
	struct node_session *ns = session_get(n, false);

	(void)self;

	if (!ns || !ns->s) {
		return "-";
	}

	if (!ns->valid) {
		return "sptps-handshake";
	}

	return sptps_can_renegotiate(ns->s) ? "sptps" : "sptps-rekey";
}

static bool rekey_one(px_node *n, void *arg) {
	struct node_session *ns = session_get(n, false);

	(void)arg;

	/* a renegotiation already running (either side's) is left alone */
	if (ns && ns->s && ns->valid && sptps_can_renegotiate(ns->s)) {
		hold(ns);
		int err = sptps_force_kex(ns->s);

		if (release(ns) && err == SPTPS_OK) {
			ns->rekeying = true;
			arm_deadline(ns);
		}
	}

	return true;
}

/* KeyExpire: renegotiate every UDP session that is up. */
void sptps_expire_keys(void *arg) {
	(void)arg;
	sp.host->node_foreach(rekey_one, NULL);
	sp.host->timer_arm(sp.expire_timer, (uint32_t)sp.keyexpire_s * 1000u);
}

static bool free_one(px_node *n, void *arg) {
	(void)arg;
	session_free(n);
	return true;
}

void sptps_nodes_free_all(void) {
	if (sp.host) {
		sp.host->node_foreach(free_one, NULL);
	}
}
