/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The graph's hold-down (core/graph_holddown.c): doubles while changes keep
 * arriving, up to 2 ms per node within 50-500 ms, and back to 50 ms only
 * after four quiet hold-downs.
 */
#include "check.h"
#include "../../core/graph_holddown.h"

/* Changes arrive without pause: each run happens as soon as the hold-down allows. */
static uint64_t run_back_to_back(struct graph_holddown *h, uint64_t t, size_t nodes, int runs) {
	for (int i = 0; i < runs; i++) {
		t += graph_holddown_wait(h, t);
		CHECK(graph_holddown_wait(h, t) == 0);
		graph_holddown_ran(h, t, nodes);
	}
	return t;
}

static void test_graph_holddown_backoff(void) {
	struct graph_holddown h = {0};
	uint64_t t = 1000;

	/* the first change runs at once, then the hold-down is 50 ms */
	CHECK(graph_holddown_wait(&h, t) == 0);
	graph_holddown_ran(&h, t, 250);
	CHECK(h.ms == 50);
	CHECK(graph_holddown_wait(&h, t + 10) == 40);
	/* a steady stream: 100, 200, 400, then the 500 ms ceiling */
	t = run_back_to_back(&h, t, 250, 1);
	CHECK(h.ms == 100);
	t = run_back_to_back(&h, t, 250, 1);
	CHECK(h.ms == 200);
	t = run_back_to_back(&h, t, 250, 1);
	CHECK(h.ms == 400);
	t = run_back_to_back(&h, t, 250, 5);
	CHECK(h.ms == 500);
	/* three quiet hold-downs are not enough to reset: the next change is
	 * seen at once but the hold-down stays long */
	t += 3 * 500;
	CHECK(graph_holddown_wait(&h, t) == 0);
	graph_holddown_ran(&h, t, 250);
	CHECK(h.ms == 500);
	/* four are */
	t += 4 * 500;
	CHECK(graph_holddown_wait(&h, t) == 0);
	graph_holddown_ran(&h, t, 250);
	CHECK(h.ms == 50);

	/* the ceiling is 2 ms per node: 100 nodes, 200 ms */
	struct graph_holddown m = {0};
	run_back_to_back(&m, 0, 100, 10);
	CHECK(m.ms == 200);
	/* and never below 50 ms: a small mesh keeps the fixed 50 ms */
	struct graph_holddown s = {0};
	run_back_to_back(&s, 0, 5, 10);
	CHECK(s.ms == 50);
	/* the mesh shrank: the hold-down follows the lower ceiling at once */
	struct graph_holddown k = {0};
	uint64_t u = run_back_to_back(&k, 0, 250, 6);
	CHECK(k.ms == 500);
	run_back_to_back(&k, u, 60, 1);
	CHECK(k.ms == 120);
}

int main(void) {
	test_graph_holddown_backoff();
	return check_done("graph_holddown_test");
}
