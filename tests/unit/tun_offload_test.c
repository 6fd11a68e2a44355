/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * TUN offload without a kernel: super-packets built by hand are cut by
 * tun_gso.c and every segment's IP/TCP/UDP header and checksum is checked
 * against a plain reference computation; segments are joined again by
 * tun_gro.c and the result must cut back into the same segments. Sizes are
 * drawn from a fixed-seed generator, so a failure repeats. Addresses are
 * from 198.18.0.0/15 and 2001:db8::/32.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tun_gro.h"
#include "tun_gso.h"

#define ACK 0x10
#define PSH 0x08
#define FIN 0x01
#define CWR 0x80

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static uint16_t rd16(const uint8_t *p) {
	return (uint16_t)((p[0] << 8) | p[1]);
}
static uint32_t rd32(const uint8_t *p) {
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static void wr16(uint8_t *p, uint16_t v) {
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void wr32(uint8_t *p, uint32_t v) {
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* The reference: RFC 1071, one 16-bit word at a time, folded as it goes. */
static uint32_t ref_add(uint32_t sum, const uint8_t *p, size_t len) {
	for (size_t i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += (uint32_t)p[len - 1] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

/* True if the TCP/UDP checksum of the segment at l4 (IP header at ip) verifies. */
static bool ref_l4_ok(const uint8_t *ip, bool v6, uint8_t proto, const uint8_t *l4, size_t l4len) {
	uint8_t pseudo[40];
	size_t plen;
	if (v6) {
		memcpy(pseudo, ip + 8, 32);
		wr32(pseudo + 32, (uint32_t)l4len);
		memset(pseudo + 36, 0, 3);
		pseudo[39] = proto;
		plen = 40;
	} else {
		memcpy(pseudo, ip + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = proto;
		wr16(pseudo + 10, (uint16_t)l4len);
		plen = 12;
	}
	uint32_t sum = ref_add(ref_add(0, pseudo, plen), l4, l4len);
	return sum == 0xffff;
}

static bool ref_ipv4_ok(const uint8_t *ip) {
	return ref_add(0, ip, (size_t)(ip[0] & 15) * 4) == 0xffff;
}

/* The pseudo-header sum as the kernel leaves it in a NEEDS_CSUM field. */
static uint16_t ref_pseudo(const uint8_t *ip, bool v6, uint8_t proto, size_t l4len) {
	uint8_t pseudo[40];
	size_t plen;
	if (v6) {
		memcpy(pseudo, ip + 8, 32);
		wr32(pseudo + 32, (uint32_t)l4len);
		memset(pseudo + 36, 0, 3);
		pseudo[39] = proto;
		plen = 40;
	} else {
		memcpy(pseudo, ip + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = proto;
		wr16(pseudo + 10, (uint16_t)l4len);
		plen = 12;
	}
	return (uint16_t)ref_add(0, pseudo, plen);
}

struct spec {
	bool v6, udp;
	size_t l2;     /* Ethernet header bytes in front (TAP), 0 for TUN */
	size_t optlen; /* TCP options */
	size_t payload, mss;
	uint8_t flags; /* TCP */
};

static uint8_t super[TUN_GSO_MAX + 64];
static uint8_t original_payload[TUN_GSO_MAX];

/* Build a super-packet as the kernel hands it over: lengths of the whole,
 * the L4 checksum field holding the pseudo-header sum. Returns its length. */
static size_t build(const struct spec *s, struct tun_vnet_hdr *h) {
	size_t l3 = s->l2, iphl = s->v6 ? 40 : 20;
	size_t l4 = l3 + iphl, l4hl = s->udp ? 8 : 20 + s->optlen;
	size_t len = l4 + l4hl + s->payload;
	memset(super, 0, l4 + l4hl);
	if (s->l2) {
		memset(super, 0x02, 12);
		if (s->l2 == 18) {
			wr16(super + 12, 0x8100);
			wr16(super + 14, 42);
		}
		wr16(super + s->l2 - 2, s->v6 ? 0x86dd : 0x0800);
	}
	uint8_t *ip = super + l3;
	uint8_t proto = s->udp ? 17 : 6;
	if (s->v6) {
		ip[0] = 0x60;
		ip[1] = 0x0a;
		ip[3] = 0x77; /* flow label */
		wr16(ip + 4, (uint16_t)(len - l3 - 40));
		ip[6] = proto;
		ip[7] = 64;
		static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x19, 0, 0,
		                                0,    0,    0,    0,    0, 0,    0, 1};
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, src, 16);
		ip[39] = 2;
	} else {
		ip[0] = 0x45;
		ip[1] = 0x10;
		wr16(ip + 2, (uint16_t)(len - l3));
		wr16(ip + 4, 0xfff0); /* wraps within the super-packet */
		wr16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = proto;
		static const uint8_t a[8] = {198, 19, 0, 1, 198, 19, 0, 2};
		memcpy(ip + 12, a, 8);
		/* header checksum as the kernel gives it (valid) */
		uint16_t c = (uint16_t)~ref_add(0, ip, 20);
		wr16(ip + 10, c);
	}
	uint8_t *t = super + l4;
	wr16(t, 40000);
	wr16(t + 2, 5201);
	if (s->udp) {
		wr16(t + 4, (uint16_t)(len - l4));
	} else {
		wr32(t + 4, 0xfffff000u); /* wraps */
		wr32(t + 8, 0x01020304);
		t[12] = (uint8_t)(((20 + s->optlen) / 4) << 4);
		t[13] = s->flags;
		wr16(t + 14, 512);
		for (size_t i = 0; i < s->optlen; i++)
			t[20 + i] = i == s->optlen - 1 ? 0 : 1; /* NOPs, then end of list */
	}
	for (size_t i = 0; i < s->payload; i++)
		original_payload[i] = (uint8_t)rnd();
	memcpy(super + l4 + l4hl, original_payload, s->payload);
	uint8_t *csum = t + (s->udp ? 6 : 16);
	wr16(csum, ref_pseudo(ip, s->v6, proto, len - l4));
	*h = (struct tun_vnet_hdr){
	    .flags = TUN_VNET_F_NEEDS_CSUM,
	    .gso_type = (uint8_t)(s->udp ? TUN_GSO_UDP_L4 : (s->v6 ? TUN_GSO_TCPV6 : TUN_GSO_TCPV4)),
	    .hdr_len = (uint16_t)(l4 + l4hl),
	    .gso_size = (uint16_t)s->mss,
	    .csum_start = (uint16_t)l4,
	    .csum_offset = (uint16_t)(s->udp ? 6 : 16)};
	return len;
}

#define MAXSEG 1024
static uint8_t segs[MAXSEG][2048];
static size_t seglen[MAXSEG];

/* Cut and check every segment; returns the number of segments (or -1). */
static int cut_and_check(const struct spec *s, const uint8_t *pkt, size_t len, const struct tun_vnet_hdr *h) {
	struct tun_gso g;
	int n = tun_gso_start(&g, h, pkt, len, s->l2);
	size_t l3 = s->l2, l4 = l3 + (s->v6 ? 40 : 20), hl = l4 + (s->udp ? 8 : 20 + s->optlen);
	int expect = (int)((s->payload + s->mss - 1) / s->mss);
	CHECK(n == expect);
	if (n != expect || n > MAXSEG)
		return -1;
	CHECK(tun_gso_max_segment(&g) == hl + (s->payload < s->mss ? s->payload : s->mss));
	size_t off = 0;
	bool ok = true;
	for (int i = 0; i < n; i++) {
		long l = tun_gso_next(&g, segs[i], sizeof segs[i]);
		size_t plen = s->payload - off < s->mss ? s->payload - off : s->mss;
		if (l != (long)(hl + plen)) {
			CHECK(l == (long)(hl + plen));
			return -1;
		}
		seglen[i] = (size_t)l;
		const uint8_t *seg = segs[i], *ip = seg + l3, *t = seg + l4;
		bool last = i == n - 1;
		/* L2 and the unchanging IP fields as in the super-packet */
		ok &= !memcmp(seg, pkt, l3);
		if (s->v6) {
			ok &= rd16(ip + 4) == l - (long)l3 - 40;
			ok &= !memcmp(ip, pkt + l3, 4) && !memcmp(ip + 6, pkt + l3 + 6, 34);
		} else {
			ok &= rd16(ip + 2) == l - (long)l3;
			ok &= rd16(ip + 4) == (uint16_t)(0xfff0 + i);
			ok &= ref_ipv4_ok(ip);
			ok &= !memcmp(ip + 6, pkt + l3 + 6, 4) && !memcmp(ip + 12, pkt + l3 + 12, 8);
		}
		if (s->udp) {
			ok &= rd16(t + 4) == l - (long)l4;
			ok &= rd16(t + 6) != 0;
			ok &= ref_l4_ok(ip, s->v6, 17, t, (size_t)l - l4);
		} else {
			ok &= rd32(t + 4) == 0xfffff000u + (uint32_t)off;
			uint8_t want = s->flags;
			if (!last)
				want &= (uint8_t) ~(FIN | PSH);
			if (i)
				want &= (uint8_t)~CWR;
			ok &= t[13] == want;
			ok &= !memcmp(t + 8, pkt + l4 + 8, 4) && !memcmp(t + 14, pkt + l4 + 14, 2);
			ok &= !memcmp(t + 20, pkt + l4 + 20, s->optlen);
			ok &= ref_l4_ok(ip, s->v6, 6, t, (size_t)l - l4);
		}
		ok &= !memcmp(seg + hl, original_payload + off, plen);
		off += plen;
	}
	CHECK(ok);
	CHECK(tun_gso_next(&g, segs[0], sizeof segs[0]) == 0);
	return ok ? n : -1;
}

static void test_cut(void) {
	struct tun_vnet_hdr h;
	const struct spec cases[] = {
	    {.payload = 64000, .mss = 1448, .optlen = 12, .flags = ACK | PSH | CWR},
	    {.v6 = true, .payload = 30000, .mss = 1428, .optlen = 12, .flags = ACK | FIN},
	    {.udp = true, .payload = 14000, .mss = 1400},
	    {.udp = true, .v6 = true, .payload = 1401, .mss = 1400},
	    {.l2 = 14, .payload = 2 * 1448, .mss = 1448, .flags = ACK},
	    {.l2 = 18, .v6 = true, .payload = 5000, .mss = 1000, .optlen = 4, .flags = ACK},
	    {.payload = 1, .mss = 1448, .flags = ACK},
	    {.payload = 65535 - 40, .mss = 536, .flags = ACK},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = build(&cases[i], &h);
		CHECK(cut_and_check(&cases[i], super, len, &h) > 0);
	}
}

static void test_cut_random(void) {
	struct tun_vnet_hdr h;
	for (int i = 0; i < 300; i++) {
		struct spec s = {.v6 = rnd() & 1, .udp = (rnd() % 4) == 0, .l2 = (rnd() & 1) ? 14 : 0};
		s.optlen = s.udp ? 0 : (rnd() % 11) * 4;
		s.mss = 200 + rnd() % 1300;
		size_t hl = s.l2 + (s.v6 ? 40 : 20) + (s.udp ? 8 : 20 + s.optlen);
		s.payload = 1 + rnd() % (65535 - hl);
		s.flags = (uint8_t)(ACK | (rnd() & (PSH | FIN | CWR)));
		size_t len = build(&s, &h);
		if (cut_and_check(&s, super, len, &h) < 0) {
			fprintf(stderr, "random case %d: v6 %d udp %d l2 %zu opt %zu payload %zu mss %zu\n",
			        i, s.v6, s.udp, s.l2, s.optlen, s.payload, s.mss);
			break;
		}
	}
}

static void test_cut_refused(void) {
	struct tun_vnet_hdr h;
	struct spec s = {.payload = 3000, .mss = 1000, .flags = ACK};
	size_t len = build(&s, &h);
	struct tun_gso g;
	struct tun_vnet_hdr bad = h;
	bad.gso_size = 0;
	CHECK(tun_gso_start(&g, &bad, super, len, 0) == -1);
	bad = h;
	bad.gso_type = TUN_GSO_UDP; /* fragmentation offload: never enabled */
	CHECK(tun_gso_start(&g, &bad, super, len, 0) == -1);
	bad = h;
	bad.gso_type = TUN_GSO_TCPV6; /* an IPv4 packet */
	CHECK(tun_gso_start(&g, &bad, super, len, 0) == -1);
	CHECK(tun_gso_start(&g, &h, super, 40, 0) == -1);  /* headers only */
	CHECK(tun_gso_start(&g, &h, super, 30, 0) == -1);  /* truncated TCP header */
	CHECK(tun_gso_start(&g, &h, super, len, 1) == -1); /* no IP header there */
	super[9] = 17;                                     /* says UDP */
	CHECK(tun_gso_start(&g, &h, super, len, 0) == -1);
	super[9] = 6;
	CHECK(tun_gso_start(&g, &h, super, len, 0) == 3);
	uint8_t small[100];
	CHECK(tun_gso_next(&g, small, sizeof small) == -1); /* does not fit */

	CHECK(tun_l3_offset(super, 10) == -1);
	uint8_t arp[14] = {[12] = 0x08, [13] = 0x06};
	CHECK(tun_l3_offset(arp, sizeof arp) == -1);
}

/* NEEDS_CSUM on a single packet: the checksum is completed in place. */
static void test_complete(void) {
	struct tun_vnet_hdr h;
	for (int v6 = 0; v6 < 2; v6++) {
		for (int udp = 0; udp < 2; udp++) {
			struct spec s = {
			    .v6 = v6, .udp = udp, .payload = 333, .mss = 1400, .flags = ACK | PSH};
			size_t len = build(&s, &h);
			h.gso_type = TUN_GSO_NONE;
			size_t l4 = v6 ? 40 : 20;
			CHECK(!ref_l4_ok(super, v6, udp ? 17 : 6, super + l4, len - l4));
			CHECK(tun_csum_complete(super, len, &h));
			CHECK(ref_l4_ok(super, v6, udp ? 17 : 6, super + l4, len - l4));
		}
	}
	h.csum_start = 5000;
	CHECK(!tun_csum_complete(super, 400, &h));
	h.csum_start = 20;
	h.csum_offset = 379;
	CHECK(!tun_csum_complete(super, 400, &h));
	h.flags = 0;
	CHECK(tun_csum_complete(super, 400, &h)); /* nothing to do */
}

/* What tun_gro emits, recorded. */
#define MAXOUT 64
static struct out {
	struct tun_vnet_hdr h;
	size_t len;
	uint8_t *pkt;
} outs[MAXOUT];
static int nouts;

static void record(void *ctx, const struct tun_vnet_hdr *h, const uint8_t *pkt, size_t len) {
	(void)ctx;
	if (nouts == MAXOUT)
		return;
	outs[nouts].h = *h;
	outs[nouts].len = len;
	outs[nouts].pkt = malloc(len);
	memcpy(outs[nouts].pkt, pkt, len);
	nouts++;
}

static void clear_outs(void) {
	for (int i = 0; i < nouts; i++)
		free(outs[i].pkt);
	nouts = 0;
}

static struct tun_gro gro;

/* Cut a super-packet, join the segments again, and cut the result: the
 * segments must be the same as the first time. */
static void test_join_roundtrip(void) {
	const struct spec cases[] = {
	    {.payload = 20 * 1448, .mss = 1448, .optlen = 12, .flags = ACK | PSH},
	    {.v6 = true, .payload = 10 * 1428 + 100, .mss = 1428, .flags = ACK},
	    {.l2 = 14, .payload = 5 * 1448, .mss = 1448, .flags = ACK},
	};
	struct tun_vnet_hdr h;
	static uint8_t first[MAXSEG][2048];
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const struct spec *s = &cases[c];
		size_t len = build(s, &h);
		int n = cut_and_check(s, super, len, &h);
		CHECK(n > 1);
		if (n <= 1)
			continue;
		memcpy(first, segs, sizeof first[0] * (size_t)n);
		tun_gro_init(&gro, record, NULL);
		for (int i = 0; i < n; i++)
			tun_gro_push(&gro, first[i], seglen[i], (int)s->l2);
		CHECK(nouts == 0); /* held until the end of the batch */
		tun_gro_flush(&gro);
		CHECK(nouts == 1);
		if (nouts != 1) {
			clear_outs();
			continue;
		}
		struct out *o = &outs[0];
		size_t l4 = s->l2 + (s->v6 ? 40 : 20);
		CHECK(o->len == len);
		CHECK(o->h.flags == TUN_VNET_F_NEEDS_CSUM);
		CHECK(o->h.gso_type == (s->v6 ? TUN_GSO_TCPV6 : TUN_GSO_TCPV4));
		CHECK(o->h.gso_size == s->mss);
		CHECK(o->h.csum_start == l4 && o->h.csum_offset == 16);
		CHECK(o->h.hdr_len == l4 + 20 + s->optlen);
		CHECK(rd16(o->pkt + l4 + 16) == ref_pseudo(o->pkt + s->l2, s->v6, 6, len - l4));
		if (!s->v6)
			CHECK(ref_ipv4_ok(o->pkt + s->l2));
		CHECK(!memcmp(o->pkt + o->h.hdr_len, original_payload, s->payload));
		CHECK(gro.written == 1 && gro.coalesced == (uint64_t)n - 1);
		/* and back: the same segments (IPv4 IDs counted from the first) */
		struct tun_gso g;
		CHECK(tun_gso_start(&g, &o->h, o->pkt, o->len, s->l2) == n);
		bool same = true;
		for (int i = 0; i < n; i++) {
			uint8_t seg[2048];
			long l = tun_gso_next(&g, seg, sizeof seg);
			same &= l == (long)seglen[i] && !memcmp(seg, first[i], seglen[i]);
		}
		CHECK(same);
		clear_outs();
	}
}

/* A hand-made TCP/IPv4 segment of flow `port` with seq and payload size. */
static size_t tcp4(uint8_t *p, uint16_t port, uint32_t seq, size_t payload, uint8_t flags) {
	memset(p, 0, 40);
	p[0] = 0x45;
	wr16(p + 2, (uint16_t)(40 + payload));
	wr16(p + 6, 0x4000);
	p[8] = 64;
	p[9] = 6;
	static const uint8_t a[8] = {198, 19, 0, 2, 198, 19, 0, 1};
	memcpy(p + 12, a, 8);
	wr16(p + 10, (uint16_t)~ref_add(0, p, 20));
	wr16(p + 20, 5201);
	wr16(p + 22, port);
	wr32(p + 24, seq);
	wr32(p + 28, 7);
	p[32] = 0x50;
	p[33] = flags;
	wr16(p + 34, 1000);
	for (size_t i = 0; i < payload; i++)
		p[40 + i] = (uint8_t)(seq + i);
	uint16_t c = (uint16_t)~ref_add(ref_pseudo(p, false, 6, 20 + payload), p + 20, 20 + payload);
	wr16(p + 36, c);
	return 40 + payload;
}

static uint8_t pk[2048];

static void push4(uint16_t port, uint32_t seq, size_t payload, uint8_t flags) {
	size_t len = tcp4(pk, port, seq, payload, flags);
	tun_gro_push(&gro, pk, len, 0);
}

static uint32_t out_seq(int i) {
	return rd32(outs[i].pkt + 24);
}
static uint16_t out_port(int i) {
	return rd16(outs[i].pkt + 22);
}

static void test_join_rules(void) {
	tun_gro_init(&gro, record, NULL);

	/* two flows interleaved: one super-packet each */
	for (uint32_t i = 0; i < 4; i++) {
		push4(1, 1000 + i * 100, 100, ACK);
		push4(2, 5000 + i * 100, 100, ACK);
	}
	tun_gro_flush(&gro);
	CHECK(nouts == 2);
	for (int i = 0; i < nouts; i++)
		CHECK(outs[i].len == 40 + 400 && outs[i].h.gso_type == TUN_GSO_TCPV4 &&
		      outs[i].h.gso_size == 100);
	clear_outs();

	/* a gap in the sequence: what is held goes first, the rest after */
	push4(1, 1000, 100, ACK);
	push4(1, 1100, 100, ACK);
	push4(1, 1300, 100, ACK);
	push4(1, 1400, 100, ACK);
	tun_gro_flush(&gro);
	CHECK(nouts == 2 && out_seq(0) == 1000 && out_seq(1) == 1300);
	clear_outs();

	/* a pure ACK of a held flow: the held data is written before it */
	push4(1, 1000, 100, ACK);
	push4(1, 1100, 100, ACK);
	push4(1, 1200, 0, ACK);
	CHECK(nouts == 2 && outs[0].len == 240 && outs[1].len == 40);
	tun_gro_flush(&gro);
	CHECK(nouts == 2);
	clear_outs();

	/* PSH closes a run (and is kept); a shorter segment closes it too */
	push4(1, 1000, 100, ACK);
	push4(1, 1100, 100, ACK | PSH);
	push4(1, 1200, 100, ACK);
	push4(1, 1300, 50, ACK);
	push4(1, 1350, 50, ACK);
	tun_gro_flush(&gro);
	CHECK(nouts == 3);
	if (nouts == 3) {
		CHECK(outs[0].len == 240 && (outs[0].pkt[33] & PSH));
		CHECK(outs[1].len == 190 && out_seq(1) == 1200);
		CHECK(outs[2].len == 90 && outs[2].h.gso_type == TUN_GSO_NONE);
	}
	clear_outs();

	/* a larger segment after the first does not join */
	push4(1, 1000, 100, ACK);
	push4(1, 1100, 200, ACK);
	tun_gro_flush(&gro);
	CHECK(nouts == 2);
	clear_outs();

	/* a bad checksum is never joined and goes out as it came */
	push4(1, 1000, 100, ACK);
	static uint8_t bad[200];
	size_t len = tcp4(bad, 1, 1100, 100, ACK);
	bad[100] ^= 1;
	tun_gro_push(&gro, bad, len, 0);
	push4(1, 1200, 100, ACK);
	tun_gro_flush(&gro);
	CHECK(nouts == 3 && outs[1].h.gso_type == TUN_GSO_NONE && outs[1].len == len &&
	      !memcmp(outs[1].pkt, bad, len));
	clear_outs();

	/* a different ACK number or window starts a new run */
	push4(1, 1000, 100, ACK);
	len = tcp4(pk, 1, 1100, 100, ACK);
	wr32(pk + 28, 8);
	wr16(pk + 36, 0);
	wr16(pk + 36, (uint16_t)~ref_add(ref_pseudo(pk, false, 6, 120), pk + 20, 120));
	tun_gro_push(&gro, pk, len, 0);
	tun_gro_flush(&gro);
	CHECK(nouts == 2);
	clear_outs();

	/* without DF, IPv4 IDs must count up to join */
	for (int i = 0; i < 3; i++) {
		len = tcp4(pk, 1, 1000 + 100 * (uint32_t)i, 100, ACK);
		wr16(pk + 4, i < 2 ? (uint16_t)(5 + i) : 9); /* 5, 6, then not 7 */
		wr16(pk + 6, 0);
		wr16(pk + 10, 0);
		wr16(pk + 10, (uint16_t)~ref_add(0, pk, 20));
		tun_gro_push(&gro, pk, len, 0);
	}
	tun_gro_flush(&gro);
	CHECK(nouts == 2 && outs[0].len == 240 && outs[1].len == 140);
	clear_outs();

	/* not TCP, or not IP: written at once, nothing held is flushed */
	push4(1, 1000, 100, ACK);
	len = tcp4(pk, 3, 0, 10, ACK);
	pk[9] = 17;
	tun_gro_push(&gro, pk, len, 0);
	tun_gro_push(&gro, pk, len, -1);
	CHECK(nouts == 2 && outs[0].h.gso_type == TUN_GSO_NONE);
	tun_gro_flush(&gro);
	CHECK(nouts == 3 && out_port(2) == 1);
	clear_outs();

	/* SYN, FIN, RST and empty segments are never held */
	push4(1, 1000, 100, ACK | FIN);
	push4(1, 1000, 0, 0x02);
	push4(1, 1000, 10, ACK | 0x04);
	CHECK(nouts == 3);
	clear_outs();

	/* more flows than slots: the oldest are written, none is lost */
	for (uint16_t f = 0; f < TUN_GRO_FLOWS + 3; f++)
		push4((uint16_t)(100 + f), 1000, 100, ACK);
	tun_gro_flush(&gro);
	CHECK(nouts == TUN_GRO_FLOWS + 3);
	clear_outs();

	/* no super-packet beyond 65535 bytes of IP */
	uint32_t seq = 0;
	for (int i = 0; i < 50; i++, seq += 1400)
		push4(9, seq, 1400, ACK);
	tun_gro_flush(&gro);
	CHECK(nouts == 2);
	size_t total = 0;
	for (int i = 0; i < nouts; i++) {
		CHECK(outs[i].len <= 65535);
		total += outs[i].len - 40;
	}
	CHECK(total == 50 * 1400);
	clear_outs();
}

/* Random segments of a few flows, in order per flow with random gaps and
 * sizes: whatever is joined, cutting it again gives back exactly the
 * packets pushed, in the same order per flow. */
static void test_join_random(void) {
	enum { N = 64 };
	static uint8_t in[N][1600];
	static size_t inlen[N];
	for (int round = 0; round < 200; round++) {
		tun_gro_init(&gro, record, NULL);
		uint32_t seq[3] = {rnd(), rnd(), rnd()};
		uint16_t id[3] = {(uint16_t)rnd(), (uint16_t)rnd(), (uint16_t)rnd()};
		size_t mss = 100 + rnd() % 1400;
		for (int i = 0; i < N; i++) {
			int f = (int)(rnd() % 3);
			size_t p = (rnd() % 8) ? mss : rnd() % (mss + 1);
			if (!(rnd() % 16))
				seq[f] += 1;
			inlen[i] = tcp4(in[i], (uint16_t)(f + 1), seq[f], p, (rnd() % 16) ? ACK : ACK | PSH);
			/* IPv4 IDs count up per flow, as a sender's do (cutting again
			 * numbers the segments from the first one's ID) */
			wr16(in[i] + 4, id[f]++);
			wr16(in[i] + 10, 0);
			wr16(in[i] + 10, (uint16_t)~ref_add(0, in[i], 20));
			seq[f] += (uint32_t)p;
			tun_gro_push(&gro, in[i], inlen[i], 0);
		}
		tun_gro_flush(&gro);
		int next[3] = {0, 0, 0}; /* next input index per flow */
		bool ok = true;
		for (int o = 0; o < nouts && ok; o++) {
			int f = out_port(o) - 1;
			struct tun_gso g;
			uint8_t seg[2048];
			const uint8_t *pkt = outs[o].pkt;
			size_t plen = outs[o].len;
			long l = (long)plen;
			bool gso = outs[o].h.gso_type != TUN_GSO_NONE;
			if (gso) {
				ok &= ref_ipv4_ok(pkt);
				ok &= tun_gso_start(&g, &outs[o].h, pkt, plen, 0) > 1;
			}
			do {
				if (gso) {
					l = tun_gso_next(&g, seg, sizeof seg);
					if (l <= 0)
						break;
					pkt = seg;
				}
				while (next[f] < N && rd16(in[next[f]] + 22) != f + 1)
					next[f]++;
				ok &= next[f] < N && (size_t)l == inlen[next[f]] &&
				      !memcmp(pkt, in[next[f]], inlen[next[f]]);
				if (!ok)
					fprintf(stderr,
					        "out %d (gso %d len %zu) flow %d: next %d len %ld vs %zu\n",
					        o, gso, plen, f, next[f], l,
					        next[f] < N ? inlen[next[f]] : 0);
				next[f]++;
			} while (gso && ok);
		}
		for (int f = 0; f < 3; f++) {
			while (next[f] < N && rd16(in[next[f]] + 22) != f + 1)
				next[f]++;
			ok &= next[f] == N;
		}
		CHECK(ok);
		clear_outs();
		if (!ok) {
			fprintf(stderr, "random join round %d (mss %zu) failed\n", round, mss);
			break;
		}
	}
}

int main(void) {
	test_cut();
	test_cut_random();
	test_cut_refused();
	test_complete();
	test_join_roundtrip();
	test_join_rules();
	test_join_random();
	return check_done("tun_offload_test");
}
