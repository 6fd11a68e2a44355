/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The meta protocol as the core speaks it (core/protocol*.c, connection.c,
 * net.c): the connection state machine, tolerance of unknown request ids,
 * flooding with duplicate suppression, the graph requests and their
 * contradictions, routing of key requests, safe connection teardown and the
 * outgoing back-off.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "check.h"
#include "connection.h"
#include "edge.h"
#include "event.h"
#include "graph.h"
#include "meta.h"
#include "net.h"
#include "net_fixture.h"
#include "netutl.h"
#include "node.h"
#include "outgoing.h"
#include "plugin_host.h"
#include "plugin_loader.h"
#include "protocol.h"
#include "protocol_info.h"
#include "settings.h"
#include "subnet.h"

static void start(void) {
	fx_init("alice", "MaxTimeout = 10\n");
	/* A fixed Weight keeps edge weights independent of timing: (20 + 20) / 2. */
	fx_add_host("bob", "Weight = 20\n");
	fx_add_host("carol", "Weight = 20\n");
	fx_add_host("dave", "Weight = 20\n");
	fx_add_host("erin", "Weight = 20\n");
}

/* Lines that start with `prefix` and end with `suffix`. */
static int count_match(const struct fx_stream *s, const char *prefix, const char *suffix) {
	int n = 0;
	size_t plen = strlen(prefix), slen = strlen(suffix);
	const char *p = s->out, *end = s->out + s->outlen;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len >= plen + slen && !memcmp(p, prefix, plen) && !memcmp(p + len - slen, suffix, slen))
			n++;
		p += len + 1;
	}
	return n;
}

/* The peer announces its edge back to us, which makes it reachable. */
static void announce_back(struct fx_stream *s, const char *peer) {
	static unsigned nonce = 0x1000;
	char line[128];
	snprintf(line, sizeof(line), "12 %x %s alice 127.0.0.1 655 c 20\n", nonce++, peer);
	fx_recv(s, line);
}

static struct fx_stream *activate_linked(const char *peer) {
	struct fx_stream *s = fx_activate(peer, NULL);
	announce_back(s, peer);
	return s;
}

static void clear_all(struct fx_stream **s, int n) {
	for (int i = 0; i < n; i++)
		fx_clear(s[i]);
}

/* ---- connection state machine ---------------------------------------- */

static void expect_closed_after(const char *input, const char *why) {
	start();
	struct fx_stream *s = fx_accept();
	fx_recv(s, input);
	if (!s->closed)
		fprintf(stderr, "not closed: %s (%s)\n", why, input);
	CHECK(s->closed);
	CHECK(fx_count(s, "0 alice") == 0); /* we never identified ourselves */
	fx_drain();
	CHECK(fx_live_conns() == 0);
	fx_fini();
}

static void test_id_refusals(void) {
	expect_closed_after("8\n", "PING first");
	expect_closed_after("4 655 20 c\n", "ACK first");
	expect_closed_after("12 1 bob carol 127.0.0.1 655 c 10\n", "ADD_EDGE first");
	expect_closed_after("30\n", "unknown id first");
	expect_closed_after("0 bo-b 17\n", "invalid name");
	expect_closed_after("0 alice 17\n", "our own name");
	expect_closed_after("0 zed 17\n", "no host file");
	expect_closed_after("0 bob 16\n", "wrong major");
	expect_closed_after("0 bob 18.1\n", "wrong major with minor");
	expect_closed_after("0 bob abc\n", "non-numeric version");
	expect_closed_after("0 bob\n", "no version");
	expect_closed_after("0 ^abcdef 17\n", "control cookie");
	expect_closed_after("0 ?key 17.7\n", "invitation");
	expect_closed_after("abc\n", "garbage");
}

static void test_id_accepted(void) {
	start();
	struct fx_stream *s = fx_accept();
	CHECK(s->c && s->c->state == CONN_ID);
	CHECK(s->outlen == 0); /* the accepting side waits for the peer's ID */
	fx_recv(s, "0 bob 17.7\n");
	CHECK(!s->closed);
	/* ID answered, authentication ran (fake: at once), ACK sent. */
	CHECK(fx_count(s, "0 alice 17") == 1);
	CHECK(count_match(s, "4 655 ", " c") == 1);
	CHECK(s->c->state == CONN_ACK);
	CHECK(s->c->minor == 1); /* peer's 7, capped by the chosen protocol's minor_max */
	CHECK(s->c->crypto && !strcmp(s->c->crypto->ops->name, "fake"));
	CHECK(fx.meta_frees == 1);         /* auth state released at conn_auth_done */
	CHECK(node_lookup("bob") != NULL); /* created at ID time for the crypto plugin */

	/* In the ACK state only ACK is acceptable. */
	struct fx_stream *t = fx_accept();
	fx_recv(t, "0 carol 17\n8\n");
	CHECK(t->closed);
	/* An ACK with too few fields closes. */
	struct fx_stream *u = fx_accept();
	fx_recv(u, "0 dave 17\n4 655 20\n");
	CHECK(u->closed);

	/* ACK with three fields: active, no capabilities. */
	fx_clear(s);
	fx_recv(s, "4 655 20 c\n");
	CHECK(s->c->state == CONN_ACTIVE);
	CHECK(s->c->ncaps == 0);
	node_t *bob = node_lookup("bob");
	CHECK(bob->connection == s->c);
	struct edge *e = edge_lookup(myself, bob);
	CHECK(e && e->connection == s->c);
	CHECK(e && e->addr_host && !strcmp(e->addr_host, "127.0.0.1"));
	CHECK(e && e->addr_port && !strcmp(e->addr_port, "655"));
	/* Our new edge is announced (to the new peer too: it is active now). */
	CHECK(count_match(s, "12 ", " alice bob 127.0.0.1 655 c 20 127.0.0.1 655") == 1);

	/* ACK with a fourth field: capabilities. */
	struct fx_stream *v = fx_accept();
	fx_recv(v, "0 erin 17\n4 655 20 c px:110,201\n");
	CHECK(v->c && v->c->state == CONN_ACTIVE);
	CHECK(v->c && conn_has_capability(v->c, "110"));
	CHECK(v->c && conn_has_capability(v->c, "201"));
	CHECK(v->c && !conn_has_capability(v->c, "111"));
	/* A fourth field that is not ours is ignored. */
	struct fx_stream *w = fx_accept();
	fx_recv(w, "0 carol 17\n4 655 20 c whatever\n");
	CHECK(w->c && w->c->state == CONN_ACTIVE && w->c->ncaps == 0);
	fx_fini();
}

/* Requests in the active state: PING/PONG, TERMREQ. */
static void test_active_requests(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	fx_recv(s, "8\n");
	CHECK(fx_has_line(s, "9"));
	fx_recv(s, "9\n");
	CHECK(!s->closed);
	/* ID, ACK and auth requests once active are not handled again. */
	fx_clear(s);
	fx_recv(s, "0 bob 17\n4 655 20 c\n1 2 3\n");
	CHECK(!s->closed);
	CHECK(s->outlen == 0);
	fx_recv(s, "7\n");
	CHECK(s->closed);
	fx_fini();
}

