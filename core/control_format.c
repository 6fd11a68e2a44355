/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Dump lines of the control protocol: formatting (daemon) and parsing (CLI). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, asprintf */
#endif
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "control_format.h"
#include "graph.h"

/* snprintf that reports truncation as -1, so a caller never sends half a line. */
static int format_line(char *buf, size_t len, const char *fmt, ...) PX_PRINTF(3, 4);
static int format_line(char *buf, size_t len, const char *fmt, ...) {
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* Numeric host and port of an address; "unknown" for an empty one. Done
 * here with getnameinfo() so the CLI and the tests need nothing else. */
static void format_addr(const struct px_addr *a, char *host, size_t hostlen, char *port, size_t portlen) {
	if (!a || a->len == 0 ||
	    getnameinfo(&a->sa, a->len, host, hostlen, port, portlen, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(host, hostlen, "unknown");
		snprintf(port, portlen, "unknown");
	}
}

/* Dump fields are separated by single spaces, so a word from a plugin must
 * not contain any; an empty or missing one becomes "-". */
static void copy_word(char *dst, size_t len, const char *src) {
	size_t i;

	if (!src || !*src) {
		snprintf(dst, len, "-");
		return;
	}
	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') ? '_' : src[i];
	dst[i] = 0;
}

unsigned control_node_status(const node_t *n) {
	unsigned status = 0;

	if (n->validkey)
		status |= CTL_NODE_VALIDKEY;
	if (n->waitingforkey)
		status |= CTL_NODE_WAITINGFORKEY;
	if (n->visited)
		status |= CTL_NODE_VISITED;
	if (n->reachable)
		status |= CTL_NODE_REACHABLE;
	if (n->indirect)
		status |= CTL_NODE_INDIRECT;
	if (n->crypto && n->crypto->ops && n->crypto->ops->name && !strcmp(n->crypto->ops->name, "sptps"))
		status |= CTL_NODE_SPTPS;
	if (n->udp_confirmed)
		status |= CTL_NODE_UDP_CONFIRMED;
	if (n->has_udp_addr)
		status |= CTL_NODE_HAS_ADDRESS;
	return status;
}

int control_format_node(char *buf, size_t len, const node_t *n, const char *myport) {
	char host[NI_MAXHOST], port[NI_MAXSERV];
	char proto[64], describe[CTL_NAME_MAX];
	char id[13];
	int i;

	for (i = 0; i < 6; i++)
		snprintf(id + 2 * i, 3, "%02x", n->id[i]);

	if (n->is_self) {
		snprintf(host, sizeof(host), "MYSELF");
		snprintf(port, sizeof(port), "%s", myport && *myport ? myport : "655");
	} else {
		format_addr(n->has_udp_addr ? &n->udp_addr : NULL, host, sizeof(host), port, sizeof(port));
	}

	copy_word(proto, sizeof(proto), n->crypto && n->crypto->ops ? n->crypto->ops->name : NULL);
	if (n->crypto && n->crypto->ops && n->crypto->ops->describe)
		copy_word(describe, sizeof(describe),
		          n->crypto->ops->describe(n->crypto->plugin, (px_node *)n));
	else
		copy_word(describe, sizeof(describe), NULL);

	/* Legacy cipher/digest NIDs and MAC length live inside the crypto
	 * plugin; its describe() field carries them, tinc's fields stay 0. */
	return format_line(buf, len,
	                   "%d %d %s %s %s port %s %d %d %d %d %x %x %s %s %d %d %d %d %ld %d %" PRIu64
	                   " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s %s",
	                   PX_REQ_CONTROL, REQ_DUMP_NODES, n->name, id, host, port, 0, 0, 0,
	                   n->out_compression, n->options, control_node_status(n),
	                   n->nexthop ? n->nexthop->name : "-", n->via ? n->via->name : "-", n->distance,
	                   n->mtu, n->minmtu, n->maxmtu, (long)n->last_state_change, -1, n->in_packets,
	                   n->in_bytes, n->out_packets, n->out_bytes, proto, describe);
}

int control_format_traffic(char *buf, size_t len, const node_t *n) {
	return format_line(buf, len, "%d %d %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, PX_REQ_CONTROL,
	                   REQ_DUMP_TRAFFIC, n->name, n->in_packets, n->in_bytes, n->out_packets,
	                   n->out_bytes);
}

int control_format_edge(char *buf, size_t len, const struct edge *e) {
	char host[NI_MAXHOST], port[NI_MAXSERV];
	const char *h, *p;

	if (e->addr_host && *e->addr_host) {
		h = e->addr_host;
		p = e->addr_port && *e->addr_port ? e->addr_port : "unknown";
	} else {
		format_addr(e->address.len ? &e->address : NULL, host, sizeof(host), port, sizeof(port));
		h = host;
		p = port;
	}
	return format_line(buf, len, "%d %d %s %s %s port %s %s port %s %x %d", PX_REQ_CONTROL,
	                   REQ_DUMP_EDGES, e->from ? e->from->name : "-", e->to ? e->to->name : "-", h, p,
	                   e->local_host && *e->local_host ? e->local_host : "unspec",
	                   e->local_port && *e->local_port ? e->local_port : "unspec", e->options, e->weight);
}

int control_format_subnet(char *buf, size_t len, const struct subnet *s) {
	char str[SUBNET_MAXSTR];

	subnet_format_compact(s, str, sizeof(str));
	return format_line(buf, len, "%d %d %s %s", PX_REQ_CONTROL, REQ_DUMP_SUBNETS, str,
	                   s->owner ? s->owner->name : "(broadcast)");
}

int control_format_connection(char *buf, size_t len, const conn_t *c) {
	char host[NI_MAXHOST], port[NI_MAXSERV];
	unsigned status = 0;

	format_addr(c->address.len ? &c->address : NULL, host, sizeof(host), port, sizeof(port));
	if (c->pinged)
		status |= CTL_CONN_PINGED;
	if (c->state == CONN_CONNECTING)
		status |= CTL_CONN_CONNECTING;
	if (c->filter_out)
		status |= CTL_CONN_ENCRYPTOUT;
	if (c->filter_in)
		status |= CTL_CONN_DECRYPTIN;
	if (c->edge && graph_edge_in_mst(c->edge))
		status |= CTL_CONN_MST;
	/* Meta connections have no fd of their own here (the transport plugin
	 * owns it); the small connection id stands in for it. */
	return format_line(buf, len, "%d %d %s %s port %s %x %d %x", PX_REQ_CONTROL, REQ_DUMP_CONNECTIONS,
	                   c->name ? c->name : "<unknown>", host, port, c->options, c->id, status);
}

int control_format_control_client(char *buf, size_t len, int fd, bool is_log) {
	return format_line(buf, len, "%d %d <control> localhost port unix 0 %d %x", PX_REQ_CONTROL,
	                   REQ_DUMP_CONNECTIONS, fd, CTL_CONN_CONTROL | (is_log ? CTL_CONN_LOG : 0u));
}

int control_format_plugin(char *buf, size_t len, const struct px_plugin *p) {
	char name[128], version[64], path[1024];
	const struct px_plugin_desc *d = p->desc;

	copy_word(name, sizeof(name), p->name ? p->name : d ? d->name : NULL);
	copy_word(version, sizeof(version), d ? d->version : NULL);
	copy_word(path, sizeof(path), p->path);
	return format_line(buf, len, "%d %d %s %s %u.%u %s%s%s", PX_REQ_CONTROL, REQ_DUMP_PLUGINS, name,
	                   version, d ? d->abi_major : 0u, d ? d->abi_minor : 0u, path,
	                   p->provides[0] ? " " : "", p->provides);
}

/* The CLI side. */

/* Check the "18 <type>" head and return where the fields start, or NULL. */
static const char *fields_of(const char *line, int type) {
	int code, t, used = 0;

	if (sscanf(line, "%d %d %n", &code, &t, &used) < 2 || code != PX_REQ_CONTROL || t != type || !used)
		return NULL;
	return line + used;
}

int ctl_parse_node(const char *line, struct ctl_node *n) {
	const char *f = fields_of(line, REQ_DUMP_NODES);
	int used = 0;

	if (!f)
		return -1;
	memset(n, 0, sizeof(*n));
	if (sscanf(f,
	           "%255s %15s %79s port %31s %d %d %d %d %x %x %255s %255s %d %d %d %d %ld %ld %" SCNu64
	           " %" SCNu64 " %" SCNu64 " %" SCNu64 "%n",
	           n->name, n->id, n->host, n->port, &n->cipher, &n->digest, &n->maclength, &n->compression,
	           &n->options, &n->status, n->nexthop, n->via, &n->distance, &n->pmtu, &n->minmtu,
	           &n->maxmtu, &n->last_state_change, &n->udp_ping_rtt, &n->in_packets, &n->in_bytes,
	           &n->out_packets, &n->out_bytes, &used) != 22 ||
	    !used)
		return -1;
	/* Plexus appends the data protocol and its description; tinc does not. */
	strcpy(n->protocol, "-");
	strcpy(n->describe, "-");
	sscanf(f + used, " %63s %255s", n->protocol, n->describe);
	return 0;
}

int ctl_parse_edge(const char *line, struct ctl_edge *e) {
	const char *f = fields_of(line, REQ_DUMP_EDGES);

	if (!f)
		return -1;
	memset(e, 0, sizeof(*e));
	if (sscanf(f, "%255s %255s %79s port %31s %79s port %31s %x %d", e->from, e->to, e->host, e->port,
	           e->local_host, e->local_port, &e->options, &e->weight) != 8)
		return -1;
	return 0;
}

int ctl_parse_subnet(const char *line, struct ctl_subnet *s) {
	const char *f = fields_of(line, REQ_DUMP_SUBNETS);

	if (!f)
		return -1;
	memset(s, 0, sizeof(*s));
	if (sscanf(f, "%63s %255s", s->subnet, s->owner) != 2)
		return -1;
	return 0;
}

int ctl_parse_conn(const char *line, struct ctl_conn *c) {
	const char *f = fields_of(line, REQ_DUMP_CONNECTIONS);

	if (!f)
		return -1;
	memset(c, 0, sizeof(*c));
	if (sscanf(f, "%255s %79s port %31s %x %d %x", c->name, c->host, c->port, &c->options, &c->socket,
	           &c->status) != 6)
		return -1;
	return 0;
}

int ctl_parse_plugin(const char *line, struct ctl_plugin *p) {
	const char *f = fields_of(line, REQ_DUMP_PLUGINS);
	int used = 0;

	if (!f)
		return -1;
	memset(p, 0, sizeof(*p));
	if (sscanf(f, "%127s %63s %31s %1023s%n", p->name, p->version, p->abi, p->path, &used) != 4 || !used)
		return -1;
	f += used;
	while (*f == ' ')
		f++;
	snprintf(p->provides, sizeof(p->provides), "%s", f);
	return 0;
}

int ctl_node_human(char *buf, size_t len, const struct ctl_node *n) {
	char tail[CTL_NAME_MAX + 96] = "";

	if (strcmp(n->protocol, "-") || strcmp(n->describe, "-")) {
		if (strcmp(n->describe, "-"))
			snprintf(tail, sizeof(tail), " protocol %s (%s)", n->protocol, n->describe);
		else
			snprintf(tail, sizeof(tail), " protocol %s", n->protocol);
	}
	return format_line(
	    buf, len,
	    "%s id %s at %s port %s cipher %d digest %d maclength %d compression %d options %x "
	    "status %04x nexthop %s via %s distance %d pmtu %d (min %d max %d)%s",
	    n->name, n->id, n->host, n->port, n->cipher, n->digest, n->maclength, n->compression, n->options,
	    n->status, n->nexthop, n->via, n->distance, n->pmtu, n->minmtu, n->maxmtu, tail);
}

int ctl_edge_human(char *buf, size_t len, const struct ctl_edge *e) {
	return format_line(buf, len, "%s to %s at %s port %s local %s port %s options %x weight %d", e->from,
	                   e->to, e->host, e->port, e->local_host, e->local_port, e->options, e->weight);
}

int ctl_subnet_human(char *buf, size_t len, const struct ctl_subnet *s) {
	return format_line(buf, len, "%s owner %s", s->subnet, s->owner);
}

int ctl_conn_human(char *buf, size_t len, const struct ctl_conn *c) {
	return format_line(buf, len, "%s at %s port %s options %x socket %d status %x", c->name, c->host,
	                   c->port, c->options, c->socket, c->status);
}

bool ctl_subnet_contains(const struct subnet *net, const struct subnet *addr) {
	int bytes, bits, maxprefix;

	if (net->type != addr->type || net->prefix > addr->prefix)
		return false;
	maxprefix = net->type == SUBNET_MAC ? 48 : net->type == SUBNET_IPV4 ? 32 : 128;
	if (net->prefix < 0 || net->prefix > maxprefix)
		return false;
	bytes = net->prefix / 8;
	bits = net->prefix % 8;
	if (memcmp(net->addr, addr->addr, bytes))
		return false;
	if (bits) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((net->addr[bytes] & mask) != (addr->addr[bytes] & mask))
			return false;
	}
	return true;
}
