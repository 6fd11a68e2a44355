/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The meta protocol: request dispatch, dedupe cache, senders and handlers. */
#ifndef PX_PROTOCOL_H
#define PX_PROTOCOL_H

#include <stdarg.h>
#include <stdbool.h>

#include "connection.h"
#include "edge.h"
#include "meta.h"
#include "node.h"
#include "subnet.h"

#define MAX_STRING_SIZE 2049
#define MAX_STRING      "%2048s"

/* Register one of the core's requests into the one request table, the
 * loader's, where plugins' requests go too. -1: id out of range or taken. */
typedef int (*request_handler_fn)(conn_t *c, const char *line);
int protocol_register(int id, request_handler_fn handle, bool needs_graph);
/* Bring the graph up to date before a handler that needs it runs. */
void protocol_set_settle(void (*settle)(void));

/* Requests to one node, to everyone (protocol.c). */
int send_to_node(node_t *to, const char *fmt, ...) PX_PRINTF(2, 3);
int vsend_to_node(node_t *to, const char *fmt, va_list ap);
int forward_to_node(node_t *to, const char *line);
int broadcast_request(conn_t *except, const char *fmt, ...) PX_PRINTF(2, 3);
int vbroadcast_request(conn_t *except, const char *fmt, va_list ap);

/* Dispatch one received request line (no newline). Returns 0, or -1 when
 * the connection must be closed. */
int receive_request(conn_t *c, char *line);
const char *request_name(int id);
/* Dedupe cache of flooded requests (keyed by the whole line). */
bool seen_request(const char *line);
void seen_request_age(void);
void seen_request_flush(void);
/* A peer announced more for `owner` than MaxEdgesPerNode/MaxSubnetsPerNode
 * allow: log it, at most once per 10 s per variable (with a count). */
struct cap_log {
	uint64_t last_ms;
	unsigned suppressed;
};
void log_cap_hit(struct cap_log *st, const char *var, int cap, const char *owner, const conn_t *from);
/* Forward a flooded line verbatim to every active connection but `from`. */
void forward_request(conn_t *from, const char *line);
/* The capability string we append to ACK ("px:100,101"), or "" */
const char *local_capabilities(void);
void parse_capabilities(conn_t *c, const char *field);

/* protocol_auth.c */
void protocol_auth_register(void); /* ID, ACK */
int send_id(conn_t *c);
int id_h(conn_t *c, const char *line);
int send_ack(conn_t *c);
int ack_h(conn_t *c, const char *line);

/* protocol_misc.c */
void protocol_misc_register(void); /* PING, PONG, PACKET */
int send_ping(conn_t *c);
int ping_h(conn_t *c, const char *line);
int pong_h(conn_t *c, const char *line);
int tcppacket_h(conn_t *c, const char *line);
/* DisableBuggyPeers: the oversized zero PACKET a new peer gets first. */
#define BUGGY_PEER_PROBE_LEN 1801
int send_buggy_peer_probe(conn_t *c);

/* protocol_subnet.c */
void protocol_subnet_register(void);                    /* ADD_SUBNET, DEL_SUBNET */
int send_add_subnet(conn_t *c, const struct subnet *s); /* c == NULL: everyone */
int send_del_subnet(conn_t *c, const struct subnet *s);
int add_subnet_h(conn_t *c, const char *line);
int del_subnet_h(conn_t *c, const char *line);
/* For route_io (switch mode's learned MAC addresses): see route.h. */
void announce_subnet(struct subnet *s, bool add);
void forget_subnet(struct subnet *s);

/* protocol_edge.c */
void protocol_edge_register(void);                  /* ADD_EDGE, DEL_EDGE; the graph settling */
int send_add_edge(conn_t *c, const struct edge *e); /* c == NULL: everyone */
int send_del_edge(conn_t *c, const struct edge *e);
int add_edge_h(conn_t *c, const char *line);
int del_edge_h(conn_t *c, const char *line);
void send_everything(conn_t *c);
/* Run the graph if ADD_EDGE/DEL_EDGE changed it since the last run. Those
 * handlers only mark it; topology_settle() (after a read or event-loop
 * callback) runs it at once unless it ran less than a hold-down ago, then
 * when that ends; topology_settle_now() runs it at once, for anything that
 * needs it up to date (and at shutdown). */
void topology_settle(void);
void topology_settle_now(void);
/* Settle, and forget the hold-down's history (when the daemon's network stops). */
void topology_reset(void);

/* protocol_key.c */
void protocol_key_register(void); /* KEY_CHANGED, REQ_KEY, ANS_KEY */
int key_changed_h(conn_t *c, const char *line);
int req_key_h(conn_t *c, const char *line);
int ans_key_h(conn_t *c, const char *line);

#endif
