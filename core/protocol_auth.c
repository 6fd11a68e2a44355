/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * ID and ACK: the parts of connection set-up that the core does itself.
 * Everything between them (METAKEY/CHALLENGE/CHAL_REPLY, or SPTPS) belongs
 * to the crypto plugin chosen from the peer's protocol minor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "conf.h"
#include "connection.h"
#include "edge.h"
#include "event.h"
#include "graph.h"
#include "invitation.h"
#include "logger.h"
#include "meta.h"
#include "netutl.h"
#include "node.h"
#include "plugin_loader.h"
#include "pmtu.h"
#include "protocol.h"
#include "settings.h"
#include "sptps_tcp.h"

/* The highest protocol minor any loaded crypto plugin serves. */
static int local_minor(void) {
	int best = 0;
	for (int i = 0; i < crypto_provider_count(); i++) {
		const struct crypto_provider *p = crypto_provider_at(i);
		if (!settings.experimental_protocol)
			break;
		if (p->ops->minor_max > best && p->ops->minor_min >= PX_PROT_MINOR_SPTPS)
			best = p->ops->minor_max;
	}
	return best;
}

/* On an outgoing connection, announce a minor only if its protocol can be
 * used with this peer (SPTPS: we know its key); otherwise both sides settle
 * on a lower one instead of starting protocols that do not match. */
static int announced_minor(conn_t *c) {
	int minor = local_minor();
	if (!minor || !c->is_outgoing || !c->node)
		return minor;
	/* The highest minor whose protocol works with this peer: a protocol
	 * above SPTPS that is not configured for it yields to the next one. */
	for (int m = minor; m >= PX_PROT_MINOR_SPTPS; m--) {
		const struct crypto_provider *p = crypto_for_minor(m);
		if (p && (!p->ops->usable || p->ops->usable(p->plugin, c->node)))
			return m;
	}
	return 0;
}

int send_id(conn_t *c) {
	if (c->is_outgoing && !c->node && c->name) {
		c->node = node_lookup(c->name);
		if (!c->node) {
			c->node = node_new(c->name);
			node_add(c->node);
		}
	}
	int minor = announced_minor(c);
	if (minor)
		return conn_send(c, "%d %s %d.%d", PX_REQ_ID, myself->name, PX_PROT_MAJOR, minor);
	return conn_send(c, "%d %s %d", PX_REQ_ID, myself->name, PX_PROT_MAJOR);
}

/* Pick the crypto protocol for this connection: the highest minor both
 * sides support whose plugin can work with this peer (keys present). */
static const struct crypto_provider *choose_crypto(conn_t *c) {
	int want = c->minor;
	if (want > local_minor())
		want = local_minor();
	for (int m = want; m >= 0; m--) {
		const struct crypto_provider *p = crypto_for_minor(m);
		if (p && (!p->ops->usable || p->ops->usable(p->plugin, c->node)))
			return p;
	}
	return NULL;
}

