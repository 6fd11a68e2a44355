/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Subnets: parsing and formatting of tinc's subnet strings, and the global
 * table the router searches for every packet.
 *
 * The table is kept sorted by (type, prefix length descending, weight
 * ascending, address, owner name). Peers decide how many subnets we hold,
 * so nothing here may be linear in the table: a skip list finds the place
 * of a new entry in O(log n), and subnets are also grouped by (type,
 * prefix, masked address) in a hash, so an exact find is one probe and a
 * lookup is one probe per prefix length in use, taking the first member
 * (in table order) whose owner is reachable. A small direct-mapped cache
 * in front of lookups makes the common case O(1); lookups never allocate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <time.h>

#include "hash_mix.h"
#include "node.h"
#include "netutl.h"
#include "subnet.h"
#include "xalloc.h"

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

/* ---- the skip list over the table ---- */

/* Head of the skip list: skip_head[i] is the first subnet on level i. */
static struct subnet *skip_head[SUBNET_SKIP_LEVELS];
static uint64_t skip_rng = 0x9e3779b97f4a7c15ull;

/* Table order made total: equal subnets (only possible when built by hand)
 * are told apart by address in memory. */
static int skip_cmp(const struct subnet *a, const struct subnet *b) {
	int c = table_cmp(a, b);

	if (c || a == b) {
		return c;
	}

	return (uintptr_t)a < (uintptr_t)b ? -1 : 1;
}

/* Levels for a new entry: geometric with p = 1/4 (xorshift is enough, the
 * levels only shape the search, they never decide a result). */
static int skip_random_levels(void) {
	skip_rng ^= skip_rng << 13;
	skip_rng ^= skip_rng >> 7;
	skip_rng ^= skip_rng << 17;
	uint64_t r = skip_rng;
	int levels = 1;

	while (levels < SUBNET_SKIP_LEVELS && (r & 3) == 0) {
		levels++;
		r >>= 2;
	}

	return levels;
}

/* Fill prev[i] with the link on level i after which s belongs (NULL: the head). */
static void skip_find(const struct subnet *s, struct subnet *prev[SUBNET_SKIP_LEVELS]) {
	struct subnet *x = NULL;

	for (int i = SUBNET_SKIP_LEVELS - 1; i >= 0; i--) {
		struct subnet *next = x ? x->skip_next[i] : skip_head[i];

		while (next && skip_cmp(next, s) < 0) {
			x = next;
			next = x->skip_next[i];
		}

		prev[i] = x;
	}
}

static void skip_insert(struct subnet *s) {
	struct subnet *prev[SUBNET_SKIP_LEVELS];

	skip_find(s, prev);
	s->skip_levels = skip_random_levels();

	for (int i = 0; i < SUBNET_SKIP_LEVELS; i++) {
		if (i >= s->skip_levels) {
			s->skip_next[i] = NULL;
			continue;
		}

		struct subnet **link = prev[i] ? &prev[i]->skip_next[i] : &skip_head[i];
		s->skip_next[i] = *link;
		*link = s;
	}

	/* Level 0 is the table order: the list follows it. */
	list_add(&s->table_link, prev[0] ? &prev[0]->table_link : &subnet_table);
}

static void skip_remove(struct subnet *s) {
	struct subnet *prev[SUBNET_SKIP_LEVELS];

	skip_find(s, prev);

	for (int i = 0; i < s->skip_levels; i++) {
		struct subnet **link = prev[i] ? &prev[i]->skip_next[i] : &skip_head[i];

		if (*link == s) {
			*link = s->skip_next[i];
		}
	}

	s->skip_levels = 0;
}

/* ---- groups: subnets with the same type, prefix and masked address ---- */

struct subnet_group {
	enum subnet_type type;
	int prefix;
	uint8_t key[16];           /* the address with the host bits cleared */
	struct list_head members;  /* struct subnet.group_link, in table order */
	struct subnet_group *next; /* hash chain */
};

