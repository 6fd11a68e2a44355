/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy = ...: parsing the variable, the exact request bytes for SOCKS 4,
 * SOCKS 5 (with and without user/password) and HTTP CONNECT, and the reply
 * state machine fed whole, byte by byte, short, malformed and oversized.
 */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"
#include "proxy_wire.h"

static struct px_addr v4(const char *ip, unsigned port) {
	struct px_addr a;
	memset(&a, 0, sizeof(a));
	a.in.sin_family = AF_INET;
	a.in.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a.in.sin_addr);
	a.len = sizeof(a.in);
	return a;
}

static struct px_addr v6(const char *ip, unsigned port) {
	struct px_addr a;
	memset(&a, 0, sizeof(a));
	a.in6.sin6_family = AF_INET6;
	a.in6.sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, ip, &a.in6.sin6_addr);
	a.len = sizeof(a.in6);
	return a;
}

static int parse(const char *value, struct proxy_config *cfg, char *err) {
	err[0] = 0;
	return proxy_config_parse(value, cfg, err, 200);
}

static void test_parse(void) {
	struct proxy_config cfg;
	char err[200];

	CHECK(parse(NULL, &cfg, err) == 0 && cfg.type == PROXY_NONE);
	CHECK(parse("none", &cfg, err) == 0 && cfg.type == PROXY_NONE);
	CHECK(parse("NONE", &cfg, err) == 0 && cfg.type == PROXY_NONE);

	CHECK(parse("socks4 198.18.0.1 1080", &cfg, err) == 0);
	CHECK(cfg.type == PROXY_SOCKS4 && !cfg.user);
	CHECK_STR(cfg.host, "198.18.0.1");
	CHECK_STR(cfg.port, "1080");
	proxy_config_free(&cfg);
	CHECK(parse("Socks4  proxy.example   1080  alice", &cfg, err) == 0);
	CHECK_STR(cfg.user, "alice");
	proxy_config_free(&cfg);

	CHECK(parse("socks5 198.18.0.1 1080", &cfg, err) == 0);
	CHECK(cfg.type == PROXY_SOCKS5 && !cfg.user && !cfg.pass);
	proxy_config_free(&cfg);
	/* tinc takes the password as the rest of the line. */
	CHECK(parse("socks5 198.18.0.1 1080 alice pass word ", &cfg, err) == 0);
	CHECK_STR(cfg.user, "alice");
	CHECK_STR(cfg.pass, "pass word");
	proxy_config_free(&cfg);

	CHECK(parse("http 198.18.0.1 3128", &cfg, err) == 0 && cfg.type == PROXY_HTTP);
	proxy_config_free(&cfg);
	CHECK(parse("exec  nc -q0 $REMOTEADDRESS $REMOTEPORT ", &cfg, err) == 0 && cfg.type == PROXY_EXEC);
	CHECK_STR(cfg.command, "nc -q0 $REMOTEADDRESS $REMOTEPORT");
	proxy_config_free(&cfg);

	/* Refused with a message. */
	CHECK(parse("", &cfg, err) == -1 && strstr(err, "needs a type"));
	CHECK(parse("socks6 h 1", &cfg, err) == -1 && strstr(err, "Unknown proxy type socks6"));
	CHECK(parse("socks4a h 1", &cfg, err) == -1 && strstr(err, "socks4a is not implemented"));
	CHECK(parse("socks5 198.18.0.1", &cfg, err) == -1 && strstr(err, "needs a host and a port"));
	CHECK(parse("http", &cfg, err) == -1 && strstr(err, "needs a host and a port"));
	CHECK(parse("exec", &cfg, err) == -1 && strstr(err, "needs a command"));
	CHECK(parse("exec   ", &cfg, err) == -1 && strstr(err, "needs a command"));
	CHECK(parse("socks5 h 1 alice", &cfg, err) == -1 && strstr(err, "both a user and a password"));
	CHECK(parse("socks4 h 1 alice secret", &cfg, err) == -1 && strstr(err, "no password"));
	CHECK(parse("http h 1 alice", &cfg, err) == -1 && strstr(err, "only HOST PORT"));
	CHECK(parse("none x", &cfg, err) == -1 && strstr(err, "no arguments"));
	char longline[600];
	snprintf(longline, sizeof(longline), "socks5 h 1 alice %0300d", 7);
	CHECK(parse(longline, &cfg, err) == -1 && strstr(err, "password longer than 255"));
	snprintf(longline, sizeof(longline), "socks4 h 1 %0300d", 7);
	CHECK(parse(longline, &cfg, err) == -1 && strstr(err, "user longer than 255"));
	CHECK(!cfg.host && !cfg.user); /* freed on failure */
}

