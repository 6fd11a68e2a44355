/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy for outgoing meta connections (tinc 1.1's Proxy variable): the
 * configured proxy and each connection's wait for the proxy's answer.
 * proxy.c only decides, logs and keeps state; meta.c writes the request,
 * sends the ID on the grant and closes the connection on a failure, and
 * proxy_connect.c opens the stream.
 */
#ifndef PX_PROXY_H
#define PX_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "connection.h"
#include "proxy_wire.h"

/* Read Proxy from the server configuration (start-up and reload). A bad
 * value is logged and keeps the previous setting; returns -1 then. */
int proxy_configure(void);

enum proxy_route {
	PROXY_ROUTE_DIRECT, /* no proxy: connect to the peer */
	PROXY_ROUTE_VIA,    /* connect to *via; c->proxy waits for the grant */
	PROXY_ROUTE_EXEC,   /* run *command, its stdin/stdout is the stream */
	PROXY_ROUTE_FAIL,   /* the proxy cannot be resolved (logged) */
};

/* Where outgoing connection c's stream goes under the current Proxy. */
enum proxy_route proxy_route(conn_t *c, struct px_addr *via, const char **command);

#define PROXY_BEGIN_MAX (PROXY_REQUEST_MAX + 64)

/* c's stream to the proxy is up: the request for the proxy, written into
 * buf (PROXY_BEGIN_MAX bytes). Returns its length, or -1 (logged) when the
 * proxy cannot reach c's address (SOCKS 4 and IPv6). */
int proxy_begin(conn_t *c, uint8_t *buf, size_t cap);

/* Bytes from the stream while c waits for the proxy's reply: consumes the
 * reply from the front of data and len. PROXY_GRANTED frees c->proxy, and
 * what is left (maybe nothing) is the peer's; PROXY_FAILED is logged. */
enum proxy_status proxy_recv(conn_t *c, const void **data, size_t *len);

/* c's stream closed; says so if the proxy had not answered yet. */
void proxy_stream_closed(conn_t *c);

void proxy_conn_free(conn_t *c);

#endif
