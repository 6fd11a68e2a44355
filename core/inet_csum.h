/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The Internet checksum (RFC 1071): ones'-complement sums over bytes and
 * over the IPv4/IPv6 pseudo-headers, for the TUN offload code that cuts and
 * joins TCP/UDP packets (tun_gso.c, tun_gro.c).
 *
 * A sum is kept unfolded in 64 bits while adding; inet_csum_fold() reduces
 * it to 16 bits (not complemented). All results are in network byte order
 * when stored with inet_csum_store().
 */
#ifndef PX_INET_CSUM_H
#define PX_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add len bytes at p to sum (big-endian 16-bit words, odd tail padded). */
uint64_t inet_csum_add(uint64_t sum, const uint8_t *p, size_t len);
/* Reduce to 16 bits, ones'-complement (carries wrapped around). */
uint16_t inet_csum_fold(uint64_t sum);
/* The pseudo-header of a TCP/UDP segment of l4len bytes (RFC 793, RFC 8200
 * 8.1); ip is the IPv4 or IPv6 header (addresses read from it). */
uint64_t inet_csum_pseudo(const uint8_t *ip, int v6, uint8_t proto, uint32_t l4len);
/* Compute and store the IPv4 header checksum (header length from ihl). */
void inet_csum_ipv4_header(uint8_t *ip);
/* Store a 16-bit value big-endian. */
void inet_csum_store(uint8_t *at, uint16_t v);

#endif