static struct subnet_group **group_buckets;
static size_t group_nbuckets, group_count;
static uint64_t group_seed;
/* How many subnets of each type have each prefix length, so a lookup only
 * probes the lengths in use. */
static unsigned prefix_use[3][129];

static size_t addr_len(enum subnet_type type) {
	return type == SUBNET_MAC ? 6 : type == SUBNET_IPV4 ? 4 : 16;
}

/* Can s be indexed at all? (A hand-built prefix beyond the address never matches.) */
static bool indexable(const struct subnet *s) {
	return s->type <= SUBNET_IPV6 && s->prefix >= 0 && s->prefix <= addr_bits(s->type);
}

static void mask_addr(const uint8_t *addr, size_t len, int prefix, uint8_t out[16]) {
	memset(out, 0, 16);
	int full = prefix / 8, rest = prefix % 8;

	memcpy(out, addr, (size_t)full <= len ? (size_t)full : len);

	if (rest && (size_t)full < len) {
		out[full] = addr[full] & (uint8_t)(0xff << (8 - rest));
	}
}

/* Bucket of a group key. Seeded per process, so which subnets share a
 * chain cannot be chosen by whoever announces them. */
static size_t group_hash(enum subnet_type type, int prefix, const uint8_t key[16]) {
	uint64_t w[2];

	if (!group_seed) {
		uint8_t seed[8];

		if (getrandom(seed, sizeof(seed), 0) != sizeof(seed)) {
			memcpy(seed, &(uint64_t){(uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&seed},
			       sizeof(seed));
		}

		memcpy(&group_seed, seed, sizeof(group_seed));
		group_seed |= 1;
	}

	memcpy(w, key, 16);
	uint64_t h = hash_mix64(group_seed ^ ((uint64_t)type << 8 | (uint64_t)prefix));
	h = hash_mix64(h ^ w[0]);
	h = hash_mix64(h ^ w[1]);
	return (size_t)h & (group_nbuckets - 1);
}

static struct subnet_group *group_find(enum subnet_type type, int prefix, const uint8_t key[16]) {
	if (!group_nbuckets) {
		return NULL;
	}

	for (struct subnet_group *g = group_buckets[group_hash(type, prefix, key)]; g; g = g->next) {
		if (g->type == type && g->prefix == prefix && !memcmp(g->key, key, 16)) {
			return g;
		}
	}

	return NULL;
}

/* Keep the load factor at most 1 by doubling the bucket array. */
static void group_grow(void) {
	size_t n = group_nbuckets ? group_nbuckets * 2 : 256;
	struct subnet_group **b = xcalloc(n, sizeof(*b));

	size_t old_n = group_nbuckets;
	struct subnet_group **old = group_buckets;
	group_buckets = b;
	group_nbuckets = n;

	for (size_t i = 0; i < old_n; i++) {
		while (old[i]) {
			struct subnet_group *g = old[i];
			old[i] = g->next;
			size_t h = group_hash(g->type, g->prefix, g->key);
			g->next = b[h];
			b[h] = g;
		}
	}

	free(old);
}

static void group_insert(struct subnet *s) {
	uint8_t key[16];

	if (!indexable(s)) {
		s->group = NULL;
		list_init(&s->group_link);
		return;
	}

	mask_addr(s->addr, addr_len(s->type), s->prefix, key);
	struct subnet_group *g = group_find(s->type, s->prefix, key);

	if (!g) {
		if (group_count >= group_nbuckets) {
			group_grow();
		}

		g = xcalloc(1, sizeof(*g));

		g->type = s->type;
		g->prefix = s->prefix;
		memcpy(g->key, key, 16);
		list_init(&g->members);
		size_t h = group_hash(g->type, g->prefix, key);
		g->next = group_buckets[h];
		group_buckets[h] = g;
		group_count++;
	}

	/* Members in table order; a group holds the owners of one prefix (and
	 * whatever weights they chose), so it stays short. */
	struct subnet *pos;

	list_for_each_entry(pos, &g->members, group_link) {
		if (skip_cmp(s, pos) < 0) {
			break;
		}
	}

	list_add_tail(&s->group_link, &pos->group_link);
	s->group = g;
	prefix_use[s->type][s->prefix]++;
}

static void group_remove(struct subnet *s) {
	struct subnet_group *g = s->group;

	list_del(&s->group_link);

	if (!g) {
		return;
	}

	s->group = NULL;
	prefix_use[g->type][g->prefix]--;

	if (!list_empty(&g->members)) {
		return;
	}

	struct subnet_group **pp = &group_buckets[group_hash(g->type, g->prefix, g->key)];

	while (*pp && *pp != g) {
		pp = &(*pp)->next;
	}

	if (*pp) {
		*pp = g->next;
	}

	group_count--;
	free(g);

	if (!group_count) {
		free(group_buckets);
		group_buckets = NULL;
		group_nbuckets = 0;
	}
}

/* ---- the table ---- */

struct subnet *subnet_new(void) {
	struct subnet *s = xcalloc(1, sizeof(*s));

	s->weight = SUBNET_DEFAULT_WEIGHT;
	list_init(&s->owner_link);
	list_init(&s->table_link);
	list_init(&s->group_link);
	return s;
}

void subnet_add(node_t *owner, struct subnet *s) {
	s->owner = owner;

	if (owner) {
		list_add_tail(&s->owner_link, &owner->subnets);
		owner->nsubnets++;
	} else {
		list_init(&s->owner_link);
	}

	skip_insert(s);
	group_insert(s);
	subnet_cache_flush();
}

void subnet_del(struct subnet *s) {
	if (!s) {
		return;
	}

	if (s->owner && !list_empty(&s->owner_link)) {
		s->owner->nsubnets--;
	}

	list_del(&s->owner_link);

	if (s->skip_levels) {
		skip_remove(s);
	}

	list_del(&s->table_link);
	group_remove(s);
	subnet_cache_flush();
	free(s);
}

int subnet_count(const node_t *owner) {
	return owner ? owner->nsubnets : 0;
}

struct subnet *subnet_find(node_t *owner, const struct subnet *s) {
	struct subnet *pos;

	if (!owner) {
		return NULL;
	}

	if (!indexable(s)) {
		list_for_each_entry(pos, &owner->subnets, owner_link) {
			if (subnet_equal(pos, s)) {
				return pos;
			}
		}

		return NULL;
	}

	uint8_t key[16];
	mask_addr(s->addr, addr_len(s->type), s->prefix, key);
	struct subnet_group *g = group_find(s->type, s->prefix, key);

	if (!g) {
		return NULL;
	}

	list_for_each_entry(pos, &g->members, group_link) {
		if (pos->owner == owner && subnet_equal(pos, s)) {
			return pos;
		}
	}

	return NULL;
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
 * that the router can tell "unreachable" from "no route". Table order is
 * longest prefix first, so the groups are probed from the longest prefix
 * length in use down; inside a group the members are in table order too. */
static struct subnet *lookup(enum subnet_type type, const uint8_t *addr, size_t len) {
	unsigned slot = cache_slot(type, addr, len);
	struct cache_entry *ce = &cache[slot];

	if (ce->valid && ce->type == type && !memcmp(ce->key, addr, len)) {
		return ce->result;
	}

	struct subnet *s, *first = NULL, *found = NULL;
	uint8_t key[16];

	for (int prefix = addr_bits(type); prefix >= 0 && !found; prefix--) {
		if (!prefix_use[type][prefix]) {
			continue;
		}

		mask_addr(addr, len, prefix, key);
		struct subnet_group *g = group_find(type, prefix, key);

		if (!g) {
			continue;
		}

		list_for_each_entry(s, &g->members, group_link) {
			if (!first) {
				first = s;
			}

			if (!s->owner || s->owner->reachable) {
				found = s;
				break;
			}
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
