/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The crypto-sptps plugin glue against a fake host: two nodes (alpha and
 * beta) run in one process by swapping the plugin's global state. Checks
 * the REQ_KEY/ANS_KEY wire forms of the UDP handshake, seal/open of router
 * and switch mode frames and probes, and that forged datagrams are dropped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "sptps_plugin.h"

struct px_node {
	const char *name;
	void *slot[2]; /* per side: the plugin's pointer */
};

static struct px_node node_alpha = {"alpha", {0}}, node_beta = {"beta", {0}};
static int side; /* 0 = alpha runs, 1 = beta runs */
static struct sptps_globals saved[2];
static const struct px_crypto_ops *ops;
static struct sptps_key keys[2];
static char pub_b64[2][44];
static char lines[32][4096];
static int nlines, out_level[2];
static struct px_buf delivered;
static uint8_t delivered_data[2048];

static void fake_log(px_plugin *self, int level, const char *fmt, ...) {
	va_list ap;

	if (!getenv("SPTPS_TEST_VERBOSE")) {
		return;
	}

	va_start(ap, fmt);
	fprintf(stderr, "  [%s] ", side ? "beta" : "alpha");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int fake_log_level(void) {
	return 10;
}

static const char *fake_conf_get(const char *host, const char *var, int index) {
	if (index || !host || strcmp(var, "Ed25519PublicKey")) {
		return NULL;
	}

	return !strcmp(host, "alpha") ? pub_b64[0] : !strcmp(host, "beta") ? pub_b64[1] : NULL;
}

static int fake_conf_int(const char *host, const char *var, int dflt) {
	return dflt;
}

static const char *fake_confbase(void) {
	return "/nonexistent";
}

static const char *fake_self_name(void) {
	return side ? "beta" : "alpha";
}

static uint64_t now_ms = 1000000;

static uint64_t fake_now(void) {
	return now_ms;
}

static bool fake_reachable(px_node *n) {
	return true;
}

static void fake_random(void *buf, size_t len) {
	randombytes_buf(buf, len);
}

static int fake_register_crypto(px_plugin *self, const struct px_crypto_ops *o) {
	ops = o;
	return 0;
}

static void **fake_node_slot(px_node *n, px_plugin *self) {
	return &n->slot[side];
}

static const char *fake_node_name(px_node *n) {
	return n->name;
}

static int fake_send_to_node(px_node *to, const char *fmt, ...) {
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lines[nlines++ % 32], sizeof(lines[0]), fmt, ap);
	va_end(ap);
	return 0;
}

static int fake_in_compression(px_node *n) {
	return 0;
}

static void fake_set_out_compression(px_node *n, int level) {
	out_level[side] = level;
}

static void fake_key_changed(px_node *n, bool valid) {
}

static void fake_deliver(px_node *from, struct px_buf *bufs, unsigned n) {
	delivered = bufs[0];
	memcpy(delivered_data, bufs[0].data, bufs[0].len);
}

static void fake_foreach(bool (*cb)(px_node *n, void *arg), void *arg) {
	if (cb(&node_alpha, arg)) {
		cb(&node_beta, arg);
	}
}

/* Fake timers: each remembers the side that made it, so that it runs
 * with that side's plugin state. */
struct fake_timer {
	void (*cb)(void *arg);
	void *arg;
	int side;
	bool armed, used;
	uint64_t due;
};

static struct fake_timer timers[16];

static px_timer *fake_timer_new(void (*cb)(void *arg), void *arg) {
	for (int i = 0; i < 16; i++) {
		if (!timers[i].used) {
			timers[i] = (struct fake_timer){cb, arg, side, false, true, 0};
			return (px_timer *)&timers[i];
		}
	}

	return NULL;
}

static void fake_timer_arm(px_timer *t, uint32_t ms) {
	struct fake_timer *ft = (struct fake_timer *)t;
	ft->armed = true;
	ft->due = now_ms + ms;
}

static void fake_timer_disarm(px_timer *t) {
	((struct fake_timer *)t)->armed = false;
}

static void fake_timer_free(px_timer *t) {
	((struct fake_timer *)t)->used = false;
	((struct fake_timer *)t)->armed = false;
}

static void run_as(int s);

