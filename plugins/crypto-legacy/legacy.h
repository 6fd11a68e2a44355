/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Private interfaces of the crypto-legacy plugin (tinc 1.0 protocol):
 * RSA meta authentication, the UDP key exchange and packet protection.
 * The plugin exists once per process, so its state is one global, `lg`.
 */
#ifndef PX_CRYPTO_LEGACY_H
#define PX_CRYPTO_LEGACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <plexus/plugin.h>

#define LEGACY_MAX_STRING   2048 /* longest field of a request (tinc's MAX_STRING) */
#define LEGACY_MAX_MAC      64   /* largest digest we accept for a packet MAC */
#define LEGACY_MAX_BLOCK    16   /* largest packet cipher block we accept */
#define LEGACY_MAX_KEY      128  /* key + IV bytes of a packet key */
#define LEGACY_SEQNO_LEN    4
#define LEGACY_REKEY_SEQNO  (1u << 30) /* renew the inbound key before seqnos wrap */
#define LEGACY_REQ_RETRY_MS 10000      /* resend REQ_KEY after this long */
#define LEGACY_GRACE_MS     10000      /* a replaced inbound key still decrypts this long */
#define LEGACY_ERRLOG_MS    1000       /* at most one packet error line per node per second */

/* Settings and long-lived objects of the plugin. */
struct legacy_globals {
	const struct px_host *host;
	px_plugin *self;
	EVP_PKEY *privkey;        /* our RSA key; NULL = legacy protocol unusable */
	EVP_MAC *hmac;            /* fetched once */
	const EVP_CIPHER *cipher; /* packet cipher for traffic to us; NULL = none */
	const EVP_MD *digest;     /* packet MAC digest; NULL = none */
	int maclen;
	int replaywin; /* bytes of replay bitmap; 0 = off */
	int keyexpire_s;
	const EVP_CIPHER *meta_cipher; /* what we announce in METAKEY */
	px_timer *expire_timer;
};

extern struct legacy_globals lg;

#define LOG(level, ...) lg.host->log(lg.self, (level), __VA_ARGS__)

/* hex.c */
void legacy_hex_encode(const uint8_t *in, size_t len, char *out); /* out: 2*len+1 */
/* Decode exactly `len` hex characters; returns bytes written or -1. */
int legacy_hex_decode(const char *in, size_t len, uint8_t *out, size_t outcap);

/* replay.c: the receive-side sequence number window (legacy-data.md §4). */
struct legacy_replay {
	uint32_t received;  /* highest accepted seqno */
	uint32_t farfuture; /* far-future packets dropped in a row */
	int win;            /* bitmap bytes; 0 = no replay protection */
	uint8_t *late;      /* bit set = seqno inside the window still missing */
};

enum legacy_replay_verdict {
	REPLAY_OK = 0,
	REPLAY_LATE,       /* replayed or too old */
	REPLAY_FAR_FUTURE, /* too far ahead, dropped */
};

int legacy_replay_init(struct legacy_replay *r, int win);
void legacy_replay_free(struct legacy_replay *r);
enum legacy_replay_verdict legacy_replay_check(struct legacy_replay *r, uint32_t seqno);

/* One packet key: for our inbound traffic (we made it) or outbound (peer made it). */
struct legacy_key {
	const EVP_CIPHER *cipher; /* NULL = none */
	const EVP_MD *digest;     /* NULL = none */
	int cipher_nid, digest_nid;
	int maclen;        /* 0 = no MAC */
	int keylen, ivlen; /* cipher key / IV length (0 for none) */
	size_t len;        /* bytes in key[]: keylen + ivlen, or 1 for none */
	uint8_t key[LEGACY_MAX_KEY];
	EVP_CIPHER_CTX *cctx;        /* reused for every packet */
	EVP_MAC_CTX *mctx;           /* HMAC keyed with key[0..len) */
	uint32_t seqno;              /* outbound: last seqno sent */
	struct legacy_replay replay; /* inbound */
};

