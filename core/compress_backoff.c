/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Per-peer compression back-off on incompressible data (compress_backoff.h). */
#include <string.h>

#include "compress_backoff.h"

/* Whether this packet should go through the compressor. */
static bool backoff_try(struct compress_backoff *s) {
	if (!s->skip)
		return true;
	s->skip--;
	return false;
}

static void backoff_learn(struct compress_backoff *s, bool shrank) {
	if (shrank) {
		s->misses = 0;
		s->pause = 0;
		return;
	}
	if (++s->misses < COMPRESS_BACKOFF_MISSES)
		return;
	uint32_t pause = s->pause ? s->pause : COMPRESS_BACKOFF_MIN;
	s->skip = pause;
	s->pause = (uint16_t)(pause * 2 > COMPRESS_BACKOFF_MAX ? COMPRESS_BACKOFF_MAX : pause * 2);
	/* The packet after the pause is a probe: one more miss pauses again. */
	s->misses = COMPRESS_BACKOFF_MISSES - 1;
}

static int copy_raw(const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap, enum compress_how *how) {
	if (inlen > outcap || inlen > INT32_MAX)
		return -1;
	memcpy(out, in, inlen);
	*how = COMPRESS_RAW;
	return (int)inlen;
}

int compress_for_peer(struct compress_backoff *s, const struct px_compress_ops *ops, px_plugin *p, int level,
                      bool raw_ok, bool learn, const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap,
                      enum compress_how *how) {
	bool can_skip = raw_ok || ops->store;
	if (learn && can_skip && !backoff_try(s)) {
		if (raw_ok)
			return copy_raw(in, inlen, out, outcap, how);
		*how = COMPRESS_STORED;
		return ops->store(p, level, in, inlen, out, outcap);
	}
	int len = ops->compress(p, level, in, inlen, out, outcap);
	bool shrank = len >= 0 && (size_t)len < inlen;
	if (learn && can_skip)
		backoff_learn(s, shrank);
	if (!shrank && raw_ok)
		return copy_raw(in, inlen, out, outcap, how); /* the record says "uncompressed" */
	*how = COMPRESS_COMPRESSED;
	return len;
}
