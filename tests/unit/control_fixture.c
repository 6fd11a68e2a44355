/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Stubs and model for the control tests (see control_fixture.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "control_connect.h"
#include "control_fixture.h"
#include "graph.h"

/* ---- stubs for what control.c uses from the rest of the core ---- */

struct px_watch watches[FIXTURE_WATCHES];

px_watch *watch_new(int fd, uint32_t events, void (*cb)(void *arg, uint32_t revents), void *arg) {
	for (int i = 0; i < FIXTURE_WATCHES; i++) {
		if (!watches[i].live) {
			watches[i] = (struct px_watch){fd, events, cb, arg, true};
			return &watches[i];
		}
	}
	return NULL;
}
void watch_set(px_watch *w, uint32_t events) {
	w->events = events;
}
void watch_free(px_watch *w) {
	w->live = false;
}

int loop_stopped;
void event_loop_stop(void) {
	loop_stopped++;
}

int debug_level = 2;
void logger(int level, int priority, const char *fmt, ...) {
	(void)level;
	(void)priority;
	(void)fmt;
}
struct log_tap *the_tap;
void logger_tap_add(struct log_tap *tap) {
	the_tap = tap;
}
void logger_tap_remove(struct log_tap *tap) {
	if (the_tap == tap)
		the_tap = NULL;
}

struct settings settings;
node_t *myself;
struct list_head node_list = LIST_HEAD_INIT(node_list);
struct list_head edge_list = LIST_HEAD_INIT(edge_list);
struct list_head subnet_table = LIST_HEAD_INIT(subnet_table);
struct list_head connection_list = LIST_HEAD_INIT(connection_list);
struct list_head plugin_list = LIST_HEAD_INIT(plugin_list);

int reloads, retries, purges;
int net_reload(void) {
	reloads++;
	return 0;
}
void net_retry(void) {
	retries++;
}
void net_purge(void) {
	purges++;
}
int control_connect_node(const char *name) {
	return strcmp(name, "beta") ? -1 : 0;
}

int net_disconnect(const char *name) {
	return strcmp(name, "beta") ? -2 : 0;
}

/* The tree as the fixture built it (no graph runs here). */
bool graph_edge_in_mst(const struct edge *e) {
	return e->mst;
}

/* Only IPv4 is needed by these tests. */
void subnet_format_compact(const struct subnet *s, char *buf, size_t len) {
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, s->addr, a, sizeof(a));
	if (s->prefix == 32)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%d", a, s->prefix);
}

/* ---- fixtures ---- */

node_t alpha, beta;
struct edge ab;
struct subnet sn;
conn_t conn_beta;
struct px_plugin plug;
static struct px_plugin_desc plug_desc;

static const char *fake_describe(px_plugin *self, px_node *n) {
	(void)self;
	(void)n;
	return "aes-256-cbc/sha256 key valid";
}
static const struct px_crypto_ops fake_crypto_ops = {
    .size = sizeof(struct px_crypto_ops),
    .name = "legacy",
    .describe = fake_describe,
};
static const struct crypto_provider fake_crypto = {&fake_crypto_ops, NULL};

void setup_model(void) {
	struct sockaddr_in *in = &beta.udp_addr.in;

	alpha.name = "alpha";
	alpha.is_self = true;
	alpha.reachable = true;
	alpha.nexthop = alpha.via = &alpha;
	alpha.mtu = alpha.maxmtu = 1518;
	memcpy(alpha.id, "\x01\x02\x03\x04\x05\x06", 6);
	myself = &alpha;

	beta.name = "beta";
	memcpy(beta.id, "\x56\x0c\x72\xde\x72\xc0", 6);
	in->sin_family = AF_INET;
	in->sin_port = htons(655);
	inet_pton(AF_INET, "198.18.0.2", &in->sin_addr);
	beta.udp_addr.len = sizeof(*in);
	beta.has_udp_addr = true;
	beta.reachable = true;
	beta.validkey = true;
	beta.options = 0xc;
	beta.nexthop = beta.via = &beta;
	beta.distance = 1;
	beta.mtu = beta.maxmtu = 1518;
	beta.last_state_change = 1700000000;
	beta.in_packets = 2;
	beta.in_bytes = 36;
	beta.crypto = &fake_crypto;

	list_add_tail(&alpha.link, &node_list);
	list_add_tail(&beta.link, &node_list);

	ab.from = &alpha;
	ab.to = &beta;
	ab.addr_host = "198.18.0.2";
	ab.addr_port = "655";
	ab.options = 0xc;
	ab.weight = 10;
	list_add_tail(&ab.link, &edge_list);

	sn.type = SUBNET_IPV4;
	sn.prefix = 24;
	sn.weight = 10;
	memcpy(sn.addr, "\x0a\x01\x02\x00", 4);
	sn.owner = &beta;
	list_add_tail(&sn.table_link, &subnet_table);

	conn_beta.name = "beta";
	conn_beta.address = beta.udp_addr;
	conn_beta.state = CONN_ACTIVE;
	conn_beta.options = 0xc;
	conn_beta.id = 5;
	conn_beta.filter_in = conn_beta.filter_out = (const struct px_filter_ops *)&plug_desc;
	list_add_tail(&conn_beta.link, &connection_list);

	plug_desc.abi_major = 1;
	plug_desc.abi_minor = 0;
	plug_desc.version = "0.1.0";
	plug.name = "crypto-legacy";
	plug.path = "/usr/lib/plexus/crypto-legacy.so";
	plug.desc = &plug_desc;
	snprintf(plug.provides, sizeof(plug.provides), "crypto:legacy");
	list_add_tail(&plug.link, &plugin_list);

	settings.port = "10655";
}
