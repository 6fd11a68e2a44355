/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Joining consecutive TCP segments of one flow, handed over one by one
 * within a batch, into a super-packet written to TUN/TAP once with a
 * virtio-net header (GSO_TCPV4/6, the checksum left to the kernel) -- the
 * receive side of TUN offload. Anything that cannot be joined is emitted at
 * once as it is; a packet of a flow that is being held first emits what is
 * held, so every flow keeps its order (packets of different flows may pass
 * each other, as with the kernel's own GRO). Pure: output goes through the
 * emit function given to tun_gro_init().
 */
#ifndef PX_TUN_GRO_H
#define PX_TUN_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tun_vnet.h"

#define TUN_GRO_FLOWS 8 /* flows held at once */

/* Write one packet (with its virtio-net header) to the device. */
typedef void (*tun_gro_emit_fn)(void *ctx, const struct tun_vnet_hdr *h, const uint8_t *pkt, size_t len);

struct tun_gro_flow {
	bool used, closed; /* closed: nothing more may be appended */
	bool v6;
	size_t len, l3, l4, hlen; /* bytes held; offsets of IP, TCP header, payload */
	size_t mss;               /* payload of the first segment */
	uint32_t next_seq;
	unsigned segs;
	uint8_t buf[TUN_GSO_MAX];
};

struct tun_gro {
	tun_gro_emit_fn emit;
	void *ctx;
	size_t max_len;              /* largest super-packet to build (IP length), <= 65535 */
	uint64_t coalesced, written; /* segments joined; super-packets emitted */
	struct tun_gro_flow flows[TUN_GRO_FLOWS];
};

void tun_gro_init(struct tun_gro *g, tun_gro_emit_fn emit, void *ctx);
/* One packet (l3: offset of its IP header, -1 if it is not IP). The packet
 * is copied if held; the caller keeps its buffer. */
void tun_gro_push(struct tun_gro *g, const uint8_t *pkt, size_t len, int l3);
/* Emit everything held (the end of a batch). */
void tun_gro_flush(struct tun_gro *g);

#endif
