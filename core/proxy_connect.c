/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Where an outgoing meta connection's stream goes: straight to the peer,
 * to the proxy (proxy.c decides and keeps the handshake's state), or to the
 * exec command (proxy_exec.c). A file of its own because proxy_exec.c
 * drives meta.c, which uses proxy.c.
 */
#include <stdbool.h>
#include <string.h>

#include <sys/socket.h>

#include "netutl.h"
#include "plugin_loader.h"
#include "proxy.h"
#include "proxy_connect.h"
#include "proxy_exec.h"

static struct px_addr source4, source6;
static bool have_source4, have_source6;

void proxy_connect_set_source(const struct px_addr *from) {
	if (from->sa.sa_family == AF_INET && !have_source4) {
		source4 = *from;
		addr_set_port(&source4, 0);
		have_source4 = true;
	} else if (from->sa.sa_family == AF_INET6 && !have_source6) {
		source6 = *from;
		addr_set_port(&source6, 0);
		have_source6 = true;
	}
}

void proxy_connect_clear_sources(void) {
	have_source4 = have_source6 = false;
}

static const struct px_addr *source_for(const struct px_addr *to) {
	if (to->sa.sa_family == AF_INET && have_source4)
		return &source4;
	if (to->sa.sa_family == AF_INET6 && have_source6)
		return &source6;
	return NULL;
}

/* Only direct connections bind a source, as in tinc: a proxy or exec
 * command picks its own way out. */
int proxy_connect(conn_t *c, const struct stream_provider *sp, const struct px_addr *to) {
	struct px_addr via;
	const char *command = NULL;
	switch (proxy_route(c, &via, &command)) {
	case PROXY_ROUTE_DIRECT:
		return sp->ops->connect(sp->plugin, c, to, source_for(to), &c->stream);
	case PROXY_ROUTE_VIA:
		return sp->ops->connect(sp->plugin, c, &via, NULL, &c->stream);
	case PROXY_ROUTE_EXEC:
		return proxy_exec_connect(c, command);
	case PROXY_ROUTE_FAIL:
		break;
	}
	return -1;
}
