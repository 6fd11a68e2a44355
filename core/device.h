/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The local end of the VPN: Linux TUN (router mode) and TAP (switch/hub
 * mode) in device.c, and tinc 1.1's other device types in device_kinds.c:
 * `fd` (a descriptor handed over by a parent), `raw_socket` (AF_PACKET on
 * an existing interface) and `multicast` (frames in UDP datagrams to a
 * group); `vde` (a port of a VDE switch, through libvdeplug) in
 * device_vde.c. Frames inside Plexus are always Ethernet frames: for the IP-only
 * kinds (TUN, fd) the 14-byte header is synthesized on read (zero MACs +
 * ethertype from the IP version) and stripped on write.
 */
#ifndef PX_DEVICE_H
#define PX_DEVICE_H

#include <stdbool.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <plexus/plugin.h>

#include "tun_gso.h"

struct tun_gro;

enum device_kind {
	DEVICE_TUNTAP,     /* /dev/net/tun */
	DEVICE_FD,         /* Device = N or a unix socket the fd is received from */
	DEVICE_RAW_SOCKET, /* AF_PACKET bound to Interface */
	DEVICE_MULTICAST,  /* Device = ADDR PORT [TTL] */
	DEVICE_VDE,        /* Device = the VDE switch's control socket */
};

struct device {
	int fd;
	enum device_kind kind;
	bool tap; /* frames carry an Ethernet header (TAP, raw_socket, multicast, vde) */
	char ifname[IFNAMSIZ];
	char *path; /* Device, default /dev/net/tun */
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
	struct sockaddr_storage group; /* multicast: where frames are sent */
	socklen_t grouplen;
	uint8_t last_src[6]; /* multicast: source MAC of our last frame, to drop its echo */
	bool sent_any;
	void *vde; /* vde: libvdeplug's connection (the descriptor is its data fd) */
	/* TUN offload (TUN/TAP only; off with PLEXUS_NO_TUN_OFFLOAD set): the
	 * descriptor carries a virtio-net header, reads may be TSO/USO
	 * super-packets (cut here into ordinary packets), and TCP segments
	 * written in one batch are joined until device_flush(). */
	bool offload;
	unsigned offload_flags; /* TUN_F_* the kernel accepted */
	uint8_t *vnet_buf;      /* a super-packet read */
	struct tun_gso gso;     /* the super-packet being cut */
	bool gso_pending;
	struct tun_gro *gro;
	uint64_t gso_packets, gso_segments; /* super-packets read, packets cut from them */
};

/* Open and configure. ifname may be NULL (kernel picks). Returns 0 or -1 (logged). */
int device_open(struct device *d, const char *path, const char *ifname, bool tap);
/* IffOneQueue: later device_open() calls ask for IFF_ONE_QUEUE (tinc does;
 * Linux 3.8 and later accept the flag and keep it in tun_flags). */
void device_set_one_queue(bool on);
/* The other device types (device_kinds.c); 0 or -1 (logged). fd: spec is
 * a descriptor number or a unix socket path ('@' for the abstract space);
 * raw_socket: ifname is required; multicast: spec is "ADDR PORT [TTL]". */
int device_open_fd(struct device *d, const char *spec);
int device_open_raw_socket(struct device *d, const char *ifname);
int device_open_multicast(struct device *d, const char *spec);
/* vde (device_vde.c): plug into the VDE switch whose control socket is
 * path (NULL: the default), on switch port `port` (0: any free port), the
 * port's socket owned by `group` (NULL: unchanged); descr names us in the
 * switch's port list, ifname (NULL: "vde") is what scripts see. Refused
 * with a message when Plexus was built without libvdeplug. */
int device_open_vde(struct device *d, const char *path, const char *ifname, int port, const char *group,
                    const char *descr);
/* One frame from / to the switch; like recv()/send() (device.c's paths). */
ssize_t device_vde_recv(struct device *d, void *buf, size_t len);
ssize_t device_vde_send(struct device *d, const void *buf, size_t len);
/* Unplug (closes d->fd too). */
void device_vde_close(struct device *d);
void device_close(struct device *d);
/* Read up to n frames (non-blocking) into bufs[i].data (which must have at
 * least PX_MTU + PX_ETH_HLEN bytes from data to base+cap). Sets len; returns
 * the number read (0 when nothing is pending). */
unsigned device_read_batch(struct device *d, struct px_buf *bufs, unsigned n);
/* True while a super-packet read is not yet all handed out: read again
 * even if the descriptor is not readable. */
bool device_pending(const struct device *d);
/* Write one Ethernet frame (TUN: header stripped). Returns 0 or -1. With
 * offload, a TCP segment may be held (copied) until device_flush(). */
int device_write(struct device *d, const struct px_buf *b);
/* The end of a batch: write what device_write() holds. */
void device_flush(struct device *d);

#endif
