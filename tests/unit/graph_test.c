/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* graph_run() on hand-built graphs: MST choice, reachability, nexthop, via, callbacks. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "edge.h"
#include "graph.h"
#include "model_stubs.h"
#include "netutl.h"
#include "node.h"
#include "subnet.h"

/* Recorder for graph_node_changed(). */
static struct {
	node_t *node;
	bool up;
	bool reachable_at_call;
} calls[64];
static int ncalls;

static void graph_node_changed(node_t *n, bool became_reachable) {
	if (ncalls < 64) {
		calls[ncalls].node = n;
		calls[ncalls].up = became_reachable;
		calls[ncalls].reachable_at_call = n->reachable;
	}

	ncalls++;
}

static bool called(node_t *n, bool up) {
	for (int i = 0; i < ncalls && i < 64; i++) {
		if (calls[i].node == n && calls[i].up == up) {
			CHECK(calls[i].reachable_at_call == up);
			return true;
		}
	}

	return false;
}

static node_t *mk(const char *name) {
	node_t *n = node_new(name);

	node_add(n);
	return n;
}

static node_t *mk_self(const char *name) {
	node_t *n = mk(name);

	n->is_self = true;
	n->reachable = true;
	myself = n;
	return n;
}

/* One direction; the address is that of `to` as seen by `from`. */
static struct edge *edge1(node_t *from, node_t *to, int weight, uint32_t options) {
	struct edge *e = edge_new();
	char host[32];

	e->from = from;
	e->to = to;
	e->weight = weight;
	e->options = options;
	snprintf(host, sizeof(host), "198.18.0.%d", (int)(to->name[0] & 0x7f));
	edge_set_address(e, host, "655");
	edge_add(e);
	return e;
}

static void link2(node_t *a, node_t *b, int weight) {
	edge1(a, b, weight, 0);
	edge1(b, a, weight, 0);
}

static void reset(void) {
	node_free_all();
	ncalls = 0;
}

static void test_line(void) {
	node_t *a = mk_self("a"), *b = mk("b"), *c = mk("c");

	link2(a, b, 10);
	link2(b, c, 10);
	graph_run();

	CHECK(a->reachable && a->distance == 0 && a->nexthop == a && a->via == a);
	CHECK(b->reachable && b->distance == 1 && b->nexthop == b && b->via == b);
	CHECK(c->reachable && c->distance == 2 && c->nexthop == b && c->via == c);
	CHECK(c->prevedge == edge_lookup(b, c));
	CHECK(b->prevedge == edge_lookup(a, b));
	CHECK(!b->indirect && !c->indirect);
	CHECK(ncalls == 2);
	CHECK(called(b, true) && called(c, true));
	CHECK(!called(a, true));
	CHECK(b->last_state_change > 0 && c->last_state_change > 0);

	/* UDP addresses learned from the edges into the nodes. */
	struct px_addr want;
	CHECK(addr_parse("198.18.0.99", "655", &want) == 0); /* 'c' == 99 */
	CHECK(c->has_udp_addr && addr_equal(&c->udp_addr, &want));
	CHECK(node_lookup_udp(&want) == c);
	CHECK(b->has_udp_addr);

	/* All edges with reverses are in the tree (it is one already). */
	struct edge *e;
	list_for_each_entry(e, &edge_list, link) {
		CHECK(graph_edge_in_mst(e));
	}

	/* A second run changes nothing and calls nobody. */
	ncalls = 0;
	graph_run();
	CHECK(ncalls == 0);
	CHECK(c->reachable && c->nexthop == b);
	reset();
}

