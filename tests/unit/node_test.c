/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Nodes (list order, IDs, UDP index, plugin slots, deletion) and edges. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "edge.h"
#include "model_stubs.h"
#include "netutl.h"
#include "node.h"
#include "subnet.h"

static node_t *mk(const char *name) {
	node_t *n = node_new(name);

	node_add(n);
	return n;
}

static void test_new_and_ids(void) {
	node_t *n = node_new("alpha");
	char hex[13];

	CHECK_STR(n->name, "alpha");
	CHECK(n->mtu == PX_MTU && n->maxmtu == PX_MTU && n->minmtu == 0);
	CHECK(n->distance == -1);
	CHECK(!n->reachable && !n->has_udp_addr && !n->slots);
	CHECK(list_empty(&n->edges) && list_empty(&n->subnets));

	/* Known answers from the protocol notes (tinc 1.1 node IDs). */
	bin2hex(n->id, 6, hex);
	CHECK_STR(hex, "BA3CE58667CA");
	node_add(n);
	node_t *b = mk("beta"), *g = mk("gamma");
	bin2hex(b->id, 6, hex);
	CHECK_STR(hex, "560C72DE72C0");
	bin2hex(g->id, 6, hex);
	CHECK_STR(hex, "833C636F4398");

	CHECK(node_lookup_id((const uint8_t[6]){0x56, 0x0c, 0x72, 0xde, 0x72, 0xc0}) == b);
	CHECK(node_lookup_id((const uint8_t[6]){0}) == NULL);
	node_free_all();
	CHECK(list_empty(&node_list));
}

static void test_list_order(void) {
	static const char *names[] = {"delta", "Alpha", "charlie", "bravo", "alpha", "_x", "a1"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		mk(names[i]);
	}

	/* strcmp order: uppercase before '_' before lowercase. */
	static const char *sorted[] = {"Alpha", "_x", "a1", "alpha", "bravo", "charlie", "delta"};
	node_t *n;
	size_t i = 0;

	list_for_each_entry(n, &node_list, link) {
		CHECK(i < 7 && !strcmp(n->name, sorted[i]));
		i++;
	}

	CHECK(i == 7);
	CHECK(node_lookup("charlie") && !strcmp(node_lookup("charlie")->name, "charlie"));
	CHECK(node_lookup("Alpha") != node_lookup("alpha"));
	CHECK(node_lookup("echo") == NULL);
	CHECK(node_lookup("") == NULL);
	CHECK(node_lookup(NULL) == NULL);
	node_del(node_lookup("bravo"));
	CHECK(node_lookup("bravo") == NULL);
	node_free_all();
}

static void test_udp_index(void) {
	node_t *a = mk("a"), *b = mk("b");
	struct px_addr x, y;

	CHECK(addr_parse("198.18.0.1", "655", &x) == 0);
	CHECK(addr_parse("198.18.0.2", "655", &y) == 0);
	CHECK(node_lookup_udp(&x) == NULL);

	node_set_udp(a, &x);
	CHECK(a->has_udp_addr);
	CHECK(node_lookup_udp(&x) == a);
	CHECK(node_lookup_udp(&y) == NULL);

	/* Moving an address updates the index. */
	node_set_udp(a, &y);
	CHECK(node_lookup_udp(&x) == NULL);
	CHECK(node_lookup_udp(&y) == a);

	node_set_udp(b, &x);
	CHECK(node_lookup_udp(&x) == b);

	node_set_udp(a, NULL);
	CHECK(!a->has_udp_addr);
	CHECK(node_lookup_udp(&y) == NULL);

	/* Port matters. */
	struct px_addr x2 = x;
	addr_set_port(&x2, 656);
	CHECK(node_lookup_udp(&x2) == NULL);

	/* Many nodes, some sharing buckets. */
	char name[16];

	for (int i = 0; i < 2000; i++) {
		struct px_addr addr;
		char host[32];

		snprintf(name, sizeof(name), "n%d", i);
		snprintf(host, sizeof(host), "198.19.%d.%d", i / 250, i % 250 + 1);
		node_t *n = mk(name);
		CHECK(addr_parse(host, "655", &addr) == 0);
		node_set_udp(n, &addr);
	}

	int found = 0;

	for (int i = 0; i < 2000; i++) {
		struct px_addr addr;
		char host[32];

		snprintf(name, sizeof(name), "n%d", i);
		snprintf(host, sizeof(host), "198.19.%d.%d", i / 250, i % 250 + 1);
		CHECK(addr_parse(host, "655", &addr) == 0);
		found += node_lookup_udp(&addr) == node_lookup(name);
	}

	CHECK(found == 2000);

	/* node_del removes the index entry. */
	node_del(b);
	CHECK(node_lookup_udp(&x) == NULL);
	node_free_all();
}

