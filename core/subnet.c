/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Subnets: parsing and formatting of tinc's subnet strings, and the global
 * table the router searches for every packet.
 *
 * The table is kept sorted by (type, prefix length descending, weight
 * ascending, owner name), so a lookup is one linear scan that can stop at the
 * first match whose owner is reachable. A small direct-mapped cache in front
 * of it makes the common case O(1); both paths are allocation-free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "node.h"
#include "netutl.h"
#include "subnet.h"

struct list_head subnet_table = LIST_HEAD_INIT(subnet_table);

/* ---- parsing ---- */

/* Strict decimal int: optional '-', digits only, no overflow. */
static bool parse_int(const char *s, int *out) {
	bool neg = false;
	long long v = 0;

	if (*s == '-') {
		neg = true;
		s++;
	}

	if (!*s) {
		return false;
	}

	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}

		v = v * 10 + (*s - '0');

		if (v > 2147483648LL) {
			return false;
		}
	}

	if (neg) {
		v = -v;
	}

	if (v > 2147483647LL) {
		return false;
	}

	*out = (int)v;
	return true;
}


/* Six ':'-separated groups of 1-4 hex digits (1.0 prints single digits), each <= 0xff. */
static bool parse_mac(const char *s, uint8_t mac[6]) {
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		int digits = 0;

		while (hex_digit_value(*s) >= 0) {
			if (++digits > 4) {
				return false;
			}

			v = v * 16 + (unsigned)hex_digit_value(*s++);
		}

		if (!digits || v > 0xff) {
			return false;
		}

		mac[i] = (uint8_t)v;

		if (i < 5) {
			if (*s != ':') {
				return false;
			}

			s++;
		}
	}

	return *s == '\0';
}

bool subnet_parse(const char *str, struct subnet *out) {
	char buf[SUBNET_MAXSTR * 2];
	int weight = SUBNET_DEFAULT_WEIGHT;
	int prefix = -1;

	if (!str) {
		return false;
	}

	size_t len = strlen(str);

	if (!len || len >= sizeof(buf)) {
		return false;
	}

	memcpy(buf, str, len + 1);

	char *hash = strchr(buf, '#');

	if (hash) {
		*hash = '\0';

		if (!parse_int(hash + 1, &weight)) {
			return false;
		}
	}

	char *slash = strchr(buf, '/');

	if (slash) {
		*slash = '\0';

		if (!parse_int(slash + 1, &prefix) || prefix < 0) {
			return false;
		}
	}

	struct subnet s = {.weight = weight};

	if (parse_mac(buf, s.addr)) {
		if (prefix >= 0) {
			return false;
		}

		s.type = SUBNET_MAC;
		s.prefix = 48;
	} else if (inet_pton(AF_INET, buf, s.addr) == 1) {
		if (prefix > 32) {
			return false;
		}

		s.type = SUBNET_IPV4;
		s.prefix = prefix < 0 ? 32 : prefix;
	} else if (inet_pton(AF_INET6, buf, s.addr) == 1) {
		if (prefix > 128) {
			return false;
		}

		s.type = SUBNET_IPV6;
		s.prefix = prefix < 0 ? 128 : prefix;
	} else {
		return false;
	}

	out->type = s.type;
	out->weight = s.weight;
	out->prefix = s.prefix;
	memcpy(out->addr, s.addr, sizeof(out->addr));
	return true;
}

static int addr_bits(enum subnet_type type) {
	switch (type) {
	case SUBNET_IPV4:
		return 32;

	case SUBNET_IPV6:
		return 128;

	default:
		return 48;
	}
}

bool subnet_hostbits_clear(const struct subnet *s) {
	if (s->type == SUBNET_MAC) {
		return true;
	}

	int bits = addr_bits(s->type);

	for (int i = s->prefix; i < bits; i++) {
		if (s->addr[i / 8] & (0x80 >> (i % 8))) {
			return false;
		}
	}

	return true;
}

