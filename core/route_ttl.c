/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * DecrementTTL: a node that passes an IP packet on counts as a router hop.
 * The TTL (IPv4) or hop limit (IPv6) is lowered by one; a packet that
 * arrives with 1 or 0 left is dropped and answered with "time exceeded",
 * sent from the address this machine would use to reach the sender, so
 * that traceroute shows the hop. Frames of other types pass unchanged.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "route_internal.h"

#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_EXC_TTL       0
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_EXC_HOPLIMIT  0

/* The local address the kernel would pick to reach `dst` (4 or 16 bytes),
 * found by connecting a UDP socket (no packet is sent). False if there is
 * no route. */
static bool local_address_towards(int family, const uint8_t *dst, uint8_t *out) {
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		memcpy(&sin->sin_addr, dst, 4);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(9);
		memcpy(&sin6->sin6_addr, dst, 16);
		len = sizeof(*sin6);
	}

	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool ok = !connect(fd, (struct sockaddr *)&ss, len) && !getsockname(fd, (struct sockaddr *)&ss, &len);
	close(fd);
	if (!ok)
		return false;
	if (family == AF_INET)
		memcpy(out, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	else
		memcpy(out, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	return true;
}

bool route_decrement_ttl(node_t *source, struct px_buf *b, void (*reply)(node_t *, struct px_buf *)) {
	if (b->len < PX_ETH_HLEN)
		return false;
	size_t eth = PX_ETH_HLEN;
	uint16_t type = frame_ethertype(b);
	if (type == ETHERTYPE_VLAN) {
		if (b->len < PX_ETH_HLEN + VLAN_TAG_LEN)
			return false;
		type = rd16(b->data + 16);
		eth += VLAN_TAG_LEN;
	}

	if (type == ETHERTYPE_IPV4) {
		if (b->len < eth + IPV4_HLEN)
			return false;
		uint8_t *ip = b->data + eth;
		if (ip[8] <= 1) {
			/* The ICMP builders work on an untagged frame. */
			uint8_t from[4];
			if (eth == PX_ETH_HLEN && ipv4_header_ok(b) &&
			    icmp4_error_from(b, ICMP4_TIME_EXCEEDED, ICMP4_EXC_TTL,
			                     local_address_towards(AF_INET, ip + 12, from) ? from : NULL))
				reply(source, b);
			return false;
		}
		uint16_t old_word = rd16(ip + 8);
		ip[8]--;
		wr16(ip + 10, csum_replace16(rd16(ip + 10), old_word, rd16(ip + 8)));
		return true;
	}

	if (type == ETHERTYPE_IPV6) {
		if (b->len < eth + IPV6_HLEN)
			return false;
		uint8_t *ip = b->data + eth;
		if (ip[7] <= 1) {
			uint8_t from[16];
			if (eth == PX_ETH_HLEN && ipv6_header_ok(b) &&
			    icmp6_error_from(b, ICMP6_TIME_EXCEEDED, ICMP6_EXC_HOPLIMIT, 0,
			                     local_address_towards(AF_INET6, ip + 8, from) ? from : NULL))
				reply(source, b);
			return false;
		}
		ip[7]--;
		return true;
	}

	return true;
}
