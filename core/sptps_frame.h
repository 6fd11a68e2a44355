/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Framing of the binary SPTPS_PACKET request (protocol minor 7,
 * docs/sptps-over-tcp.md): the line "21 <len>" is followed, outside the meta
 * connection's record layer, by exactly <len> raw bytes: 6-byte destination
 * node ID, 6-byte source node ID and an SPTPS datagram. This parser only
 * collects those bytes; it never buffers more than SPTPS_FRAME_MAX.
 */
#ifndef PLEXUS_SPTPS_FRAME_H
#define PLEXUS_SPTPS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plexus/wire.h>

#define SPTPS_FRAME_IDS 12 /* destination and source node IDs */
/* IDs, then the largest datagram we can open: seqno, type, frame, tag. */
#define SPTPS_FRAME_MAX (SPTPS_FRAME_IDS + 4 + 1 + PX_MTU + 16)

struct sptps_frame_rx {
	size_t want; /* 0: no payload pending */
	size_t have;
	uint8_t buf[SPTPS_FRAME_MAX];
};

/* Parse the request line "21 <len>". On success the next `len` raw bytes
 * belong to the frame; on a malformed or oversized length returns -1 and
 * writes the reason to why (the connection must then be closed: the stream
 * cannot be resynchronised). */
int sptps_frame_begin(struct sptps_frame_rx *rx, const char *line, char *why, size_t whylen);

/* Take up to len bytes of the pending payload. Returns how many were taken
 * (0 when nothing is pending); *complete is set once the frame is whole,
 * after which rx->buf[0 .. rx->have) holds it and nothing is pending. */
size_t sptps_frame_feed(struct sptps_frame_rx *rx, const uint8_t *data, size_t len, bool *complete);

static inline bool sptps_frame_pending(const struct sptps_frame_rx *rx) {
	return rx && rx->want;
}

#endif
