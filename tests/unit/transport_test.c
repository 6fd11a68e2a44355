/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The UDP and TCP transport plugins, compiled into this test and driven
 * through a fake host table whose timers and watches are core/event.c.
 * Everything runs over 127.0.0.1 with ephemeral ports.
 */
#define _GNU_SOURCE
#include "../../plugins/transport-udp/transport_udp.c"
#include "../../plugins/transport-tcp/transport_tcp.c"

#include "config.h"

#include <net/if.h>
#include <stdarg.h>

#include "check.h"
#include "event.h"
#include "logger.h"

/* The test plays the core: it owns these opaque types. */
struct px_plugin {
	const char *name;
};

struct px_conn {
	int id;
	void *stream;
	size_t received;
	bool connected;
	bool closed;
	int close_err;
	bool pattern_ok;
	size_t sent; /* client: bytes of the pattern written so far */
	char reply[16];
	size_t reply_len;
};

static struct px_plugin udp_plugin = {"transport-udp"};
static struct px_plugin tcp_plugin = {"transport-tcp"};
static const struct px_dgram_ops *dgram;
static const struct px_stream_ops *stream;

/* ---- fake host ---- */

static void h_log(px_plugin *self, int level, const char *fmt, ...) {
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	logger(level, LOG_INFO, "%s: %s", self->name, msg);
}

static int h_log_level(void) {
	return logger_max_level();
}

/* FWMark and BindToInterface as the test sets them (0 / NULL: unset). */
static int conf_fwmark;
static const char *conf_iface;

static int h_conf_int(const char *host, const char *var, int dflt) {
	(void)host;
	return !strcmp(var, "FWMark") && conf_fwmark ? conf_fwmark : dflt;
}

static const char *h_conf_get(const char *host, const char *var, int index) {
	(void)host;
	return !strcmp(var, "BindToInterface") && index == 0 ? conf_iface : NULL;
}

static int h_register_dgram(px_plugin *self, const struct px_dgram_ops *ops) {
	(void)self;
	dgram = ops;
	return 0;
}

static int h_register_stream(px_plugin *self, const struct px_stream_ops *ops) {
	(void)self;
	stream = ops;
	return 0;
}

/* UDP side */
#define MAX_DGRAMS 256
static char rx_data[MAX_DGRAMS][32];
static unsigned rx_count, rx_expect;
static void *rx_sock;
static bool rx_headroom_ok = true;
static uint16_t rx_from_port;
static bool close_on_last;
static unsigned rx_gso_views; /* datagrams cut from a UDP_GRO receive */

static void h_dgram_input(px_plugin *self, void *sock, struct px_buf *bufs, unsigned n) {
	CHECK(self == &udp_plugin);
	CHECK(sock == rx_sock);
	for (unsigned i = 0; i < n; i++) {
		struct px_buf *b = &bufs[i];
		/* A datagram has its slot's headroom; one cut from a UDP_GRO
		 * receive (gso_size set) is a view of its own bytes. */
		if (b->gso_size ? b->data < b->base || b->data + b->len > b->base + b->cap
		                : b->data - b->base != 128 || b->cap < 2048 + 128)
			rx_headroom_ok = false;
		if (b->node || !b->len)
			rx_headroom_ok = false;
		rx_gso_views += b->gso_size != 0;
		rx_from_port = ntohs(b->addr.in.sin_port);
		if (rx_count < MAX_DGRAMS) {
			size_t len = b->len < 31 ? b->len : 31;
			memcpy(rx_data[rx_count], b->data, len);
			rx_data[rx_count][len] = '\0';
		}
		rx_count++;
	}
	if (rx_count >= rx_expect) {
		if (close_on_last) {
			dgram->close(&udp_plugin, sock); /* from inside the callback */
			rx_sock = NULL;
		}
		event_loop_stop();
	}
}

/* TCP side */
#define PATTERN_LEN (1024 * 1024)
static struct px_conn server_conn = {.id = 2, .pattern_ok = true};
static struct px_conn *accept_returns = &server_conn;
static int accepted_count;
static int stop_after_closes;
static int closes;

static uint8_t pattern_byte(size_t i) {
	return (uint8_t)(i * 131 + (i >> 9));
}

static void client_push(px_conn *c) {
	static uint8_t chunk[16384];
	while (c->sent < PATTERN_LEN) {
		size_t len = PATTERN_LEN - c->sent < sizeof chunk ? PATTERN_LEN - c->sent : sizeof chunk;
		for (size_t i = 0; i < len; i++)
			chunk[i] = pattern_byte(c->sent + i);
		ssize_t put = stream->write(&tcp_plugin, c->stream, chunk, len);
		CHECK(put >= 0);
		if (put <= 0) {
			stream->want_write(&tcp_plugin, c->stream, true);
			return;
		}
		c->sent += (size_t)put;
	}
	stream->want_write(&tcp_plugin, c->stream, false);
}

