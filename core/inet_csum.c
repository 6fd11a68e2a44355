/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The Internet checksum and its pseudo-headers (see inet_csum.h). */
#include <string.h>

#include "inet_csum.h"

/* Sums 32-bit big-endian words into a 64-bit accumulator, which cannot
 * overflow for any packet we handle (< 2^32 words), then the tail. */
uint64_t inet_csum_add(uint64_t sum, const uint8_t *p, size_t len) {
	while (len >= 16) {
		uint32_t w[4];
		memcpy(w, p, sizeof w);
		sum += (uint64_t)__builtin_bswap32(w[0]) + __builtin_bswap32(w[1]) + __builtin_bswap32(w[2]) +
		       __builtin_bswap32(w[3]);
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		sum += ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		sum += ((uint32_t)p[0] << 8) | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t inet_csum_fold(uint64_t sum) {
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint64_t inet_csum_pseudo(const uint8_t *ip, int v6, uint8_t proto, uint32_t l4len) {
	uint64_t sum = v6 ? inet_csum_add(0, ip + 8, 32) : inet_csum_add(0, ip + 12, 8);
	return sum + proto + l4len;
}

void inet_csum_store(uint8_t *at, uint16_t v) {
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
}

void inet_csum_ipv4_header(uint8_t *ip) {
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	ip[10] = ip[11] = 0;
	inet_csum_store(ip + 10, (uint16_t)~inet_csum_fold(inet_csum_add(0, ip, ihl)));
}
