/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* ADD_EDGE / DEL_EDGE: flooded announcements of the graph, and the initial
 * dump of everything we know to a newly activated connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "connection.h"
#include "edge.h"
#include "event.h"
#include "graph.h"
#include "graph_holddown.h"
#include "logger.h"
#include "meta.h"
#include "node.h"
#include "protocol.h"
#include "settings.h"
#include "subnet.h"
#include "subnet_policy.h"

int send_add_edge(conn_t *c, const struct edge *e) {
	uint32_t nonce = randombytes_random();
	const char *host = e->addr_host ? e->addr_host : "unspec";
	const char *port = e->addr_port ? e->addr_port : "unspec";
	/* tinc 1.0 reads the first 6 fields and ignores the rest; 1.1 accepts
	 * 6 or 8. The local address (fields 8-9) enables LocalDiscovery. */
	if (e->local_host && e->local_port) {
		if (!c)
			return broadcast_request(NULL, "%d %x %s %s %s %s %x %d %s %s", PX_REQ_ADD_EDGE,
			                         nonce, e->from->name, e->to->name, host, port, e->options,
			                         e->weight, e->local_host, e->local_port);
		return conn_send(c, "%d %x %s %s %s %s %x %d %s %s", PX_REQ_ADD_EDGE, nonce, e->from->name,
		                 e->to->name, host, port, e->options, e->weight, e->local_host,
		                 e->local_port);
	}
	if (!c)
		return broadcast_request(NULL, "%d %x %s %s %s %s %x %d", PX_REQ_ADD_EDGE, nonce,
		                         e->from->name, e->to->name, host, port, e->options, e->weight);
	return conn_send(c, "%d %x %s %s %s %s %x %d", PX_REQ_ADD_EDGE, nonce, e->from->name, e->to->name,
	                 host, port, e->options, e->weight);
}

int send_del_edge(conn_t *c, const struct edge *e) {
	uint32_t nonce = randombytes_random();
	if (!c)
		return broadcast_request(NULL, "%d %x %s %s", PX_REQ_DEL_EDGE, nonce, e->from->name,
		                         e->to->name);
	return conn_send(c, "%d %x %s %s", PX_REQ_DEL_EDGE, nonce, e->from->name, e->to->name);
}

/*
 * Graph runs are coalesced: a peer may send thousands of ADD_EDGE lines in a
 * row, and running the graph (O(E log E)) after each one is what made a
 * flood quadratic. The handlers only mark the graph stale; it runs after
 * the current read (stream_recv), in a deferred call after the current
 * event-loop callback at the latest, and earlier when a request that needs
 * it up to date arrives (receive_request).
 *
 * While a mesh converges the reads come from every connection in turn, each
 * with a few changes, so "once per read" still meant hundreds of runs per
 * node. A run after a read therefore also waits out a hold-down since the
 * previous one (graph_holddown.c: it grows while changes keep arriving):
 * the first change after a quiet spell is seen at once, a flood costs a few
 * runs. Only this node's view waits; requests are forwarded at once, and
 * whatever needs the graph (keys, control dumps) still settles it first.
 */
static bool graph_stale, settle_queued, back_edges_to_check;
static px_timer *holddown_timer;
static struct graph_holddown holddown;

static void settle_deferred(void *arg) {
	(void)arg;
	settle_queued = false;
	topology_settle();
}

static void holddown_expired(void *arg) {
	(void)arg;
	topology_settle_now();
}

static void topology_changed(void) {
	graph_stale = true;
	if (!settle_queued) {
		settle_queued = true;
		event_defer(settle_deferred, NULL);
	}
}

/* A node that DEL_EDGE left unreachable cannot reach us either: its edge
 * towards us is stale, so it is withdrawn (as tinc does after each DEL_EDGE). */
static void drop_lost_back_edges(void) {
	bool dropped = false;
	node_t *n;
	list_for_each_entry(n, &node_list, link) {
		if (!n->lost_edge)
			continue;
		n->lost_edge = false;
		if (n == myself || n->reachable)
			continue;
		struct edge *back = edge_lookup(n, myself);
		if (back) {
			/* Under TunnelServer the other peers never learned this edge. */
			if (!settings.tunnelserver)
				send_del_edge(NULL, back);
			edge_del(back);
			dropped = true;
		}
	}
	if (dropped)
		graph_run();
}

void topology_settle_now(void) {
	if (holddown_timer) {
		timer_free(holddown_timer);
		holddown_timer = NULL;
	}
	if (!graph_stale)
		return;
	graph_stale = false;
	graph_holddown_ran(&holddown, now_ms(), node_count());
	graph_run();
	if (back_edges_to_check) {
		back_edges_to_check = false;
		drop_lost_back_edges();
	}
}

void topology_reset(void) {
	topology_settle_now();
	holddown = (struct graph_holddown){0};
}

void topology_settle(void) {
	if (!graph_stale)
		return;
	uint32_t wait = graph_holddown_wait(&holddown, now_ms());
	if (!wait) {
		topology_settle_now();
		return;
	}
	if (!holddown_timer) {
		holddown_timer = timer_new(holddown_expired, NULL);
		if (!holddown_timer) {
			topology_settle_now();
			return;
		}
		timer_arm(holddown_timer, wait);
	}
}

static node_t *lookup_or_create(const char *name) {
	node_t *n = node_lookup(name);
	if (!n) {
		n = node_new(name);
		node_add(n);
	}
	return n;
}

