/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * AutoConnect (tinc 1.1's default): keep a small number of meta connections
 * by dialling random nodes with a known address, close surplus outgoing
 * ones no ConnectTo asked for, and dial unreachable nodes so that a
 * partitioned graph heals.
 *
 * autoconnect_decide() is the whole policy as a pure function over a
 * snapshot of the nodes and connections and a random source, so it can be
 * tested without a network; autoconnect_run.c takes the snapshot every few
 * seconds and carries the decision out.
 */
#ifndef PX_AUTOCONNECT_H
#define PX_AUTOCONNECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTOCONNECT_TARGET      3    /* meta connections each node aims for, as tinc 1.1 */
#define AUTOCONNECT_INTERVAL_MS 5000 /* tinc 1.1 runs it from its 5 s periodic handler */

/* One known node, ourselves included (the partition-healing step picks
 * among all known nodes, so its odds depend on how many there are). */
struct ac_node {
	bool is_self;
	bool connected; /* an active meta connection to it exists */
	bool reachable;
	bool has_address; /* its host file has an Address line */
	bool outgoing;    /* an outgoing entry (ConnectTo or automatic) exists for it */
};

/* One meta connection that has completed authentication (has an edge). */
struct ac_conn {
	bool droppable; /* we dialled it on our own (not for a ConnectTo) */
	int peer_edges; /* edges the peer announces: >= 2 means it has another link */
};

struct ac_decision {
	int connect;         /* index into the nodes to dial now, or -1 */
	int drop;            /* index into the connections to close, or -1 */
	bool cancel_pending; /* forget automatic outgoings waiting for a retry */
};

/* Returns a uniformly distributed number in [0, bound); bound >= 1. */
typedef uint32_t (*ac_random_fn)(void *ctx, uint32_t bound);

struct ac_decision autoconnect_decide(const struct ac_node *nodes, size_t nnodes, const struct ac_conn *conns,
                                      size_t nconns, ac_random_fn rnd, void *rnd_ctx);

/* The daemon side (autoconnect_run.c). */
int autoconnect_configure(void); /* read AutoConnect; -1 on a bad value */
bool autoconnect_on(void);
void autoconnect_start(void);
void autoconnect_reload(void); /* learn nodes from new host files */
void autoconnect_stop(void);
void autoconnect_tick(void); /* one round now (also what the timer runs) */

#endif