/* A second connection with the same node replaces the first. */
static void test_second_connection(void) {
	start();
	struct fx_stream *other = fx_activate("carol", NULL);
	struct fx_stream *a = activate_linked("bob");
	conn_t *ca = a->c;
	node_t *bob = node_lookup("bob");
	CHECK(bob->reachable);
	fx_clear(other);
	struct fx_stream *b = fx_activate("bob", NULL);
	CHECK(a->closed);
	CHECK(!b->closed);
	CHECK(bob->connection == b->c);
	CHECK(bob->connection != ca); /* the replaced one is freed once deferred work ran */
	struct edge *e = edge_lookup(myself, bob);
	CHECK(e && e->connection == b->c);
	/* carol heard about the old edge going and the new one coming. */
	CHECK(count_match(other, "13 ", " alice bob") == 1);
	CHECK(count_match(other, "12 ", " alice bob 127.0.0.1 655 c 20 127.0.0.1 655") == 1);
	fx_drain();
	CHECK(fx_live_conns() == 2);
	fx_fini();
}

/* DisableBuggyPeers: a newly activated peer gets one PACKET of 1801 zero
 * bytes before the first ADD_EDGE/ADD_SUBNET; without it, the graph comes
 * first. */
static void expect_probe(const char *extra, bool probe) {
	fx_init("alice", extra);
	fx_add_host("bob", "Weight = 20\n");
	fx_add_host("carol", "Weight = 20\n");
	activate_linked("carol"); /* something to send: the edges alice-carol */
	struct fx_stream *s = fx_accept();
	fx_recv(s, "0 bob 17\n");
	fx_clear(s);
	fx_recv(s, "4 655 20 c\n");
	CHECK(!s->closed && s->c->state == CONN_ACTIVE);
	const char *head = "17 1801\n";
	size_t hl = strlen(head), len = BUGGY_PEER_PROBE_LEN;
	if (!probe) {
		CHECK(!strncmp(s->out, "12 ", 3));
		CHECK(fx_count(s, "17 ") == 0);
		fx_fini();
		return;
	}
	CHECK(s->outlen > hl + len);
	CHECK(!memcmp(s->out, head, hl));
	bool zero = true;
	for (size_t i = 0; i < len && hl + i < s->outlen; i++)
		zero &= s->out[hl + i] == 0;
	CHECK(zero);
	/* Right after it: the graph, as without the probe. */
	CHECK(s->outlen > hl + len && !strncmp(s->out + hl + len, "12 ", 3));
	CHECK(fx_count(s, "17 ") == 1); /* exactly one probe */
	fx_fini();
}

static void test_buggy_peer_probe(void) {
	expect_probe("DisableBuggyPeers = yes\n", true);
	expect_probe("DisableBuggyPeers = no\n", false);
	expect_probe(NULL, false);
}

/* The connecting side sends its ID first and checks the peer's name. */
static void test_outgoing_id(void) {
	start();
	fx_add_host("bob", "Address = 127.0.0.1 9\n");
	setup_outgoing("bob");
	fx_drain();
	CHECK(fx.connects == 1);
	struct fx_stream *s = fx.last_connect;
	CHECK(s && s->c && s->c->state == CONN_CONNECTING);
	CHECK(s->outlen == 0);
	/* Nothing is parsed before the stream is up. */
	fx_recv(s, "0 bob 17\n");
	CHECK(s->c->state == CONN_CONNECTING);
	host_table()->stream_connected(s->c);
	event_run_deferred(); /* as at the end of an event-loop callback */
	CHECK_STR(s->out, "0 alice 17\n");
	fx_recv(s, "0 carol 17\n");
	CHECK(s->closed); /* we wanted bob */
	fx_drain();
	fx_fini();
}

/* ---- unknown and malformed request ids --------------------------------- */

static void test_unknown_ids(void) {
	start();
	struct fx_stream *s[3];
	s[0] = fx_activate("bob", NULL);
	s[1] = fx_activate("carol", "px:110");
	s[2] = fx_activate("dave", NULL);
	clear_all(s, 3);
	fx_recv(s[0], "30 whatever\n120 1 x\n250\n23 bob carol 1400\n18 1 2\n");
	CHECK(!s[0]->closed);
	CHECK(s[0]->c->state == CONN_ACTIVE);
	CHECK(fx_log_contains("Ignoring request 30"));
	CHECK(fx_log_contains("Ignoring request 250"));
	/* 120 is a broadcast by number, but nobody announced it. */
	CHECK(fx_count(s[1], "120") == 0 && fx_count(s[2], "120") == 0);

	/* Extension broadcast 110: forwarded to carol only, exactly once. */
	fx_recv(s[0], "110 deadbeef some payload\n");
	fx_recv(s[2], "110 deadbeef some payload\n");
	fx_recv(s[0], "110 deadbeef some payload\n");
	CHECK(fx_count(s[1], "110 deadbeef some payload") == 1);
	CHECK(fx_count(s[0], "110") == 0 && fx_count(s[2], "110") == 0);
	fx_recv(s[0], "110 cafe some payload\n");
	CHECK(fx_count(s[1], "110 ") == 2);
	/* Not back to the announcer when it sends it itself. */
	fx_recv(s[1], "110 f00d x\n");
	CHECK(fx_count(s[1], "110 f00d") == 0);
	CHECK(!s[0]->closed && !s[1]->closed && !s[2]->closed);
	fx_fini();

	const char *bad[] = {"-1\n", "999\n", "256\n", "abc\n", "\n", " \n", "-\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start();
		struct fx_stream *t = fx_activate("bob", NULL);
		fx_recv(t, bad[i]);
		if (!t->closed)
			fprintf(stderr, "malformed id did not close: '%s'\n", bad[i]);
		CHECK(t->closed);
		fx_fini();
	}
}

/* Request types provided by a plugin: announced in ACK, deduped when flooded. */
static int plugin_calls;
static char plugin_line[256];
static int fake_request(px_plugin *self, px_conn *from, const char *line) {
	(void)self;
	(void)from;
	plugin_calls++;
	snprintf(plugin_line, sizeof(plugin_line), "%s", line);
	return strstr(line, "bad") ? -1 : 0;
}

static void test_plugin_requests(void) {
	start();
	static const struct px_request_ops bcast = {
	    .size = sizeof(struct px_request_ops),
	    .id = 201,
	    .name = "TEST_BCAST",
	    .flags = PX_REQF_BROADCAST,
	    .handle = fake_request,
	};
	static const struct px_request_ops routed = {
	    .size = sizeof(struct px_request_ops),
	    .id = 140,
	    .name = "TEST_ROUTED",
	    .flags = 0,
	    .handle = fake_request,
	};
	CHECK(host_table()->register_request(&fx_plugin, &bcast) == 0);
	CHECK(host_table()->register_request(&fx_plugin, &routed) == 0);
	CHECK_STR(local_capabilities(), "px:140,201");
	CHECK_STR(request_name(201), "TEST_BCAST");
	struct fx_stream *s = fx_accept();
	fx_recv(s, "0 bob 17\n");
	CHECK(count_match(s, "4 655 ", " c px:140,201") == 1);
	fx_recv(s, "4 655 20 c px:201\n");
	CHECK(s->c->state == CONN_ACTIVE);
	fx_recv(s, "201 1 hello\n201 1 hello\n201 2 hello\n");
	CHECK(plugin_calls == 2);
	fx_recv(s, "140 x y\n140 x y\n");
	CHECK(plugin_calls == 4); /* routed requests are not deduped */
	/* Our own broadcasts go only to peers that announced the id. */
	struct fx_stream *t = fx_activate("carol", NULL);
	fx_clear(s);
	CHECK(host_table()->broadcast(NULL, "201 %x %s", 7u, "news") == 0);
	event_run_deferred(); /* as at the end of an event-loop callback */
	CHECK(fx_count(s, "201 7 news") == 1);
	CHECK(fx_count(t, "201") == 0);
	/* ... and the echo of it is dropped. */
	fx_recv(s, "201 7 news\n");
	CHECK(plugin_calls == 4);
	/* A handler error closes the connection. */
	fx_recv(s, "140 bad\n");
	CHECK(s->closed);
	fx_fini();
}

