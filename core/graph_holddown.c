/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Graph hold-down with back-off. While a mesh converges every node sees a
 * stream of ADD_EDGE/ADD_SUBNET from all its connections; each graph run
 * also tells the observer (scripts, key and MTU state) about every node
 * that came up, so running it every 50 ms cost a large share of the CPU at
 * a few hundred nodes. Growing the hold-down while changes keep coming
 * bounds the runs to a handful per burst; the limit grows with the mesh
 * because a run costs more and a burst lasts longer there.
 */
#include "graph_holddown.h"

static uint32_t holddown_max(size_t nodes) {
	size_t ms = nodes * GRAPH_HOLDDOWN_MS_PER_NODE;

	if (ms < GRAPH_HOLDDOWN_MIN_MS) {
		return GRAPH_HOLDDOWN_MIN_MS;
	}

	return ms > GRAPH_HOLDDOWN_MAX_MS ? GRAPH_HOLDDOWN_MAX_MS : (uint32_t)ms;
}

uint32_t graph_holddown_wait(const struct graph_holddown *h, uint64_t now_ms) {
	if (!h->ran || now_ms < h->last_ms) {
		return 0;
	}

	uint64_t elapsed = now_ms - h->last_ms;

	return elapsed >= h->ms ? 0 : (uint32_t)(h->ms - elapsed);
}

/* A run less than GRAPH_HOLDDOWN_QUIET hold-downs after the previous one
 * means changes are still arriving: double. A longer gap means the burst
 * is over, and the next change is seen after the shortest hold-down. */
void graph_holddown_ran(struct graph_holddown *h, uint64_t now_ms, size_t nodes) {
	uint32_t max = holddown_max(nodes);

	if (!h->ran || now_ms < h->last_ms || now_ms - h->last_ms >= (uint64_t)GRAPH_HOLDDOWN_QUIET * h->ms) {
		h->ms = GRAPH_HOLDDOWN_MIN_MS;
	} else {
		h->ms = h->ms * 2 > max ? max : h->ms * 2;
	}

	h->ran = true;
	h->last_ms = now_ms;
}
