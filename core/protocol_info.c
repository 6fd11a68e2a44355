/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * UDP_INFO and MTU_INFO, tinc 1.1's hints along relay paths (protocol minors
 * 5 and 6). A node that gets SPTPS packets which did not come straight from
 * their originator (relayed by UDP, or by TCP) and that is their destination
 * or the originator's static relay sends, towards the originator, what it
 * knows: the originator's UDP address as it sees it (UDP_INFO) and the path
 * MTU for packets from it (MTU_INFO). Each node on the way takes what helps
 * it (an address to try, a provisional MTU), puts in its own knowledge and
 * passes the hint on towards the originator's static relay. Both requests
 * are routed, never flooded, and only go to a next hop whose protocol minor
 * says it knows them, so tinc 1.0 peers never see them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "edge.h"
#include "event.h"
#include "logger.h"
#include "meta.h"
#include "netutl.h"
#include "pmtu.h"
#include "protocol.h"
#include "protocol_info.h"
#include "settings.h"

#define UDP_INFO_MINOR 5
#define MTU_INFO_MINOR 6

/* Originated hints: at most one per interval and destination. */
static bool pace(uint64_t *last_ms, int interval) {
	uint64_t now = now_ms();
	return !*last_ms || now - *last_ms >= (uint64_t)interval * 1000;
}

/* The meta connection a hint towards `to` leaves on, if its next hop knows
 * the request (minor). NULL also when that is where the hint came from: the
 * two graphs disagree for now, and sending it back could only loop. */
static conn_t *hint_conn(const node_t *to, int minor, const conn_t *came_from) {
	const node_t *hop = to->nexthop;
	if (!hop || !hop->connection || hop->connection->state != CONN_ACTIVE ||
	    (int)PX_OPTION_VERSION(hop->options) < minor)
		return NULL;
	if (hop->connection == came_from) {
		logger(PX_LOG_PROTOCOL, LOG_DEBUG, "Not sending a hint about %s back to %s", to->name,
		       hop->name);
		return NULL;
	}
	return hop->connection;
}

static bool relay_udp_info(node_t *from, node_t *to, const conn_t *came_from) {
	if (!to->reachable)
		return false;
	/* Past a static relay the hint helps nobody: it ends there. */
	node_t *target = to->via == myself ? to->nexthop : to->via;
	if (!target) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "No relay towards %s for a UDP_INFO about %s (a UDP_INFO with a false origin?)",
		       to->name, from->name);
		return false;
	}
	if (target == myself || !target->reachable)
		return false;
	if (from == myself &&
	    (target->connection || !pace(&target->udp_info_sent_ms, settings.udp_info_interval)))
		return false;
	if (settings.tcponly || ((from->options | target->options) & PX_OPTION_TCPONLY))
		return false;
	conn_t *c = hint_conn(target, UDP_INFO_MINOR, came_from);
	if (!c)
		return false;

	/* The first hop ignores the originator's own idea of its address (it
	 * has a meta connection to it); tinc 1.1 puts in its local address. */
	char host[64] = "unspec", port[16] = "unspec";
	if (from != myself) {
		if (!from->has_udp_addr)
			return false;
		addr_format(&from->udp_addr, host, sizeof(host), port, sizeof(port));
	} else if (c->edge && c->edge->local_host && c->edge->local_port) {
		snprintf(host, sizeof(host), "%s", c->edge->local_host);
		snprintf(port, sizeof(port), "%s", c->edge->local_port);
	}
	if (from == myself)
		target->udp_info_sent_ms = now_ms();
	logger(PX_LOG_PROTOCOL, LOG_DEBUG, "Sending UDP_INFO about %s (%s port %s) towards %s via %s",
	       from->name, host, port, target->name, c->name);
	return conn_send(c, "%d %s %s %s %s", PX_REQ_UDP_INFO, from->name, target->name, host, port) >= 0;
}

bool send_udp_info(node_t *from, node_t *to) {
	return relay_udp_info(from, to, NULL);
}

/* A finished measurement: the MTU is known, not just bounded. */
static bool measured(const node_t *n) {
	return n && n->minmtu > 0 && n->minmtu == n->maxmtu;
}

static bool relay_mtu_info(node_t *from, node_t *to, int mtu, const conn_t *came_from) {
	if (to == myself || !to->reachable)
		return false;
	if (from == myself && (to->connection || !pace(&to->mtu_info_sent_ms, settings.mtu_info_interval)))
		return false;
	conn_t *c = hint_conn(to, MTU_INFO_MINOR, came_from);
	if (!c)
		return false;

	/* Our own knowledge beats what we were told: a measurement of our own
	 * if we are from's static relay (packets from it surely pass us), else
	 * the path through its relay cannot take more than that relay takes. */
	node_t *via = from->via == myself ? from->nexthop : from->via;
	if (from != myself && from->via == myself && measured(from))
		mtu = from->minmtu;
	else if (measured(via))
		mtu = mtu < via->minmtu ? mtu : via->minmtu;
	else if (via && measured(via->nexthop))
		mtu = mtu < via->nexthop->minmtu ? mtu : via->nexthop->minmtu;

	if (from == myself)
		to->mtu_info_sent_ms = now_ms();
	logger(PX_LOG_PROTOCOL, LOG_DEBUG, "Sending MTU_INFO about %s (%d) towards %s via %s", from->name,
	       mtu, to->name, c->name);
	return conn_send(c, "%d %s %s %d", PX_REQ_MTU_INFO, from->name, to->name, mtu) >= 0;
}

