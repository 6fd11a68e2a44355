/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * update-hosts: signed distribution of host files (HOSTUPDATE, id 100) and
 * of a configuration template (CONFUPDATE, id 101) over the meta protocol.
 * Wire format and policy: docs/update-hosts.md.
 */
#ifndef UPDATE_HOSTS_H
#define UPDATE_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <plexus/plugin.h>

#define UH_MAX_NAME  64   /* longest node name we accept in a request */
#define UH_MAX_DATA  2048 /* raw bytes of one host file or template */
#define UH_MAX_SIG   1024 /* RSA up to 8192 bits */
#define UH_NONCE_HEX 16
#define UH_CAP_HOSTS "100"
#define UH_CAP_CONF  "101"
#define UH_REFRESH   10   /* resend an unchanged network every this many intervals */
#define UH_LINE_MAX  4352 /* the core's longest request line */

enum uh_op { UH_OP_START, UH_OP_FILE, UH_OP_DEAD, UH_OP_END, UH_OP_CONF };

/* One decoded request (either kind). */
struct uh_msg {
	int id; /* PX_REQ_HOSTUPDATE or PX_REQ_CONFUPDATE */
	char nonce[UH_NONCE_HEX + 1];
	char updater[UH_MAX_NAME + 1];
	uint64_t serial;
	enum uh_op op;
	char host[UH_MAX_NAME + 1]; /* FILE/DEAD; "-" otherwise */
	uint8_t data[UH_MAX_DATA];
	size_t len;
	uint8_t sig[UH_MAX_SIG];
	size_t siglen;
};

/* Local policy, read from the server configuration at init and reload. */
struct uh_options {
	bool ignore_hosts, dont_forward_hosts;
	bool ignore_conf, dont_forward_conf;
	bool no_verify_signature, no_verify_permission;
	int interval;        /* HostsUpdateInterval, seconds; 0 = no periodic runs */
	char *template_path; /* ConfFileTemplate */
};

/* Receiver-side state of the run an updater is sending us (memory only). */
struct uh_run {
	struct uh_run *next;
	char updater[UH_MAX_NAME + 1];
	uint64_t serial;
	bool before_ran; /* hostsupdate-before already ran for this run */
	bool changed;    /* a file was written or removed */
};

struct uh_ctx {
	const struct px_host *host;
	px_plugin *self;
	struct uh_options opt;
	px_timer *timer;
	unsigned ticks_since_run;
	bool dirty; /* something (a node coming up) asks for a run soon */
	uint8_t last_digest[32];
	bool have_digest;
	struct uh_run *runs;
};

extern struct uh_ctx uh;

#define UH_LOG(level, ...) uh.host->log(uh.self, (level), __VA_ARGS__)

/* codec.c: names, base64, request lines, the signed byte string. */
bool uh_valid_name(const char *name);
size_t uh_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
int uh_b64_decode(const char *in, uint8_t *out, size_t cap, size_t *outlen);
const char *uh_op_name(enum uh_op op);
/* Parse a request line of kind `id`. On error returns -1 and sets *why. */
int uh_parse(const char *line, int id, struct uh_msg *m, const char **why);
/* Format a request line (nonce, updater, ... and signature set). */
int uh_format(const struct uh_msg *m, char *line, size_t cap);
/* The bytes the signature covers; returns their length or -1. */
int uh_signed_bytes(const struct uh_msg *m, uint8_t *out, size_t cap);

/* sign.c */
EVP_PKEY *uh_load_private_key(void);
EVP_PKEY *uh_public_key_from_text(const char *text);
int uh_sign(struct uh_msg *m, EVP_PKEY *priv);
bool uh_verify(const struct uh_msg *m, EVP_PKEY *pub);

/* hostfile.c: a small reader for tinc's "Variable = value" files. */
char *uh_read_file(const char *path, size_t max, size_t *len);
char *uh_read_host_file(const char *name); /* hosts/<name>, NULL if absent */
bool uh_text_get(const char *text, const char *var, char *out, size_t cap);
bool uh_text_bool(const char *text, const char *var, bool dflt);
EVP_PKEY *uh_host_public_key(const char *name, const char *text);

/* store.c: durable files and the serial state. */
int uh_write_atomic(const char *dir, const char *name, const void *data, size_t len);
int uh_remove_durable(const char *dir, const char *name);
void uh_clean_temp_files(const char *dir);
int uh_mkdir_p(const char *path);
char *uh_path(const char *a, const char *b, const char *c);
/* Last serial accepted from `updater` for hosts (with run open/closed) or conf. */
uint64_t uh_state_get(const char *updater, const char *kind, bool *open);
int uh_state_set(const char *updater, const char *kind, uint64_t serial, bool open);
uint64_t uh_next_serial(void);

/* confmerge.c */
bool uh_template_valid(const char *text, size_t len, const char **why);
bool uh_preserved_var(const char *var);
char *uh_merge_conf(const char *current, const char *tmpl, size_t tlen, const char *updater, uint64_t serial);
char *uh_main_conf_path(void);

/* scripts.c */
void uh_run_script(const char *script, const char *updater);

/* receive.c: request handlers. */
int uh_hostupdate_h(px_plugin *self, px_conn *from, const char *line);
int uh_confupdate_h(px_plugin *self, px_conn *from, const char *line);
void uh_runs_free(void);

/* send.c: the updater side. */
bool uh_is_hosts_master(void);
bool uh_is_conf_master(void);
/* Send a full run to `to`, or broadcast it when `to` is NULL. `force`
 * sends even when nothing changed since the last broadcast run. */
int uh_send_run(px_conn *to, bool force);

#endif
