/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The dedupe cache of flooded requests. A member of the VPN decides what
 * goes in here (every distinct broadcast line it sends), so the cache must
 * not grow with what it is told: entries live in a fixed ring in arrival
 * order (the oldest is evicted when the ring is full, and ageing pops from
 * the same end), and only a 128-bit keyed SipHash (SipHash-2-4 with 128-bit
 * output: a keyed PRF, several times cheaper than BLAKE2b on lines this
 * short, which mattered as every flooded line of a converging mesh passes
 * here once per connection it arrives on) of each line is kept. The key is random per process, so a peer can
 * neither predict collisions nor make a chain long: lookups and inserts are O(1).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "seen_cache.h"

#define SEEN_BUCKETS 16384 /* power of two */
_Static_assert(crypto_shorthash_siphashx24_BYTES == 16, "a digest is 16 bytes");
#define SEEN_NONE (-1)

struct seen_entry {
	uint8_t digest[16];
	uint64_t when;
	int32_t next; /* bucket chain, ring index or SEEN_NONE */
};

static struct seen_entry *ring;
static int32_t *buckets;
static size_t head, count; /* oldest entry is ring[head] */
static uint8_t key[crypto_shorthash_siphashx24_KEYBYTES];
static uint64_t evicted_full;

static bool cache_ready(void) {
	if (ring) {
		return true;
	}

	ring = calloc(SEEN_CACHE_CAPACITY, sizeof(*ring));
	buckets = malloc(SEEN_BUCKETS * sizeof(*buckets));

	if (!ring || !buckets) {
		free(ring);
		free(buckets);
		ring = NULL;
		buckets = NULL;
		return false;
	}

	for (size_t i = 0; i < SEEN_BUCKETS; i++) {
		buckets[i] = SEEN_NONE;
	}

	randombytes_buf(key, sizeof(key));
	head = count = 0;
	return true;
}

static size_t bucket_of(const uint8_t digest[16]) {
	uint32_t b;
	memcpy(&b, digest, sizeof(b));
	return b & (SEEN_BUCKETS - 1);
}

/* Drop the oldest entry: unlink it from its (short) chain, advance the ring. */
static void evict_oldest(void) {
	int32_t victim = (int32_t)head;
	int32_t *pp = &buckets[bucket_of(ring[victim].digest)];

	while (*pp != SEEN_NONE && *pp != victim) {
		pp = &ring[*pp].next;
	}

	if (*pp == victim) {
		*pp = ring[victim].next;
	}

	head = (head + 1) % SEEN_CACHE_CAPACITY;
	count--;
}

bool seen_cache_check(const char *line, uint64_t now) {
	uint8_t digest[16];

	if (!cache_ready()) {
		return false; /* no memory: forwarding twice beats dropping */
	}

	crypto_shorthash_siphashx24(digest, (const uint8_t *)line, strlen(line), key);
	size_t b = bucket_of(digest);

	for (int32_t i = buckets[b]; i != SEEN_NONE; i = ring[i].next) {
		if (!memcmp(ring[i].digest, digest, sizeof(digest))) {
			return true;
		}
	}

	if (count == SEEN_CACHE_CAPACITY) {
		evict_oldest();
		evicted_full++;
	}

	int32_t slot = (int32_t)((head + count) % SEEN_CACHE_CAPACITY);
	memcpy(ring[slot].digest, digest, sizeof(digest));
	ring[slot].when = now;
	ring[slot].next = buckets[b];
	buckets[b] = slot;
	count++;
	return false;
}

void seen_cache_age(uint64_t now, uint64_t max_age) {
	while (count && now - ring[head].when > max_age) {
		evict_oldest();
	}
}

void seen_cache_flush(void) {
	free(ring);
	free(buckets);
	ring = NULL;
	buckets = NULL;
	head = count = 0;
}

size_t seen_cache_count(void) {
	return count;
}

uint64_t seen_cache_evicted_full(void) {
	return evicted_full;
}
