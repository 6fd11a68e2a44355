/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * AutoConnect's decisions (core/autoconnect.c): each rule with a scripted
 * random source, then whole meshes simulated round by round with a seeded
 * one: a mesh whose only ConnectTo target dies stays connected, and meshes
 * settle (no more changes, connection counts bounded).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autoconnect.h"
#include "check.h"

/* ---- scripted random source ---- */

struct script {
	uint32_t values[8];
	int next, calls;
	uint32_t last_bound;
};

static uint32_t scripted(void *ctx, uint32_t bound) {
	struct script *s = ctx;
	s->calls++;
	s->last_bound = bound;
	uint32_t v = s->values[s->next++];
	return v < bound ? v : bound - 1;
}

static void test_few_connections_dials_random_eligible(void) {
	/* 0 self, 1 connected, 2 address, 3 neither address nor reachable,
	 * 4 reachable without address, 5 address but already being dialled */
	struct ac_node nodes[] = {
	    {.is_self = true, .reachable = true},
	    {.connected = true, .reachable = true, .has_address = true},
	    {.has_address = true},
	    {0},
	    {.reachable = true},
	    {.has_address = true, .outgoing = true},
	};
	struct ac_conn conns[] = {{.droppable = true, .peer_edges = 5}};
	struct script s = {.values = {1}};
	struct ac_decision d = autoconnect_decide(nodes, 6, conns, 1, scripted, &s);
	CHECK(s.calls == 1 && s.last_bound == 3); /* nodes 2, 4, 5 */
	CHECK(d.connect == 4);
	CHECK(d.drop == -1); /* below the target nothing is closed */
	CHECK(!d.cancel_pending);

	s = (struct script){.values = {0}};
	d = autoconnect_decide(nodes, 6, conns, 1, scripted, &s);
	CHECK(d.connect == 2);

	/* The pick already has an outgoing entry: wait, don't re-roll. */
	s = (struct script){.values = {2}};
	d = autoconnect_decide(nodes, 6, conns, 1, scripted, &s);
	CHECK(d.connect == -1 && s.calls == 1);

	/* Nobody eligible: no random number drawn, nothing done. */
	struct ac_node lonely[] = {{.is_self = true}, {.connected = true, .has_address = true}, {0}};
	s = (struct script){0};
	d = autoconnect_decide(lonely, 3, NULL, 0, scripted, &s);
	CHECK(d.connect == -1 && d.drop == -1 && !d.cancel_pending && s.calls == 0);
}

static void test_target_reached_heals_partitions(void) {
	struct ac_node nodes[] = {
	    {.is_self = true, .reachable = true},
	    {.has_address = true},                    /* 1: unreachable, dialable */
	    {.has_address = true, .reachable = true}, /* 2: reachable via others */
	    {0},                                      /* 3: unreachable, no address */
	    {.has_address = true, .outgoing = true},  /* 4: already dialled */
	    {.has_address = true, .connected = true, .reachable = true},
	};
	struct ac_conn conns[3] = {{.droppable = true, .peer_edges = 3},
	                           {.droppable = true, .peer_edges = 3},
	                           {.droppable = true, .peer_edges = 3}};
	const int expect[] = {-1, 1, -1, -1, -1, -1};
	for (uint32_t pick = 0; pick < 6; pick++) {
		struct script s = {.values = {pick}};
		struct ac_decision d = autoconnect_decide(nodes, 6, conns, 3, scripted, &s);
		CHECK(s.last_bound == 6); /* among all known nodes, ourselves included */
		CHECK(d.connect == expect[pick]);
		CHECK(d.drop == -1); /* exactly at the target */
		CHECK(d.cancel_pending);
	}
}

