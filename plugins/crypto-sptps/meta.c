/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * SPTPS on meta connections (docs/protocol/sptps.md §8,
 * docs/protocol/meta.md §1.2): right
 * after the ID exchange both directions become an SPTPS stream; every
 * request the core sends becomes one type-0 record and every type-0 record
 * received is handed to the core's line parser.
 *
 * Both filters share one session. The core may tear the connection down
 * from inside conn_deliver() (called from our receive loop), so the session
 * is reference-counted and freed only when no loop is running on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sptps_plugin.h"

struct meta_session {
	sptps_t *s;
	px_conn *c;
	int refs; /* filters still holding it */
	int busy; /* receive loops running on it */
	bool authenticated;
	char peer[64];
};

static void meta_release(struct meta_session *m) {
	if (--m->refs > 0 || m->busy) {
		return;
	}

	sptps_free(m->s);
	free(m);
}

static bool meta_send_cb(void *ctx, uint8_t type, const uint8_t *wire, size_t len) {
	struct meta_session *m = ctx;

	(void)type;
	return m->refs > 0 && sp.host->conn_write_wire(m->c, wire, len) == 0;
}

static bool meta_receive_cb(void *ctx, uint8_t type, const uint8_t *data, size_t len) {
	struct meta_session *m = ctx;

	if (m->refs <= 0) {
		return false; /* the connection is gone */
	}

	if (type == SPTPS_HANDSHAKE) {
		if (!m->authenticated) {
			m->authenticated = true;
			LOG(PX_LOG_PROTOCOL, "SPTPS authentication with %s succeeded", m->peer);
			sp.host->conn_auth_done(m->c); /* sends our ACK through the filter */
		}

		return true;
	}

	if (type != 0) {
		LOG(PX_LOG_ERROR, "Unexpected SPTPS record type %u on the meta connection with %s", type,
		    m->peer);
		return false;
	}

	return sp.host->conn_deliver(m->c, data, len) == 0;
}

static void meta_log_cb(void *ctx, enum sptps_log_level level, const char *msg) {
	struct meta_session *m = ctx;
	sptps_glue_log(m->peer, level, msg);
}

/* Writing the record may close the connection (output buffer overflow,
 * write error), which frees the filter while SPTPS is still inside
 * send_record: hold the session like filter_recv does and free it after. */
static int filter_send(void *ctx, px_conn *c, const uint8_t *data, size_t len) {
	struct meta_session *m = ctx;

	(void)c;
	m->busy++;
	bool sent = sptps_send_record(m->s, 0, data, len) == SPTPS_OK;
	m->busy--;

	if (m->refs <= 0 && !m->busy) {
		m->refs = 1;
		meta_release(m);
		return -1;
	}

	return sent ? 0 : -1;
}

static int filter_recv(void *ctx, px_conn *c, const uint8_t *data, size_t len) {
	struct meta_session *m = ctx;
	int ret = 0;

	(void)c;
	m->busy++;

	while (len && m->refs > 0) {
		ssize_t used = sptps_receive(m->s, data, len);

		if (used < 0) {
			ret = -1;
			break;
		}

		data += used;
		len -= (size_t)used;
	}

	if (m->refs <= 0) {
		ret = -1;
	}

	m->busy--;

	if (m->refs <= 0 && !m->busy) {
		m->refs = 1;
		meta_release(m);
	}

	return ret;
}

static void filter_free(void *ctx) {
	meta_release(ctx);
}

static const struct px_filter_ops meta_filter_ops = {
    .size = sizeof(struct px_filter_ops),
    .send = filter_send,
    .recv = filter_recv,
    .free = filter_free,
};

int sptps_meta_start(px_plugin *self, px_conn *c, void **state) {
	const char *peer = sp.host->conn_name(c);
	const char *me = sp.host->self_name();
	bool outgoing = sp.host->conn_outgoing(c);
	struct sptps_key hiskey;
	char label[256];

	(void)self;
	*state = NULL;

	if (!sp.mykey.has_private) {
		LOG(PX_LOG_ALWAYS, "No Ed25519 private key: cannot use SPTPS with %s", peer);
		return -1;
	}

	if (!sptps_peer_key(peer, &hiskey)) {
		LOG(PX_LOG_ALWAYS, "No Ed25519 public key known for %s", peer);
		return -1;
	}

	/* The connecting side is the initiator; the label names it first and
	 * includes the terminating NUL. */
	int n = snprintf(label, sizeof(label), "tinc TCP key expansion %s %s", outgoing ? me : peer,
	                 outgoing ? peer : me);

	if (n < 0 || (size_t)n >= sizeof(label)) {
		return -1;
	}

	struct meta_session *m = calloc(1, sizeof(*m));

	if (!m) {
		return -1;
	}

	m->c = c;
	m->refs = 2;
	snprintf(m->peer, sizeof(m->peer), "%s", peer);

	/* Our KEX goes out during sptps_start(), after our ID line: install
	 * the output filter afterwards so that it is written raw. */
	struct sptps_params p = {
	    .initiator = outgoing,
	    .datagram = false,
	    .mykey = &sp.mykey,
	    .hiskey = &hiskey,
	    .label = label,
	    .labellen = (size_t)n + 1,
	    .cb = {m, meta_send_cb, meta_receive_cb, sptps_glue_random, meta_log_cb, NULL},
	};
	int err = sptps_start(&m->s, &p);

	if (err) {
		LOG(PX_LOG_ERROR, "Could not start SPTPS with %s: %s", peer, sptps_strerror(err));
		free(m);
		return -1;
	}

	*state = m;
	sp.host->conn_set_filter(c, PX_DIR_OUT, &meta_filter_ops, m);
	sp.host->conn_set_filter(c, PX_DIR_IN, &meta_filter_ops, m);
	return 0;
}

/* Until the handshake is done no request may arrive: SPTPS itself refuses
 * application records before that, so anything here is a protocol error. */
int sptps_meta_request(px_plugin *self, void *state, px_conn *c, int reqno, const char *line) {
	(void)self;
	(void)state;
	(void)line;
	LOG(PX_LOG_ERROR, "Unauthorized request %d from %s during SPTPS authentication", reqno,
	    sp.host->conn_name(c));
	return -1;
}

/* The filters own the session (it outlives authentication). */
void sptps_meta_free(px_plugin *self, void *state) {
	(void)self;
	(void)state;
}
