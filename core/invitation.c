/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The inviter's side of tinc 1.1's invitation protocol (docs/invitations.md).
 *
 * The SPTPS library of crypto-sptps is linked into the core for this: the
 * exchange uses the invitation key, which only the core reads, and it is
 * not a meta connection (no node, no ACK), so it does not fit the crypto
 * plugin interface. The session runs as an input filter on the connection;
 * the connection stays in CONN_AUTH, so admission control and the
 * authentication timeout cover it like any other stranger.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admission.h"
#include "conf.h"
#include "event.h"
#include "invitation.h"
#include "invitation_names.h"
#include "keys.h"
#include "logger.h"
#include "netutl.h"
#include "node.h"
#include "protocol.h"
#include "script.h"
#include "sptps.h"
#include "xalloc.h"

#define INVITATION_LABEL "tinc invitation" /* no terminating NUL on the wire */
#define INVITATION_CHUNK 1024              /* file contents per record */

struct invitation {
	conn_t *c;
	sptps_t *sptps;
	struct sptps_key key;    /* the invitation key */
	struct sptps_key joiner; /* its throw-away key */
	char pub_b64[SPTPS_PUBKEY_B64_LEN + 1];
	uint8_t *greeting; /* ID, ACK and our KEX, sent in one write */
	size_t greeting_len;
	bool sent; /* invitation file delivered; next: the joiner's key */
	bool done;
};

static char *inv_path(const char *name, const char *suffix) {
	char *p;

	if (asprintf(&p, "%s/invitations/%s%s", confbase, name, suffix) < 0)
		xalloc_fail();
	return p;
}

static bool inv_send(void *ctx, uint8_t type, const uint8_t *wire, size_t len) {
	struct invitation *inv = ctx;

	(void)type;
	if (inv->greeting) {
		uint8_t *g = xrealloc(inv->greeting, inv->greeting_len + len);
		memcpy(g + inv->greeting_len, wire, len);
		inv->greeting = g;
		inv->greeting_len += len;
		return true;
	}
	return conn_write_wire(inv->c, wire, len) == 0;
}

static void inv_random(void *ctx, uint8_t *buf, size_t len) {
	(void)ctx;
	randombytes_buf(buf, len);
}

static void inv_log(void *ctx, enum sptps_log_level level, const char *msg) {
	struct invitation *inv = ctx;

	logger(level == SPTPS_LOG_ERROR ? PX_LOG_ERROR : PX_LOG_SCARY, LOG_DEBUG, "Invitation from %s: %s",
	       inv->c->hostname, msg);
}

static int invitation_lifetime(void) {
	int secs;

	if (conf_get_int(&server_conf, "InvitationExpire", &secs) <= 0)
		secs = INVITATION_DEFAULT_EXPIRE;
	return secs;
}

/* Read the whole (small) invitation file; its first line must be the new
 * node's Name. Returns the contents and the name, or NULL after logging. */
static char *read_invitation(const char *path, const char *id, size_t *len, char **name) {
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not open invitation %s: %s", id, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (*len + INVITATION_CHUNK + 1 > cap) {
			cap = cap ? 2 * cap : 4 * INVITATION_CHUNK;
			char *t = xrealloc(text, cap);
			text = t;
		}
		n = fread(text + *len, 1, INVITATION_CHUNK, f);
		*len += n;
		if (n < INVITATION_CHUNK)
			break;
	}
	bool err = ferror(f);
	fclose(f);
	text[*len] = 0;
	if (err) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not read invitation %s", id);
		free(text);
		return NULL;
	}

	char first[1024];
	size_t l = strcspn(text, "\n");
	if (l >= sizeof(first))
		l = sizeof(first) - 1;
	memcpy(first, text, l);
	first[l] = 0;
	char *value, *var = first + strspn(first, " \t");
	size_t vl = strcspn(var, " \t=");
	value = var + vl;
	value += strspn(value, " \t");
	if (*value == '=')
		value += 1 + strspn(value + 1, " \t");
	var[vl] = 0;
	vl = strlen(value);
	while (vl && strchr(" \t\r", value[vl - 1]))
		value[--vl] = 0;
	if (strcasecmp(var, "Name") || !check_node_name(value) || !strcmp(value, myself->name)) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "Invalid invitation file %s (first line must be Name = <new node>)", id);
		free(text);
		return NULL;
	}
	*name = xstrdup(value);
	return text;
}

/* The joiner's cookie: find, claim (rename to .used, so a second use
 * fails), check the age, send the contents and remove the file. */