static int request(const char *value, struct px_addr to, uint8_t *buf, char *err) {
	struct proxy_config cfg;
	CHECK(parse(value, &cfg, err) == 0);
	int n = proxy_request(&cfg, &to, buf, PROXY_REQUEST_MAX + 64, err, 200);
	proxy_config_free(&cfg);
	return n;
}

static void test_requests(void) {
	uint8_t buf[PROXY_REQUEST_MAX + 64];
	char err[200];

	static const uint8_t s4[] = {4, 1, 0x02, 0x8f, 198, 18, 1, 2, 0};
	CHECK(request("socks4 p 1", v4("198.18.1.2", 655), buf, err) == sizeof(s4));
	CHECK(!memcmp(buf, s4, sizeof(s4)));
	static const uint8_t s4u[] = {4, 1, 0x02, 0x8f, 198, 18, 1, 2, 'b', 'o', 'b', 0};
	CHECK(request("socks4 p 1 bob", v4("198.18.1.2", 655), buf, err) == sizeof(s4u));
	CHECK(!memcmp(buf, s4u, sizeof(s4u)));
	CHECK(request("socks4 p 1", v6("2001:db8::1", 655), buf, err) == -1);
	CHECK(strstr(err, "only reach IPv4"));

	static const uint8_t s5[] = {5, 1, 0, 5, 1, 0, 1, 198, 18, 1, 2, 0x02, 0x8f};
	CHECK(request("socks5 p 1", v4("198.18.1.2", 655), buf, err) == sizeof(s5));
	CHECK(!memcmp(buf, s5, sizeof(s5)));
	static const uint8_t s5p[] = {5, 1, 2, 1, 2,   'a', 'l', 2, 'p',  'w',
	                              5, 1, 0, 1, 198, 18,  1,   2, 0x02, 0x8f};
	CHECK(request("socks5 p 1 al pw", v4("198.18.1.2", 655), buf, err) == sizeof(s5p));
	CHECK(!memcmp(buf, s5p, sizeof(s5p)));
	static const uint8_t s56[] = {5, 1, 0, 5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0,   0,
	                              0, 0, 0, 0, 0, 0, 0, 0,    0,    1,    0x02, 0x8f};
	CHECK(request("socks5 p 1", v6("2001:db8::1", 655), buf, err) == sizeof(s56));
	CHECK(!memcmp(buf, s56, sizeof(s56)));
	/* Longest credentials fit the buffer. */
	char longest[600];
	snprintf(longest, sizeof(longest), "socks5 p 1 %0255d %0255d", 1, 2);
	CHECK(request(longest, v6("2001:db8::1", 655), buf, err) == PROXY_REQUEST_MAX);

	const char *h4 = "CONNECT 198.18.1.2:655 HTTP/1.1\r\nHost: 198.18.1.2:655\r\n\r\n";
	CHECK(request("http p 1", v4("198.18.1.2", 655), buf, err) == (int)strlen(h4));
	CHECK(!memcmp(buf, h4, strlen(h4)));
	const char *h6 = "CONNECT [2001:db8::1]:655 HTTP/1.1\r\nHost: [2001:db8::1]:655\r\n\r\n";
	CHECK(request("http p 1", v6("2001:db8::1", 655), buf, err) == (int)strlen(h6));
	CHECK(!memcmp(buf, h6, strlen(h6)));
}

/* Feed `len` bytes in chunks of `step`; returns the final status and how
 * many bytes in all were taken as the reply. */
