/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Compression back-off: a peer whose packets keep not shrinking (encrypted
 * or already compressed traffic) stops costing a full compressor run per
 * packet. After COMPRESS_BACKOFF_MISSES packets in a row that did not
 * shrink, the next packets skip the compressor: sent uncompressed where the
 * protocol says so per packet (SPTPS's record type), or else (tinc 1.0 has
 * no such flag) wrapped by the codec's store() into a stream the peer still
 * decompresses. Then one packet tries again; a miss doubles the pause (up to
 * COMPRESS_BACKOFF_MAX packets), a packet that shrinks ends the back-off.
 */
#ifndef PX_COMPRESS_BACKOFF_H
#define PX_COMPRESS_BACKOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plexus/plugin.h>

#define COMPRESS_BACKOFF_MISSES 8   /* packets in a row that did not shrink */
#define COMPRESS_BACKOFF_MIN    64  /* first pause, in packets */
#define COMPRESS_BACKOFF_MAX    256 /* longest pause: how late compressible data is noticed */

/* Per peer and direction; all zero is the initial state. */
struct compress_backoff {
	uint16_t misses; /* packets in a row that did not shrink */
	uint16_t pause;  /* next pause, 0 = COMPRESS_BACKOFF_MIN */
	uint32_t skip;   /* packets left in the current pause */
};

enum compress_how {
	COMPRESS_RAW,        /* copied as it is (raw_ok only) */
	COMPRESS_COMPRESSED, /* the codec's compress() */
	COMPRESS_STORED,     /* the codec's store(): valid stream, not compressed */
};

/* Encode `in` for one peer at `level` into out. raw_ok: the protocol can
 * flag this packet as uncompressed. learn: let this packet's result steer
 * the back-off (probes do not). Returns the length and sets *how, or -1
 * when nothing fitting could be produced. */
int compress_for_peer(struct compress_backoff *s, const struct px_compress_ops *ops, px_plugin *p, int level,
                      bool raw_ok, bool learn, const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap,
                      enum compress_how *how);

#endif
