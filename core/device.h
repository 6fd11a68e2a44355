/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Linux TUN (router mode) and TAP (switch/hub mode). Frames inside Plexus
 * are always Ethernet frames: in TUN mode the 14-byte header is synthesized
 * on read (zero MACs + ethertype from the IP version) and stripped on write.
 */
#ifndef PX_DEVICE_H
#define PX_DEVICE_H

#include <stdbool.h>
#include <net/if.h>

#include <plexus/plugin.h>

struct device {
	int fd;
	bool tap;
	char ifname[IFNAMSIZ];
	char *path; /* Device, default /dev/net/tun */
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
};

/* Open and configure. ifname may be NULL (kernel picks). Returns 0 or -1 (logged). */
int device_open(struct device *d, const char *path, const char *ifname, bool tap);
void device_close(struct device *d);
/* Read up to n frames (non-blocking) into bufs[i].data (which must have at
 * least PX_MTU + PX_ETH_HLEN bytes from data to base+cap). Sets len; returns
 * the number read (0 when nothing is pending). */
unsigned device_read_batch(struct device *d, struct px_buf *bufs, unsigned n);
/* Write one Ethernet frame (TUN: header stripped). Returns 0 or -1. */
int device_write(struct device *d, const struct px_buf *b);

#endif
