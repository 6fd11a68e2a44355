/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The router: decides where each Ethernet frame goes, according to Mode.
 *   router: the IPv4/IPv6 destination selects the owner of the longest
 *           matching subnet; errors go back to the sender as ICMP.
 *   switch: MAC addresses seen on our device are learned and announced;
 *           frames go to the owner of the destination MAC, or are flooded.
 *   hub:    every frame is flooded.
 * Frames are changed in place only (MSS clamp, ICMP replies): no allocation
 * per packet, and per-packet log lines only at level 5 (traffic).
 */
#include <stdio.h>
#include <string.h>

#include "device.h"
#include "event.h"
#include "logger.h"
#include "settings.h"
#include "route.h"
#include "route_internal.h"
#include "subnet.h"

#define DEFAULT_MAC_EXPIRE 600 /* seconds */

/* The kernel interface's MAC, learned from the frames it sends us (TAP in
 * router mode), so that frames we write are addressed to it. */
static uint8_t kernel_mac[MAC_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

enum unreachable_kind { UNREACH_NET, UNREACH_HOST, UNREACH_ADMIN };

static const char *node_name(const node_t *n) {
	return n && n->name ? n->name : "(unknown)";
}

static bool is_multicast_mac(const uint8_t *mac) {
	return mac[0] & 0x01;
}

/* The node we hand packets for `n` to: its static relay, or the first meta
 * hop if we are the relay ourselves. */
static node_t *route_via(node_t *n) {
	return n->via == myself ? n->nexthop : n->via;
}

/* A reply (ICMP) goes to whoever sent the original: our device or a node. */
static void send_back(node_t *source, struct px_buf *b) {
	if (source == myself)
		route_io.to_device(b);
	else
		route_io.send(source, b);
}

/* DecrementTTL: a packet passed on by us (not from our own device, not for
 * us) costs one hop; false if it had none left (answered, dropped). */
static bool take_hop(node_t *source, node_t *owner, struct px_buf *b) {
	if (!settings.decrement_ttl || source == myself || owner == myself)
		return true;
	return route_decrement_ttl(source, b, send_back);
}

/* Broadcasts count as a hop too, as tinc does. */
static void route_broadcast(node_t *source, struct px_buf *b) {
	if (take_hop(source, NULL, b))
		route_io.broadcast(source, b);
}

/* PriorityInheritance: the outer datagram carries the inner packet's TOS
 * (IPv4) or traffic class (IPv6); the datagram transport applies it. */
static void inherit_priority(struct px_buf *b, uint16_t type) {
	if (!settings.priority_inheritance)
		return;
	const uint8_t *ip = b->data + PX_ETH_HLEN;
	if (type == ETHERTYPE_IPV4 && b->len >= PX_ETH_HLEN + IPV4_HLEN) {
		b->priority = ip[1];
	} else if (type == ETHERTYPE_IPV6 && b->len >= PX_ETH_HLEN + IPV6_HLEN) {
		b->priority = (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
	} else {
		b->flags &= (uint16_t)~PX_BUF_PRIORITY;
		return;
	}
	b->flags |= PX_BUF_PRIORITY;
}

/* Router mode on a TAP device: the kernel only accepts frames addressed to
 * its interface, and must see a consistent MAC for us. */
static void deliver_routed(struct px_buf *b) {
	if (route_io.device->tap) {
		memcpy(b->data, kernel_mac, MAC_LEN);
		memcpy(b->data + MAC_LEN, route_router_mac, MAC_LEN);
	}
	route_io.to_device(b);
}

static void send_unreachable(node_t *source, struct px_buf *b, bool v6, enum unreachable_kind kind) {
	static const uint8_t code4[] = {ICMP4_NET_UNREACH, ICMP4_HOST_UNREACH, ICMP4_ADMIN_PROHIBITED};
	static const uint8_t code6[] = {ICMP6_NO_ROUTE, ICMP6_ADDR_UNREACH, ICMP6_ADMIN_PROHIBITED};
	bool built = v6 ? icmp6_error(b, ICMP6_DEST_UNREACH, code6[kind], 0)
	                : icmp4_error(b, ICMP4_DEST_UNREACH, code4[kind], 0);
	if (built)
		send_back(source, b);
}

/* tinc never lets frames larger than max(mtu, 590) (IPv4) or max(mtu, 1294)
 * (IPv6) go to a node. Returns true if it dealt with b (answered with
 * "fragmentation needed"/"packet too big" or dropped it). IPv4 without DF is
 * passed on unfragmented: the sender side falls back to TCP for big frames
 * (fragmenting it ourselves is not implemented). */
static bool handle_too_big(node_t *source, node_t *via, struct px_buf *b, uint16_t type) {
	if (type == ETHERTYPE_IPV4) {
		uint32_t limit = via->mtu > ROUTE_MIN_MTU_IPV4 ? (uint32_t)via->mtu : ROUTE_MIN_MTU_IPV4;
		if (b->len <= limit || !ipv4_header_ok(b))
			return false;
		if (!(b->data[PX_ETH_HLEN + 6] & 0x40)) /* DF clear */
			return false;
		logger(PX_LOG_TRAFFIC, LOG_INFO, "Packet for %s (%u bytes) larger than MTU %u, sending ICMP",
		       node_name(via), (unsigned)b->len, (unsigned)limit);
		if (icmp4_error(b, ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED, (uint16_t)(limit - PX_ETH_HLEN)))
			send_back(source, b);
		return true;
	}
	if (type == ETHERTYPE_IPV6) {
		uint32_t limit = via->mtu > ROUTE_MIN_MTU_IPV6 ? (uint32_t)via->mtu : ROUTE_MIN_MTU_IPV6;
		if (b->len <= limit || !ipv6_header_ok(b))
			return false;
		logger(PX_LOG_TRAFFIC, LOG_INFO,
		       "Packet for %s (%u bytes) larger than MTU %u, sending ICMPv6", node_name(via),
		       (unsigned)b->len, (unsigned)limit);
		if (icmp6_error(b, ICMP6_PACKET_TOO_BIG, 0, limit - PX_ETH_HLEN))
			send_back(source, b);
		return true;
	}
	return false;
}

/* Clamp the MSS of TCP SYNs to the smallest MTU of the remote nodes
 * involved: the one the packet goes to, and the one it came from (whose
 * MSS tells our side how big its segments towards it may be). */
static void clamp_for(node_t *source, node_t *via, struct px_buf *b) {
	if (!settings.clamp_mss)
		return;

	int mtu = PX_MTU;
	bool wanted = false;
	node_t *ends[2] = {source != myself ? route_via(source) : NULL, via};

	for (int i = 0; i < 2; i++) {
		node_t *n = ends[i];
		if (!n || n == myself)
			continue;
		if (n->options & PX_OPTION_CLAMP_MSS)
			wanted = true;
		if (n->mtu > 0 && n->mtu < mtu)
			mtu = n->mtu;
	}
	if (wanted)
		clamp_mss(b, mtu);
}

/* Router mode, a unicast IP packet whose destination subnet is known. */
static void route_ip_unicast(node_t *source, struct px_buf *b, const struct subnet *s, bool v6) {
	node_t *owner = s->owner;

	if (owner == myself) {
		if (source == myself) {
			logger(PX_LOG_TRAFFIC, LOG_WARNING, "Packet looping back to %s", node_name(source));
			return;
		}
		clamp_for(source, myself, b);
		deliver_routed(b);
		return;
	}
	if (owner == source) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Packet looping back to %s", node_name(source));
		return;
	}
	if (!owner->reachable) {
		logger(PX_LOG_TRAFFIC, LOG_INFO, "Cannot route packet from %s: node %s is unreachable",
		       node_name(source), node_name(owner));
		send_unreachable(source, b, v6, UNREACH_HOST);
		return;
	}
	if (settings.forwarding == FMODE_OFF && source != myself) {
		logger(PX_LOG_TRAFFIC, LOG_INFO, "Not forwarding packet from %s to %s (Forwarding = off)",
		       node_name(source), node_name(owner));
		return;
	}
	if (!take_hop(source, owner, b))
		return;
	inherit_priority(b, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);

	node_t *via = route_via(owner);
	if (!via || via == source) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Routing loop for packet from %s", node_name(source));
		return;
	}
	if (settings.direct_only && via != owner) {
		send_unreachable(source, b, v6, UNREACH_ADMIN);
		return;
	}
	if (via != myself && handle_too_big(source, via, b, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4))
		return;

	clamp_for(source, via, b);
	route_io.send(owner, b);
}

