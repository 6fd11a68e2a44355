/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Socket address helpers: parse, resolve, format, compare, hash. */
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "logger.h"
#include "netutl.h"

/* Decimal digits only, at most 65535 (getaddrinfo silently wraps larger numbers). */
static bool is_numeric_port(const char *port) {
	unsigned long v = 0;

	if (!port || !*port) {
		return false;
	}

	for (const char *p = port; *p; p++) {
		if (!isdigit((unsigned char)*p)) {
			return false;
		}

		v = v * 10 + (unsigned long)(*p - '0');

		if (v > 65535) {
			return false;
		}
	}

	return true;
}

static void copy_ai(const struct addrinfo *ai, struct px_addr *out) {
	memset(out, 0, sizeof(*out));
	size_t len = ai->ai_addrlen;

	if (len > sizeof(out->ss)) {
		len = sizeof(out->ss);
	}

	memcpy(&out->ss, ai->ai_addr, len);
	out->len = (socklen_t)len;
}

int addr_parse(const char *host, const char *port, struct px_addr *out) {
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_DGRAM,
	    .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *ai = NULL;

	if (!host || !*host) {
		return -1;
	}

	if (!port || !*port) {
		port = "0";
	} else if (!is_numeric_port(port)) {
		return -1;
	}

	if (getaddrinfo(host, port, &hints, &ai) || !ai) {
		return -1;
	}

	copy_ai(ai, out);
	freeaddrinfo(ai);
	return 0;
}

int addr_resolve(const char *host, const char *port, int family, bool passive, struct px_addr *out, int max) {
	struct addrinfo hints = {
	    .ai_family = family,
	    .ai_socktype = SOCK_STREAM,
	    .ai_protocol = IPPROTO_TCP,
	    .ai_flags = passive ? AI_PASSIVE : 0,
	};
	struct addrinfo *res = NULL;

	if (max <= 0) {
		return 0;
	}

	if (is_numeric_port(port)) {
		hints.ai_flags |= AI_NUMERICSERV;
	}

	int err = getaddrinfo(host, port, &hints, &res);

	if (err) {
		logger(PX_LOG_CONNECTIONS, LOG_WARNING, "Error looking up %s port %s: %s",
		       host ? host : "(any)", port ? port : "(none)", gai_strerror(err));
		return 0;
	}

	int n = 0;

	for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) {
			continue;
		}

		copy_ai(ai, &out[n++]);
	}

	freeaddrinfo(res);
	return n;
}

void addr_format(const struct px_addr *a, char *host, size_t hostlen, char *port, size_t portlen) {
	char h[NI_MAXHOST] = "unspec", p[NI_MAXSERV] = "unspec";

	if (a && a->len && (a->sa.sa_family == AF_INET || a->sa.sa_family == AF_INET6)) {
		if (getnameinfo(&a->sa, a->len, h, sizeof(h), p, sizeof(p),
		                NI_NUMERICHOST | NI_NUMERICSERV)) {
			snprintf(h, sizeof(h), "unknown");
			snprintf(p, sizeof(p), "unknown");
		}

		/* Drop the IPv6 scope: peers cannot use our interface names. */
		char *scope = strchr(h, '%');

		if (scope) {
			*scope = '\0';
		}
	}

	if (host && hostlen) {
		snprintf(host, hostlen, "%s", h);
	}

	if (port && portlen) {
		snprintf(port, portlen, "%s", p);
	}
}

static bool use_hostnames;

void addr_set_hostnames(bool on) {
	use_hostnames = on;
}

const char *addr_str(const struct px_addr *a) {
	static char slots[4][NI_MAXHOST + NI_MAXSERV + 8];
	static unsigned next;
	char h[NI_MAXHOST], p[NI_MAXSERV];
	char *buf = slots[next++ % 4];

	/* Hostnames = yes: names from the resolver (a blocking lookup, as in
	 * tinc), falling back to the numeric form. */
	if (!use_hostnames || !a || !a->len || (a->sa.sa_family != AF_INET && a->sa.sa_family != AF_INET6) ||
	    getnameinfo(&a->sa, a->len, h, sizeof(h), p, sizeof(p), 0))
		addr_format(a, h, sizeof(h), p, sizeof(p));
	snprintf(buf, sizeof(slots[0]), "%s port %s", h, p);
	return buf;
}

bool addr_equal(const struct px_addr *a, const struct px_addr *b) {
	if (a->sa.sa_family != b->sa.sa_family) {
		return false;
	}

	switch (a->sa.sa_family) {
	case AF_INET:
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr && a->in.sin_port == b->in.sin_port;

	case AF_INET6:
		return !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr)) &&
		       a->in6.sin6_port == b->in6.sin6_port;

	default:
		return a->len == b->len &&
		       !memcmp(&a->ss, &b->ss, a->len <= sizeof(a->ss) ? a->len : sizeof(a->ss));
	}
}

/* FNV-1a: cheap, allocation-free, good enough for a per-packet index. */
static uint32_t fnv1a(uint32_t h, const void *data, size_t len) {
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}

	return h;
}

uint32_t addr_hash(const struct px_addr *a) {
	uint32_t h = 2166136261u;
	uint16_t family = a->sa.sa_family;

	h = fnv1a(h, &family, sizeof(family));

	switch (a->sa.sa_family) {
	case AF_INET:
		h = fnv1a(h, &a->in.sin_addr, sizeof(a->in.sin_addr));
		h = fnv1a(h, &a->in.sin_port, sizeof(a->in.sin_port));
		break;

	case AF_INET6:
		h = fnv1a(h, &a->in6.sin6_addr, sizeof(a->in6.sin6_addr));
		h = fnv1a(h, &a->in6.sin6_port, sizeof(a->in6.sin6_port));
		break;

	default:
		break;
	}

	return h;
}

uint16_t addr_port(const struct px_addr *a) {
	switch (a->sa.sa_family) {
	case AF_INET:
		return ntohs(a->in.sin_port);

	case AF_INET6:
		return ntohs(a->in6.sin6_port);

	default:
		return 0;
	}
}

void addr_set_port(struct px_addr *a, uint16_t port) {
	switch (a->sa.sa_family) {
	case AF_INET:
		a->in.sin_port = htons(port);
		break;

	case AF_INET6:
		a->in6.sin6_port = htons(port);
		break;

	default:
		break;
	}
}

void addr_unmap(struct px_addr *a) {
	if (a->sa.sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&a->in6.sin6_addr)) {
		return;
	}

	struct sockaddr_in in = {
	    .sin_family = AF_INET,
	    .sin_port = a->in6.sin6_port,
	};

	memcpy(&in.sin_addr, &a->in6.sin6_addr.s6_addr[12], 4);
	memset(&a->ss, 0, sizeof(a->ss));
	a->in = in;
	a->len = sizeof(in);
}

void bin2hex(const uint8_t *src, size_t len, char *dst) {
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		dst[2 * i] = digits[src[i] >> 4];
		dst[2 * i + 1] = digits[src[i] & 0xf];
	}

	dst[2 * len] = '\0';
}

int hex_digit_value(char c) {
	if (c >= '0' && c <= '9') {
		return c - '0';
	}

	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}

	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}

	return -1;
}

int hex2bin(const char *src, uint8_t *dst, size_t dstlen) {
	size_t len = strlen(src);

	if (len % 2 || len / 2 > dstlen) {
		return -1;
	}

	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_digit_value(src[2 * i]), lo = hex_digit_value(src[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return -1;
		}

		dst[i] = (uint8_t)(hi << 4 | lo);
	}

	return (int)(len / 2);
}
