/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * KEY_CHANGED, REQ_KEY and ANS_KEY: the core routes them; the crypto
 * plugin in charge of the node they concern interprets them. A key request
 * for or from a node we do not know is logged and ignored: the neighbour
 * that forwarded it did nothing wrong, so its connection stays up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "connection.h"
#include "logger.h"
#include "meta.h"
#include "net_packet.h"
#include "netutl.h"
#include "node.h"
#include "plugin_loader.h"
#include "protocol.h"
#include "protocol_info.h"
#include "settings.h"

int key_changed_h(conn_t *c, const char *line) {
	char name[MAX_STRING_SIZE];
	if (sscanf(line, "%*d %*x " MAX_STRING, name) != 1 || !check_node_name(name)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad KEY_CHANGED from %s (%s)", c->name, c->hostname);
		return -1;
	}
	if (seen_request(line))
		return 0;
	node_t *n = node_lookup(name);
	if (!n) {
		logger(PX_LOG_ERROR, LOG_INFO, "Got KEY_CHANGED from %s (%s) for unknown node %s", c->name,
		       c->hostname, name);
		return 0;
	}
	if (n->crypto && n->crypto->ops->key_on_changed)
		n->crypto->ops->key_on_changed(n->crypto->plugin, n);
	forward_request(c, line);
	return 0;
}

/* Both key requests start "<id> <from> <to>". */
static int parse_key_route(conn_t *c, const char *line, const char *what, node_t **from, node_t **to) {
	char from_name[MAX_STRING_SIZE], to_name[MAX_STRING_SIZE];
	if (sscanf(line, "%*d " MAX_STRING " " MAX_STRING, from_name, to_name) != 2) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad %s from %s (%s)", what, c->name, c->hostname);
		return -1;
	}
	if (!check_node_name(from_name) || !check_node_name(to_name)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad %s from %s (%s): invalid name", what, c->name,
		       c->hostname);
		return -1;
	}
	*from = node_lookup(from_name);
	*to = node_lookup(to_name);
	if (!*from) {
		logger(PX_LOG_ERROR, LOG_WARNING,
		       "Got %s from %s (%s) origin %s which does not exist: ignored", what, c->name,
		       c->hostname, from_name);
		return 0;
	}
	if (!*to) {
		logger(PX_LOG_ERROR, LOG_WARNING,
		       "Got %s from %s (%s) destination %s which does not exist: ignored", what, c->name,
		       c->hostname, to_name);
		return 0;
	}
	return 1;
}

/* tinc 1.1's REQ_KEY envelope: a key exchange start (REQ_KEY) or an SPTPS
 * record (SPTPS_PACKET) carried over TCP. Where we are its destination or
 * the origin's static relay, the origin's side learns from us where it is
 * (UDP_INFO), so that it may try UDP. Returns the sub-type, 0 if none. */
static int envelope_hint(const char *line, node_t *from, node_t *to) {
	int reqno = 0;
	if (!settings.experimental_protocol || sscanf(line, "%*d %*s %*s %d", &reqno) != 1)
		return 0;
	if ((reqno == PX_REQ_REQ_KEY || reqno == PX_REQ_SPTPS_PACKET) && to->via == myself)
		send_udp_info(myself, from);
	return reqno;
}

/* An SPTPS exchange with `from` took a record over TCP: tell its side the
 * path MTU (MTU_INFO). tinc 1.1 does so once it decoded the record; here
 * the crypto plugin decodes it and the hint goes out either way (paced). */
static void sptps_mtu_hint(node_t *from) {
	if (from->crypto && (from->crypto->ops->flags & PX_CRYPTO_END_TO_END))
		send_mtu_info(myself, from, PX_MTU);
}

int req_key_h(conn_t *c, const char *line) {
	node_t *from, *to;
	int r = parse_key_route(c, line, "REQ_KEY", &from, &to);
	if (r <= 0)
		return r;
	if (to == myself) {
		if (!from->reachable) {
			logger(PX_LOG_ERROR, LOG_WARNING,
			       "Got REQ_KEY from %s (%s) for unreachable origin %s: ignored", c->name,
			       c->hostname, from->name);
			return 0;
		}
		int reqno = envelope_hint(line, from, to);
		if (!from->crypto && !node_choose_crypto(from))
			return 0;
		if (from->crypto->ops->key_on_req)
			from->crypto->ops->key_on_req(from->crypto->plugin, from, line);
		if (reqno == PX_REQ_REQ_KEY || reqno == PX_REQ_SPTPS_PACKET)
			sptps_mtu_hint(from);
		return 0;
	}
	if (settings.tunnelserver)
		return 0;
	if (!to->reachable) {
		logger(PX_LOG_ERROR, LOG_WARNING,
		       "Got REQ_KEY from %s (%s) destination %s which is not reachable", c->name, c->hostname,
		       to->name);
		return 0;
	}
	if (from->reachable)
		envelope_hint(line, from, to);
	forward_to_node(to, line);
	return 0;
}

/* Count whitespace-separated fields. */
static int field_count(const char *line) {
	int n = 0;
	bool in = false;
	for (; *line; line++) {
		if (*line == ' ' || *line == '\t') {
			in = false;
		} else if (!in) {
			in = true;
			n++;
		}
	}
	return n;
}

int ans_key_h(conn_t *c, const char *line) {
	node_t *from, *to;
	int r = parse_key_route(c, line, "ANS_KEY", &from, &to);
	if (r <= 0)
		return r;
	if (to != myself) {
		if (settings.tunnelserver)
			return 0;
		if (!to->reachable) {
			logger(PX_LOG_ERROR, LOG_WARNING,
			       "Got ANS_KEY from %s (%s) destination %s which is not reachable", c->name,
			       c->hostname, to->name);
			return 0;
		}
		/* Append the reflexive UDP address of the key's owner, which its
		 * peer may not know (NAT traversal), when we have working UDP
		 * with the destination. */
		if (field_count(line) == 8 && from->has_seen_addr && to->minmtu > 0) {
			char host[64], port[16], buf[MAX_LINE + 64];
			addr_format(&from->seen_addr, host, sizeof(host), port, sizeof(port));
			if (snprintf(buf, sizeof(buf), "%s %s %s", line, host, port) < (int)sizeof(buf))
				return forward_to_node(to, buf), 0;
		}
		forward_to_node(to, line);
		return 0;
	}
	if (!from->crypto && !node_choose_crypto(from))
		return 0;
	if (from->crypto->ops->key_on_ans)
		from->crypto->ops->key_on_ans(from->crypto->plugin, from, line);
	if (from->reachable)
		sptps_mtu_hint(from);
	return 0;
}

void protocol_key_register(void) {
	protocol_register(PX_REQ_KEY_CHANGED, key_changed_h, true);
	protocol_register(PX_REQ_REQ_KEY, req_key_h, true);
	protocol_register(PX_REQ_ANS_KEY, ans_key_h, true);
}