/* ---- formatting ---- */

void subnet_format(const struct subnet *s, char *buf, size_t len) {
	const uint8_t *a = s->addr;

	switch (s->type) {
	case SUBNET_MAC:
		snprintf(buf, len, "%x:%x:%x:%x:%x:%x#%d", a[0], a[1], a[2], a[3], a[4], a[5], s->weight);
		break;

	case SUBNET_IPV4:
		snprintf(buf, len, "%u.%u.%u.%u/%d#%d", a[0], a[1], a[2], a[3], s->prefix, s->weight);
		break;

	case SUBNET_IPV6:
		snprintf(buf, len, "%x:%x:%x:%x:%x:%x:%x:%x/%d#%d", a[0] << 8 | a[1], a[2] << 8 | a[3],
		         a[4] << 8 | a[5], a[6] << 8 | a[7], a[8] << 8 | a[9], a[10] << 8 | a[11],
		         a[12] << 8 | a[13], a[14] << 8 | a[15], s->prefix, s->weight);
		break;

	default:
		snprintf(buf, len, "unknown");
		break;
	}
}

void subnet_format_compact(const struct subnet *s, char *buf, size_t len) {
	const uint8_t *a = s->addr;
	char addr[INET6_ADDRSTRLEN] = "";
	char prefix[8] = "", weight[16] = "";

	switch (s->type) {
	case SUBNET_MAC:
		snprintf(addr, sizeof(addr), "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4],
		         a[5]);
		break;

	case SUBNET_IPV4:
		inet_ntop(AF_INET, a, addr, sizeof(addr));

		if (s->prefix != 32) {
			snprintf(prefix, sizeof(prefix), "/%d", s->prefix);
		}

		break;

	case SUBNET_IPV6:
		inet_ntop(AF_INET6, a, addr, sizeof(addr));

		if (s->prefix != 128) {
			snprintf(prefix, sizeof(prefix), "/%d", s->prefix);
		}

		break;

	default:
		snprintf(addr, sizeof(addr), "unknown");
		break;
	}

	if (s->weight != SUBNET_DEFAULT_WEIGHT) {
		snprintf(weight, sizeof(weight), "#%d", s->weight);
	}

	snprintf(buf, len, "%s%s%s", addr, prefix, weight);
}

bool subnet_equal(const struct subnet *a, const struct subnet *b) {
	if (a->type != b->type || a->prefix != b->prefix || a->weight != b->weight) {
		return false;
	}

	size_t n = a->type == SUBNET_MAC ? 6 : a->type == SUBNET_IPV4 ? 4 : 16;
	return !memcmp(a->addr, b->addr, n);
}

/* ---- the table ---- */

/* Direct-mapped lookup cache. Entries hold the key, its type and the result
 * (possibly NULL); `valid` distinguishes an empty slot from a cached miss. */
#define CACHE_SLOTS 64

struct cache_entry {
	bool valid;
	enum subnet_type type;
	uint8_t key[16];
	struct subnet *result;
};

static struct cache_entry cache[CACHE_SLOTS];

void subnet_cache_flush(void) {
	for (int i = 0; i < CACHE_SLOTS; i++) {
		cache[i].valid = false;
	}
}

static const char *owner_name(const struct subnet *s) {
	return s->owner ? s->owner->name : "";
}

/* Table order: see the file comment. Returns <0 if a sorts before b. */
static int table_cmp(const struct subnet *a, const struct subnet *b) {
	if (a->type != b->type) {
		return (int)a->type - (int)b->type;
	}

	if (a->prefix != b->prefix) {
		return b->prefix - a->prefix;
	}

	if (a->weight != b->weight) {
		return a->weight < b->weight ? -1 : 1;
	}

	int c = memcmp(a->addr, b->addr, sizeof(a->addr));

	if (c) {
		return c;
	}

	return strcmp(owner_name(a), owner_name(b));
}

