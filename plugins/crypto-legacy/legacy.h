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

/* ECDH data-key exchange (docs/legacy-ecdh.md). */
#define LEGACY_KEX_VERSION   2
#define LEGACY_KEX_TOKEN     "pxkex=2" /* REQ_KEY field 3: never parses as an integer */
#define LEGACY_X25519_PREFIX "X25519:" /* key field of an ECDH token: never valid hex */
#define LEGACY_X25519_LEN    32
#define LEGACY_MAX_SIG       1024 /* RSA-8192 signature */
#define LEGACY_MAX_KEX_NAME  255  /* longer node names use the RSA exchange */
/* Signing ECDH answers for one node: a burst of this many, then one per interval. */
#define LEGACY_ANSWER_BURST       6
#define LEGACY_ANSWER_INTERVAL_MS 2000
/* ...and for all nodes together. */
#define LEGACY_ANSWER_BURST_ALL       64
#define LEGACY_ANSWER_INTERVAL_ALL_MS 50
#define LEGACY_MAX_TOKEN                                                                                     \
	(sizeof(LEGACY_X25519_PREFIX) + 2 * LEGACY_X25519_LEN + 4 * (LEGACY_MAX_SIG + 2) / 3 + 8)

/* How a packet key was agreed. */
enum legacy_kex {
	KEX_RSA = 0,  /* tinc 1.0: the key itself sent in ANS_KEY */
	KEX_ECDH = 1, /* derived from signed ephemeral X25519 keys */
};

/* LegacyECDH = no | yes | required (server default, per-host override). */
enum legacy_ecdh_mode {
	ECDH_OFF = 0,
	ECDH_ON,
	ECDH_REQUIRED,
};

/* A token bucket (time in host->now_ms() milliseconds). */
struct legacy_bucket {
	uint64_t last_ms;
	uint32_t tokens;
	bool started;
};
/* Take a token from a bucket holding up to `burst`, refilled one per `interval_ms`. */
bool legacy_bucket_take(struct legacy_bucket *b, uint64_t now, uint32_t burst, uint32_t interval_ms);

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
	enum legacy_ecdh_mode ecdh_mode; /* LegacyECDH of the server configuration */
	/* Freshness counter of our ECDH requests: wall-clock milliseconds, but
	 * strictly increasing within the process (wall_ms is replaceable for tests). */
	uint64_t (*wall_ms)(void);
	uint64_t last_req_counter;
	struct legacy_bucket answer_budget; /* ECDH answers signed, all nodes */
};

extern struct legacy_globals lg;

#define LOG(level, ...) lg.host->log(lg.self, (level), __VA_ARGS__)

/* hex.c */
void legacy_hex_encode(const uint8_t *in, size_t len, char *out); /* out: 2*len+1 */
/* Decode exactly `len` hex characters; returns bytes written or -1. */
int legacy_hex_decode(const char *in, size_t len, uint8_t *out, size_t outcap);

/* replay.c: the receive-side sequence number window (docs/protocol/legacy-data.md §2.1). */
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
	enum legacy_kex kex;         /* how it was agreed (for describe and renewal) */
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

/* ecdh.c: the cryptography of the ECDH key exchange; no protocol state. */
struct legacy_ephemeral {
	EVP_PKEY *pkey; /* NULL = none */
	uint8_t pub[LEGACY_X25519_LEN];
};
/* A fresh X25519 key pair from host->random_bytes (injectable in tests). */
bool legacy_eph_new(struct legacy_ephemeral *e);
void legacy_eph_clear(struct legacy_ephemeral *e);
/* X25519; false for an invalid or low-order peer key (all-zero secret). */
bool legacy_x25519(const struct legacy_ephemeral *mine, const uint8_t peer_pub[LEGACY_X25519_LEN],
                   uint8_t shared[LEGACY_X25519_LEN]);
/* RFC 5869 HKDF with SHA-256, through OpenSSL's EVP_KDF "HKDF". */
bool legacy_hkdf_sha256(const uint8_t *salt, size_t saltlen, const uint8_t *ikm, size_t ikmlen,
                        const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen);
