/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* StrictSubnets: the subnets of other nodes are those their host files
 * list; at start-up and on reload the table is brought in line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "logger.h"
#include "node.h"
#include "node_scripts.h"
#include "protocol.h"
#include "settings.h"
#include "subnet.h"
#include "subnet_policy.h"

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
		logger(PX_LOG_ALWAYS, LOG_ERR, "StrictSubnets: cannot read %s/hosts: %s", confbase,
		       strerror(errno));
		subnet_cache_flush();
		return;
	}
	subnet_policy_log_reset();
	subnet_cache_flush();
}
