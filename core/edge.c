/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Directed edges. edge_list is kept in tinc's order (weight, from name, to
 * name, compared with strcmp) because every node must run Kruskal over the
 * same sequence to agree on the spanning tree used for broadcasts.
 */
#include <stdlib.h>
#include <string.h>

#include "edge.h"
#include "netutl.h"
#include "node.h"
#include "xalloc.h"

struct list_head edge_list = LIST_HEAD_INIT(edge_list);

static int edge_cmp(const struct edge *a, const struct edge *b) {
	if (a->weight != b->weight) {
		return a->weight < b->weight ? -1 : 1;
	}

	int c = strcmp(a->from->name, b->from->name);

	if (c) {
		return c;
	}

	return strcmp(a->to->name, b->to->name);
}

struct edge *edge_new(void) {
	struct edge *e = xcalloc(1, sizeof(*e));

	list_init(&e->from_link);
	list_init(&e->link);
	return e;
}

/*
 * edge_list in an array as well, so that finding an edge's place costs a
 * binary search instead of a walk with two strcmp per edge: a mesh of N
 * nodes learns O(N) edges in a burst, and the walk made that O(N^2) per node.
 */
static struct edge **sorted;
static size_t nsorted, sorted_cap;

/* The first index whose edge sorts after e (after equal keys, as the list). */
static size_t upper_bound(const struct edge *e) {
	size_t lo = 0, hi = nsorted;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (edge_cmp(e, sorted[mid]) < 0) {
			hi = mid;
		} else {
			lo = mid + 1;
		}
	}

	return lo;
}

static void insert_sorted(struct edge *e) {
	if (nsorted == sorted_cap) {
		sorted_cap = sorted_cap ? 2 * sorted_cap : 64;
		sorted = xrealloc(sorted, sorted_cap * sizeof(*sorted));
	}

	size_t i = upper_bound(e);

	list_add_tail(&e->link, i < nsorted ? &sorted[i]->link : &edge_list);
	memmove(&sorted[i + 1], &sorted[i], (nsorted - i) * sizeof(*sorted));
	sorted[i] = e;
	nsorted++;
}

/* Where e is in the array: by its key, or (its weight changed since it was
 * placed) by a scan. */
static size_t sorted_index(const struct edge *e) {
	size_t i = upper_bound(e);

	while (i > 0 && !edge_cmp(e, sorted[i - 1])) {
		if (sorted[--i] == e) {
			return i;
		}
	}

	for (i = 0; i < nsorted; i++) {
		if (sorted[i] == e) {
			return i;
		}
	}

	return (size_t)-1;
}

static void remove_sorted(struct edge *e) {
	size_t i = sorted_index(e);

	if (i != (size_t)-1) {
		memmove(&sorted[i], &sorted[i + 1], (nsorted - i - 1) * sizeof(*sorted));

		if (!--nsorted) {
			free(sorted);
			sorted = NULL;
			sorted_cap = 0;
		}
	}

	list_del(&e->link);
}

void edge_add(struct edge *e) {
	list_add_tail(&e->from_link, &e->from->edges);
	e->from->nedges++;
	insert_sorted(e);

	e->reverse = edge_lookup(e->to, e->from);

	if (e->reverse) {
		e->reverse->reverse = e;
	}
}

void edge_del(struct edge *e) {
	if (!e) {
		return;
	}

	if (e->reverse && e->reverse->reverse == e) {
		e->reverse->reverse = NULL;
	}

	/* graph.c will recompute prevedge; until then it must not dangle. */
	if (e->to && e->to->prevedge == e) {
		e->to->prevedge = NULL;
	}

	if (!list_empty(&e->from_link) && e->from) {
		e->from->nedges--;
	}

	list_del(&e->from_link);

	if (!list_empty(&e->link)) {
		remove_sorted(e);
	}

	free(e->addr_host);
	free(e->addr_port);
	free(e->local_host);
	free(e->local_port);
	free(e);
}

struct edge *edge_lookup(node_t *from, node_t *to) {
	struct edge *e;

	if (!from || !to) {
		return NULL;
	}

	list_for_each_entry(e, &from->edges, from_link) {
		if (e->to == to) {
			return e;
		}
	}

	return NULL;
}

static char *dup_or_null(const char *s) {
	if (!s) {
		return NULL;
	}

	char *d = xstrdup(s);

	return d;
}

void edge_set_address(struct edge *e, const char *host, const char *port) {
	char *h = dup_or_null(host), *p = dup_or_null(port);

	free(e->addr_host);
	free(e->addr_port);
	e->addr_host = h;
	e->addr_port = p;

	/* Only numeric addresses are usable for UDP; names are kept for forwarding. */
	if (!host || addr_parse(host, port, &e->address)) {
		memset(&e->address, 0, sizeof(e->address));
	}
}

void edge_set_local(struct edge *e, const char *host, const char *port) {
	char *h = dup_or_null(host), *p = dup_or_null(port);

	free(e->local_host);
	free(e->local_port);
	e->local_host = h;
	e->local_port = p;
}

/* Only e may be out of place: change and resort edges one at a time. */
void edge_resort(struct edge *e) {
	remove_sorted(e);
	insert_sorted(e);
}
