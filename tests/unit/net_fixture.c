/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Test fixture for the network core: a temporary configuration directory,
 * the real event loop, and fake stream/crypto providers registered through
 * the host table exactly as a plugin would register them.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "conf.h"
#include "connection.h"
#include "daemon.h"
#include "event.h"
#include "graph.h"
#include "logger.h"
#include "meta.h"
#include "net.h"
#include "net_fixture.h"
#include "net_packet.h"
#include "node.h"
#include "plugin_host.h"
#include "plugin_loader.h"
#include "protocol.h"
#include "settings.h"
#include "subnet.h"

struct fx_state fx;
bool fx_without_fake_crypto;
struct px_plugin fx_plugin = {.index = 0, .name = (char *)"fake"};

static char tmpdir[64];
static struct fx_stream **streams;
static size_t nstreams;
static int next_stream_id;

/* ---- log capture ---------------------------------------------------- */

static char logbuf[1 << 16];
static size_t loglen;

static void tap_write(struct log_tap *tap, int level, const char *msg, size_t len) {
	(void)tap;
	(void)level;
	if (len + 2 > sizeof(logbuf))
		return;
	if (loglen + len + 2 > sizeof(logbuf)) {
		/* Keep the newer half. */
		size_t keep = loglen / 2;
		memmove(logbuf, logbuf + loglen - keep, keep);
		loglen = keep;
	}
	memcpy(logbuf + loglen, msg, len);
	loglen += len;
	logbuf[loglen++] = '\n';
	logbuf[loglen] = 0;
}

static struct log_tap tap = {.level = PX_LOG_TRAFFIC, .write = tap_write};

bool fx_log_contains(const char *needle) {
	return memmem(logbuf, loglen, needle, strlen(needle)) != NULL;
}

void fx_log_clear(void) {
	loglen = 0;
	logbuf[0] = 0;
}

/* ---- fake stream transport ------------------------------------------- */

static struct fx_stream *stream_new(void) {
	struct fx_stream *s = calloc(1, sizeof(*s));
	struct fx_stream **grown = realloc(streams, (nstreams + 1) * sizeof(*streams));
	if (!s || !grown)
		abort();
	streams = grown;
	streams[nstreams++] = s;
	s->id = ++next_stream_id;
	s->outcap = 256;
	s->out = calloc(1, s->outcap);
	if (!s->out)
		abort();
	return s;
}

static int fake_listen(px_plugin *self, const struct px_addr *bind, void **listener) {
	(void)self;
	(void)bind;
	*listener = &fx;
	return 0;
}

static void fake_unlisten(px_plugin *self, void *listener) {
	(void)self;
	(void)listener;
}

static int fake_connect(px_plugin *self, px_conn *c, const struct px_addr *to, const struct px_addr *from,
                        void **stream) {
	(void)self;
	(void)from;
	fx.connects++;
	fx.last_connect_conn = c;
	fx.last_connect_to = *to;
	if (fx.connect_result < 0) {
		fx.last_connect = NULL;
		return -1;
	}
	struct fx_stream *s = stream_new();
	s->c = c;
	fx.last_connect = s;
	*stream = s;
	return 0;
}

static ssize_t fake_write(px_plugin *self, void *stream, const void *data, size_t len) {
	(void)self;
	struct fx_stream *s = stream;
	if (s->closed)
		return -1;
	if (s->write_limit < 0)
		return -1;
	if (s->stalled)
		return 0;
	if (s->write_limit > 0 && len > (size_t)s->write_limit)
		len = (size_t)s->write_limit;
	while (s->outlen + len + 1 > s->outcap) {
		s->outcap *= 2;
		s->out = realloc(s->out, s->outcap);
		if (!s->out)
			abort();
	}
	memcpy(s->out + s->outlen, data, len);
	s->outlen += len;
	s->out[s->outlen] = 0;
	return (ssize_t)len;
}

static void fake_want_write(px_plugin *self, void *stream, bool on) {
	(void)self;
	((struct fx_stream *)stream)->want_write = on;
}

static void fake_close(px_plugin *self, void *stream) {
	(void)self;
	struct fx_stream *s = stream;
	s->closed = true;
	s->c = NULL;
}

static int fake_addr(px_plugin *self, void *stream, struct px_addr *out) {
	(void)self;
	(void)stream;
	memset(out, 0, sizeof(*out));
	out->in.sin_family = AF_INET;
	out->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	out->in.sin_port = htons(655);
	out->len = sizeof(out->in);
	return 0;
}

static const struct px_stream_ops fake_stream_ops = {
    .size = sizeof(struct px_stream_ops),
    .name = "fake-stream",
    .listen = fake_listen,
    .unlisten = fake_unlisten,
    .connect = fake_connect,
    .write = fake_write,
    .want_write = fake_want_write,
    .close = fake_close,
    .local_addr = fake_addr,
    .peer_addr = fake_addr,
};

/* ---- fake crypto: XOR stream filters --------------------------------- */

