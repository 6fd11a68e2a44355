/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Graph algorithms over the node and edge lists.
 *
 * An edge only counts when its reverse exists (both ends announced the
 * connection). The spanning tree is Kruskal's algorithm over edge_list in its
 * (weight, from, to) order; with that strict total order the tree is unique,
 * so every node -- tinc or Plexus -- agrees on it. Only broadcasts and dumps
 * look at the tree, so it is computed when one asks (graph_edge_in_mst())
 * after a run, not in every run. Reachability is a
 * breadth-first search from myself; as in tinc a direct path beats one through
 * an INDIRECT edge, and among equally long paths the lower summed weight wins.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edge.h"
#include "graph.h"
#include "logger.h"
#include "netutl.h"
#include "node.h"
#include "subnet.h"

/* Nodes in node_list order; each node's graph_index is its place here. */
struct node_array {
	node_t **v;
	size_t n;
};

static bool collect_nodes(struct node_array *a) {
	node_t *n;
	size_t count = 0;

	list_for_each_entry(n, &node_list, link) {
		count++;
	}

	a->n = count;
	a->v = calloc(count ? count : 1, sizeof(*a->v));

	if (!a->v) {
		return false;
	}

	size_t i = 0;

	list_for_each_entry(n, &node_list, link) {
		n->graph_index = i;
		a->v[i++] = n;
	}

	return true;
}

/* n's index, or (size_t)-1 for a node not in node_list: read from the node
 * instead of a binary search by name, which cost two strcmp chains per
 * edge in every run. */
static size_t node_index(const struct node_array *a, const node_t *n) {
	size_t i = n->graph_index;

	return i < a->n && a->v[i] == n ? i : (size_t)-1;
}

static size_t uf_find(size_t *parent, size_t x) {
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}

	return x;
}

static void mst_kruskal(const struct node_array *a) {
	struct edge *e;
	size_t *parent = calloc(a->n ? a->n : 1, sizeof(*parent));

	list_for_each_entry(e, &edge_list, link) {
		e->mst = false;
	}

	if (!parent) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory computing the spanning tree");
		return;
	}

	for (size_t i = 0; i < a->n; i++) {
		parent[i] = i;
	}

	list_for_each_entry(e, &edge_list, link) {
		if (!e->reverse) {
			continue;
		}

		size_t from = node_index(a, e->from), to = node_index(a, e->to);

		if (from == (size_t)-1 || to == (size_t)-1) {
			continue; /* endpoint not in node_list: ignore rather than crash */
		}

		size_t rf = uf_find(parent, from), rt = uf_find(parent, to);

		if (rf == rt) {
			continue;
		}

		parent[rf] = rt;
		e->mst = true;
		e->reverse->mst = true;
		logger(PX_LOG_SCARY, LOG_DEBUG, "MST: edge %s -> %s weight %d", e->from->name, e->to->name,
		       e->weight);
	}

	free(parent);
}

/* Sum of edge weights along n's current path from myself (nodes at most a few hops away). */
static long path_weight(const node_t *n) {
	long sum = 0;
	int guard = 0;

	for (const struct edge *e = n->prevedge; e && guard < 100000; e = e->from->prevedge, guard++) {
		sum += e->weight;

		if (e->from == myself) {
			break;
		}
	}

	return sum;
}

/* Should the path n --e--> e->to replace e->to's current path? */
static bool better_path(const node_t *n, const struct edge *e, bool indirect) {
	node_t *to = e->to;

	if (!to->visited) {
		return true;
	}

	/* Like tinc: a direct path beats an indirect one even when it is longer,
	 * because it lets us send UDP to the node itself. */
	if (to->indirect != indirect) {
		return to->indirect;
	}

	if (to->distance != n->distance + 1) {
		return false;
	}

	return path_weight(n) + e->weight < path_weight(to);
}