static bool use_cookie(struct invitation *inv, const uint8_t *cookie, size_t len) {
	conn_t *c = inv->c;
	char id[INVITATION_B64_LEN + 1];

	if (len != INVITATION_COOKIE_LEN) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Got malformed invitation cookie from %s", c->hostname);
		return false;
	}
	invitation_file_name(cookie, inv->pub_b64, id);
	char *path = inv_path(id, ""), *used = inv_path(id, ".used");
	bool ok = false;
	char *text = NULL, *name = NULL;
	size_t tlen;
	struct stat st;

	if (rename(path, used)) {
		if (errno == ENOENT)
			logger(
			    PX_LOG_ALWAYS, LOG_ERR,
			    "Peer %s tried to use non-existing invitation %s (already used, or never issued)",
			    c->hostname, id);
		else
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not claim invitation %s: %s", id,
			       strerror(errno));
		goto out;
	}
	if (stat(used, &st)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not stat invitation %s: %s", id, strerror(errno));
		goto out;
	}
	if ((long long)st.st_mtime + invitation_lifetime() < (long long)time(NULL)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Peer %s tried to use expired invitation %s", c->hostname, id);
		unlink(used);
		goto out;
	}
	text = read_invitation(used, id, &tlen, &name);
	if (!text)
		goto out;
	for (size_t off = 0; off < tlen; off += INVITATION_CHUNK) {
		size_t n = tlen - off < INVITATION_CHUNK ? tlen - off : INVITATION_CHUNK;
		if (sptps_send_record(inv->sptps, 0, text + off, n) < 0)
			goto out;
	}
	if (sptps_send_record(inv->sptps, 1, "", 0) < 0)
		goto out;
	unlink(used);
	free(c->name);
	c->name = name;
	name = NULL;
	inv->sent = true;
	ok = true;
	logger(PX_LOG_CONNECTIONS, LOG_INFO, "Invitation %s successfully sent to %s (%s)", id, c->name,
	       c->hostname);
out:
	if (text)
		sodium_memzero(text, tlen);
	free(text);
	free(name);
	free(path);
	free(used);
	return ok;
}

/* The joiner's new Ed25519 public key: becomes hosts/<new node>. */
static bool accept_key(struct invitation *inv, const uint8_t *data, size_t len) {
	conn_t *c = inv->c;
	char b64[SPTPS_PUBKEY_B64_LEN + 1];
	struct sptps_key k;

	if (len != SPTPS_PUBKEY_B64_LEN || memchr(data, '\n', len)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Received invalid key from invited node %s (%s)", c->name,
		       c->hostname);
		return false;
	}
	memcpy(b64, data, len);
	b64[len] = 0;
	if (!sptps_key_parse_public_b64(&k, b64)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Received invalid key from invited node %s (%s)", c->name,
		       c->hostname);
		return false;
	}

	char *path;
	if (asprintf(&path, "%s/hosts/%s", confbase, c->name) < 0)
		xalloc_fail();
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			logger(PX_LOG_ALWAYS, LOG_ERR, "Host config file for %s (%s) already exists!",
			       c->name, c->hostname);
		else
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not create %s: %s", path, strerror(errno));
		free(path);
		return false;
	}
	bool ok = dprintf(fd, "Ed25519PublicKey = %s\n", b64) > 0;
	if (close(fd) || !ok) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not write %s", path);
		unlink(path);
		free(path);
		return false;
	}
	free(path);
	host_conf_forget(c->name);
	logger(PX_LOG_CONNECTIONS, LOG_INFO, "Key successfully received from %s (%s)", c->name, c->hostname);

	char host[64], port[16], *node_env, *addr_env;
	addr_format(&c->address, host, sizeof(host), port, sizeof(port));
	if (asprintf(&node_env, "NODE=%s", c->name) < 0 || asprintf(&addr_env, "REMOTEADDRESS=%s", host) < 0)
		xalloc_fail();
	char *env[] = {node_env, addr_env, NULL};
	script_run("invitation-accepted", env);
	free(node_env);
	free(addr_env);

	inv->done = true;
	return sptps_send_record(inv->sptps, 2, "", 0) == 0;
}

static bool inv_receive(void *ctx, uint8_t type, const uint8_t *data, size_t len) {
	struct invitation *inv = ctx;

	if (type == SPTPS_HANDSHAKE)
		return true;
	if (type == 0 && !inv->sent)
		return use_cookie(inv, data, len);
	if (type == 1 && inv->sent && !inv->done)
		return accept_key(inv, data, len);
	logger(PX_LOG_ALWAYS, LOG_ERR, "Unexpected record of type %u in invitation from %s", type,
	       inv->c->hostname);
	return false;
}