int id_h(conn_t *c, const char *line) {
	char name[MAX_STRING_SIZE], version[MAX_STRING_SIZE];
	if (sscanf(line, "%*d " MAX_STRING " " MAX_STRING, name, version) != 2) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad ID from %s", c->hostname);
		return -1;
	}
	if (name[0] == '?')
		return invitation_start(c, name + 1);
	if (name[0] == '^') {
		logger(PX_LOG_ERROR, LOG_ERR, "Got control ID from %s on the meta port: not supported",
		       c->hostname);
		return -1;
	}
	if (!check_node_name(name)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad ID from %s: invalid name", c->hostname);
		return -1;
	}
	if (!strcmp(name, myself->name)) {
		logger(PX_LOG_ERROR, LOG_ERR, "Peer %s uses our own name %s", c->hostname, name);
		return -1;
	}
	if (c->is_outgoing) {
		if (strcmp(c->name, name)) {
			logger(PX_LOG_ERROR, LOG_ERR, "Peer %s is %s instead of %s", c->hostname, name,
			       c->name);
			return -1;
		}
	} else {
		if (!host_conf(name)) {
			logger(PX_LOG_ERROR, LOG_ERR, "Peer %s had unknown identity (%s)", c->hostname, name);
			return -1;
		}
		free(c->name);
		c->name = strdup(name);
	}
	int major = 0, minor = 0;
	if (sscanf(version, "%d.%d", &major, &minor) < 1 || major != PX_PROT_MAJOR || minor < 0) {
		logger(PX_LOG_ERROR, LOG_ERR, "Peer %s (%s) uses incompatible version %s", c->name,
		       c->hostname, version);
		return -1;
	}
	c->minor = minor;
	/* The handshake costs private-key and key-agreement work: strangers get
	 * a bounded rate of it, whatever MaxConnectionBurst lets in. */
	if (!c->is_outgoing && !admission_handshake(c->hostname, now_ms()))
		return -1;
	/* Only names with a host file get here, so creating the node is safe;
	 * crypto plugins need it to find the peer's keys. */
	c->node = node_lookup(c->name);
	if (!c->node) {
		c->node = node_new(c->name);
		node_add(c->node);
	}

	if (!c->is_outgoing && send_id(c) < 0)
		return -1;

	c->crypto = choose_crypto(c);
	if (!c->crypto) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "No crypto plugin can authenticate %s (%s) with protocol %s (is crypto-legacy loaded, "
		       "and are "
		       "the keys present?)",
		       c->name, c->hostname, version);
		return -1;
	}
	/* The peer's minor only counts up to what the chosen protocol speaks. */
	if (c->minor > c->crypto->ops->minor_max)
		c->minor = c->crypto->ops->minor_max;
	c->state = CONN_AUTH;
	if (c->crypto->ops->meta_start(c->crypto->plugin, c, &c->auth_state) < 0) {
		logger(PX_LOG_ERROR, LOG_ERR, "Could not start authentication with %s (%s)", c->name,
		       c->hostname);
		return -1;
	}
	return 0;
}

void conn_auth_done(conn_t *c) {
	if (c->state != CONN_AUTH)
		return;
	if (c->crypto->ops->meta_free && c->auth_state)
		c->crypto->ops->meta_free(c->crypto->plugin, c->auth_state);
	c->auth_state = NULL;
	c->state = CONN_ACK;
	send_ack(c);
}

/* Options we announce for this peer: ours, overridden by its host file. */
static uint32_t connection_options(conn_t *c) {
	const struct conf *hc = host_conf(c->name);
	uint32_t opt = 0;
	bool b;
	if (settings.indirectdata || (hc && conf_get_bool(hc, "IndirectData", &b) > 0 && b))
		opt |= PX_OPTION_INDIRECT;
	if (settings.tcponly || (hc && conf_get_bool(hc, "TCPOnly", &b) > 0 && b))
		opt |= PX_OPTION_TCPONLY | PX_OPTION_INDIRECT;
	bool pmtu = settings.pmtu_discovery;
	if (hc && conf_get_bool(hc, "PMTUDiscovery", &b) > 0)
		pmtu = b;
	if (pmtu && !(opt & PX_OPTION_TCPONLY))
		opt |= PX_OPTION_PMTU_DISCOVERY;
	bool clamp = settings.clamp_mss;
	if (hc && conf_get_bool(hc, "ClampMSS", &b) > 0)
		clamp = b;
	if (clamp)
		opt |= PX_OPTION_CLAMP_MSS;
	opt |= (uint32_t)sptps_tcp_ack_minor(c, local_minor()) << 24;
	return opt;
}

int send_ack(conn_t *c) {
	const struct conf *hc = host_conf(c->name);
	int weight;
	if (!hc || conf_get_int(hc, "Weight", &weight) <= 0)
		weight = (int)(now_ms() - c->start_ms);
	c->estimated_weight = weight;
	c->options = connection_options(c);
	const char *caps = local_capabilities();
	if (*caps)
		return conn_send(c, "%d %s %d %x %s", PX_REQ_ACK, settings.port, weight, c->options, caps);
	return conn_send(c, "%d %s %d %x", PX_REQ_ACK, settings.port, weight, c->options);
}

