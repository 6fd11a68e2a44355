/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * AutoConnect in the daemon: every AUTOCONNECT_INTERVAL_MS take a snapshot
 * of the nodes and meta connections, let autoconnect_decide() choose, and
 * carry the choice out through the outgoing-connection machinery of net.c
 * (so automatic connections get the same address list and back-off as
 * ConnectTo ones).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "autoconnect.h"
#include "conf.h"
#include "connection.h"
#include "edge.h"
#include "event.h"
#include "logger.h"
#include "node.h"
#include "outgoing.h"
#include "xalloc.h"

static px_timer *autoconnect_timer;
static bool autoconnect_enabled;

int autoconnect_configure(void) {
	bool on = true; /* tinc 1.1's default */
	if (conf_get_bool(&server_conf, "AutoConnect", &on) < 0)
		return -1;
	autoconnect_enabled = on;
	return 0;
}

bool autoconnect_on(void) {
	return autoconnect_enabled;
}

static bool host_has_address(const char *name) {
	const struct conf *hc = host_conf(name);
	return hc && conf_get(hc, "Address", 0);
}

/* tinc 1.1 knows every node with a host file from the start; without that a
 * node with no ConnectTo (or whose ConnectTo is gone) would have nobody to
 * dial. Only nodes whose host file has an Address are worth adding. */
static void learn_node(const char *name, void *arg) {
	(void)arg;
	if (node_lookup(name) || !host_has_address(name))
		return;
	node_add(node_new(name));
}

static void learn_nodes_from_host_files(void) {
	if (host_files_foreach(myself->name, learn_node, NULL) < 0)
		logger(PX_LOG_CONNECTIONS, LOG_WARNING, "AutoConnect: cannot read %s/hosts: %s",
		       confbase ? confbase : "", strerror(errno));
}

static struct outgoing *outgoing_for(const char *name) {
	struct outgoing *o;
	list_for_each_entry(o, &outgoing_list, link) if (!strcmp(o->name, name)) return o;
	return NULL;
}

static int count_edges(const node_t *n) {
	int count = 0;
	const struct edge *e;
	list_for_each_entry(e, &n->edges, from_link) count++;
	return count;
}

static uint32_t sodium_random(void *ctx, uint32_t bound) {
	(void)ctx;
	return randombytes_uniform(bound);
}

/* A connection counts once it is authenticated and has its edge, as in
 * tinc; connections still being set up do not. */
static bool counts(const conn_t *c) {
	return c->state == CONN_ACTIVE && c->edge && c->node;
}

static void cancel_pending_automatic(void) {
	struct outgoing *o, *tmp;
	list_for_each_entry_safe(o, tmp, &outgoing_list, link) {
		if (o->from_connectto || o->c)
			continue;
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "AutoConnect: cancelled outgoing connection to %s",
		       o->name);
		outgoing_cancel(o);
	}
}

void autoconnect_tick(void) {
	size_t nnodes = 0, nconns = 0;
	node_t *n;
	conn_t *c;
	list_for_each_entry(n, &node_list, link) nnodes++;
	list_for_each_entry(c, &connection_list, link) if (counts(c)) nconns++;
	/* tinc skips the round while it knows no other node. */
	if (nnodes < 2)
		return;
	struct ac_node *nodes = calloc(nnodes, sizeof(*nodes));
	node_t **node_ptr = calloc(nnodes, sizeof(*node_ptr));
	struct ac_conn *conns = calloc(nconns ? nconns : 1, sizeof(*conns));
	conn_t **conn_ptr = calloc(nconns ? nconns : 1, sizeof(*conn_ptr));
	if (!nodes || !node_ptr || !conns || !conn_ptr)
		xalloc_fail();
	size_t i = 0;
	list_for_each_entry(n, &node_list, link) {
		node_ptr[i] = n;
		nodes[i].is_self = n == myself;
		nodes[i].connected = n->connection != NULL;
		nodes[i].reachable = n->reachable;
		nodes[i].has_address = n != myself && host_has_address(n->name);
		nodes[i].outgoing = outgoing_for(n->name) != NULL;
		i++;
	}
	i = 0;
	list_for_each_entry(c, &connection_list, link) {
		if (!counts(c))
			continue;
		conn_ptr[i] = c;
		conns[i].droppable = c->is_outgoing && c->outgoing && !c->outgoing->from_connectto;
		conns[i].peer_edges = count_edges(c->node);
		i++;
	}

	struct ac_decision d = autoconnect_decide(nodes, nnodes, conns, nconns, sodium_random, NULL);

	if (d.drop >= 0) {
		conn_t *victim = conn_ptr[d.drop];
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "AutoConnect: %zu connections, closing the one to %s",
		       nconns, victim->name);
		/* Removing the outgoing entry closes its connection without a retry. */
		struct outgoing *o = victim->outgoing;
		if (o->c != victim) {
			victim->outgoing = NULL;
			conn_terminate(victim, "surplus connection (AutoConnect)");
		}
		outgoing_cancel(o);
	}
	/* Before dialling: a new outgoing entry waits for its timer, so it would
	 * look pending and be cancelled right away. */
	if (d.cancel_pending)
		cancel_pending_automatic();
	if (d.connect >= 0) {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "AutoConnect: connecting to %s (%zu connections)",
		       node_ptr[d.connect]->name, nconns);
		setup_automatic_outgoing(node_ptr[d.connect]->name);
	}
	free(nodes);
	free(node_ptr);
	free(conns);
	free(conn_ptr);
}

/* Runs every AUTOCONNECT_INTERVAL_MS plus up to 1 s of jitter, so nodes
 * started together do not all decide in the same instant. */
static void autoconnect_timer_fired(void *arg) {
	(void)arg;
	if (autoconnect_enabled)
		autoconnect_tick();
	timer_arm(autoconnect_timer, AUTOCONNECT_INTERVAL_MS + randombytes_uniform(1000));
}

void autoconnect_start(void) {
	if (autoconnect_timer)
		return;
	if (autoconnect_enabled)
		learn_nodes_from_host_files();
	autoconnect_timer = timer_new(autoconnect_timer_fired, NULL);
	timer_arm(autoconnect_timer, AUTOCONNECT_INTERVAL_MS + randombytes_uniform(1000));
}

void autoconnect_reload(void) {
	if (autoconnect_enabled)
		learn_nodes_from_host_files();
}

void autoconnect_stop(void) {
	if (!autoconnect_timer)
		return;
	timer_free(autoconnect_timer);
	autoconnect_timer = NULL;
}
