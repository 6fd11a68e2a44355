/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Outgoing connections (ConnectTo, AutoConnect): addresses to try, in
 * order, and the back-off between rounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "connection.h"
#include "edge.h"
#include "event.h"
#include "logger.h"
#include "netutl.h"
#include "node.h"
#include "outgoing.h"
#include "plugin_loader.h"
#include "settings.h"
#include "xalloc.h"

struct list_head outgoing_list = LIST_HEAD_INIT(outgoing_list);
static void try_outgoing(void *arg);

/* After the Address lines, the addresses other nodes announce for it in
 * their edges, as tinc 1.1 does: AutoConnect may pick a node that is only
 * reachable, whose host file has a key but no Address. */
static void outgoing_add_edge_addresses(struct outgoing *o) {
	const struct edge *e;
	list_for_each_entry(e, &edge_list, link) {
		if (o->naddrs >= MAX_ADDRESSES)
			return;
		if (strcmp(e->to->name, o->name) || e->from == myself || !e->address.len)
			continue;
		if (settings.addressfamily != AF_UNSPEC && e->address.sa.sa_family != settings.addressfamily)
			continue;
		bool known = false;
		for (int i = 0; i < o->naddrs && !known; i++)
			known = addr_equal(&o->addrs[i], &e->address);
		if (!known)
			o->addrs[o->naddrs++] = e->address;
	}
}

/* Collect the addresses to try from hosts/<name>: every Address line, in
 * order, with the host's Port (or 655) when the line names none, then the
 * addresses learnt from edges. */
static void outgoing_resolve(struct outgoing *o) {
	host_conf_forget(o->name);
	const struct conf *hc = host_conf(o->name);
	o->naddrs = 0;
	o->next = 0;
	if (!hc)
		return;
	const char *dport = conf_get(hc, "Port", 0);
	if (!dport)
		dport = "655";
	for (int i = 0; o->naddrs < MAX_ADDRESSES; i++) {
		const char *a = conf_get(hc, "Address", i);
		if (!a)
			break;
		char host[256], port[32];
		int k = sscanf(a, "%255s %31s", host, port);
		if (k < 1)
			continue;
		int got = addr_resolve(host, k == 2 ? port : dport, settings.addressfamily, false,
		                       o->addrs + o->naddrs, MAX_ADDRESSES - o->naddrs);
		if (got <= 0)
			logger(PX_LOG_CONNECTIONS, LOG_WARNING, "Could not resolve address %s of %s", host,
			       o->name);
		else
			o->naddrs += got;
	}
	outgoing_add_edge_addresses(o);
}

static void schedule_retry(struct outgoing *o) {
	if (!o->timeout)
		o->timeout = 1;
	else
		o->timeout *= 2;
	if (o->timeout > settings.max_timeout)
		o->timeout = settings.max_timeout;
	logger(PX_LOG_CONNECTIONS, LOG_NOTICE,
	       "Trying to re-establish outgoing connection to %s in %d seconds", o->name, o->timeout);
	timer_arm(o->timer, (uint32_t)o->timeout * 1000);
}

/* Try the next address of the host; when all failed, back off. */
static void try_outgoing(void *arg) {
	struct outgoing *o = arg;
	if (o->c)
		return;
	node_t *n = node_lookup(o->name);
	if (n && n->connection) {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "Already connected to %s", o->name);
		/* Adopt it, so that losing it brings this ConnectTo back to life. */
		if (!n->connection->outgoing) {
			n->connection->outgoing = o;
			o->c = n->connection;
		}
		return;
	}
	if (o->next >= o->naddrs) {
		outgoing_resolve(o);
		if (!o->naddrs) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "No usable Address known for %s (hosts/%s)", o->name,
			       o->name);
			schedule_retry(o);
			return;
		}
	}
	const struct stream_provider *sp = stream_provider();
	if (!sp) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "No stream transport plugin loaded: cannot connect to %s",
		       o->name);
		return;
	}
	const struct px_addr *to = &o->addrs[o->next++];
	conn_t *c = conn_new();
	c->name = strdup(o->name);
	c->is_outgoing = true;
	c->outgoing = o;
	c->address = *to;
	c->hostname = strdup(addr_str(to));
	c->tp = sp;
	c->state = CONN_CONNECTING;
	o->c = c;
	logger(PX_LOG_CONNECTIONS, LOG_INFO, "Trying to connect to %s (%s)", o->name, c->hostname);
	if (sp->ops->connect(sp->plugin, c, to, NULL, &c->stream) < 0) {
		c->stream = NULL;
		conn_terminate(c, "connect failed");
	}
}

/* Called from conn_terminate() for outgoing connections. */
void outgoing_connection_lost(struct outgoing *o, conn_t *c, bool was_active) {
	if (o->c != c)
		return;
	o->c = NULL;
	if (was_active) {
		/* A working connection broke: reconnect soon, starting afresh. */
		o->next = o->naddrs;
		timer_arm(o->timer, 1000);
		return;
	}
	if (o->next < o->naddrs) {
		/* Next address right away, but from the loop, not recursively. */
		timer_arm(o->timer, 0);
		return;
	}
	schedule_retry(o);
}

void outgoing_reset_backoff(struct outgoing *o) {
	o->timeout = 0;
}

/* A ConnectTo entry claims an automatic one for the same node, so that
 * AutoConnect never closes a connection the configuration asked for. */
static void outgoing_add(const char *name, bool from_connectto) {
	struct outgoing *o;
	list_for_each_entry(o, &outgoing_list, link) {
		if (!strcmp(o->name, name)) {
			o->from_connectto |= from_connectto;
			return;
		}
	}
	if (!check_node_name(name) || !strcmp(name, myself->name)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid name for outgoing connection: %s", name);
		return;
	}
	o = xcalloc(1, sizeof(*o));
	o->name = strdup(name);
	o->from_connectto = from_connectto;
	o->timer = timer_new(try_outgoing, o);
	list_add_tail(&o->link, &outgoing_list);
	timer_arm(o->timer, 0);
}

void setup_outgoing(const char *name) {
	outgoing_add(name, true);
}

void setup_automatic_outgoing(const char *name) {
	outgoing_add(name, false);
}

void outgoing_cancel(struct outgoing *o) {
	list_del(&o->link);
	if (o->c) {
		o->c->outgoing = NULL;
		conn_terminate(o->c, "outgoing connection removed");
	}
	timer_free(o->timer);
	free(o->name);
	free(o);
}

void net_retry(void) {
	struct outgoing *o;
	list_for_each_entry(o, &outgoing_list, link) {
		o->timeout = 0;
		if (!o->c)
			timer_arm(o->timer, 0);
	}
}