static bool ipv4_is_multicast_or_broadcast(const uint8_t *a) {
	return (a[0] & 0xf0) == 0xe0 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

static void route_ipv4(node_t *source, struct px_buf *b) {
	if (!ipv4_header_ok(b)) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Got truncated or malformed IPv4 packet from %s",
		       node_name(source));
		return;
	}

	const uint8_t *dst = b->data + PX_ETH_HLEN + 16;
	if (settings.broadcast_mode && ipv4_is_multicast_or_broadcast(dst)) {
		route_broadcast(source, b);
		return;
	}

	const struct subnet *s = subnet_lookup_ipv4(dst);
	if (!s) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING,
		       "Cannot route packet from %s: unknown IPv4 destination address %d.%d.%d.%d",
		       node_name(source), dst[0], dst[1], dst[2], dst[3]);
		send_unreachable(source, b, false, UNREACH_NET);
		return;
	}
	if (!s->owner) { /* BroadcastSubnet */
		route_broadcast(source, b);
		return;
	}
	route_ip_unicast(source, b, s, false);
}

static void format_ipv6(const uint8_t *a, char *out, size_t len) {
	snprintf(out, len, "%x:%x:%x:%x:%x:%x:%x:%x", rd16(a), rd16(a + 2), rd16(a + 4), rd16(a + 6),
	         rd16(a + 8), rd16(a + 10), rd16(a + 12), rd16(a + 14));
}

