/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The virtio-net header that precedes every packet on a TUN/TAP descriptor
 * opened with IFF_VNET_HDR (the kernel's struct virtio_net_hdr, legacy
 * layout: 10 bytes, fields in host byte order). It says whether the packet
 * is a super-packet to cut into gso_size pieces (GSO), and where a checksum
 * the kernel left to us is (NEEDS_CSUM: the 16-bit field at
 * csum_start + csum_offset holds the pseudo-header sum, the rest of the
 * checksum over [csum_start, end) is to be added).
 */
#ifndef PX_TUN_VNET_H
#define PX_TUN_VNET_H

#include <stdint.h>

struct tun_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};
#define TUN_VNET_HLEN 10

#define TUN_VNET_F_NEEDS_CSUM 1
#define TUN_VNET_F_DATA_VALID 2

#define TUN_GSO_NONE   0
#define TUN_GSO_TCPV4  1
#define TUN_GSO_UDP    3 /* IPv4 fragmentation offload: never enabled here */
#define TUN_GSO_TCPV6  4
#define TUN_GSO_UDP_L4 5 /* UDP segmentation (USO), IPv4 and IPv6 */
#define TUN_GSO_ECN    0x80

/* The largest packet a super-packet may be (IP length fields are 16 bits),
 * plus room for an Ethernet header and VLAN tag in front of it. */
#define TUN_GSO_MAX (65535 + 18)

#endif
