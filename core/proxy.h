/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy for outgoing meta connections (tinc 1.1's Proxy variable): the
 * hooks the outgoing-connection code and the meta read path call.
 */
#ifndef PX_PROXY_H
#define PX_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "connection.h"

struct stream_provider;

/* Read Proxy from the server configuration (start-up and reload). A bad
 * value is logged and keeps the previous setting; returns -1 then. */
int proxy_configure(void);

/* Start outgoing connection c towards `to`: directly, to the proxy, or by
 * running the exec command. Sets c->stream (and c->tp for exec). Returns
 * 0, or -1 when no attempt could be started (logged). */
int proxy_connect(conn_t *c, const struct stream_provider *sp, const struct px_addr *to);

/* The stream is up. Returns false when the caller sends its ID now, true
 * when the proxy must answer first (proxy_recv sends the ID on a grant;
 * a failure terminates c). */
bool proxy_begin(conn_t *c);

/* Bytes from the stream while c waits for the proxy's reply. Consumes the
 * reply from the front of data and len; returns true when what is left (maybe nothing)
 * belongs to the peer and goes the usual way, false when there is nothing
 * more to do (waiting, or c was terminated). */
bool proxy_recv(conn_t *c, const void **data, size_t *len);

/* c's stream closed; says so if the proxy had not answered yet. */
void proxy_stream_closed(conn_t *c);

void proxy_conn_free(conn_t *c);

#endif
