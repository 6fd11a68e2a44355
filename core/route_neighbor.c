/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Address resolution in router mode on a TAP device. The kernel sees an
 * Ethernet link and asks (ARP, IPv6 neighbour discovery) for the MAC of
 * every next hop; for addresses in other nodes' subnets we answer with our
 * own made-up MAC, so that the kernel hands those packets to us.
 */
#include <string.h>

#include "logger.h"
#include "route.h"
#include "route_internal.h"
#include "subnet.h"

#define NS_LEN               24           /* type, code, checksum, reserved, target */
#define NA_LEN               (NS_LEN + 8) /* plus the target link-layer address option */
#define ND_OPT_TARGET_LLADDR 2
#define NA_FLAG_SOLICITED    0x40
#define NA_FLAG_OVERRIDE     0x20

const uint8_t route_router_mac[MAC_LEN] = {0xfe, 0xfd, 0, 0, 0, 0};

/* True if `addr` belongs to another node, i.e. we should answer for it. */
static bool owned_by_other_node(const struct subnet *s) {
	return s && s->owner != myself;
}

void answer_arp(struct px_buf *b) {
	if (b->len < PX_ETH_HLEN + ARP_IPV4_LEN)
		return;

	uint8_t *arp = b->data + PX_ETH_HLEN;
	if (rd16(arp) != 1 || rd16(arp + 2) != ETHERTYPE_IPV4 || arp[4] != MAC_LEN || arp[5] != 4 ||
	    rd16(arp + 6) != 1)
		return; /* not an Ethernet/IPv4 request */

	uint8_t asked[4], sender_mac[MAC_LEN], sender_ip[4];
	memcpy(asked, arp + 24, 4);
	const struct subnet *s = subnet_lookup_ipv4(asked);
	if (!s)
		logger(PX_LOG_TRAFFIC, LOG_WARNING,
		       "Cannot route packet: ARP request for unknown address %d.%d.%d.%d", asked[0], asked[1],
		       asked[2], asked[3]);
	if (!owned_by_other_node(s))
		return;

	memcpy(sender_mac, arp + 8, MAC_LEN);
	memcpy(sender_ip, arp + 14, 4);
	wr16(arp + 6, 2); /* reply */
	memcpy(arp + 8, route_router_mac, MAC_LEN);
	memcpy(arp + 14, asked, 4);
	memcpy(arp + 18, sender_mac, MAC_LEN);
	memcpy(arp + 24, sender_ip, 4);
	memcpy(b->data, b->data + MAC_LEN, MAC_LEN);
	memcpy(b->data + MAC_LEN, route_router_mac, MAC_LEN);
	b->len = PX_ETH_HLEN + ARP_IPV4_LEN;
	route_io.to_device(b);
}

bool is_neighbor_solicitation(const struct px_buf *b) {
	const uint8_t *ip = b->data + PX_ETH_HLEN;
	return ip[6] == IPPROTO_ICMPV6_ && b->len > PX_ETH_HLEN + IPV6_HLEN &&
	       ip[IPV6_HLEN] == ICMP6_NEIGHBOR_SOLICIT;
}

void answer_neighbor_solicitation(struct px_buf *b) {
	uint8_t *ip = b->data + PX_ETH_HLEN, *icmp = ip + IPV6_HLEN;
	static const uint8_t any[16];

	if (b->len < PX_ETH_HLEN + IPV6_HLEN + NS_LEN || icmp[1] != 0 || ip[7] != 255)
		return; /* truncated or not a valid solicitation (RFC 4861 7.1.1) */
	if (!memcmp(ip + 8, any, 16))
		return; /* duplicate address detection: not ours to answer */

	uint8_t *base = b->base ? b->base : b->data;
	size_t cap = b->base ? b->cap : b->len;
	if ((size_t)(b->data - base) + PX_ETH_HLEN + IPV6_HLEN + NA_LEN > cap)
		return;

	uint8_t target[16], asker[16];
	memcpy(target, icmp + 8, 16);
	memcpy(asker, ip + 8, 16);
	const struct subnet *s = subnet_lookup_ipv6(target);
	if (!s)
		logger(PX_LOG_TRAFFIC, LOG_WARNING,
		       "Cannot route packet: neighbor solicitation for unknown address");
	if (!owned_by_other_node(s))
		return;

	memcpy(b->data, b->data + MAC_LEN, MAC_LEN);
	memcpy(b->data + MAC_LEN, route_router_mac, MAC_LEN);

	wr16(ip + 4, NA_LEN);
	ip[7] = 255;
	memcpy(ip + 8, target, 16);
	memcpy(ip + 24, asker, 16);

	memset(icmp, 0, NA_LEN);
	icmp[0] = ICMP6_NEIGHBOR_ADVERT;
	icmp[4] = NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE;
	memcpy(icmp + 8, target, 16);
	icmp[24] = ND_OPT_TARGET_LLADDR;
	icmp[25] = 1; /* in units of 8 bytes */
	memcpy(icmp + 26, route_router_mac, MAC_LEN);

	uint32_t sum = csum_add(0, ip + 8, 32) + NA_LEN + IPPROTO_ICMPV6_;
	wr16(icmp + 2, csum_finish(csum_add(sum, icmp, NA_LEN)));
	b->len = PX_ETH_HLEN + IPV6_HLEN + NA_LEN;
	route_io.to_device(b);
}
