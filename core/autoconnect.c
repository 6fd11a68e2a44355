/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The AutoConnect policy, one round at a time. Rules (tinc 1.1's):
 *  1. Fewer than AUTOCONNECT_TARGET authenticated connections: pick a random
 *     node that is not us, not connected, and has an address or is
 *     reachable; dial it unless an outgoing entry for it already exists.
 *     Nothing else happens in that round.
 *  2. More than the target: close one random connection we dialled on our
 *     own whose peer has at least one other edge (so it stays reachable).
 *  3. Automatic outgoings that wait for a retry are forgotten.
 *  4. Pick one random known node (ourselves included); if it is
 *     unreachable, not connected, has an address and no outgoing entry,
 *     dial it. Picking among all nodes makes each node try less often the
 *     more of the graph is reachable, so a healed partition is not stormed.
 */
#include "autoconnect.h"

static bool worth_dialling(const struct ac_node *n) {
	return !n->is_self && !n->connected && (n->has_address || n->reachable);
}

static int pick_new_peer(const struct ac_node *nodes, size_t nnodes, ac_random_fn rnd, void *ctx) {
	uint32_t count = 0;
	for (size_t i = 0; i < nnodes; i++)
		if (worth_dialling(&nodes[i]))
			count++;
	if (!count)
		return -1;
	uint32_t r = rnd(ctx, count);
	for (size_t i = 0; i < nnodes; i++) {
		if (!worth_dialling(&nodes[i]))
			continue;
		if (r--)
			continue;
		/* Already being dialled: wait for that attempt, don't re-roll. */
		return nodes[i].outgoing ? -1 : (int)i;
	}
	return -1;
}

static bool surplus(const struct ac_conn *c) {
	return c->droppable && c->peer_edges >= 2;
}

static int pick_surplus(const struct ac_conn *conns, size_t nconns, ac_random_fn rnd, void *ctx) {
	uint32_t count = 0;
	for (size_t i = 0; i < nconns; i++)
		if (surplus(&conns[i]))
			count++;
	if (!count)
		return -1;
	uint32_t r = rnd(ctx, count);
	for (size_t i = 0; i < nconns; i++) {
		if (!surplus(&conns[i]))
			continue;
		if (!r--)
			return (int)i;
	}
	return -1;
}

static int pick_unreachable(const struct ac_node *nodes, size_t nnodes, ac_random_fn rnd, void *ctx) {
	if (!nnodes)
		return -1;
	const struct ac_node *n = &nodes[rnd(ctx, (uint32_t)nnodes)];
	if (n->is_self || n->connected || n->reachable || !n->has_address || n->outgoing)
		return -1;
	return (int)(n - nodes);
}

struct ac_decision autoconnect_decide(const struct ac_node *nodes, size_t nnodes, const struct ac_conn *conns,
                                      size_t nconns, ac_random_fn rnd, void *rnd_ctx) {
	struct ac_decision d = {.connect = -1, .drop = -1, .cancel_pending = false};
	if (nconns < AUTOCONNECT_TARGET) {
		d.connect = pick_new_peer(nodes, nnodes, rnd, rnd_ctx);
		return d;
	}
	if (nconns > AUTOCONNECT_TARGET)
		d.drop = pick_surplus(conns, nconns, rnd, rnd_ctx);
	d.cancel_pending = true;
	d.connect = pick_unreachable(nodes, nnodes, rnd, rnd_ctx);
	return d;
}
