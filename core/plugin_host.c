/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The host table: the one door from a plugin into the core. Each entry is a
 * thin wrapper over a core service; where the core's function already has
 * the exact signature the table points at it directly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "connection.h"
#include "event.h"
#include "logger.h"
#include "meta.h"
#include "net.h"
#include "net_packet.h"
#include "netutl.h"
#include "node.h"
#include "plugin_host.h"
#include "plugin_loader.h"
#include "protocol.h"
#include "settings.h"
#include "sptps_tcp.h"

/* Registries, defined in plugin_loader.c (not part of its public header). */

/* ---- logging -------------------------------------------------------- */

/* Plugins have no priority argument: level 0 is what an operator must see,
 * higher levels are progressively chattier. */
static int level_priority(int level) {
	if (level <= PX_LOG_ALWAYS) {
		return LOG_NOTICE;
	}
	if (level <= PX_LOG_ERROR) {
		return LOG_INFO;
	}
	return LOG_DEBUG;
}

static void host_log(px_plugin *self, int level, const char *fmt, ...) PX_PRINTF(3, 4);
static void host_log(px_plugin *self, int level, const char *fmt, ...) {
	if (level > logger_max_level()) {
		return;
	}
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logger(level, level_priority(level), "[%s] %s", self && self->name ? self->name : "plugin", msg);
}

static int host_log_level(void) {
	return logger_max_level();
}

/* ---- configuration -------------------------------------------------- */

/* NULL: the server configuration; otherwise hosts/<host> (NULL if absent). */
static const struct conf *conf_for(const char *host) {
	return host ? host_conf(host) : &server_conf;
}

static const char *host_conf_get(const char *host, const char *var, int index) {
	const struct conf *c = conf_for(host);
	return c && var ? conf_get(c, var, index) : NULL;
}

/* conf_get_bool/int log a bad value with file and line; the plugin then
 * runs with its default. */
static bool host_conf_bool(const char *host, const char *var, bool dflt) {
	const struct conf *c = conf_for(host);
	bool value;
	if (!c || !var || conf_get_bool(c, var, &value) != 1) {
		return dflt;
	}
	return value;
}

static int host_conf_int(const char *host, const char *var, int dflt) {
	const struct conf *c = conf_for(host);
	int value;
	if (!c || !var || conf_get_int(c, var, &value) != 1) {
		return dflt;
	}
	return value;
}

static const char *host_confbase(void) {
	return confbase;
}

/* Plugins are initialised before net_setup() creates `myself`. */
static const char *host_self_name(void) {
	if (myself && myself->name) {
		return myself->name;
	}
	return conf_get(&server_conf, "Name", 0);
}

/* ---- randomness ----------------------------------------------------- */

static void host_random_bytes(void *buf, size_t len) {
	randombytes_buf(buf, len);
}

static void host_memwipe(void *buf, size_t len) {
	sodium_memzero(buf, len);
}

/* ---- meta connections ----------------------------------------------- */

