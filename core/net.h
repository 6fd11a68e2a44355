/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The network core: set-up, meta I/O, requests and the packet path. */
#ifndef PX_NET_H
#define PX_NET_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

#include "connection.h"
#include "meta.h"
#include "node.h"
#include "settings.h"

/* Lifecycle (net_setup.c / net.c). */
int net_setup(void); /* after config + plugins: myself, device, listeners */
void net_shutdown(void);
int net_reload(void); /* SIGHUP / plexus reload */
void net_retry(void); /* retry outgoing connections now */
void net_purge(void); /* forget unreachable nodes */
int net_disconnect(const char *name); /* 0 ok, -2 no such connection */

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

#endif
