/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Meta connection I/O (core/meta.c): line framing over arbitrary recv
 * boundaries, raw PACKET payloads, stream filters switched on in the middle
 * of a received buffer, and output buffering when the transport is slow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "connection.h"
#include "event.h"
#include "meta.h"
#include "net_fixture.h"
#include "node.h"
#include "plugin_host.h"
#include "plugin_loader.h"
#include "protocol.h"
#include "settings.h"

static void start(void) {
	fx_init("alice", NULL);
	fx_add_host("bob", "");
	fx_add_host("carol", "");
}

/* A request delivered one byte at a time is parsed exactly once. */
static void test_split_request(void) {
	start();
	struct fx_stream *s = fx_accept();
	const char *id = "0 bob 17\n";
	for (size_t i = 0; id[i]; i++) {
		CHECK(!strchr(s->out, '\n')); /* nothing answered before the newline */
		fx_recvn(s, id + i, 1);
	}
	CHECK(s->c && s->c->state == CONN_ACK);
	CHECK(fx_count(s, "0 alice 17") == 1);
	CHECK(fx_count(s, "4 655 ") == 1);
	const char *ack = "4 655 20 c\n8\n";
	for (size_t i = 0; ack[i]; i++)
		fx_recvn(s, ack + i, 1);
	CHECK(s->c && s->c->state == CONN_ACTIVE);
	CHECK(fx_count(s, "9") == 1);
	CHECK(!s->closed);
	fx_fini();
}

/* Several requests in one read, none with a CR, all handled in order. */
static void test_many_in_one_recv(void) {
	start();
	struct fx_stream *s = fx_accept();
	fx_recv(s, "0 bob 17\n4 655 20 c\n8\n8\n8\n9\n");
	CHECK(s->c && s->c->state == CONN_ACTIVE);
	CHECK(fx_count(s, "9") == 3);
	CHECK(!s->closed);
	/* A trailing partial line waits for its end. */
	fx_clear(s);
	fx_recv(s, "8\n8");
	CHECK(fx_count(s, "9") == 1);
	fx_recv(s, "\n");
	CHECK(fx_count(s, "9") == 2);
	fx_fini();
}

/* An answer must be line-framed with "\n" only. */
static void test_output_framing(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	fx_recv(s, "8\n");
	CHECK_STR(s->out, "9\n");
	CHECK(!strchr(s->out, '\r'));
	fx_fini();
}

/* A line longer than MAX_LINE without a newline closes the connection; one
 * just at the limit is still accepted. */
static void test_overlong_line(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	char *big = malloc(MAX_LINE + 16);
	/* "8" padded with spaces up to exactly MAX_LINE characters: still a PING. */
	memset(big, ' ', MAX_LINE);
	big[0] = '8';
	big[MAX_LINE] = '\n';
	fx_recvn(s, big, MAX_LINE + 1);
	CHECK(!s->closed);
	CHECK(fx_count(s, "9") == 1);
	/* Now the same without a newline, arriving in chunks. */
	memset(big, 'x', MAX_LINE + 16);
	big[0] = '8';
	fx_recvn(s, big, 1000);
	CHECK(!s->closed);
	fx_recvn(s, big, MAX_LINE + 16 - 1000);
	CHECK(s->closed);
	CHECK(fx_log_contains("too long"));
	fx_drain();
	CHECK(fx_live_conns() == 0);
	free(big);
	fx_fini();
}

/* A NUL byte inside a line is malformed, in any state. */
static void test_nul_byte(void) {
	start();
	struct fx_stream *s = fx_accept();
	fx_recvn(s, "0 bob\0 17\n", 10);
	CHECK(s->closed);
	CHECK(fx_count(s, "0 alice") == 0);
	struct fx_stream *t = fx_activate("carol", NULL);
	fx_recvn(t, "8\n8\0\n8\n", 7);
	CHECK(t->closed);
	CHECK(fx_count(t, "9") == 1); /* the first PING was answered */
	fx_fini();
}

/* Frame bytes that contain newlines and NULs, so a line parser would choke. */
static void make_frame(uint8_t *f, size_t len) {
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(i % 3 == 0 ? '\n' : i % 3 == 1 ? 0 : i);
	/* Ethernet header: unknown ethertype, so the router drops it quietly. */
	f[12] = 0x88;
	f[13] = 0xb5;
}

