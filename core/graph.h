/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tinc's graph algorithms: Kruskal's minimum spanning tree over edges sorted
 * by (weight, from, to), and a breadth-first shortest-path search from us
 * that decides reachability, nexthop, via and distance.
 */
#ifndef PX_GRAPH_H
#define PX_GRAPH_H

#include "node.h"

/* Recompute MST flags and reachability; for every node whose reachability
 * changed call graph_node_changed() (implemented by the network code). */
void graph_run(void);
/* Defined in net.c: called by graph_run() after all fields are updated. */
void graph_node_changed(node_t *n, bool became_reachable);

#endif
