/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * When to run the graph again after a topology change: a hold-down that
 * doubles while changes keep arriving (up to about 2 ms per node, clamped
 * to 50-500 ms) and falls back to 50 ms after four quiet hold-downs.
 * Pure timing decisions; protocol_edge.c owns the timer.
 */
#ifndef PX_GRAPH_HOLDDOWN_H
#define PX_GRAPH_HOLDDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRAPH_HOLDDOWN_MIN_MS      50u
#define GRAPH_HOLDDOWN_MAX_MS      500u
#define GRAPH_HOLDDOWN_MS_PER_NODE 2u
#define GRAPH_HOLDDOWN_QUIET       4u /* quiet hold-downs before the reset */

struct graph_holddown {
	uint32_t ms;      /* current hold-down; 0 before the first run */
	uint64_t last_ms; /* when the graph last ran */
	bool ran;
};

/* How long a change seen at now_ms has to wait before the graph runs; 0: now. */
uint32_t graph_holddown_wait(const struct graph_holddown *h, uint64_t now_ms);
/* The graph ran at now_ms with `nodes` nodes known: grow or reset the hold-down. */
void graph_holddown_ran(struct graph_holddown *h, uint64_t now_ms, size_t nodes);

#endif