static void test_packet_split(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	node_t *bob = s->c->node;
	CHECK(bob && bob->in_packets == 0);
	uint8_t frame[60];
	make_frame(frame, sizeof(frame));
	/* Header plus the first bytes in one read, the rest spread over three. */
	uint8_t first[64];
	memcpy(first, "17 60\n", 6);
	memcpy(first + 6, frame, 5);
	fx_recvn(s, first, 11);
	CHECK(bob->in_packets == 0);
	fx_recvn(s, frame + 5, 20);
	CHECK(bob->in_packets == 0);
	fx_recvn(s, frame + 25, 34);
	CHECK(bob->in_packets == 0);
	/* Last payload byte and the next request together. */
	uint8_t last[3] = {frame[59], '8', '\n'};
	fx_recvn(s, last, 3);
	CHECK(bob->in_packets == 1);
	CHECK(bob->in_bytes == 60);
	CHECK(fx_count(s, "9") == 1);
	CHECK(!s->closed);

	/* Two packets and a PING in a single read. */
	uint8_t buf[200];
	size_t n = 0;
	memcpy(buf + n, "17 60\n", 6), n += 6;
	memcpy(buf + n, frame, 60), n += 60;
	memcpy(buf + n, "17 20\n", 6), n += 6;
	memcpy(buf + n, frame, 20), n += 20;
	memcpy(buf + n, "8\n", 2), n += 2;
	fx_recvn(s, buf, n);
	CHECK(bob->in_packets == 3);
	CHECK(bob->in_bytes == 140);
	CHECK(fx_count(s, "9") == 2);
	CHECK(!s->closed);
	fx_fini();
}

static void test_packet_bad_length(void) {
	const char *bad[] = {"17 0\n", "17 -1\n", "17 32768\n", "17 99999999999\n", "17 abc\n", "17\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start();
		struct fx_stream *s = fx_activate("bob", NULL);
		fx_recv(s, bad[i]);
		if (!s->closed)
			fprintf(stderr, "PACKET line %s did not close\n", bad[i]);
		CHECK(s->closed);
		fx_fini();
	}
	/* The largest frame is fine. */
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	uint8_t *frame = calloc(1, PX_MTU);
	make_frame(frame, PX_MTU);
	fx_recv(s, "17 1518\n");
	fx_recvn(s, frame, PX_MTU);
	CHECK(!s->closed);
	CHECK(s->c->node->in_packets == 1);
	free(frame);
	/* PACKET before the connection is active is refused. */
	struct fx_stream *t = fx_accept();
	fx_recv(t, "17 20\n");
	CHECK(t->closed);
	fx_fini();
}

/* A tinc peer with DisableBuggyPeers = yes opens with a 1801-byte PACKET of
 * zeros: longer than any frame, it is read, dropped with a debug line, and
 * the connection carries on with the request after it. */
static void test_packet_oversized_dropped(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	fx_log_clear();
	size_t len = BUGGY_PEER_PROBE_LEN;
	uint8_t *buf = calloc(1, len + 16);
	memcpy(buf, "17 1801\n", 8);
	memcpy(buf + 8 + len, "8\n", 2);
	/* Split inside the payload: the drop waits for all of it. */
	fx_recvn(s, buf, 8 + 700);
	CHECK(!fx_log_contains("Dropping 1801-byte PACKET"));
	fx_recvn(s, buf + 8 + 700, len - 700 + 2);
	CHECK(!s->closed);
	CHECK(s->c->node->in_packets == 0);
	CHECK(fx_log_contains("Dropping 1801-byte PACKET from bob"));
	CHECK(fx_count(s, "9") == 1); /* the PING after it was answered */
	/* The largest length tinc can announce is taken the same way. */
	uint8_t *big = calloc(1, MAX_TCPPACKET);
	fx_recv(s, "17 32767\n");
	fx_recvn(s, big, MAX_TCPPACKET);
	fx_recv(s, "8\n");
	CHECK(!s->closed);
	CHECK(fx_count(s, "9") == 2);
	free(big);
	free(buf);
	fx_fini();
}

/* Filter installed by meta_start while the ID line is being handled: the
 * ACK that followed the ID in the same read is cipher text and must go
 * through the filter; our ACK goes out through the output filter. */
