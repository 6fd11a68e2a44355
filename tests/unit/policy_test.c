/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * StrictSubnets and TunnelServer through the real request handlers
 * (core/protocol_subnet.c, protocol_edge.c, subnet_policy.c): which
 * announcements are stored, which are forwarded, what a reload changes and
 * that refusals are logged once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "check.h"
#include "conf.h"
#include "connection.h"
#include "event.h"
#include "edge.h"
#include "net.h"
#include "net_fixture.h"
#include "node.h"
#include "protocol.h"
#include "settings.h"
#include "subnet.h"
#include "subnet_policy.h"

static struct subnet *find_subnet(const char *owner, const char *str) {
	node_t *n = node_lookup(owner);
	struct subnet s;
	memset(&s, 0, sizeof(s));
	if (!n || !subnet_parse(str, &s))
		return NULL;
	return subnet_find(n, &s);
}

static const char *route_owner(const char *ip) {
	uint8_t a[4];
	if (inet_pton(AF_INET, ip, a) != 1)
		return NULL;
	struct subnet *s = subnet_lookup_ipv4(a);
	return s && s->owner ? s->owner->name : NULL;
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

static void start(const char *extra) {
	fx_init("alice", extra);
	fx_add_host("bob", "Weight = 20\nSubnet = 10.2.0.0/16\n");
	fx_add_host("carol", "Weight = 20\nSubnet = 10.3.0.0/16\nSubnet = 10.33.0.0/16#5\n");
	/* A node we have a host file for but that never connects. */
	fx_add_host("zed", "Subnet = 10.9.0.0/16\nSubnet = 10.99.0.1/16\n");
	strict_subnets_sync();
}

static void test_strict_load(void) {
	start("StrictSubnets = yes\n");
	CHECK(find_subnet("bob", "10.2.0.0/16") != NULL);
	CHECK(find_subnet("carol", "10.3.0.0/16") != NULL);
	CHECK(find_subnet("carol", "10.33.0.0/16#5") != NULL);
	/* Known at start without any connection; the line with host bits set is skipped. */
	CHECK(node_lookup("zed") && find_subnet("zed", "10.9.0.0/16"));
	CHECK(fx_log_contains("Invalid subnet 10.99.0.1/16"));
	fx_fini();

	/* Without StrictSubnets nothing is read from other host files. */
	start(NULL);
	CHECK(!find_subnet("bob", "10.2.0.0/16") && !node_lookup("zed"));
	fx_fini();
}

static void test_strict_add_del(void) {
	start("StrictSubnets = yes\n");
	struct fx_stream *b = activate_linked("bob");
	struct fx_stream *c = activate_linked("carol");
	fx_clear(b);
	fx_clear(c);
	fx_log_clear();

	/* What the host file says: known already, nothing to do. */
	fx_recv(b, "10 1 bob 10.2.0.0/16#10\n");
	CHECK(fx_count(c, "10 ") == 0 && !fx_log_contains("unauthorized"));

	/* A more specific prefix of carol's subnet: not stored, not forwarded,
	 * the route keeps going to carol, logged once. */
	fx_recv(b, "10 2 bob 10.3.5.0/24#10\n");
	CHECK(!find_subnet("bob", "10.3.5.0/24"));
	CHECK(fx_count(c, "10 2") == 0);
	CHECK(route_owner("10.3.5.1") && !strcmp(route_owner("10.3.5.1"), "carol"));
	CHECK(fx_log_contains("Ignoring unauthorized ADD_SUBNET from bob"));
	CHECK(!b->closed);
	fx_log_clear();
	fx_recv(b, "10 3 bob 10.3.5.0/24#10\n");
	fx_recv(c, "10 4 bob 10.3.5.0/24#10\n");
	fx_recv(b, "10 4a bob 10.3.5.0/24#010\n"); /* another spelling, same subnet */
	CHECK(!fx_log_contains("unauthorized"));
	/* Another subnet is a new line. */
	fx_recv(b, "10 5 bob 10.3.6.0/24#10\n");
	CHECK(fx_log_contains("for bob: 10.3.6.0/24"));

	/* An unknown owner: no node is created for it. */
	fx_recv(b, "10 6 mallory 10.4.0.0/16#10\n");
	CHECK(node_lookup("mallory") == NULL);

	/* DEL_SUBNET of a host-file subnet: kept, not forwarded. */
	fx_log_clear();
	fx_recv(b, "11 7 carol 10.3.0.0/16#10\n");
	CHECK(find_subnet("carol", "10.3.0.0/16") != NULL);
	CHECK(fx_count(c, "11 ") == 0);
	CHECK(fx_log_contains("Ignoring unauthorized DEL_SUBNET from bob"));
	CHECK(route_owner("10.3.0.1") && !strcmp(route_owner("10.3.0.1"), "carol"));

	/* Purging unreachable nodes keeps what the host files say. */
	net_purge();
	CHECK(node_lookup("zed") && find_subnet("zed", "10.9.0.0/16"));
	fx_fini();
}

/* Many distinct refusals: bounded lines per window. */
static void test_strict_log_bounded(void) {
	start("StrictSubnets = yes\n");
	struct fx_stream *b = activate_linked("bob");
	fx_log_clear();
	char line[96];
	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "10 %x bob 10.200.%d.0/24#10\n", 0x500 + i, i);
		fx_recv(b, line);
	}
	CHECK(fx_log_contains("for bob: 10.200.0.0/24"));
	CHECK(fx_log_contains("for bob: 10.200.19.0/24"));
	CHECK(!fx_log_contains("for bob: 10.200.20.0/24"));
	CHECK(!fx_log_contains("for bob: 10.200.199.0/24"));
	CHECK(!b->closed);
	fx_fini();
}

