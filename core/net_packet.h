/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The data path (net_packet.c): device I/O, datagrams in and out, packet
 * batches, PMTU probes, relaying, and the listening sockets. */
#ifndef PX_NET_PACKET_H
#define PX_NET_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plexus/plugin.h>

#include "connection.h"
#include "device.h"
#include "node.h"
#include "pmtu.h"

void send_packet(node_t *to, struct px_buf *b);        /* UDP via crypto, or TCP */
void broadcast_packet(node_t *from, struct px_buf *b); /* per Broadcast */
void deliver_to_device(struct px_buf *b);
extern struct device device;
void tx_flush(void);
void mtu_probe_start(node_t *n);
void mtu_probe_stop(node_t *n);
void mtu_probe_restart(node_t *n);                                   /* probe again now (new address) */
void receive_frame(node_t *from, struct px_buf *b);                  /* decrypted frame in */
void receive_tcppacket(conn_t *c, const uint8_t *frame, size_t len); /* meta sink's frame */
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

/* The TCP fallback in the binary SPTPS_PACKET form (protocol minor 7),
 * which sptps_tcp.c provides and the wiring hands over. Each returns false
 * where the form does not apply; the data path then sends a PACKET, or
 * gives up relaying. */
struct sptps_tcp_io {
	bool (*send_frame)(node_t *to, const struct px_buf *b);
	bool (*relay)(node_t *to, const uint8_t src_id[6], const uint8_t *dgram, size_t len);
};
void net_packet_set_sptps_tcp(const struct sptps_tcp_io *io);

/* tinc 1.1's relay hints (UDP_INFO, MTU_INFO), which protocol_info.c
 * sends and the wiring hands over: an SPTPS datagram from `origin` did not
 * come straight from it, and we are its destination or origin's static
 * relay; a relayed datagram for us came from `hop`. */
struct relay_hint_io {
	void (*udp_info)(node_t *origin);
	void (*mtu_info)(node_t *hop);
};
void net_packet_set_relay_hints(const struct relay_hint_io *io);

/* The listening sockets, which net_setup.c opens. */
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

/* For the host table (plugin_host.c). */
void deliver_packets(node_t *from, struct px_buf *bufs, unsigned n);
void dgram_input(struct px_plugin *p, void *sock, struct px_buf *bufs, unsigned n);
void node_key_changed(node_t *n, bool valid);
int relay_datagram(node_t *to, struct px_buf *b);

#endif