static void sssp_bfs(const struct node_array *a) {
	/* Every node is queued once, plus once more if it turns from indirect to direct. */
	size_t cap = 2 * a->n + 1;
	node_t **queue = calloc(cap, sizeof(*queue));
	size_t head = 0, tail = 0;

	for (size_t i = 0; i < a->n; i++) {
		node_t *n = a->v[i];
		n->visited = false;
		n->indirect = true;
		n->distance = -1;
		n->nexthop = NULL;
		n->via = NULL;
		n->prevedge = NULL;
	}

	if (!queue) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory computing reachability");
		return;
	}

	myself->visited = true;
	myself->indirect = false;
	myself->distance = 0;
	myself->nexthop = myself;
	myself->via = myself;
	myself->prevedge = NULL;
	queue[tail++] = myself;

	while (head < tail) {
		node_t *n = queue[head++];
		struct edge *e;

		list_for_each_entry(e, &n->edges, from_link) {
			if (!e->reverse || !e->to || e->to == myself) {
				continue;
			}

			bool indirect = n->indirect || (e->options & PX_OPTION_INDIRECT);

			if (!better_path(n, e, indirect)) {
				continue;
			}

			node_t *to = e->to;
			bool requeue = !to->visited || (to->indirect && !indirect);

			if (requeue) {
				if (tail >= cap) {
					continue; /* node not in node_list */
				}

				queue[tail++] = to;
			}

			to->visited = true;
			to->indirect = indirect;
			to->distance = n->distance + 1;
			to->nexthop = n == myself ? to : n->nexthop;
			to->via = indirect ? n->via : to;
			to->prevedge = e;
			to->options = e->options;
		}
	}

	free(queue);
}

/* The tree is stale after every run until someone asks for it. */
static bool mst_stale = true;
static unsigned mst_count;

unsigned graph_mst_count(void) {
	return mst_count;
}

bool graph_edge_in_mst(const struct edge *e) {
	if (mst_stale) {
		struct node_array a;

		if (!collect_nodes(&a)) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory computing the spanning tree");
			return e->mst;
		}

		mst_count++;
		mst_kruskal(&a);
		mst_stale = false;
		free(a.v);
	}

	return e->mst;
}

static graph_observer_fn *observer;

void graph_set_observer(graph_observer_fn *fn) {
	observer = fn;
}

static unsigned run_count;

unsigned graph_run_count(void) {
	return run_count;
}

void graph_run(void) {
	struct node_array a;

	if (!myself) {
		return;
	}

	run_count++;

	if (!collect_nodes(&a)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory running the graph");
		return;
	}

	mst_stale = true;
	sssp_bfs(&a);

	/* Apply reachability first, then notify, so callbacks see a consistent graph. */
	bool *changed = calloc(a.n ? a.n : 1, sizeof(*changed));
	bool any = false;
	time_t now = time(NULL);

	myself->reachable = true;

	for (size_t i = 0; i < a.n; i++) {
		node_t *n = a.v[i];

		if (n == myself) {
			continue;
		}

		bool was = n->reachable;

		if (!n->visited) {
			n->options = 0;
		}

		/* Learn a UDP address from the edge into the node if it just came up
		 * or has none yet; never override one learned from real traffic. */
		if (n->visited && n->prevedge && n->prevedge->address.len && (!was || !n->has_udp_addr)) {
			node_set_udp(n, &n->prevedge->address);
		}

		if (was != n->visited) {
			n->reachable = n->visited;
			n->last_state_change = now;
			any = true;

			if (changed) {
				changed[i] = true;
			}

			logger(PX_LOG_TRAFFIC, LOG_INFO, "Node %s became %s", n->name,
			       n->reachable ? "reachable" : "unreachable");
		}
	}

	if (any) {
		subnet_cache_flush();
	}

	for (size_t i = 0; changed && i < a.n; i++) {
		if (changed[i] && observer) {
			observer(a.v[i], a.v[i]->reachable);
		}
	}

	free(changed);
	free(a.v);
}
