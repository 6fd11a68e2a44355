/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * TCP receive coalescing for TUN/TAP (see tun_gro.h). A segment is appended
 * to a held flow only where the kernel's GRO would append it: same
 * addresses, ports, IP TOS/TTL/DF and, without DF, the next IPv4 ID
 * (IPv6: traffic class, flow label, hop limit), TCP ACK number, window and options, the next sequence number,
 * no flags but ACK (PSH closes the run), no more payload than the first segment (a shorter one closes the
 * run), and a correct checksum -- once joined, the kernel no longer checks it.
 */
#include <stddef.h>
#include <string.h>

#include "inet_csum.h"
#include "tun_gro.h"

#define PROTO_TCP 6
#define TCP_ACK   0x10
#define TCP_PSH   0x08

static uint16_t get16(const uint8_t *p) {
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p) {
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void tun_gro_init(struct tun_gro *g, tun_gro_emit_fn emit, void *ctx) {
	memset(g, 0, offsetof(struct tun_gro, flows));
	for (int i = 0; i < TUN_GRO_FLOWS; i++)
		g->flows[i].used = false;
	g->emit = emit;
	g->ctx = ctx;
	g->max_len = 65535;
}

/* A parsed TCP packet. */
struct seg {
	const uint8_t *pkt;
	size_t len, l3, l4, hlen;
	bool v6;
	bool candidate; /* may start or extend a super-packet */
};

/* Parse pkt as TCP over IPv4/IPv6 at l3. False if it is something else (or
 * a fragment), which is never held and never flushes a flow. */
static bool parse(struct seg *s, const uint8_t *pkt, size_t len, size_t l3) {
	s->pkt = pkt;
	s->len = len;
	s->l3 = l3;
	s->candidate = true;
	if (len < l3 + 20)
		return false;
	const uint8_t *ip = pkt + l3;
	switch (ip[0] >> 4) {
	case 4: {
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
		if (ihl < 20 || ip[9] != PROTO_TCP || (get16(ip + 6) & 0x3fff))
			return false; /* options are parsed, not joined */
		s->v6 = false;
		s->l4 = l3 + ihl;
		if (ihl != 20 || get16(ip + 2) != len - l3)
			s->candidate = false;
		break;
	}
	case 6:
		if (len < l3 + 40 || ip[6] != PROTO_TCP)
			return false;
		s->v6 = true;
		s->l4 = l3 + 40;
		if (get16(ip + 4) != len - l3 - 40)
			s->candidate = false;
		break;
	default:
		return false;
	}
	if (len < s->l4 + 20)
		return false;
	size_t thl = (size_t)(pkt[s->l4 + 12] >> 4) * 4;
	if (thl < 20 || s->l4 + thl > len)
		return false;
	s->hlen = s->l4 + thl;
	uint8_t flags = pkt[s->l4 + 13];
	if (s->hlen == len || (flags & ~TCP_PSH) != TCP_ACK)
		s->candidate = false;
	return true;
}

static bool same_flow(const struct tun_gro_flow *f, const struct seg *s) {
	if (f->v6 != s->v6 || f->l3 != s->l3 || memcmp(f->buf, s->pkt, s->l3))
		return false;
	const uint8_t *a = f->buf + f->l3, *b = s->pkt + s->l3;
	if (s->v6 ? memcmp(a + 8, b + 8, 32) : memcmp(a + 12, b + 12, 8))
		return false;
	return !memcmp(f->buf + f->l4, s->pkt + s->l4, 4); /* ports */
}

static bool checksum_ok(const struct seg *s) {
	uint32_t l4len = (uint32_t)(s->len - s->l4);
	uint64_t sum = inet_csum_pseudo(s->pkt + s->l3, s->v6, PROTO_TCP, l4len);
	return inet_csum_fold(inet_csum_add(sum, s->pkt + s->l4, l4len)) == 0xffff;
}

/* May s be appended to f (same flow)? */
static bool can_append(const struct tun_gro *g, const struct tun_gro_flow *f, const struct seg *s) {
	size_t plen = s->len - s->hlen;
	if (f->closed || !s->candidate || s->l4 != f->l4 || s->hlen != f->hlen || plen > f->mss ||
	    f->len + plen - f->l3 > g->max_len || f->len + plen > sizeof f->buf)
		return false;
	const uint8_t *a = f->buf + f->l3, *b = s->pkt + s->l3;
	if (s->v6) {
		if (memcmp(a, b, 4) || a[7] != b[7])
			return false;
	} else if (a[1] != b[1] || a[8] != b[8] || (a[6] & 0x40) != (b[6] & 0x40)) {
		return false;
	} else if (!(b[6] & 0x40) && get16(b + 4) != (uint16_t)(get16(a + 4) + f->segs)) {
		return false; /* without DF the IDs must count up, as cutting again makes them */
	}
	const uint8_t *ta = f->buf + f->l4, *tb = s->pkt + s->l4;
	return get32(tb + 4) == f->next_seq && !memcmp(ta + 8, tb + 8, 4) /* ack */ &&
	       !memcmp(ta + 14, tb + 14, 2) /* window */ && !memcmp(ta + 20, tb + 20, f->hlen - f->l4 - 20) &&
	       checksum_ok(s);
}

static void emit_plain(struct tun_gro *g, const uint8_t *pkt, size_t len) {
	static const struct tun_vnet_hdr none;
	g->emit(g->ctx, &none, pkt, len);
}

/* Emit what f holds: as it came if it is one segment, else as a
 * super-packet with lengths for the whole and the checksum left to the
 * kernel (the field holds the pseudo-header sum). */
static void flush_flow(struct tun_gro *g, struct tun_gro_flow *f) {
	if (!f->used)
		return;
	f->used = false;
	if (f->segs == 1) {
		emit_plain(g, f->buf, f->len);
		return;
	}
	uint8_t *ip = f->buf + f->l3;
	if (f->v6) {
		inet_csum_store(ip + 4, (uint16_t)(f->len - f->l3 - 40));
	} else {
		inet_csum_store(ip + 2, (uint16_t)(f->len - f->l3));
		inet_csum_ipv4_header(ip);
	}
	uint32_t l4len = (uint32_t)(f->len - f->l4);
	inet_csum_store(f->buf + f->l4 + 16, inet_csum_fold(inet_csum_pseudo(ip, f->v6, PROTO_TCP, l4len)));
	struct tun_vnet_hdr h = {
	    .flags = TUN_VNET_F_NEEDS_CSUM,
	    .gso_type = f->v6 ? TUN_GSO_TCPV6 : TUN_GSO_TCPV4,
	    .hdr_len = (uint16_t)f->hlen,
	    .gso_size = (uint16_t)f->mss,
	    .csum_start = (uint16_t)f->l4,
	    .csum_offset = 16,
	};
	g->written++;
	g->emit(g->ctx, &h, f->buf, f->len);
}

void tun_gro_flush(struct tun_gro *g) {
	for (int i = 0; i < TUN_GRO_FLOWS; i++)
		flush_flow(g, &g->flows[i]);
}

static void append(struct tun_gro_flow *f, const struct seg *s) {
	size_t plen = s->len - s->hlen;
	memcpy(f->buf + f->len, s->pkt + s->hlen, plen);
	f->len += plen;
	f->next_seq += (uint32_t)plen;
	f->segs++;
	if (s->pkt[s->l4 + 13] & TCP_PSH) {
		f->buf[f->l4 + 13] |= TCP_PSH;
		f->closed = true;
	}
	if (plen < f->mss)
		f->closed = true;
}

static void start_flow(struct tun_gro *g, const struct seg *s) {
	struct tun_gro_flow *f = NULL;
	for (int i = 0; i < TUN_GRO_FLOWS && !f; i++)
		if (!g->flows[i].used)
			f = &g->flows[i];
	if (!f) {
		tun_gro_flush(g);
		f = &g->flows[0];
	}
	f->used = true;
	f->closed = false;
	f->v6 = s->v6;
	f->l3 = s->l3;
	f->l4 = s->l4;
	f->hlen = s->hlen;
	f->len = s->len;
	f->mss = s->len - s->hlen;
	f->next_seq = get32(s->pkt + s->l4 + 4) + (uint32_t)f->mss;
	f->segs = 1;
	memcpy(f->buf, s->pkt, s->len);
}

void tun_gro_push(struct tun_gro *g, const uint8_t *pkt, size_t len, int l3) {
	struct seg s;
	if (l3 < 0 || len > TUN_GSO_MAX || !parse(&s, pkt, len, (size_t)l3)) {
		emit_plain(g, pkt, len);
		return;
	}
	for (int i = 0; i < TUN_GRO_FLOWS; i++) {
		struct tun_gro_flow *f = &g->flows[i];
		if (!f->used || !same_flow(f, &s))
			continue;
		if (can_append(g, f, &s)) {
			append(f, &s);
			g->coalesced++;
			return;
		}
		flush_flow(g, f);
		break;
	}
	/* PSH ends a run before it starts; a bad checksum is the kernel's to drop */
	if (!s.candidate || (pkt[s.l4 + 13] & TCP_PSH) || !checksum_ok(&s)) {
		emit_plain(g, pkt, len);
		return;
	}
	start_flow(g, &s);
}
