/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * SPTPS sessions end to end: the transcripts of docs/protocol/test-vectors.md §4-§5,
 * renegotiation in every order, the in-place datagram API, and bad input
 * (truncated, replayed, reordered, forged, oversized, out-of-order
 * handshake records, wrong signing key), each refused with its error code
 * and a log line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "sptps.h"

#define MAX_QUEUE 64

struct record {
	uint8_t type;
	size_t len;
	uint8_t *wire;
};

struct side {
	const char *name;
	struct sptps_key key;
	sptps_t *s;
	struct record out[MAX_QUEUE]; /* records sent, not yet delivered */
	size_t nout;
	int completed; /* handshake completions seen */
	int received;  /* application records seen */
	uint8_t last[2048];
	size_t lastlen;
	uint8_t lasttype;
	int logs;    /* error/warning lines */
	bool refuse; /* receive callback returns false */
};

/* ---- random sources ---- */

static unsigned vector_rng_calls; /* docs/protocol/test-vectors.md §0: k-th call = SHA-512("tinc-vector-k") */

static void vector_random(void *ctx, uint8_t *buf, size_t len) {
	char seed[32];
	uint8_t digest[64];

	(void)ctx;
	snprintf(seed, sizeof(seed), "tinc-vector-%u", vector_rng_calls++);
	crypto_hash_sha512(digest, (const uint8_t *)seed, strlen(seed));
	memcpy(buf, digest, len);
}

static void real_random(void *ctx, uint8_t *buf, size_t len) {
	(void)ctx;
	randombytes_buf(buf, len);
}

/* ---- callbacks ---- */

static bool cb_send(void *ctx, uint8_t type, const uint8_t *wire, size_t len) {
	struct side *sd = ctx;

	if (sd->nout == MAX_QUEUE) {
		return false;
	}

	struct record *r = &sd->out[sd->nout++];
	r->type = type;
	r->len = len;
	r->wire = malloc(len);
	memcpy(r->wire, wire, len);
	return true;
}

