/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* ADD_SUBNET / DEL_SUBNET: flooded announcements of who owns which subnet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "connection.h"
#include "logger.h"
#include "meta.h"
#include "node.h"
#include "node_scripts.h"
#include "protocol.h"
#include "settings.h"
#include "subnet.h"
#include "subnet_policy.h"

/* One spelling per subnet, so log-once keys cannot be dodged by rewriting it. */
static const char *subnet_canonical(const struct subnet *s, char buf[SUBNET_MAXSTR]) {
	subnet_format(s, buf, SUBNET_MAXSTR);
	return buf;
}

static int send_subnet_request(conn_t *c, int id, const struct subnet *s) {
	char str[SUBNET_MAXSTR];
	subnet_format(s, str, sizeof(str));
	uint32_t nonce = randombytes_random();
	if (!c)
		return broadcast_request(NULL, "%d %x %s %s", id, nonce, s->owner->name, str);
	return conn_send(c, "%d %x %s %s", id, nonce, s->owner->name, str);
}

int send_add_subnet(conn_t *c, const struct subnet *s) {
	return send_subnet_request(c, PX_REQ_ADD_SUBNET, s);
}

int send_del_subnet(conn_t *c, const struct subnet *s) {
	return send_subnet_request(c, PX_REQ_DEL_SUBNET, s);
}

/* Common parsing of both requests. Returns 1 to go on, 0 to stop quietly,
 * -1 for a protocol error. */
static int parse_subnet_request(conn_t *c, const char *line, const char *what, char *name, struct subnet *s) {
	char str[MAX_STRING_SIZE];
	if (sscanf(line, "%*d %*x " MAX_STRING " " MAX_STRING, name, str) != 2) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad %s from %s (%s)", what, c->name, c->hostname);
		return -1;
	}
	if (!check_node_name(name)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad %s from %s (%s): invalid name", what, c->name,
		       c->hostname);
		return -1;
	}
	memset(s, 0, sizeof(*s));
	if (!subnet_parse(str, s)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad %s from %s (%s): invalid subnet %s", what, c->name,
		       c->hostname, str);
		return -1;
	}
	if (seen_request(line))
		return 0;
	return 1;
}

int add_subnet_h(conn_t *c, const char *line) {
	char name[MAX_STRING_SIZE], str[SUBNET_MAXSTR];
	struct subnet s;
	int r = parse_subnet_request(c, line, "ADD_SUBNET", name, &s);
	if (r <= 0)
		return r;
	if (!tunnelserver_allows_subnet(c, name)) {
		logger(PX_LOG_PROTOCOL, LOG_WARNING, "Ignoring indirect ADD_SUBNET from %s (%s) for %s",
		       c->name, c->hostname, name);
		return 0;
	}
	node_t *owner = node_lookup(name);
	if (owner && subnet_find(owner, &s))
		return 0;
	if (owner == myself) {
		logger(PX_LOG_ERROR, LOG_WARNING, "Got ADD_SUBNET from %s (%s) for ourself", c->name,
		       c->hostname);
		s.owner = myself;
		send_del_subnet(c, &s);
		return 0;
	}
	/* Everything our host files allow is known already: the rest is not
	 * stored, not forwarded, and no node is created for it. */
	if (settings.strict_subnets) {
		subnet_policy_log_refusal(c, "ADD_SUBNET", name, subnet_canonical(&s, str),
		                          settings.tunnelserver ? "not in our host file for it (TunnelServer)"
		                                                : "not in our host files (StrictSubnets)");
		return 0;
	}
	if (!owner) {
		owner = node_new(name);
		node_add(owner);
	}
	if (settings.max_subnets_per_node && owner->nsubnets >= settings.max_subnets_per_node) {
		static struct cap_log cap_log;
		log_cap_hit(&cap_log, "MaxSubnetsPerNode", settings.max_subnets_per_node, owner->name, c);
		return 0;
	}
	struct subnet *ns = subnet_new();
	*ns = s;
	subnet_add(owner, ns);
	subnet_cache_flush();
	if (owner->reachable)
		run_subnet_script(owner, ns, true);
	forward_request(c, line);
	return 0;
}

int del_subnet_h(conn_t *c, const char *line) {
	char name[MAX_STRING_SIZE], str[SUBNET_MAXSTR];
	struct subnet s;
	int r = parse_subnet_request(c, line, "DEL_SUBNET", name, &s);
	if (r <= 0)
		return r;
	if (!tunnelserver_allows_subnet(c, name)) {
		logger(PX_LOG_PROTOCOL, LOG_WARNING, "Ignoring indirect DEL_SUBNET from %s (%s) for %s",
		       c->name, c->hostname, name);
		return 0;
	}
	node_t *owner = node_lookup(name);
	if (!owner) {
		logger(PX_LOG_ERROR, LOG_INFO, "Got DEL_SUBNET from %s (%s) for unknown node", c->name,
		       c->hostname);
		return 0;
	}
	struct subnet *found = subnet_find(owner, &s);
	if (!found)
		return 0;
	if (owner == myself) {
		logger(PX_LOG_ERROR, LOG_WARNING, "Got DEL_SUBNET from %s (%s) for ourself", c->name,
		       c->hostname);
		send_add_subnet(c, found);
		return 0;
	}
	/* Under StrictSubnets every subnet we hold comes from our host files:
	 * only editing them (and a reload) removes one. */
	if (settings.strict_subnets) {
		subnet_policy_log_refusal(c, "DEL_SUBNET", name, subnet_canonical(&s, str),
		                          "it is in our host files (StrictSubnets)");
		return 0;
	}
	forward_request(c, line);
	if (owner->reachable)
		run_subnet_script(owner, found, false);
	subnet_del(found);
	subnet_cache_flush();
	return 0;
}

/* Switch mode: the router learned or forgot one of our MAC addresses. */
void announce_subnet(struct subnet *s, bool add) {
	if (add) {
		send_add_subnet(NULL, s);
		run_subnet_script(myself, s, true);
	} else {
		send_del_subnet(NULL, s);
		run_subnet_script(myself, s, false);
	}
}

void forget_subnet(struct subnet *s) {
	announce_subnet(s, false);
	subnet_del(s);
	subnet_cache_flush();
}

void protocol_subnet_register(void) {
	protocol_register(PX_REQ_ADD_SUBNET, add_subnet_h, false);
	protocol_register(PX_REQ_DEL_SUBNET, del_subnet_h, false);
}
