/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The fake core behind the crypto-legacy unit tests (see legacy_fake.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "legacy_fake.h"

extern const struct px_plugin_desc crypto_legacy_LTX_plexus_plugin;

struct px_plugin {
	int dummy;
};
static struct px_plugin the_plugin;
px_plugin *fake_self = &the_plugin;

uint64_t fake_now = 1000000;
struct fake_msg fake_msgs[FAKE_MAX_LINES];
int fake_nmsgs;
char fake_confbase[256];
char fake_last_log[1024];
int fake_nlogs;

static const char *const *fake_config;
static const struct px_crypto_ops *registered;
static struct px_conn *current; /* side the plugin is running for */

#define MAX_NODES 8
static struct px_node nodes[MAX_NODES];
static int nnodes;

struct px_timer {
	void (*cb)(void *);
	void *arg;
	uint32_t armed;
};

static void fake_log(px_plugin *self, int level, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fake_last_log, sizeof(fake_last_log), fmt, ap);
	va_end(ap);
	fake_nlogs++;
	fprintf(stderr, "  [plugin log %d] %s\n", level, fake_last_log);
}

static int fake_log_level(void) {
	return 10;
}

static const char *fake_conf_get(const char *host, const char *var, int index) {
	for (int i = 0; fake_config && fake_config[i]; i++) {
		const char *e = fake_config[i], *bar1 = strchr(e, '|'),
		           *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
		if (!bar2)
			continue;
		size_t hl = (size_t)(bar1 - e), vl = (size_t)(bar2 - bar1 - 1);
		if (host ? (hl != strlen(host) || strncmp(e, host, hl)) : hl != 0)
			continue;
		if (vl != strlen(var) || strncasecmp(bar1 + 1, var, vl))
			continue;
		if (index-- == 0)
			return bar2 + 1;
	}
	return NULL;
}

static bool fake_conf_bool(const char *host, const char *var, bool dflt) {
	const char *v = fake_conf_get(host, var, 0);
	return v ? !strcasecmp(v, "yes") : dflt;
}

static int fake_conf_int(const char *host, const char *var, int dflt) {
	const char *v = fake_conf_get(host, var, 0);
	return v ? atoi(v) : dflt;
}

static const char *fake_confbase_fn(void) {
	return fake_confbase;
}

static const char *fake_self_name(void) {
	return current ? current->myname : "alpha";
}

static uint64_t fake_now_ms(void) {
	return fake_now;
}

