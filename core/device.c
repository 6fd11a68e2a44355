/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The Linux TUN/TAP device. Plexus moves Ethernet frames internally, so in
 * TUN mode the frame header is made up on read and dropped on write; the
 * 14 bytes in front of the IP packet are part of each buffer's headroom so
 * this never copies.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "device.h"
#include "device_vnet.h"
#include "logger.h"

#define DEFAULT_DEVICE "/dev/net/tun"
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD

static bool one_queue;

void device_set_one_queue(bool on) {
	one_queue = on;
}

int device_open(struct device *d, const char *path, const char *ifname, bool tap) {
	memset(d, 0, sizeof *d);
	d->fd = -1;
	d->kind = DEVICE_TUNTAP;
	d->tap = tap;
	d->path = strdup(path ? path : DEFAULT_DEVICE);
	if (!d->path) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory opening the device");
		return -1;
	}

	if (ifname && strlen(ifname) >= IFNAMSIZ) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Interface name %s is too long (at most %d characters)",
		       ifname, IFNAMSIZ - 1);
		goto err;
	}

	/* Offload first; if the kernel refuses any of it, the device is opened
	 * again exactly as without. */
	bool vnet = device_vnet_wanted();
	for (;;) {
		d->fd = open(d->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (d->fd < 0) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not open %s: %s", d->path, strerror(errno));
			goto err;
		}

		struct ifreq ifr;
		memset(&ifr, 0, sizeof ifr);
		ifr.ifr_flags = (short)((tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0) |
		                        (one_queue ? IFF_ONE_QUEUE : 0));
		if (ifname)
			memcpy(ifr.ifr_name, ifname, strlen(ifname));

		if (ioctl(d->fd, TUNSETIFF, &ifr) < 0) {
			if (vnet) {
				logger(PX_LOG_CONNECTIONS, LOG_INFO,
				       "TUN offload unavailable (IFF_VNET_HDR: %s)", strerror(errno));
				close(d->fd);
				vnet = false;
				continue;
			}
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not configure %s as %s device%s%s: %s", d->path,
			       tap ? "TAP" : "TUN", ifname ? " " : "", ifname ? ifname : "", strerror(errno));
			goto err;
		}
		memcpy(d->ifname, ifr.ifr_name, IFNAMSIZ);
		d->ifname[IFNAMSIZ - 1] = '\0';
		if (!vnet || device_vnet_setup(d) == 0)
			break;
		close(d->fd);
		vnet = false;
	}

	logger(PX_LOG_ALWAYS, LOG_NOTICE, "%s device (%s) is a Linux %s device", d->ifname, d->path,
	       tap ? "tap" : "tun");
	return 0;

err:
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	free(d->path);
	d->path = NULL;
	return -1;
}

void device_close(struct device *d) {
	device_vnet_close(d);
	if (d->fd >= 0) {
		logger(PX_LOG_CONNECTIONS, LOG_INFO,
		       "%s closed: %llu packets (%llu bytes) in, %llu packets (%llu bytes) out", d->ifname,
		       (unsigned long long)d->in_packets, (unsigned long long)d->in_bytes,
		       (unsigned long long)d->out_packets, (unsigned long long)d->out_bytes);
		if (d->kind == DEVICE_VDE)
			device_vde_close(d);
		else
			close(d->fd);
	}
	d->fd = -1;
	free(d->path);
	d->path = NULL;
}

/* The ethertype for an IP packet in TUN mode, or 0 for anything else. */
static uint16_t tun_ethertype(const uint8_t *ip, size_t len) {
	if (len < 1)
		return 0;
	switch (ip[0] >> 4) {
	case 4:
		return ETHERTYPE_IPV4;
	case 6:
		return ETHERTYPE_IPV6;
	default:
		return 0;
	}
}

/* Read one frame into b. Returns 1 read, 0 dropped (try again), -1 nothing
 * more to read. */