static px_conn *h_stream_accepted(px_plugin *self, void *listener, void *s, const struct px_addr *peer) {
	CHECK(self == &tcp_plugin);
	(void)listener;
	CHECK(peer->sa.sa_family == AF_INET);
	CHECK(peer->in.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	accepted_count++;
	if (accept_returns)
		accept_returns->stream = s;
	return accept_returns;
}

static void h_stream_connected(px_conn *c) {
	c->connected = true;
	if (c->id == 1)
		client_push(c);
}

static void h_stream_writable(px_conn *c) {
	CHECK(c->id == 1);
	client_push(c);
}

static void h_stream_recv(px_conn *c, const void *data, size_t len) {
	const uint8_t *p = data;
	if (c->id == 2) {
		for (size_t i = 0; i < len; i++)
			if (p[i] != pattern_byte(c->received + i))
				c->pattern_ok = false;
		c->received += len;
		if (c->received == PATTERN_LEN)
			CHECK(stream->write(&tcp_plugin, c->stream, "done", 4) == 4);
		return;
	}
	if (c->reply_len + len <= sizeof c->reply) {
		memcpy(c->reply + c->reply_len, data, len);
		c->reply_len += len;
	}
	if (c->reply_len == 4) {
		/* Close from inside the recv callback, as the core does on errors. */
		stream->close(&tcp_plugin, c->stream);
		c->stream = NULL;
		c->closed = true;
	}
}

static void h_stream_closed(px_conn *c, int err) {
	c->closed = true;
	c->close_err = err;
	/* The core closes the stream in response, here from inside the callback. */
	stream->close(&tcp_plugin, c->stream);
	c->stream = NULL;
	if (++closes >= stop_after_closes)
		event_loop_stop();
}

static const struct px_host host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,
    .log = h_log,
    .log_level = h_log_level,
    .conf_int = h_conf_int,
    .conf_get = h_conf_get,
    .now_ms = now_ms,
    .timer_new = timer_new,
    .timer_arm = timer_arm,
    .timer_disarm = timer_disarm,
    .timer_free = timer_free,
    .watch_new = watch_new,
    .watch_set = watch_set,
    .watch_free = watch_free,
    .register_dgram = h_register_dgram,
    .register_stream = h_register_stream,
    .dgram_input = h_dgram_input,
    .stream_accepted = h_stream_accepted,
    .stream_connected = h_stream_connected,
    .stream_recv = h_stream_recv,
    .stream_writable = h_stream_writable,
    .stream_closed = h_stream_closed,
};

/* ---- helpers ---- */

static px_timer *guard;
static bool guard_fired;
static void guard_cb(void *arg) {
	(void)arg;
	guard_fired = true;
	event_loop_stop();
}
static void run_with_guard(uint32_t ms) {
	guard_fired = false;
	timer_arm(guard, ms);
	CHECK(event_loop_run() == 0);
	timer_disarm(guard);
}

static struct px_addr loopback_any_port(void) {
	struct px_addr a;
	memset(&a, 0, sizeof a);
	a.in.sin_family = AF_INET;
	a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.len = sizeof a.in;
	return a;
}

/* ---- UDP ---- */