static void test_triangle_mst(void) {
	node_t *a = mk_self("a"), *b = mk("b"), *c = mk("c");

	link2(a, b, 1);
	link2(b, c, 2);
	link2(a, c, 10);
	graph_run();

	CHECK(graph_edge_in_mst(edge_lookup(a, b)) && graph_edge_in_mst(edge_lookup(b, a)));
	CHECK(graph_edge_in_mst(edge_lookup(b, c)) && graph_edge_in_mst(edge_lookup(c, b)));
	CHECK(!graph_edge_in_mst(edge_lookup(a, c)) && !graph_edge_in_mst(edge_lookup(c, a)));
	/* Hop count decides reachability paths, not weight. */
	CHECK(c->distance == 1 && c->nexthop == c && c->prevedge == edge_lookup(a, c));

	/* Raising a-b's weight moves it out of the tree. */
	struct edge *ab = edge_lookup(a, b), *ba = edge_lookup(b, a);
	ab->weight = 20;
	edge_resort(ab); /* one at a time: the list must be sorted around each resort */
	ba->weight = 20;
	edge_resort(ba);
	graph_run();
	CHECK(!graph_edge_in_mst(ab) && !graph_edge_in_mst(ba));
	CHECK(graph_edge_in_mst(edge_lookup(a, c)) && graph_edge_in_mst(edge_lookup(b, c)));
	reset();

	/* Equal weights: the (weight, from, to) order decides, identically everywhere. */
	a = mk_self("a");
	b = mk("b");
	c = mk("c");
	link2(c, b, 5);
	link2(a, c, 5);
	link2(a, b, 5);
	graph_run();
	CHECK(graph_edge_in_mst(edge_lookup(a, b)) && graph_edge_in_mst(edge_lookup(a, c)));
	CHECK(!graph_edge_in_mst(edge_lookup(b, c)) && !graph_edge_in_mst(edge_lookup(c, b)));

	/* The tree does not depend on who runs it. */
	myself = c;
	graph_run();
	CHECK(graph_edge_in_mst(edge_lookup(a, b)) && graph_edge_in_mst(edge_lookup(a, c)) &&
	      !graph_edge_in_mst(edge_lookup(b, c)));
	reset();
}

static void test_weight_tiebreak(void) {
	/* a-b-d and a-c-d are both two hops; the lighter path wins. */
	node_t *a = mk_self("a"), *b = mk("b"), *c = mk("c"), *d = mk("d");

	link2(a, b, 1);
	link2(b, d, 50);
	link2(a, c, 5);
	link2(c, d, 1);
	graph_run();
	CHECK(d->distance == 2);
	CHECK(d->nexthop == c);
	CHECK(d->prevedge == edge_lookup(c, d));
	reset();

	a = mk_self("a");
	b = mk("b");
	c = mk("c");
	d = mk("d");
	link2(a, b, 1);
	link2(b, d, 1);
	link2(a, c, 5);
	link2(c, d, 1);
	graph_run();
	CHECK(d->nexthop == b);
	reset();
}

static void test_indirect(void) {
	/* a -> b is INDIRECT (b has IndirectData): b is reached over TCP (via = myself). */
	node_t *a = mk_self("a"), *b = mk("b"), *c = mk("c");

	edge1(a, b, 10, PX_OPTION_INDIRECT);
	edge1(b, a, 10, 0);
	link2(b, c, 10);
	graph_run();
	CHECK(b->reachable && b->indirect && b->via == a && b->nexthop == b);
	CHECK(b->options & PX_OPTION_INDIRECT);
	/* Indirectness is inherited: c is behind b. */
	CHECK(c->reachable && c->indirect && c->via == a && c->nexthop == b);
	reset();

	/* a - r - x where r -> x is INDIRECT: x's packets go to the relay r. */
	a = mk_self("a");
	node_t *r = mk("r"), *x = mk("x"), *y = mk("y");
	link2(a, r, 10);
	edge1(r, x, 10, PX_OPTION_INDIRECT);
	edge1(x, r, 10, 0);
	link2(x, y, 10);
	graph_run();
	CHECK(!r->indirect && r->via == r);
	CHECK(x->reachable && x->indirect && x->via == r && x->nexthop == r && x->distance == 2);
	CHECK(y->reachable && y->indirect && y->via == r && y->distance == 3);

	/* A direct path appears (even a longer one): it wins over the indirect one. */
	node_t *z = mk("z");
	link2(a, z, 10);
	link2(z, y, 10);
	graph_run();
	CHECK(!y->indirect && y->via == y && y->nexthop == z && y->distance == 2);
	reset();

	a = mk_self("a");
	r = mk("r");
	x = mk("x");
	z = mk("z");
	node_t *w = mk("w");
	link2(a, r, 10);
	edge1(r, x, 10, PX_OPTION_INDIRECT);
	edge1(x, r, 10, 0);
	link2(a, z, 10);
	link2(z, w, 10);
	link2(w, x, 10);
	graph_run();
	/* x: indirect at distance 2 through r, or direct at distance 3 through z, w. */
	CHECK(x->reachable && !x->indirect && x->via == x && x->nexthop == z && x->distance == 3);
	reset();
}

static void test_no_reverse(void) {
	node_t *a = mk_self("a"), *b = mk("b"), *c = mk("c");

	link2(a, b, 10);
	edge1(b, c, 10, 0); /* c never confirmed the connection */
	graph_run();
	CHECK(b->reachable);
	CHECK(!c->reachable && c->distance == -1 && c->nexthop == NULL && c->via == NULL);
	CHECK(!graph_edge_in_mst(edge_lookup(b, c)));
	CHECK(ncalls == 1 && called(b, true));
	CHECK(!c->has_udp_addr);

	/* The reverse arrives: c comes up. */
	ncalls = 0;
	edge1(c, b, 10, 0);
	graph_run();
	CHECK(c->reachable && c->distance == 2 && graph_edge_in_mst(edge_lookup(b, c)));
	CHECK(ncalls == 1 && called(c, true));
	reset();
}

