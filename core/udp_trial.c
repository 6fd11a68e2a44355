/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Token bucket for trial identification of UDP senders (udp_trial.h).
 * Integer arithmetic only: it runs on the data path.
 */
#include "udp_trial.h"

#define TOKEN 1000u /* one sweep, in bucket units */

bool udp_trial_take(struct udp_trial_budget *b, uint64_t now) {
	if (!b->started) {
		b->started = true;
		b->last_ms = now;
		b->tokens_ms = UDP_TRIAL_BURST * TOKEN;
	} else if (now > b->last_ms) {
		/* UDP_TRIAL_RATE sweeps per 1000 ms = UDP_TRIAL_RATE units per ms. */
		uint64_t add = (now - b->last_ms) * UDP_TRIAL_RATE;
		uint64_t full = (uint64_t)UDP_TRIAL_BURST * TOKEN;
		uint64_t tokens = b->tokens_ms + add;
		b->tokens_ms = (uint32_t)(tokens > full ? full : tokens);
		b->last_ms = now;
	}
	if (b->tokens_ms < TOKEN)
		return false;
	b->tokens_ms -= TOKEN;
	return true;
}
