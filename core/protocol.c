/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Request dispatch. Unlike tinc, a request number we have no handler for
 * is ignored (and forwarded if its number says it is a broadcast), never a
 * reason to drop the connection: that is what keeps mixed networks whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "event.h"
#include "logger.h"
#include "meta.h"
#include "node.h"
#include "plugin_loader.h"
#include "protocol.h"
#include "seen_cache.h"
#include "settings.h"
#include "xalloc.h"

static const char *const request_names[PX_REQ_TINC_LAST + 1] = {
    "ID",           "METAKEY",  "CHALLENGE", "CHAL_REPLY", "ACK",        "STATUS",     "ERROR",
    "TERMREQ",      "PING",     "PONG",      "ADD_SUBNET", "DEL_SUBNET", "ADD_EDGE",   "DEL_EDGE",
    "KEY_CHANGED",  "REQ_KEY",  "ANS_KEY",   "PACKET",     "CONTROL",    "REQ_PUBKEY", "ANS_PUBKEY",
    "SPTPS_PACKET", "UDP_INFO", "MTU_INFO",  "UNKNOWN",
};

const char *request_name(int id) {
	if (id >= 0 && id <= PX_REQ_TINC_LAST)
		return request_names[id];
	const struct request_provider *rp = request_for_id(id);
	if (rp && rp->ops->name)
		return rp->ops->name;
	return "UNKNOWN";
}

/* The request table is the loader's registry (plugin_loader.c): each
 * protocol_*.c registers the core's handlers into it (protocol_*_register(),
 * called by the daemon's wiring), as plugins register theirs through the
 * host table, so one id has one owner. */
static void (*settle_graph)(void);

int protocol_register(int id, request_handler_fn handle, bool needs_graph) {
	if (id < 0 || id > PX_REQ_TINC_LAST)
		return -1;
	return loader_register_core_request(id, request_names[id], handle, needs_graph);
}

void protocol_set_settle(void (*settle)(void)) {
	settle_graph = settle;
}

static request_handler_fn core_handler(int id) {
	const struct request_provider *rp = request_for_id(id);
	return rp ? rp->core_handle : NULL;
}

/* Unknown and plugin requests get a fresh graph too. */
static bool needs_no_graph(int id) {
	const struct request_provider *rp = request_for_id(id);
	return rp && rp->core_handle && !rp->needs_graph;
}

/* Forward a broadcast whose plugin is not loaded, to peers that know it. */
static void forward_unknown_broadcast(conn_t *from, int id, const char *line) {
	if (seen_request(line))
		return;
	char cap[16];
	snprintf(cap, sizeof(cap), "%d", id);
	conn_t *c, *tmp;
	conn_foreach_active(c, tmp) {
		if (c != from && conn_has_capability(c, cap))
			conn_send(c, "%s", line);
	}
}

/* The leading request id, as sscanf's %d reads it, or -1. strtol rather
 * than sscanf: glibc's sscanf measures the whole line first and sets up a
 * stream, a noticeable cost for every line of a flood. */
static int request_id(const char *line) {
	char *end;
	errno = 0;
	long v = strtol(line, &end, 10);
	if (end == line || errno || v < 0 || v > PX_REQ_MAX)
		return -1;
	return (int)v;
}

int receive_request(conn_t *c, char *line) {
	int id = request_id(line);
	if (id < 0) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got malformed request from %s (%s)",
		       c->name ? c->name : "<unknown>", c->hostname);
		return -1;
	}
	if (logger_max_level() >= PX_LOG_PROTOCOL) {
		if (logger_max_level() >= PX_LOG_META)
			logger(PX_LOG_META, LOG_DEBUG, "Got %s from %s (%s): %s", request_name(id),
			       c->name ? c->name : "<unknown>", c->hostname, line);
		else
			logger(PX_LOG_PROTOCOL, LOG_DEBUG, "Got %s from %s (%s)", request_name(id),
			       c->name ? c->name : "<unknown>", c->hostname);
	}

	switch (c->state) {
	case CONN_ID:
		if (id != PX_REQ_ID)
			goto unauthorized;
		return core_handler(id) ? core_handler(id)(c, line) : -1;
	case CONN_AUTH:
		if (!c->crypto || !c->crypto->ops->meta_request)
			return -1;
		return c->crypto->ops->meta_request(c->crypto->plugin, c->auth_state, c, id, line);
	case CONN_ACK:
		if (id != PX_REQ_ACK)
			goto unauthorized;
		return core_handler(id) ? core_handler(id)(c, line) : -1;
	case CONN_ACTIVE:
		break;
	default:
		return -1;
	}

	/* Topology and PING/PONG requests work on a stale graph; everything
	 * else may look at reachability or next hops, so it gets a fresh one. */
	if (!needs_no_graph(id) && settle_graph)
		settle_graph();
	/* ID and ACK only in their states above. */
	request_handler_fn h = id == PX_REQ_ID || id == PX_REQ_ACK ? NULL : core_handler(id);
	if (h)
		return h(c, line);
	if (id == PX_REQ_TERMREQ)
		return -1;
	const struct request_provider *rp = request_for_id(id);
	if (rp && rp->plugin) {
		if ((rp->ops->flags & PX_REQF_BROADCAST) && seen_request(line))
			return 0;
		return rp->ops->handle(rp->plugin, c, line);
	}
	if (PX_REQ_IS_BROADCAST(id) && id >= PX_REQ_EXT_FIRST)
		forward_unknown_broadcast(c, id, line);
	logger(PX_LOG_ERROR, LOG_INFO, "Ignoring request %d from %s (%s): no plugin handles it", id, c->name,
	       c->hostname);
	return 0;

