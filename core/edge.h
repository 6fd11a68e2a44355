/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Directed edges of the graph, announced by their `from` node. */
#ifndef PX_EDGE_H
#define PX_EDGE_H

#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

#include "list.h"

typedef struct px_node node_t; /* node.h */
typedef struct px_conn conn_t; /* connection.h */

struct edge {
	node_t *from, *to;
	/* Address of `to` as seen by `from`, as announced (verbatim strings,
	 * since non-numeric addresses are forwarded unchanged) and parsed. */
	char *addr_host, *addr_port;
	struct px_addr address;        /* address.len == 0 if not numeric */
	char *local_host, *local_port; /* tinc 1.1 fields 8-9, may be NULL */
	uint32_t options;
	int weight;
	bool mst;                   /* part of the minimum spanning tree (graph.c) */
	struct edge *reverse;       /* to->from, or NULL */
	conn_t *connection;         /* our own edges: their meta connection */
	struct list_head from_link; /* in from->edges */
	struct list_head link;      /* in edge_list, sorted (weight, from, to) */
};

extern struct list_head edge_list;

struct edge *edge_new(void);
/* Link into from->edges and edge_list and fix reverse pointers. */
void edge_add(struct edge *e);
/* Unlink and free. */
void edge_del(struct edge *e);
struct edge *edge_lookup(node_t *from, node_t *to);
void edge_set_address(struct edge *e, const char *host, const char *port);
void edge_set_local(struct edge *e, const char *host, const char *port);
/* Re-sort after a weight change. */
void edge_resort(struct edge *e);

#endif