int add_edge_h(conn_t *c, const char *line) {
	char from_name[MAX_STRING_SIZE], to_name[MAX_STRING_SIZE], host[MAX_STRING_SIZE],
	    port[MAX_STRING_SIZE];
	char lhost[MAX_STRING_SIZE], lport[MAX_STRING_SIZE];
	unsigned int options;
	int weight;
	int n = sscanf(line,
	               "%*d %*x " MAX_STRING " " MAX_STRING " " MAX_STRING " " MAX_STRING " %x %d " MAX_STRING
	               " " MAX_STRING,
	               from_name, to_name, host, port, &options, &weight, lhost, lport);
	if (n != 6 && n != 8) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad ADD_EDGE from %s (%s)", c->name, c->hostname);
		return -1;
	}
	if (!check_node_name(from_name) || !check_node_name(to_name) || !strcmp(from_name, to_name)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad ADD_EDGE from %s (%s): invalid names", c->name,
		       c->hostname);
		return -1;
	}
	if (seen_request(line))
		return 0;
	if (!tunnelserver_allows_edge(c, from_name, to_name)) {
		logger(PX_LOG_PROTOCOL, LOG_WARNING, "Ignoring indirect ADD_EDGE from %s (%s) for %s -> %s",
		       c->name, c->hostname, from_name, to_name);
		return 0;
	}
	node_t *from = node_lookup(from_name), *to = node_lookup(to_name);
	from = from ? from : lookup_or_create(from_name);
	to = to ? to : lookup_or_create(to_name);

	struct edge *e = edge_lookup(from, to);
	if (e) {
		bool same = e->weight == weight && e->options == options && e->addr_host && e->addr_port &&
		            !strcmp(e->addr_host, host) && !strcmp(e->addr_port, port);
		if (same)
			return 0;
		if (from == myself) {
			logger(PX_LOG_ERROR, LOG_WARNING,
			       "Got ADD_EDGE from %s (%s) for ourself which does not match", c->name,
			       c->hostname);
			send_add_edge(c, e);
			return 0;
		}
		logger(PX_LOG_ERROR, LOG_INFO,
		       "Got ADD_EDGE from %s (%s) which does not match existing entry", c->name, c->hostname);
		edge_set_address(e, host, port);
		if (n == 8)
			edge_set_local(e, lhost, lport);
		e->options = options;
		if (e->weight != weight) {
			e->weight = weight;
			edge_resort(e);
		}
	} else if (from == myself) {
		logger(PX_LOG_ERROR, LOG_WARNING,
		       "Got ADD_EDGE from %s (%s) for ourself which does not exist", c->name, c->hostname);
		struct edge tmp = {.from = from, .to = to};
		send_del_edge(c, &tmp);
		return 0;
	} else if (settings.max_edges_per_node && from->nedges >= settings.max_edges_per_node) {
		static struct cap_log cap_log;
		log_cap_hit(&cap_log, "MaxEdgesPerNode", settings.max_edges_per_node, from->name, c);
		return 0;
	} else {
		e = edge_new();
		e->from = from;
		e->to = to;
		edge_set_address(e, host, port);
		if (n == 8)
			edge_set_local(e, lhost, lport);
		e->options = options;
		e->weight = weight;
		edge_add(e);
	}
	forward_request(c, line);
	topology_changed();
	return 0;
}

int del_edge_h(conn_t *c, const char *line) {
	char from_name[MAX_STRING_SIZE], to_name[MAX_STRING_SIZE];
	if (sscanf(line, "%*d %*x " MAX_STRING " " MAX_STRING, from_name, to_name) != 2) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad DEL_EDGE from %s (%s)", c->name, c->hostname);
		return -1;
	}
	if (!check_node_name(from_name) || !check_node_name(to_name)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad DEL_EDGE from %s (%s): invalid names", c->name,
		       c->hostname);
		return -1;
	}
	if (seen_request(line))
		return 0;
	if (!tunnelserver_allows_edge(c, from_name, to_name)) {
		logger(PX_LOG_PROTOCOL, LOG_WARNING, "Ignoring indirect DEL_EDGE from %s (%s) for %s -> %s",
		       c->name, c->hostname, from_name, to_name);
		return 0;
	}
	node_t *from = node_lookup(from_name), *to = node_lookup(to_name);
	if (!from || !to) {
		logger(PX_LOG_ERROR, LOG_INFO, "Got DEL_EDGE from %s (%s) for unknown node", c->name,
		       c->hostname);
		return 0;
	}
	struct edge *e = edge_lookup(from, to);
	if (!e) {
		logger(PX_LOG_ERROR, LOG_INFO, "Got DEL_EDGE from %s (%s) for an edge that does not exist",
		       c->name, c->hostname);
		return 0;
	}
	if (from == myself) {
		logger(PX_LOG_ERROR, LOG_WARNING, "Got DEL_EDGE from %s (%s) for ourself", c->name,
		       c->hostname);
		send_add_edge(c, e);
		return 0;
	}
	forward_request(c, line);
	edge_del(e);
	to->lost_edge = true;
	back_edges_to_check = true;
	topology_changed();
	return 0;
}

/* A newly activated peer learns the whole graph from us. */
void send_everything(conn_t *c) {
	node_t *n;
	if (settings.disable_buggy_peers && send_buggy_peer_probe(c) < 0)
		return;
	if (settings.tunnelserver) {
		struct subnet *s;
		list_for_each_entry(s, &myself->subnets, owner_link) send_add_subnet(c, s);
		return;
	}
	list_for_each_entry(n, &node_list, link) {
		struct subnet *s;
		list_for_each_entry(s, &n->subnets, owner_link) send_add_subnet(c, s);
		struct edge *e;
		list_for_each_entry(e, &n->edges, from_link) send_add_edge(c, e);
	}
}

void protocol_edge_register(void) {
	protocol_register(PX_REQ_ADD_EDGE, add_edge_h, false);
	protocol_register(PX_REQ_DEL_EDGE, del_edge_h, false);
	protocol_set_settle(topology_settle_now);
}
