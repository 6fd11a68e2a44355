/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * TUN/TAP offload (see device_vnet.h). Every read and write on the
 * descriptor starts with a virtio-net header. A read goes straight into the
 * caller's buffer, and only what does not fit there (a super-packet) spills
 * into vnet_buf, so ordinary packets are never copied.
 */
#include "config.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "device_vnet.h"
#include "logger.h"
#include "tun_gro.h"
#include "tun_gso.h"
#include "xalloc.h"

/* Older headers lack USO (Linux 6.2). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

#define VNET_BUF (TUN_GSO_MAX + 64)

_Static_assert(sizeof(struct tun_vnet_hdr) == TUN_VNET_HLEN, "virtio-net header layout");

bool device_vnet_wanted(void) {
	const char *off = getenv("PLEXUS_NO_TUN_OFFLOAD");
	if (off && *off) {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "TUN offload off (PLEXUS_NO_TUN_OFFLOAD is set)");
		return false;
	}
	return true;
}

/* Joined and unjoined packets alike leave through here. */
static void emit(void *ctx, const struct tun_vnet_hdr *h, const uint8_t *pkt, size_t len) {
	struct device *d = ctx;
	struct iovec iov[2] = {{.iov_base = (void *)h, .iov_len = TUN_VNET_HLEN},
	                       {.iov_base = (void *)pkt, .iov_len = len}};
	if (writev(d->fd, iov, 2) >= 0)
		return;
	if (errno == EAGAIN || errno == EINTR)
		logger(PX_LOG_TRAFFIC, LOG_DEBUG, "%s is busy, dropping a packet", d->ifname);
	else
		logger(PX_LOG_ALWAYS, LOG_ERR, "Can't write to %s %s: %s", d->ifname, d->path,
		       strerror(errno));
}

int device_vnet_setup(struct device *d) {
	unsigned flags = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6;
	if (ioctl(d->fd, TUNSETOFFLOAD, flags) < 0) {
		flags &= ~(unsigned)(TUN_F_USO4 | TUN_F_USO6);
		if (ioctl(d->fd, TUNSETOFFLOAD, flags) < 0) {
			logger(PX_LOG_CONNECTIONS, LOG_INFO, "TUN offload unavailable (TUNSETOFFLOAD: %s)",
			       strerror(errno));
			return -1;
		}
	}
	int hdrsz = TUN_VNET_HLEN;
	if (ioctl(d->fd, TUNSETVNETHDRSZ, &hdrsz) < 0) {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "TUN offload unavailable (TUNSETVNETHDRSZ: %s)",
		       strerror(errno));
		return -1;
	}
	d->vnet_buf = xmalloc(VNET_BUF);
	d->gro = xmalloc(sizeof *d->gro);
	tun_gro_init(d->gro, emit, d);
	d->offload = true;
	d->offload_flags = flags;
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "%s: TUN offload on (checksums, TSO%s, receive coalescing)",
	       d->ifname, (flags & TUN_F_USO4) ? ", USO" : "");
	return 0;
}

void device_vnet_close(struct device *d) {
	if (!d->offload)
		return;
	if (d->fd >= 0)
		device_vnet_flush(d);
	logger(PX_LOG_CONNECTIONS, LOG_INFO,
	       "%s offload: %llu super-packets read (cut into %llu packets), %llu written (joined from %llu "
	       "packets)",
	       d->ifname, (unsigned long long)d->gso_packets, (unsigned long long)d->gso_segments,
	       (unsigned long long)d->gro->written,
	       (unsigned long long)(d->gro->coalesced + d->gro->written));
	free(d->vnet_buf);
	free(d->gro);
	d->vnet_buf = NULL;
	d->gro = NULL;
	d->offload = false;
	d->gso_pending = false;
}

void device_vnet_flush(struct device *d) {
	tun_gro_flush(d->gro);
}

int device_vnet_write(struct device *d, const struct px_buf *b, const uint8_t *packet, size_t len) {
	tun_gro_push(d->gro, packet, len, d->tap ? tun_l3_offset(packet, len) : 0);
	d->out_packets++;
	d->out_bytes += b->len;
	return 0;
}

/* A packet of plen bytes is in b (behind the made-up Ethernet header in
 * TUN mode): finish the frame. False if it is to be dropped. */