static int inv_filter_recv(void *ctx, conn_t *c, const uint8_t *data, size_t len) {
	struct invitation *inv = ctx;

	(void)c;
	while (len) {
		ssize_t n = sptps_receive(inv->sptps, data, len);
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Nothing but SPTPS records may be sent on this connection. */
static int inv_filter_send(void *ctx, conn_t *c, const uint8_t *data, size_t len) {
	(void)ctx;
	(void)c;
	(void)data;
	(void)len;
	return -1;
}

static void inv_free(void *ctx) {
	struct invitation *inv = ctx;

	sptps_free(inv->sptps);
	sptps_key_wipe(&inv->key);
	sodium_free(inv);
}

/* The session is owned (and freed) by the input side only. */
static const struct px_filter_ops inv_filter_in = {
    .size = sizeof(struct px_filter_ops),
    .send = inv_filter_send,
    .recv = inv_filter_recv,
    .free = inv_free,
};
static const struct px_filter_ops inv_filter_out = {
    .size = sizeof(struct px_filter_ops),
    .send = inv_filter_send,
    .recv = inv_filter_recv,
};

int invitation_start(conn_t *c, const char *key_b64) {
	if (c->is_outgoing) {
		logger(PX_LOG_ERROR, LOG_ERR, "Peer %s sent an invitation ID on an outgoing connection",
		       c->hostname);
		return -1;
	}
	/* The crypto plugins may not have initialised libsodium (crypto-sptps
	 * disabled); sodium_init() is idempotent. */
	if (sodium_init() < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Cannot serve invitation from %s: libsodium unusable",
		       c->hostname);
		return -1;
	}
	struct invitation *inv = sodium_malloc(sizeof(*inv));
	if (!inv)
		xalloc_fail();
	memset(inv, 0, sizeof(*inv));
	inv->c = c;

	char *keyfile = inv_path("ed25519_key.priv", "");
	bool have = sptps_key_load_private_file(&inv->key, keyfile, NULL);
	free(keyfile);
	if (!have) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Got invitation from %s but we don't have an invitation key",
		       c->hostname);
		goto fail;
	}
	if (!sptps_key_parse_public_b64(&inv->joiner, key_b64)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Got bad invitation from %s (invalid key)", c->hostname);
		goto fail;
	}
	/* Key agreement costs the same as a meta connection's. */
	if (!admission_handshake(c->hostname, now_ms()))
		goto fail;
	sptps_key_public_b64(&inv->key, inv->pub_b64);
	free(c->name);
	c->name = xstrdup("<invitation>");
	c->state = CONN_AUTH;

	/* tinc 1.1's joiner fails unless our KEX arrives in the same read as
	 * the ID and ACK lines, so all three leave in one write. */
	char lines[MAX_STRING_SIZE + 128];
	int n = snprintf(lines, sizeof(lines), "%d %s %d.%d\n%d %s\n", PX_REQ_ID, myself->name, PX_PROT_MAJOR,
	                 PX_PROT_MINOR_CURRENT, PX_REQ_ACK, inv->pub_b64);
	if (n < 0 || (size_t)n >= sizeof(lines))
		goto fail;
	inv->greeting = xmalloc((size_t)n);
	memcpy(inv->greeting, lines, (size_t)n);
	inv->greeting_len = (size_t)n;

	struct sptps_params p = {
	    .initiator = false,
	    .datagram = false,
	    .mykey = &inv->key,
	    .hiskey = &inv->joiner,
	    .label = INVITATION_LABEL,
	    .labellen = strlen(INVITATION_LABEL),
	    .cb =
	        {.ctx = inv, .send = inv_send, .receive = inv_receive, .random = inv_random, .log = inv_log},
	};
	if (sptps_start(&inv->sptps, &p) != SPTPS_OK) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not start invitation session with %s", c->hostname);
		goto fail;
	}
	uint8_t *greeting = inv->greeting;
	inv->greeting = NULL;
	int w = conn_write_wire(c, greeting, inv->greeting_len);
	free(greeting);
	if (w < 0) {
		sptps_free(inv->sptps);
		goto fail;
	}
	conn_set_filter(c, PX_DIR_OUT, &inv_filter_out, inv);
	conn_set_filter(c, PX_DIR_IN, &inv_filter_in, inv);
	return 0;
fail:
	free(inv->greeting);
	sptps_key_wipe(&inv->key);
	sodium_free(inv);
	return -1;
}
