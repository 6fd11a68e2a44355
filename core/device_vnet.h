/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * TUN/TAP offload for device.c: a descriptor opened with IFF_VNET_HDR and
 * TUNSETOFFLOAD (TSO, USO where the kernel has it). Reads cut super-packets
 * into ordinary packets (tun_gso.c) and complete the checksums the kernel
 * left open; writes join TCP segments of a batch (tun_gro.c). What crosses
 * the VPN is exactly what it would be without offload.
 */
#ifndef PX_DEVICE_VNET_H
#define PX_DEVICE_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"

/* False when PLEXUS_NO_TUN_OFFLOAD is set (to compare with and without). */
bool device_vnet_wanted(void);
/* d->fd was set up with IFF_VNET_HDR: enable the offloads. 0, or -1 if
 * the kernel refuses them (then nothing is left allocated). */
int device_vnet_setup(struct device *d);
unsigned device_vnet_read_batch(struct device *d, struct px_buf *bufs, unsigned n);
/* Write (or hold) one frame; packet/len: what goes to the descriptor. */
int device_vnet_write(struct device *d, const struct px_buf *b, const uint8_t *packet, size_t len);
void device_vnet_flush(struct device *d);
void device_vnet_close(struct device *d);

#endif