static void test_slots(void) {
	node_t *n = mk("slots");
	void **s0 = node_slot(n, 0);

	CHECK(s0 && *s0 == NULL);
	*s0 = (void *)0x1;
	*node_slot(n, 3) = (void *)0x3;
	void **s100 = node_slot(n, 100);
	CHECK(s100 && *s100 == NULL);
	*s100 = (void *)0x64;
	CHECK(*node_slot(n, 0) == (void *)0x1);
	CHECK(*node_slot(n, 3) == (void *)0x3);
	CHECK(*node_slot(n, 100) == (void *)0x64);
	CHECK(*node_slot(n, 50) == NULL);
	CHECK(node_slot(n, -1) == NULL);
	node_free_all();
}

static struct edge *add_edge(node_t *from, node_t *to, int weight) {
	struct edge *e = edge_new();

	e->from = from;
	e->to = to;
	e->weight = weight;
	edge_add(e);
	return e;
}

static void test_edges(void) {
	node_t *a = mk("a"), *b = mk("b"), *c = mk("c");

	struct edge *ab = add_edge(a, b, 10);
	CHECK(ab->reverse == NULL);
	CHECK(edge_lookup(a, b) == ab);
	CHECK(edge_lookup(b, a) == NULL);

	struct edge *ba = add_edge(b, a, 10);
	CHECK(ab->reverse == ba && ba->reverse == ab);

	struct edge *bc = add_edge(b, c, 5);
	struct edge *cb = add_edge(c, b, 5);
	struct edge *ac = add_edge(a, c, 10);
	CHECK(bc->reverse == cb && ac->reverse == NULL);

	/* Sorted by weight, then from name, then to name. */
	struct edge *order[] = {bc, cb, ab, ac, ba};
	struct edge *e;
	size_t i = 0;

	list_for_each_entry(e, &edge_list, link) {
		CHECK(i < 5 && e == order[i]);
		i++;
	}

	CHECK(i == 5);

	/* Re-sorting after a weight change. */
	ba->weight = 1;
	edge_resort(ba);
	CHECK(list_entry(edge_list.next, struct edge, link) == ba);

	/* Deleting clears the reverse pointer and any prevedge pointing at it. */
	b->prevedge = ab;
	edge_del(ab);
	CHECK(ba->reverse == NULL);
	CHECK(b->prevedge == NULL);
	CHECK(edge_lookup(a, b) == NULL);

	/* Addresses: verbatim strings, parsed only when numeric. */
	edge_set_address(ba, "198.18.0.1", "655");
	CHECK_STR(ba->addr_host, "198.18.0.1");
	CHECK_STR(ba->addr_port, "655");
	CHECK(ba->address.len && ba->address.sa.sa_family == AF_INET && addr_port(&ba->address) == 655);
	edge_set_address(ba, "vpn.example.org", "655");
	CHECK_STR(ba->addr_host, "vpn.example.org");
	CHECK(ba->address.len == 0);
	edge_set_address(ba, "2001:db8::7", "700");
	CHECK(ba->address.sa.sa_family == AF_INET6 && addr_port(&ba->address) == 700);
	edge_set_address(ba, "unspec", "unspec");
	CHECK(ba->address.len == 0);
	edge_set_address(ba, "198.18.0.1", "junk");
	CHECK(ba->address.len == 0);
	CHECK_STR(ba->addr_port, "junk");
	edge_set_local(ba, "198.18.0.9", "655");
	CHECK_STR(ba->local_host, "198.18.0.9");
	edge_set_local(ba, NULL, NULL);
	CHECK(ba->local_host == NULL && ba->local_port == NULL);

	/* node_del removes edges from and to the node. */
	stub_timer_frees = 0;
	c->mtu_timer = malloc(16);
	node_del(c);
	CHECK(stub_timer_frees == 1);
	CHECK(list_empty(&b->edges) == false); /* b->a remains */
	CHECK(edge_lookup(b, c) == NULL);
	i = 0;
	list_for_each_entry(e, &edge_list, link) {
		CHECK(e->from != c && e->to != c);
		i++;
	}
	CHECK(i == 1);

	node_free_all();
	CHECK(list_empty(&edge_list));
	CHECK(myself == NULL);
}

