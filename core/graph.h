/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tinc's graph algorithms: Kruskal's minimum spanning tree over edges sorted
 * by (weight, from, to), and a breadth-first shortest-path search from us
 * that decides reachability, nexthop, via and distance.
 */
#ifndef PX_GRAPH_H
#define PX_GRAPH_H

#include "node.h"

/* Told about every node whose reachability changed, after graph_run() has
 * updated all fields (the daemon's reachability.c in plexusd). */
typedef void graph_observer_fn(node_t *n, bool became_reachable);
void graph_set_observer(graph_observer_fn *fn);

/* Recompute MST flags and reachability; for every node whose reachability
 * changed call the observer. */
void graph_run(void);

#endif