/* The packet key for data sent by `sender` to `receiver` (the key's owner). */
bool legacy_ecdh_kdf(const uint8_t shared[LEGACY_X25519_LEN], const char *sender, const char *receiver,
                     const uint8_t sender_pub[LEGACY_X25519_LEN],
                     const uint8_t receiver_pub[LEGACY_X25519_LEN], int cipher_nid, int digest_nid,
                     int maclen, uint8_t *out, size_t outlen);
/* Signed transcripts; return the length, or -1 if it does not fit. */
int legacy_kex_transcript_req(char *out, size_t cap, const char *from, const char *to, uint64_t counter,
                              const uint8_t req_pub[LEGACY_X25519_LEN]);
/* A REQ_KEY freshness counter: decimal digits only, no sign; false if malformed. */
bool legacy_kex_parse_counter(const char *s, uint64_t *out);
int legacy_kex_transcript_ans(char *out, size_t cap, const char *from, const char *to,
                              const uint8_t ans_pub[LEGACY_X25519_LEN],
                              const uint8_t req_pub[LEGACY_X25519_LEN], int cipher_nid, int digest_nid,
                              int maclen, int compression);
/* "X25519:<HEX pub>:<base64 RSA signature of transcript>" into out. */
bool legacy_kex_token_make(EVP_PKEY *priv, const char *transcript, const uint8_t pub[LEGACY_X25519_LEN],
                           char *out, size_t cap);
/* Split a token; returns NULL or a static reason why it is malformed. */
const char *legacy_kex_token_parse(const char *token, uint8_t pub[LEGACY_X25519_LEN], uint8_t *sig,
                                   size_t sigcap, size_t *siglen);
bool legacy_kex_verify(EVP_PKEY *pub, const char *transcript, const uint8_t *sig, size_t siglen);

/* Per-node state, kept in host->node_slot(n, self). */
struct legacy_node {
	px_node *node;
	struct legacy_key *in;     /* current inbound key (we handed it out) */
	struct legacy_key *in_old; /* previous inbound key, valid until in_old_until */
	uint64_t in_old_until;
	struct legacy_key *out; /* key the peer gave us; NULL = no valid key */
	uint64_t out_stale_ms;  /* ECDH out key renewed by the peer at this time; 0 = current */
	bool req_in_flight;
	uint64_t req_sent_ms;
	uint64_t last_errlog_ms;
	bool rekey_pending;
	struct legacy_ephemeral eph;        /* ours, for the ECDH REQ_KEY in flight */
	bool peer_ecdh;                     /* peer proved ECDH support: refuse RSA keys now */
	bool push_legacy;                   /* node_up asked ECDH first: push an RSA key if answered RSA */
	uint64_t req_counter_seen;          /* highest counter of a verified ECDH REQ_KEY from it */
	struct legacy_bucket answer_budget; /* ECDH answers signed for it */
	char desc[96];
	struct legacy_node *prev, *next; /* all allocated slots, for fini */
};

/* data_keys.c */
struct legacy_node *legacy_node_get(px_node *n, bool create);
void legacy_nodes_free_all(void);
bool legacy_errlog_allowed(struct legacy_node *ln);
int legacy_send_ans_key(px_node *to);
enum legacy_ecdh_mode legacy_ecdh_mode(const char *peer);
/* Replace our inbound key for a node whose key is renewed (KeyExpire, seqno wrap). */
void legacy_renew_inbound(px_node *n);
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
/* Byte budget of a meta cipher (Sweet32 rule, docs/protocol/legacy-auth.md §3). */
uint64_t legacy_meta_budget(const EVP_CIPHER *cipher);

/* plugin.c */
bool legacy_usable(px_plugin *self, px_node *peer);
int legacy_load_settings(void);
/* Parse a LegacyECDH value; -1 if invalid. */
int legacy_parse_ecdh_mode(const char *v);

#endif