/* Advance the clock by ms and run the timers that are due. */
static int advance(uint64_t ms) {
	int fired = 0, me = side;

	now_ms += ms;

	for (int i = 0; i < 16; i++) {
		if (timers[i].used && timers[i].armed && timers[i].due <= now_ms &&
		    timers[i].cb != sptps_expire_keys) {
			timers[i].armed = false;
			run_as(timers[i].side);
			timers[i].cb(timers[i].arg);
			fired++;
		}
	}

	run_as(me);
	return fired;
}

static ssize_t fake_raw_input(px_conn *c, const void *data, size_t len) {
	(void)c;
	(void)data;
	(void)len;
	return 0;
}

static const struct px_host host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,
    .log = fake_log,
    .log_level = fake_log_level,
    .conf_get = fake_conf_get,
    .conf_int = fake_conf_int,
    .confbase = fake_confbase,
    .self_name = fake_self_name,
    .now_ms = fake_now,
    .timer_new = fake_timer_new,
    .timer_arm = fake_timer_arm,
    .timer_disarm = fake_timer_disarm,
    .timer_free = fake_timer_free,
    .node_reachable = fake_reachable,
    .random_bytes = fake_random,
    .register_crypto = fake_register_crypto,
    .node_slot = fake_node_slot,
    .node_name = fake_node_name,
    .node_set_out_compression = fake_set_out_compression,
    .node_in_compression = fake_in_compression,
    .node_key_changed = fake_key_changed,
    .node_foreach = fake_foreach,
    .send_to_node = fake_send_to_node,
    .deliver_packets = fake_deliver,
};

static void run_as(int s) {
	saved[side] = sp;
	side = s;
	sp = saved[side];
}

/* Hand every queued line to the other side (REQ_KEY or ANS_KEY). */
static void exchange_lines(int rounds) {
	for (int round = 0; round < rounds && nlines; round++) {
		char line[4096];
		int from = side;
		snprintf(line, sizeof(line), "%s", lines[0]);
		memmove(lines[0], lines[1], sizeof(lines[0]) * 31);
		nlines--;
		run_as(!from);
		px_node *sender = from ? &node_beta : &node_alpha;

		if (atoi(line) == PX_REQ_REQ_KEY) {
			ops->key_on_req(NULL, sender, line);
		} else {
			ops->key_on_ans(NULL, sender, line);
		}
	}
}

static void test_handshake(void) {
	run_as(0);
	ops->key_request(NULL, &node_beta);
	CHECK(nlines == 1 && !strncmp(lines[0], "15 alpha beta 15 AAAAAAIA", 25));
	CHECK(!ops->key_valid(NULL, &node_beta));
	exchange_lines(1); /* beta answers with ANS_KEY */
	CHECK(!strncmp(lines[0], "16 beta alpha AAAAAAIA", 22));
	CHECK(strstr(lines[0], " -1 -1 -1 0") != NULL);

	exchange_lines(20);
	CHECK(nlines == 0);

	run_as(0);
	CHECK(ops->key_valid(NULL, &node_beta));
	CHECK_STR(ops->describe(NULL, &node_beta), "sptps");
	run_as(1);
	CHECK(ops->key_valid(NULL, &node_alpha));
}

static void test_packets(void) {
	uint8_t storage[2048];
	struct px_buf b;

	/* router mode: an IPv4 packet loses its Ethernet header on the wire */
	for (int probe = 0; probe < 2; probe++) {
		run_as(0);
		memset(&b, 0, sizeof(b));
		b.base = storage;
		b.cap = sizeof(storage);
		b.data = storage + 128;
		b.len = 100;
		memset(b.data, 0xee, PX_ETH_HLEN);
		b.data[12] = 0x08;
		b.data[13] = 0;
		b.data[14] = 0x45;

		for (int i = 15; i < 100; i++) {
			b.data[i] = (uint8_t)i;
		}

		uint8_t frame[100];
		memcpy(frame, b.data, 100);

		if (probe) {
			b.flags = PX_BUF_PROBE;
		}

		CHECK(ops->seal(NULL, &node_beta, &b, 1) == 1);
		CHECK(b.len == (probe ? 100u : 86u) + SPTPS_DATAGRAM_OVERHEAD);
		uint8_t wire[200];
		memcpy(wire, b.data, b.len);
		uint32_t wirelen = b.len;

		run_as(1);
		/* identify() finds the sender by trial */
		CHECK(ops->identify(NULL, &b) == &node_alpha);
		b.flags = 0;
		CHECK(ops->open(NULL, &node_alpha, &b, 1) == 1);
		CHECK(b.len == 100);

		if (probe) {
			CHECK((b.flags & PX_BUF_PROBE) && !memcmp(b.data, frame, 100));
		} else {
			CHECK(b.data[12] == 0x08 && b.data[13] == 0 && !memcmp(b.data + 14, frame + 14, 86));
		}

		/* a replay and a forgery are dropped */
		memcpy(storage + 128, wire, wirelen);
		b.data = storage + 128;
		b.len = wirelen;
		CHECK(ops->open(NULL, &node_alpha, &b, 1) == 0 && b.len == 0);
		wire[10] ^= 1;
		memcpy(storage + 128, wire, wirelen);
		b.data = storage + 128;
		b.len = wirelen;
		CHECK(ops->open(NULL, &node_alpha, &b, 1) == 0 && b.len == 0);
	}

	/* no session: seal drops */
	run_as(0);
	b.data = storage + 128;
	b.len = 60;
	CHECK(ops->seal(NULL, &node_alpha, &b, 1) == 0 && b.len == 0);
}

