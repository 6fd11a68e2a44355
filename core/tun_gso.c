/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Cutting TSO/USO super-packets into ordinary packets (see tun_gso.h). The
 * headers of every segment are those of the super-packet with what differs
 * per segment rewritten, as the kernel's own software segmentation does:
 * IPv4 ID incremented per segment, TCP FIN/PSH only on the last segment and
 * CWR only on the first, sequence numbers advanced by the payload before.
 */
#include <string.h>

#include "inet_csum.h"
#include "tun_gso.h"

#define PROTO_TCP 6
#define PROTO_UDP 17

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint16_t get16(const uint8_t *p) {
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p) {
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put32(uint8_t *p, uint32_t v) {
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int tun_l3_offset(const uint8_t *frame, size_t len) {
	if (len < 14)
		return -1;
	size_t off = 12;
	uint16_t type = get16(frame + off);
	if (type == 0x8100) {
		if (len < 18)
			return -1;
		off += 4;
		type = get16(frame + off);
	}
	if (type != 0x0800 && type != 0x86dd)
		return -1;
	return (int)off + 2;
}

/* Where the TCP/UDP header of an IP packet at l3 starts, or 0 if the packet
 * is not one we can cut. IPv6 extension headers are skipped by trusting the
 * kernel's csum_start, which points at the transport header. */
static size_t find_l4(const struct tun_vnet_hdr *h, const uint8_t *pkt, size_t len, size_t l3, bool v6,
                      uint8_t proto) {
	if (!v6) {
		if (len < l3 + 20 || (pkt[l3] >> 4) != 4)
			return 0;
		size_t ihl = (size_t)(pkt[l3] & 0x0f) * 4;
		if (ihl < 20 || pkt[l3 + 9] != proto)
			return 0;
		return l3 + ihl;
	}
	if (len < l3 + 40 || (pkt[l3] >> 4) != 6)
		return 0;
	if (pkt[l3 + 6] == proto)
		return l3 + 40;
	if ((h->flags & TUN_VNET_F_NEEDS_CSUM) && h->csum_start > l3 + 40)
		return h->csum_start;
	return 0;
}

int tun_gso_start(struct tun_gso *g, const struct tun_vnet_hdr *h, const uint8_t *pkt, size_t len,
                  size_t l3) {
	memset(g, 0, sizeof *g);
	if (len > TUN_GSO_MAX || l3 >= len || !h->gso_size)
		return -1;
	switch (h->gso_type & ~TUN_GSO_ECN) {
	case TUN_GSO_TCPV4:
		g->tcp = true;
		break;
	case TUN_GSO_TCPV6:
		g->tcp = g->v6 = true;
		break;
	case TUN_GSO_UDP_L4:
		g->v6 = (pkt[l3] >> 4) == 6;
		break;
	default:
		return -1;
	}
	g->l4 = find_l4(h, pkt, len, l3, g->v6, g->tcp ? PROTO_TCP : PROTO_UDP);
	if (!g->l4)
		return -1;
	size_t l4hlen = 8;
	if (g->tcp) {
		if (len < g->l4 + 20)
			return -1;
		l4hlen = (size_t)(pkt[g->l4 + 12] >> 4) * 4;
		if (l4hlen < 20)
			return -1;
	}
	g->hlen = g->l4 + l4hlen;
	if (g->hlen >= len)
		return -1;
	g->pkt = pkt;
	g->len = len;
	g->l3 = l3;
	g->mss = h->gso_size;
	size_t payload = len - g->hlen;
	return (int)((payload + g->mss - 1) / g->mss);
}

size_t tun_gso_max_segment(const struct tun_gso *g) {
	size_t payload = g->len - g->hlen;
	return g->hlen + (payload < g->mss ? payload : g->mss);
}

long tun_gso_next(struct tun_gso *g, uint8_t *out, size_t cap) {
	size_t payload = g->len - g->hlen;
	if (g->off >= payload)
		return 0;
	size_t plen = payload - g->off < g->mss ? payload - g->off : g->mss;
	bool last = g->off + plen == payload;
	size_t seglen = g->hlen + plen;
	if (seglen > cap)
		return -1;
	memcpy(out, g->pkt, g->hlen);
	memcpy(out + g->hlen, g->pkt + g->hlen + g->off, plen);

	uint8_t *ip = out + g->l3;
	uint32_t l4len = (uint32_t)(seglen - g->l4);
	if (g->v6) {
		inet_csum_store(ip + 4, (uint16_t)(seglen - g->l3 - 40));
	} else {
		inet_csum_store(ip + 2, (uint16_t)(seglen - g->l3));
		inet_csum_store(ip + 4, (uint16_t)(get16(ip + 4) + g->index));
		inet_csum_ipv4_header(ip);
	}

	uint8_t *l4 = out + g->l4;
	uint8_t *csum;
	if (g->tcp) {
		put32(l4 + 4, get32(l4 + 4) + (uint32_t)g->off);
		if (!last)
			l4[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		if (g->index)
			l4[13] &= (uint8_t)~TCP_CWR;
		csum = l4 + 16;
	} else {
		inet_csum_store(l4 + 4, (uint16_t)l4len);
		csum = l4 + 6;
	}
	csum[0] = csum[1] = 0;
	uint64_t sum = inet_csum_pseudo(ip, g->v6, g->tcp ? PROTO_TCP : PROTO_UDP, l4len);
	uint16_t c = (uint16_t)~inet_csum_fold(inet_csum_add(sum, l4, l4len));
	if (!g->tcp && !c)
		c = 0xffff; /* zero means "no checksum" in UDP */
	inet_csum_store(csum, c);

	g->off += plen;
	g->index++;
	return (long)seglen;
}

bool tun_csum_complete(uint8_t *pkt, size_t len, const struct tun_vnet_hdr *h) {
	if (!(h->flags & TUN_VNET_F_NEEDS_CSUM))
		return true;
	size_t start = h->csum_start, at = start + h->csum_offset;
	if (start >= len || at + 2 > len)
		return false;
	uint16_t c = (uint16_t)~inet_csum_fold(inet_csum_add(0, pkt + start, len - start));
	/* as the kernel does: a zero result is sent as 0xffff, which for TCP is
	 * the same value and for UDP is the only correct one */
	inet_csum_store(pkt + at, c ? c : 0xffff);
	return true;
}
