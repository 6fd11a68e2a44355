/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Path MTU discovery (pmtu.c). */
#ifndef PX_PMTU_H
#define PX_PMTU_H

#include <stdbool.h>

#include <plexus/plugin.h>

#include "node.h"

/* How probes leave: seal for keynode and queue to via's UDP address
 * (false: could not), and flush the queue. net_packet.c sets it. */
struct pmtu_io {
	bool (*udp_send)(node_t *keynode, node_t *via, const struct px_buf *b);
	void (*flush)(void);
};
void pmtu_set_io(const struct pmtu_io *io);

/* The path MTU n starts with: PMTU from its host file, else from the main
 * file, else PX_MTU. Discovery, where on, replaces it. */
int pmtu_initial(const node_t *n);
void mtu_probe_start(node_t *n);
void mtu_probe_stop(node_t *n);
void mtu_probe_restart(node_t *n); /* probe again now (new address) */
/* A probe (PX_BUF_PROBE) from n: echo a request, learn from a reply. */
void mtu_probe_h(node_t *n, struct px_buf *b);
/* UDPDiscovery may have changed (reload): start or stop it per node. */
void udp_discovery_reconfigure(void);

#endif