static void route_ipv6(node_t *source, struct px_buf *b) {
	if (!ipv6_header_ok(b)) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Got truncated or malformed IPv6 packet from %s",
		       node_name(source));
		return;
	}

	if (is_neighbor_solicitation(b)) {
		if (source == myself)
			answer_neighbor_solicitation(b);
		return;
	}

	const uint8_t *dst = b->data + PX_ETH_HLEN + 24;
	if (settings.broadcast_mode && dst[0] == 0xff) {
		route_broadcast(source, b);
		return;
	}

	const struct subnet *s = subnet_lookup_ipv6(dst);
	if (!s) {
		char addr[48];
		format_ipv6(dst, addr, sizeof(addr));
		logger(PX_LOG_TRAFFIC, LOG_WARNING,
		       "Cannot route packet from %s: unknown IPv6 destination address %s", node_name(source),
		       addr);
		send_unreachable(source, b, true, UNREACH_NET);
		return;
	}
	if (!s->owner) { /* BroadcastSubnet */
		route_broadcast(source, b);
		return;
	}
	route_ip_unicast(source, b, s, true);
}

static void route_router(node_t *source, struct px_buf *b, uint16_t type) {
	if (source == myself && route_io.device->tap)
		memcpy(kernel_mac, b->data + MAC_LEN, MAC_LEN);

	switch (type) {
	case ETHERTYPE_IPV4:
		route_ipv4(source, b);
		break;
	case ETHERTYPE_IPV6:
		route_ipv6(source, b);
		break;
	case ETHERTYPE_ARP:
		if (source == myself)
			answer_arp(b);
		break;
	default:
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Cannot route packet from %s: unknown type %hx",
		       node_name(source), type);
		break;
	}
}

static uint64_t mac_expiry_from_now(void) {
	int secs = settings.mac_expire > 0 ? settings.mac_expire : DEFAULT_MAC_EXPIRE;
	return now_ms() + (uint64_t)secs * 1000;
}

/* Switch mode: a frame from our device proves that its source MAC lives on
 * our side. Claim it (announced to everyone) or refresh the claim. */
