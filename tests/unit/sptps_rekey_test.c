/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Datagram renegotiation when handshake records and data records take
 * different paths (meta connection vs UDP) and overtake each other:
 *  - data records between KEX and SIG keep working in both directions;
 *  - records under the peer's new key before its SIG / ACK arrived are
 *    accepted, records under the old key after the switch too;
 *  - the current key is never given up before the new one is confirmed;
 *  - handshake records far behind the data window still count;
 *  - replays (data and handshake) are refused with a log line;
 *  - a randomised run of renegotiations under traffic loses nothing and
 *    logs nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "sptps.h"

#define MAX_QUEUE 4096

struct record {
	uint8_t type;
	size_t len;
	uint8_t *wire;
};

struct queue {
	struct record r[MAX_QUEUE];
	size_t head, n;
};

struct side {
	const char *name;
	sptps_t *s;
	struct queue meta; /* handshake records: reliable and in order */
	struct queue udp;  /* data records */
	int completed;
	int received;
	uint32_t next_expected; /* payload counter of the peer's data */
	int out_of_order;
	int logs;
};

static struct sptps_key key_alpha, key_beta;

static void push(struct queue *q, uint8_t type, const uint8_t *wire, size_t len) {
	if (q->n == MAX_QUEUE) {
		CHECK(!"queue full");
		return;
	}

	struct record *r = &q->r[(q->head + q->n++) % MAX_QUEUE];
	r->type = type;
	r->len = len;
	r->wire = malloc(len);
	memcpy(r->wire, wire, len);
}

static struct record take(struct queue *q) {
	struct record r = q->r[q->head];
	q->head = (q->head + 1) % MAX_QUEUE;
	q->n--;
	return r;
}

static void clear(struct queue *q) {
	while (q->n) {
		free(take(q).wire);
	}
}

static bool cb_send(void *ctx, uint8_t type, const uint8_t *wire, size_t len) {
	struct side *sd = ctx;
	push(type == SPTPS_HANDSHAKE ? &sd->meta : &sd->udp, type, wire, len);
	return true;
}

static bool cb_receive(void *ctx, uint8_t type, const uint8_t *data, size_t len) {
	struct side *sd = ctx;

	if (type == SPTPS_HANDSHAKE) {
		sd->completed++;
		return true;
	}

	uint32_t v = 0;

	if (len >= 4) {
		memcpy(&v, data, 4);
	}

	if (v != sd->next_expected) {
		sd->out_of_order++;
	}

	sd->next_expected = v + 1;
	sd->received++;
	return true;
}

static void cb_log(void *ctx, enum sptps_log_level level, const char *msg) {
	struct side *sd = ctx;

	if (level <= SPTPS_LOG_WARNING) {
		sd->logs++;
	}

	if (getenv("SPTPS_TEST_VERBOSE")) {
		fprintf(stderr, "  [%s] %s\n", sd->name, msg);
	}
}

static void real_random(void *ctx, uint8_t *buf, size_t len) {
	(void)ctx;
	randombytes_buf(buf, len);
}

static void start(struct side *sd, const char *name, bool initiator, const struct sptps_key *mine,
                  const struct sptps_key *his) {
	static const char label[] = "tinc UDP key expansion alpha beta";
	struct sptps_params p = {
	    .initiator = initiator,
	    .datagram = true,
	    .mykey = mine,
	    .hiskey = his,
	    .label = label,
	    .labellen = sizeof(label),
	    .replaywin = 16,
	    .cb = {sd, cb_send, cb_receive, real_random, cb_log, NULL},
	};

	memset(sd, 0, sizeof(*sd));
	sd->name = name;
	CHECK(sptps_start(&sd->s, &p) == SPTPS_OK);
}

static ssize_t deliver(struct side *to, struct queue *q) {
	struct record r = take(q);
	ssize_t got = sptps_receive(to->s, r.wire, r.len);
	free(r.wire);
	return got;
}

/* Deliver every handshake record both ways. */
static void pump_meta(struct side *a, struct side *b) {
	while (a->meta.n || b->meta.n) {
		if (a->meta.n) {
			CHECK(deliver(b, &a->meta) > 0);
		}

		if (b->meta.n) {
			CHECK(deliver(a, &b->meta) > 0);
		}
	}
}

static void pair(struct side *a, struct side *b) {
	start(a, "alpha", true, &key_alpha, &key_beta);
	start(b, "beta", false, &key_beta, &key_alpha);
	pump_meta(a, b);
	CHECK(a->completed == 1 && b->completed == 1);
	CHECK(sptps_established(a->s) && sptps_established(b->s));
}

static void unpair(struct side *a, struct side *b) {
	clear(&a->meta);
	clear(&a->udp);
	clear(&b->meta);
	clear(&b->udp);
	sptps_free(a->s);
	sptps_free(b->s);
}

