/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy for outgoing meta connections, as tinc 1.1 does it: the TCP
 * connection goes to the proxy (or the exec command's socketpair) instead
 * of the peer, the proxy request goes first, and once the proxy has granted
 * it the connection continues with our ID. Incoming connections and UDP are
 * untouched; data to a peer reached this way uses UDP when UDP works and
 * the meta connection when it does not, like any other peer.
 *
 * tinc sends the request and the ID back to back; here the ID waits for
 * the grant (meta.c sends it then), so a proxy that drops early bytes
 * cannot eat it. The peer sees the same bytes either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "logger.h"
#include "netutl.h"
#include "proxy.h"
#include "proxy_wire.h"
#include "xalloc.h"

/* Per connection while the proxy has not answered. */
struct proxy_conn {
	struct proxy_config cfg; /* copy: a reload may change the global one */
	struct proxy_reply reply;
	char where[80]; /* "HOST port PORT" for logs */
};

static struct proxy_config current;

static char *dup_opt(const char *s) {
	return s ? xstrdup(s) : NULL;
}

static void config_copy(struct proxy_config *to, const struct proxy_config *from) {
	to->type = from->type;
	to->host = dup_opt(from->host);
	to->port = dup_opt(from->port);
	to->user = dup_opt(from->user);
	to->pass = dup_opt(from->pass);
	to->command = dup_opt(from->command);
}

int proxy_configure(void) {
	struct proxy_config fresh;
	char err[200];
	if (proxy_config_parse(conf_get(&server_conf, "Proxy", 0), &fresh, err, sizeof(err)) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid Proxy: %s", err);
		return -1;
	}
	if (fresh.type == PROXY_EXEC)
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "Outgoing connections through proxy command %s",
		       fresh.command);
	else if (fresh.type != PROXY_NONE)
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "Outgoing connections through %s proxy at %s port %s%s",
		       proxy_type_name(fresh.type), fresh.host, fresh.port,
		       fresh.user ? " with a user name" : "");
	proxy_config_free(&current);
	current = fresh;
	return 0;
}

enum proxy_route proxy_route(conn_t *c, struct px_addr *via, const char **command) {
	if (current.type == PROXY_NONE)
		return PROXY_ROUTE_DIRECT;
	if (current.type == PROXY_EXEC) {
		*command = current.command;
		return PROXY_ROUTE_EXEC;
	}
	if (addr_resolve(current.host, current.port, AF_UNSPEC, false, via, 1) < 1) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not resolve %s proxy %s port %s to connect to %s",
		       proxy_type_name(current.type), current.host, current.port, c->name);
		return PROXY_ROUTE_FAIL;
	}
	struct proxy_conn *pc = xcalloc(1, sizeof(*pc));
	config_copy(&pc->cfg, &current);
	proxy_reply_init(&pc->reply, &pc->cfg);
	snprintf(pc->where, sizeof(pc->where), "%s", addr_str(via));
	c->proxy = pc;
	logger(PX_LOG_CONNECTIONS, LOG_INFO, "Connecting to %s (%s) through %s proxy at %s", c->name,
	       c->hostname, proxy_type_name(pc->cfg.type), pc->where);
	return PROXY_ROUTE_VIA;
}

int proxy_begin(conn_t *c, uint8_t *buf, size_t cap) {
	struct proxy_conn *pc = c->proxy;
	char err[200];
	int n = proxy_request(&pc->cfg, &c->address, buf, cap, err, sizeof(err));
	if (n < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Cannot connect to %s (%s) through %s proxy at %s: %s",
		       c->name, c->hostname, proxy_type_name(pc->cfg.type), pc->where, err);
		return -1;
	}
	logger(PX_LOG_META, LOG_DEBUG, "Sending %d byte %s proxy request for %s (%s)", n,
	       proxy_type_name(pc->cfg.type), c->name, c->hostname);
	return n;
}

enum proxy_status proxy_recv(conn_t *c, const void **data, size_t *len) {
	struct proxy_conn *pc = c->proxy;
	size_t used;
	enum proxy_status st = proxy_reply_feed(&pc->reply, *data, *len, &used);
	*data = (const uint8_t *)*data + used;
	*len -= used;
	if (st == PROXY_FAILED) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Proxy %s did not connect us to %s (%s): %s", pc->where,
		       c->name, c->hostname, pc->reply.error);
	} else if (st == PROXY_GRANTED) {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "Proxy %s connected us to %s (%s)", pc->where, c->name,
		       c->hostname);
		proxy_conn_free(c);
	}
	return st;
}

void proxy_stream_closed(conn_t *c) {
	struct proxy_conn *pc = c->proxy;
	if (!pc)
		return;
	if (c->state == CONN_CONNECTING)
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not reach %s proxy at %s for %s (%s)",
		       proxy_type_name(pc->cfg.type), pc->where, c->name, c->hostname);
	else
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "%s proxy at %s closed the connection to %s (%s) without answering",
		       proxy_type_name(pc->cfg.type), pc->where, c->name, c->hostname);
}

void proxy_conn_free(conn_t *c) {
	struct proxy_conn *pc = c->proxy;
	if (!pc)
		return;
	proxy_config_free(&pc->cfg);
	memset(&pc->reply, 0, sizeof(pc->reply));
	free(pc);
	c->proxy = NULL;
}
