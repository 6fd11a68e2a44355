/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* SPTPS datagram replay window (see sptps_replay.h). */
#include <string.h>

#include "sptps_replay.h"

static bool late_bit(const struct sptps_replay *r, uint32_t seqno) {
	return r->late[(seqno / 8) % r->win] & (1u << (seqno % 8));
}

static void set_late(struct sptps_replay *r, uint32_t seqno, bool late) {
	uint8_t *byte = &r->late[(seqno / 8) % r->win];

	if (late) {
		*byte |= (uint8_t)(1u << (seqno % 8));
	} else {
		*byte &= (uint8_t) ~(1u << (seqno % 8));
	}
}

enum sptps_replay_verdict sptps_replay_check(const struct sptps_replay *r, uint32_t seqno) {
	uint64_t span = (uint64_t)r->win * 8;

	if (!r->win || seqno == r->inseqno) {
		return SPTPS_REPLAY_ACCEPT;
	}

	if ((uint64_t)seqno >= (uint64_t)r->inseqno + span) {
		/* A few far jumps are dropped so that one stray record cannot
		 * push everything else out of the window; more in a row mean
		 * the peer really moved on. */
		if (r->jump_at_once) {
			return SPTPS_REPLAY_ACCEPT_JUMP;
		}

		return r->farfuture < r->win / 4 ? SPTPS_REPLAY_DROP_FAR : SPTPS_REPLAY_ACCEPT_JUMP;
	}

	if (seqno < r->inseqno) {
		if ((r->inseqno >= span && seqno < r->inseqno - span) || !late_bit(r, seqno)) {
			return SPTPS_REPLAY_DROP_OLD;
		}
	}

	return SPTPS_REPLAY_ACCEPT;
}

void sptps_replay_commit(struct sptps_replay *r, uint32_t seqno, enum sptps_replay_verdict v) {
	if (v == SPTPS_REPLAY_DROP_OLD) {
		return;
	}

	if (v == SPTPS_REPLAY_DROP_FAR) {
		r->farfuture++;
		return;
	}

	if (r->win) {
		if (v == SPTPS_REPLAY_ACCEPT_JUMP) {
			memset(r->late, 0xff, r->win);
		} else if (seqno > r->inseqno) {
			for (uint32_t i = r->inseqno; i != seqno; i++) {
				set_late(r, i, true);
			}
		}

		set_late(r, seqno, false);
		r->farfuture = 0;
	}

	if (seqno >= r->inseqno) {
		r->inseqno = seqno + 1;
	}

	r->received = r->inseqno ? r->received + 1 : 0;
}