static enum proxy_status feed(const char *value, const void *data, size_t len, size_t step, size_t *taken,
                              struct proxy_reply *r) {
	struct proxy_config cfg;
	char err[200];
	CHECK(parse(value, &cfg, err) == 0);
	proxy_reply_init(r, &cfg);
	proxy_config_free(&cfg);
	enum proxy_status st = PROXY_MORE;
	size_t off = 0;
	*taken = 0;
	while (off < len && st == PROXY_MORE) {
		size_t n = len - off < step ? len - off : step;
		size_t used;
		st = proxy_reply_feed(r, (const uint8_t *)data + off, n, &used);
		CHECK(used <= n);
		*taken += used;
		off += n;
	}
	return st;
}

/* The same reply whole and byte by byte, with the peer's first bytes after it. */
static void expect_granted(const char *value, const void *reply, size_t len) {
	uint8_t buf[2048];
	memcpy(buf, reply, len);
	memcpy(buf + len, "0 beta 17.7\n", 12);
	struct proxy_reply r;
	size_t taken;
	CHECK(feed(value, buf, len + 12, len + 12, &taken, &r) == PROXY_GRANTED);
	CHECK(taken == len);
	CHECK(feed(value, buf, len, 1, &taken, &r) == PROXY_GRANTED);
	CHECK(taken == len);
}

static void expect_failed(const char *value, const void *reply, size_t len, const char *why) {
	struct proxy_reply r;
	size_t taken;
	CHECK(feed(value, reply, len, len, &taken, &r) == PROXY_FAILED);
	if (!strstr(r.error, why))
		fprintf(stderr, "error \"%s\", expected \"%s\"\n", r.error, why);
	CHECK(strstr(r.error, why) != NULL);
	CHECK(feed(value, reply, len, 1, &taken, &r) == PROXY_FAILED);
	CHECK(strstr(r.error, why) != NULL);
	/* Stays failed. */
	size_t used;
	CHECK(proxy_reply_feed(&r, (const uint8_t *)"x", 1, &used) == PROXY_FAILED && used == 0);
}

static void expect_short(const char *value, const void *reply, size_t len) {
	struct proxy_reply r;
	size_t taken;
	CHECK(feed(value, reply, len, 1, &taken, &r) == PROXY_MORE);
	CHECK(taken == len);
}

static void test_socks4_replies(void) {
	static const uint8_t ok[] = {0, 0x5a, 0, 0, 0, 0, 0, 0};
	expect_granted("socks4 p 1", ok, sizeof(ok));
	expect_short("socks4 p 1", ok, 7);
	static const uint8_t rejected[] = {0, 0x5b, 0, 0, 0, 0, 0, 0};
	expect_failed("socks4 p 1", rejected, sizeof(rejected), "request rejected or failed");
	static const uint8_t ident[] = {0, 0x5d, 0, 0, 0, 0, 0, 0};
	expect_failed("socks4 p 1 bob", ident, sizeof(ident), "identd reported a different user id");
	static const uint8_t badver[] = {4, 0x5a, 0, 0, 0, 0, 0, 0};
	expect_failed("socks4 p 1", badver, sizeof(badver), "malformed SOCKS 4 reply");
	/* An HTTP-speaking server where a SOCKS one was expected. */
	expect_failed("socks4 p 1", "HTTP/1.1 400 Bad", 16, "malformed SOCKS 4 reply");
}

