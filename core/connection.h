/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Meta connections. Kept in a plain list; a connection that goes away is
 * marked dead and freed later (event_defer), so walking the list is safe
 * while connections disappear.
 */
#ifndef PX_CONNECTION_H
#define PX_CONNECTION_H

#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

#include "list.h"

typedef struct px_node node_t; /* node.h */
struct edge;
struct outgoing;
struct crypto_provider;
struct stream_provider;
struct proxy_conn;
struct sptps_frame_rx;

enum conn_state {
	CONN_CONNECTING = 0, /* outgoing, TCP not up yet */
	CONN_ID,             /* waiting for the peer's ID */
	CONN_AUTH,           /* crypto plugin authenticates */
	CONN_ACK,            /* waiting for the peer's ACK */
	CONN_ACTIVE,         /* all requests allowed */
	CONN_DEAD,           /* closed, waiting to be freed */
};

struct buffer {
	uint8_t *data;
	size_t len, off, cap; /* valid bytes are data[off .. off+len) */
};

struct px_conn {
	char *name;             /* peer's Name once known */
	char *hostname;         /* "addr port N" for logs */
	struct px_addr address; /* peer's TCP address */
	node_t *node;
	struct outgoing *outgoing; /* set for outgoing connections */
	bool is_outgoing;
	enum conn_state state;
	int minor; /* peer's protocol minor from its ID */
	uint32_t options;
	int estimated_weight;
	uint64_t start_ms;
	uint64_t last_ping_ms;
	bool pinged;
	uint64_t last_flush_ms; /* last time the output buffer was empty */

	const struct crypto_provider *crypto; /* authenticating protocol */
	void *auth_state;
	const struct px_filter_ops *filter_in, *filter_out;
	void *filter_in_ctx, *filter_out_ctx;

	const struct stream_provider *tp;
	void *stream;

	struct buffer inbuf;             /* plaintext not yet parsed */
	struct buffer outbuf;            /* wire bytes not yet written */
	bool flush_pending;              /* a deferred write of outbuf is queued (meta.c) */
	int packet_pending;              /* >0: raw PACKET bytes expected */
	struct sptps_frame_rx *sptps_rx; /* binary SPTPS_PACKET being received (sptps_tcp.c) */

	struct edge *edge; /* our edge to the peer */
	char **caps;       /* capability words the peer announced */
	int ncaps;
	void **slots;             /* per-plugin pointers */
	struct list_head link;    /* in connection_list */
	int id;                   /* small number for dumps */
	const char *close_why;    /* set by a deferred close (plugins) */
	struct proxy_conn *proxy; /* outgoing, until the proxy granted it (proxy.c) */
};
typedef struct px_conn conn_t;

extern struct list_head connection_list;

conn_t *conn_new(void);
/* Unlink, close the stream, mark dead and free later. Safe inside callbacks
 * and while walking connection_list with list_for_each_entry_safe. */
void conn_terminate(conn_t *c, const char *why);

/* What the layers above do when a connection goes: the daemon handles its
 * outgoing connections, the protocol announces the lost edge. */
struct conn_hooks {
	void (*edge_gone)(const struct edge *e); /* an edge of ours is gone: DEL_EDGE */
	void (*outgoing_lost)(struct outgoing *o, conn_t *c, bool was_active);
	void (*outgoing_reset)(struct outgoing *o); /* it works: reset the back-off */
};
void conn_set_hooks(const struct conn_hooks *h);
/* An outgoing connection proved to work (ACK, PONG): reset its back-off. */
void conn_reset_backoff(conn_t *c);
void **conn_slot(conn_t *c, int index);
/* Iterate active connections only. */
#define conn_foreach_active(c, tmp)                                                                          \
	list_for_each_entry_safe(c, tmp, &connection_list, link) if ((c)->state == CONN_ACTIVE)

#endif
