/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Fuzz target for update-hosts requests (plugins/update-hosts): the real
 * plugin, initialised through its descriptor with a small fake host table,
 * receives HOSTUPDATE / CONFUPDATE lines as they come from a peer, in a
 * scratch configuration directory with an authorised updater U.
 *
 * Input: one mode byte, then request lines (newline-separated, at most 16).
 *   bit 0: the lines are CONFUPDATE (101) rather than HOSTUPDATE (100)
 *   bit 1: each line that decodes is re-signed with U's key before it is
 *          handed over, so the fuzzer reaches what happens after the
 *          signature check (host file and template validation, storing)
 * After each input the directory is put back as it was, so runs do not
 * depend on each other.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "../../plugins/update-hosts/update.h"
#include "fuzz_target.h"

extern const struct px_plugin_desc update_hosts_LTX_plexus_plugin;

struct px_plugin {
	int unused;
};
struct px_conn {
	const char *name;
};
static struct px_plugin the_plugin;
static const struct px_request_ops *req_ops[2];
static char top[] = "/tmp/px-fuzz-uh.XXXXXX";
static char confbase[256], hosts[300], host_u[4096], tinc_conf[] = "Name = R\nPort = 6655\nMode = router\n";
static EVP_PKEY *key_u;

/* Silent unless FUZZ_VERBOSE is set (to see why a seed is refused). */
static void quiet_log(px_plugin *self, int level, const char *fmt, ...) {
	(void)self, (void)level;
	if (getenv("FUZZ_VERBOSE")) {
		va_list ap;
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}
static int log_level(void) {
	return 0;
}
static const char *conf_get(const char *host, const char *var, int index) {
	(void)host, (void)var, (void)index;
	return NULL; /* defaults: signatures and permissions are checked */
}
static bool conf_bool(const char *host, const char *var, bool dflt) {
	(void)host, (void)var;
	return dflt;
}
static int conf_int(const char *host, const char *var, int dflt) {
	(void)host, (void)var;
	return dflt;
}
static const char *get_confbase(void) {
	return confbase;
}
static const char *self_name(void) {
	return "R";
}
static uint64_t now_ms(void) {
	return 1000;
}
static int timer_token;
static px_timer *timer_new(void (*cb)(void *), void *arg) {
	(void)cb, (void)arg;
	return (px_timer *)&timer_token;
}
static void timer_arm(px_timer *t, uint32_t ms) {
	(void)t, (void)ms;
}
static void timer_disarm(px_timer *t) {
	(void)t;
}
static void timer_free(px_timer *t) {
	(void)t;
}
static void random_bytes(void *buf, size_t len) {
	RAND_bytes(buf, (int)len);
}
static int register_request(px_plugin *self, const struct px_request_ops *ops) {
	(void)self;
	if (ops->id < PX_REQ_HOSTUPDATE || ops->id > PX_REQ_CONFUPDATE)
		return -1;
	req_ops[ops->id - PX_REQ_HOSTUPDATE] = ops;
	return 0;
}
static int register_events(px_plugin *self, const struct px_event_ops *ops) {
	(void)self, (void)ops;
	return 0;
}
static int conn_send(px_conn *c, const char *fmt, ...) {
	(void)c, (void)fmt;
	return 0;
}
static int broadcast(px_conn *except, const char *fmt, ...) {
	(void)except, (void)fmt;
	return 0;
}
static const char *conn_name(px_conn *c) {
	return c->name;
}
static bool conn_has_capability(px_conn *c, const char *cap) {
	(void)c;
	return !strcmp(cap, "100") || !strcmp(cap, "101");
}
static void request_reload(void) {
}

static const struct px_host host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,
    .log = quiet_log,
    .log_level = log_level,
    .conf_get = conf_get,
    .conf_bool = conf_bool,
    .conf_int = conf_int,
    .confbase = get_confbase,
    .self_name = self_name,
    .now_ms = now_ms,
    .timer_new = timer_new,
    .timer_arm = timer_arm,
    .timer_disarm = timer_disarm,
    .timer_free = timer_free,
    .random_bytes = random_bytes,
    .register_request = register_request,
    .register_events = register_events,
    .conn_send = conn_send,
    .conn_name = conn_name,
    .conn_has_capability = conn_has_capability,
    .broadcast = broadcast,
    .request_reload = request_reload,
};

