/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A fake core for the crypto-legacy unit tests: a struct px_host whose
 * functions record what the plugin does (lines sent, wire bytes, requests
 * routed to nodes) and two in-process meta connections that can be pumped
 * into each other. Several identities (private key + name) share the one
 * plugin instance by swapping lg.privkey whenever the fake enters the
 * plugin on behalf of a side.
 */
#ifndef LEGACY_FAKE_H
#define LEGACY_FAKE_H

#include "../../plugins/crypto-legacy/legacy.h"

#define FAKE_MAX_LINES 64
#define FAKE_LINE      4200
#define FAKE_WIRE      65536

struct px_node {
	char name[32];
	void *slot;
	bool reachable;
	int in_compression, out_compression;
	bool key_valid;
	int key_changed_calls;
	bool has_udp;
	struct px_addr udp;
};

enum fake_tamper {
	TAMPER_NONE,
	TAMPER_CHAL_REPLY,    /* flip a digit of our CHAL_REPLY */
	TAMPER_CHALLENGE_LEN, /* drop two digits of our CHALLENGE */
	TAMPER_METAKEY_HEX,   /* put a non-hex character into our METAKEY */
};

struct px_conn {
	char myname[32], peername[32];
	bool outgoing;
	EVP_PKEY *privkey; /* identity of this side */
	void *state;       /* meta_start state */
	struct px_conn *peer;
	const struct px_filter_ops *in_ops, *out_ops;
	void *in_ctx, *out_ctx;
	char inbuf[FAKE_WIRE];
	size_t inlen;
	uint8_t wire[FAKE_WIRE]; /* written, not yet pumped to peer */
	size_t wirelen;
	char sent[FAKE_MAX_LINES][FAKE_LINE];
	int nsent;
	char got[FAKE_MAX_LINES][FAKE_LINE];
	int ngot;
	bool auth_done, failed;
	enum fake_tamper tamper;
};

/* Requests routed through send_to_node / broadcast. */
struct fake_msg {
	char to[32];
	char line[FAKE_LINE];
};

extern const struct px_plugin_desc crypto_legacy_LTX_plexus_plugin;
extern struct px_host fake_host;
extern px_plugin *fake_self;
extern uint64_t fake_now;
extern struct fake_msg fake_msgs[FAKE_MAX_LINES];
extern int fake_nmsgs;
extern char fake_confbase[256];
extern char fake_last_log[1024];
extern int fake_nlogs;

/* Plugin init through the descriptor; config entries as "host|var|value" (host empty = server). */
int fake_init(const char *const *config);
void fake_fini(void);
void fake_set_config(const char *const *config);
px_node *fake_node(const char *name);
void fake_reset_msgs(void);

void fake_conn_init(struct px_conn *c, const char *me, const char *peer, bool outgoing, EVP_PKEY *key);
void fake_conn_free(struct px_conn *c);
int fake_meta_start(struct px_conn *c);
/* Feed raw wire bytes into c as its transport would. */
int fake_feed(struct px_conn *c, const uint8_t *data, size_t len);
/* Move pending wire bytes between a and b (chunk = 0: all at once) until quiet. */
void fake_pump(struct px_conn *a, struct px_conn *b, size_t chunk);

/* Run the plugin as node `name` holding private key `key`, outside any
 * connection (key exchange tests play several nodes in turn). */
void fake_act_as(const char *name, EVP_PKEY *key);
/* Injectable RNG: the next random_bytes() calls return these bytes in
 * order (then the real RNG again). len 0 clears the script. */
void fake_rng_script(const uint8_t *bytes, size_t len);

/* Make a temp directory; returns 0 on success. */
int fake_mkdtemp(char *buf, size_t len);
void fake_rmrf(const char *path);

#endif