static uint32_t counter_a, counter_b;

/* Queue one numbered data record from sd. */
static void send_data(struct side *sd) {
	uint8_t buf[200];
	uint32_t *ctr = !strcmp(sd->name, "alpha") ? &counter_a : &counter_b;

	memcpy(buf, ctr, 4);
	(*ctr)++;
	randombytes_buf(buf + 4, sizeof(buf) - 4);
	CHECK(sptps_send_record(sd->s, 0, buf, sizeof(buf)) == SPTPS_OK);
}

/* Deliver the oldest queued data record of from; true if it was accepted. */
static bool deliver_data(struct side *from, struct side *to) {
	return deliver(to, &from->udp) > 0;
}

/* Renegotiation step by step, with data in between every step. */
static void test_data_during_rekey(void) {
	struct side a, b;

	counter_a = counter_b = 0;
	pair(&a, &b);
	CHECK(sptps_can_renegotiate(a.s) && sptps_can_renegotiate(b.s));

	CHECK(sptps_force_kex(a.s) == SPTPS_OK);
	CHECK(!sptps_can_renegotiate(a.s));
	CHECK(deliver(&b, &a.meta) > 0); /* KEX a -> b; b answers with its KEX */
	CHECK(b.meta.n == 1);
	/* data between KEX and SIG, both ways: still the current keys */
	send_data(&a);
	send_data(&b);
	CHECK(deliver_data(&a, &b) && deliver_data(&b, &a));
	CHECK(deliver(&a, &b.meta) > 0); /* KEX b -> a; a sends its SIG */
	CHECK(a.meta.n == 1);
	send_data(&a);
	send_data(&b);
	CHECK(deliver_data(&a, &b) && deliver_data(&b, &a));
	CHECK(a.completed == 1 && b.completed == 1);

	CHECK(deliver(&b, &a.meta) > 0); /* SIG a -> b; b sends SIG and ACK, switches */
	CHECK(b.meta.n == 2);
	/* b's first record under the new key overtakes b's SIG */
	send_data(&b);
	CHECK(deliver_data(&b, &a));
	/* a still sends under the old key, b still accepts it */
	send_data(&a);
	struct record late = a.udp.r[a.udp.head]; /* kept for a replay below */
	uint8_t late_copy[256];
	memcpy(late_copy, late.wire, late.len);
	size_t late_len = late.len;
	CHECK(deliver(&a, &b.meta) > 0); /* SIG b -> a; a sends ACK, switches */
	CHECK(a.meta.n == 1);
	/* a's first new-key record overtakes both a's ACK and a's late old record */
	send_data(&a);
	struct record older = take(&a.udp);
	struct record newer = take(&a.udp);
	CHECK(sptps_receive(b.s, newer.wire, newer.len) > 0);
	CHECK(b.completed == 2); /* switched on the record: the ACK is not needed */
	CHECK(sptps_receive(b.s, older.wire, older.len) > 0); /* old key, older seqno */
	free(newer.wire);
	free(older.wire);
	CHECK(deliver(&a, &b.meta) > 0); /* ACK b -> a */
	CHECK(a.completed == 2);
	CHECK(deliver(&b, &a.meta) > 0); /* a's stale ACK: swallowed quietly */
	CHECK(a.logs == 0 && b.logs == 0);
	CHECK(a.received == 3 && b.received == 4);

	/* a replay of the late old-key record is refused */
	CHECK(sptps_receive(b.s, late_copy, late_len) == SPTPS_E_REPLAY);
	/* a record under the old key with a seqno after the switch is refused */
	CHECK(b.logs == 1);
	send_data(&a);
	send_data(&b);
	CHECK(deliver_data(&a, &b) && deliver_data(&b, &a));
	CHECK(sptps_can_renegotiate(a.s) && sptps_can_renegotiate(b.s));
	unpair(&a, &b);
}

/* A renegotiation whose handshake records are far behind the data. */
static void test_handshake_behind_window(void) {
	struct side a, b;

	counter_a = counter_b = 0;
	pair(&a, &b);
	CHECK(sptps_force_kex(b.s) == SPTPS_OK);

	for (int i = 0; i < 1000; i++) {
		send_data(&a);
		send_data(&b);
		CHECK(deliver_data(&a, &b) && deliver_data(&b, &a));
	}

	CHECK(deliver(&a, &b.meta) > 0); /* KEX b -> a, 1000 records late */

	for (int i = 0; i < 500; i++) {
		send_data(&a);
		CHECK(deliver_data(&a, &b));
	}

	pump_meta(&a, &b);
	CHECK(a.completed == 2 && b.completed == 2);
	CHECK(a.logs == 0 && b.logs == 0);

	/* a replayed handshake record is refused */
	CHECK(sptps_force_kex(a.s) == SPTPS_OK);
	struct record kex = a.meta.r[a.meta.head];
	uint8_t copy[256];
	size_t len = kex.len;
	memcpy(copy, kex.wire, len);
	pump_meta(&a, &b);
	CHECK(a.completed == 3 && b.completed == 3);
	CHECK(sptps_receive(b.s, copy, len) == SPTPS_E_REPLAY && b.logs == 1);
	CHECK(sptps_can_renegotiate(b.s));
	send_data(&a);
	CHECK(deliver_data(&a, &b));
	unpair(&a, &b);
}