/* ---- subnets ---------------------------------------------------------- */

static void add_own_subnet(const char *str) {
	struct subnet *sn = subnet_new();
	CHECK(subnet_parse(str, sn));
	subnet_add(myself, sn);
	subnet_cache_flush();
}

static struct subnet *find_subnet(const char *owner, const char *str) {
	node_t *n = node_lookup(owner);
	struct subnet s;
	memset(&s, 0, sizeof(s));
	if (!n || !subnet_parse(str, &s))
		return NULL;
	return subnet_find(n, &s);
}

static void test_subnets(void) {
	start();
	add_own_subnet("10.1.0.0/16");
	struct fx_stream *s[3];
	s[0] = activate_linked("bob");
	s[1] = activate_linked("carol");
	s[2] = activate_linked("dave");
	clear_all(s, 3);

	/* A good ADD_SUBNET: stored, forwarded once to each other peer. */
	fx_recv(s[0], "10 1a bob 10.2.0.0/16#10\n");
	CHECK(find_subnet("bob", "10.2.0.0/16") != NULL);
	CHECK(fx_count(s[1], "10 1a bob 10.2.0.0/16#10") == 1);
	CHECK(fx_count(s[2], "10 1a bob 10.2.0.0/16#10") == 1);
	CHECK(fx_count(s[0], "10 ") == 0);
	/* The same line again (directly or via another peer): dropped. */
	fx_recv(s[0], "10 1a bob 10.2.0.0/16#10\n");
	fx_recv(s[1], "10 1a bob 10.2.0.0/16#10\n");
	CHECK(fx_count(s[1], "10 1a") == 1 && fx_count(s[2], "10 1a") == 1 && fx_count(s[0], "10 1a") == 0);
	/* Same subnet, new nonce: already known, not forwarded again. */
	fx_recv(s[1], "10 1b bob 10.2.0.0/16#10\n");
	CHECK(fx_count(s[0], "10 1b") == 0 && fx_count(s[2], "10 1b") == 0);
	/* Owner not known yet: the node is created. */
	fx_recv(s[0], "10 1c zoe 10.3.0.0/16#10\n");
	CHECK(node_lookup("zoe") && find_subnet("zoe", "10.3.0.0/16"));
	CHECK(fx_count(s[1], "10 1c zoe") == 1);
	/* MAC and IPv6 subnets. */
	fx_recv(s[0], "10 1d bob 0:1:2:a:b:c#10\n10 1e bob fd00:0:0:0:0:0:0:0/64#10\n");
	CHECK(find_subnet("bob", "00:01:02:0a:0b:0c") && find_subnet("bob", "fd00::/64"));
	CHECK(!s[0]->closed);

	/* Contradictions about our own subnets. */
	clear_all(s, 3);
	fx_recv(s[0], "10 2a alice 10.9.0.0/16#10\n");
	CHECK(count_match(s[0], "11 ", " alice 10.9.0.0/16#10") == 1);
	CHECK(!find_subnet("alice", "10.9.0.0/16"));
	CHECK(fx_count(s[1], "10 2a") == 0 && fx_count(s[1], "11 ") == 0);
	fx_recv(s[0], "10 2b alice 10.1.0.0/16#10\n"); /* true: nothing to say */
	CHECK(fx_count(s[0], "11 ") == 1 && fx_count(s[1], "10 2b") == 0);
	fx_recv(s[0], "11 2c alice 10.1.0.0/16#10\n");
	CHECK(count_match(s[0], "10 ", " alice 10.1.0.0/16#10") == 1);
	CHECK(find_subnet("alice", "10.1.0.0/16") != NULL);
	CHECK(fx_count(s[1], "11 2c") == 0);
	fx_recv(s[0], "11 2d alice 10.8.0.0/16#10\n"); /* not ours anyway: ignored */
	CHECK(fx_count(s[0], "10 ") == 1);

	/* DEL_SUBNET: removed, forwarded once. */
	clear_all(s, 3);
	fx_recv(s[1], "11 3a bob 10.2.0.0/16#10\n");
	fx_recv(s[2], "11 3a bob 10.2.0.0/16#10\n");
	CHECK(!find_subnet("bob", "10.2.0.0/16"));
	CHECK(fx_count(s[0], "11 3a") == 1 && fx_count(s[2], "11 3a") == 1 && fx_count(s[1], "11 3a") == 0);
	/* Unknown owner or subnet: ignored, connection stays. */
	fx_recv(s[1], "11 3b nobody 10.2.0.0/16#10\n11 3c bob 10.77.0.0/16#10\n");
	CHECK(!s[1]->closed && fx_count(s[0], "11 3b") == 0 && fx_count(s[0], "11 3c") == 0);
	fx_fini();

	const char *bad[] = {
	    "10 1 bo-b 10.0.0.0/8#10\n",
	    "10 1 bob 10.0.0.300/8\n",
	    "10 1 bob 10.0.0.0/33\n",
	    "10 1 bob banana\n",
	    "10 1 bob\n",
	    "10 zz\n",
	    "11 1 b.b 10.0.0.0/8\n",
	    "11 1 bob 1:2:3\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start();
		struct fx_stream *a = activate_linked("bob");
		struct fx_stream *b = activate_linked("carol");
		fx_clear(b);
		fx_recv(a, bad[i]);
		if (!a->closed)
			fprintf(stderr, "bad subnet request accepted: %s", bad[i]);
		CHECK(a->closed);
		CHECK(fx_count(b, "10 1 ") == 0 && fx_count(b, "11 1 ") == 0);
		fx_fini();
	}
}

/* ---- edges ------------------------------------------------------------ */

