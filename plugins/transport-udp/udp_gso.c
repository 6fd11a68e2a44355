/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Grouping of outgoing datagrams into UDP_SEGMENT runs and splitting of
 * UDP_GRO receives; see udp_gso.h. No I/O, no allocation.
 */
#include "udp_gso.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* Same family, address and port; the rest of the sockaddr may hold junk. */
static bool same_dest(const struct px_addr *a, const struct px_addr *b) {
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_port == b->in.sin_port && a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return a->in6.sin6_port == b->in6.sin6_port && a->in6.sin6_scope_id == b->in6.sin6_scope_id &&
		       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof a->in6.sin6_addr);
	return false;
}

/* The outer TOS/traffic class a buffer asks for; -1 for the socket's own. */
static int wanted_priority(const struct px_buf *b) {
	return (b->flags & PX_BUF_PRIORITY) ? b->priority : -1;
}

unsigned udp_gso_run(struct px_buf *const *bufs, unsigned n) {
	const struct px_buf *first = bufs[0];
	size_t seg = first->len;
	/* A probe's size is the question it asks: it never rides with data. */
	if (n < 2 || (first->flags & PX_BUF_PROBE))
		return 1;
	size_t total = seg;
	unsigned k = 1;
	while (k < n && k < UDP_GSO_MAX_SEGS) {
		const struct px_buf *b = bufs[k];
		if (!b->len || b->len > seg || (b->flags & PX_BUF_PROBE) ||
		    total + b->len > UDP_GSO_MAX_BYTES || wanted_priority(b) != wanted_priority(first) ||
		    !same_dest(&b->addr, &first->addr))
			break;
		total += b->len;
		k++;
		if (b->len < seg)
			break; /* a shorter one ends the run */
	}
	return k;
}

unsigned udp_gro_split(const struct px_buf *whole, size_t seg, struct px_buf *out, unsigned max,
                       unsigned *cut_off) {
	*cut_off = 0;
	if (!max)
		return 0;
	size_t len = whole->len;
	if (!seg || len <= seg) {
		out[0] = *whole;
		out[0].gso_size = 0;
		return 1;
	}
	size_t count = (len + seg - 1) / seg;
	unsigned n = count > max ? max : (unsigned)count;
	*cut_off = (unsigned)(count - n);
	uint8_t *end_of_storage = whole->base + whole->cap;
	for (unsigned i = 0; i < n; i++) {
		struct px_buf *v = &out[i];
		uint8_t *start = whole->data + (size_t)i * seg;
		size_t vlen = len - (size_t)i * seg < seg ? len - (size_t)i * seg : seg;
		memset(v, 0, sizeof *v);
		v->addr = whole->addr;
		v->flags = whole->flags;
		v->node = whole->node;
		v->gso_size = (uint16_t)seg;
		v->data = start;
		v->len = (uint32_t)vlen;
		/* Work in front of or behind a view must not reach a neighbour. */
		v->base = i == 0 ? whole->base : start;
		bool last = i + 1 == (unsigned)count;
		v->cap = (uint32_t)((last ? end_of_storage : start + vlen) - v->base);
	}
	return n;
}
