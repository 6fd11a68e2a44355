/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Parsed host files by node name, in a hash table. Names without a (valid)
 * host file are remembered too, so that a peer repeating an unknown ID
 * costs no file-system lookup, but those negative entries are bounded in
 * number (oldest dropped first) and in age: strangers choose those names.
 */
#ifndef PX_HOST_CACHE_H
#define PX_HOST_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define HOST_CACHE_MAX_NEGATIVE 256   /* names without a host file we remember (up to 2 KiB each) */
#define HOST_CACHE_NEGATIVE_MS  60000 /* and for how long */

struct host_cache_entry {
	char *name;
	struct conf conf; /* empty unless ok */
	bool ok;          /* a host file was read */
	uint64_t added_ms;
	struct host_cache_entry *hash_next;
	struct host_cache_entry *neg_prev, *neg_next; /* negative entries, oldest first */
};

/* The entry for name, or NULL if not cached (a negative entry older than
 * HOST_CACHE_NEGATIVE_MS counts as not cached and is dropped). */
struct host_cache_entry *host_cache_find(const char *name, uint64_t now_ms);
/* Cache name; takes over *conf (left empty) when ok. Replaces an older entry. */
struct host_cache_entry *host_cache_add(const char *name, struct conf *conf, bool ok, uint64_t now_ms);
void host_cache_forget(const char *name);
void host_cache_flush(void);
size_t host_cache_count(void); /* all entries */
size_t host_cache_negative_count(void);

#endif