static void test_edges(void) {
	start();
	struct fx_stream *s[3];
	s[0] = activate_linked("bob");
	s[1] = activate_linked("carol");
	s[2] = activate_linked("dave");
	clear_all(s, 3);
	node_t *bob = node_lookup("bob");

	fx_recv(s[0], "12 a1 bob zoe 127.0.0.1 655 0 10\n12 a2 zoe bob 127.0.0.1 655 0 10\n");
	node_t *zoe = node_lookup("zoe");
	CHECK(zoe && edge_lookup(bob, zoe) && edge_lookup(zoe, bob));
	CHECK(zoe && zoe->reachable && zoe->nexthop == bob);
	CHECK(fx_count(s[1], "12 a1 bob zoe") == 1 && fx_count(s[2], "12 a2 zoe bob") == 1);
	CHECK(fx_count(s[0], "12 a") == 0);
	/* Duplicates dropped, identical content with a new nonce not forwarded. */
	fx_recv(s[1], "12 a1 bob zoe 127.0.0.1 655 0 10\n12 a3 bob zoe 127.0.0.1 655 0 10\n");
	CHECK(fx_count(s[1], "12 a1") == 1 && fx_count(s[2], "12 a1") == 1 && fx_count(s[0], "12 a") == 0);
	CHECK(fx_count(s[2], "12 a3") == 0);
	/* Changed weight: updated and forwarded. */
	fx_recv(s[0], "12 a4 bob zoe 127.0.0.1 655 0 30\n");
	CHECK(edge_lookup(bob, zoe)->weight == 30);
	CHECK(fx_count(s[1], "12 a4") == 1);
	/* The 1.1 form with local address (8 fields). */
	fx_recv(s[0], "12 a5 bob yan 127.0.0.1 655 0 10 127.0.0.2 655\n");
	CHECK(node_lookup("yan") && edge_lookup(bob, node_lookup("yan")));
	CHECK(fx_count(s[1], "12 a5") == 1);
	CHECK(!s[0]->closed);

	/* Contradictions about our own edges. */
	clear_all(s, 3);
	fx_recv(s[0], "12 b1 alice bob 127.0.0.9 999 c 1\n");
	CHECK(count_match(s[0], "12 ", " alice bob 127.0.0.1 655 c 20 127.0.0.1 655") == 1);
	CHECK(edge_lookup(myself, bob)->weight == 20);
	CHECK(fx_count(s[1], "12 b1") == 0);
	fx_recv(s[0], "12 b2 alice zoe 127.0.0.1 655 c 10\n");
	CHECK(count_match(s[0], "13 ", " alice zoe") == 1);
	CHECK(!edge_lookup(myself, zoe));
	CHECK(fx_count(s[1], "12 b2") == 0);
	fx_recv(s[0], "13 b3 alice bob\n");
	CHECK(count_match(s[0], "12 ", " alice bob 127.0.0.1 655 c 20 127.0.0.1 655") == 2);
	CHECK(edge_lookup(myself, bob) != NULL);
	CHECK(fx_count(s[1], "13 b3") == 0);
	CHECK(!s[0]->closed);

	/* DEL_EDGE: removed, forwarded once; zoe becomes unreachable. */
	clear_all(s, 3);
	fx_recv(s[0], "13 c1 bob zoe\n");
	fx_recv(s[1], "13 c1 bob zoe\n");
	CHECK(!edge_lookup(bob, zoe));
	CHECK(!zoe->reachable);
	CHECK(fx_count(s[1], "13 c1") == 1 && fx_count(s[2], "13 c1") == 1 && fx_count(s[0], "13 c1") == 0);
	/* Unknown nodes or edges: ignored. */
	fx_recv(s[0], "13 c2 bob nobody\n13 c3 carol zoe\n");
	CHECK(!s[0]->closed && fx_count(s[1], "13 c2") == 0 && fx_count(s[1], "13 c3") == 0);
	fx_fini();

	const char *bad[] = {
	    "12 1 bob bob 127.0.0.1 655 0 10\n",           /* from == to */
	    "12 1 bob zoe 127.0.0.1 655 0 10 127.0.0.2\n", /* 7 fields */
	    "12 1 bob zoe 127.0.0.1 655 0\n",              /* 5 fields */
	    "12 1 b-b zoe 127.0.0.1 655 0 10\n",           /* bad name */
	    "12 1 bob z.e 127.0.0.1 655 0 10\n",           /* bad name */
	    "12 1 bob zoe 127.0.0.1 655 zz 10\n",          /* bad options */
	    "12 zz bob zoe 127.0.0.1 655 0 10\n",          /* bad nonce */
	    "13 1 bob\n",                                  /* DEL_EDGE 1 name */
	    "13 1 bob z/e\n",                              /* DEL_EDGE bad name */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start();
		struct fx_stream *a = activate_linked("bob");
		struct fx_stream *b = activate_linked("carol");
		fx_clear(b);
		fx_recv(a, bad[i]);
		if (!a->closed)
			fprintf(stderr, "bad edge request accepted: %s", bad[i]);
		CHECK(a->closed);
		CHECK(fx_count(b, "12 1 ") == 0 && fx_count(b, "13 1 ") == 0);
		CHECK(!node_lookup("zoe"));
		fx_fini();
	}
}

/* ---- key requests ------------------------------------------------------ */

static void stop_loop(void *arg) {
	(void)arg;
	event_loop_stop();
}

/* A flood arriving in many reads (as from many connections while a mesh
 * converges) runs the graph once per hold-down, not once per read, and is
 * still forwarded at once; the hold-down's end runs the graph by itself. */
static void test_graph_holddown(void) {
	enum { READS = 300 };
	start();
	struct fx_stream *s[2];
	s[0] = activate_linked("bob");
	s[1] = activate_linked("carol");
	clear_all(s, 2);
	unsigned runs0 = graph_run_count();
	uint64_t t0 = now_ms();
	char line[128];
	for (int i = 0; i < READS; i++) {
		snprintf(line, sizeof(line),
		         "12 %x bob z%03d 127.0.0.1 655 0 10\n12 %x z%03d bob 127.0.0.1 655 0 10\n",
		         0x5000 + 2 * i, i, 0x5001 + 2 * i, i);
		/* one event-loop callback per read, as from the transport */
		host_table()->stream_recv(s[0]->c, line, strlen(line));
		event_run_deferred();
	}
	unsigned runs = graph_run_count() - runs0;
	uint64_t elapsed = now_ms() - t0;
	if (runs > 2 + elapsed / 50)
		fprintf(stderr, "graph runs for %d reads: %u in %llu ms\n", READS, runs,
		        (unsigned long long)elapsed);
	CHECK(runs <= 2 + elapsed / 50);
	CHECK(count_match(s[1], "12 ", " 10") == 2 * READS);
	/* the hold-down's timer brings the graph up to date without more input */
	px_timer *stop = timer_new(stop_loop, NULL);
	timer_arm(stop, 200);
	event_loop_run();
	timer_free(stop);
	int reachable = 0;
	for (int i = 0; i < READS; i++) {
		snprintf(line, sizeof(line), "z%03d", i);
		node_t *z = node_lookup(line);
		reachable += z && z->reachable;
	}
	CHECK(reachable == READS);
	fx_fini();
}

/* A flood that keeps arriving for 600 ms in a mesh of 300 nodes: the
 * hold-down doubles (50, 100, 200, 400 ms), so the graph runs about four
 * times, where a fixed 50 ms hold-down ran it a dozen times. */
static void test_graph_holddown_backoff(void) {
	enum { NODES = 300 };
	start();
	struct fx_stream *s[1];
	s[0] = activate_linked("bob");
	clear_all(s, 1);
	char line[128];
	for (int i = 0; i < NODES; i++) {
		snprintf(line, sizeof(line),
		         "12 %x bob y%03d 127.0.0.1 655 0 10\n12 %x y%03d bob 127.0.0.1 655 0 10\n",
		         0x7000 + 2 * i, i, 0x7001 + 2 * i, i);
		host_table()->stream_recv(s[0]->c, line, strlen(line));
		event_run_deferred();
	}
	/* the next change comes after a quiet spell longer than four hold-downs */
	usleep(300 * 1000);
	unsigned runs0 = graph_run_count();
	uint64_t t0 = now_ms();
	for (int i = 0; now_ms() - t0 < 600; i++) {
		snprintf(line, sizeof(line), "12 %x bob y%03d 127.0.0.1 655 0 %d\n", 0x9000 + i, i % NODES,
		         11 + i);
		host_table()->stream_recv(s[0]->c, line, strlen(line));
		event_run_deferred();
		usleep(2000);
	}
	unsigned runs = graph_run_count() - runs0;
	if (runs > 5)
		fprintf(stderr, "graph runs in 600 ms of changes: %u\n", runs);
	CHECK(runs >= 3 && runs <= 5);
	fx_fini();
}