static void test_going_away(void) {
	node_t *a = mk_self("a"), *b = mk("b"), *c = mk("c");

	link2(a, b, 10);
	link2(b, c, 10);
	graph_run();
	CHECK(c->reachable);

	/* b loses its connection to c. */
	ncalls = 0;
	c->last_state_change = 1;
	edge_del(edge_lookup(b, c));
	CHECK(edge_lookup(c, b)->reverse == NULL);
	graph_run();
	CHECK(!c->reachable && c->nexthop == NULL && c->via == NULL && c->prevedge == NULL);
	CHECK(c->last_state_change > 1);
	CHECK(ncalls == 1 && called(c, false));
	CHECK(b->reachable);

	/* Purge: c can be deleted; nothing dangles. */
	node_del(c);
	ncalls = 0;
	graph_run();
	CHECK(ncalls == 0);

	/* Our own connection to b drops: b and everything behind it go. */
	node_t *d = mk("d");
	link2(b, d, 10);
	graph_run();
	CHECK(d->reachable);
	ncalls = 0;
	edge_del(edge_lookup(a, b));
	edge_del(edge_lookup(b, a));
	graph_run();
	CHECK(!b->reachable && !d->reachable);
	CHECK(ncalls == 2 && called(b, false) && called(d, false));

	/* Deleting a node outright (with its edges) is also safe. */
	link2(a, b, 10);
	graph_run();
	CHECK(b->reachable && d->reachable);
	ncalls = 0;
	node_del(b);
	graph_run();
	CHECK(!d->reachable && ncalls == 1 && called(d, false));
	reset();
}

static void test_subnet_cache_follows_reachability(void) {
	node_t *a = mk_self("a"), *b = mk("b");
	struct subnet *s = subnet_new();

	CHECK(subnet_parse("10.0.0.0/8", s));
	subnet_add(b, s);
	link2(a, b, 10);
	graph_run();
	CHECK(subnet_lookup_ipv4((const uint8_t[4]){10, 1, 1, 1}) == s);
	CHECK(s->owner->reachable);
	edge_del(edge_lookup(b, a));
	graph_run();
	CHECK(!b->reachable);
	CHECK(subnet_lookup_ipv4((const uint8_t[4]){10, 1, 1, 1}) == s); /* still the best match */
	reset();
}

static void test_no_myself(void) {
	node_t *b = mk("b");

	myself = NULL;
	graph_run(); /* must not crash */
	CHECK(!b->reachable);
	reset();
}

/* Runs leave the spanning tree alone; the first question after a run
 * computes it once, from the edges as they are then. */
static void test_mst_lazy(void) {
	node_t *a = mk_self("a"), *b = mk("b"), *c = mk("c");

	link2(a, b, 1);
	link2(b, c, 2);
	link2(a, c, 10);

	unsigned trees = graph_mst_count();

	for (int i = 0; i < 20; i++) {
		graph_run();
	}

	CHECK(graph_mst_count() == trees);
	CHECK(c->reachable);
	CHECK(!graph_edge_in_mst(edge_lookup(a, c)));
	CHECK(graph_mst_count() == trees + 1);
	CHECK(graph_edge_in_mst(edge_lookup(a, b)) && graph_edge_in_mst(edge_lookup(b, c)));
	CHECK(graph_mst_count() == trees + 1);
	/* b-c gets heavier than a-c: the next question after a run sees it */
	struct edge *bc = edge_lookup(b, c), *cb = edge_lookup(c, b);
	bc->weight = 20;
	edge_resort(bc);
	cb->weight = 20;
	edge_resort(cb);
	graph_run();
	CHECK(graph_mst_count() == trees + 1);
	CHECK(graph_edge_in_mst(edge_lookup(a, c)) && !graph_edge_in_mst(bc));
	CHECK(graph_mst_count() == trees + 2);
	reset();
}

int main(void) {
	graph_set_observer(graph_node_changed);
	test_mst_lazy();
	test_line();
	test_triangle_mst();
	test_weight_tiebreak();
	test_indirect();
	test_no_reverse();
	test_going_away();
	test_subnet_cache_follows_reachability();
	test_no_myself();
	return check_done("graph_test");
}