/* Durability is not what is fuzzed here, and a disk flush per stored file
 * would make each run take milliseconds: for the code linked into this
 * program, fsync() returns at once. */
int fsync(int fd) {
	(void)fd;
	return 0;
}

static void write_file(const char *dir, const char *name, const char *text) {
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
}

/* Remove everything under path except the entries named in keep. */
static void prune(const char *path, const char *const *keep) {
	DIR *d = opendir(path);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		bool kept = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
		for (int i = 0; keep && keep[i] && !kept; i++)
			kept = !strcmp(e->d_name, keep[i]);
		if (kept)
			continue;
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		struct stat st;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			prune(sub, NULL);
			rmdir(sub);
		} else {
			unlink(sub);
		}
	}
	closedir(d);
}

static void restore(void) {
	static const char *const keep_top[] = {"hosts", "tinc.conf", NULL};
	static const char *const keep_hosts[] = {"U", "R", NULL};
	prune(confbase, keep_top);
	prune(hosts, keep_hosts);
	write_file(hosts, "U", host_u);
	write_file(confbase, "tinc.conf", tinc_conf);
	uh_runs_free();
}

/* The plugin may write only inside the configuration directory. */
static void check_nothing_outside(void) {
	DIR *d = opendir(top);
	struct dirent *e;
	if (!d)
		abort();
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "R")) {
			fprintf(stderr, "update-hosts wrote %s/%s, outside its configuration directory\n",
			        top, e->d_name);
			abort();
		}
	closedir(d);
}

static void cleanup(void) {
	prune(top, NULL);
	rmdir(top);
}

static void setup(void) {
	if (!mkdtemp(top))
		abort();
	atexit(cleanup);
	snprintf(confbase, sizeof(confbase), "%s/R", top);
	snprintf(hosts, sizeof(hosts), "%s/hosts", confbase);
	if (mkdir(confbase, 0700) || mkdir(hosts, 0700))
		abort();

	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	if (!kc || EVP_PKEY_keygen_init(kc) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 1024) <= 0 ||
	    EVP_PKEY_keygen(kc, &key_u) <= 0)
		abort();
	EVP_PKEY_CTX_free(kc);
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(b, key_u);
	char *pem;
	long n = BIO_get_mem_data(b, &pem);
	snprintf(host_u, sizeof(host_u),
	         "Address = 198.18.1.1\nHostsFilesMaster = yes\nConfFileMaster = yes\n%.*s", (int)n, pem);
	BIO_free(b);
	write_file(hosts, "R", "Address = 198.18.1.2\nSubnet = 198.19.0.2/32\n");
	restore();
	if (update_hosts_LTX_plexus_plugin.init(&the_plugin, &host) != 0 || !req_ops[0] || !req_ops[1])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static bool ready;
	static char line[UH_LINE_MAX + 1], signed_line[UH_LINE_MAX + 1];
	static struct uh_msg m;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1 || size > 16 * (UH_LINE_MAX + 1))
		return 0;
	int id = (data[0] & 1) ? PX_REQ_CONFUPDATE : PX_REQ_HOSTUPDATE;
	bool resign = data[0] & 2;
	const struct px_request_ops *ops = req_ops[id - PX_REQ_HOSTUPDATE];
	struct px_conn from = {"U"};
	data++;
	size--;

	for (int lines = 0; size && lines < 16; lines++) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;
		size_t take = len < UH_LINE_MAX ? len : UH_LINE_MAX;
		memcpy(line, data, take);
		line[take] = 0;
		data += len + (nl ? 1 : 0);
		size -= len + (nl ? 1 : 0);
		if (strlen(line) != take)
			continue; /* the core never hands a line with a NUL over */

		const char *why = NULL;
		const char *deliver = line;
		if (resign && uh_parse(line, id, &m, &why) == 0 && uh_sign(&m, key_u) == 0 &&
		    uh_format(&m, signed_line, sizeof(signed_line)) >= 0)
			deliver = signed_line;
		ops->handle(&the_plugin, &from, deliver);
	}
	check_nothing_outside();
	restore();
	return 0;
}