int ack_h(conn_t *c, const char *line) {
	char hisport[MAX_STRING_SIZE], caps[MAX_STRING_SIZE];
	int weight;
	unsigned int options;
	caps[0] = 0;
	int n = sscanf(line, "%*d " MAX_STRING " %d %x " MAX_STRING, hisport, &weight, &options, caps);
	if (n < 3) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad ACK from %s (%s)", c->name, c->hostname);
		return -1;
	}
	if (n == 4)
		parse_capabilities(c, caps);

	node_t *n_ = node_lookup(c->name);
	if (!n_) {
		n_ = node_new(c->name);
		node_add(n_);
	} else if (n_->connection && n_->connection != c) {
		logger(PX_LOG_CONNECTIONS, LOG_NOTICE,
		       "Established a second connection with %s (%s), closing old connection", n_->name,
		       n_->connection->hostname);
		conn_t *old = n_->connection;
		n_->connection = NULL;
		conn_terminate(old, "replaced by a new connection");
		if (c->state == CONN_DEAD)
			return -1;
	}
	n_->connection = c;
	c->node = n_;
	if (!(c->options & options & PX_OPTION_PMTU_DISCOVERY)) {
		c->options &= ~PX_OPTION_PMTU_DISCOVERY;
		options &= ~PX_OPTION_PMTU_DISCOVERY;
	}
	/* The protocol minor in the top byte is the peer's own: OR-ing ours
	 * in would make it look SPTPS-capable when it turned SPTPS off. */
	c->options = (c->options & 0x00ffffffu) | (options & 0xff000000u);
	c->options |= options & 0x00ffffffu;
	/* PMTU is where the path MTU starts, not a cap on discovery (tinc) */
	int pmtu = pmtu_initial(n_);
	if (pmtu < n_->mtu)
		n_->mtu = pmtu;

	c->state = CONN_ACTIVE;
	c->last_ping_ms = now_ms();
	logger(PX_LOG_CONNECTIONS, LOG_NOTICE, "Connection with %s (%s) activated", c->name, c->hostname);
	conn_reset_backoff(c);

	send_everything(c);
	/* Sending can fail and close the connection (write error). */
	if (c->state == CONN_DEAD)
		return -1;

	struct edge *stale = edge_lookup(myself, n_);
	if (stale) {
		send_del_edge(settings.tunnelserver ? c : NULL, stale);
		edge_del(stale);
	}
	struct edge *e = edge_new();
	e->from = myself;
	e->to = n_;
	struct px_addr a = c->address;
	char host[64], port[16];
	addr_format(&a, host, sizeof(host), port, sizeof(port));
	edge_set_address(e, host, hisport);
	e->weight = (int)(((long long)weight + c->estimated_weight) / 2);
	struct px_addr local;
	if (c->stream && c->tp->ops->local_addr &&
	    c->tp->ops->local_addr(c->tp->plugin, c->stream, &local) == 0) {
		char lhost[64], lport[16];
		addr_unmap(&local);
		addr_format(&local, lhost, sizeof(lhost), lport, sizeof(lport));
		edge_set_local(e, lhost, settings.port);
	}
	e->options = c->options;
	e->connection = c;
	edge_add(e);
	c->edge = e;
	/* A tunnel server tells each peer only of its own edge with us. */
	send_add_edge(settings.tunnelserver ? c : NULL, e);
	graph_run();
	if (c->state == CONN_ACTIVE)
		plugins_notify_conn(c, true);
	return 0;
}

void protocol_auth_register(void) {
	protocol_register(PX_REQ_ID, id_h, true);
	protocol_register(PX_REQ_ACK, ack_h, true);
}
