/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Where an outgoing meta connection's stream goes: straight to the peer,
 * to the proxy (proxy.c decides and keeps the handshake's state), or to the
 * exec command (proxy_exec.c). A file of its own because proxy_exec.c
 * drives meta.c, which uses proxy.c.
 */
#include "plugin_loader.h"
#include "proxy.h"
#include "proxy_connect.h"
#include "proxy_exec.h"

int proxy_connect(conn_t *c, const struct stream_provider *sp, const struct px_addr *to) {
	struct px_addr via;
	const char *command = NULL;
	switch (proxy_route(c, &via, &command)) {
	case PROXY_ROUTE_DIRECT:
		return sp->ops->connect(sp->plugin, c, to, NULL, &c->stream);
	case PROXY_ROUTE_VIA:
		return sp->ops->connect(sp->plugin, c, &via, NULL, &c->stream);
	case PROXY_ROUTE_EXEC:
		return proxy_exec_connect(c, command);
	case PROXY_ROUTE_FAIL:
		break;
	}
	return -1;
}
