/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The network core: set-up, meta I/O, requests and the packet path. */
#ifndef PX_NET_H
#define PX_NET_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

#include "connection.h"
#include "node.h"
#include "settings.h"

/* Lifecycle (net_setup.c / net.c). */
int net_setup(void); /* after config + plugins: myself, device, listeners */
void net_shutdown(void);
int net_reload(void); /* SIGHUP / plexus reload */
void net_retry(void); /* retry outgoing connections now */
void net_purge(void); /* forget unreachable nodes */
int net_disconnect(const char *name); /* 0 ok, -2 no such connection */

/* Meta I/O (meta.c). */
int conn_send(conn_t *c, const char *fmt, ...) PX_PRINTF(2, 3);
int conn_vsend(conn_t *c, const char *fmt, va_list ap);
int conn_send_raw(conn_t *c, const void *data, size_t len); /* through the out filter */
int conn_write_wire(conn_t *c, const void *data, size_t len); /* bypassing it */
int conn_deliver(conn_t *c, const void *data, size_t len);
void conn_set_filter(conn_t *c, enum px_dir dir, const struct px_filter_ops *ops, void *ctx);
void conn_auth_done(conn_t *c);
bool conn_has_capability(conn_t *c, const char *cap);

/* Requests (protocol*.c). */
int send_to_node(node_t *to, const char *fmt, ...) PX_PRINTF(2, 3);
int vsend_to_node(node_t *to, const char *fmt, va_list ap);
int forward_to_node(node_t *to, const char *line);
int broadcast_request(conn_t *except, const char *fmt, ...) PX_PRINTF(2, 3);
int vbroadcast_request(conn_t *except, const char *fmt, va_list ap);

/* Packets (net_packet.c / route.c). */
void deliver_packets(node_t *from, struct px_buf *bufs, unsigned n);
void dgram_input(struct px_plugin *p, void *sock, struct px_buf *bufs, unsigned n);
void node_key_changed(node_t *n, bool valid);
int relay_datagram(node_t *to, struct px_buf *b);

/* Stream transport events (meta.c). */
conn_t *stream_accepted(struct px_plugin *p, void *listener, void *stream, const struct px_addr *peer);
void stream_connected(conn_t *c);
void stream_recv(conn_t *c, const void *data, size_t len);
void stream_writable(conn_t *c);
void stream_closed(conn_t *c, int err);

#endif
