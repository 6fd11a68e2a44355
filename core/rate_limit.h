/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Token buckets driven by a caller-supplied clock (milliseconds), so the
 * limits are deterministic under test, and a small bounded table of
 * per-source buckets keyed by address (IPv6 by /64).
 */
#ifndef PX_RATE_LIMIT_H
#define PX_RATE_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

struct token_bucket {
	uint64_t level;        /* thousandths of a token */
	uint64_t capacity;     /* thousandths of a token */
	uint64_t refill_per_s; /* thousandths of a token per second */
	uint64_t last_ms;
};

/* A full bucket of `burst` tokens that regains `per_1000s` / 1000 tokens a second. */
void token_bucket_init(struct token_bucket *b, unsigned burst, unsigned per_1000s, uint64_t now_ms);
/* Take one token if there is one. */
bool token_bucket_take(struct token_bucket *b, uint64_t now_ms);
/* Whole tokens available right now (after refilling up to now_ms). */
unsigned token_bucket_tokens(struct token_bucket *b, uint64_t now_ms);

#define SOURCE_TABLE_SLOTS 256

struct source_slot {
	uint8_t key[17]; /* family byte + address (IPv6: the /64 prefix) */
	bool used;
	struct token_bucket bucket;
	uint64_t last_seen_ms;
};

/* Per-source buckets in a fixed array: memory never grows. When full, the
 * least recently seen source is forgotten (a forgotten source starts with a
 * full bucket again; the global bucket still bounds the total). */
struct source_table {
	struct source_slot slot[SOURCE_TABLE_SLOTS];
	unsigned burst, per_1000s;
};

void source_table_init(struct source_table *t, unsigned burst, unsigned per_1000s);
/* The bucket of a's source (a new full one for a source not in the table). */
struct token_bucket *source_table_bucket(struct source_table *t, const struct px_addr *a, uint64_t now_ms);
/* Take one token from the bucket of a's source. */
bool source_table_take(struct source_table *t, const struct px_addr *a, uint64_t now_ms);

#endif