static void test_udp(void) {
	CHECK(transport_udp_LTX_plexus_plugin.init(&udp_plugin, &host) == 0);
	CHECK(dgram && !strcmp(dgram->name, "udp"));

	struct px_addr bind_addr = loopback_any_port();
	void *a = NULL, *b = NULL;
	CHECK(dgram->open(&udp_plugin, &bind_addr, &a) == 0);
	CHECK(dgram->open(&udp_plugin, &bind_addr, &b) == 0);
	struct px_addr addr_a, addr_b;
	CHECK(dgram->local_addr(&udp_plugin, a, &addr_a) == 0);
	CHECK(dgram->local_addr(&udp_plugin, b, &addr_b) == 0);
	CHECK(addr_b.in.sin_port != 0);

	/* A batch with a dropped (len 0) packet in the middle. */
	static uint8_t store[4][256];
	const char *words[] = {"one", "", "two", "three"};
	struct px_buf out[4];
	for (int i = 0; i < 4; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].base = store[i];
		out[i].data = store[i] + 64;
		out[i].cap = sizeof store[i];
		out[i].len = (uint32_t)strlen(words[i]);
		memcpy(out[i].data, words[i], out[i].len);
		out[i].addr = addr_b;
	}
	CHECK(dgram->send(&udp_plugin, a, out, 4) == 3);
	rx_sock = b;
	rx_count = 0;
	rx_expect = 3;
	run_with_guard(2000);
	CHECK(!guard_fired);
	CHECK(rx_count == 3);
	CHECK_STR(rx_data[0], "one");
	CHECK_STR(rx_data[1], "two");
	CHECK_STR(rx_data[2], "three");
	CHECK(rx_headroom_ok);
	CHECK(rx_from_port == ntohs(addr_a.in.sin_port));

	/* A datagram larger than the ring slots is dropped, the next one still arrives. */
	int raw = socket(AF_INET, SOCK_DGRAM, 0);
	static char big[3000];
	memset(big, 'x', sizeof big);
	CHECK(sendto(raw, big, sizeof big, 0, &addr_b.sa, addr_b.len) == (ssize_t)sizeof big);
	CHECK(sendto(raw, "after", 5, 0, &addr_b.sa, addr_b.len) == 5);
	close(raw);
	rx_count = 0;
	rx_expect = 1;
	run_with_guard(2000);
	CHECK(!guard_fired);
	CHECK(rx_count == 1);
	CHECK_STR(rx_data[0], "after");

	/* More than one sendmmsg/recvmmsg batch; the receiver closes its socket
	 * from inside dgram_input when the last one arrives. */
	enum { BURST = 150 };
	static uint8_t burst_store[BURST][64];
	static struct px_buf burst[BURST];
	for (int i = 0; i < BURST; i++) {
		memset(&burst[i], 0, sizeof burst[i]);
		burst[i].base = burst_store[i];
		burst[i].data = burst_store[i] + 16;
		burst[i].cap = sizeof burst_store[i];
		burst[i].len = (uint32_t)snprintf((char *)burst[i].data, 32, "p%d", i);
		burst[i].addr = addr_b;
	}
	/* Runs of equal size (p0..p9, p10..p99, p100..p149) leave as UDP_SEGMENT
	 * sends where the kernel has it, and loopback hands them to a UDP_GRO
	 * socket coalesced: they must come out as the same datagrams, in order. */
	bool offload = udp_state.gso && ((struct udp_sock *)b)->gro;
	CHECK(dgram->send(&udp_plugin, a, burst, BURST) == BURST);
	rx_count = 0;
	rx_expect = BURST;
	rx_gso_views = 0;
	close_on_last = true;
	run_with_guard(3000);
	CHECK(!guard_fired);
	CHECK(rx_count == BURST);
	for (int i = 0; i < BURST; i++) {
		char want[8];
		snprintf(want, sizeof want, "p%d", i);
		CHECK_STR(rx_data[i], want);
	}
	CHECK(rx_headroom_ok);
	CHECK(!offload || rx_gso_views > 0);
	fprintf(stderr, "burst: offload %s, %u datagrams from UDP_GRO receives\n", offload ? "on" : "off",
	        rx_gso_views);
	CHECK(rx_sock == NULL);
	close_on_last = false;

	/* Wrong address family for this socket: nothing sent, nothing crashes,
	 * the second error within a second is not logged again. */
	struct px_buf v6 = out[0];
	memset(&v6.addr, 0, sizeof v6.addr);
	v6.addr.in6.sin6_family = AF_INET6;
	v6.addr.in6.sin6_addr = in6addr_loopback;
	v6.addr.in6.sin6_port = htons(9);
	v6.addr.len = sizeof v6.addr.in6;
	CHECK(dgram->send(&udp_plugin, a, &v6, 1) == 0);
	CHECK(dgram->send(&udp_plugin, a, &v6, 1) == 0);

	dgram->close(&udp_plugin, a);

	/* Binding an address in use fails cleanly (SO_REUSEADDR does not allow two UDP binds). */
	void *c = NULL;
	struct px_addr bad;
	memset(&bad, 0, sizeof bad);
	bad.sa.sa_family = AF_UNIX;
	CHECK(dgram->open(&udp_plugin, &bad, &c) == -1);
}

/* ---- TCP ---- */