static void test_surplus_closes_own_redundant_connection(void) {
	struct ac_node nodes[] = {{.is_self = true, .reachable = true}};
	struct ac_conn conns[] = {
	    {.droppable = true, .peer_edges = 1},  /* its only link: keep */
	    {.droppable = false, .peer_edges = 5}, /* ConnectTo or incoming: keep */
	    {.droppable = true, .peer_edges = 2},
	    {.droppable = true, .peer_edges = 3},
	};
	struct script s = {.values = {1, 0}};
	struct ac_decision d = autoconnect_decide(nodes, 1, conns, 4, scripted, &s);
	CHECK(d.drop == 3);
	CHECK(d.cancel_pending);
	CHECK(d.connect == -1); /* the second draw picked ourselves */

	s = (struct script){.values = {0, 0}};
	d = autoconnect_decide(nodes, 1, conns, 4, scripted, &s);
	CHECK(d.drop == 2);

	/* Nothing droppable: nothing closed even far above the target. */
	struct ac_conn kept[5] = {{.peer_edges = 4},
	                          {.peer_edges = 4},
	                          {.peer_edges = 4},
	                          {.peer_edges = 4},
	                          {.droppable = true, .peer_edges = 1}};
	s = (struct script){.values = {0, 0}};
	d = autoconnect_decide(nodes, 1, kept, 5, scripted, &s);
	CHECK(d.drop == -1);
}

/* ---- simulated meshes ---- */

#define SIM_MAX 50

/* owner[a][b]: a dialled b (1 ConnectTo, 2 AutoConnect), 0 no connection
 * from a's side. A link exists if either side dialled. Connections succeed
 * at once; that makes the simulation harsher on churn, not kinder. */
struct sim {
	int n;
	bool alive[SIM_MAX];
	int owner[SIM_MAX][SIM_MAX];
	uint64_t rng;
};

static uint32_t sim_random(void *ctx, uint32_t bound) {
	struct sim *s = ctx;
	s->rng = s->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((s->rng >> 33) % bound);
}

static bool linked(const struct sim *s, int a, int b) {
	return s->alive[a] && s->alive[b] && (s->owner[a][b] || s->owner[b][a]);
}

static int degree(const struct sim *s, int a) {
	int d = 0;
	for (int b = 0; b < s->n; b++)
		if (b != a && linked(s, a, b))
			d++;
	return d;
}

static void reach_from(const struct sim *s, int from, bool *seen) {
	int stack[SIM_MAX], top = 0;
	memset(seen, 0, sizeof(bool) * SIM_MAX);
	seen[from] = true;
	stack[top++] = from;
	while (top) {
		int a = stack[--top];
		for (int b = 0; b < s->n; b++)
			if (!seen[b] && linked(s, a, b)) {
				seen[b] = true;
				stack[top++] = b;
			}
	}
}

static bool all_alive_connected(const struct sim *s) {
	int first = -1;
	for (int a = 0; a < s->n && first < 0; a++)
		if (s->alive[a])
			first = a;
	bool seen[SIM_MAX];
	reach_from(s, first, seen);
	for (int a = 0; a < s->n; a++)
		if (s->alive[a] && !seen[a])
			return false;
	return true;
}

/* One AutoConnect round of node a; returns whether a link changed. */
static bool sim_round(struct sim *s, int a) {
	struct ac_node nodes[SIM_MAX];
	struct ac_conn conns[SIM_MAX];
	int conn_peer[SIM_MAX], nconns = 0;
	bool seen[SIM_MAX];
	reach_from(s, a, seen);
	for (int b = 0; b < s->n; b++) {
		nodes[b] = (struct ac_node){.is_self = b == a,
		                            .connected = b != a && linked(s, a, b),
		                            .reachable = seen[b],
		                            .has_address = true,
		                            .outgoing = s->owner[a][b] != 0};
		if (b != a && linked(s, a, b)) {
			conns[nconns] =
			    (struct ac_conn){.droppable = s->owner[a][b] == 2, .peer_edges = degree(s, b)};
			conn_peer[nconns++] = b;
		}
	}
	struct ac_decision d = autoconnect_decide(nodes, (size_t)s->n, conns, (size_t)nconns, sim_random, s);
	bool changed = false;
	if (d.drop >= 0) {
		s->owner[a][conn_peer[d.drop]] = 0;
		changed = true;
	}
	/* a pending entry for a dead node is cancelled */
	if (d.cancel_pending)
		for (int b = 0; b < s->n; b++)
			if (s->owner[a][b] == 2 && !s->alive[b])
				s->owner[a][b] = 0;
	if (d.connect >= 0) {
		int b = d.connect;
		CHECK(b != a && !linked(s, a, b));
		s->owner[a][b] = 2;
		changed = changed || s->alive[b];
	}
	return changed;
}

