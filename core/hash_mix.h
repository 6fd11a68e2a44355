/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The finaliser the core's hash tables (node names, subnet groups) use to
 * spread a seeded key over all bits before taking a bucket.
 */
#ifndef PX_HASH_MIX_H
#define PX_HASH_MIX_H

#include <stdint.h>

static inline uint64_t hash_mix64(uint64_t x) {
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

#endif
