/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The dedupe cache of flooded requests: remembers keyed digests of recently
 * seen lines, bounded in entries (oldest evicted first) and in age.
 */
#ifndef PX_SEEN_CACHE_H
#define PX_SEEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most lines remembered at once: 32 bytes each, so 512 KiB at most. */
#define SEEN_CACHE_CAPACITY 16384

/* True if `line` was remembered already; otherwise remember it (at `now`,
 * in milliseconds) and return false. */
bool seen_cache_check(const char *line, uint64_t now);
/* Forget lines remembered more than max_age milliseconds before `now`. */
void seen_cache_age(uint64_t now, uint64_t max_age);
/* Forget everything and release the memory. */
void seen_cache_flush(void);
/* Lines remembered now. */
size_t seen_cache_count(void);
/* Lines forgotten early because the cache was full (since the start). */
uint64_t seen_cache_evicted_full(void);

#endif
