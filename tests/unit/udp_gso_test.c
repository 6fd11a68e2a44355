/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * transport-udp's offload bookkeeping (plugins/transport-udp/udp_gso.c):
 * which datagrams of a send batch form one UDP_SEGMENT run (same peer, same
 * size with a shorter last one, same priority, never an MTU probe, within
 * the kernel's segment and byte limits), and how a UDP_GRO receive is cut
 * into views that keep each datagram's bytes and storage to itself.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../plugins/transport-udp/udp_gso.h"

#define MAXB 200
static struct px_buf bufs[MAXB];
static struct px_buf *ptrs[MAXB];

static void set4(struct px_addr *a, const char *ip, unsigned port) {
	memset(a, 0, sizeof *a);
	a->in.sin_family = AF_INET;
	a->in.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a->in.sin_addr);
	a->len = sizeof a->in;
}

/* n datagrams of len bytes to 198.18.1.2:655. */
static void batch(unsigned n, uint32_t len) {
	memset(bufs, 0, sizeof bufs);
	for (unsigned i = 0; i < n; i++) {
		bufs[i].len = len;
		set4(&bufs[i].addr, "198.18.1.2", 655);
		ptrs[i] = &bufs[i];
	}
}

static void test_runs(void) {
	batch(10, 1400);
	CHECK(udp_gso_run(ptrs, 10) == 10);
	CHECK(udp_gso_run(ptrs, 1) == 1);
	CHECK(udp_gso_run(ptrs + 9, 1) == 1);

	/* a shorter last datagram joins and ends the run; a longer one does not join */
	batch(6, 1400);
	bufs[3].len = 300;
	CHECK(udp_gso_run(ptrs, 6) == 4);
	CHECK(udp_gso_run(ptrs + 4, 2) == 2);
	batch(6, 1400);
	bufs[2].len = 1401;
	CHECK(udp_gso_run(ptrs, 6) == 2);

	/* another peer: another address or another port */
	batch(6, 1400);
	set4(&bufs[3].addr, "198.18.1.3", 655);
	CHECK(udp_gso_run(ptrs, 6) == 3);
	batch(6, 1400);
	set4(&bufs[1].addr, "198.18.1.2", 656);
	CHECK(udp_gso_run(ptrs, 6) == 1);
	/* junk behind the address does not matter */
	batch(3, 1400);
	memset(bufs[1].addr.in.sin_zero, 0xaa, sizeof bufs[1].addr.in.sin_zero);
	bufs[1].addr.len = 0;
	CHECK(udp_gso_run(ptrs, 3) == 3);

	/* IPv6 peers, scope included */
	batch(4, 1200);
	for (unsigned i = 0; i < 4; i++) {
		memset(&bufs[i].addr, 0, sizeof bufs[i].addr);
		bufs[i].addr.in6.sin6_family = AF_INET6;
		bufs[i].addr.in6.sin6_port = htons(655);
		inet_pton(AF_INET6, "2001:db8::2", &bufs[i].addr.in6.sin6_addr);
	}
	CHECK(udp_gso_run(ptrs, 4) == 4);
	bufs[2].addr.in6.sin6_scope_id = 3;
	CHECK(udp_gso_run(ptrs, 4) == 2);
	inet_pton(AF_INET6, "2001:db8::3", &bufs[1].addr.in6.sin6_addr);
	CHECK(udp_gso_run(ptrs, 4) == 1);

	/* priority: same TOS joins, another TOS or none does not */
	batch(5, 1400);
	for (unsigned i = 0; i < 5; i++) {
		bufs[i].flags = PX_BUF_PRIORITY;
		bufs[i].priority = 0x10;
	}
	CHECK(udp_gso_run(ptrs, 5) == 5);
	bufs[3].priority = 0x20;
	CHECK(udp_gso_run(ptrs, 5) == 3);
	bufs[1].flags = 0;
	CHECK(udp_gso_run(ptrs, 5) == 1);
	/* the priority byte is ignored without the flag */
	batch(3, 1400);
	bufs[1].priority = 7;
	CHECK(udp_gso_run(ptrs, 3) == 3);

	/* MTU probes never join a run, whatever their size, and never start one */
	batch(5, 1400);
	bufs[2].flags = PX_BUF_PROBE;
	CHECK(udp_gso_run(ptrs, 5) == 2);
	CHECK(udp_gso_run(ptrs + 2, 3) == 1);
	CHECK(udp_gso_run(ptrs + 3, 2) == 2);
	batch(3, 1400);
	bufs[1].flags = PX_BUF_PROBE;
	bufs[1].len = 600; /* a smaller probe must not end a run as its short tail */
	CHECK(udp_gso_run(ptrs, 3) == 1);

	/* a dropped (empty) datagram ends a run */
	batch(4, 1400);
	bufs[2].len = 0;
	CHECK(udp_gso_run(ptrs, 4) == 2);

	/* at most 64 segments */
	batch(MAXB, 100);
	CHECK(udp_gso_run(ptrs, MAXB) == UDP_GSO_MAX_SEGS);
	/* and at most 65487 bytes: 46 of 1400 = 64400, a 47th would be 65800 */
	batch(64, 1400);
	CHECK(udp_gso_run(ptrs, 64) == 46);
	batch(64, 1400);
	bufs[46].len = 1087; /* 64400 + 1087 = 65487 exactly: fits */
	CHECK(udp_gso_run(ptrs, 64) == 47);
	bufs[46].len = 1088;
	CHECK(udp_gso_run(ptrs, 64) == 46);
	/* a datagram larger than half the limit only goes alone */
	batch(3, 40000);
	CHECK(udp_gso_run(ptrs, 3) == 1);
}