/* A sealed data record from the current side to `to`, into wire. */
static uint32_t seal_one(px_node *to, uint8_t *wire) {
	uint8_t storage[2048];
	struct px_buf b = {.base = storage, .data = storage + 128, .len = 200, .cap = sizeof(storage)};

	memset(b.data, 0, 200);
	b.data[12] = 0x08;
	b.data[14] = 0x45;

	if (ops->seal(NULL, to, &b, 1) != 1) {
		return 0;
	}

	memcpy(wire, b.data, b.len);
	return b.len;
}

static unsigned open_one(px_node *from, const uint8_t *wire, uint32_t len) {
	uint8_t storage[2048];
	struct px_buf b = {.base = storage, .data = storage + 128, .len = len, .cap = sizeof(storage)};

	memcpy(b.data, wire, len);
	return ops->open(NULL, from, &b, 1);
}

static int count_lines(const char *prefix) {
	int c = 0;

	for (int i = 0; i < nlines && i < 32; i++) {
		c += !strncmp(lines[i], prefix, strlen(prefix));
	}

	return c;
}

/*
 * beta lost its session (restart): alpha's records cannot be opened and
 * beta nudges alpha with a fresh REQ_KEY, at most once per second and only
 * after enough bytes of them; forged records cost more than the nudges.
 */
static void test_nudge(void) {
	uint8_t wire[2048];
	uint32_t len;

	run_as(1);
	ops->node_down(NULL, &node_alpha); /* beta "restarts" */
	ops->node_up(NULL, &node_alpha);
	nlines = 0;
	run_as(0);
	CHECK(ops->key_valid(NULL, &node_beta));
	len = seal_one(&node_beta, wire);
	CHECK(len > 0);

	run_as(1);
	size_t in_bytes = 0;

	for (int i = 0; i < 200; i++) { /* all within the same millisecond */
		CHECK(open_one(&node_alpha, wire, len) == 0);
		in_bytes += len;
	}

	CHECK(count_lines("15 beta alpha 15 ") == 1); /* one nudge */
	size_t out_bytes = strlen(lines[0]);
	CHECK(out_bytes < in_bytes);

	/* forged records meanwhile: no second REQ_KEY before the deadline */
	for (int i = 0; i < 200; i++) {
		uint8_t junk[60];
		randombytes_buf(junk, sizeof(junk));
		open_one(&node_alpha, junk, sizeof(junk));
	}

	CHECK(nlines == 1);
	/* the nudge completes the handshake: alpha drops its old session */
	exchange_lines(20);
	run_as(0);
	CHECK(ops->key_valid(NULL, &node_beta));
	len = seal_one(&node_beta, wire);
	run_as(1);
	CHECK(ops->key_valid(NULL, &node_alpha));
	CHECK(open_one(&node_alpha, wire, len) == 1);

	/* a working session is not restarted by a burst of forgeries */
	nlines = 0;
	advance(5000);
	run_as(0);
	len = seal_one(&node_beta, wire);
	run_as(1);
	CHECK(open_one(&node_alpha, wire, len) == 1);

	for (int i = 0; i < 1000; i++) {
		uint8_t junk[100];
		randombytes_buf(junk, sizeof(junk));
		open_one(&node_alpha, junk, sizeof(junk));
	}

	CHECK(nlines == 0 && ops->key_valid(NULL, &node_alpha));
	/* ...but a session that only gets garbage for a while is: at most one
	 * REQ_KEY per second however much arrives */
	int rounds = 0;

	for (int sec = 0; sec < 5; sec++) {
		advance(1000);

		for (int i = 0; i < 1000; i++) {
			uint8_t junk[100];
			randombytes_buf(junk, sizeof(junk));
			open_one(&node_alpha, junk, sizeof(junk));
		}

		rounds++;
	}

	CHECK(nlines >= 1 && nlines <= rounds);
	nlines = 0;
	run_as(0);
	nlines = 0;
}

