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

static uint64_t fake_now(void) {
	return 1000000;
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

static px_timer *fake_timer_new(void (*cb)(void *arg), void *arg) {
	return (px_timer *)&side;
}

static void fake_timer_arm(px_timer *t, uint32_t ms) {
}

static void fake_timer_free(px_timer *t) {
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
    .timer_free = fake_timer_free,
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

	for (int s = 0; s < 2; s++) {
		run_as(s);
		d->fini((px_plugin *)&side);
	}

	return check_done("sptps_plugin_test");
}