static void test_socks5_replies(void) {
	static const uint8_t ok4[] = {5, 0, 5, 0, 0, 1, 198, 18, 0, 1, 0x04, 0x38};
	expect_granted("socks5 p 1", ok4, sizeof(ok4));
	static const uint8_t ok6[] = {5, 0, 5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0,    0,
	                              0, 0, 0, 0, 0, 0, 0,    0,    0,    1,    0x04, 0x38};
	expect_granted("socks5 p 1", ok6, sizeof(ok6));
	static const uint8_t okname[] = {5, 0, 5, 0, 0, 3, 5, 'p', 'r', 'o', 'x', 'y', 0x04, 0x38};
	expect_granted("socks5 p 1", okname, sizeof(okname));
	static const uint8_t okpw[] = {5, 2, 1, 0, 5, 0, 0, 1, 198, 18, 0, 1, 0x04, 0x38};
	expect_granted("socks5 p 1 al pw", okpw, sizeof(okpw));
	for (size_t i = 0; i < sizeof(okpw); i++)
		expect_short("socks5 p 1 al pw", okpw, i);

	static const uint8_t badpw[] = {5, 2, 1, 1};
	expect_failed("socks5 p 1 al pw", badpw, sizeof(badpw), "rejected the user name or password");
	static const uint8_t nomethod[] = {5, 0xff};
	expect_failed("socks5 p 1 al pw", nomethod, sizeof(nomethod), "accepts no authentication method");
	static const uint8_t wrongmethod[] = {5, 0};
	expect_failed("socks5 p 1 al pw", wrongmethod, sizeof(wrongmethod), "chose authentication method 0");
	static const uint8_t wantspw[] = {5, 2};
	expect_failed("socks5 p 1", wantspw, sizeof(wantspw), "chose authentication method 2");
	static const uint8_t refused[] = {5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0};
	expect_failed("socks5 p 1", refused, sizeof(refused), "connection refused (5)");
	static const uint8_t oddcode[] = {5, 0, 5, 0x42, 0, 1, 0, 0, 0, 0, 0, 0};
	expect_failed("socks5 p 1", oddcode, sizeof(oddcode), "unknown reply code (66)");
	static const uint8_t badver[] = {4, 0};
	expect_failed("socks5 p 1", badver, sizeof(badver), "malformed SOCKS 5 reply (version 4");
	static const uint8_t badver2[] = {5, 0, 4, 0, 0, 1};
	expect_failed("socks5 p 1", badver2, sizeof(badver2), "malformed SOCKS 5 reply (version 4");
	static const uint8_t badauthver[] = {5, 2, 5, 0};
	expect_failed("socks5 p 1 al pw", badauthver, sizeof(badauthver), "authentication reply (version 5");
	static const uint8_t badatyp[] = {5, 0, 5, 0, 0, 9, 0, 0};
	expect_failed("socks5 p 1", badatyp, sizeof(badatyp), "address type 9");
	static const uint8_t emptyname[] = {5, 0, 5, 0, 0, 3, 0};
	expect_failed("socks5 p 1", emptyname, sizeof(emptyname), "empty domain name");
	expect_short("socks5 p 1", ok4, sizeof(ok4) - 1);
	expect_short("socks5 p 1", okname, sizeof(okname) - 1);
}

static void test_http_replies(void) {
	const char *ok = "HTTP/1.1 200 Connection established\r\n\r\n";
	expect_granted("http p 1", ok, strlen(ok));
	const char *ok10 = "HTTP/1.0 200 OK\r\nProxy-agent: test/1.0\r\nX-Other: y\r\n\r\n";
	expect_granted("http p 1", ok10, strlen(ok10));
	const char *bare = "\r\nHTTP/1.1 200\n\n";
	expect_granted("http p 1", bare, strlen(bare));
	expect_short("http p 1", ok, strlen(ok) - 1);

	const char *forbidden = "HTTP/1.1 403 Forbidden\r\n\r\n";
	expect_failed("http p 1", forbidden, strlen(forbidden), "HTTP proxy refused: 403 Forbidden");
	const char *auth = "HTTP/1.1 407 Proxy Authentication Required\r\n";
	expect_failed("http p 1", auth, strlen(auth), "refused: 407");
	const char *junk = "SSH-2.0-OpenSSH\r\n";
	expect_failed("http p 1", junk, strlen(junk), "malformed HTTP proxy reply");
	const char *socks = "\x05\x01\x05\x01\n";
	expect_failed("http p 1", socks, strlen(socks), "malformed HTTP proxy reply");
	const char *nul = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
	expect_failed("http p 1", nul, 28, "NUL byte");

	/* One endless line, and endless short header lines. */
	static char big[PROXY_HTTP_HEADERS + 2048];
	memset(big, 'a', sizeof(big));
	expect_failed("http p 1", big, sizeof(big), "line longer than 1024 bytes");
	size_t off = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\n");
	while (off + 8 < sizeof(big)) {
		memcpy(big + off, "X: yy\r\n", 7);
		off += 7;
	}
	expect_failed("http p 1", big, off, "longer than 8192 bytes before the blank line");
}

int main(void) {
	test_parse();
	test_requests();
	test_socks4_replies();
	test_socks5_replies();
	test_http_replies();
	return check_done("proxy_test");
}
