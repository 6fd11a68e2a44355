/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Socket address helpers: parse, resolve, format, compare, hash. */
#ifndef PX_NETUTL_H
#define PX_NETUTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plexus/plugin.h>

/* Numeric host + numeric port only. Returns 0 or -1. */
int addr_parse(const char *host, const char *port, struct px_addr *out);
/* getaddrinfo(); family AF_UNSPEC/AF_INET/AF_INET6; passive for bind addresses
 * (host may be NULL then). Returns the number of addresses written (<= max). */
int addr_resolve(const char *host, const char *port, int family, bool passive, struct px_addr *out, int max);
/* Numeric host and port strings. */
void addr_format(const struct px_addr *a, char *host, size_t hostlen, char *port, size_t portlen);
/* "host port N" for logs, in a static rotating buffer (4 slots). Numeric,
 * or looked-up names after addr_set_hostnames(true) (Hostnames = yes). */
const char *addr_str(const struct px_addr *a);
void addr_set_hostnames(bool on);
bool addr_equal(const struct px_addr *a, const struct px_addr *b); /* family, address, port */
uint32_t addr_hash(const struct px_addr *a);
uint16_t addr_port(const struct px_addr *a);
void addr_set_port(struct px_addr *a, uint16_t port);
/* Map IPv4-mapped IPv6 addresses to plain IPv4. */
void addr_unmap(struct px_addr *a);

/* Hex and tinc base64 helpers. bin2hex writes uppercase + NUL. */
void bin2hex(const uint8_t *src, size_t len, char *dst);
/* 0..15 for a hex digit (either case), else -1. */
int hex_digit_value(char c);
/* Returns bytes written, or -1 on a non-hex character or odd length. */
int hex2bin(const char *src, uint8_t *dst, size_t dstlen);

#endif