/* A repeated refusal stays quiet however the other refusals hash: each trial
 * re-keys the table, so 500 trials cover many layouts (a direct-mapped table
 * logged the repeat again in about one trial in fifty). */
static void test_strict_log_once_under_load(void) {
	start("StrictSubnets = yes\n");
	struct fx_stream *b = activate_linked("bob");
	int relogged = 0;
	char other[32];
	for (int trial = 0; trial < 500; trial++) {
		subnet_policy_log_reset();
		fx_log_clear();
		subnet_policy_log_refusal(b->c, "ADD_SUBNET", "bob", "10.7.0.1/32#10", "test");
		CHECK(fx_log_contains("for bob: 10.7.0.1/32#10"));
		for (int i = 0; i < 18; i++) { /* the 20th line would hit the rate limit */
			snprintf(other, sizeof(other), "10.8.%d.0/24#10", i);
			subnet_policy_log_refusal(b->c, "ADD_SUBNET", "mallory", other, "test");
		}
		fx_log_clear();
		subnet_policy_log_refusal(b->c, "ADD_SUBNET", "bob", "10.7.0.1/32#10", "test");
		relogged += fx_log_contains("for bob: 10.7.0.1/32#10");
	}
	CHECK(relogged == 0);
	fx_fini();
}

static void write_host(const char *name, const char *content) {
	fx_add_host(name, content);
	host_conf_forget(name);
}

static void test_strict_reload(void) {
	start("StrictSubnets = yes\n");
	struct fx_stream *c = activate_linked("carol");
	fx_clear(c);
	write_host("bob", "Weight = 20\nSubnet = 10.5.0.0/16\n");
	strict_subnets_sync();
	event_run_deferred(); /* as at the end of an event-loop callback */
	CHECK(find_subnet("bob", "10.5.0.0/16") && !find_subnet("bob", "10.2.0.0/16"));
	CHECK(fx_count(c, "10 ") == 1 && fx_count(c, "11 ") == 1);
	CHECK(route_owner("10.5.0.1") && !strcmp(route_owner("10.5.0.1"), "bob"));
	CHECK(route_owner("10.2.0.1") == NULL);
	/* A host file removed: its subnets go. */
	char path[4096];
	snprintf(path, sizeof(path), "%s/hosts/zed", confbase);
	CHECK(unlink(path) == 0);
	host_conf_forget("zed");
	strict_subnets_sync();
	CHECK(!find_subnet("zed", "10.9.0.0/16"));
	/* Nothing changed: nothing announced. */
	fx_clear(c);
	strict_subnets_sync();
	CHECK(fx_count(c, "") == 0);
	fx_fini();
}

static void test_tunnelserver(void) {
	start("TunnelServer = yes\n");
	CHECK(settings.strict_subnets);
	struct fx_stream *b = activate_linked("bob");
	struct fx_stream *c = activate_linked("carol");
	/* Our edge with carol went to carol only, and bob was told nothing of
	 * carol; the initial dump holds only our own subnets (none here). */
	CHECK(fx_count(b, "12 ") == 0 && fx_count(b, "10 ") == 0);
	fx_clear(b);
	fx_clear(c);
	node_t *bob = node_lookup("bob"), *carol = node_lookup("carol");

	/* Edges between other nodes, and edges of another peer with us. */
	fx_recv(b, "12 a1 carol dave 127.0.0.1 655 c 10\n12 a2 dave alice 127.0.0.1 655 c 10\n");
	CHECK(node_lookup("dave") == NULL);
	fx_recv(b, "13 a3 carol alice\n");
	CHECK(edge_lookup(carol, myself) != NULL && carol->reachable);
	fx_recv(b, "12 a4 carol alice 127.0.0.9 655 c 99\n");
	CHECK(edge_lookup(carol, myself)->weight == 20);
	/* An edge of the sender: stored, not forwarded. */
	fx_recv(b, "12 a5 bob zoe 127.0.0.1 655 c 10\n");
	CHECK(node_lookup("zoe") && edge_lookup(bob, node_lookup("zoe")));
	CHECK(fx_count(c, "12 ") == 0);

	/* Subnets of other nodes: ignored both ways. */
	fx_recv(b, "10 b1 carol 10.3.7.0/24#10\n11 b2 carol 10.3.0.0/16#10\n");
	CHECK(!find_subnet("carol", "10.3.7.0/24") && find_subnet("carol", "10.3.0.0/16"));
	/* The sender's own subnet that our host file for it lacks: refused. */
	fx_log_clear();
	fx_recv(b, "10 b3 bob 10.3.8.0/24#10\n");
	CHECK(!find_subnet("bob", "10.3.8.0/24"));
	CHECK(fx_log_contains("Ignoring unauthorized ADD_SUBNET from bob"));
	CHECK(fx_count(c, "10 ") == 0 && fx_count(c, "11 ") == 0);
	CHECK(!b->closed);

	/* bob leaves: carol never knew its edge, so hears nothing. */
	conn_terminate(b->c, "test");
	fx_drain();
	CHECK(fx_count(c, "13 ") == 0);
	fx_fini();
}

int main(void) {
	test_strict_load();
	test_strict_add_del();
	test_strict_log_bounded();
	test_strict_log_once_under_load();
	test_strict_reload();
	test_tunnelserver();
	return check_done("policy_test");
}
