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
 * what was logged is a fixed direct-mapped table of keyed hashes, and the
 * lines are rate-limited, so a peer sending endless distinct subnets costs a
 * bounded amount of memory and log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "event.h"
#include "logger.h"
#include "net.h"
#include "net_private.h"
#include "protocol.h"
#include "subnet.h"
#include "subnet_policy.h"

#define REFUSAL_SLOTS     1024 /* remembered (kind, owner, subnet) triples */
#define REFUSAL_BURST     20   /* lines per window at most */
#define REFUSAL_WINDOW_MS 10000

static uint64_t refusal_seen[REFUSAL_SLOTS];
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

void subnet_policy_log_reset(void) {
	memset(refusal_seen, 0, sizeof(refusal_seen));
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

void subnet_policy_log_refusal(const conn_t *c, const char *what, const char *owner, const char *subnet,
                               const char *why) {
	uint64_t h = refusal_hash(what, owner, subnet);
	uint64_t *slot = &refusal_seen[h % REFUSAL_SLOTS];
	if (*slot == h || !refusal_rate_ok())
		return;
	*slot = h;
	logger(PX_LOG_ALWAYS, LOG_WARNING,
	       "Ignoring unauthorized %s from %s (%s) for %s: %s (%s; logged once)", what,
	       c->name ? c->name : "?", c->hostname ? c->hostname : "?", owner, subnet, why);
	if (suppressed) {
		logger(PX_LOG_ALWAYS, LOG_WARNING,
		       "%u more unauthorized subnet requests were not logged (rate limit)", suppressed);
		suppressed = 0;
	}
}

/* ---- StrictSubnets: subnets from the host files ---- */

/* The i-th Subnet line of a host file: 1 and *out if valid, 0 if invalid
 * (logged if `complain`, then skipped like tinc does), -1 past the last. */
static int host_subnet(const struct conf *hc, const char *name, int i, struct subnet *out, bool complain) {
	const struct conf_entry *e = conf_get_entry(hc, "Subnet", i);
	if (!e)
		return -1;
	memset(out, 0, sizeof(*out));
	if (subnet_parse(e->value, out) && subnet_hostbits_clear(out))
		return 1;
	if (complain)
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "Invalid subnet %s in the host file of %s (%s line %d), ignored", e->value, name,
		       e->file ? e->file : "-o", e->line);
	return 0;
}

static bool host_file_has_subnet(const char *name, const struct subnet *s) {
	const struct conf *hc = host_conf(name);
	struct subnet cand;
	int r;
	for (int i = 0; hc && (r = host_subnet(hc, name, i, &cand, false)) >= 0; i++)
		if (r && subnet_equal(&cand, s))
			return true;
	return false;
}

/* Subnets of other nodes that no host file lists any more are withdrawn. */
static void drop_stale_subnets(void) {
	node_t *n;
	list_for_each_entry(n, &node_list, link) {
		if (n == myself)
			continue;
		struct subnet *s, *tmp;
		list_for_each_entry_safe(s, tmp, &n->subnets, owner_link) {
			if (host_file_has_subnet(n->name, s))
				continue;
			send_del_subnet(NULL, s);
			if (n->reachable)
				run_subnet_script(n, s, false);
			subnet_del(s);
		}
	}
}

/* Every Subnet of hosts/<name> that its node does not have yet is added. */
static void add_host_file_subnets(const char *name, void *arg) {
	(void)arg;
	const struct conf *hc = host_conf(name);
	if (!hc)
		return;
	node_t *n = node_lookup(name);
	if (!n) {
		n = node_new(name);
		node_add(n);
	}
	struct subnet cand;
	int r;
	for (int i = 0; (r = host_subnet(hc, name, i, &cand, true)) >= 0; i++) {
		if (!r || subnet_find(n, &cand))
			continue;
		struct subnet *s = subnet_new();
		*s = cand;
		subnet_add(n, s);
		send_add_subnet(NULL, s);
		if (n->reachable)
			run_subnet_script(n, s, true);
	}
}

void strict_subnets_sync(void) {
	if (!settings.strict_subnets || !confbase)
		return;
	drop_stale_subnets();
	if (host_files_foreach(myself->name, add_host_file_subnets, NULL) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "StrictSubnets: cannot read %s/hosts: %s", confbase, strerror(errno));
		subnet_cache_flush();
		return;
	}
	subnet_policy_log_reset();
	subnet_cache_flush();
}