static int read_one(struct device *d, struct px_buf *b) {
	size_t room = b->cap - (size_t)(b->data - b->base);
	size_t hlen = d->tap ? 0 : PX_ETH_HLEN;
	if (room <= hlen) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Packet buffer too small for %s", d->ifname);
		return -1;
	}

	ssize_t got;
	if (d->kind == DEVICE_RAW_SOCKET) {
		/* the packet socket also sees what the host itself sends there */
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof from;
		got = recvfrom(d->fd, b->data, room, 0, (struct sockaddr *)&from, &fromlen);
		if (got > 0 && from.sll_pkttype == PACKET_OUTGOING)
			return 0;
	} else if (d->kind == DEVICE_VDE) {
		got = device_vde_recv(d, b->data, room);
	} else {
		got = read(d->fd, b->data + hlen, room - hlen);
	}
	if (got < 0) {
		if (errno != EAGAIN && errno != EINTR)
			logger(PX_LOG_ALWAYS, LOG_ERR, "Error while reading from %s %s: %s", d->ifname,
			       d->path, strerror(errno));
		return -1;
	}
	if (got == 0)
		return -1;

	if (d->kind == DEVICE_MULTICAST) {
		/* our own frames come back through the group's loopback */
		if (got < PX_ETH_HLEN || (d->sent_any && !memcmp(b->data + 6, d->last_src, 6)))
			return 0;
	} else if ((d->kind == DEVICE_RAW_SOCKET || d->kind == DEVICE_VDE) && got < PX_ETH_HLEN) {
		/* (libvdeplug hands out 1 byte for a frame the switch refused us) */
		return 0;
	}
	if (!d->tap) {
		uint16_t type = tun_ethertype(b->data + hlen, (size_t)got);
		if (!type) {
			logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Dropping non-IP packet of %zd bytes from %s", got,
			       d->ifname);
			return 0;
		}
		memset(b->data, 0, 12);
		b->data[12] = (uint8_t)(type >> 8);
		b->data[13] = (uint8_t)type;
	}
	b->len = (uint32_t)((size_t)got + hlen);
	d->in_packets++;
	d->in_bytes += b->len;
	return 1;
}

unsigned device_read_batch(struct device *d, struct px_buf *bufs, unsigned n) {
	if (d->offload)
		return device_vnet_read_batch(d, bufs, n);
	unsigned got = 0;
	/* Dropped frames use up attempts too, so a flood of junk cannot hold the loop. */
	for (unsigned attempt = 0; got < n && attempt < 2 * n; attempt++) {
		int r = read_one(d, &bufs[got]);
		if (r < 0)
			break;
		if (r > 0)
			got++;
	}
	for (unsigned i = got; i < n; i++)
		bufs[i].len = 0;
	return got;
}

int device_write(struct device *d, const struct px_buf *b) {
	const uint8_t *frame = b->data;
	size_t len = b->len;
	if (!d->tap) {
		if (len < PX_ETH_HLEN) {
			logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Dropping runt frame of %zu bytes for %s", len,
			       d->ifname);
			return -1;
		}
		frame += PX_ETH_HLEN;
		len -= PX_ETH_HLEN;
	}

	if (d->offload)
		return device_vnet_write(d, b, frame, len);

	ssize_t put;
	if (d->kind == DEVICE_MULTICAST) {
		if (len >= PX_ETH_HLEN) {
			memcpy(d->last_src, frame + 6, 6);
			d->sent_any = true;
		}
		put = sendto(d->fd, frame, len, 0, (const struct sockaddr *)&d->group, d->grouplen);
	} else if (d->kind == DEVICE_VDE) {
		put = device_vde_send(d, frame, len);
	} else {
		put = write(d->fd, frame, len);
	}
	if (put < 0) {
		if (errno == EAGAIN || errno == EINTR)
			logger(PX_LOG_TRAFFIC, LOG_DEBUG, "%s is busy, dropping a frame", d->ifname);
		else
			logger(PX_LOG_ALWAYS, LOG_ERR, "Can't write to %s %s: %s", d->ifname, d->path,
			       strerror(errno));
		return -1;
	}
	d->out_packets++;
	d->out_bytes += b->len;
	return 0;
}

bool device_pending(const struct device *d) {
	return d->gso_pending;
}

void device_flush(struct device *d) {
	if (d->offload)
		device_vnet_flush(d);
}