bool send_mtu_info(node_t *from, node_t *to, int mtu) {
	return relay_mtu_info(from, to, mtu, NULL);
}

void relay_hint_udp_info(node_t *origin) {
	send_udp_info(myself, origin);
}

void relay_hint_mtu_info(node_t *hop) {
	send_mtu_info(myself, hop, PX_MTU);
}

/* The two names every hint starts with. Bad input is logged and the
 * request dropped; the connection stays up (tinc 1.1 would close it). */
static bool parse_names(conn_t *c, const char *what, const char *from_name, const char *to_name,
                        node_t **from, node_t **to) {
	if (!check_node_name(from_name) || !check_node_name(to_name)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad %s from %s (%s): invalid name: dropped", what, c->name,
		       c->hostname);
		return false;
	}
	*from = node_lookup(from_name);
	*to = node_lookup(to_name);
	if (!*from || !*to) {
		logger(PX_LOG_ERROR, LOG_WARNING, "Got %s from %s (%s) %s %s which does not exist: dropped",
		       what, c->name, c->hostname, *from ? "destination" : "origin",
		       *from ? to_name : from_name);
		return false;
	}
	if (*from == myself) {
		logger(PX_LOG_ERROR, LOG_WARNING, "Got %s from %s (%s) about ourselves: dropped", what,
		       c->name, c->hostname);
		return false;
	}
	return true;
}

static int udp_info_h(conn_t *c, const char *line) {
	char from_name[MAX_STRING_SIZE], to_name[MAX_STRING_SIZE], host[MAX_STRING_SIZE],
	    port[MAX_STRING_SIZE];
	if (sscanf(line, "%*d " MAX_STRING " " MAX_STRING " " MAX_STRING " " MAX_STRING, from_name, to_name,
	           host, port) != 4) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad UDP_INFO from %s (%s): dropped", c->name, c->hostname);
		return 0;
	}
	node_t *from, *to;
	if (!parse_names(c, "UDP_INFO", from_name, to_name, &from, &to))
		return 0;
	if (from != from->via) {
		/* It passed a static relay of from's, where it should have ended. */
		logger(PX_LOG_PROTOCOL, LOG_WARNING,
		       "Got UDP_INFO from %s (%s) about %s, which we cannot reach directly: dropped", c->name,
		       c->hostname, from->name);
		return 0;
	}

	/* With a meta connection to from, or UDP with it confirmed, we know
	 * its address better than any hint. */
	if (!from->connection && !from->udp_confirmed) {
		struct px_addr a;
		if (addr_parse(host, port, &a) < 0) {
			logger(PX_LOG_PROTOCOL, LOG_DEBUG,
			       "UDP_INFO from %s (%s) gives no usable address for %s (%s port %s)", c->name,
			       c->hostname, from->name, host, port);
		} else {
			addr_unmap(&a);
			if (!from->has_udp_addr || !addr_equal(&a, &from->udp_addr)) {
				logger(PX_LOG_PROTOCOL, LOG_INFO,
				       "UDP address of %s set to %s (UDP_INFO from %s)", from->name,
				       addr_str(&a), c->name);
				node_set_udp(from, &a);
				/* What we knew of UDP with it was about the old address. */
				from->minmtu = 0;
				from->maxmtu = PX_MTU;
				mtu_probe_restart(from);
			}
		}
	}
	relay_udp_info(from, to, c);
	return 0;
}

static int mtu_info_h(conn_t *c, const char *line) {
	char from_name[MAX_STRING_SIZE], to_name[MAX_STRING_SIZE], mtu_text[MAX_STRING_SIZE];
	if (sscanf(line, "%*d " MAX_STRING " " MAX_STRING " " MAX_STRING, from_name, to_name, mtu_text) !=
	    3) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad MTU_INFO from %s (%s): dropped", c->name, c->hostname);
		return 0;
	}
	char *end;
	errno = 0;
	long mtu = strtol(mtu_text, &end, 10);
	if (end == mtu_text || *end || errno || mtu < PX_MINMTU || mtu > 0x7fffffff) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad MTU_INFO from %s (%s): invalid MTU %s: dropped",
		       c->name, c->hostname, mtu_text);
		return 0;
	}
	if (mtu > PX_MTU)
		mtu = PX_MTU;
	node_t *from, *to;
	if (!parse_names(c, "MTU_INFO", from_name, to_name, &from, &to))
		return 0;

	/* Until we measured it ourselves, the hint beats the default. */
	if (from->mtu != mtu && from->minmtu != from->maxmtu) {
		logger(PX_LOG_PROTOCOL, LOG_INFO, "Using provisional MTU %ld for node %s (MTU_INFO from %s)",
		       mtu, from->name, c->name);
		from->mtu = (int)mtu;
	}
	relay_mtu_info(from, to, (int)mtu, c);
	return 0;
}

void protocol_info_register(void) {
	/* Both look at reachability and next hops. */
	protocol_register(PX_REQ_UDP_INFO, udp_info_h, true);
	protocol_register(PX_REQ_MTU_INFO, mtu_info_h, true);
}
