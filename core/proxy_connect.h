/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Opening an outgoing meta connection's stream, through the Proxy if one is set. */
#ifndef PX_PROXY_CONNECT_H
#define PX_PROXY_CONNECT_H

#include "connection.h"

struct stream_provider;

/* Start outgoing connection c towards `to`: directly, to the proxy, or by
 * running the exec command. Sets c->stream (and c->tp for exec). Returns
 * 0, or -1 when no attempt could be started (logged). */
int proxy_connect(conn_t *c, const struct stream_provider *sp, const struct px_addr *to);

/* The source address direct outgoing connections of this family bind to
 * (BindToAddress, as tinc does; port 0), or NULL to let the kernel choose. */
void proxy_connect_set_source(const struct px_addr *from);
void proxy_connect_clear_sources(void);

#endif