static px_timer *fake_timer_new(void (*cb)(void *), void *arg) {
	px_timer *t = calloc(1, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
	return t;
}

static void fake_timer_arm(px_timer *t, uint32_t ms) {
	t->armed = ms;
}

static void fake_timer_disarm(px_timer *t) {
	t->armed = 0;
}

static void fake_timer_free(px_timer *t) {
	free(t);
}

static uint8_t rng_script[256];
static size_t rng_len, rng_pos;

void fake_rng_script(const uint8_t *bytes, size_t len) {
	if (len > sizeof(rng_script))
		len = sizeof(rng_script);
	if (len)
		memcpy(rng_script, bytes, len);
	rng_len = len;
	rng_pos = 0;
}

static void fake_random(void *buf, size_t len) {
	uint8_t *p = buf;
	while (len && rng_pos < rng_len) {
		*p++ = rng_script[rng_pos++];
		len--;
	}
	if (len)
		RAND_bytes(p, (int)len);
}

static void fake_memwipe(void *buf, size_t len) {
	OPENSSL_cleanse(buf, len);
}

static int fake_register_crypto(px_plugin *self, const struct px_crypto_ops *ops) {
	registered = ops;
	return 0;
}

static int fake_conn_send(px_conn *c, const char *fmt, ...) {
	char line[FAKE_LINE];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		return -1;

	if (c->tamper == TAMPER_CHAL_REPLY && !strncmp(line, "3 ", 2))
		line[2] = line[2] == '0' ? '1' : '0';
	if (c->tamper == TAMPER_CHALLENGE_LEN && !strncmp(line, "2 ", 2))
		line[n -= 2] = '\0';
	if (c->tamper == TAMPER_METAKEY_HEX && !strncmp(line, "1 ", 2))
		line[n - 1] = 'X';

	if (c->nsent < FAKE_MAX_LINES)
		strcpy(c->sent[c->nsent++], line);
	line[n++] = '\n';
	if (c->out_ops)
		return c->out_ops->send(c->out_ctx, c, (const uint8_t *)line, (size_t)n);
	return fake_host.conn_write_wire(c, line, (size_t)n);
}

static int fake_conn_write_wire(px_conn *c, const void *data, size_t len) {
	if (c->wirelen + len > sizeof(c->wire))
		return -1;
	memcpy(c->wire + c->wirelen, data, len);
	c->wirelen += len;
	return 0;
}

static void enter(struct px_conn *c) {
	current = c;
	lg.privkey = c->privkey;
}

void fake_act_as(const char *name, EVP_PKEY *key) {
	static struct px_conn actor;
	snprintf(actor.myname, sizeof(actor.myname), "%s", name);
	actor.privkey = key;
	enter(&actor);
}

/* Hand complete lines to the plugin until it says authentication is done. */
static int process_lines(struct px_conn *c) {
	char *nl;
	while (!c->failed && (nl = memchr(c->inbuf, '\n', c->inlen))) {
		size_t n = (size_t)(nl - c->inbuf);
		char line[FAKE_LINE];
		if (n >= sizeof(line))
			return -1;
		memcpy(line, c->inbuf, n);
		line[n] = '\0';
		memmove(c->inbuf, nl + 1, c->inlen - n - 1);
		c->inlen -= n + 1;
		if (c->ngot < FAKE_MAX_LINES)
			strcpy(c->got[c->ngot++], line);
		if (c->auth_done)
			continue; /* the core's business from here on */
		enter(c);
		if (registered->meta_request(fake_self, c->state, c, atoi(line), line) < 0) {
			c->failed = true;
			return -1;
		}
	}
	return 0;
}

static int fake_conn_deliver(px_conn *c, const void *data, size_t len) {
	if (c->inlen + len > sizeof(c->inbuf))
		return -1;
	memcpy(c->inbuf + c->inlen, data, len);
	c->inlen += len;
	return process_lines(c);
}

static void fake_conn_set_filter(px_conn *c, enum px_dir dir, const struct px_filter_ops *ops, void *ctx) {
	if (dir == PX_DIR_IN) {
		if (c->in_ops)
			c->in_ops->free(c->in_ctx);
		c->in_ops = ops;
		c->in_ctx = ctx;
	} else {
		if (c->out_ops)
			c->out_ops->free(c->out_ctx);
		c->out_ops = ops;
		c->out_ctx = ctx;
	}
}

static void fake_conn_auth_done(px_conn *c) {
	c->auth_done = true;
}

static void fake_conn_close(px_conn *c, const char *why) {
	c->failed = true;
}

static const char *fake_conn_name(px_conn *c) {
	return c->peername;
}

static bool fake_conn_outgoing(px_conn *c) {
	return c->outgoing;
}

static int fake_conn_minor(px_conn *c) {
	return 0;
}

static px_node *fake_conn_node(px_conn *c) {
	return fake_node(c->peername);
}

px_node *fake_node(const char *name) {
	for (int i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i].name, name))
			return &nodes[i];
	if (nnodes == MAX_NODES)
		return NULL;
	struct px_node *n = &nodes[nnodes++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->reachable = true;
	return n;
}

static px_node *fake_node_lookup(const char *name) {
	for (int i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i].name, name))
			return &nodes[i];
	return NULL;
}

static px_node *fake_node_self(void) {
	return fake_node(fake_self_name());
}

static const char *fake_node_name(px_node *n) {
	return n->name;
}

static bool fake_node_reachable(px_node *n) {
	return n->reachable;
}

static uint32_t fake_node_options(px_node *n) {
	return 0;
}

static void **fake_node_slot(px_node *n, px_plugin *self) {
	return &n->slot;
}

static bool fake_node_udp_addr(px_node *n, struct px_addr *out) {
	if (n->has_udp)
		*out = n->udp;
	return n->has_udp;
}

static void fake_node_set_udp_addr(px_node *n, const struct px_addr *addr) {
	n->udp = *addr;
	n->has_udp = true;
}

static void fake_node_set_out_compression(px_node *n, int level) {
	n->out_compression = level;
}

static int fake_node_in_compression(px_node *n) {
	return n->in_compression;
}

static void fake_node_key_changed(px_node *n, bool valid) {
	n->key_valid = valid;
	n->key_changed_calls++;
}

static void fake_node_foreach(bool (*cb)(px_node *, void *), void *arg) {
	for (int i = 0; i < nnodes; i++)
		if (!cb(&nodes[i], arg))
			return;
}

static void record_msg(const char *to, const char *fmt, va_list ap) {
	if (fake_nmsgs == FAKE_MAX_LINES)
		return;
	struct fake_msg *m = &fake_msgs[fake_nmsgs++];
	snprintf(m->to, sizeof(m->to), "%s", to);
	vsnprintf(m->line, sizeof(m->line), fmt, ap);
}

static int fake_send_to_node(px_node *to, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	record_msg(to->name, fmt, ap);
	va_end(ap);
	return 0;
}

static int fake_broadcast(px_conn *except, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	record_msg("*", fmt, ap);
	va_end(ap);
	return 0;
}

