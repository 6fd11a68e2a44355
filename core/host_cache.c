/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The host file cache (see host_cache.h). */
#include <stdlib.h>
#include <string.h>

#include "host_cache.h"
#include "xalloc.h"

static struct host_cache_entry **table;
static size_t table_size; /* a power of two, or 0 before the first add */
static size_t entries, negatives;
static struct host_cache_entry *neg_oldest, *neg_newest;

/* FNV-1a: names are short and not secret-keyed; chains stay short because
 * the only entries a stranger can add (negative ones) are bounded. */
static size_t name_hash(const char *name) {
	uint32_t h = 2166136261u;
	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

static struct host_cache_entry **slot_of(const char *name) {
	struct host_cache_entry **pp = &table[name_hash(name) & (table_size - 1)];
	while (*pp && strcmp((*pp)->name, name))
		pp = &(*pp)->hash_next;
	return pp;
}

static void neg_unlink(struct host_cache_entry *e) {
	if (e->neg_prev)
		e->neg_prev->neg_next = e->neg_next;
	else
		neg_oldest = e->neg_next;
	if (e->neg_next)
		e->neg_next->neg_prev = e->neg_prev;
	else
		neg_newest = e->neg_prev;
	e->neg_prev = e->neg_next = NULL;
	negatives--;
}

/* Unlink from both lists (pp points at e's hash-chain link) and free. */
static void entry_remove(struct host_cache_entry **pp) {
	struct host_cache_entry *e = *pp;
	*pp = e->hash_next;
	if (!e->ok)
		neg_unlink(e);
	entries--;
	conf_free(&e->conf);
	free(e->name);
	free(e);
}

/* Double the table when chains would average more than one entry. */
static void table_grow(void) {
	size_t new_size = table_size ? table_size * 2 : 64;
	struct host_cache_entry **t = xcalloc(new_size, sizeof(*t));
	for (size_t i = 0; i < table_size; i++) {
		struct host_cache_entry *e = table[i], *next;
		for (; e; e = next) {
			next = e->hash_next;
			size_t b = name_hash(e->name) & (new_size - 1);
			e->hash_next = t[b];
			t[b] = e;
		}
	}
	free(table);
	table = t;
	table_size = new_size;
}

struct host_cache_entry *host_cache_find(const char *name, uint64_t now_ms) {
	if (!table_size)
		return NULL;
	struct host_cache_entry **pp = slot_of(name);
	struct host_cache_entry *e = *pp;
	if (e && !e->ok && now_ms - e->added_ms >= HOST_CACHE_NEGATIVE_MS) {
		entry_remove(pp);
		return NULL;
	}
	return e;
}

struct host_cache_entry *host_cache_add(const char *name, struct conf *conf, bool ok, uint64_t now_ms) {
	if (entries + 1 > table_size)
		table_grow();
	struct host_cache_entry **pp = slot_of(name);
	if (*pp)
		entry_remove(pp);
	if (!ok && negatives >= HOST_CACHE_MAX_NEGATIVE) {
		struct host_cache_entry *old = neg_oldest;
		pp = slot_of(old->name);
		entry_remove(pp);
		pp = slot_of(name);
	}
	struct host_cache_entry *e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(name);
	conf_init(&e->conf);
	if (ok) {
		e->conf = *conf;
		conf_init(conf);
	}
	e->ok = ok;
	e->added_ms = now_ms;
	e->hash_next = *pp;
	*pp = e;
	entries++;
	if (!ok) {
		e->neg_prev = neg_newest;
		if (neg_newest)
			neg_newest->neg_next = e;
		else
			neg_oldest = e;
		neg_newest = e;
		negatives++;
	}
	return e;
}

void host_cache_forget(const char *name) {
	if (!table_size)
		return;
	struct host_cache_entry **pp = slot_of(name);
	if (*pp)
		entry_remove(pp);
}

void host_cache_flush(void) {
	for (size_t i = 0; i < table_size; i++) {
		while (table[i])
			entry_remove(&table[i]);
	}
	free(table);
	table = NULL;
	table_size = 0;
}

size_t host_cache_count(void) {
	return entries;
}

size_t host_cache_negative_count(void) {
	return negatives;
}