static bool finish_frame(struct device *d, struct px_buf *b, size_t plen) {
	size_t hlen = d->tap ? 0 : PX_ETH_HLEN;
	if (!d->tap) {
		uint8_t version = plen ? b->data[hlen] >> 4 : 0;
		if (version != 4 && version != 6) {
			logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Dropping non-IP packet of %zu bytes from %s", plen,
			       d->ifname);
			return false;
		}
		memset(b->data, 0, 12);
		b->data[12] = version == 4 ? 0x08 : 0x86;
		b->data[13] = version == 4 ? 0x00 : 0xdd;
	}
	b->len = (uint32_t)(plen + hlen);
	d->in_packets++;
	d->in_bytes += b->len;
	return true;
}

/* Read one packet into b. Returns 1 read, 2 a super-packet is now pending,
 * 0 dropped (try again), -1 nothing more to read. */
static int read_one(struct device *d, struct px_buf *b) {
	size_t room = b->cap - (size_t)(b->data - b->base);
	size_t hlen = d->tap ? 0 : PX_ETH_HLEN;
	if (room <= hlen || room - hlen >= VNET_BUF) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Packet buffer unusable for %s", d->ifname);
		return -1;
	}
	size_t first = room - hlen;
	struct tun_vnet_hdr h;
	struct iovec iov[3] = {{.iov_base = &h, .iov_len = TUN_VNET_HLEN},
	                       {.iov_base = b->data + hlen, .iov_len = first},
	                       {.iov_base = d->vnet_buf + first, .iov_len = VNET_BUF - first}};
	ssize_t got = readv(d->fd, iov, 3);
	if (got < 0) {
		if (errno != EAGAIN && errno != EINTR)
			logger(PX_LOG_ALWAYS, LOG_ERR, "Error while reading from %s %s: %s", d->ifname,
			       d->path, strerror(errno));
		return -1;
	}
	if (got == 0)
		return -1;
	if (got < TUN_VNET_HLEN)
		return 0;
	size_t plen = (size_t)got - TUN_VNET_HLEN;

	if (h.gso_type != TUN_GSO_NONE) {
		memcpy(d->vnet_buf, b->data + hlen, plen < first ? plen : first);
		int l3 = d->tap ? tun_l3_offset(d->vnet_buf, plen) : 0;
		if (l3 < 0 || tun_gso_start(&d->gso, &h, d->vnet_buf, plen, (size_t)l3) < 0) {
			logger(PX_LOG_TRAFFIC, LOG_DEBUG,
			       "Dropping a super-packet of %zu bytes (GSO type %u) from %s", plen, h.gso_type,
			       d->ifname);
			return 0;
		}
		d->gso_packets++;
		d->gso_pending = true;
		return 2;
	}
	if (plen > first) {
		logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Dropping a packet of %zu bytes from %s: too big", plen,
		       d->ifname);
		return 0;
	}
	if (!tun_csum_complete(b->data + hlen, plen, &h)) {
		logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Dropping a packet with bad checksum offsets from %s",
		       d->ifname);
		return 0;
	}
	return finish_frame(d, b, plen) ? 1 : 0;
}

/* Hand out the pending super-packet's segments into bufs[0..n). */
static unsigned cut(struct device *d, struct px_buf *bufs, unsigned n) {
	size_t hlen = d->tap ? 0 : PX_ETH_HLEN;
	unsigned got = 0;
	while (got < n && d->gso_pending) {
		struct px_buf *b = &bufs[got];
		size_t room = b->cap - (size_t)(b->data - b->base);
		long len = room > hlen ? tun_gso_next(&d->gso, b->data + hlen, room - hlen) : -1;
		if (len <= 0) {
			if (len < 0)
				logger(PX_LOG_TRAFFIC, LOG_DEBUG,
				       "Dropping the rest of a super-packet from %s: segments of %zu bytes "
				       "do not fit",
				       d->ifname, tun_gso_max_segment(&d->gso));
			d->gso_pending = false;
			break;
		}
		if (d->gso.off + d->gso.hlen >= d->gso.len)
			d->gso_pending = false;
		if (finish_frame(d, b, (size_t)len)) {
			d->gso_segments++;
			got++;
		}
	}
	return got;
}

unsigned device_vnet_read_batch(struct device *d, struct px_buf *bufs, unsigned n) {
	unsigned got = 0;
	/* Dropped packets use up attempts too, so a flood of junk cannot hold the loop. */
	for (unsigned attempt = 0; got < n && attempt < 2 * n; attempt++) {
		if (d->gso_pending) {
			got += cut(d, bufs + got, n - got);
			continue;
		}
		int r = read_one(d, &bufs[got]);
		if (r < 0)
			break;
		if (r == 1)
			got++;
	}
	for (unsigned i = got; i < n; i++)
		bufs[i].len = 0;
	return got;
}
