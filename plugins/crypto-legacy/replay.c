/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The receive window for legacy packet sequence numbers, exactly as tinc
 * 1.0 applies it (docs/protocol/legacy-data.md §2.1): a bitmap of seqnos still missing
 * inside the window, and a counter that lets a burst of "far future"
 * packets resynchronise the window after a long loss.
 */
#include <stdlib.h>
#include <string.h>

#include "legacy.h"

int legacy_replay_init(struct legacy_replay *r, int win) {
	memset(r, 0, sizeof(*r));
	if (win <= 0)
		return 0;
	r->late = calloc(1, (size_t)win);
	if (!r->late)
		return -1;
	r->win = win;
	return 0;
}

void legacy_replay_free(struct legacy_replay *r) {
	free(r->late);
	memset(r, 0, sizeof(*r));
}

static void mark_late(struct legacy_replay *r, uint32_t s) {
	r->late[(s / 8) % (uint32_t)r->win] |= (uint8_t)(1u << (s % 8));
}

static void clear_late(struct legacy_replay *r, uint32_t s) {
	r->late[(s / 8) % (uint32_t)r->win] &= (uint8_t) ~(1u << (s % 8));
}

static bool is_late(const struct legacy_replay *r, uint32_t s) {
	return r->late[(s / 8) % (uint32_t)r->win] & (1u << (s % 8));
}

enum legacy_replay_verdict legacy_replay_check(struct legacy_replay *r, uint32_t s) {
	if (r->win) {
		uint64_t span = (uint64_t)r->win * 8;

		if (s != r->received + 1) {
			if ((uint64_t)s >= r->received + span) {
				/* Far future: drop up to win/4 in a row, then accept
				 * and treat everything older as lost for good. */
				if (r->farfuture++ < (uint32_t)r->win / 4)
					return REPLAY_FAR_FUTURE;
				memset(r->late, 0, (size_t)r->win);
			} else if (s <= r->received) {
				if (((uint64_t)r->received >= span && (uint64_t)s <= r->received - span) ||
				    !is_late(r, s))
					return REPLAY_LATE;
			} else {
				for (uint32_t i = r->received + 1; i < s; i++)
					mark_late(r, i);
			}
		}
		r->farfuture = 0;
		clear_late(r, s);
	}
	if (s > r->received)
		r->received = s;
	return REPLAY_OK;
}
