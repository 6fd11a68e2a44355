/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Segmentation of TUN/TAP super-packets (TSO/USO, read with a virtio-net
 * header) into the packets the kernel would have sent without offload:
 * each segment gets its own IPv4 ID and length / IPv6 payload length, TCP
 * sequence number and flags, UDP length, and a complete checksum. Pure
 * functions on caller buffers; device.c drives them.
 */
#ifndef PX_TUN_GSO_H
#define PX_TUN_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tun_vnet.h"

/* A super-packet being cut, segment by segment. */
struct tun_gso {
	const uint8_t *pkt;
	size_t len;
	size_t l3, l4, hlen; /* offsets of the IP header, TCP/UDP header, payload */
	size_t mss;          /* payload bytes per segment */
	size_t off;          /* payload offset of the next segment */
	unsigned index;      /* number of the next segment */
	bool v6, tcp;
};

/* The offset of the IP header in an Ethernet frame (14, or 18 behind one
 * VLAN tag), or -1 if the frame is not IPv4/IPv6. */
int tun_l3_offset(const uint8_t *frame, size_t len);

/* Check a super-packet (pkt, len: what followed the virtio-net header; l3:
 * where its IP header starts) and get ready to cut it. Returns the number of
 * segments, or -1 if it is malformed or of a kind we do not cut. */
int tun_gso_start(struct tun_gso *g, const struct tun_vnet_hdr *h, const uint8_t *pkt, size_t len, size_t l3);

/* The length of the largest segment tun_gso_next() writes. */
size_t tun_gso_max_segment(const struct tun_gso *g);

/* Write the next segment into out (cap bytes). Returns its length, 0 when
 * all are written, -1 if it does not fit in cap. */
long tun_gso_next(struct tun_gso *g, uint8_t *out, size_t cap);

/* Complete the partial checksum of a single packet (NEEDS_CSUM without GSO)
 * in place. False if the header points outside the packet. */
bool tun_csum_complete(uint8_t *pkt, size_t len, const struct tun_vnet_hdr *h);

#endif
