/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Nodes: the sorted node list, node IDs, the UDP address index used to
 * identify the sender of every incoming datagram, and per-plugin slots.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <sodium.h>

#include "edge.h"
#include "event.h"
#include "hash_mix.h"
#include "logger.h"
#include "netutl.h"
#include "node.h"
#include "subnet.h"
#include "slots.h"
#include "xalloc.h"

struct list_head node_list = LIST_HEAD_INIT(node_list);
node_t *myself;

/* UDP index: a fixed-size chained hash table, so lookups never allocate. */
#define UDP_BUCKETS 1024
static node_t *udp_index[UDP_BUCKETS];

/* tinc 1.1 identifies nodes in SPTPS datagrams by SHA-512(name)[0..5].
 * libsodium's SHA-512 is used so that the core needs no libcrypto. */
static void compute_id(const char *name, uint8_t id[6]) {
	uint8_t digest[crypto_hash_sha512_BYTES];

	crypto_hash_sha512(digest, (const unsigned char *)name, strlen(name));
	memcpy(id, digest, 6);
}

node_t *node_new(const char *name) {
	node_t *n = xcalloc(1, sizeof(*n));

	n->name = xstrdup(name ? name : "");

	compute_id(n->name, n->id);
	list_init(&n->edges);
	list_init(&n->subnets);
	list_init(&n->link);
	n->distance = -1;
	n->mtu = PX_MTU;
	n->maxmtu = PX_MTU;
	n->minmtu = 0;
	return n;
}

/*
 * Name index: node_lookup() runs for every ADD_EDGE/ADD_SUBNET a peer sends
 * and peers decide how many nodes exist, so it is a chained hash (doubling
 * at load factor 1) instead of a walk of node_list. The hash is seeded per
 * process so that names cannot be chosen to share a chain.
 */
static node_t **name_index;
static size_t name_buckets, name_count;
static uint64_t name_seed;

static size_t name_hash(const char *name) {
	if (!name_seed) {
		if (getrandom(&name_seed, sizeof(name_seed), 0) != sizeof(name_seed)) {
			name_seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&name_seed;
		}

		name_seed |= 1;
	}

	size_t len = strlen(name);
	uint64_t h = hash_mix64(name_seed ^ len);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = 0;
		memcpy(&w, name + i, len - i < 8 ? len - i : 8);
		h = hash_mix64(h ^ w);
	}

	return (size_t)h & (name_buckets - 1);
}

static void name_index_grow(void) {
	size_t n = name_buckets ? name_buckets * 2 : 256;
	node_t **b = xcalloc(n, sizeof(*b));
	size_t old_n = name_buckets;
	node_t **old = name_index;

	name_index = b;
	name_buckets = n;

	for (size_t i = 0; i < old_n; i++) {
		while (old[i]) {
			node_t *x = old[i];
			old[i] = x->name_hash_next;
			size_t h = name_hash(x->name);
			x->name_hash_next = b[h];
			b[h] = x;
		}
	}

	free(old);
}

static void name_index_add(node_t *n) {
	if (name_count >= name_buckets) {
		name_index_grow();
	}

	size_t h = name_hash(n->name);
	n->name_hash_next = name_index[h];
	name_index[h] = n;
	name_count++;
}

static void name_index_remove(node_t *n) {
	if (!name_buckets) {
		return;
	}

	for (node_t **pp = &name_index[name_hash(n->name)]; *pp; pp = &(*pp)->name_hash_next) {
		if (*pp == n) {
			*pp = n->name_hash_next;
			n->name_hash_next = NULL;

			if (!--name_count) {
				free(name_index);
				name_index = NULL;
				name_buckets = 0;
			}

			return;
		}
	}
}

size_t node_count(void) {
	return name_count;
}

void node_add(node_t *n) {
	node_t *pos;

	name_index_add(n);

	list_for_each_entry(pos, &node_list, link) {
		if (strcmp(n->name, pos->name) < 0) {
			break;
		}
	}

	list_add_tail(&n->link, &pos->link);
}

static void udp_unindex(node_t *n) {
	if (!n->has_udp_addr || n->is_self) {
		return;
	}

	node_t **pp = &udp_index[addr_hash(&n->udp_addr) % UDP_BUCKETS];

	for (; *pp; pp = &(*pp)->addr_hash_next) {
		if (*pp == n) {
			*pp = n->addr_hash_next;
			break;
		}
	}

	n->addr_hash_next = NULL;
}

void node_set_udp(node_t *n, const struct px_addr *a) {
	udp_unindex(n);

	if (!a || !a->len) {
		n->has_udp_addr = false;
		memset(&n->udp_addr, 0, sizeof(n->udp_addr));
		return;
	}

	n->udp_addr = *a;
	n->has_udp_addr = true;

	/* Our own address is never a packet source we need to identify. */
	if (n->is_self) {
		return;
	}

	/* Newest first: if two nodes claim one address, the latest wins. */
	node_t **head = &udp_index[addr_hash(a) % UDP_BUCKETS];
	n->addr_hash_next = *head;
	*head = n;
}

node_t *node_lookup_udp(const struct px_addr *a) {
	for (node_t *n = udp_index[addr_hash(a) % UDP_BUCKETS]; n; n = n->addr_hash_next) {
		if (addr_equal(&n->udp_addr, a)) {
			return n;
		}
	}

	return NULL;
}

node_t *node_lookup(const char *name) {
	if (!name || !name_buckets) {
		return NULL;
	}

	for (node_t *n = name_index[name_hash(name)]; n; n = n->name_hash_next) {
		if (!strcmp(name, n->name)) {
			return n;
		}
	}

	return NULL;
}

node_t *node_lookup_id(const uint8_t id[6]) {
	node_t *n;

	list_for_each_entry(n, &node_list, link) {
		if (!memcmp(n->id, id, 6)) {
			return n;
		}
	}

	return NULL;
}

void **node_slot(node_t *n, int index) {
	return slots_get(&n->slots, index);
}

void node_del(node_t *n) {
	if (!n) {
		return;
	}

	struct subnet *s, *stmp;

	list_for_each_entry_safe(s, stmp, &n->subnets, owner_link) {
		subnet_del(s);
	}

	/* Edges from n, and edges other nodes still have towards n. */
	struct edge *e, *etmp;

	list_for_each_entry_safe(e, etmp, &edge_list, link) {
		if (e->from == n || e->to == n) {
			edge_del(e);
		}
	}

	list_for_each_entry_safe(e, etmp, &n->edges, from_link) {
		edge_del(e); /* edges not in edge_list (never added) */
	}

	udp_unindex(n);

	if (n->mtu_timer) {
		timer_free(n->mtu_timer);
		n->mtu_timer = NULL;
	}
	if (n->udisc_timer) {
		timer_free(n->udisc_timer);
		n->udisc_timer = NULL;
	}

	name_index_remove(n);
	list_del(&n->link);

	/* Nobody may keep pointing at a freed node. */
	node_t *other;

	list_for_each_entry(other, &node_list, link) {
		if (other->nexthop == n) {
			other->nexthop = NULL;
		}

		if (other->via == n) {
			other->via = NULL;
		}
	}

	if (myself == n) {
		myself = NULL;
	}

	if (n->slots) {
		slots_free(n->slots);
	}

	free(n->name);
	free(n);
}

void node_free_all(void) {
	node_t *n, *tmp;

	list_for_each_entry_safe(n, tmp, &node_list, link) {
		node_del(n);
	}

	myself = NULL;
}