static uint8_t storage[128 + 65536];

static void test_split(void) {
	struct px_buf whole = {0}, out[MAXB];
	unsigned lost;
	whole.base = storage;
	whole.data = storage + 128;
	whole.cap = sizeof storage;
	set4(&whole.addr, "198.18.1.1", 655);
	for (size_t i = 0; i < 65536; i++)
		storage[128 + i] = (uint8_t)(i / 1000 + i);

	/* a single datagram: one view, the whole slot as its storage */
	whole.len = 1400;
	CHECK(udp_gro_split(&whole, 0, out, MAXB, &lost) == 1 && lost == 0);
	CHECK(out[0].data == whole.data && out[0].len == 1400 && out[0].base == storage &&
	      out[0].cap == sizeof storage && out[0].gso_size == 0);
	CHECK(udp_gro_split(&whole, 1400, out, MAXB, &lost) == 1 && out[0].len == 1400);
	CHECK(udp_gro_split(&whole, 2000, out, MAXB, &lost) == 1 && out[0].gso_size == 0);

	/* 3 x 1400 + 500 */
	whole.len = 3 * 1400 + 500;
	CHECK(udp_gro_split(&whole, 1400, out, MAXB, &lost) == 4 && lost == 0);
	for (unsigned i = 0; i < 4; i++) {
		CHECK(out[i].data == whole.data + i * 1400);
		CHECK(out[i].len == (i < 3 ? 1400u : 500u));
		CHECK(out[i].gso_size == 1400);
		CHECK(out[i].addr.in.sin_addr.s_addr == whole.addr.in.sin_addr.s_addr &&
		      out[i].addr.in.sin_port == whole.addr.in.sin_port && out[i].addr.len == whole.addr.len);
		CHECK(!memcmp(out[i].data, storage + 128 + i * 1400, out[i].len));
		/* storage: no view reaches into another's bytes */
		CHECK(out[i].base <= out[i].data && out[i].base + out[i].cap >= out[i].data + out[i].len);
		if (i > 0)
			CHECK(out[i].base >= out[i - 1].data + out[i - 1].len);
		if (i < 3)
			CHECK(out[i].base + out[i].cap <= out[i + 1].data);
	}
	CHECK(out[0].base == storage);                               /* the slot's headroom */
	CHECK(out[3].base + out[3].cap == storage + sizeof storage); /* the slot's tailroom */

	/* an exact multiple: all views full size */
	whole.len = 5 * 1000;
	CHECK(udp_gro_split(&whole, 1000, out, MAXB, &lost) == 5 && out[4].len == 1000);
	/* a tail of one byte */
	whole.len = 2 * 1000 + 1;
	CHECK(udp_gro_split(&whole, 1000, out, MAXB, &lost) == 3 && out[2].len == 1 &&
	      out[2].data == whole.data + 2000);

	/* more datagrams than room: the rest is counted, nothing written past max */
	whole.len = 10 * 100;
	memset(out, 0x55, sizeof out);
	CHECK(udp_gro_split(&whole, 100, out, 4, &lost) == 4 && lost == 6);
	CHECK(out[4].len == 0x55555555u);
	CHECK(out[3].base + out[3].cap == out[3].data + out[3].len); /* not the last: own bytes only */
	CHECK(udp_gro_split(&whole, 100, out, 0, &lost) == 0);

	/* the largest receive: 64 KiB in 1-byte datagrams would exceed any max */
	whole.len = 65536;
	CHECK(udp_gro_split(&whole, 1, out, MAXB, &lost) == MAXB && lost == 65536 - MAXB);
}

int main(void) {
	test_runs();
	test_split();
	return check_done("udp_gso_test");
}