/* Random interleaving of the two paths, renegotiations started by either
 * side (or both) whenever none is running: no record lost, no log line. */
static void test_random_interleaving(void) {
	struct side a, b;
	int sent_a = 0, sent_b = 0, rekeys = 0;

	counter_a = counter_b = 0;
	pair(&a, &b);

	for (int step = 0; step < 200000; step++) {
		uint32_t r = randombytes_uniform(100);

		if (r < 15) {
			send_data(&a);
			sent_a++;
		} else if (r < 30) {
			send_data(&b);
			sent_b++;
		} else if (r < 50 && a.udp.n) {
			CHECK(deliver_data(&a, &b));
		} else if (r < 70 && b.udp.n) {
			CHECK(deliver_data(&b, &a));
		} else if (r < 80 && a.meta.n) {
			CHECK(deliver(&b, &a.meta) > 0);
		} else if (r < 90 && b.meta.n) {
			CHECK(deliver(&a, &b.meta) > 0);
		} else if (r < 91 && !a.udp.n && !b.udp.n) {
			/* old-key records still in flight when a second switch
			 * happens would be two keys old: start one only when the
			 * data path is drained (the real one is within a few ms) */
			uint32_t who = randombytes_uniform(3);

			if (who != 1 && sptps_can_renegotiate(a.s)) {
				CHECK(sptps_force_kex(a.s) == SPTPS_OK);
				rekeys++;
			}

			if (who != 0 && sptps_can_renegotiate(b.s)) {
				CHECK(sptps_force_kex(b.s) == SPTPS_OK);
				rekeys++;
			}
		}

		if (a.logs || b.logs) {
			break;
		}
	}

	while (a.udp.n) {
		CHECK(deliver_data(&a, &b));
	}

	while (b.udp.n) {
		CHECK(deliver_data(&b, &a));
	}

	pump_meta(&a, &b);
	printf("random interleaving: %d rekeys started, %d completions, %d + %d records\n", rekeys,
	       a.completed, sent_a, sent_b);
	CHECK(rekeys > 100 && a.completed > 50 && a.completed == b.completed);
	CHECK(b.received == sent_a && a.received == sent_b);
	CHECK(a.out_of_order == 0 && b.out_of_order == 0);
	CHECK(a.logs == 0 && b.logs == 0);
	unpair(&a, &b);
}

/* A burst of losses longer than the replay window: with jump_at_once the
 * first record after it is accepted (tinc's rule drops a few first). */
static void test_far_jump(bool at_once) {
	struct side a, b;
	static const char label[] = "tinc UDP key expansion alpha beta";
	struct sptps_params p = {
	    .initiator = true,
	    .datagram = true,
	    .mykey = &key_alpha,
	    .hiskey = &key_beta,
	    .label = label,
	    .labellen = sizeof(label),
	    .replaywin = 16,
	    .jump_at_once = at_once,
	    .cb = {&a, cb_send, cb_receive, real_random, cb_log, NULL},
	};

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.name = "alpha";
	b.name = "beta";
	CHECK(sptps_start(&a.s, &p) == SPTPS_OK);
	p.initiator = false;
	p.mykey = &key_beta;
	p.hiskey = &key_alpha;
	p.cb.ctx = &b;
	CHECK(sptps_start(&b.s, &p) == SPTPS_OK);
	pump_meta(&a, &b);
	counter_a = counter_b = 0;

	for (int i = 0; i < 300; i++) { /* 300 > 128: lost */
		send_data(&a);
		free(take(&a.udp).wire);
	}

	b.next_expected = 300;
	send_data(&a);
	CHECK(deliver_data(&a, &b) == at_once);
	CHECK(b.logs == 1); /* "Lost 300 records" or "ahead of the window" */
	unpair(&a, &b);
}

int main(void) {
	uint8_t seed[32];

	CHECK(sodium_init() >= 0);
	memset(seed, 1, sizeof(seed));
	sptps_key_from_seed(&key_alpha, seed);
	memset(seed, 2, sizeof(seed));
	sptps_key_from_seed(&key_beta, seed);

	test_data_during_rekey();
	test_handshake_behind_window();
	test_random_interleaving();
	test_far_jump(true);
	test_far_jump(false);
	return check_done("sptps_rekey_test");
}
