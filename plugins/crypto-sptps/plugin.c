/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The crypto-sptps plugin: descriptor, settings, Ed25519 keys and the
 * provider table of tinc 1.1's SPTPS protocol (protocol minors 2..7).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sptps_plugin.h"

struct sptps_globals sp;

#define MAX_HOST_FILE (1 << 20)

static bool sptps_usable(px_plugin *self, px_node *peer);
static int sptps_generate_keys(px_plugin *self, const char *confbase, const char *name, int bits);

static struct px_crypto_ops sptps_ops = {
    .size = sizeof(struct px_crypto_ops),
    .name = "sptps",
    .minor_min = PX_PROT_MINOR_SPTPS,
    .minor_max = 6, /* 7 in init() if the core takes binary SPTPS_PACKET (ABI 1.2) */
    .headroom = SPTPS_DATAGRAM_HEADER + 1,
    .overhead = SPTPS_DATAGRAM_OVERHEAD,
#ifdef PX_CRYPTO_END_TO_END
    .flags = PX_CRYPTO_END_TO_END | PX_CRYPTO_COMPRESS_FLAG,
#endif
    .usable = sptps_usable,
    .meta_start = sptps_meta_start,
    .meta_request = sptps_meta_request,
    .meta_free = sptps_meta_free,
    .key_request = sptps_key_request,
    .key_on_req = sptps_key_on_req,
    .key_on_ans = sptps_key_on_ans,
    .key_valid = sptps_key_valid,
    .node_up = sptps_node_up,
    .node_down = sptps_node_down,
    .seal = sptps_seal,
    .open = sptps_open,
    .identify = sptps_identify,
    .generate_keys = sptps_generate_keys,
    .describe = sptps_describe,
};

void sptps_glue_log(void *ctx, enum sptps_log_level level, const char *msg) {
	const char *who = ctx;
	/* Datagram drops happen per packet: keep them at traffic level. */
	int lvl = level == SPTPS_LOG_DEBUG ? PX_LOG_TRAFFIC : PX_LOG_ERROR;

	if (sp.host->log_level() >= lvl) {
		LOG(lvl, "SPTPS with %s: %s", who ? who : "?", msg);
	}
}

void sptps_glue_random(void *ctx, uint8_t *buf, size_t len) {
	(void)ctx;
	sp.host->random_bytes(buf, len);
}

/* Read a whole small file into a NUL-terminated buffer. */
static char *read_text(const char *path, size_t *len) {
	FILE *f = fopen(path, "r");

	if (!f) {
		return NULL;
	}

	char *text = malloc(MAX_HOST_FILE + 1);
	size_t n = text ? fread(text, 1, MAX_HOST_FILE, f) : 0;
	fclose(f);

	if (text) {
		text[n] = 0;
		*len = n;
	}

	return text;
}

/* The peer's Ed25519 public key: Ed25519PublicKey in hosts/<name>, else a
 * PEM block in that file, else the file named by Ed25519PublicKeyFile. */
bool sptps_peer_key(const char *name, struct sptps_key *out) {
	const char *b64 = sp.host->conf_get(name, "Ed25519PublicKey", 0);
	char path[PATH_MAX];
	size_t len;
	char *text;

	if (b64) {
		if (sptps_key_parse_public_b64(out, b64)) {
			return true;
		}

		LOG(PX_LOG_ERROR, "Invalid Ed25519PublicKey for %s", name);
		return false;
	}

	const char *file = sp.host->conf_get(name, "Ed25519PublicKeyFile", 0);

	if (file) {
		snprintf(path, sizeof(path), "%s", file);
	} else {
		snprintf(path, sizeof(path), "%s/hosts/%s", sp.host->confbase(), name);
	}

	text = read_text(path, &len);
	bool ok = text && sptps_key_parse_public_pem(out, text, len);
	free(text);
	return ok;
}

static bool sptps_usable(px_plugin *self, px_node *peer) {
	struct sptps_key k;

	(void)self;

	if (!sp.mykey.has_private || !peer) {
		return false;
	}

	return sptps_peer_key(sp.host->node_name(peer), &k);
}

static void load_private_key(void) {
	char path[PATH_MAX];
	const char *file = sp.host->conf_get(NULL, "Ed25519PrivateKeyFile", 0);
	bool loose = false;

	if (file) {
		snprintf(path, sizeof(path), "%s", file);
	} else {
		snprintf(path, sizeof(path), "%s/ed25519_key.priv", sp.host->confbase());
	}

	if (!sptps_key_load_private_file(&sp.mykey, path, &loose)) {
		LOG(PX_LOG_CONNECTIONS, "No usable Ed25519 private key in %s (%s): SPTPS disabled", path,
		    strerror(errno));
		memset(&sp.mykey, 0, sizeof(sp.mykey));
		return;
	}

	if (loose) {
		LOG(PX_LOG_ALWAYS, "Warning: Ed25519 private key file %s is accessible by others", path);
	}
}