static bool cb_receive(void *ctx, uint8_t type, const uint8_t *data, size_t len) {
	struct side *sd = ctx;

	if (type == SPTPS_HANDSHAKE) {
		sd->completed++;
		return true;
	}

	if (sd->refuse) {
		return false;
	}

	sd->received++;
	sd->lasttype = type;
	sd->lastlen = len < sizeof(sd->last) ? len : sizeof(sd->last);
	memcpy(sd->last, data, sd->lastlen);
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

/* ---- helpers ---- */

static void unhex(const char *s, uint8_t *out, size_t len) {
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static bool wire_is(const struct record *r, const char *hexstr) {
	size_t len = strlen(hexstr) / 2;
	uint8_t buf[512];

	if (len != r->len || len > sizeof(buf)) {
		return false;
	}

	unhex(hexstr, buf, len);
	return !memcmp(buf, r->wire, len);
}

/* Remove and return the oldest queued record of sd (caller frees wire). */
static struct record pop(struct side *sd) {
	struct record r = sd->out[0];

	memmove(sd->out, sd->out + 1, (sd->nout - 1) * sizeof(sd->out[0]));
	sd->nout--;
	return r;
}

static void drop_all(struct side *sd) {
	while (sd->nout) {
		free(pop(sd).wire);
	}
}

static ssize_t deliver(struct side *to, const struct record *r) {
	return sptps_receive(to->s, r->wire, r->len);
}

/* Deliver everything queued, both ways, until both are quiet. */
static bool pump(struct side *a, struct side *b) {
	while (a->nout || b->nout) {
		struct side *from = a->nout ? a : b;
		struct side *to = from == a ? b : a;
		struct record r = pop(from);
		ssize_t got = deliver(to, &r);
		free(r.wire);

		if (got < 0) {
			return false;
		}
	}

	return true;
}

static void make_key(struct sptps_key *k, uint8_t fill) {
	uint8_t seed[32];

	memset(seed, fill, sizeof(seed));
	sptps_key_from_seed(k, seed);
}

static struct sptps_key key_alpha, key_beta, key_mallory;

static int start(struct side *sd, bool initiator, bool datagram, const struct sptps_key *mine,
                 const struct sptps_key *his, const char *label, size_t labellen, unsigned replaywin,
                 void (*rnd)(void *, uint8_t *, size_t)) {
	struct sptps_params p = {
	    .initiator = initiator,
	    .datagram = datagram,
	    .mykey = mine,
	    .hiskey = his,
	    .label = label,
	    .labellen = labellen,
	    .replaywin = replaywin,
	    .cb = {sd, cb_send, cb_receive, rnd, cb_log, NULL},
	};
	return sptps_start(&sd->s, &p);
}

static const char tcp_label[] = "tinc TCP key expansion alpha beta"; /* + its NUL: 34 bytes */
static const char udp_label[] = "tinc UDP key expansion alpha beta";

/* A pair of sessions; established if pumped. */
static void pair(struct side *a, struct side *b, bool datagram, bool establish) {
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->name = "alpha";
	b->name = "beta";
	CHECK(start(a, true, datagram, &key_alpha, &key_beta, tcp_label, sizeof(tcp_label), 16,
	            real_random) == 0);
	CHECK(start(b, false, datagram, &key_beta, &key_alpha, tcp_label, sizeof(tcp_label), 16,
	            real_random) == 0);

	if (establish) {
		CHECK(pump(a, b));
		CHECK(sptps_established(a->s) && sptps_established(b->s));
		CHECK(a->completed == 1 && b->completed == 1);
	}
}

static void unpair(struct side *a, struct side *b) {
	drop_all(a);
	drop_all(b);
	sptps_free(a->s);
	sptps_free(b->s);
	a->s = b->s = NULL;
}

/* ---- docs/protocol/test-vectors.md transcripts ---- */

static void test_vector_md_stream(void) {
	struct side a = {.name = "alpha"}, b = {.name = "beta"};
	struct sptps_key ka, kb;
	uint8_t seed[32];

	for (int i = 0; i < 32; i++) {
		seed[i] = (uint8_t)i;
	}

	sptps_key_from_seed(&ka, seed);

	for (int i = 0; i < 32; i++) {
		seed[i] = (uint8_t)(0x80 + i);
	}

	sptps_key_from_seed(&kb, seed);
	vector_rng_calls = 0;
	CHECK(start(&a, true, false, &ka, &kb, tcp_label, sizeof(tcp_label), 0, vector_random) == 0);
	CHECK(start(&b, false, false, &kb, &ka, tcp_label, sizeof(tcp_label), 0, vector_random) == 0);
	CHECK(a.nout == 1 &&
	      wire_is(&a.out[0], "00418000747f5306c4e8cc6286613af73785b09f4a1d28696fb89005f197af6308b8feb"
	                         "c90fb046956f5b166c060c1e35e9810886cf1ddc7c79be2d2ce9c5ba8631f934e"));
	CHECK(b.nout == 1 &&
	      wire_is(&b.out[0], "00418000db1deea97ada1dcce981964009211f637b9bcc6582db5f32df171788b516c09"
	                         "9d541eea549364b954231377af043f3efb801e8f938db978c2e2c43738394488e"));
	CHECK(pump(&a, &b));
	/* the SIGs were checked by the peers; now the data records */
	CHECK(sptps_send_record(a.s, 0, "8\n", 2) == 0);
	CHECK(a.nout == 1 && wire_is(&a.out[0], "000237273ccfd612cfefc70191bccbac1fc3b713f1"));
	CHECK(sptps_send_record(b.s, 0, "9\n", 2) == 0);
	CHECK(b.nout == 1 && wire_is(&b.out[0], "000218b2038f62565077e082ce40973e4be62cc9e3"));
	CHECK(pump(&a, &b));
	CHECK(a.received == 1 && a.lastlen == 2 && !memcmp(a.last, "9\n", 2));
	CHECK(b.received == 1 && b.lastlen == 2 && !memcmp(b.last, "8\n", 2));
	unpair(&a, &b);
}

static void test_vector_md_datagram(void) {
	static const char *const expect[] = {
	    "000000008000747f5306c4e8cc6286613af73785b09f4a1d28696fb89005f197af6308b8febc90fb046956f5b166c060"
	    "c1e35e9810"
	    "886cf1ddc7c79be2d2ce9c5ba8631f934e",
	    "000000008000db1deea97ada1dcce981964009211f637b9bcc6582db5f32df171788b516c099d541eea549364b954231"
	    "377af043f3"
	    "efb801e8f938db978c2e2c43738394488e",
	    "00000001800ec93b7e75e382ddde62d1b792fe12450e75ed95cbd9093b4dd3e464bd2d8fc7105e4187a9937081f9cb46"
	    "9918178cd7"
	    "6af86b43277735e095bae3d2e1fc5007",
	    "000000018009e9022d2a0e87dae3b1b609ac345fd2c9ac0d0af1af753440ca882d0576cc63f0c62c6d7ce14eb20b92d1"
	    "766e1faea0"
	    "23b91110ce1682f29a6f6f7a12aa1c04",
	    "00000002865b64e5e0b3cf6951d1241020fe4fecb53f72",
	    "00000002b6c0652672833b6e98c16357788679f4a56418",
	    "000000038374090a96c0e97559ccd5bc79249f379b9fe876c54c1a64f6d69b29049cccedf1069bcabb6fb870a8b161b9"
	    "5d538c9381"
	    "ae35641f5739822013bded23a2e0674d8fd26052e3747c8b0fc95b6f1207c51bac",
	    "000000037151f7c00bbfbee4c0c9024b7c98fae51d5c4dcb6289e6f607bcfad9ef20793dd9170e24607aba73cd9ae72a"
	    "ab98a809e6"
	    "f96fd8ef0254a2253f462cb5b54780a2490b94b85162d95aef1fed0fa800fe29fb",
	    "00000004690f5e5bb848da9effc686c2129c0498b7da60bc1337fbdd202323553f6bc6aa41497a66daae8fdabc46b7ea"
	    "cd54537492"
	    "2fb43e3fc18f3db1ff6668682b0d509a2b97c19a078c2bd7187abbf39dcbeda9",
	    "0000000494a0f2eb365e248a6d42233c4b911d9b950c75e0d6a42470a5df14b0a42f237ac80b57dd1a7435c853f68ff7"
	    "5228b16eec"
	    "c837d0497b31db78afd9cf4a0926b1ca2b67d947958a991dc5ef9ee100837df1",
	    "00000005994cd9904ae7943b5731a8b904a13fe73d",
	    "00000005bbcba0ad1d01232bcc87d9b67fe4650be3",
	    "00000006a534ebd0b5dd40596f9cdc791dd360e74a0b8e",
	};
	struct side a = {.name = "alpha"}, b = {.name = "beta"};
	struct sptps_key ka, kb;
	uint8_t seed[32];
	struct record r;

	for (int i = 0; i < 32; i++) {
		seed[i] = (uint8_t)i;
	}

	sptps_key_from_seed(&ka, seed);

	for (int i = 0; i < 32; i++) {
		seed[i] = (uint8_t)(0x80 + i);
	}

	sptps_key_from_seed(&kb, seed);
	vector_rng_calls = 0;
	CHECK(start(&a, true, true, &ka, &kb, udp_label, sizeof(udp_label), 16, vector_random) == 0);
	CHECK(start(&b, false, true, &kb, &ka, udp_label, sizeof(udp_label), 16, vector_random) == 0);
	CHECK(wire_is(&a.out[0], expect[0]) && wire_is(&b.out[0], expect[1]));
	r = pop(&a);
	CHECK(deliver(&b, &r) == (ssize_t)r.len);
	free(r.wire);
	r = pop(&b);
	CHECK(deliver(&a, &r) == (ssize_t)r.len);
	free(r.wire);
	CHECK(a.nout == 1 && wire_is(&a.out[0], expect[2]));
	r = pop(&a);
	CHECK(deliver(&b, &r) == (ssize_t)r.len);
	free(r.wire);
	CHECK(b.nout == 1 && wire_is(&b.out[0], expect[3]));
	CHECK(pump(&a, &b));
	CHECK(sptps_send_record(a.s, 0, "8\n", 2) == 0 && wire_is(&a.out[0], expect[4]));
	CHECK(sptps_send_record(b.s, 0, "9\n", 2) == 0 && wire_is(&b.out[0], expect[5]));
	CHECK(pump(&a, &b));

	/* rekey started by alpha */
	CHECK(sptps_force_kex(a.s) == 0 && wire_is(&a.out[0], expect[6]));
	r = pop(&a);
	CHECK(deliver(&b, &r) == (ssize_t)r.len); /* beta answers KEX' */
	free(r.wire);
	CHECK(b.nout == 1 && wire_is(&b.out[0], expect[7]));
	r = pop(&b);
	CHECK(deliver(&a, &r) == (ssize_t)r.len); /* alpha answers SIG' */
	free(r.wire);
	CHECK(a.nout == 1 && wire_is(&a.out[0], expect[8]));
	r = pop(&a);
	CHECK(deliver(&b, &r) == (ssize_t)r.len); /* beta: SIG' and ACK */
	free(r.wire);
	CHECK(b.nout == 2 && wire_is(&b.out[0], expect[9]) && wire_is(&b.out[1], expect[10]));
	r = pop(&b);
	CHECK(deliver(&a, &r) == (ssize_t)r.len); /* alpha: ACK */
	free(r.wire);
	CHECK(a.nout == 1 && wire_is(&a.out[0], expect[11]));
	CHECK(pump(&a, &b));
	CHECK(a.completed == 2 && b.completed == 2);
	CHECK(sptps_send_record(a.s, 0, "8\n", 2) == 0 && wire_is(&a.out[0], expect[12]));
	CHECK(pump(&a, &b));
	CHECK(b.received == 2 && !memcmp(b.last, "8\n", 2));
	unpair(&a, &b);
}

/* ---- renegotiation orders ---- */

static void exchange(struct side *a, struct side *b, size_t len) {
	uint8_t buf[1500];
	int ra = a->received, rb = b->received;

	randombytes_buf(buf, len);
	CHECK(sptps_send_record(a->s, 3, buf, len) == 0);
	CHECK(sptps_send_record(b->s, 5, buf, len) == 0);
	CHECK(pump(a, b));
	CHECK(a->received == ra + 1 && a->lasttype == 5 && a->lastlen == len && !memcmp(a->last, buf, len));
	CHECK(b->received == rb + 1 && b->lasttype == 3 && b->lastlen == len && !memcmp(b->last, buf, len));
}

static void test_renegotiation(bool datagram) {
	struct side a, b;

	pair(&a, &b, datagram, true);
	exchange(&a, &b, 100);

	for (int round = 0; round < 12; round++) {
		int before = a.completed;

		switch (round % 3) {
		case 0:
			CHECK(sptps_force_kex(a.s) == 0);
			break;

		case 1:
			CHECK(sptps_force_kex(b.s) == 0);
			break;

		case 2: /* both at once */
			CHECK(sptps_force_kex(a.s) == 0);
			CHECK(sptps_force_kex(b.s) == 0);
			break;
		}

		/* a second rekey while one runs is refused */
		CHECK(sptps_force_kex(a.s) == SPTPS_E_STATE || round % 3 == 1);
		CHECK(pump(&a, &b));
		CHECK(a.completed == before + 1 && b.completed == a.completed);
		exchange(&a, &b, (size_t)round * 100);
	}

	unpair(&a, &b);
}

/* ---- bad input ---- */

/* A plaintext stream record. */
static size_t plain_stream(uint8_t *out, uint8_t type, const uint8_t *body, size_t len) {
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	out[2] = type;
	memcpy(out + 3, body, len);
	return len + 3;
}

static void expect_refusal(struct side *sd, const uint8_t *data, size_t len, int code) {
	int logs = sd->logs;
	ssize_t r = sptps_receive(sd->s, data, len);

	if (r != code) {
		fprintf(stderr, "  expected %d (%s), got %zd (%s)\n", code, sptps_strerror(code), r,
		        sptps_strerror((int)r));
	}

	CHECK(r == code);
	CHECK(sd->logs > logs || code == SPTPS_E_FAILED);
}

static void test_stream_handshake_errors(void) {
	struct side a, b;
	uint8_t buf[200], body[100] = {0};
	size_t n;

	/* application record before the handshake */
	pair(&a, &b, false, false);
	n = plain_stream(buf, 0, (const uint8_t *)"hello", 5);
	expect_refusal(&b, buf, n, SPTPS_E_UNEXPECTED);
	expect_refusal(&b, a.out[0].wire, a.out[0].len, SPTPS_E_FAILED); /* fatal from now on */
	unpair(&a, &b);

	/* alert and close types are invalid */
	for (int type = 129; type <= 255; type += 126) {
		pair(&a, &b, false, false);
		n = plain_stream(buf, (uint8_t)type, body, 0);
		expect_refusal(&b, buf, n, SPTPS_E_BAD_TYPE);
		unpair(&a, &b);
	}

	/* KEX of the wrong length and of the wrong version */
	pair(&a, &b, false, false);
	n = plain_stream(buf, SPTPS_HANDSHAKE, a.out[0].wire + 3, 64);
	expect_refusal(&b, buf, n, SPTPS_E_BAD_KEX);
	unpair(&a, &b);
	pair(&a, &b, false, false);
	a.out[0].wire[3] = 1;
	expect_refusal(&b, a.out[0].wire, a.out[0].len, SPTPS_E_BAD_KEX);
	unpair(&a, &b);

	/* a SIG where the KEX belongs (handshake out of order) */
	pair(&a, &b, false, false);
	n = plain_stream(buf, SPTPS_HANDSHAKE, body, 64);
	expect_refusal(&a, buf, n, SPTPS_E_BAD_KEX);
	unpair(&a, &b);

	/* the KEX twice: the second one arrives where the SIG belongs */
	pair(&a, &b, false, false);
	CHECK(deliver(&b, &a.out[0]) == (ssize_t)a.out[0].len);
	expect_refusal(&b, a.out[0].wire, a.out[0].len, SPTPS_E_BAD_SIG);
	unpair(&a, &b);

	/* an ACK (empty handshake record) in the initial handshake */
	pair(&a, &b, false, false);
	CHECK(deliver(&b, &a.out[0]) == (ssize_t)a.out[0].len);
	n = plain_stream(buf, SPTPS_HANDSHAKE, body, 0);
	expect_refusal(&b, buf, n, SPTPS_E_BAD_SIG);
	unpair(&a, &b);

	/* a forged SIG */
	pair(&a, &b, false, false);
	CHECK(deliver(&b, &a.out[0]) == (ssize_t)a.out[0].len);
	n = plain_stream(buf, SPTPS_HANDSHAKE, body, 64);
	expect_refusal(&b, buf, n, SPTPS_E_BAD_SIG);
	unpair(&a, &b);
}

/* A signature made with the wrong long-term key, seen from either side. */
static void test_wrong_key(bool datagram) {
	struct side a = {.name = "alpha"}, b = {.name = "beta"};
	struct record r;

	/* beta expects alpha's key, mallory signs with hers */
	CHECK(start(&a, true, datagram, &key_mallory, &key_beta, udp_label, sizeof(udp_label), 16,
	            real_random) == 0);
	CHECK(start(&b, false, datagram, &key_beta, &key_alpha, udp_label, sizeof(udp_label), 16,
	            real_random) == 0);
	r = pop(&a);
	CHECK(deliver(&b, &r) > 0);
	free(r.wire);
	r = pop(&b);
	CHECK(deliver(&a, &r) > 0);
	free(r.wire);
	r = pop(&a); /* mallory's SIG */
	expect_refusal(&b, r.wire, r.len, SPTPS_E_BAD_SIG);
	free(r.wire);
	CHECK(!sptps_established(b.s) && b.nout == 0);
	unpair(&a, &b);

	/* alpha expects beta's key, but the responder holds mallory's */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.name = "alpha";
	b.name = "mallory";
	CHECK(start(&a, true, datagram, &key_alpha, &key_beta, udp_label, sizeof(udp_label), 16,
	            real_random) == 0);
	CHECK(start(&b, false, datagram, &key_mallory, &key_alpha, udp_label, sizeof(udp_label), 16,
	            real_random) == 0);
	r = pop(&a);
	CHECK(deliver(&b, &r) > 0);
	free(r.wire);
	r = pop(&b);
	CHECK(deliver(&a, &r) > 0);
	free(r.wire);
	r = pop(&a);
	CHECK(deliver(&b, &r) > 0); /* mallory accepts alpha's SIG and answers */
	free(r.wire);
	r = pop(&b);
	expect_refusal(&a, r.wire, r.len, SPTPS_E_BAD_SIG);
	free(r.wire);
	CHECK(!sptps_established(a.s));
	unpair(&a, &b);
}

static void test_stream_records(void) {
	struct side a, b;
	uint8_t buf[70000];

	/* forged: right length, random contents */
	pair(&a, &b, false, true);
	buf[0] = 0;
	buf[1] = 20;
	randombytes_buf(buf + 2, 20 + 1 + 16);
	expect_refusal(&b, buf, 39, SPTPS_E_AUTH);
	unpair(&a, &b);

	/* replayed */
	pair(&a, &b, false, true);
	CHECK(sptps_send_record(a.s, 0, "x", 1) == 0);
	CHECK(deliver(&b, &a.out[0]) == (ssize_t)a.out[0].len);
	expect_refusal(&b, a.out[0].wire, a.out[0].len, SPTPS_E_AUTH);
	unpair(&a, &b);

	/* reordered */
	pair(&a, &b, false, true);
	CHECK(sptps_send_record(a.s, 0, "one", 3) == 0);
	CHECK(sptps_send_record(a.s, 0, "two", 3) == 0);
	expect_refusal(&b, a.out[1].wire, a.out[1].len, SPTPS_E_AUTH);
	unpair(&a, &b);

	/* truncated: a partial record waits, byte by byte works */
	pair(&a, &b, false, true);
	CHECK(sptps_send_record(a.s, 0, "hello world", 11) == 0);
	CHECK(sptps_send_record(a.s, 1, "", 0) == 0);
	struct record *r = &a.out[0];

	for (size_t i = 0; i < r->len; i++) {
		CHECK(sptps_receive(b.s, r->wire + i, 1) == 1);
		CHECK(b.received == (i + 1 == r->len ? 1 : 0));
	}

	CHECK(b.lastlen == 11 && !memcmp(b.last, "hello world", 11));
	/* two records in one buffer: one record per call */
	memcpy(buf, a.out[1].wire, a.out[1].len);
	CHECK(sptps_send_record(a.s, 2, "z", 1) == 0);
	memcpy(buf + a.out[1].len, a.out[2].wire, a.out[2].len);
	ssize_t got = sptps_receive(b.s, buf, a.out[1].len + a.out[2].len);
	CHECK(got == (ssize_t)a.out[1].len && b.received == 2 && b.lasttype == 1);
	got = sptps_receive(b.s, buf + got, a.out[2].len);
	CHECK(got == (ssize_t)a.out[2].len && b.received == 3 && b.lasttype == 2);
	CHECK(sptps_receive(b.s, buf, 0) == 0);
	unpair(&a, &b);

	/* oversized: the largest record works, one more byte is refused */
	pair(&a, &b, false, true);
	randombytes_buf(buf, SPTPS_MAX_BODY);
	CHECK(sptps_send_record(a.s, 0, buf, SPTPS_MAX_BODY) == 0);
	CHECK(deliver(&b, &a.out[0]) == (ssize_t)a.out[0].len);
	int logs = a.logs;
	CHECK(sptps_send_record(a.s, 0, buf, SPTPS_MAX_BODY + 1) == SPTPS_E_OVERSIZE && a.logs > logs);
	CHECK(sptps_send_record(a.s, 128, buf, 1) == SPTPS_E_INVALID);
	unpair(&a, &b);

	/* the application refusing a record stops the stream */
	pair(&a, &b, false, true);
	b.refuse = true;
	CHECK(sptps_send_record(a.s, 0, "x", 1) == 0);
	expect_refusal(&b, a.out[0].wire, a.out[0].len, SPTPS_E_CALLBACK);
	unpair(&a, &b);
}

static void test_api_misuse(void) {
	struct side a, b;

	pair(&a, &b, false, false);
	CHECK(sptps_send_record(a.s, 0, "x", 1) == SPTPS_E_STATE);
	CHECK(sptps_force_kex(a.s) == SPTPS_E_STATE);
	CHECK(sptps_verify_datagram(a.s, "xxxxxxxxxxxxxxxxxxxxxxxx", 24) == SPTPS_E_INVALID);
	unpair(&a, &b);

	struct sptps_params p = {.mykey = &key_beta, .hiskey = &key_alpha};
	sptps_t *s;
	struct sptps_key pub_only = key_alpha;
	pub_only.has_private = false;
	CHECK(sptps_start(&s, &p) == SPTPS_E_INVALID && !s); /* no callbacks */
	p.cb = (struct sptps_callbacks){&a, cb_send, cb_receive, real_random, cb_log, NULL};
	p.mykey = &pub_only;
	CHECK(sptps_start(&s, &p) == SPTPS_E_INVALID && !s);
	CHECK(sptps_receive(NULL, "x", 1) == SPTPS_E_INVALID);
	sptps_free(NULL);
	CHECK(strcmp(sptps_strerror(SPTPS_E_AUTH), "authentication failed") == 0);
	CHECK(strcmp(sptps_strerror(-1000), "unknown error") == 0);
}

static void test_datagram_records(void) {
	struct side a, b;
	uint8_t buf[SPTPS_MAX_BODY + 64];
	uint32_t inseqno, farfuture, received;

	/* before keys: truncated, wrong seqno, application data */
	pair(&a, &b, true, false);
	expect_refusal(&b, a.out[0].wire, 4, SPTPS_E_TRUNCATED);
	a.out[0].wire[3] = 1;
	expect_refusal(&b, a.out[0].wire, a.out[0].len, SPTPS_E_SEQNO);
	a.out[0].wire[3] = 0;
	/* errors are not fatal in datagram mode: the real KEX still works */
	CHECK(pump(&a, &b) && sptps_established(b.s));
	unpair(&a, &b);
	/* a plaintext application record uses up its sequence number, as in tinc */
	pair(&a, &b, true, false);
	memcpy(buf, "\0\0\0\0\0abc", 8);
	expect_refusal(&b, buf, 8, SPTPS_E_UNEXPECTED);
	expect_refusal(&b, a.out[0].wire, a.out[0].len, SPTPS_E_SEQNO);
	unpair(&a, &b);

	pair(&a, &b, true, true);
	/* truncated and oversized after keys */
	expect_refusal(&b, buf, 20, SPTPS_E_TRUNCATED);
	memset(buf, 0, sizeof(buf));
	expect_refusal(&b, buf, SPTPS_MAX_BODY + SPTPS_DATAGRAM_OVERHEAD + 1, SPTPS_E_OVERSIZE);
	/* forged */
	randombytes_buf(buf, 40);
	expect_refusal(&b, buf, 40, SPTPS_E_AUTH);
	CHECK(sptps_verify_datagram(b.s, buf, 40) == SPTPS_E_AUTH);
	/* replayed, reordered inside the window, far behind */
	for (int i = 0; i < 3; i++) {
		CHECK(sptps_send_record(a.s, 0, "d", 1) == 0);
	}

	CHECK(deliver(&b, &a.out[2]) > 0);
	CHECK(deliver(&b, &a.out[0]) > 0);
	expect_refusal(&b, a.out[0].wire, a.out[0].len, SPTPS_E_REPLAY);
	CHECK(sptps_verify_datagram(b.s, a.out[1].wire, a.out[1].len) == 0);
	CHECK(deliver(&b, &a.out[1]) > 0);
	expect_refusal(&b, a.out[1].wire, a.out[1].len, SPTPS_E_REPLAY);
	CHECK(b.received == 3);
	drop_all(&a);
	sptps_replay_state(b.s, &inseqno, &farfuture, &received, NULL);
	CHECK(inseqno == 5 && farfuture == 0 && received == 3);

	/* in-place seal/open, as the packet path uses it */
	uint8_t *rec = buf;
	memcpy(rec + 5, "in place", 8);
	ssize_t len = sptps_seal_datagram(a.s, 0, rec, 8);
	CHECK(len == 8 + SPTPS_DATAGRAM_OVERHEAD);
	uint8_t type = 99;
	size_t body_len = 0;
	CHECK(sptps_open_datagram(b.s, rec, (size_t)len, &type, &body_len) == 0);
	CHECK(type == 0 && body_len == 8 && !memcmp(rec + 5, "in place", 8));
	CHECK(sptps_open_datagram(b.s, rec, (size_t)len, &type, &body_len) ==
	      SPTPS_E_AUTH); /* now plaintext */
	CHECK(sptps_seal_datagram(a.s, 200, rec, 1) == SPTPS_E_INVALID);
	CHECK(sptps_seal_datagram(a.s, 0, rec, SPTPS_MAX_BODY + 1) == SPTPS_E_OVERSIZE);

	/* a handshake record (rekey) through the in-place path */
	CHECK(sptps_force_kex(a.s) == 0);
	struct record kex = pop(&a);
	CHECK(sptps_open_datagram(b.s, kex.wire, kex.len, &type, &body_len) == 0 && type == SPTPS_HANDSHAKE);
	free(kex.wire);
	CHECK(b.nout == 1); /* beta answered with its KEX */
	CHECK(pump(&a, &b) && a.completed == 2 && b.completed == 2);
	exchange(&a, &b, 1400);
	unpair(&a, &b);

	/* replay window 0: duplicates pass */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CHECK(start(&a, true, true, &key_alpha, &key_beta, "", 0, 0, real_random) == 0);
	CHECK(start(&b, false, true, &key_beta, &key_alpha, "", 0, 0, real_random) == 0);
	CHECK(pump(&a, &b));
	CHECK(sptps_send_record(a.s, 0, "d", 1) == 0);
	CHECK(deliver(&b, &a.out[0]) > 0 && deliver(&b, &a.out[0]) > 0 && b.received == 2);
	unpair(&a, &b);
}

int main(void) {
	CHECK(sodium_init() >= 0);
	make_key(&key_alpha, 1);
	make_key(&key_beta, 2);
	make_key(&key_mallory, 3);

	test_vector_md_stream();
	test_vector_md_datagram();
	test_renegotiation(false);
	test_renegotiation(true);
	test_stream_handshake_errors();
	test_wrong_key(false);
	test_wrong_key(true);
	test_stream_records();
	test_api_misuse();
	test_datagram_records();
	return check_done("sptps_session_test");
}