struct subnet *subnet_new(void) {
	struct subnet *s = calloc(1, sizeof(*s));

	if (!s) {
		abort();
	}

	s->weight = SUBNET_DEFAULT_WEIGHT;
	list_init(&s->owner_link);
	list_init(&s->table_link);
	return s;
}

void subnet_add(struct px_node *owner, struct subnet *s) {
	s->owner = owner;

	if (owner) {
		list_add_tail(&s->owner_link, &owner->subnets);
	}

	struct subnet *pos;

	list_for_each_entry(pos, &subnet_table, table_link) {
		if (table_cmp(s, pos) < 0) {
			break;
		}
	}

	/* Insert before pos (or at the tail when the loop ran off the end). */
	list_add_tail(&s->table_link, &pos->table_link);
	subnet_cache_flush();
}

void subnet_del(struct subnet *s) {
	if (!s) {
		return;
	}

	list_del(&s->owner_link);
	list_del(&s->table_link);
	subnet_cache_flush();
	free(s);
}

struct subnet *subnet_find(struct px_node *owner, const struct subnet *s) {
	struct subnet *pos;

	if (!owner) {
		return NULL;
	}

	list_for_each_entry(pos, &owner->subnets, owner_link) {
		if (subnet_equal(pos, s)) {
			return pos;
		}
	}

	return NULL;
}

/* Does `addr` (len bytes) fall inside s's prefix? A hand-built subnet with an
 * impossible prefix never matches instead of reading past the address. */
static bool prefix_match(const struct subnet *s, const uint8_t *addr, size_t len) {
	if (s->prefix < 0 || (size_t)s->prefix > len * 8) {
		return false;
	}

	int full = s->prefix / 8, rest = s->prefix % 8;

	if (memcmp(s->addr, addr, (size_t)full)) {
		return false;
	}

	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		return ((s->addr[full] ^ addr[full]) & mask) == 0;
	}

	return true;
}

static unsigned cache_slot(enum subnet_type type, const uint8_t *addr, size_t len) {
	uint32_t h = 2166136261u ^ (uint32_t)type;

	for (size_t i = 0; i < len; i++) {
		h ^= addr[i];
		h *= 16777619u;
	}

	return (h ^ h >> 16) % CACHE_SLOTS;
}

/* The first match in table order whose owner is reachable (broadcast subnets
 * without owner count as reachable); if none is, the best match anyway, so
 * that the router can tell "unreachable" from "no route". */
static struct subnet *lookup(enum subnet_type type, const uint8_t *addr, size_t len) {
	unsigned slot = cache_slot(type, addr, len);
	struct cache_entry *ce = &cache[slot];

	if (ce->valid && ce->type == type && !memcmp(ce->key, addr, len)) {
		return ce->result;
	}

	struct subnet *s, *first = NULL, *found = NULL;

	list_for_each_entry(s, &subnet_table, table_link) {
		if (s->type != type) {
			continue;
		}

		if (type == SUBNET_MAC ? memcmp(s->addr, addr, 6) != 0 : !prefix_match(s, addr, len)) {
			continue;
		}

		if (!first) {
			first = s;
		}

		if (!s->owner || s->owner->reachable) {
			found = s;
			break;
		}
	}

	if (!found) {
		found = first;
	}

	ce->valid = true;
	ce->type = type;
	memcpy(ce->key, addr, len);
	ce->result = found;
	return found;
}

struct subnet *subnet_lookup_ipv4(const uint8_t addr[4]) {
	return lookup(SUBNET_IPV4, addr, 4);
}

struct subnet *subnet_lookup_ipv6(const uint8_t addr[16]) {
	return lookup(SUBNET_IPV6, addr, 16);
}

struct subnet *subnet_lookup_mac(const uint8_t addr[6]) {
	return lookup(SUBNET_MAC, addr, 6);
}
