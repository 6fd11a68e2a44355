/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * UDP segmentation offload bookkeeping, free of I/O so that it can be unit
 * tested: which datagrams of a send batch may leave as one UDP_SEGMENT send
 * (a "run"), and how a UDP_GRO-coalesced receive is cut back into datagrams.
 */
#ifndef PX_UDP_GSO_H
#define PX_UDP_GSO_H

#include <stddef.h>
#include <stdint.h>

#include <plexus/plugin.h>

/* Limits of one UDP_SEGMENT send: the kernel's segment count (older kernels
 * allow no more than 64) and a total that fits one IPv4 or IPv6 datagram. */
#define UDP_GSO_MAX_SEGS  64
#define UDP_GSO_MAX_BYTES 65487

/* How many of bufs[0..n) may go out with bufs[0] as one segmented send:
 * same destination, same size (only the last may be shorter), same
 * priority, no MTU probe among them, within the limits above. 1 means send
 * bufs[0] alone. n must be at least 1 and every buffer live (len > 0). */
unsigned udp_gso_run(struct px_buf *const *bufs, unsigned n);

/* Cut the datagram in `whole` (data/len as received, base/cap its storage,
 * addr its source) into datagrams of `seg` bytes (the last may be shorter)
 * as views into the same storage: out[i] gets whole's address, base and cap
 * limited to its own bytes (the first keeps whole's headroom, the last its
 * tailroom), and gso_size = seg when there was more than one. seg = 0 or
 * len <= seg gives one view. Returns the number of views, at most max;
 * *cut_off says how many datagrams did not fit. */
unsigned udp_gro_split(const struct px_buf *whole, size_t seg, struct px_buf *out, unsigned max,
                       unsigned *cut_off);

#endif
