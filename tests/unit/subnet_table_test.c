/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The subnet table under load (issue 11): random adds and deletes checked
 * against a brute-force model of tinc's rules (table order, exact find,
 * longest prefix then lowest weight then a reachable owner), and 100 000
 * inserts, finds, lookups and deletes within a time bound that only a
 * sub-linear table meets.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "model_stubs.h"
#include "node.h"
#include "subnet.h"

static unsigned rnd_state = 4242;

static unsigned rnd(unsigned n) {
	rnd_state = rnd_state * 1103515245 + 12345;
	return (rnd_state >> 8) % n;
}

static double seconds(void) {
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: other load does not count */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* tinc's table order, written out independently of subnet.c. */
static int model_cmp(const struct subnet *a, const struct subnet *b) {
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
	return c ? c : strcmp(a->owner->name, b->owner->name);
}

static bool model_match(const struct subnet *s, const uint8_t addr[4]) {
	for (int i = 0; i < s->prefix; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if ((s->addr[i / 8] & bit) != (addr[i / 8] & bit)) {
			return false;
		}
	}

	return true;
}

#define MAX_LIVE 600
static struct subnet *live[MAX_LIVE];
static int nlive;

/* The best match over every live subnet: first reachable in table order, or the first at all. */
static struct subnet *model_lookup(const uint8_t addr[4]) {
	struct subnet *first = NULL, *found = NULL;

	for (int i = 0; i < nlive; i++) {
		struct subnet *s = live[i];

		if (!model_match(s, addr)) {
			continue;
		}

		if (!first || model_cmp(s, first) < 0) {
			first = s;
		}

		if (s->owner->reachable && (!found || model_cmp(s, found) < 0)) {
			found = s;
		}
	}

	return found ? found : first;
}

static void check_order(void) {
	struct subnet *s, *prev = NULL;
	int n = 0;

	list_for_each_entry(s, &subnet_table, table_link) {
		if (prev && model_cmp(prev, s) > 0) {
			CHECK(!"subnet table out of order");
			return;
		}

		prev = s;
		n++;
	}

	CHECK(n == nlive);
}

static void test_against_model(void) {
	node_t *owners[5];
	const char *names[5] = {"carol", "alice", "erin", "bob", "dave"};

	for (int i = 0; i < 5; i++) {
		owners[i] = node_new(names[i]);
		node_add(owners[i]);
		owners[i]->reachable = i % 2 == 0;
	}

	int mismatches = 0;

	for (int round = 0; round < 20000; round++) {
		unsigned op = rnd(10);

		if (op < 5 && nlive < MAX_LIVE) {
			/* 10.0.x.y with a prefix from 8 to 32, host bits sometimes set. */
			struct subnet *s = subnet_new();
			s->type = SUBNET_IPV4;
			s->prefix = 8 + (int)rnd(25);
			s->weight = (int)rnd(4) * 5;
			s->addr[0] = 10;
			s->addr[2] = (uint8_t)rnd(4);
			s->addr[3] = (uint8_t)rnd(8);

			if (rnd(3)) {
				for (int b = s->prefix; b < 32; b++) {
					s->addr[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
				}
			}

			node_t *owner = owners[rnd(5)];

			if (subnet_find(owner, s)) {
				free(s);
				continue;
			}

			subnet_add(owner, s);
			live[nlive++] = s;
		} else if (op < 7 && nlive) {
			int i = (int)rnd((unsigned)nlive);
			struct subnet copy = *live[i];
			CHECK(subnet_find(copy.owner, &copy) == live[i]);
			subnet_del(live[i]);
			live[i] = live[--nlive];
			CHECK(subnet_find(copy.owner, &copy) == NULL);
		} else if (op < 8) {
			node_t *n = owners[rnd(5)];
			n->reachable = !n->reachable;
			subnet_cache_flush();
		} else {
			uint8_t addr[4] = {10, 0, (uint8_t)rnd(5), (uint8_t)rnd(9)};

			if (subnet_lookup_ipv4(addr) != model_lookup(addr)) {
				mismatches++;
			}
		}

		if (round % 1000 == 0) {
			check_order();
		}
	}

	CHECK(mismatches == 0);
	check_order();
	fprintf(stderr, "model: %d live subnets at the end, %d lookup mismatches\n", nlive, mismatches);
	node_free_all();
	nlive = 0;
	CHECK(list_empty(&subnet_table));
}

/* 100 000 subnets of one owner: each operation must be (close to) O(1) or
 * O(log n); the old sorted list took minutes for the inserts alone. */
static void test_complexity(void) {
	enum { N = 100000 };
	node_t *n = node_new("big");
	node_add(n);
	n->reachable = true;
	double t0 = seconds();

	for (unsigned i = 0; i < N; i++) {
		struct subnet *s = subnet_new();
		s->type = SUBNET_IPV4;
		s->prefix = 32;
		/* Spread over the order: descending addresses, various weights. */
		unsigned a = 0xc6130000u + (N - i) * 7u % 65536u + (i & 1u) * 65536u;
		s->addr[0] = (uint8_t)(a >> 24);
		s->addr[1] = (uint8_t)(a >> 16);
		s->addr[2] = (uint8_t)(a >> 8);
		s->addr[3] = (uint8_t)a;
		s->weight = (int)(i % 3);
		subnet_add(n, s);
	}

	double t1 = seconds();
	int found = 0, looked = 0;

	for (unsigned i = 0; i < N; i++) {
		unsigned a = 0xc6130000u + (N - i) * 7u % 65536u + (i & 1u) * 65536u;
		struct subnet key = {.type = SUBNET_IPV4, .prefix = 32, .weight = (int)(i % 3)};
		key.addr[0] = (uint8_t)(a >> 24);
		key.addr[1] = (uint8_t)(a >> 16);
		key.addr[2] = (uint8_t)(a >> 8);
		key.addr[3] = (uint8_t)a;
		found += subnet_find(n, &key) != NULL;
		looked += subnet_lookup_ipv4(key.addr) != NULL;
	}

	double t2 = seconds();
	int count = 0;
	struct subnet *s, *prev = NULL;
	bool sorted = true;

	list_for_each_entry(s, &subnet_table, table_link) {
		if (prev && model_cmp(prev, s) > 0) {
			sorted = false;
		}

		prev = s;
		count++;
	}

	node_free_all();
	double t3 = seconds();
	fprintf(stderr, "complexity: %d inserts %.3f s, finds+lookups %.3f s, deletes %.3f s\n", N, t1 - t0,
	        t2 - t1, t3 - t2);
	CHECK(count == N && sorted);
	CHECK(found == N && looked == N);
	CHECK(list_empty(&subnet_table));
	/* Generous for slow (sanitizer) builds; a linear table needs minutes. */
	CHECK(t1 - t0 < 3.0);
	CHECK(t2 - t1 < 3.0);
	CHECK(t3 - t2 < 3.0);
}

int main(void) {
	test_against_model();
	test_complexity();
	return check_done("subnet_table_test");
}