/* Lost handshake records: the deadline restarts the key exchange, with a
 * growing deadline; simultaneous REQ_KEYs are settled by the names. */
static void test_timeouts_and_ties(void) {
	run_as(0);
	ops->node_down(NULL, &node_beta);
	ops->node_up(NULL, &node_beta);
	run_as(1);
	ops->node_down(NULL, &node_alpha);
	ops->node_up(NULL, &node_alpha);
	run_as(0);
	nlines = 0;
	ops->key_request(NULL, &node_beta);
	CHECK(nlines == 1);
	ops->key_request(NULL, &node_beta); /* under way: nothing new */
	CHECK(nlines == 1);
	nlines = 0; /* the REQ_KEY is lost */
	CHECK(advance(1999) == 0 && nlines == 0);
	CHECK(advance(1) == 1 && nlines == 1 && !strncmp(lines[0], "15 alpha beta 15 ", 17));
	nlines = 0;
	CHECK(advance(2000) == 0 && advance(2000) == 1 && nlines == 1); /* 4 s the second time */
	CHECK(!ops->key_valid(NULL, &node_beta));

	/* both start at once: alpha's REQ_KEY and beta's cross */
	char from_alpha[4096], from_beta[4096];
	snprintf(from_alpha, sizeof(from_alpha), "%s", lines[0]);
	nlines = 0;
	run_as(1);
	ops->key_request(NULL, &node_alpha);
	CHECK(nlines == 1);
	snprintf(from_beta, sizeof(from_beta), "%s", lines[0]);
	nlines = 0;
	run_as(0);
	ops->key_on_req(NULL, &node_beta, from_beta); /* alpha < beta: keeps its own */
	CHECK(nlines == 0);
	run_as(1);
	ops->key_on_req(NULL, &node_alpha, from_alpha); /* beta gives way and answers */
	CHECK(nlines == 1);
	exchange_lines(20);
	run_as(0);
	CHECK(ops->key_valid(NULL, &node_beta));
	run_as(1);
	CHECK(ops->key_valid(NULL, &node_alpha));
	run_as(0);
	CHECK(advance(20000) == 0); /* no deadline left armed */
}

int main(void) {
	CHECK(sodium_init() >= 0);

	for (int i = 0; i < 2; i++) {
		uint8_t seed[32];
		memset(seed, i + 1, sizeof(seed));
		sptps_key_from_seed(&keys[i], seed);
		sptps_key_public_b64(&keys[i], pub_b64[i]);
	}

	/* init each side: the key file does not exist, so install keys by hand */
	extern const struct px_plugin_desc crypto_sptps_LTX_plexus_plugin;
	const struct px_plugin_desc *d = &crypto_sptps_LTX_plexus_plugin;

	/* A core that takes the raw bytes of binary SPTPS_PACKETs from the meta
	 * filter (ABI 1.2) gets protocol minor 7; the test host below does not. */
	struct px_host raw_host = host;
	raw_host.conn_raw_input = fake_raw_input;
	side = 0;
	CHECK(d->init((px_plugin *)&side, &raw_host) == 0);
	CHECK(ops && ops->minor_min == 2 && ops->minor_max == 7);

	for (int s = 0; s < 2; s++) {
		side = s;
		CHECK(d->init((px_plugin *)&side, &host) == 0);
		CHECK(ops && ops->minor_min == 2 && ops->minor_max == 6);
		sp.mykey = keys[s];
		sp.router_mode = true;
		saved[s] = sp;
	}

	side = 0;
	sp = saved[0];
	test_handshake();
	test_packets();
	test_nudge();
	test_timeouts_and_ties();

	for (int s = 0; s < 2; s++) {
		run_as(s);
		d->fini((px_plugin *)&side);
	}

	return check_done("sptps_plugin_test");
}