/* Keys (weight, from, to) of consecutive edge_list entries never go down. */
static bool edge_list_sorted(size_t *count) {
	const struct edge *e, *prev = NULL;
	bool ok = true;

	*count = 0;
	list_for_each_entry(e, &edge_list, link) {
		if (prev) {
			int c = prev->weight != e->weight ? (prev->weight < e->weight ? -1 : 1)
			                                  : strcmp(prev->from->name, e->from->name);

			if (!c) {
				c = strcmp(prev->to->name, e->to->name);
			}

			ok = ok && c < 0;
		}

		prev = e;
		(*count)++;
	}

	return ok;
}

/* A full mesh's edges arriving in key order (each one sorting last) took a
 * walk of the whole list per edge: 200 nodes' 39800 edges took seconds. */
static void test_edges_at_scale(void) {
	enum { N = 200 };
	node_t *v[N];
	char name[16];
	size_t count;
	clock_t t0 = clock();

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%03d", i);
		v[i] = mk(name);
	}

	for (int i = 0; i < N; i++) {
		for (int j = 0; j < N; j++) {
			if (i != j) {
				add_edge(v[i], v[j], 10);
			}
		}
	}

	CHECK(edge_list_sorted(&count));
	CHECK(count == (size_t)N * (N - 1));

	/* Deletions and weight changes keep the order. */
	for (int i = 0; i < N; i += 3) {
		edge_del(edge_lookup(v[i], v[(i + 1) % N]));
		struct edge *e = edge_lookup(v[(i + 2) % N], v[i]);

		e->weight = (i * 7) % 20;
		edge_resort(e);
	}

	CHECK(edge_list_sorted(&count));
	CHECK(count == (size_t)N * (N - 1) - (N + 2) / 3);

	double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;

	if (cpu > 1.0) {
		fprintf(stderr, "edges at scale: %.2f CPU-s (bound 1 s)\n", cpu);
	}

	CHECK(cpu <= 1.0);
	node_free_all();
	CHECK(list_empty(&edge_list));
}

static void test_del_clears_pointers(void) {
	node_t *a = mk("a"), *b = mk("b"), *c = mk("c");

	myself = a;
	a->is_self = true;
	c->nexthop = b;
	c->via = b;
	node_del(b);
	CHECK(c->nexthop == NULL && c->via == NULL);
	node_del(a);
	CHECK(myself == NULL);
	node_free_all();
}

int main(void) {
	test_new_and_ids();
	test_list_order();
	test_udp_index();
	test_slots();
	test_edges();
	test_edges_at_scale();
	test_del_clears_pointers();
	return check_done("node_test");
}