struct px_host fake_host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,
    .log = fake_log,
    .log_level = fake_log_level,
    .conf_get = fake_conf_get,
    .conf_bool = fake_conf_bool,
    .conf_int = fake_conf_int,
    .confbase = fake_confbase_fn,
    .self_name = fake_self_name,
    .now_ms = fake_now_ms,
    .timer_new = fake_timer_new,
    .timer_arm = fake_timer_arm,
    .timer_disarm = fake_timer_disarm,
    .timer_free = fake_timer_free,
    .random_bytes = fake_random,
    .memwipe = fake_memwipe,
    .register_crypto = fake_register_crypto,
    .conn_send = fake_conn_send,
    .conn_write_wire = fake_conn_write_wire,
    .conn_deliver = fake_conn_deliver,
    .conn_set_filter = fake_conn_set_filter,
    .conn_auth_done = fake_conn_auth_done,
    .conn_close = fake_conn_close,
    .conn_name = fake_conn_name,
    .conn_outgoing = fake_conn_outgoing,
    .conn_minor = fake_conn_minor,
    .conn_node = fake_conn_node,
    .node_lookup = fake_node_lookup,
    .node_self = fake_node_self,
    .node_name = fake_node_name,
    .node_reachable = fake_node_reachable,
    .node_options = fake_node_options,
    .node_slot = fake_node_slot,
    .node_udp_addr = fake_node_udp_addr,
    .node_set_udp_addr = fake_node_set_udp_addr,
    .node_set_out_compression = fake_node_set_out_compression,
    .node_in_compression = fake_node_in_compression,
    .node_key_changed = fake_node_key_changed,
    .node_foreach = fake_node_foreach,
    .send_to_node = fake_send_to_node,
    .broadcast = fake_broadcast,
};

void fake_set_config(const char *const *config) {
	fake_config = config;
}

int fake_init(const char *const *config) {
	fake_config = config;
	current = NULL;
	if (crypto_legacy_LTX_plexus_plugin.init(fake_self, &fake_host))
		return -1;
	return registered ? 0 : -1;
}

void fake_fini(void) {
	current = NULL;
	crypto_legacy_LTX_plexus_plugin.fini(fake_self);
	for (int i = 0; i < nnodes; i++)
		nodes[i].slot = NULL;
}

void fake_reset_msgs(void) {
	fake_nmsgs = 0;
}

void fake_conn_init(struct px_conn *c, const char *me, const char *peer, bool outgoing, EVP_PKEY *key) {
	memset(c, 0, sizeof(*c));
	snprintf(c->myname, sizeof(c->myname), "%s", me);
	snprintf(c->peername, sizeof(c->peername), "%s", peer);
	c->outgoing = outgoing;
	c->privkey = key;
}

void fake_conn_free(struct px_conn *c) {
	if (c->in_ops)
		c->in_ops->free(c->in_ctx);
	if (c->out_ops)
		c->out_ops->free(c->out_ctx);
	c->in_ops = c->out_ops = NULL;
	if (c->state)
		registered->meta_free(fake_self, c->state);
	c->state = NULL;
	if (current == c)
		current = NULL;
	lg.privkey = NULL; /* keys belong to the test */
}

int fake_meta_start(struct px_conn *c) {
	enter(c);
	return registered->meta_start(fake_self, c, &c->state);
}

/* Plaintext is taken one line at a time so that a filter installed by a
 * line applies to the bytes right after it, as in the real core. */
int fake_feed(struct px_conn *c, const uint8_t *data, size_t len) {
	while (len && !c->failed) {
		enter(c);
		if (c->in_ops)
			return c->in_ops->recv(c->in_ctx, c, data, len) < 0 || c->failed ? -1 : 0;
		const uint8_t *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) + 1 : len;
		if (fake_conn_deliver(c, data, n) < 0)
			return -1;
		data += n;
		len -= n;
	}
	return c->failed ? -1 : 0;
}

static bool pump_one(struct px_conn *from, struct px_conn *to, size_t chunk) {
	if (!from->wirelen || to->failed)
		return false;
	uint8_t buf[FAKE_WIRE];
	size_t n = from->wirelen;
	memcpy(buf, from->wire, n);
	from->wirelen = 0;
	for (size_t off = 0; off < n;) {
		size_t step = chunk && n - off > chunk ? chunk : n - off;
		if (fake_feed(to, buf + off, step) < 0)
			break;
		off += step;
	}
	return true;
}

void fake_pump(struct px_conn *a, struct px_conn *b, size_t chunk) {
	bool moved;
	do {
		moved = pump_one(a, b, chunk);
		moved |= pump_one(b, a, chunk);
	} while (moved);
}

int fake_mkdtemp(char *buf, size_t len) {
	snprintf(buf, len, "/tmp/legacy_test.XXXXXX");
	return mkdtemp(buf) ? 0 : -1;
}

void fake_rmrf(const char *path) {
	char cmd[512];
	if (strncmp(path, "/tmp/legacy_test.", 17))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", path);
}
