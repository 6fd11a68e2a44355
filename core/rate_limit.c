/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Token buckets and the bounded per-source table (see rate_limit.h). */
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "rate_limit.h"

#define MILLI 1000u

void token_bucket_init(struct token_bucket *b, unsigned burst, unsigned per_1000s, uint64_t now_ms) {
	b->capacity = (uint64_t)burst * MILLI;
	b->level = b->capacity;
	b->refill_per_s = per_1000s;
	b->last_ms = now_ms;
}

/* Add what accrued since the last call; a clock that went backwards adds nothing. */
static void token_bucket_refill(struct token_bucket *b, uint64_t now_ms) {
	if (now_ms <= b->last_ms)
		return;
	uint64_t elapsed = now_ms - b->last_ms;
	b->last_ms = now_ms;
	uint64_t missing = b->capacity - b->level;
	/* Long idle: avoid overflowing elapsed * rate. */
	if (!b->refill_per_s)
		return;
	if (elapsed >= (missing / b->refill_per_s + 1) * 1000) {
		b->level = b->capacity;
		return;
	}
	uint64_t gain = elapsed * b->refill_per_s / 1000;
	b->level = gain >= missing ? b->capacity : b->level + gain;
}

bool token_bucket_take(struct token_bucket *b, uint64_t now_ms) {
	token_bucket_refill(b, now_ms);
	if (b->level < MILLI)
		return false;
	b->level -= MILLI;
	return true;
}

unsigned token_bucket_tokens(struct token_bucket *b, uint64_t now_ms) {
	token_bucket_refill(b, now_ms);
	return (unsigned)(b->level / MILLI);
}

void source_table_init(struct source_table *t, unsigned burst, unsigned per_1000s) {
	memset(t, 0, sizeof(*t));
	t->burst = burst;
	t->per_1000s = per_1000s;
}

/* The key that identifies a source: IPv4 address, or the IPv6 /64 (one
 * host usually owns a whole /64, so its addresses count as one source). */
static void source_key(const struct px_addr *a, uint8_t key[17]) {
	memset(key, 0, 17);
	key[0] = (uint8_t)a->sa.sa_family;
	if (a->sa.sa_family == AF_INET)
		memcpy(key + 1, &a->in.sin_addr, 4);
	else if (a->sa.sa_family == AF_INET6)
		memcpy(key + 1, &a->in6.sin6_addr, 8);
}

struct token_bucket *source_table_bucket(struct source_table *t, const struct px_addr *a, uint64_t now_ms) {
	uint8_t key[17];
	source_key(a, key);
	struct source_slot *found = NULL, *victim = NULL;
	for (unsigned i = 0; i < SOURCE_TABLE_SLOTS; i++) {
		struct source_slot *s = &t->slot[i];
		if (!s->used) {
			if (!victim || victim->used)
				victim = s;
			continue;
		}
		if (!memcmp(s->key, key, sizeof(key))) {
			found = s;
			break;
		}
		if (!victim || (victim->used && s->last_seen_ms < victim->last_seen_ms))
			victim = s;
	}
	if (!found) {
		found = victim;
		memcpy(found->key, key, sizeof(key));
		found->used = true;
		token_bucket_init(&found->bucket, t->burst, t->per_1000s, now_ms);
	}
	found->last_seen_ms = now_ms;
	return &found->bucket;
}

bool source_table_take(struct source_table *t, const struct px_addr *a, uint64_t now_ms) {
	return token_bucket_take(source_table_bucket(t, a, now_ms), now_ms);
}