/* Write ed25519_key.priv (mode 0600) and append Ed25519PublicKey to
 * hosts/<name>, like `tinc generate-ed25519-keys`. */
static int sptps_generate_keys(px_plugin *self, const char *confbase, const char *name, int bits) {
	struct sptps_key k;
	char path[PATH_MAX];
	int ret = -1;

	(void)self;
	(void)bits;

	if (!sptps_crypto_init() || !sptps_key_generate(&k, sptps_glue_random, NULL)) {
		return -1;
	}

	char *priv = sptps_key_format_private(&k);
	char *line = sptps_key_format_host_line(&k);
	snprintf(path, sizeof(path), "%s/ed25519_key.priv", confbase);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || !priv || !line || write(fd, priv, strlen(priv)) != (ssize_t)strlen(priv)) {
		LOG(PX_LOG_ALWAYS, "Could not write %s: %s", path, strerror(errno));
		goto out;
	}

	fchmod(fd, 0600);
	snprintf(path, sizeof(path), "%s/hosts/%s", confbase, name);
	FILE *f = fopen(path, "a");

	if (!f || fputs(line, f) < 0) {
		LOG(PX_LOG_ALWAYS, "Could not append the Ed25519 public key to %s", path);

		if (f) {
			fclose(f);
		}

		goto out;
	}

	ret = fclose(f) ? -1 : 0;
out:

	if (fd >= 0) {
		close(fd);
	}

	if (priv) {
		sptps_wipe(priv, strlen(priv));
	}

	free(priv);
	free(line);
	sptps_key_wipe(&k);
	return ret;
}

static int sptps_init(px_plugin *self, const struct px_host *host) {
	if (!host || host->abi_major != PX_ABI_MAJOR || host->size < sizeof(struct px_host)) {
		return -1;
	}

	memset(&sp, 0, sizeof(sp));
	sp.host = host;
	sp.self = self;

	if (!sptps_crypto_init()) {
		LOG(PX_LOG_ALWAYS, "libsodium cannot be initialised");
		return -1;
	}

	int win = host->conf_int(NULL, "ReplayWindow", SPTPS_DEFAULT_REPLAY_WINDOW);

	if (win < 0 || win > 1 << 20) {
		LOG(PX_LOG_ALWAYS, "ReplayWindow %d is out of range", win);
		return -1;
	}

	sp.replaywin = (unsigned)win;
	sp.keyexpire_s = host->conf_int(NULL, "KeyExpire", 3600);

	if (sp.keyexpire_s <= 0 || sp.keyexpire_s > 2000000) {
		LOG(PX_LOG_ALWAYS, "KeyExpire %d is out of range", sp.keyexpire_s);
		return -1;
	}

	const char *mode = host->conf_get(NULL, "Mode", 0);
	sp.router_mode = !mode || !strcasecmp(mode, "router");
	load_private_key();
	/* Minor 7 means we take binary SPTPS_PACKET on meta connections: our
	 * meta filter hands those raw bytes to the core (conn_raw_input). */
	sptps_ops.minor_max = sptps_host_takes_raw() ? PX_PROT_MINOR_CURRENT : 6;
	return host->register_crypto(self, &sptps_ops);
}

static int sptps_start_plugin(px_plugin *self) {
	(void)self;
	sp.expire_timer = sp.host->timer_new(sptps_expire_keys, NULL);

	if (!sp.expire_timer) {
		return -1;
	}

	sp.host->timer_arm(sp.expire_timer, (uint32_t)sp.keyexpire_s * 1000u);
	return 0;
}

static void sptps_stop_plugin(px_plugin *self) {
	(void)self;

	if (sp.expire_timer) {
		sp.host->timer_free(sp.expire_timer);
	}

	sp.expire_timer = NULL;
}

static void sptps_fini(px_plugin *self) {
	sptps_stop_plugin(self);
	sptps_nodes_free_all();
	sptps_key_wipe(&sp.mykey);
}

PX_PLUGIN_DEFINE(crypto_sptps, .name = "crypto-sptps", .version = "0.1.0",
                 .description = "tinc 1.1 SPTPS: Ed25519 meta authentication, ChaCha20-Poly1305 records",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = sptps_init,
                 .start = sptps_start_plugin, .stop = sptps_stop_plugin, .fini = sptps_fini);
