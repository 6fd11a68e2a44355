/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Pieces shared by the router's files (route.c, route_icmp.c, route_mss.c,
 * route_neighbor.c):
 * frame layout constants, Internet checksums, ICMP error builders, ARP/NDP
 * answers and TCP MSS clamping. Not for use outside route*.c.
 */
#ifndef PX_ROUTE_INTERNAL_H
#define PX_ROUTE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plexus/plugin.h>
#include <plexus/wire.h>

#include "route.h"

/* Set by route_set_io() and route_set_capture() (route_io.c). */
extern struct route_io route_io;
extern route_capture_fn *route_capture;

#define ETHERTYPE_PROBE 0x0000
#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_ARP   0x0806
#define ETHERTYPE_VLAN  0x8100
#define ETHERTYPE_IPV6  0x86DD

#define MAC_LEN      6
#define VLAN_TAG_LEN 4
#define IPV4_HLEN    20 /* without options */
#define IPV6_HLEN    40
#define ICMP_HLEN    8  /* ICMP and ICMPv6 error headers alike */
#define TCP_HLEN     20 /* without options */
#define ARP_IPV4_LEN 28

#define IPPROTO_ICMP_   1
#define IPPROTO_TCP_    6
#define IPPROTO_ICMPV6_ 58

/* ICMP types and codes we generate. */
#define ICMP4_DEST_UNREACH     3
#define ICMP4_NET_UNREACH      0
#define ICMP4_HOST_UNREACH     1
#define ICMP4_FRAG_NEEDED      4
#define ICMP4_ADMIN_PROHIBITED 13
#define ICMP6_DEST_UNREACH     1
#define ICMP6_NO_ROUTE         0
#define ICMP6_ADMIN_PROHIBITED 1
#define ICMP6_ADDR_UNREACH     3
#define ICMP6_PACKET_TOO_BIG   2
#define ICMP6_NEIGHBOR_SOLICIT 135
#define ICMP6_NEIGHBOR_ADVERT  136

/* Smallest frames tinc never refuses for size reasons: 576 + 14 and 1280 + 14. */
#define ROUTE_MIN_MTU_IPV4 590
#define ROUTE_MIN_MTU_IPV6 1294
/* ICMPv6 errors must fit in the minimum IPv6 MTU. */
#define ICMP6_MAX_ERROR_LEN 1280
/* At most this many ICMP errors are generated per second. */
#define ICMP_MAX_PER_SECOND 3

static inline uint16_t rd16(const uint8_t *p) {
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v) {
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t frame_ethertype(const struct px_buf *b) {
	return rd16(b->data + 12);
}

/* Internet checksum (RFC 1071) pieces: accumulate big-endian 16-bit words
 * (an odd trailing byte is padded with zero), then fold and complement. */
uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t csum_finish(uint32_t sum);
/* Incremental update of a checksum field after one 16-bit word changed
 * from old_word to new_word (RFC 1624, eqn. 3). */
uint16_t csum_replace16(uint16_t check, uint16_t old_word, uint16_t new_word);

/* Header sanity: true if b holds a whole IPv4 header (with options) / a whole
 * fixed IPv6 header after the 14-byte Ethernet header. */
bool ipv4_header_ok(const struct px_buf *b);
bool ipv6_header_ok(const struct px_buf *b);

/* Turn the IPv4 packet in b (header validated by ipv4_header_ok()) into an
 * ICMP error about it, in place: swapped MACs and addresses, the original
 * header plus 8 bytes quoted, checksums set. `mtu` is the next-hop MTU for
 * "fragmentation needed" (0 otherwise). Returns false, leaving b unchanged,
 * when no error may be sent (about an ICMP error, a non-first fragment,
 * a broadcast/multicast, rate limit hit, no room). */
bool icmp4_error(struct px_buf *b, uint8_t type, uint8_t code, uint16_t mtu);
/* Same for IPv6 (header validated by ipv6_header_ok()); quotes as much of
 * the original as fits in 1280 bytes; `info` is the 32-bit field after the
 * checksum (the MTU for "packet too big"). */
bool icmp6_error(struct px_buf *b, uint8_t type, uint8_t code, uint32_t info);
/* The same, sent from address `from` (4 or 16 bytes; NULL: in the name of
 * the original destination). */
bool icmp4_error_from(struct px_buf *b, uint8_t type, uint8_t code, const uint8_t *from);
bool icmp6_error_from(struct px_buf *b, uint8_t type, uint8_t code, uint32_t info, const uint8_t *from);

/* DecrementTTL (route_ttl.c): lower the TTL/hop limit of an IPv4/IPv6 frame
 * (VLAN-tagged too) by one. Returns false if the frame must be dropped: too
 * short, or no hops left (then "time exceeded" goes to `reply(source, b)`).
 * Other frames pass unchanged (true). */
bool route_decrement_ttl(node_t *source, struct px_buf *b, void (*reply)(node_t *, struct px_buf *));

/* The MAC we claim in router mode on a TAP device (ARP/NDP answers, frames
 * we write to it); locally administered. */
extern const uint8_t route_router_mac[MAC_LEN];
/* Router mode on a TAP device, frames from our device: the kernel resolves
 * addresses of remote subnets; answer with route_router_mac so that it sends
 * those packets to us. Requests for unknown or our own addresses are ignored
 * (the kernel answers for its own). The answer is written to the device. */
void answer_arp(struct px_buf *b);
/* True if b (a valid IPv6 frame) is an ICMPv6 neighbour solicitation. */
bool is_neighbor_solicitation(const struct px_buf *b);
void answer_neighbor_solicitation(struct px_buf *b);

/* If b is an IPv4/IPv6 TCP SYN (optionally VLAN-tagged) whose MSS option
 * would let segments exceed `mtu` (a frame length, Ethernet header included),
 * lower the MSS and patch the TCP checksum. Returns true if it rewrote it. */
bool clamp_mss(struct px_buf *b, int mtu);

#endif
