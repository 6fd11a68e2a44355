/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Outgoing connections with back-off, the periodic connection check
 * (pings, authentication timeouts), and what happens when nodes come and go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconnect.h"
#include "conf.h"
#include "edge.h"
#include "event.h"
#include "graph.h"
#include "logger.h"
#include "net.h"
#include "net_private.h"
#include "netutl.h"
#include "plugin_loader.h"
#include "privdrop.h"
#include "protocol.h"
#include "proxy.h"
#include "route.h"
#include "script.h"
#include "subnet.h"
#include "subnet_policy.h"

struct list_head outgoing_list = LIST_HEAD_INIT(outgoing_list);
static px_timer *check_timer;

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
		int got = addr_resolve(host, k == 2 ? port : dport, settings.addressfamily, false, o->addrs + o->naddrs,
		                       MAX_ADDRESSES - o->naddrs);
		if (got <= 0)
			logger(PX_LOG_CONNECTIONS, LOG_WARNING, "Could not resolve address %s of %s", host, o->name);
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
	logger(PX_LOG_CONNECTIONS, LOG_NOTICE, "Trying to re-establish outgoing connection to %s in %d seconds", o->name,
	       o->timeout);
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
			logger(PX_LOG_ALWAYS, LOG_ERR, "No usable Address known for %s (hosts/%s)", o->name, o->name);
			schedule_retry(o);
			return;
		}
	}
	const struct stream_provider *sp = stream_provider();
	if (!sp) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "No stream transport plugin loaded: cannot connect to %s", o->name);
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
	if (proxy_connect(c, sp, to) < 0) {
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
	o = calloc(1, sizeof(*o));
	if (!o)
		abort();
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

/* Once a second: ping, time out, age caches. */
static void check_connections(void *arg) {
	uint64_t now = now_ms();
	conn_t *c, *tmp;
	list_for_each_entry_safe(c, tmp, &connection_list, link) {
		if (c->state == CONN_DEAD)
			continue;
		if (c->state != CONN_ACTIVE) {
			if (now - c->start_ms > (uint64_t)settings.ping_timeout * 1000) {
				const char *why = "timeout during authentication";
				if (c->state == CONN_CONNECTING)
					why = "timeout while connecting";
				else if (c->proxy)
					why = "no answer from the proxy within PingTimeout";
				conn_terminate(c, why);
			}
			continue;
		}
		if (c->pinged) {
			if (now - c->last_ping_ms > (uint64_t)settings.ping_timeout * 1000)
				conn_terminate(c, "no PONG within PingTimeout");
			continue;
		}
		if (c->outbuf.len && now - c->last_flush_ms > (uint64_t)settings.ping_timeout * 1000 * 4) {
			conn_terminate(c, "peer does not read its meta connection");
			continue;
		}
		if (now - c->last_ping_ms >= (uint64_t)settings.ping_interval * 1000)
			send_ping(c);
	}
	static unsigned ticks;
	if (++ticks % 10 == 0) {
		seen_request_age();
		if (settings.mode == RMODE_SWITCH)
			route_age_macs();
	}
	timer_arm(check_timer, 1000);
}

void net_start_timers(void) {
	check_timer = timer_new(check_connections, NULL);
	timer_arm(check_timer, 1000);
	autoconnect_start();
}

void net_stop(void) {
	autoconnect_stop();
	struct outgoing *o, *otmp;
	list_for_each_entry_safe(o, otmp, &outgoing_list, link) outgoing_cancel(o);
	conn_t *c, *tmp;
	list_for_each_entry_safe(c, tmp, &connection_list, link) conn_terminate(c, "shutting down");
	if (check_timer) {
		timer_free(check_timer);
		check_timer = NULL;
	}
}

int net_disconnect(const char *name) {
	conn_t *c, *tmp;
	int found = -2;
	list_for_each_entry_safe(c, tmp, &connection_list, link) {
		if (c->state != CONN_DEAD && c->name && !strcmp(c->name, name)) {
			conn_terminate(c, "disconnected by control request");
			found = 0;
		}
	}
	return found;
}

void net_purge(void) {
	node_t *n, *tmp;
	list_for_each_entry_safe(n, tmp, &node_list, link) {
		if (n->reachable || n == myself)
			continue;
		struct edge *e, *etmp;
		list_for_each_entry_safe(e, etmp, &n->edges, from_link) {
			if (!settings.tunnelserver)
				send_del_edge(NULL, e);
			edge_del(e);
		}
		/* StrictSubnets: subnets from our host files stay (as in tinc). */
		struct subnet *s, *stmp;
		list_for_each_entry_safe(s, stmp, &n->subnets, owner_link) {
			send_del_subnet(NULL, s);
			if (!settings.strict_subnets)
				subnet_del(s);
		}
	}
	list_for_each_entry_safe(n, tmp, &node_list, link) {
		if (n->reachable || n == myself)
			continue;
		bool referenced = false;
		struct edge *e;
		list_for_each_entry(e, &edge_list, link) if (e->to == n) referenced = true;
		conn_t *c;
		list_for_each_entry(c, &connection_list, link) if (c->state != CONN_DEAD && c->node == n) referenced = true;
		if (settings.strict_subnets && !list_empty(&n->subnets))
			referenced = true;
		if (!referenced && !n->connection)
			node_del(n);
	}
	subnet_cache_flush();
}

/* After -U the files are read as that user, a common reason for a reload
 * that worked as root to fail: say so in the error line. */
static const char *reload_hint(void) {
	static char hint[256];
	if (!privdrop_active())
		return "";
	if (privdrop_user())
		snprintf(hint, sizeof(hint),
		         " (running as user %s: the configuration must be readable by it%s)", privdrop_user(),
		         *confbase ? "" : " inside the chroot");
	else
		snprintf(hint, sizeof(hint), " (chrooted: paths are inside the configuration directory)");
	return hint;
}

/* Re-read host files and ConnectTo; drop outgoing connections no longer
 * wanted. tinc does the same on SIGHUP. */
int net_reload(void) {
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "Reloading configuration");
	host_conf_flush();
	/* Check the files first so a broken edit leaves the running config alone. */
	struct conf fresh;
	conf_init(&fresh);
	if (conf_read_file(&fresh, main_conf_path, true) < 0) {
		conf_free(&fresh);
		logger(PX_LOG_ALWAYS, LOG_ERR, "Configuration not reloaded: errors in %s%s", main_conf_path,
		       reload_hint());
		return -1;
	}
	conf_free(&fresh);
	if (read_server_config() < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Configuration not reloaded%s", reload_hint());
		return -1;
	}
	strict_subnets_sync();
	script_settings_from_conf();
	struct outgoing *o, *otmp;
	if (proxy_configure() < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Configuration not reloaded: bad Proxy value");
		return -1;
	}
	if (autoconnect_configure() < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Configuration not reloaded: bad AutoConnect value");
		return -1;
	}
	autoconnect_reload();
	list_for_each_entry_safe(o, otmp, &outgoing_list, link) {
		/* AutoConnect's own stay while it is on; turned off, they go. */
		bool wanted = !o->from_connectto && autoconnect_on();
		for (int i = 0;; i++) {
			const char *name = conf_get(&server_conf, "ConnectTo", i);
			if (!name)
				break;
			if (!strcmp(name, o->name))
				wanted = true;
		}
		if (!wanted)
			outgoing_cancel(o);
	}
	for (int i = 0;; i++) {
		const char *name = conf_get(&server_conf, "ConnectTo", i);
		if (!name)
			break;
		setup_outgoing(name);
	}
	/* Peers whose host file disappeared lose their connection. */
	conn_t *c, *tmp;
	list_for_each_entry_safe(c, tmp, &connection_list, link) {
		if (c->state != CONN_DEAD && c->name && !host_conf(c->name))
			conn_terminate(c, "host file removed");
	}
	net_retry();
	plugins_notify_reload();
	return 0;
}

