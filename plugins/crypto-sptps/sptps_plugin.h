/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Private interfaces of the crypto-sptps plugin: the glue between the SPTPS
 * library (sptps.h) and the Plexus host table. One plugin instance per
 * process, so its settings live in one global, `sp`.
 */
#ifndef PX_CRYPTO_SPTPS_PLUGIN_H
#define PX_CRYPTO_SPTPS_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

#include "keys.h"
#include "sptps.h"

#define SPTPS_HANDSHAKE_MS                                                                                   \
	2000 /* a UDP handshake not done after this long is restarted (doubles, up to 8x) */
#define SPTPS_NUDGE_MS       1000 /* at most one fresh handshake per node and second for undecryptable records */
#define SPTPS_NUDGE_BYTES    512 /* ...and only after this many bytes of them */
#define SPTPS_PKT_NORMAL     0
#define SPTPS_PKT_COMPRESSED 1
#define SPTPS_PKT_MAC        2
#define SPTPS_PKT_PROBE      4
#define SPTPS_MAX_B64_RECORD 2048 /* a handshake record in REQ_KEY/ANS_KEY, base64 */

struct sptps_globals {
	const struct px_host *host;
	px_plugin *self;
	struct sptps_key mykey; /* has_private = false: SPTPS unusable */
	unsigned replaywin;
	int keyexpire_s;
	bool router_mode; /* Mode = router (default): data records carry IP packets */
	px_timer *expire_timer;
};

extern struct sptps_globals sp;

#define LOG(level, ...) sp.host->log(sp.self, (level), __VA_ARGS__)

/* Does the core take the raw bytes of a binary SPTPS_PACKET from our meta
 * filter (ABI 1.2)? Only then do we speak protocol minor 7. */
static inline bool sptps_host_takes_raw(void) {
	return PX_HOST_HAS(sp.host, conn_raw_input) && sp.host->conn_raw_input;
}

/* plugin.c */
bool sptps_peer_key(const char *name, struct sptps_key *out);
void sptps_glue_log(void *ctx, enum sptps_log_level level, const char *msg);
void sptps_glue_random(void *ctx, uint8_t *buf, size_t len);

/* meta.c: SPTPS on meta connections */
int sptps_meta_start(px_plugin *self, px_conn *c, void **state);
int sptps_meta_request(px_plugin *self, void *state, px_conn *c, int reqno, const char *line);
void sptps_meta_free(px_plugin *self, void *state);

/* data.c: per-node UDP sessions and packet protection */
void sptps_key_request(px_plugin *self, px_node *to);
int sptps_key_on_req(px_plugin *self, px_node *from, const char *line);
int sptps_key_on_ans(px_plugin *self, px_node *from, const char *line);
bool sptps_key_valid(px_plugin *self, px_node *to);
void sptps_node_up(px_plugin *self, px_node *n);
void sptps_node_down(px_plugin *self, px_node *n);
unsigned sptps_seal(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n);
unsigned sptps_open(px_plugin *self, px_node *from, struct px_buf *bufs, unsigned n);
px_node *sptps_identify(px_plugin *self, const struct px_buf *buf);
const char *sptps_describe(px_plugin *self, px_node *n);
void sptps_expire_keys(void *arg);
void sptps_nodes_free_all(void);

#endif
