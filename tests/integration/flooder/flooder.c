/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * flooder: a test-only plugin for test_meta_flood.sh. It plays an
 * authenticated but malicious member of the VPN: once the file named by
 * FloodTrigger exists and its meta connection with FloodTarget is active,
 * it sends through the host table's conn_send(), paced so that its own
 * output buffer never overflows:
 *
 *  - 8000 ADD_EDGE: a chain of 2000 made-up nodes hanging off itself (both
 *    directions, so they all become reachable and the graph has work to
 *    do), then 4000 edges from one made-up node to 4000 others;
 *  - 20000 ADD_SUBNET: 2000 /32 subnets for each of ten chain nodes, in
 *    198.19.128.0/17;
 *  - 20000 distinct ~1000-byte lines of an unhandled broadcast request id
 *    (110), which a receiver can only remember or forward;
 *  - a last ADD_SUBNET for a node called "floodend", which the test waits
 *    for in the target's node list to know that everything was read.
 *
 * Built by the test itself, out of tree:
 *   cc -shared -fPIC -fvisibility=hidden -I<srcdir>/sdk -o flooder.so flooder.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plexus/plugin.h>

#define TICK_MS           20
#define CHAIN_NODES       2000
#define STAR_EDGES        4000
#define SUBNET_OWNERS     10
#define SUBNETS_PER_OWNER 2000
#define JUNK_LINES        20000
#define JUNK_BYTES        1000
#define SHORT_PER_TICK    1000 /* ~60 bytes each */
#define JUNK_PER_TICK     50   /* ~1000 bytes each: 50 KB per tick */

static const struct px_host *host;
static px_plugin *me;
static px_timer *tick_timer;
static px_conn *target;
static char *target_name, *trigger_path;
static long step; /* position in the whole sequence below */
static long sent;
static bool done;

enum {
	EDGES_END = 2 * CHAIN_NODES + STAR_EDGES,
	SUBNETS_END = EDGES_END + SUBNET_OWNERS * SUBNETS_PER_OWNER,
	JUNK_END = SUBNETS_END + JUNK_LINES,
};

static unsigned nonce(void) {
	unsigned n;
	host->random_bytes(&n, sizeof(n));
	return n;
}

/* Send line number `i` of the flood. */
static void send_step(long i) {
	const char *self = host->self_name();
	char a[32], b[32];
	if (i < 2 * CHAIN_NODES) {
		long k = i / 2;
		if (k)
			snprintf(a, sizeof(a), "fc%ld", k - 1);
		else
			snprintf(a, sizeof(a), "%s", self);
		snprintf(b, sizeof(b), "fc%ld", k);
		if (i % 2)
			host->conn_send(target, "12 %x %s %s 198.18.200.1 655 0 %ld", nonce(), b, a,
			                10 + k % 50);
		else
			host->conn_send(target, "12 %x %s %s 198.18.200.1 655 0 %ld", nonce(), a, b,
			                10 + k % 50);
	} else if (i < EDGES_END) {
		host->conn_send(target, "12 %x fstar fs%ld 198.18.200.2 655 0 %ld", nonce(),
		                i - 2 * CHAIN_NODES, 10 + i % 7);
	} else if (i < SUBNETS_END) {
		long j = i - EDGES_END, owner = j / SUBNETS_PER_OWNER;
		unsigned addr = (198u << 24) | (19u << 16) | (128u << 8) |
		                (unsigned)(owner * 2048 + j % SUBNETS_PER_OWNER);
		host->conn_send(target, "10 %x fc%ld %u.%u.%u.%u/32#10", nonce(), owner, addr >> 24,
		                (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
	} else {
		static char pad[JUNK_BYTES + 1];
		if (!pad[0])
			memset(pad, 'j', JUNK_BYTES);
		host->conn_send(target, "110 %x %ld %s", nonce(), i, pad);
	}
	sent++;
}

static void tick(void *arg) {
	(void)arg;
	if (!done && target && trigger_path && access(trigger_path, F_OK) == 0) {
		int budget = step < SUBNETS_END ? SHORT_PER_TICK : JUNK_PER_TICK;
		for (int n = 0; n < budget && step < JUNK_END && target; n++)
			send_step(step++);
		if (step == JUNK_END && target) {
			host->conn_send(target, "10 %x floodend 198.19.255.254/32#10", nonce());
			done = true;
			host->log(me, PX_LOG_ALWAYS, "flooder: sent all %ld lines to %s", sent + 1,
			          target_name);
		}
	}
	host->timer_arm(tick_timer, TICK_MS);
}

static void on_conn_active(px_plugin *self, px_conn *c) {
	const char *peer = host->conn_name(c);
	if (peer && target_name && !strcmp(peer, target_name)) {
		target = c;
		host->log(self, PX_LOG_ALWAYS, "flooder: connection with %s active", peer);
	}
}

static void on_conn_closed(px_plugin *self, px_conn *c) {
	if (c == target) {
		target = NULL;
		host->log(self, PX_LOG_ALWAYS, "flooder: connection with %s closed after %ld lines",
		          target_name, sent);
	}
}

static const struct px_event_ops events = {
    .size = sizeof(struct px_event_ops),
    .conn_active = on_conn_active,
    .conn_closed = on_conn_closed,
};

static char *conf_strdup(const char *var) {
	const char *v = host->conf_get(NULL, var, 0);
	return v ? strdup(v) : NULL;
}

static int flooder_init(px_plugin *self, const struct px_host *h) {
	host = h;
	me = self;
	if (!PX_HOST_HAS(h, register_events))
		return -1;
	target_name = conf_strdup("FloodTarget");
	trigger_path = conf_strdup("FloodTrigger");
	if (h->register_events(self, &events))
		return -1;
	h->log(self, PX_LOG_ALWAYS, "flooder: target %s, trigger %s", target_name ? target_name : "(none)",
	       trigger_path ? trigger_path : "(none)");
	return 0;
}

static int flooder_start(px_plugin *self) {
	(void)self;
	tick_timer = host->timer_new(tick, NULL);
	if (!tick_timer)
		return -1;
	host->timer_arm(tick_timer, TICK_MS);
	return 0;
}

static void flooder_stop(px_plugin *self) {
	(void)self;
	if (tick_timer)
		host->timer_free(tick_timer);
	tick_timer = NULL;
}

static void flooder_fini(px_plugin *self) {
	(void)self;
	free(target_name);
	free(trigger_path);
	target_name = trigger_path = NULL;
}

PX_PLUGIN_DEFINE(flooder, .name = "flooder", .version = "0.1",
                 .description = "test only: floods a peer with authenticated meta requests",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = flooder_init,
                 .start = flooder_start, .stop = flooder_stop, .fini = flooder_fini);
