/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Glue between the network core's own files (not for plugins, not for tests). */
#ifndef PX_NET_PRIVATE_H
#define PX_NET_PRIVATE_H

#include <stdbool.h>

#include "connection.h"
#include "device.h"
#include "node.h"
#include "plugin_loader.h"

struct subnet;

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

/* net.c */
void outgoing_connection_lost(struct outgoing *o, conn_t *c, bool was_active);
void outgoing_reset_backoff(struct outgoing *o);
void setup_outgoing(const char *name); /* for a ConnectTo */
void setup_automatic_outgoing(const char *name); /* for AutoConnect */
void outgoing_cancel(struct outgoing *o); /* forget it, closing its connection */
void net_start_timers(void);
void net_stop(void);

/* net_packet.c */
void tx_flush(void);
void mtu_probe_start(node_t *n);
void mtu_probe_stop(node_t *n);
void mtu_probe_restart(node_t *n); /* probe again now (new address) */
void receive_frame(node_t *from, struct px_buf *b); /* decrypted frame in */
void device_input(void);
void packet_pool_init(void);
bool node_choose_crypto(node_t *n);
/* Compress (as the peer asked) and seal a copy of b for keynode into t,
 * whose data/base/cap the caller set (head-room for the crypto header).
 * False if the packet was dropped. */
bool seal_frame(node_t *keynode, const struct px_buf *b, struct px_buf *t);
/* After crypto open(): decompress and add the Ethernet header where the
 * record says so. False if the packet must be dropped. */
bool unpack_opened(node_t *from, struct px_buf *b);

/* net_setup.c */
struct listener {
	void *stream_listener;
	void *dgram_sock;
	struct px_addr addr;
	int family;
};
#define MAX_LISTENERS 8
extern struct listener listeners[MAX_LISTENERS];
extern int nlisteners;
void *dgram_socket_for(int family);
int read_settings(void);
void script_settings_from_conf(void); /* ScriptsInterpreter, ScriptsExtension */

/* Script helpers (net.c). */
void run_host_script(node_t *n, bool up);
void run_subnet_script(node_t *owner, const struct subnet *s, bool up);

#endif
