/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A small token bucket, used to bound how often a peer can make us do an
 * RSA private-key operation (signing an ECDH answer).
 */
#include "legacy.h"

bool legacy_bucket_take(struct legacy_bucket *b, uint64_t now, uint32_t burst, uint32_t interval_ms) {
	if (!b->started) {
		b->started = true;
		b->tokens = burst;
		b->last_ms = now;
	} else if (now > b->last_ms && interval_ms) {
		uint64_t add = (now - b->last_ms) / interval_ms;
		if (add) {
			b->tokens = add >= burst - b->tokens ? burst : b->tokens + (uint32_t)add;
			/* keep the remainder, so a steady rate is not rounded down */
			b->last_ms = b->tokens == burst ? now : b->last_ms + add * interval_ms;
		}
	}
	if (!b->tokens)
		return false;
	b->tokens--;
	return true;
}
