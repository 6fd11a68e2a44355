/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Lifetime of meta connections. */
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "edge.h"
#include "event.h"
#include "graph.h"
#include "logger.h"
#include "settings.h"
#include "slots.h"
#include "plugin_loader.h"
#include "proxy.h"
#include "xalloc.h"

struct list_head connection_list = LIST_HEAD_INIT(connection_list);
static int next_conn_id;
static struct conn_hooks hooks;

void conn_set_hooks(const struct conn_hooks *h) {
	hooks = *h;
}

/* Tell the other nodes that an edge of ours is gone (DEL_EDGE). */
static void announce_edge_gone(const struct edge *e) {
	if (hooks.edge_gone)
		hooks.edge_gone(e);
}

void conn_reset_backoff(conn_t *c) {
	if (c->outgoing && hooks.outgoing_reset)
		hooks.outgoing_reset(c->outgoing);
}

conn_t *conn_new(void) {
	conn_t *c = xcalloc(1, sizeof(*c));
	c->id = ++next_conn_id;
	c->start_ms = now_ms();
	c->last_ping_ms = c->start_ms;
	c->last_flush_ms = c->start_ms;
	list_add_tail(&c->link, &connection_list);
	return c;
}

void **conn_slot(conn_t *c, int index) {
	return slots_get(&c->slots, index);
}

/* Freed from the event loop, never while a caller may still hold c. */
static void conn_free_deferred(void *arg) {
	conn_t *c = arg;
	event_defer_batch_forget(c); /* its output flush, if one is queued */
	list_del(&c->link);
	free(c->name);
	free(c->hostname);
	free(c->inbuf.data);
	free(c->outbuf.data);
	free(c->sptps_rx);
	for (int i = 0; i < c->ncaps; i++)
		free(c->caps[i]);
	free(c->caps);
	slots_free(c->slots);
	proxy_conn_free(c);
	free(c);
}

/* Tear down everything the connection contributed to the graph. */
static void conn_drop_edge(conn_t *c) {
	if (!c->edge)
		return;
	struct edge *e = c->edge;
	c->edge = NULL;
	e->connection = NULL;
	/* A tunnel server's peers never learned of each other's edges. */
	if (!settings.tunnelserver)
		announce_edge_gone(e);
	node_t *peer = e->to;
	edge_del(e);
	graph_run();
	/* If the peer is now unreachable, its edge towards us is stale too. */
	if (!peer->reachable) {
		struct edge *back = edge_lookup(peer, myself);
		if (back) {
			if (!settings.tunnelserver)
				announce_edge_gone(back);
			edge_del(back);
			graph_run();
		}
	}
}

void conn_terminate(conn_t *c, const char *why) {
	if (c->state == CONN_DEAD)
		return;
	logger(PX_LOG_CONNECTIONS, LOG_NOTICE, "Closing connection with %s (%s)%s%s",
	       c->name ? c->name : "<unknown>", c->hostname ? c->hostname : "?", why ? ": " : "",
	       why ? why : "");
	bool was_active = c->state == CONN_ACTIVE;
	c->state = CONN_DEAD;
	if (c->node && c->node->connection == c)
		c->node->connection = NULL;
	if (was_active) {
		plugins_notify_conn(c, false);
		conn_drop_edge(c);
	}
	if (c->crypto && c->auth_state && c->crypto->ops->meta_free)
		c->crypto->ops->meta_free(c->crypto->plugin, c->auth_state);
	c->auth_state = NULL;
	if (c->filter_in && c->filter_in->free)
		c->filter_in->free(c->filter_in_ctx);
	if (c->filter_out && c->filter_out->free)
		c->filter_out->free(c->filter_out_ctx);
	c->filter_in = c->filter_out = NULL;
	/* What this wake-up sent before closing (meta.c defers writes to the
	 * end of the wake-up) still goes out, as far as the socket takes it. */
	if (c->flush_pending && c->outbuf.len && c->tp && c->stream)
		(void)c->tp->ops->write(c->tp->plugin, c->stream, c->outbuf.data + c->outbuf.off,
		                        c->outbuf.len);
	if (c->tp && c->stream)
		c->tp->ops->close(c->tp->plugin, c->stream);
	c->stream = NULL;
	if (c->outgoing && hooks.outgoing_lost)
		hooks.outgoing_lost(c->outgoing, c, was_active);
	c->outgoing = NULL;
	event_defer(conn_free_deferred, c);
}