void fx_xor(uint8_t key, const void *in, void *out, size_t len) {
	const uint8_t *i = in;
	uint8_t *o = out;
	for (size_t k = 0; k < len; k++)
		o[k] = i[k] ^ key;
}

struct xor_ctx {
	uint8_t key;
};

static int xor_send(void *ctx, px_conn *c, const uint8_t *data, size_t len) {
	uint8_t *tmp = malloc(len ? len : 1);
	if (!tmp)
		abort();
	fx_xor(((struct xor_ctx *)ctx)->key, data, tmp, len);
	int r = host_table()->conn_write_wire(c, tmp, len);
	free(tmp);
	return r;
}

static int xor_recv(void *ctx, px_conn *c, const uint8_t *data, size_t len) {
	uint8_t *tmp = malloc(len ? len : 1);
	if (!tmp)
		abort();
	fx_xor(((struct xor_ctx *)ctx)->key, data, tmp, len);
	int r = host_table()->conn_deliver(c, tmp, len);
	free(tmp);
	return r;
}

static void xor_free(void *ctx) {
	fx.filters_freed++;
	free(ctx);
}

static const struct px_filter_ops xor_filter = {
    .size = sizeof(struct px_filter_ops),
    .send = xor_send,
    .recv = xor_recv,
    .free = xor_free,
};

/* Output first, so that the ACK sent by conn_auth_done() is already protected. */
static void install_xor(px_conn *c, uint8_t key) {
	struct xor_ctx *out = malloc(sizeof(*out)), *in = malloc(sizeof(*in));
	if (!out || !in)
		abort();
	out->key = in->key = key;
	host_table()->conn_set_filter(c, PX_DIR_OUT, &xor_filter, out);
	host_table()->conn_set_filter(c, PX_DIR_IN, &xor_filter, in);
}

static bool fake_usable(px_plugin *self, px_node *peer) {
	(void)self;
	(void)peer;
	return true;
}

static int fake_meta_start(px_plugin *self, px_conn *c, void **state) {
	(void)self;
	*state = malloc(16);
	if (!*state)
		abort();
	switch (fx.auth_mode) {
	case FX_AUTH_IMMEDIATE:
		host_table()->conn_auth_done(c);
		return 0;
	case FX_AUTH_XOR_AT_START:
		install_xor(c, fx.xor_key);
		host_table()->conn_auth_done(c);
		return 0;
	case FX_AUTH_XOR_ON_REQUEST:
		return 0;
	case FX_AUTH_FAIL:
	default:
		return -1;
	}
}

static int fake_meta_request(px_plugin *self, void *state, px_conn *c, int reqno, const char *line) {
	(void)self;
	(void)state;
	unsigned key;
	if (reqno != PX_REQ_METAKEY || sscanf(line, "%*d %x", &key) != 1)
		return -1;
	install_xor(c, (uint8_t)key);
	host_table()->conn_auth_done(c);
	return 0;
}

static void fake_meta_free(px_plugin *self, void *state) {
	(void)self;
	fx.meta_frees++;
	free(state);
}

static int fake_key_on_req(px_plugin *self, px_node *from, const char *line) {
	(void)self;
	(void)from;
	fx.key_on_req_calls++;
	snprintf(fx.last_key_line, sizeof(fx.last_key_line), "%s", line);
	return 0;
}

static int fake_key_on_ans(px_plugin *self, px_node *from, const char *line) {
	(void)self;
	(void)from;
	fx.key_on_ans_calls++;
	snprintf(fx.last_key_line, sizeof(fx.last_key_line), "%s", line);
	return 0;
}

static unsigned fake_seal(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n) {
	(void)self;
	(void)to;
	(void)bufs;
	return n;
}

static bool fake_key_valid(px_plugin *self, px_node *to) {
	(void)self;
	(void)to;
	return false;
}

/* Mandatory for a crypto registration; no test needs a data key. */
static void fake_key_request(px_plugin *self, px_node *to) {
	(void)self;
	(void)to;
}

static const struct px_crypto_ops fake_crypto_ops = {
    .size = sizeof(struct px_crypto_ops),
    .name = "fake",
    .minor_min = 0,
    .minor_max = 1,
    .usable = fake_usable,
    .meta_start = fake_meta_start,
    .meta_request = fake_meta_request,
    .meta_free = fake_meta_free,
    .key_on_req = fake_key_on_req,
    .key_on_ans = fake_key_on_ans,
    .key_request = fake_key_request,
    .key_valid = fake_key_valid,
    .seal = fake_seal,
    .open = fake_seal,
};

/* ---- configuration directory ----------------------------------------- */

static void write_file(const char *path, const char *content) {
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		abort();
	}
	fputs(content ? content : "", f);
	fclose(f);
}