static void test_filter_switch_at_start(void) {
	start();
	fx.auth_mode = FX_AUTH_XOR_AT_START;
	fx.xor_key = 0x5a;
	struct fx_stream *s = fx_accept();
	const char *plain = "4 655 20 c\n8\n";
	uint8_t buf[128];
	size_t n = strlen("0 bob 17\n");
	memcpy(buf, "0 bob 17\n", n);
	fx_xor(0x5a, plain, buf + n, strlen(plain));
	n += strlen(plain);
	fx_recvn(s, buf, n);
	CHECK(s->c && s->c->state == CONN_ACTIVE);
	CHECK(!s->closed);
	/* Our ID is plain text, everything after it is XORed. */
	const char *id = "0 alice 17\n";
	CHECK(s->outlen > strlen(id) && !memcmp(s->out, id, strlen(id)));
	size_t rest = s->outlen - strlen(id);
	char *dec = calloc(1, rest + 1);
	fx_xor(0x5a, s->out + strlen(id), dec, rest);
	CHECK(!strncmp(dec, "4 655 ", 6));
	CHECK(strstr(dec, "\n9\n") != NULL); /* the PING inside the same read was answered */
	free(dec);
	/* Later reads also pass the filter. */
	fx_clear(s);
	uint8_t ping[2];
	fx_xor(0x5a, "8\n", ping, 2);
	fx_recvn(s, ping, 2);
	char pong[3] = {0};
	CHECK(s->outlen == 2);
	fx_xor(0x5a, s->out, pong, 2);
	CHECK_STR(pong, "9\n");
	/* Closing frees both filter contexts and the auth state. */
	host_table()->conn_close(s->c, "test");
	fx_drain();
	CHECK(fx.filters_freed == 2);
	CHECK(fx.meta_frees == 1);
	fx_fini();
}

/* Filter installed while handling a request in the AUTH state (like the
 * legacy METAKEY): the bytes after that line in the same read are cipher
 * text, however the read was cut. */
static void test_filter_switch_on_request(void) {
	for (size_t cut = 0; cut < 30; cut++) {
		start();
		fx.auth_mode = FX_AUTH_XOR_ON_REQUEST;
		struct fx_stream *s = fx_accept();
		fx_recv(s, "0 bob 17\n");
		CHECK(s->c && s->c->state == CONN_AUTH);
		const char *key = "1 33\n";
		const char *plain = "4 655 20 c\n8\n8\n";
		uint8_t buf[128];
		size_t n = strlen(key);
		memcpy(buf, key, n);
		fx_xor(0x33, plain, buf + n, strlen(plain));
		n += strlen(plain);
		size_t at = cut < n ? cut : n;
		fx_recvn(s, buf, at);
		fx_recvn(s, buf + at, n - at);
		CHECK(s->c && s->c->state == CONN_ACTIVE);
		CHECK(!s->closed);
		size_t idlen = strlen("0 alice 17\n");
		char *dec = calloc(1, s->outlen + 1);
		fx_xor(0x33, s->out + idlen, dec, s->outlen - idlen);
		int pongs = 0;
		for (char *p = dec; (p = strstr(p, "\n9\n")); p += 2)
			pongs++;
		if (pongs != 2)
			fprintf(stderr, "cut %zu: decoded output %s\n", cut, dec);
		CHECK(pongs == 2);
		free(dec);
		fx_fini();
	}
}

/* A request in the AUTH state that the crypto plugin refuses closes. */
static void test_auth_refused(void) {
	start();
	fx.auth_mode = FX_AUTH_XOR_ON_REQUEST;
	struct fx_stream *s = fx_accept();
	fx_recv(s, "0 bob 17\n8\n");
	CHECK(s->closed);
	fx_drain();
	CHECK(fx.meta_frees == 1);
	fx_fini();

	start();
	fx.auth_mode = FX_AUTH_FAIL;
	s = fx_accept();
	fx_recv(s, "0 bob 17\n");
	CHECK(s->closed);
	fx_drain();
	CHECK(fx.meta_frees == 1); /* state allocated by the failing meta_start is freed */
	fx_fini();
}

/* Slow transport: what write() does not take is buffered, want_write is
 * raised, and stream_writable() flushes it in order. */
static void test_output_buffering(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	conn_t *c = s->c;
	s->write_limit = 3;
	CHECK(conn_send(c, "%s", "8 hello world") == 0);
	event_run_deferred(); /* as at the end of an event-loop callback */
	CHECK_STR(s->out, "8 h");
	CHECK(s->want_write);
	CHECK(c->outbuf.len == strlen("ello world\n"));
	/* More output queues behind it, never jumping ahead. */
	CHECK(conn_send(c, "%d", 9) == 0);
	event_run_deferred(); /* as at the end of an event-loop callback */
	CHECK_STR(s->out, "8 h");
	s->write_limit = 0;
	host_table()->stream_writable(c);
	CHECK_STR(s->out, "8 hello world\n9\n");
	CHECK(!s->want_write);
	CHECK(c->outbuf.len == 0);

	/* A stalled peer: writes are buffered until the cap, then it is cut off. */
	fx_clear(s);
	s->stalled = true;
	char *line = malloc(4001);
	memset(line, 'x', 4000);
	line[0] = '8';
	line[1] = ' ';
	line[4000] = 0;
	int rc = 0;
	for (int i = 0; i < 2000 && rc == 0; i++)
		rc = conn_send(c, "%s", line);
	CHECK(rc == -1);
	CHECK(s->closed);
	CHECK(fx_log_contains("output buffer overflow"));
	free(line);

	/* A write error closes. */
	struct fx_stream *t = fx_activate("carol", NULL);
	t->write_limit = -1;
	fx_recv(t, "8\n");
	CHECK(t->closed);
	fx_drain();
	CHECK(fx_live_conns() == 0);
	fx_fini();
}

