/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * What a peer may announce.
 *
 * StrictSubnets: the subnets of other nodes are the Subnet lines of our own
 * hosts/ files, read at start-up and at every reload; announcements from the
 * network are only accepted if they are already known from there.
 *
 * TunnelServer: a peer may only speak of itself. Subnets must be owned by the
 * sender (or by us, so contradictions still get answered); edges must have the
 * sender at one end. TunnelServer implies StrictSubnets (net_setup.c).
 *
 * Refusals are logged once per request kind, owner and subnet. The memory of
 * what was logged is a fixed open-addressed set of keyed hashes, emptied when
 * it is three quarters full, and the lines are rate-limited, so a peer sending
 * endless distinct subnets costs a bounded amount of memory and log. (A
 * direct-mapped table let two triples share a slot, and a repeated claim was
 * logged again after an unrelated one evicted it.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "event.h"
#include "logger.h"
#include "node.h"
#include "settings.h"
#include "subnet.h"
#include "subnet_policy.h"

#define REFUSAL_SLOTS     1024 /* set of remembered (kind, owner, subnet) triples */
#define REFUSAL_MAX_FILL  (REFUSAL_SLOTS / 4 * 3)
#define REFUSAL_BURST     20 /* lines per window at most */
#define REFUSAL_WINDOW_MS 10000

static uint64_t refusal_seen[REFUSAL_SLOTS];
static unsigned refusal_count;
static unsigned char refusal_key[crypto_shorthash_KEYBYTES];
static bool refusal_keyed;
static uint64_t window_start_ms;
static unsigned window_lines, suppressed;

bool tunnelserver_allows_subnet(const conn_t *c, const char *owner) {
	if (!settings.tunnelserver)
		return true;
	return !strcmp(owner, myself->name) || (c->name && !strcmp(owner, c->name));
}

bool tunnelserver_allows_edge(const conn_t *c, const char *from, const char *to) {
	if (!settings.tunnelserver)
		return true;
	return c->name && (!strcmp(from, c->name) || !strcmp(to, c->name));
}

/* Also picks a new hash key, so a reload starts from a fresh table layout. */
void subnet_policy_log_reset(void) {
	memset(refusal_seen, 0, sizeof(refusal_seen));
	refusal_count = 0;
	refusal_keyed = false;
	window_start_ms = 0;
	window_lines = suppressed = 0;
}

/* Keyed, so a peer cannot pick triples that evict each other on purpose.
 * Never 0: 0 marks an empty slot. */
static uint64_t refusal_hash(const char *what, const char *owner, const char *subnet) {
	if (!refusal_keyed) {
		crypto_shorthash_keygen(refusal_key);
		refusal_keyed = true;
	}
	crypto_generichash_state st;
	unsigned char out[8];
	crypto_generichash_init(&st, refusal_key, sizeof(refusal_key), sizeof(out));
	crypto_generichash_update(&st, (const unsigned char *)what, strlen(what) + 1);
	crypto_generichash_update(&st, (const unsigned char *)owner, strlen(owner) + 1);
	crypto_generichash_update(&st, (const unsigned char *)subnet, strlen(subnet) + 1);
	crypto_generichash_final(&st, out, sizeof(out));
	uint64_t h;
	memcpy(&h, out, sizeof(h));
	return h ? h : 1;
}

/* At most REFUSAL_BURST lines per window; the count of the lines held back is
 * reported with the first line of a later window. */
static bool refusal_rate_ok(void) {
	uint64_t now = now_ms();
	if (!window_start_ms || now - window_start_ms >= REFUSAL_WINDOW_MS) {
		window_start_ms = now;
		window_lines = 0;
	}
	if (window_lines >= REFUSAL_BURST) {
		suppressed++;
		return false;
	}
	window_lines++;
	return true;
}

/* Linear probing; the fill limit keeps an empty slot within reach. */
static uint64_t *refusal_slot(uint64_t h) {
	size_t i = h % REFUSAL_SLOTS;
	while (refusal_seen[i] && refusal_seen[i] != h)
		i = (i + 1) % REFUSAL_SLOTS;
	return &refusal_seen[i];
}

void subnet_policy_log_refusal(const conn_t *c, const char *what, const char *owner, const char *subnet,
                               const char *why) {
	uint64_t h = refusal_hash(what, owner, subnet);
	uint64_t *slot = refusal_slot(h);
	if (*slot == h || !refusal_rate_ok())
		return;
	if (refusal_count >= REFUSAL_MAX_FILL) {
		memset(refusal_seen, 0, sizeof(refusal_seen));
		refusal_count = 0;
		slot = refusal_slot(h);
	}
	*slot = h;
	refusal_count++;
	logger(PX_LOG_ALWAYS, LOG_WARNING,
	       "Ignoring unauthorized %s from %s (%s) for %s: %s (%s; logged once)", what,
	       c->name ? c->name : "?", c->hostname ? c->hostname : "?", owner, subnet, why);
	if (suppressed) {
		logger(PX_LOG_ALWAYS, LOG_WARNING,
		       "%u more unauthorized subnet requests were not logged (rate limit)", suppressed);
		suppressed = 0;
	}
}
