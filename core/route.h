/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Routing of VPN frames by Mode: router (IPv4/IPv6 subnet lookup, ICMP
 * errors, MSS clamping), switch (MAC learning and flooding) and hub.
 */
#ifndef PX_ROUTE_H
#define PX_ROUTE_H

#include <plexus/plugin.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node.h"

/* Route one Ethernet frame (b->data, b->len) that came from `source`
 * (myself = read from our device). Calls route_io's send, broadcast or
 * to_device as needed; may rewrite the frame in place (MSS clamp,
 * TTL) or answer with an ICMP error towards the source. */
void route_packet(node_t *source, struct px_buf *b);
/* Switch mode: expire learned MAC addresses (called every few seconds). */
void route_age_macs(void);

/* What the router's decisions turn into: given by the daemon's wiring
 * (net_packet.c sends, the protocol announces), so that route*.c only
 * depends on the model below it. */
struct device;
struct subnet;
struct route_io {
	/* Send a frame to `to` (UDP via crypto, or TCP fallback). */
	void (*send)(node_t *to, struct px_buf *b);
	/* Flood a frame to the nodes the Broadcast setting selects, except
	 * `from`'s direction. */
	void (*broadcast)(node_t *from, struct px_buf *b);
	/* Write a frame to our own device. */
	void (*to_device)(struct px_buf *b);
	/* Switch mode: tell the other nodes about a learned MAC address of ours
	 * that is already in the table (add = true: ADD_SUBNET + subnet-up) or
	 * about to leave it (add = false: DEL_SUBNET + subnet-down). Does not
	 * change the table. */
	void (*announce_subnet)(struct subnet *s, bool add);
	/* Announce the removal of one of our subnets and subnet_del() it (s is
	 * freed). Must not remove any other subnet: route_age_macs() walks
	 * myself->subnets while calling it. */
	void (*forget_subnet)(struct subnet *s);
	/* Our device (TAP or TUN), for MAC learning and ARP/NDP answers. */
	const struct device *device;
};
void route_set_io(const struct route_io *io);

/* Packet capture (`plexus pcap`): while set, every frame that enters
 * route_packet() is shown to `capture` first (unchanged, whole). Set and
 * cleared by the capture registry above (control_pcap.c) as capturing
 * clients come and go, so routing costs one branch while nobody captures. */
typedef void route_capture_fn(const uint8_t *frame, size_t len);
void route_set_capture(route_capture_fn *capture);

#endif
