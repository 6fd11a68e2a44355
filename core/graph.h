/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tinc's graph algorithms: Kruskal's minimum spanning tree over edges sorted
 * by (weight, from, to), and a breadth-first shortest-path search from us
 * that decides reachability, nexthop, via and distance.
 */
#ifndef PX_GRAPH_H
#define PX_GRAPH_H

#include "edge.h"
#include "node.h"

/* Told about every node whose reachability changed, after graph_run() has
 * updated all fields (the daemon's reachability.c in plexusd). */
typedef void graph_observer_fn(node_t *n, bool became_reachable);
void graph_set_observer(graph_observer_fn *fn);

/* Recompute reachability (the spanning tree waits for graph_edge_in_mst()); for every node whose reachability
 * changed call the observer. */
void graph_run(void);
/* How many times graph_run() ran: changes whenever the graph may have. */
unsigned graph_run_count(void);
/* Is e in the minimum spanning tree? Computes the tree on the first call
 * after a graph_run(); read edge->mst only through this. */
bool graph_edge_in_mst(const struct edge *e);
/* How many times the spanning tree was computed. */
unsigned graph_mst_count(void);

#endif
