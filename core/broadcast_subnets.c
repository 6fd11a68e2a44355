/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * BroadcastSubnet: extra subnets whose packets are broadcast like those for
 * the built-in broadcast and multicast addresses. They live in the subnet
 * table without an owner, so the longest prefix decides, exactly as between
 * owned subnets: a more specific Subnet of a node wins over a broadcast
 * subnet, a more specific broadcast subnet wins over a node's Subnet.
 */
#include <stdlib.h>

#include "broadcast_subnets.h"
#include "conf.h"
#include "logger.h"
#include "subnet.h"

void broadcast_subnets_free(void) {
	struct subnet *s, *tmp;
	list_for_each_entry_safe(s, tmp, &subnet_table, table_link) {
		if (!s->owner)
			subnet_del(s);
	}
	subnet_cache_flush();
}

void broadcast_subnets_read(void) {
	broadcast_subnets_free();

	for (int i = 0;; i++) {
		const struct conf_entry *e = conf_get_entry(&server_conf, "BroadcastSubnet", i);
		if (!e)
			break;
		struct subnet *s = subnet_new();
		if (!subnet_parse(e->value, s) || !subnet_hostbits_clear(s)) {
			/* tinc 1.1 too skips a bad one and starts anyway. */
			logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid BroadcastSubnet %s in %s, ignored", e->value,
			       conf_where(e->file, e->line));
			free(s);
			continue;
		}
		subnet_add(NULL, s);
	}
	subnet_cache_flush();
}