static void learn_mac(const uint8_t *mac) {
	if (is_multicast_mac(mac))
		return;

	struct subnet *s = subnet_lookup_mac(mac);
	if (!s || s->owner != myself) {
		struct subnet key = {.type = SUBNET_MAC, .prefix = 48, .weight = SUBNET_DEFAULT_WEIGHT};
		memcpy(key.addr, mac, MAC_LEN);
		s = subnet_find(myself, &key);
	}
	if (s) {
		if (s->expires_ms) /* configured MAC subnets never expire */
			s->expires_ms = mac_expiry_from_now();
		return;
	}

	s = subnet_new();
	if (!s)
		return;
	s->type = SUBNET_MAC;
	s->prefix = 48;
	s->weight = SUBNET_DEFAULT_WEIGHT;
	memcpy(s->addr, mac, MAC_LEN);
	s->expires_ms = mac_expiry_from_now();
	subnet_add(myself, s);
	subnet_cache_flush();
	logger(PX_LOG_TRAFFIC, LOG_INFO, "Learned new MAC address %02x:%02x:%02x:%02x:%02x:%02x", mac[0],
	       mac[1], mac[2], mac[3], mac[4], mac[5]);
	route_io.announce_subnet(s, true);
}

static void route_switch(node_t *source, struct px_buf *b, uint16_t type) {
	if (source == myself)
		learn_mac(b->data + MAC_LEN);

	const uint8_t *dst = b->data;
	const struct subnet *s = is_multicast_mac(dst) ? NULL : subnet_lookup_mac(dst);
	if (!s || !s->owner) { /* unknown, or a BroadcastSubnet */
		route_broadcast(source, b);
		return;
	}

	node_t *owner = s->owner;
	if (owner == myself) {
		if (source != myself)
			route_io.to_device(b);
		return;
	}
	if (owner == source) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Packet looping back to %s", node_name(source));
		return;
	}
	if (!owner->reachable)
		return;
	if (settings.forwarding == FMODE_OFF && source != myself)
		return;
	if (!take_hop(source, owner, b))
		return;
	inherit_priority(b, type);

	node_t *via = route_via(owner);
	if (!via || via == source) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Routing loop for packet from %s", node_name(source));
		return;
	}
	if (settings.direct_only && via != owner)
		return;
	if (via != myself && handle_too_big(source, via, b, type))
		return;

	clamp_for(source, via, b);
	route_io.send(owner, b);
}

void route_packet(node_t *source, struct px_buf *b) {
	if (b->flags & PX_BUF_PROBE)
		return;
	if (route_capture)
		route_capture(b->data, b->len);
	if (b->len < PX_ETH_HLEN) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Got too short packet (%u bytes) from %s",
		       (unsigned)b->len, node_name(source));
		return;
	}

	uint16_t type = frame_ethertype(b);
	if (type == ETHERTYPE_PROBE)
		return; /* an MTU probe that reached us as data: never route it */

	/* Forwarding = kernel: the OS routes whatever other nodes send us. */
	if (settings.forwarding == FMODE_KERNEL && source != myself) {
		if (settings.mode == RMODE_ROUTER)
			deliver_routed(b);
		else
			route_io.to_device(b);
		return;
	}

	switch (settings.mode) {
	case RMODE_ROUTER:
		route_router(source, b, type);
		break;
	case RMODE_SWITCH:
		route_switch(source, b, type);
		break;
	case RMODE_HUB:
		route_broadcast(source, b);
		break;
	}
}

void route_age_macs(void) {
	if (!myself)
		return;

	uint64_t now = now_ms();
	bool expired = false;
	struct subnet *s, *tmp;

	list_for_each_entry_safe(s, tmp, &myself->subnets, owner_link) {
		if (s->type != SUBNET_MAC || !s->expires_ms || s->expires_ms > now)
			continue;
		logger(PX_LOG_PROTOCOL, LOG_INFO, "MAC address %02x:%02x:%02x:%02x:%02x:%02x expired",
		       s->addr[0], s->addr[1], s->addr[2], s->addr[3], s->addr[4], s->addr[5]);
		route_io.forget_subnet(s);
		expired = true;
	}
	if (expired)
		subnet_cache_flush();
}