static int run_rounds(struct sim *s, int rounds, int *last_change) {
	int changes = 0;
	for (int r = 0; r < rounds; r++)
		for (int a = 0; a < s->n; a++)
			if (s->alive[a] && sim_round(s, a)) {
				changes++;
				*last_change = r;
			}
	return changes;
}

/* Every node's only ConnectTo is node 0; node 0 dies for good. */
static void test_star_survives_loss_of_hub(void) {
	int healed_all = 0, worst_round = 0, worst_degree = 0;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		for (int n = 4; n <= 8; n++) {
			struct sim s = {.n = n, .rng = seed * 7919 + (uint64_t)n};
			for (int a = 0; a < n; a++)
				s.alive[a] = true;
			for (int a = 1; a < n; a++)
				s.owner[a][0] = 1;
			int last = 0;
			run_rounds(&s, 20, &last);
			s.alive[0] = false;
			int r;
			for (r = 0; r < 30 && !all_alive_connected(&s); r++)
				run_rounds(&s, 1, &last);
			if (all_alive_connected(&s))
				healed_all++;
			if (r > worst_round)
				worst_round = r;
			for (int a = 1; a < n; a++)
				if (degree(&s, a) > worst_degree)
					worst_degree = degree(&s, a);
		}
	}
	fprintf(stderr, "hub loss: %d/1000 meshes connected again, worst after %d rounds, max degree %d\n",
	        healed_all, worst_round, worst_degree);
	CHECK(healed_all == 1000);
	CHECK(worst_round <= 10);
}

/* Meshes with no ConnectTo at all (every node knows every address) settle:
 * after a while no round changes anything, and nobody ends up with more
 * than a small multiple of the target. */
static void test_meshes_settle(void) {
	int settled = 0, max_degree = 0, latest = 0, meshes = 0;
	const int sizes[] = {5, 16, 50};
	for (int k = 0; k < 3; k++) {
		int n = sizes[k];
		for (uint64_t seed = 1; seed <= (n < 50 ? 100u : 20u); seed++) {
			struct sim s = {.n = n, .rng = seed * 104729 + (uint64_t)n};
			for (int a = 0; a < n; a++)
				s.alive[a] = true;
			int last = -1;
			run_rounds(&s, 200, &last);
			meshes++;
			if (last < 150)
				settled++;
			if (last > latest)
				latest = last;
			for (int a = 0; a < n; a++)
				if (degree(&s, a) > max_degree)
					max_degree = degree(&s, a);
			CHECK(all_alive_connected(&s));
		}
	}
	fprintf(
	    stderr,
	    "settling (5, 16 and 50 nodes): %d/%d meshes without changes in rounds 150..199, last change in "
	    "round %d, max degree %d\n",
	    settled, meshes, latest, max_degree);
	CHECK(settled == meshes);
	/* A node never closes connections others opened to it, so some end
	 * above the target, but within a small multiple of it. */
	CHECK(max_degree <= 3 * AUTOCONNECT_TARGET);
}

int main(void) {
	test_few_connections_dials_random_eligible();
	test_target_reached_heals_partitions();
	test_surplus_closes_own_redundant_connection();
	test_star_survives_loss_of_hub();
	test_meshes_settle();
	return check_done("autoconnect_test");
}