static void test_keys(void) {
	start();
	struct fx_stream *b = activate_linked("bob");
	struct fx_stream *d = activate_linked("dave");
	/* carol sits behind bob. */
	fx_recv(b, "12 e1 bob carol 127.0.0.1 655 c 10\n12 e2 carol bob 127.0.0.1 655 c 10\n");
	node_t *carol = node_lookup("carol"), *dave = node_lookup("dave");
	CHECK(carol && carol->reachable && carol->nexthop == node_lookup("bob"));
	/* erin is known but unreachable. */
	fx_recv(b, "10 e3 erin 10.5.0.0/16#10\n");
	CHECK(node_lookup("erin") && !node_lookup("erin")->reachable);
	fx_clear(b);
	fx_clear(d);

	/* Unknown origin or destination: ignored, connection stays up. */
	fx_recv(d, "15 zed carol\n15 dave zed\n16 zed carol 00 0 0 0 0\n16 dave zed 00 0 0 0 0\n");
	CHECK(!d->closed);
	CHECK(b->outlen == 0);
	CHECK(fx_log_contains("origin zed which does not exist"));
	CHECK(fx_log_contains("destination zed which does not exist"));
	/* Unreachable destination: dropped. */
	fx_recv(d, "15 dave erin\n16 dave erin 00 0 0 0 0\n");
	CHECK(!d->closed && b->outlen == 0);

	/* Reachable destination: the line goes to its nexthop, verbatim, once. */
	fx_recv(d, "15 dave carol\n");
	CHECK(fx_count(b, "15 dave carol") == 1);
	CHECK(fx_count(d, "15") == 0);
	fx_recv(d, "15 dave carol 19\n");
	CHECK(fx_has_line(b, "15 dave carol 19"));
	fx_recv(d, "15 dave carol\n"); /* routed requests are not deduped */
	CHECK(fx_count(b, "15 dave carol") == 3);

	/* For us: handed to the crypto plugin. */
	fx_recv(d, "15 dave alice\n");
	CHECK(fx.key_on_req_calls == 1);
	CHECK_STR(fx.last_key_line, "15 dave alice");
	fx_recv(b, "16 carol alice 00 0 0 0 0\n");
	CHECK(fx.key_on_ans_calls == 1);

	/* ANS_KEY forwarding and the reflexive address. */
	fx_clear(b);
	fx_recv(d, "16 dave carol AB 0 0 0 0\n"); /* no UDP address known for dave */
	CHECK(fx_has_line(b, "16 dave carol AB 0 0 0 0"));
	struct px_addr udp;
	memset(&udp, 0, sizeof(udp));
	udp.in.sin_family = AF_INET;
	udp.in.sin_addr.s_addr = htonl(0x7f000005);
	udp.in.sin_port = htons(7000);
	udp.len = sizeof(udp.in);
	node_set_udp(dave, &udp);
	dave->seen_addr = udp; /* as if its datagrams came from there */
	dave->has_seen_addr = true;
	carol->minmtu = 0; /* no working UDP towards carol */
	fx_recv(d, "16 dave carol AB 0 0 0 1\n");
	CHECK(fx_has_line(b, "16 dave carol AB 0 0 0 1"));
	carol->minmtu = 1400;
	fx_recv(d, "16 dave carol AB 0 0 0 2\n");
	CHECK(fx_has_line(b, "16 dave carol AB 0 0 0 2 127.0.0.5 7000"));
	/* Already carries an address: left alone. */
	fx_recv(d, "16 dave carol AB 0 0 0 3 127.0.0.9 9\n");
	CHECK(fx_has_line(b, "16 dave carol AB 0 0 0 3 127.0.0.9 9"));
	CHECK(fx_count(b, "16 ") == 4);
	CHECK(!b->closed && !d->closed);

	/* Syntax errors close. */
	fx_recv(d, "15 dave\n");
	CHECK(d->closed);
	struct fx_stream *e = activate_linked("erin");
	fx_recv(e, "16 er/n carol 00 0 0 0 0\n");
	CHECK(e->closed);
	fx_fini();
}

/* ---- UDP_INFO and MTU_INFO -------------------------------------------- */

/* A neighbour whose ACK announces protocol minor `minor` (edges to it carry
 * that minor, which decides whether a hint may go to it). */
static struct fx_stream *activate_minor(const char *peer, unsigned minor) {
	struct fx_stream *s = fx_accept();
	char line[128];
	snprintf(line, sizeof(line), "0 %s 17\n4 655 20 %x\n", peer, minor << 24 | 0xc);
	fx_recv(s, line);
	CHECK(s->c && s->c->state == CONN_ACTIVE);
	announce_back(s, peer);
	fx_clear(s);
	return s;
}

/* alice - bob (minor 7) - carol; alice - dave (tinc 1.0, minor 0) - erin. */
static void info_mesh(struct fx_stream **b, struct fx_stream **d) {
	fx_init("alice", "MaxTimeout = 10\nUDPInfoInterval = 2\nMTUInfoInterval = 3\n");
	fx_add_host("bob", "Weight = 20\n");
	fx_add_host("carol", "Weight = 20\n");
	fx_add_host("dave", "Weight = 20\n");
	fx_add_host("erin", "Weight = 20\n");
	*b = activate_minor("bob", 7);
	*d = activate_minor("dave", 0);
	fx_recv(*b, "12 f1 bob carol 127.0.0.3 655 700000c 10\n12 f2 carol bob 127.0.0.2 655 700000c 10\n");
	fx_recv(*d, "12 f3 dave erin 127.0.0.5 655 c 10\n12 f4 erin dave 127.0.0.4 655 c 10\n");
	CHECK(node_lookup("carol")->reachable && node_lookup("erin")->reachable);
	CHECK(node_lookup("carol")->nexthop == node_lookup("bob"));
	CHECK(node_lookup("erin")->nexthop == node_lookup("dave"));
	fx_clear(*b);
	fx_clear(*d);
	fx_log_clear();
}

