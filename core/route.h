/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Routing of VPN frames by Mode: router (IPv4/IPv6 subnet lookup, ICMP
 * errors, MSS clamping), switch (MAC learning and flooding) and hub.
 */
#ifndef PX_ROUTE_H
#define PX_ROUTE_H

#include <plexus/plugin.h>

#include "node.h"

/* Route one Ethernet frame (b->data, b->len) that came from `source`
 * (myself = read from our device). Calls send_packet(), broadcast_packet()
 * or device_write() as needed; may rewrite the frame in place (MSS clamp,
 * TTL) or answer with an ICMP error towards the source. */
void route_packet(node_t *source, struct px_buf *b);
/* Switch mode: expire learned MAC addresses (called every few seconds). */
void route_age_macs(void);

/* Provided by net_packet.c. */
/* Send a frame to `to` (UDP via crypto, or TCP fallback). */
void send_packet(node_t *to, struct px_buf *b);
/* Flood a frame to the nodes the Broadcast setting selects, except `from`'s
 * direction. */
void broadcast_packet(node_t *from, struct px_buf *b);
/* Write a frame to our own device. */
void deliver_to_device(struct px_buf *b);
/* The device, for route.c's MAC learning and ICMP needs. */
struct device;
extern struct device device;

#endif
