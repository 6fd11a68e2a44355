/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Meta connections' bytes: framing of request lines and PACKET frames, the
 * stream filters, and the stream transport's events. */
#ifndef PX_META_H
#define PX_META_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plexus/plugin.h>

#include "connection.h"

#define MAX_LINE 4352 /* longest request line we accept (8192-bit RSA METAKEY fits) */
/* Longest PACKET payload read off the stream (tinc parses the length as a
 * short). Payloads over PX_MTU are no frame of ours: read and dropped. */
#define MAX_TCPPACKET 32767

/* Where meta.c hands what it reads: the protocol layer above sets it.
 * Through a Proxy, connected comes only once the proxy granted (proxy.c). */
struct meta_sink {
	int (*line)(conn_t *c, char *line);                         /* one request line; -1 closes c */
	void (*frame)(conn_t *c, const uint8_t *frame, size_t len); /* a PACKET's frame */
	int (*connected)(conn_t *c);                                /* our outgoing stream is up: send ID */
	void (*settle)(void);                                       /* after a read: let the graph catch up */
	const char *(*request_name)(int id);                        /* for the debug log */
};
void meta_set_sink(const struct meta_sink *sink);

/* Meta I/O (meta.c). */
int conn_send(conn_t *c, const char *fmt, ...) PX_PRINTF(2, 3);
int conn_vsend(conn_t *c, const char *fmt, va_list ap);
int conn_send_raw(conn_t *c, const void *data, size_t len);   /* through the out filter */
int conn_write_wire(conn_t *c, const void *data, size_t len); /* bypassing it */
int conn_deliver(conn_t *c, const void *data, size_t len);
void conn_set_filter(conn_t *c, enum px_dir dir, const struct px_filter_ops *ops, void *ctx);
void conn_auth_done(conn_t *c);
bool conn_has_capability(conn_t *c, const char *cap);

/* A VPN frame over the meta connection (PACKET), with tinc's random early
 * drop when the peer does not read fast enough. */
int send_tcppacket(conn_t *c, const uint8_t *frame, size_t len);

/* Stream transport events (meta.c). */
conn_t *stream_accepted(struct px_plugin *p, void *listener, void *stream, const struct px_addr *peer);
void stream_connected(conn_t *c);
void stream_recv(conn_t *c, const void *data, size_t len);
void stream_writable(conn_t *c);
void stream_closed(conn_t *c, int err);

#endif
