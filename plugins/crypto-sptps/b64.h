/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tinc's base64 (docs/protocol/sptps.md §9): the RFC 4648 alphabets, but each 3-byte
 * group is read as a little-endian 24-bit number and emitted lowest 6 bits
 * first, without '=' padding. Used for Ed25519 keys, invitation URLs and
 * SPTPS handshake records carried in REQ_KEY/ANS_KEY lines.
 */
#ifndef PX_SPTPS_B64_H
#define PX_SPTPS_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Characters needed to encode len bytes, without the terminating NUL. */
#define SPTPS_B64_LEN(len) (((len) / 3) * 4 + ((len) % 3 ? (len) % 3 + 1 : 0))

/* Encode len bytes into dst (SPTPS_B64_LEN(len) + 1 bytes, NUL-terminated).
 * urlsafe selects '-' and '_' instead of '+' and '/'. Returns the length. */
size_t sptps_b64_encode(char *dst, const void *src, size_t len, bool urlsafe);

/* Decode srclen characters (both alphabets accepted) into dst, which holds
 * dstcap bytes. Returns the number of bytes, or -1 for an invalid
 * character, a dangling single character or a too small dst. */
ssize_t sptps_b64_decode(void *dst, size_t dstcap, const char *src, size_t srclen);

#endif
