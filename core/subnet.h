/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Subnets: tinc syntax, ordering, and the lookup table used by the router. */
#ifndef PX_SUBNET_H
#define PX_SUBNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"

typedef struct px_node node_t; /* node.h */
struct subnet_group;

#define SUBNET_SKIP_LEVELS 12 /* enough for 4^12 subnets at p = 1/4 */

enum subnet_type { SUBNET_MAC = 0, SUBNET_IPV4, SUBNET_IPV6 };

struct subnet {
	enum subnet_type type;
	int weight;       /* default 10, lower wins */
	int prefix;       /* 0..32 / 0..128; 48 for MAC */
	uint8_t addr[16]; /* MAC: 6 bytes, IPv4: 4, IPv6: 16 */
	node_t *owner;
	uint64_t expires_ms;         /* switch mode: learned MACs; 0 = never */
	struct list_head owner_link; /* in owner->subnets */
	struct list_head table_link; /* in the global table */
	/* Indexes of the table (subnet.c): a skip list over table_link for
	 * O(log n) sorted inserts, and the group of subnets sharing type,
	 * prefix and masked address for O(prefix lengths) lookups. */
	struct subnet *skip_next[SUBNET_SKIP_LEVELS];
	int skip_levels;
	struct subnet_group *group;
	struct list_head group_link;
};

#define SUBNET_DEFAULT_WEIGHT 10
#define SUBNET_MAXSTR         64

/* Parse tinc subnet syntax (MAC / IPv4 / IPv6, optional /prefix, #weight).
 * Returns true on success. Does not check host bits. */
bool subnet_parse(const char *str, struct subnet *out);
/* True if no address bits are set beyond the prefix (config files require it). */
bool subnet_hostbits_clear(const struct subnet *s);
/* Format in tinc 1.0's syntax (always /prefix#weight; MAC with %x groups and
 * #weight), which both tinc 1.0 and 1.1 parse. */
void subnet_format(const struct subnet *s, char *buf, size_t len);
/* Format in the compact 1.1 syntax (for dumps and scripts). */
void subnet_format_compact(const struct subnet *s, char *buf, size_t len);
/* Same type, prefix, address and weight? (owner ignored) */
bool subnet_equal(const struct subnet *a, const struct subnet *b);

/* The global table. subnet_add() links a heap-allocated subnet to owner and
 * table; subnet_del() unlinks and frees. */
struct subnet *subnet_new(void);
void subnet_add(node_t *owner, struct subnet *s);
void subnet_del(struct subnet *s);
/* Exact match among owner's subnets, or NULL. */
struct subnet *subnet_find(node_t *owner, const struct subnet *s);
/* Longest-prefix match (then lowest weight, then a reachable owner). */
struct subnet *subnet_lookup_ipv4(const uint8_t addr[4]);
struct subnet *subnet_lookup_ipv6(const uint8_t addr[16]);
struct subnet *subnet_lookup_mac(const uint8_t addr[6]);
/* Subnets owner has in the table (counted, O(1)). */
int subnet_count(const node_t *owner);
/* Iterate the whole table (always in table order). */
extern struct list_head subnet_table;
/* Lookups are cached; call after any table or reachability change. */
void subnet_cache_flush(void);

#endif