static void test_tcp(void) {
	CHECK(transport_tcp_LTX_plexus_plugin.init(&tcp_plugin, &host) == 0);
	CHECK(stream && !strcmp(stream->name, "tcp"));

	struct px_addr bind_addr = loopback_any_port();
	void *listener = NULL;
	CHECK(stream->listen(&tcp_plugin, &bind_addr, &listener) == 0);
	struct px_addr laddr;
	CHECK(stream->local_addr(&tcp_plugin, listener, &laddr) == 0);
	CHECK(laddr.in.sin_port != 0);

	/* 1 MiB client -> server through want_write, "done" back, client closes
	 * inside recv, server sees EOF and closes inside stream_closed. */
	static struct px_conn client = {.id = 1};
	CHECK(stream->connect(&tcp_plugin, &client, &laddr, NULL, &client.stream) == 0);
	stop_after_closes = 1;
	run_with_guard(5000);
	CHECK(!guard_fired);
	CHECK(accepted_count == 1);
	CHECK(client.connected);
	CHECK(client.sent == PATTERN_LEN);
	CHECK(server_conn.received == PATTERN_LEN);
	CHECK(server_conn.pattern_ok);
	CHECK(client.reply_len == 4 && !memcmp(client.reply, "done", 4));
	CHECK(client.closed);
	CHECK(server_conn.closed);
	CHECK(server_conn.close_err == 0);

	/* The core refuses an incoming connection: the plugin closes it and the
	 * client sees the connection end. */
	static struct px_conn refused_by_core = {.id = 3};
	accept_returns = NULL;
	closes = 0;
	CHECK(stream->connect(&tcp_plugin, &refused_by_core, &laddr, &bind_addr, &refused_by_core.stream) ==
	      0);
	run_with_guard(3000);
	CHECK(!guard_fired);
	CHECK(accepted_count == 2);
	CHECK(refused_by_core.closed);

	/* Nobody listening: the connect completes with ECONNREFUSED. */
	stream->unlisten(&tcp_plugin, listener);
	static struct px_conn nobody = {.id = 4};
	closes = 0;
	CHECK(stream->connect(&tcp_plugin, &nobody, &laddr, NULL, &nobody.stream) == 0);
	run_with_guard(3000);
	CHECK(!guard_fired);
	CHECK(!nobody.connected);
	CHECK(nobody.closed);
	CHECK(nobody.close_err == ECONNREFUSED);
}

/* Both structs start with the fd. */
static int sock_fd(void *sock) {
	return *(int *)sock;
}

static bool has_policy(int fd, int mark, const char *iface) {
	int got_mark = -1;
	char got_iface[IFNAMSIZ + 1] = "";
	socklen_t len = sizeof got_mark;
	if (getsockopt(fd, SOL_SOCKET, SO_MARK, &got_mark, &len) < 0)
		return false;
	len = sizeof got_iface - 1;
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, got_iface, &len) < 0)
		return false;
	return got_mark == mark && !strcmp(got_iface, iface);
}

/* FWMark and BindToInterface reach every socket: UDP, TCP listening and
 * outgoing (and accepted ones inherit them from the listener). Setting
 * them needs CAP_NET_ADMIN / CAP_NET_RAW, so only as root. */
static void test_socket_policy(void) {
	if (geteuid() != 0) {
		fprintf(stderr, "not root: FWMark/BindToInterface not checked\n");
		return;
	}
	conf_fwmark = 0x5e11;
	conf_iface = "lo";
	struct px_addr bind_addr = loopback_any_port();
	void *u = NULL, *l = NULL;
	CHECK(dgram->open(&udp_plugin, &bind_addr, &u) == 0);
	CHECK(u && has_policy(sock_fd(u), 0x5e11, "lo"));
	CHECK(stream->listen(&tcp_plugin, &bind_addr, &l) == 0);
	CHECK(l && has_policy(sock_fd(l), 0x5e11, "lo"));
	struct px_addr laddr;
	CHECK(l && stream->local_addr(&tcp_plugin, l, &laddr) == 0);
	static struct px_conn out = {.id = 7};
	CHECK(stream->connect(&tcp_plugin, &out, &laddr, NULL, &out.stream) == 0);
	CHECK(out.stream && has_policy(sock_fd(out.stream), 0x5e11, "lo"));
	if (out.stream)
		stream->close(&tcp_plugin, out.stream);
	if (u)
		dgram->close(&udp_plugin, u);
	if (l)
		stream->unlisten(&tcp_plugin, l);

	/* An interface that does not exist: no socket rather than an unbound one. */
	conf_iface = "px-no-such0";
	void *bad = NULL;
	CHECK(dgram->open(&udp_plugin, &bind_addr, &bad) == -1);
	CHECK(stream->listen(&tcp_plugin, &bind_addr, &bad) == -1);
	CHECK(stream->connect(&tcp_plugin, &out, &laddr, NULL, &bad) == -1);
	conf_fwmark = 0;
	conf_iface = NULL;
}

int main(void) {
	debug_level = 2;
	CHECK(event_init() == 0);
	guard = timer_new(guard_cb, NULL);
	test_udp();
	test_tcp();
	test_socket_policy();
	timer_free(guard);
	event_exit();
	return check_done("transport_test");
}