void fx_add_host(const char *name, const char *content) {
	char path[256];
	snprintf(path, sizeof(path), "%s/hosts/%s", tmpdir, name);
	write_file(path, content);
	host_conf_flush();
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fx_init(const char *self, const char *extra) {
	daemon_wire();
	memset(&fx, 0, sizeof(fx));
	fx.xor_key = 0x5a;
	const char *dbg = getenv("PX_TEST_DEBUG");
	debug_level = dbg ? atoi(dbg) : 0;
	fx_log_clear();
	logger_tap_add(&tap);

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/px-nettest-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		abort();
	}
	char path[256];
	snprintf(path, sizeof(path), "%s/hosts", tmpdir);
	mkdir(path, 0700);
	char conf[1024];
	snprintf(conf, sizeof(conf), "Name = %s\nPingInterval = 60\n%s", self, extra ? extra : "");
	snprintf(path, sizeof(path), "%s/tinc.conf", tmpdir);
	write_file(path, conf);
	fx_add_host(self, "Port = 655\n");

	confbase = strdup(tmpdir);
	if (read_server_config() < 0 || read_settings() < 0) {
		fprintf(stderr, "fixture: configuration in %s not accepted\n", tmpdir);
		abort();
	}
	if (event_init() < 0)
		abort();
	if (host_table()->register_stream(&fx_plugin, &fake_stream_ops) < 0 ||
	    (!fx_without_fake_crypto && host_table()->register_crypto(&fx_plugin, &fake_crypto_ops) < 0)) {
		fprintf(stderr, "fixture: registration refused\n");
		abort();
	}
	myself = node_new(self);
	myself->is_self = true;
	myself->reachable = true;
	myself->nexthop = myself->via = myself;
	node_add(myself);
	packet_pool_init();
	graph_run();
}

static void stop_loop(void *arg) {
	(void)arg;
	event_loop_stop();
}

void fx_drain(void) {
	px_timer *t = timer_new(stop_loop, NULL);
	timer_arm(t, 0);
	event_loop_run();
	timer_free(t);
}

void fx_fini(void) {
	net_stop();
	fx_drain();
	plugins_unload();
	node_free_all();
	seen_request_flush();
	subnet_cache_flush();
	host_conf_flush();
	conf_free(&server_conf);
	free(confbase);
	confbase = NULL;
	free(main_conf_path);
	main_conf_path = NULL;
	free(settings.port);
	free(settings.ifname);
	settings.port = settings.ifname = NULL;
	event_exit();
	logger_tap_remove(&tap);
	nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < nstreams; i++) {
		free(streams[i]->out);
		free(streams[i]);
	}
	free(streams);
	streams = NULL;
	nstreams = 0;
}

/* ---- driving connections --------------------------------------------- */

struct fx_stream *fx_accept(void) {
	struct fx_stream *s = stream_new();
	struct px_addr peer;
	memset(&peer, 0, sizeof(peer));
	peer.in.sin_family = AF_INET;
	peer.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	peer.in.sin_port = htons((uint16_t)(40000 + s->id));
	peer.len = sizeof(peer.in);
	s->c = host_table()->stream_accepted(&fx_plugin, &fx, s, &peer);
	event_run_deferred(); /* as after a callback of the event loop */
	return s;
}

void fx_recvn(struct fx_stream *s, const void *data, size_t len) {
	if (s->closed || !s->c)
		return;
	host_table()->stream_recv(s->c, data, len);
	event_run_deferred(); /* writes leave at the end of a callback */
	/* Tests look at the graph after each read: let its hold-down pass. */
	topology_settle_now();
}

void fx_recv(struct fx_stream *s, const char *text) {
	fx_recvn(s, text, strlen(text));
}

struct fx_stream *fx_activate(const char *peer, const char *ack_tail) {
	struct fx_stream *s = fx_accept();
	char line[256];
	snprintf(line, sizeof(line), "0 %s 17\n", peer);
	fx_recv(s, line);
	snprintf(line, sizeof(line), "4 655 20 c%s%s\n", ack_tail ? " " : "", ack_tail ? ack_tail : "");
	fx_recv(s, line);
	if (!s->c || s->c->state != CONN_ACTIVE)
		fprintf(stderr, "fixture: connection with %s did not become active; it wrote:\n%s\n", peer,
		        s->out);
	fx_clear(s);
	return s;
}

void fx_clear(struct fx_stream *s) {
	s->outlen = 0;
	s->out[0] = 0;
}

int fx_count(const struct fx_stream *s, const char *prefix) {
	int n = 0;
	size_t plen = strlen(prefix);
	const char *p = s->out, *end = s->out + s->outlen;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len >= plen && !memcmp(p, prefix, plen))
			n++;
		p += len + 1;
	}
	return n;
}

bool fx_has_line(const struct fx_stream *s, const char *line) {
	size_t llen = strlen(line);
	const char *p = s->out, *end = s->out + s->outlen;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len == llen && !memcmp(p, line, llen))
			return true;
		p += len + 1;
	}
	return false;
}

int fx_live_conns(void) {
	int n = 0;
	conn_t *c;
	list_for_each_entry(c, &connection_list, link) if (c->state != CONN_DEAD) n++;
	return n;
}