/* Scripts. */
static void addr_env(node_t *n, char *addr, size_t alen, char *port, size_t plen) {
	if (n->has_udp_addr) {
		char h[64], p[16];
		addr_format(&n->udp_addr, h, sizeof(h), p, sizeof(p));
		snprintf(addr, alen, "REMOTEADDRESS=%s", h);
		snprintf(port, plen, "REMOTEPORT=%s", p);
	} else {
		snprintf(addr, alen, "REMOTEADDRESS=");
		snprintf(port, plen, "REMOTEPORT=");
	}
}

void run_host_script(node_t *n, bool up) {
	char node[300], addr[100], port[40];
	snprintf(node, sizeof(node), "NODE=%s", n->name);
	addr_env(n, addr, sizeof(addr), port, sizeof(port));
	char *env[] = {node, addr, port, NULL};
	script_run(up ? "host-up" : "host-down", env);
	char name[300];
	snprintf(name, sizeof(name), "hosts/%s-%s", n->name, up ? "up" : "down");
	script_run(name, env);
}

void run_subnet_script(node_t *owner, const struct subnet *s, bool up) {
	char node[300], addr[100], port[40], sub[100], weight[40];
	char str[SUBNET_MAXSTR];
	subnet_format(s, str, sizeof(str));
	char *hash = strchr(str, '#');
	if (hash)
		*hash = 0;
	snprintf(node, sizeof(node), "NODE=%s", owner->name);
	snprintf(sub, sizeof(sub), "SUBNET=%s", str);
	snprintf(weight, sizeof(weight), "WEIGHT=%d", s->weight);
	char *env[6] = {node, sub, weight, NULL, NULL, NULL};
	if (owner != myself) {
		addr_env(owner, addr, sizeof(addr), port, sizeof(port));
		env[3] = addr;
		env[4] = port;
	}
	script_run(up ? "subnet-up" : "subnet-down", env);
}

/* Called by graph_run() for every node whose reachability changed. */
void graph_node_changed(node_t *n, bool up) {
	if (n == myself)
		return;
	subnet_cache_flush();
	if (up) {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "Node %s (%s) became reachable", n->name,
		       n->has_udp_addr ? addr_str(&n->udp_addr) : "unknown address");
		n->validkey = false;
		n->waitingforkey = false;
		n->minmtu = 0;
		n->maxmtu = n->mtu = PX_MTU;
		n->mtuprobes = 0;
		n->udp_confirmed = false;
		n->crypto = NULL;
		if (node_choose_crypto(n) && n->crypto->ops->node_up)
			n->crypto->ops->node_up(n->crypto->plugin, n);
		run_host_script(n, true);
		plugins_notify_node(n, true);
		struct subnet *s;
		list_for_each_entry(s, &n->subnets, owner_link) run_subnet_script(n, s, true);
	} else {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "Node %s became unreachable", n->name);
		mtu_probe_stop(n);
		if (n->crypto && n->crypto->ops->node_down)
			n->crypto->ops->node_down(n->crypto->plugin, n);
		n->validkey = false;
		n->waitingforkey = false;
		run_host_script(n, false);
		plugins_notify_node(n, false);
		struct subnet *s;
		list_for_each_entry(s, &n->subnets, owner_link) run_subnet_script(n, s, false);
	}
}