static int host_conn_send(px_conn *c, const char *fmt, ...) PX_PRINTF(2, 3);
static int host_conn_send(px_conn *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int rc = conn_vsend(c, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *host_conn_name(px_conn *c) {
	return c ? c->name : NULL;
}

static bool host_conn_outgoing(px_conn *c) {
	return c && c->is_outgoing;
}

static int host_conn_minor(px_conn *c) {
	return c ? c->minor : 0;
}

static px_node *host_conn_node(px_conn *c) {
	return c ? c->node : NULL;
}

static void **host_conn_slot(px_conn *c, px_plugin *self) {
	return c && self ? conn_slot(c, self->index) : NULL;
}

/* ---- nodes ---------------------------------------------------------- */

static px_node *host_node_self(void) {
	return myself;
}

static const char *host_node_name(px_node *n) {
	return n ? n->name : NULL;
}

static bool host_node_reachable(px_node *n) {
	return n && n->reachable;
}

static uint32_t host_node_options(px_node *n) {
	return n ? n->options : 0;
}

static void **host_node_slot(px_node *n, px_plugin *self) {
	return n && self ? node_slot(n, self->index) : NULL;
}

static bool host_node_udp_addr(px_node *n, struct px_addr *out) {
	if (!n || !n->has_udp_addr) {
		return false;
	}
	if (out) {
		*out = n->udp_addr;
	}
	return true;
}

/* A plugin learned a better UDP address (reflexive address in a key
 * answer): use it and probe it at once, so that both peers punch through
 * their NATs while the other side is probing too. */
static void host_node_set_udp_addr(px_node *n, const struct px_addr *addr) {
	if (!n || !addr)
		return;
	bool changed = !n->has_udp_addr || !addr_equal(&n->udp_addr, addr);
	node_set_udp(n, addr);
	if (changed && n->minmtu == 0)
		mtu_probe_restart(n);
}

static void host_node_set_out_compression(px_node *n, int level) {
	if (n) {
		n->out_compression = level;
	}
}

static int host_node_in_compression(px_node *n) {
	return settings.compression;
}

static void host_node_foreach(bool (*cb)(px_node *n, void *arg), void *arg) {
	node_t *n, *tmp;
	list_for_each_entry_safe(n, tmp, &node_list, link) {
		if (!cb(n, arg)) {
			break;
		}
	}
}

/* ---- requests ------------------------------------------------------- */

static int host_send_to_node(px_node *to, const char *fmt, ...) PX_PRINTF(2, 3);
static int host_send_to_node(px_node *to, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int rc = vsend_to_node(to, fmt, ap);
	va_end(ap);
	return rc;
}

static int host_broadcast(px_conn *except, const char *fmt, ...) PX_PRINTF(2, 3);
static int host_broadcast(px_conn *except, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int rc = vbroadcast_request(except, fmt, ap);
	va_end(ap);
	return rc;
}

/* Plugins may close a connection from inside their own callbacks; the
 * teardown (which frees their state) runs once the callback returned. */
static void conn_close_deferred(void *arg) {
	conn_t *c = arg;
	if (c->state != CONN_DEAD)
		conn_terminate(c, c->close_why);
}

static void host_conn_close(px_conn *c, const char *why) {
	if (c->state == CONN_DEAD || c->close_why)
		return;
	c->close_why = why ? why : "closed by plugin";
	event_defer(conn_close_deferred, c);
}

/* A reload asked for from inside a plugin callback runs from the loop. */
static void reload_deferred(void *arg) {
	net_reload();
}

static void host_request_reload(void) {
	event_defer(reload_deferred, NULL);
}

static void host_node_id(px_node *n, uint8_t id[6]) {
	memcpy(id, n->id, 6);
}

static const char *host_netname(void) {
	return netname;
}

static const char *host_interface_name(void) {
	return settings.ifname;
}

static int host_node_mtu(px_node *n) {
	return n->minmtu;
}

static const struct px_host host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,

    .log = host_log,
    .log_level = host_log_level,

    .conf_get = host_conf_get,
    .conf_bool = host_conf_bool,
    .conf_int = host_conf_int,
    .confbase = host_confbase,
    .self_name = host_self_name,

    .now_ms = now_ms,
    .timer_new = timer_new,
    .timer_arm = timer_arm,
    .timer_disarm = timer_disarm,
    .timer_free = timer_free,
    .watch_new = watch_new,
    .watch_set = watch_set,
    .watch_free = watch_free,

    .random_bytes = host_random_bytes,
    .memwipe = host_memwipe,

    .register_crypto = loader_register_crypto,
    .register_compress = loader_register_compress,
    .register_request = loader_register_request,
    .register_dgram = loader_register_dgram,
    .register_stream = loader_register_stream,

    .conn_send = host_conn_send,
    .conn_write_wire = conn_write_wire,
    .conn_deliver = conn_deliver,
    .conn_set_filter = conn_set_filter,
    .conn_auth_done = conn_auth_done,
    .conn_close = host_conn_close,
    .conn_name = host_conn_name,
    .conn_outgoing = host_conn_outgoing,
    .conn_minor = host_conn_minor,
    .conn_node = host_conn_node,
    .conn_slot = host_conn_slot,
    .conn_has_capability = conn_has_capability,

    .node_lookup = node_lookup,
    .node_self = host_node_self,
    .node_name = host_node_name,
    .node_reachable = host_node_reachable,
    .node_options = host_node_options,
    .node_slot = host_node_slot,
    .node_udp_addr = host_node_udp_addr,
    .node_set_udp_addr = host_node_set_udp_addr,
    .node_set_out_compression = host_node_set_out_compression,
    .node_in_compression = host_node_in_compression,
    .node_key_changed = node_key_changed,
    .node_foreach = host_node_foreach,

    .send_to_node = host_send_to_node,
    .forward_to_node = forward_to_node,
    .broadcast = host_broadcast,

    .deliver_packets = deliver_packets,
    .dgram_input = dgram_input,

    .stream_accepted = stream_accepted,
    .stream_connected = stream_connected,
    .stream_recv = stream_recv,
    .stream_writable = stream_writable,
    .stream_closed = stream_closed,

    .register_events = loader_register_events,
    .request_reload = host_request_reload,
    .node_id = host_node_id,
    .node_lookup_id = node_lookup_id,
    .node_mtu = host_node_mtu,
    .relay_datagram = relay_datagram,
    .netname = host_netname,
    .interface_name = host_interface_name,
    .conn_raw_input = sptps_tcp_raw_input,
    .register_variable = loader_register_variable,
};

const struct px_host *host_table(void) {
	return &host;
}