unauthorized:
	logger(PX_LOG_ERROR, LOG_ERR, "Unauthorized request %s from %s (%s)", request_name(id),
	       c->name ? c->name : "<unknown>", c->hostname);
	return -1;
}

/* The dedupe cache (seen_cache.c) keeps a line for PingInterval, as tinc
 * does, or less when a peer floods more distinct lines than it holds; that
 * only costs a duplicate forward, which the next hop drops again. */
bool seen_request(const char *line) {
	uint64_t evicted = seen_cache_evicted_full();
	if (seen_cache_check(line, now_ms())) {
		logger(PX_LOG_SCARY, LOG_DEBUG, "Already seen request");
		return true;
	}
	static uint64_t last_warning_ms;
	if (seen_cache_evicted_full() != evicted &&
	    (!last_warning_ms || now_ms() - last_warning_ms >= 60000)) {
		last_warning_ms = now_ms();
		logger(PX_LOG_ALWAYS, LOG_WARNING,
		       "Dedupe cache full (%d requests within PingInterval): forgetting the oldest early",
		       SEEN_CACHE_CAPACITY);
	}
	return false;
}

void seen_request_age(void) {
	seen_cache_age(now_ms(), (uint64_t)settings.ping_interval * 1000);
}

void seen_request_flush(void) {
	seen_cache_flush();
}

void log_cap_hit(struct cap_log *st, const char *var, int cap, const char *owner, const conn_t *from) {
	uint64_t now = now_ms();
	if (st->last_ms && now - st->last_ms < 10000) {
		st->suppressed++;
		return;
	}
	logger(PX_LOG_ALWAYS, LOG_WARNING,
	       "%s (%d) reached for %s: ignoring (not storing, not forwarding) what %s (%s) sends for it "
	       "beyond that "
	       "(%u more refused since the last message)",
	       var, cap, owner, from->name ? from->name : "<unknown>", from->hostname, st->suppressed);
	st->last_ms = now;
	st->suppressed = 0;
}

void forward_request(conn_t *from, const char *line) {
	if (settings.tunnelserver)
		return;
	conn_t *c, *tmp;
	conn_foreach_active(c, tmp) {
		if (c != from)
			conn_send(c, "%s", line);
	}
}

int vbroadcast_request(conn_t *except, const char *fmt, va_list ap) {
	char buf[MAX_LINE + 1];
	int len = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (len < 0 || len >= (int)sizeof(buf))
		return -1;
	/* Remember our own broadcasts so echoes are dropped. */
	seen_request(buf);
	int id = atoi(buf);
	char cap[16];
	snprintf(cap, sizeof(cap), "%d", id);
	bool ext = id >= PX_REQ_TINC_LAST;
	conn_t *c, *tmp;
	conn_foreach_active(c, tmp) {
		if (c == except)
			continue;
		if (ext && !conn_has_capability(c, cap))
			continue;
		conn_send(c, "%s", buf);
	}
	return 0;
}

int broadcast_request(conn_t *except, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int r = vbroadcast_request(except, fmt, ap);
	va_end(ap);
	return r;
}

int forward_to_node(node_t *to, const char *line) {
	if (!to->reachable || !to->nexthop || !to->nexthop->connection) {
		logger(PX_LOG_ERROR, LOG_WARNING, "Cannot send request to %s: unreachable", to->name);
		return -1;
	}
	conn_t *c = to->nexthop->connection;
	int id = atoi(line);
	if (id >= PX_REQ_CONTROL && id < PX_REQ_TINC_LAST && c->minor < PX_PROT_MINOR_SPTPS) {
		logger(PX_LOG_ERROR, LOG_INFO, "Not sending %s to %s: its protocol minor %d lacks it",
		       request_name(id), c->name, c->minor);
		return -1;
	}
	if (id >= PX_REQ_TINC_LAST) {
		char cap[16];
		snprintf(cap, sizeof(cap), "%d", id);
		if (!conn_has_capability(c, cap)) {
			logger(PX_LOG_ERROR, LOG_INFO, "Not sending %s to %s: %s does not know it",
			       request_name(id), to->name, c->name);
			return -1;
		}
	}
	return conn_send(c, "%s", line);
}

int vsend_to_node(node_t *to, const char *fmt, va_list ap) {
	char buf[MAX_LINE + 1];
	int len = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (len < 0 || len >= (int)sizeof(buf))
		return -1;
	return forward_to_node(to, buf);
}

int send_to_node(node_t *to, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int r = vsend_to_node(to, fmt, ap);
	va_end(ap);
	return r;
}

/* Capabilities: the extension request ids our plugins handle, appended to
 * ACK as "px:100,101" (tinc ignores fields after the third). */
const char *local_capabilities(void) {
	static char buf[512];
	size_t len = 0;
	buf[0] = 0;
	for (int id = PX_REQ_TINC_LAST; id <= PX_REQ_MAX; id++) {
		if (!request_for_id(id))
			continue;
		int n = snprintf(buf + len, sizeof(buf) - len, "%s%d", len ? "," : "px:", id);
		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			break;
		len += (size_t)n;
	}
	return buf;
}

void parse_capabilities(conn_t *c, const char *field) {
	if (strncmp(field, "px:", 3))
		return;
	char *copy = strdup(field + 3);
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (c->ncaps >= 64)
			break;
		char **caps = xrealloc(c->caps, sizeof(char *) * (size_t)(c->ncaps + 1));
		c->caps = caps;
		c->caps[c->ncaps++] = strdup(tok);
	}
	free(copy);
}