/* Frames sent over the meta connection: "17 <len>\n" then the raw bytes,
 * through the output filter; dropped, never queued without bound, when the
 * peer does not read. */
static void test_send_tcppacket(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	uint8_t frame[60];
	make_frame(frame, sizeof(frame));
	CHECK(send_tcppacket(s->c, frame, sizeof(frame)) == 0);
	event_run_deferred(); /* as at the end of an event-loop callback */
	CHECK(s->outlen == 6 + 60);
	CHECK(!memcmp(s->out, "17 60\n", 6) && !memcmp(s->out + 6, frame, 60));

	/* Our own output parsed back by a second connection is the same frame. */
	struct fx_stream *t = fx_activate("carol", NULL);
	fx_recvn(t, s->out, s->outlen);
	CHECK(!t->closed && t->c->node->in_packets == 1 && t->c->node->in_bytes == 60);

	/* A stalled peer: the queue stays near MaxOutputBufferSize. */
	fx_clear(s);
	s->stalled = true;
	settings.max_output_buffer = 2000;
	for (int i = 0; i < 200; i++)
		send_tcppacket(s->c, frame, sizeof(frame));
	CHECK(!s->closed);
	CHECK(s->c->outbuf.len <= 2000 + 6 + 60);
	CHECK(s->c->outbuf.len >= 1000);
	/* What is queued is still whole packets. */
	CHECK(s->c->outbuf.len % 66 == 0);
	fx_fini();

	/* Through the XOR filter the header and payload are both protected. */
	start();
	fx.auth_mode = FX_AUTH_XOR_AT_START;
	fx.xor_key = 0x21;
	s = fx_accept();
	uint8_t buf[64];
	size_t n = strlen("0 bob 17\n");
	memcpy(buf, "0 bob 17\n", n);
	fx_xor(0x21, "4 655 20 c\n", buf + n, 11);
	fx_recvn(s, buf, n + 11);
	CHECK(s->c && s->c->state == CONN_ACTIVE);
	fx_clear(s);
	CHECK(send_tcppacket(s->c, frame, sizeof(frame)) == 0);
	event_run_deferred(); /* as at the end of an event-loop callback */
	uint8_t dec[66];
	CHECK(s->outlen == 66);
	fx_xor(0x21, s->out, dec, 66);
	CHECK(!memcmp(dec, "17 60\n", 6) && !memcmp(dec + 6, frame, 60));
	fx_fini();
}

/* A request line too long for the wire is refused by the sender. */
static void test_send_too_long(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	char *line = malloc(MAX_LINE + 10);
	memset(line, 'y', MAX_LINE + 9);
	line[MAX_LINE + 9] = 0;
	CHECK(conn_send(s->c, "%s", line) == -1);
	CHECK(s->outlen == 0);
	CHECK(!s->closed);
	free(line);
	fx_fini();
}

/* The peer closing the stream, or an error on it, terminates the conn. */
static void test_stream_closed(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	host_table()->stream_closed(s->c, ECONNRESET);
	CHECK(s->closed);
	CHECK(fx_log_contains(strerror(ECONNRESET)));
	fx_drain();
	CHECK(fx_live_conns() == 0);
	CHECK(node_lookup("bob") && !node_lookup("bob")->connection);
	fx_fini();
}

int main(void) {
	test_split_request();
	test_many_in_one_recv();
	test_output_framing();
	test_overlong_line();
	test_nul_byte();
	test_packet_split();
	test_packet_bad_length();
	test_packet_oversized_dropped();
	test_filter_switch_at_start();
	test_filter_switch_on_request();
	test_auth_refused();
	test_output_buffering();
	test_send_tcppacket();
	test_send_too_long();
	test_stream_closed();
	return check_done("meta_test");
}
