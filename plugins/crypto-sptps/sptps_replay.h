/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The datagram replay window of SPTPS (docs/protocol/sptps.md §3.2). Deliberately separate
 * from the legacy window: on a far-future jump SPTPS marks every bit late,
 * legacy clears them.
 */
#ifndef PX_SPTPS_REPLAY_H
#define PX_SPTPS_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct sptps_replay {
	uint32_t inseqno;   /* next expected sequence number */
	uint32_t farfuture; /* far-future records dropped in a row */
	uint32_t received;  /* records accepted since the last wrap */
	unsigned win;       /* bitmap bytes; 0 = no replay protection */
	bool jump_at_once;  /* accept a far-future record at once (see sptps_params) */
	uint8_t *late;      /* bit set: inside the window, not received yet */
};

enum sptps_replay_verdict {
	SPTPS_REPLAY_ACCEPT = 0,
	SPTPS_REPLAY_ACCEPT_JUMP = 1, /* far future, accepted: the window is reset */
	SPTPS_REPLAY_DROP_FAR = -1,   /* far future, dropped */
	SPTPS_REPLAY_DROP_OLD = -2,   /* behind the window, or seen before */
};

/* What would happen to seqno; no state change. */
enum sptps_replay_verdict sptps_replay_check(const struct sptps_replay *r, uint32_t seqno);
/* Record the outcome of a check of seqno (also for drops: counts far-future). */
void sptps_replay_commit(struct sptps_replay *r, uint32_t seqno, enum sptps_replay_verdict v);

#endif
