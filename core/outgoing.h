/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Outgoing connections (outgoing.c): ConnectTo and AutoConnect's. */
#ifndef PX_OUTGOING_H
#define PX_OUTGOING_H

#include <stdbool.h>

#include <plexus/plugin.h>

#include "connection.h"
#include "list.h"

#define MAX_ADDRESSES 16

/* An outgoing connection we keep alive (ConnectTo). */
struct outgoing {
	char *name;
	int timeout; /* seconds until the next attempt after a failure */
	px_timer *timer;
	struct px_addr addrs[MAX_ADDRESSES];
	int naddrs, next; /* addresses to try, next index */
	conn_t *c;
	bool from_connectto; /* false: opened by AutoConnect, which may close it */
	struct list_head link;
};
extern struct list_head outgoing_list;

void outgoing_connection_lost(struct outgoing *o, conn_t *c, bool was_active);
void outgoing_reset_backoff(struct outgoing *o);
void setup_outgoing(const char *name);           /* for a ConnectTo */
void setup_automatic_outgoing(const char *name); /* for AutoConnect */
void outgoing_cancel(struct outgoing *o);        /* forget it, closing its connection */

void net_retry(void); /* retry outgoing connections now */

#endif
