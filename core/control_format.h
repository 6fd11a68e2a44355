/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The text of the control protocol's dump lines, both ways: the daemon
 * formats its nodes, edges, subnets, connections and plugins into tinc 1.1's
 * "18 <type> ..." lines, and the CLI parses those lines back (from Plexus or
 * from a tinc 1.1 daemon) to print them for humans.
 */
#ifndef PX_CONTROL_FORMAT_H
#define PX_CONTROL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connection.h"
#include "edge.h"
#include "node.h"
#include "plugin_loader.h"
#include "subnet.h"

/* Node status bits in dumps (tinc 1.1's layout). */
#define CTL_NODE_VALIDKEY      (1u << 1)
#define CTL_NODE_WAITINGFORKEY (1u << 2)
#define CTL_NODE_VISITED       (1u << 3)
#define CTL_NODE_REACHABLE     (1u << 4)
#define CTL_NODE_INDIRECT      (1u << 5)
#define CTL_NODE_SPTPS         (1u << 6)
#define CTL_NODE_UDP_CONFIRMED (1u << 7)
#define CTL_NODE_HAS_ADDRESS   (1u << 11)

/* Connection status bits in dumps. */
#define CTL_CONN_PINGED     (1u << 0)
#define CTL_CONN_CONNECTING (1u << 2)
#define CTL_CONN_ENCRYPTOUT (1u << 6)
#define CTL_CONN_DECRYPTIN  (1u << 7)
#define CTL_CONN_MST        (1u << 8)
#define CTL_CONN_CONTROL    (1u << 9)
#define CTL_CONN_LOG        (1u << 11)

/*
 * Daemon side. Each function writes one complete line without the newline
 * and returns its length, or -1 if it did not fit in `len` bytes.
 */
unsigned control_node_status(const node_t *n);
/* `myport`: our own Port, printed for ourself as "MYSELF port <myport>". */
int control_format_node(char *buf, size_t len, const node_t *n, const char *myport);
int control_format_traffic(char *buf, size_t len, const node_t *n);
int control_format_edge(char *buf, size_t len, const struct edge *e);
int control_format_subnet(char *buf, size_t len, const struct subnet *s);
int control_format_connection(char *buf, size_t len, const conn_t *c);
/* A control client in the connection dump, as tinc shows them. */
int control_format_control_client(char *buf, size_t len, int fd, bool is_log);
int control_format_plugin(char *buf, size_t len, const struct px_plugin *p);

/* CLI side: parsed dump lines. Strings are NUL-terminated copies. */
#define CTL_NAME_MAX 256
#define CTL_HOST_MAX 80

struct ctl_node {
	char name[CTL_NAME_MAX];
	char id[16];
	char host[CTL_HOST_MAX], port[32];
	int cipher, digest, maclength, compression;
	unsigned options, status;
	char nexthop[CTL_NAME_MAX], via[CTL_NAME_MAX];
	int distance, pmtu, minmtu, maxmtu;
	long last_state_change;
	long udp_ping_rtt;
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
	char protocol[64]; /* "-" when the daemon does not say (tinc) */
	char describe[CTL_NAME_MAX];
};

struct ctl_edge {
	char from[CTL_NAME_MAX], to[CTL_NAME_MAX];
	char host[CTL_HOST_MAX], port[32];
	char local_host[CTL_HOST_MAX], local_port[32];
	unsigned options;
	int weight;
};

struct ctl_subnet {
	char subnet[SUBNET_MAXSTR];
	char owner[CTL_NAME_MAX];
};

struct ctl_conn {
	char name[CTL_NAME_MAX];
	char host[CTL_HOST_MAX], port[32];
	unsigned options;
	int socket;
	unsigned status;
};

struct ctl_plugin {
	char name[128], version[64], abi[32];
	char path[1024];
	char provides[512]; /* the rest of the line, may be empty */
};

/* Parse a full "18 <type> ..." line; return 0, or -1 if it is not one. */
int ctl_parse_node(const char *line, struct ctl_node *out);
int ctl_parse_edge(const char *line, struct ctl_edge *out);
int ctl_parse_subnet(const char *line, struct ctl_subnet *out);
int ctl_parse_conn(const char *line, struct ctl_conn *out);
int ctl_parse_plugin(const char *line, struct ctl_plugin *out);

/* Human-readable one-liners in tinc 1.1's CLI style (no newline). */
int ctl_node_human(char *buf, size_t len, const struct ctl_node *n);
int ctl_edge_human(char *buf, size_t len, const struct ctl_edge *e);
int ctl_subnet_human(char *buf, size_t len, const struct ctl_subnet *s);
int ctl_conn_human(char *buf, size_t len, const struct ctl_conn *c);

/* Does `net` contain all of `addr` (same type, addr's prefix at least as
 * long, and equal in net's prefix bits)? Weights are ignored. */
bool ctl_subnet_contains(const struct subnet *net, const struct subnet *addr);

#endif