static void test_udp_info(void) {
	struct fx_stream *b, *d;
	info_mesh(&b, &d);
	node_t *carol = node_lookup("carol"), *erin = node_lookup("erin");
	CHECK(settings.udp_info_interval == 2 && settings.mtu_info_interval == 3);

	/* Originated towards carol (not a neighbour): once, then paced. */
	CHECK(send_udp_info(myself, carol));
	fx_drain(); /* what the core queued goes out */
	CHECK(fx_has_line(b, "22 alice carol 127.0.0.1 655"));
	CHECK(!send_udp_info(myself, carol));
	carol->udp_info_sent_ms = now_ms() - 1990; /* just under UDPInfoInterval */
	CHECK(!send_udp_info(myself, carol));
	carol->udp_info_sent_ms = now_ms() - 2000;
	CHECK(send_udp_info(myself, carol));
	fx_drain();
	CHECK(fx_count(b, "22 ") == 2);
	/* Never to a neighbour, never over a tinc 1.0 hop (minor < 5). */
	CHECK(!send_udp_info(myself, node_lookup("bob")));
	CHECK(!send_udp_info(myself, erin));
	CHECK(fx_count(d, "22") == 0);

	/* Received about erin (no meta connection, UDP unconfirmed): its
	 * address is adopted, and the hint goes on towards carol with our idea
	 * of erin's address. */
	fx_clear(b);
	fx_recv(d, "22 erin carol 198.18.7.9 7009\n");
	CHECK(!d->closed);
	CHECK(fx_log_contains("UDP address of erin set to"));
	CHECK(erin->has_udp_addr && addr_port(&erin->udp_addr) == 7009);
	CHECK(fx_has_line(b, "22 erin carol 198.18.7.9 7009"));
	/* Confirmed UDP: the hint does not move the address, still forwarded. */
	erin->udp_confirmed = true;
	fx_recv(d, "22 erin carol 198.18.7.10 7010\n");
	CHECK(addr_port(&erin->udp_addr) == 7009);
	CHECK(fx_has_line(b, "22 erin carol 198.18.7.9 7009"));
	CHECK(fx_count(b, "22 ") == 2);
	/* Towards a tinc 1.0 hop: not forwarded; never back where it came from. */
	fx_recv(b, "22 carol erin 198.18.7.3 655\n");
	CHECK(fx_count(d, "22") == 0);
	fx_recv(b, "22 erin carol 198.18.7.9 7009\n");
	CHECK(fx_count(b, "22 ") == 2);
	CHECK(fx_log_contains("Not sending a hint about carol back to bob"));
	/* A neighbour's address is ours to know: no change. */
	node_t *bob = node_lookup("bob");
	struct px_addr before = bob->udp_addr;
	fx_recv(d, "22 bob carol 198.18.7.2 7002\n");
	CHECK(addr_equal(&before, &bob->udp_addr));

	/* Bad input: logged, dropped, connection kept. */
	const char *bad[] = {"22 erin\n",
	                     "22 erin carol 198.18.7.9\n",
	                     "22 er/n carol 198.18.7.9 655\n",
	                     "22 zed carol 198.18.7.9 655\n",
	                     "22 erin zed 198.18.7.9 655\n",
	                     "22 alice carol 198.18.7.9 655\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fx_log_clear();
		fx_clear(b);
		fx_recv(d, bad[i]);
		if (!fx_log_contains("dropped"))
			fprintf(stderr, "no log line for bad UDP_INFO '%s'\n", bad[i]);
		CHECK(fx_log_contains("dropped"));
		CHECK(fx_count(b, "22") == 0);
	}
	/* An address that does not parse is not adopted; the hint goes on. */
	erin->udp_confirmed = false;
	fx_log_clear();
	fx_recv(d, "22 erin carol unspec unspec\n");
	CHECK(fx_log_contains("gives no usable address for erin"));
	CHECK(addr_port(&erin->udp_addr) == 7009);
	CHECK(fx_has_line(b, "22 erin carol 198.18.7.9 7009"));
	CHECK(!b->closed && !d->closed);
	fx_fini();
}

static void test_mtu_info(void) {
	struct fx_stream *b, *d;
	info_mesh(&b, &d);
	node_t *carol = node_lookup("carol"), *erin = node_lookup("erin");

	/* Originated: paced by MTUInfoInterval (3 s here). */
	CHECK(send_mtu_info(myself, carol, PX_MTU));
	fx_drain();
	CHECK(fx_has_line(b, "23 alice carol 1518"));
	CHECK(!send_mtu_info(myself, carol, PX_MTU));
	carol->mtu_info_sent_ms = now_ms() - 2990;
	CHECK(!send_mtu_info(myself, carol, PX_MTU));
	carol->mtu_info_sent_ms = now_ms() - 3000;
	CHECK(send_mtu_info(myself, carol, PX_MTU));
	fx_drain();
	CHECK(fx_count(b, "23 alice carol 1518") == 2);
	CHECK(!send_mtu_info(myself, node_lookup("bob"), PX_MTU)); /* a neighbour measures itself */
	CHECK(!send_mtu_info(myself, erin, PX_MTU));               /* tinc 1.0 next hop */
	CHECK(fx_count(d, "23") == 0);

	/* Received: a provisional MTU for a node we have not measured, passed
	 * on, lowered to what we measured on the way. */
	fx_clear(b);
	erin->minmtu = 0;
	erin->maxmtu = PX_MTU;
	fx_recv(d, "23 erin carol 1450\n");
	CHECK(erin->mtu == 1450);
	CHECK(fx_log_contains("Using provisional MTU 1450 for node erin"));
	CHECK(fx_has_line(b, "23 erin carol 1450"));
	erin->minmtu = erin->maxmtu = 1300; /* measured: kept, and it bounds the hint */
	erin->mtu = 1300;
	fx_recv(d, "23 erin carol 1450\n");
	CHECK(erin->mtu == 1300);
	CHECK(fx_has_line(b, "23 erin carol 1300"));
	/* Above the largest frame: clamped. */
	carol->minmtu = 0;
	carol->maxmtu = PX_MTU;
	fx_recv(b, "23 carol erin 9000\n");
	CHECK(carol->mtu == PX_MTU);
	CHECK(fx_count(d, "23") == 0); /* erin's next hop is tinc 1.0 */

	const char *bad[] = {"23 erin\n",
	                     "23 erin carol\n",
	                     "23 erin carol 511\n",
	                     "23 erin carol -1400\n",
	                     "23 erin carol 14x\n",
	                     "23 erin carol 99999999999999999999\n",
	                     "23 e-n carol 1400\n",
	                     "23 zed carol 1400\n",
	                     "23 alice carol 1400\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fx_log_clear();
		fx_clear(b);
		fx_recv(d, bad[i]);
		if (!fx_log_contains("dropped"))
			fprintf(stderr, "no log line for bad MTU_INFO '%s'\n", bad[i]);
		CHECK(fx_log_contains("dropped"));
		CHECK(fx_count(b, "23") == 0);
		CHECK(erin->mtu == 1300);
	}
	CHECK(!b->closed && !d->closed);
	fx_fini();
}

/* ---- teardown while walking connection_list ---------------------------- */

static void test_terminate_mid_walk(void) {
	start();
	const char *names[] = {"bob", "carol", "dave", "erin"};
	struct fx_stream *s[4];
	for (int i = 0; i < 4; i++)
		s[i] = activate_linked(names[i]);
	/* Terminate every other connection while walking the list; each
	 * termination broadcasts DEL_EDGE to the connections not yet visited. */
	conn_t *c, *tmp;
	int k = 0;
	list_for_each_entry_safe(c, tmp, &connection_list, link) {
		if (k++ % 2 == 0)
			conn_terminate(c, "test walk");
	}
	CHECK(fx_live_conns() == 2);
	/* Terminate the rest with the active-only iterator, twice over. */
	conn_foreach_active(c, tmp) {
		conn_terminate(c, "test walk");
		conn_terminate(c, "again");
	}
	CHECK(fx_live_conns() == 0);
	fx_drain();
	CHECK(list_empty(&connection_list));
	for (int i = 0; i < 4; i++)
		CHECK(s[i]->closed);
	CHECK(!node_lookup("bob")->reachable);
	CHECK(!edge_lookup(myself, node_lookup("bob")));
	fx_fini();

	/* Write errors while flooding: the connections that failed close from
	 * the loop (not inside the crypto filter that was writing), and their
	 * DEL_EDGE floods follow. */
	start();
	for (int i = 0; i < 4; i++)
		s[i] = activate_linked(names[i]);
	s[1]->write_limit = -1;
	s[2]->write_limit = -1;
	fx_recv(s[0], "10 77 bob 10.2.0.0/16#10\n");
	CHECK(fx_count(s[3], "10 77 bob") == 1);
	fx_drain();
	CHECK(!s[0]->closed && s[1]->closed && s[2]->closed && !s[3]->closed);
	CHECK(count_match(s[3], "13 ", " alice carol") == 1);
	CHECK(count_match(s[3], "13 ", " alice dave") == 1);
	CHECK(fx_live_conns() == 2);
	/* A write error within the flood of a closing connection. */
	s[3]->write_limit = -1;
	conn_terminate(s[0]->c, "cascade");
	fx_drain();
	CHECK(s[3]->closed);
	CHECK(fx_live_conns() == 0);
	fx_fini();
}

