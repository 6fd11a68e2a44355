/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The periodic connection check (pings, authentication timeouts), and the
 * control requests that act on the whole network: reload, purge,
 * disconnect. Outgoing connections are in outgoing.c, reactions to nodes
 * coming and going in reachability.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconnect.h"
#include "broadcast_subnets.h"
#include "conf.h"
#include "connection.h"
#include "edge.h"
#include "graph_dump.h"
#include "event.h"
#include "graph.h"
#include "logger.h"
#include "netutl.h"
#include "net.h"
#include "node.h"
#include "outgoing.h"
#include "pmtu.h"
#include "plugin_loader.h"
#include "privdrop.h"
#include "upnp.h"
#include "protocol.h"
#include "proxy.h"
#include "route.h"
#include "script.h"
#include "settings.h"
#include "subnet.h"
#include "subnet_policy.h"

static px_timer *check_timer;

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
	graph_dump_tick();
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
	topology_reset(); /* frees the graph's hold-down timer */
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
		list_for_each_entry(c, &connection_list, link) if (c->state != CONN_DEAD && c->node == n)
		    referenced = true;
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
	broadcast_subnets_read();
	script_settings_from_conf();
	if (udp_discovery_settings_read() < 0)
		logger(PX_LOG_ALWAYS, LOG_ERR, "UDPDiscovery settings not reloaded: bad value");
	if (relay_hint_settings_read() < 0)
		logger(PX_LOG_ALWAYS, LOG_ERR, "UDPInfoInterval/MTUInfoInterval not reloaded: bad value");
	udp_discovery_reconfigure();
	struct outgoing *o, *otmp;
	if (proxy_configure() < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Configuration not reloaded: bad Proxy value");
		return -1;
	}
	if (autoconnect_configure() < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Configuration not reloaded: bad AutoConnect value");
		return -1;
	}
	if (upnp_configure() < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Configuration not reloaded: bad UPnP value");
		return -1;
	}
	autoconnect_reload();
	upnp_apply();
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
