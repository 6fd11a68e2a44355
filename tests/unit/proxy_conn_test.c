/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy in the real core (net_fixture's fake transport): the outgoing
 * connection goes to the proxy, the request goes first and our ID only
 * after the grant; the peer's bytes that arrive with the grant are parsed.
 * A refusal, a malformed or oversized reply and a proxy that hangs up are
 * each logged and drop the connection, and nothing crashes.
 */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "event.h"
#include "net.h"
#include "net_fixture.h"
#include "outgoing.h"
#include "plugin_host.h"
#include "plugin_loader.h"
#include "protocol.h"

static struct fx_stream *connect_through(const char *proxy_line) {
	fx_init("alice", proxy_line);
	fx_add_host("bob", "Address = 198.18.1.2 655\n");
	setup_outgoing("bob");
	fx_drain();
	CHECK(fx.connects == 1);
	struct fx_stream *s = fx.last_connect;
	CHECK(s && s->c && s->c->state == CONN_CONNECTING);
	return s;
}

static void test_socks5_granted(void) {
	struct fx_stream *s = connect_through("Proxy = socks5 127.0.0.1 1080 al pw\n");
	/* The TCP connection goes to the proxy, the peer's address stays. */
	CHECK(fx.last_connect_to.sa.sa_family == AF_INET);
	CHECK(ntohs(fx.last_connect_to.in.sin_port) == 1080);
	CHECK(fx.last_connect_to.in.sin_addr.s_addr == htonl(0x7f000001));
	CHECK(ntohs(s->c->address.in.sin_port) == 655);
	host_table()->stream_connected(s->c);
	event_run_deferred(); /* writes leave at the end of a callback */
	static const uint8_t req[] = {5, 1, 2, 1, 2,   'a', 'l', 2, 'p',  'w',
	                              5, 1, 0, 1, 198, 18,  1,   2, 0x02, 0x8f};
	CHECK(s->outlen == sizeof(req) && !memcmp(s->out, req, sizeof(req)));
	/* The grant in pieces; the ID only after its last byte. */
	static const uint8_t rep[] = {5, 2, 1, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38};
	fx_recvn(s, rep, 5);
	CHECK(s->outlen == sizeof(req));
	fx_recvn(s, rep + 5, sizeof(rep) - 5 - 1);
	CHECK(s->outlen == sizeof(req));
	/* Last byte of the grant and the peer's ID in one read. */
	uint8_t tail[32];
	tail[0] = rep[sizeof(rep) - 1];
	memcpy(tail + 1, "0 bob 17\n", 9);
	fx_recvn(s, tail, 10);
	CHECK(s->outlen > sizeof(req) && !strncmp(s->out + sizeof(req), "0 alice 17", 10));
	CHECK(!s->closed && s->c && s->c->state != CONN_DEAD && s->c->state != CONN_ID);
	CHECK(fx_log_contains("connected us to bob"));
	fx_drain();
	fx_fini();
}

/* A reply that ends the attempt: closed, logged with `why`, no ID sent. */
static void expect_dropped(const char *proxy_line, const void *reply, size_t len, const char *why) {
	struct fx_stream *s = connect_through(proxy_line);
	host_table()->stream_connected(s->c);
	event_run_deferred(); /* writes leave at the end of a callback */
	size_t reqlen = s->outlen;
	CHECK(reqlen > 0);
	fx_log_clear();
	fx_recvn(s, reply, len);
	CHECK(s->closed);
	CHECK(s->outlen == reqlen); /* no ID */
	if (!fx_log_contains(why))
		fprintf(stderr, "log lacks \"%s\"\n", why);
	CHECK(fx_log_contains(why));
	CHECK(fx_log_contains("did not connect us to bob"));
	fx_drain();
	CHECK(fx_live_conns() == 0);
	fx_fini();
}

static void test_failures(void) {
	static const uint8_t badpw[] = {5, 2, 1, 1};
	expect_dropped("Proxy = socks5 127.0.0.1 1080 al wrong\n", badpw, sizeof(badpw),
	               "rejected the user name or password");
	static const uint8_t refused[] = {5, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 0};
	expect_dropped("Proxy = socks5 127.0.0.1 1080\n", refused, sizeof(refused), "not allowed by ruleset");
	expect_dropped("Proxy = socks4 127.0.0.1 1080\n", "HTTP/1.1 400 Bad\r\n", 18,
	               "malformed SOCKS 4 reply");
	expect_dropped("Proxy = http 127.0.0.1 3128\n", "HTTP/1.1 403 Forbidden\r\n\r\n", 26,
	               "HTTP proxy refused: 403 Forbidden");
	static char huge[20000];
	size_t off = (size_t)snprintf(huge, sizeof(huge), "HTTP/1.1 200 OK\r\n");
	while (off + 8 < sizeof(huge)) {
		memcpy(huge + off, "X: yy\r\n", 7);
		off += 7;
	}
	expect_dropped("Proxy = http 127.0.0.1 3128\n", huge, off, "longer than 8192 bytes");
}

static void test_hangup_and_ipv6(void) {
	/* The proxy hangs up before answering. */
	struct fx_stream *s = connect_through("Proxy = http 127.0.0.1 3128\n");
	host_table()->stream_connected(s->c);
	event_run_deferred(); /* writes leave at the end of a callback */
	CHECK(!strncmp(s->out, "CONNECT 198.18.1.2:655 HTTP/1.1\r\n", 33));
	fx_log_clear();
	host_table()->stream_closed(s->c, 0);
	CHECK(fx_log_contains("closed the connection to bob"));
	fx_drain();
	CHECK(fx_live_conns() == 0 || (fx.last_connect && fx.last_connect != s));
	fx_fini();

	/* SOCKS 4 cannot reach an IPv6 peer: logged, nothing sent. */
	fx_init("alice", "Proxy = socks4 127.0.0.1 1080\n");
	fx_add_host("bob", "Address = 2001:db8::2 655\n");
	setup_outgoing("bob");
	fx_drain();
	s = fx.last_connect;
	CHECK(s && s->c);
	if (s && s->c) {
		host_table()->stream_connected(s->c);
		event_run_deferred(); /* writes leave at the end of a callback */
		CHECK(s->closed && s->outlen == 0);
		CHECK(fx_log_contains("can only reach IPv4 addresses"));
	}
	fx_drain();
	fx_fini();
}

int main(void) {
	test_socks5_granted();
	test_failures();
	test_hangup_and_ipv6();
	return check_done("proxy_conn_test");
}