/* packet.c */
struct legacy_key *legacy_key_new(const EVP_CIPHER *cipher, const EVP_MD *digest, int maclen,
                                  const uint8_t *key, size_t len, bool encrypt, int replaywin);
void legacy_key_free(struct legacy_key *k);
/* Compute the truncated MAC of data into mac (k->maclen bytes). */
bool legacy_key_mac(struct legacy_key *k, const uint8_t *data, size_t len, uint8_t *mac);
unsigned legacy_seal(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n);
unsigned legacy_open(px_plugin *self, px_node *from, struct px_buf *bufs, unsigned n);
px_node *legacy_identify(px_plugin *self, const struct px_buf *buf);
/* Seal / open one payload with a given key (exposed for the unit tests). */
bool legacy_seal_one(struct legacy_key *k, struct px_buf *b);
enum legacy_open_result {
	OPEN_OK = 0,
	OPEN_SHORT,
	OPEN_BAD_MAC,
	OPEN_BAD_DECRYPT,
	OPEN_REPLAY,
	OPEN_FAR_FUTURE,
};
enum legacy_open_result legacy_open_one(struct legacy_key *k, struct px_buf *b, uint32_t *seqno);

/* Per-node state, kept in host->node_slot(n, self). */
struct legacy_node {
	px_node *node;
	struct legacy_key *in;     /* current inbound key (we handed it out) */
	struct legacy_key *in_old; /* previous inbound key, valid until in_old_until */
	uint64_t in_old_until;
	struct legacy_key *out; /* key the peer gave us; NULL = no valid key */
	bool req_in_flight;
	uint64_t req_sent_ms;
	uint64_t last_errlog_ms;
	bool rekey_pending;
	char desc[96];
	struct legacy_node *prev, *next; /* all allocated slots, for fini */
};

/* data_keys.c */
struct legacy_node *legacy_node_get(px_node *n, bool create);
void legacy_nodes_free_all(void);
bool legacy_errlog_allowed(struct legacy_node *ln);
int legacy_send_ans_key(px_node *to);
void legacy_key_request(px_plugin *self, px_node *to);
int legacy_key_on_req(px_plugin *self, px_node *from, const char *line);
int legacy_key_on_ans(px_plugin *self, px_node *from, const char *line);
void legacy_key_on_changed(px_plugin *self, px_node *n);
bool legacy_key_valid(px_plugin *self, px_node *to);
void legacy_node_up(px_plugin *self, px_node *n);
void legacy_node_down(px_plugin *self, px_node *n);
const char *legacy_describe(px_plugin *self, px_node *n);
void legacy_expire_keys(void *arg); /* KeyExpire timer callback */

/* rsa_keys.c */
EVP_PKEY *legacy_load_private_key(void);
EVP_PKEY *legacy_load_public_key(const char *name);
EVP_PKEY *legacy_read_pem_file(const char *path, bool private_key);
int legacy_rsa_size(EVP_PKEY *pkey);                                         /* modulus bytes */
bool legacy_rsa_public_raw(EVP_PKEY *pkey, const uint8_t *in, uint8_t *out); /* K bytes each */
bool legacy_rsa_private_raw(EVP_PKEY *pkey, const uint8_t *in, uint8_t *out);
int legacy_generate_keys(px_plugin *self, const char *confbase, const char *name, int bits);

/* meta_auth.c */
int legacy_meta_start(px_plugin *self, px_conn *c, void **state);
int legacy_meta_request(px_plugin *self, void *state, px_conn *c, int reqno, const char *line);
void legacy_meta_free(px_plugin *self, void *state);
/* The CHAL_REPLY for a challenge: "3 <HEX(digest(challenge))>" into out. */
bool legacy_chal_reply_line(const EVP_MD *md, const uint8_t *challenge, size_t len, char *out, size_t outcap);
/* Byte budget of a meta cipher (Sweet32 rule, legacy-auth.md §6). */
uint64_t legacy_meta_budget(const EVP_CIPHER *cipher);

/* plugin.c */
bool legacy_usable(px_plugin *self, px_node *peer);
int legacy_load_settings(void);

#endif