/* ---- outgoing connections: back-off ------------------------------------ */

static struct outgoing *start_outgoing(const char *addresses) {
	fx_add_host("bob", addresses);
	setup_outgoing("bob");
	fx_drain();
	CHECK(fx.connects == 1);
	struct outgoing *o = fx.last_connect_conn ? fx.last_connect_conn->outgoing : NULL;
	/* A new outgoing connection retries quickly for its first seconds
	 * (test_quick_retry); the back-off tests start after that. */
	if (o)
		o->fast_until = 0;
	return o;
}

static bool quick_retry(const struct outgoing *o) {
	return timer_armed(o->timer) && o->timeout == 0 && o->retry_ms >= 200 && o->retry_ms <= 250;
}

static void fire(struct outgoing *o) {
	timer_arm(o->timer, 0);
	fx_drain();
}

static void test_backoff_doubles(void) {
	start();
	struct outgoing *o = start_outgoing("Address = 127.0.0.1 9\n");
	CHECK(o != NULL);
	if (!o) {
		fx_fini();
		return;
	}
	const int expect[] = {1, 2, 4, 8, 10, 10, 10};
	for (int i = 0; i < 7; i++) {
		CHECK(fx.last_connect && fx.last_connect->c);
		host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
		CHECK(o->c == NULL);
		CHECK(timer_armed(o->timer));
		if (o->timeout != expect[i])
			fprintf(stderr, "attempt %d: timeout %d, expected %d\n", i, o->timeout, expect[i]);
		CHECK(o->timeout == expect[i]);
		fire(o);
		CHECK(fx.connects == i + 2);
	}
	/* connect() failing synchronously backs off the same way. */
	fx.connect_result = -1;
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(o->timeout == 10);
	o->timeout = 2;
	fire(o);
	CHECK(o->c == NULL && timer_armed(o->timer) && o->timeout == 4);
	fx_drain();
	CHECK(fx_live_conns() == 0);
	fx_fini();
}

static void test_backoff_addresses_and_reset(void) {
	start();
	struct outgoing *o = start_outgoing("Address = 127.0.0.1 9\nAddress = 127.0.0.2 9\n");
	CHECK(o && o->naddrs == 2);
	if (!o) {
		fx_fini();
		return;
	}
	/* The first address refuses: the second is tried at once, no back-off. */
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(o->timeout == 0 && timer_armed(o->timer));
	fire(o);
	CHECK(fx.connects == 2);
	/* Both refused: back off. */
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(o->timeout == 1);
	fire(o);
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(o->timeout == 1); /* second address of the new round */
	fire(o);
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(o->timeout == 2);
	fire(o);

	/* A connection that becomes active resets the back-off... */
	struct fx_stream *s = fx.last_connect;
	host_table()->stream_connected(s->c);
	fx_recv(s, "0 bob 17\n4 655 20 c\n");
	CHECK(s->c && s->c->state == CONN_ACTIVE);
	CHECK(o->timeout == 0);
	/* ... and when it breaks, we reconnect at once, from the first address,
	 * and failed rounds repeat quickly for a while (the peer restarts). */
	host_table()->stream_closed(s->c, ECONNRESET);
	CHECK(o->c == NULL && timer_armed(o->timer) && o->timeout == 0 && o->retry_ms == 0);
	fire(o);
	CHECK(fx.connects == 6);
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(o->timeout == 0); /* second address still to try */
	fire(o);
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(quick_retry(o));
	/* After the window, the back-off again. */
	o->fast_until = 0;
	fire(o);
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	fire(o);
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(o->timeout == 1 && o->retry_ms == 1000);

	/* PONG on an outgoing connection resets the back-off too. */
	fire(o);
	s = fx.last_connect;
	host_table()->stream_connected(s->c);
	fx_recv(s, "0 bob 17\n4 655 20 c\n");
	o->timeout = 8;
	fx_recv(s, "9\n");
	CHECK(o->timeout == 0);
	/* net_retry() retries now. */
	host_table()->stream_closed(s->c, ECONNRESET);
	timer_disarm(o->timer);
	net_retry();
	CHECK(timer_armed(o->timer));
	fx_fini();
}

/* Quick retries: a new outgoing connection (its peer may be starting with
 * us) and one whose working connection broke (its peer is restarting) try
 * every 200-250 ms for a while; the immediate retry after a loss comes at
 * most once per window, so a peer that keeps dropping us gets the back-off. */
static void test_quick_retry(void) {
	start();
	fx_add_host("bob", "Address = 127.0.0.1 9\n");
	setup_outgoing("bob");
	fx_drain();
	CHECK(fx.connects == 1 && fx.last_connect_conn);
	struct outgoing *o = fx.last_connect_conn ? fx.last_connect_conn->outgoing : NULL;
	CHECK(o != NULL);
	if (!o) {
		fx_fini();
		return;
	}
	for (int i = 0; i < 3; i++) {
		host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
		CHECK(quick_retry(o));
		fire(o);
	}
	/* The start-up window is over: back-off. */
	o->fast_until = 0;
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(o->timeout == 1 && o->retry_ms == 1000);
	fire(o);

	/* Connected, then lost: retry at once, then quickly. */
	struct fx_stream *s = fx.last_connect;
	host_table()->stream_connected(s->c);
	fx_recv(s, "0 bob 17\n4 655 20 c\n");
	CHECK(s->c && s->c->state == CONN_ACTIVE);
	host_table()->stream_closed(s->c, ECONNRESET);
	CHECK(timer_armed(o->timer) && o->retry_ms == 0);
	fire(o);
	host_table()->stream_closed(fx.last_connect->c, ECONNREFUSED);
	CHECK(quick_retry(o));
	fire(o);

	/* Lost again at once: no second immediate retry within the window. */
	s = fx.last_connect;
	host_table()->stream_connected(s->c);
	fx_recv(s, "0 bob 17\n4 655 20 c\n");
	CHECK(s->c && s->c->state == CONN_ACTIVE);
	host_table()->stream_closed(s->c, ECONNRESET);
	CHECK(quick_retry(o));
	o->fast_until = 0;
	fire(o);
	s = fx.last_connect;
	host_table()->stream_connected(s->c);
	fx_recv(s, "0 bob 17\n4 655 20 c\n");
	host_table()->stream_closed(s->c, ECONNRESET);
	CHECK(o->timeout == 1 && o->retry_ms == 1000);
	fx_drain();
	fx_fini();
}

