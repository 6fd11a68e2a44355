/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * What strangers may cost us before they authenticate: how many incoming
 * connections we accept (MaxConnectionBurst overall, a stricter burst per
 * source), how many may be unauthenticated at once, and how many
 * handshakes (RSA private-key / ECDH / signature work) we start per second.
 */
#ifndef PX_ADMISSION_H
#define PX_ADMISSION_H

#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

#define ADMISSION_DEFAULT_BURST       10    /* tinc 1.1's MaxConnectionBurst */
#define ADMISSION_GLOBAL_PER_1000S    1000  /* one connection a second after the burst */
#define ADMISSION_SOURCE_PER_1000S    500   /* one every two seconds per source */
#define ADMISSION_HANDSHAKE_BURST     64    /* a mesh of that many peers starts at once */
#define ADMISSION_HANDSHAKE_PER_1000S 16000 /* then 16 handshakes a second */
#define ADMISSION_MAX_UNAUTHENTICATED 128   /* incoming connections not yet authenticated */

/* (Re)configure from MaxConnectionBurst; resets every bucket to full. */
void admission_configure(unsigned max_connection_burst, uint64_t now_ms);
/* A new incoming connection from src: accept it? Logs (rate-limited) why not. */
bool admission_accept(const struct px_addr *src, unsigned unauthenticated, uint64_t now_ms);
/* An unauthenticated peer wants the crypto handshake to start: allowed? */
bool admission_handshake(const char *who, uint64_t now_ms);

/* Counters for the logs and tests. */
struct admission_stats {
	uint64_t accepted, refused_burst, refused_source, refused_unauth, refused_handshake;
};
const struct admission_stats *admission_stats(void);

#endif