/* No Address at all: back-off, and no crash. */
static void test_backoff_no_address(void) {
	start();
	fx_add_host("bob", "");
	setup_outgoing("bob");
	fx_drain();
	CHECK(fx.connects == 0);
	CHECK(fx_log_contains("No usable Address known for bob"));
	fx_fini();
}

#ifdef PX_TEST_KNOWN_BUGS
/*
 * Regression checks for defects of the core that were found and fixed
 * (built as protocol_bugs_test, an ordinary test: every check must pass).
 * Each runs in a child process because under the sanitizers a defect aborts.
 */
#include <sys/wait.h>
#include <unistd.h>

/* protocol_auth.c ack_h: (weight + estimated_weight) / 2 overflows int for
 * a peer's ACK weight near INT_MAX (UBSan aborts; otherwise a negative
 * edge weight that sorts first in the spanning tree). */
static void bug_ack_weight_overflow(void) {
	start();
	struct fx_stream *s = fx_accept();
	fx_recv(s, "0 bob 17\n4 655 2147483647 c\n");
	struct edge *e = node_lookup("bob") ? edge_lookup(myself, node_lookup("bob")) : NULL;
	CHECK(e != NULL);
	if (e)
		CHECK(e->weight == (int)((2147483647LL + 20) / 2));
	fx_fini();
}

/* net.c try_outgoing: when the node is already connected (it connected to
 * us first) the attempt returns without keeping the outgoing alive, so
 * once that incoming connection goes away nothing ever reconnects. */
static void bug_outgoing_stalls_when_already_connected(void) {
	start();
	struct fx_stream *in = fx_activate("bob", NULL);
	fx_add_host("bob", "Weight = 20\nAddress = 127.0.0.1 9\n");
	setup_outgoing("bob");
	fx_drain(); /* "Already connected to bob" */
	CHECK(fx.connects == 0);
	/* tinc 1.1 adopts the existing connection for the ConnectTo, so that
	 * losing it schedules a reconnect; here nothing refers to the outgoing. */
	struct outgoing *o = in->c->outgoing;
	CHECK(o != NULL);
	host_table()->stream_closed(in->c, ECONNRESET);
	fx_drain();
	if (o)
		CHECK(o->c || timer_armed(o->timer));
	fx_fini();
}

/* net.c net_purge: a node that only has a connection still authenticating
 * (c->node set at ID time, node->connection not yet) is freed, leaving
 * c->node dangling; conn_terminate() then reads freed memory. */
static void bug_purge_frees_node_of_authenticating_conn(void) {
	start();
	fx.auth_mode = FX_AUTH_XOR_ON_REQUEST;
	struct fx_stream *s = fx_accept();
	fx_recv(s, "0 bob 17\n");
	CHECK(s->c && s->c->state == CONN_AUTH);
	net_purge();
	CHECK(node_lookup("bob") != NULL);
	if (node_lookup("bob")) {
		host_table()->conn_close(s->c, "test");
	}
	fx_fini();
}

/* The ABI says conn_close() is "deferred, safe in callbacks", but
 * conn_terminate() calls meta_free() on the auth state at once: a plugin
 * that closes from meta_request() and then touches its state reads freed
 * memory (ASan reports it). */
static int frees_inside_close = -1;
static int closing_meta_request(px_plugin *self, void *state, px_conn *c, int reqno, const char *line) {
	(void)self;
	(void)reqno;
	(void)line;
	int before = fx.meta_frees;
	host_table()->conn_close(c, "plugin refuses");
	frees_inside_close = fx.meta_frees - before;
	if (!frees_inside_close)
		((volatile char *)state)[0] = 1; /* still ours until we return */
	return -1;
}

static void bug_conn_close_not_deferred(void) {
	start();
	fx.auth_mode = FX_AUTH_XOR_ON_REQUEST;
	struct fx_stream *s = fx_accept();
	fx_recv(s, "0 bob 17\n");
	CHECK(s->c && s->c->crypto);
	if (s->c && s->c->crypto) {
		/* The loader keeps its own (writable) copy of the ops. */
		struct px_crypto_ops *ops = (struct px_crypto_ops *)s->c->crypto->ops;
		int (*saved)(px_plugin *, void *, px_conn *, int, const char *) = ops->meta_request;
		ops->meta_request = closing_meta_request;
		fx_recv(s, "1 5a\n");
		CHECK(frees_inside_close == 0); /* meta_free ran inside conn_close() */
		CHECK(s->closed);
		ops->meta_request = saved;
	}
	fx_fini();
}

/* meta.c conn_vsend refuses lines of MAX_LINE characters that
 * conn_deliver accepts (linelen <= MAX_LINE), so a flooded line of exactly
 * MAX_LINE characters is accepted but silently not forwarded. */
static void bug_max_line_not_forwardable(void) {
	start();
	struct fx_stream *a = fx_activate("bob", NULL);
	struct fx_stream *b = fx_activate("carol", "px:110");
	char *line = malloc(MAX_LINE + 2);
	memset(line, 'x', MAX_LINE);
	memcpy(line, "110 1 ", 6);
	line[MAX_LINE] = '\n';
	line[MAX_LINE + 1] = 0;
	fx_recv(a, line);
	CHECK(!a->closed);
	CHECK(fx_count(b, "110 1 ") == 1);
	free(line);
	fx_fini();
}

/* plugin_loader.c accepts a stream transport without want_write(), but
 * meta.c calls it unconditionally on a short write (NULL call). */
static void bug_stream_without_want_write(void) {
	start();
	struct fx_stream *s = fx_activate("bob", NULL);
	struct px_stream_ops *ops = (struct px_stream_ops *)stream_provider()->ops;
	ops->want_write = NULL;
	s->write_limit = 1;
	fx_recv(s, "8\n"); /* the PONG needs two writes */
	host_table()->stream_writable(s->c);
	CHECK_STR(s->out, "9\n");
	fx_fini();
}

static int run_isolated(const char *name, void (*fn)(void)) {
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(check_failures ? 1 : 0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	fprintf(stderr, "regression check %s: %s\n", name, ok ? "ok" : "FAILED (the bug is back)");
	return ok ? 0 : 1;
}

int main(void) {
	int present = 0;
	present += run_isolated("ack_weight_overflow", bug_ack_weight_overflow);
	present += run_isolated("outgoing_stalls_when_already_connected",
	                        bug_outgoing_stalls_when_already_connected);
	present += run_isolated("purge_frees_node_of_authenticating_conn",
	                        bug_purge_frees_node_of_authenticating_conn);
	present += run_isolated("conn_close_not_deferred", bug_conn_close_not_deferred);
	present += run_isolated("max_line_not_forwardable", bug_max_line_not_forwardable);
	present += run_isolated("stream_without_want_write", bug_stream_without_want_write);
	fprintf(stderr, "protocol_bugs_test: %d regression checks failed\n", present);
	return present ? 1 : 0;
}
#else
int main(void) {
	test_id_refusals();
	test_id_accepted();
	test_active_requests();
	test_second_connection();
	test_buggy_peer_probe();
	test_outgoing_id();
	test_unknown_ids();
	test_plugin_requests();
	test_subnets();
	test_edges();
	test_graph_holddown();
	test_graph_holddown_backoff();
	test_keys();
	test_udp_info();
	test_mtu_info();
	test_terminate_mid_walk();
	test_backoff_doubles();
	test_backoff_addresses_and_reset();
	test_backoff_no_address();
	test_quick_retry();
	return check_done("protocol_test");
}
#endif
