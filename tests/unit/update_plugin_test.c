/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * update-hosts end to end through a fake host table: an updater U builds a
 * run in its own directory, a receiver R applies it in another. Then every
 * way to attack R is tried (tampered fields, wrong key, unauthorised and
 * self-proclaimed updaters, replays, old serials, path traversal, oversized
 * data, bad base64) and R's hosts directory must not change. Also: the
 * forwarding and ignoring options, DEAD, NeedsNetUpdates, CONFUPDATE with its
 * preserved variables and scripts, and the atomic writer under kill -9.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "check.h"
#include "../../plugins/update-hosts/update.h"

extern const struct px_plugin_desc update_hosts_LTX_plexus_plugin;

struct px_plugin {
	int dummy;
};
struct px_conn {
	const char *name;
};
static struct px_plugin the_plugin;

/* ---- the fake core -------------------------------------------------- */

static char cur_confbase[512];
static const char *cur_name;
#define MAX_OPTS 16
static const char *opt_var[MAX_OPTS], *opt_val[MAX_OPTS];
static int nopts;

#define MAX_LINES 64
static char *sent[MAX_LINES]; /* broadcast or conn_send */
static px_conn *sent_to[MAX_LINES];
static bool sent_direct[MAX_LINES];
static int nsent;
static int reloads;
static char logbuf[1 << 16];
static size_t loglen;

static const struct px_request_ops *req_ops[2];
static const struct px_event_ops *ev_ops;

static int level0_lines; /* lines logged at level 0 since log_reset() */

static void fake_log(px_plugin *self, int level, const char *fmt, ...) {
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "  [%s log %d] %s\n", cur_name, level, line);
	if (level == PX_LOG_ALWAYS)
		level0_lines++;
	size_t n = strlen(line);
	if (loglen + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + loglen, line, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = 0;
	}
}

static void log_reset(void) {
	level0_lines = 0;
	loglen = 0;
	logbuf[0] = 0;
}

static bool logged(const char *s) {
	return strstr(logbuf, s) != NULL;
}

static int fake_log_level(void) {
	return 5;
}

static void set_opt(const char *var, const char *val) {
	for (int i = 0; i < nopts; i++)
		if (!strcasecmp(opt_var[i], var)) {
			opt_val[i] = val;
			return;
		}
	opt_var[nopts] = var;
	opt_val[nopts++] = val;
}

static void clear_opts(void) {
	nopts = 0;
}

static const char *fake_conf_get(const char *host, const char *var, int index) {
	if (host || index)
		return NULL;
	for (int i = 0; i < nopts; i++)
		if (!strcasecmp(opt_var[i], var))
			return opt_val[i];
	return NULL;
}

static bool fake_conf_bool(const char *host, const char *var, bool dflt) {
	const char *v = fake_conf_get(host, var, 0);
	return v ? !strcasecmp(v, "yes") : dflt;
}

static int fake_conf_int(const char *host, const char *var, int dflt) {
	const char *v = fake_conf_get(host, var, 0);
	return v ? atoi(v) : dflt;
}

static const char *fake_confbase(void) {
	return cur_confbase;
}

static const char *fake_self_name(void) {
	return cur_name;
}

static uint64_t fake_now_ms(void) {
	return 1000;
}

static int timer_token;
static px_timer *fake_timer_new(void (*cb)(void *), void *arg) {
	(void)cb, (void)arg;
	return (px_timer *)&timer_token;
}

static void fake_timer_arm(px_timer *t, uint32_t ms) {
	(void)t, (void)ms;
}

static void fake_timer_disarm(px_timer *t) {
	(void)t;
}

static void fake_timer_free(px_timer *t) {
	(void)t;
}

static void fake_random(void *buf, size_t len) {
	RAND_bytes(buf, (int)len);
}

static int fake_register_request(px_plugin *self, const struct px_request_ops *ops) {
	if (self != &the_plugin || ops->id < PX_REQ_HOSTUPDATE || ops->id > PX_REQ_CONFUPDATE)
		return -1;
	req_ops[ops->id - PX_REQ_HOSTUPDATE] = ops;
	return 0;
}

static int fake_register_events(px_plugin *self, const struct px_event_ops *ops) {
	(void)self;
	ev_ops = ops;
	return 0;
}

static void record(px_conn *to, bool direct, const char *fmt, va_list ap) {
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0 || nsent == MAX_LINES) {
		free(s);
		return;
	}
	sent_to[nsent] = to;
	sent_direct[nsent] = direct;
	sent[nsent++] = s;
}

static int fake_conn_send(px_conn *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	record(c, true, fmt, ap);
	va_end(ap);
	return 0;
}

static int fake_broadcast(px_conn *except, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	record(except, false, fmt, ap);
	va_end(ap);
	return 0;
}

static const char *fake_conn_name(px_conn *c) {
	return c->name;
}

static bool fake_conn_has_capability(px_conn *c, const char *cap) {
	(void)c;
	return !strcmp(cap, "100") || !strcmp(cap, "101");
}

static void fake_request_reload(void) {
	reloads++;
}

static const struct px_host fake_host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,
    .log = fake_log,
    .log_level = fake_log_level,
    .conf_get = fake_conf_get,
    .conf_bool = fake_conf_bool,
    .conf_int = fake_conf_int,
    .confbase = fake_confbase,
    .self_name = fake_self_name,
    .now_ms = fake_now_ms,
    .timer_new = fake_timer_new,
    .timer_arm = fake_timer_arm,
    .timer_disarm = fake_timer_disarm,
    .timer_free = fake_timer_free,
    .random_bytes = fake_random,
    .register_request = fake_register_request,
    .register_events = fake_register_events,
    .conn_send = fake_conn_send,
    .conn_name = fake_conn_name,
    .conn_has_capability = fake_conn_has_capability,
    .broadcast = fake_broadcast,
    .request_reload = fake_request_reload,
};

static void sent_clear(void) {
	for (int i = 0; i < nsent; i++)
		free(sent[i]);
	nsent = 0;
}

/* ---- files and keys ------------------------------------------------- */

static char top[256];

static void write_file(const char *dir, const char *name, const char *text) {
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path) {
	return uh_read_file(path, 1 << 20, NULL);
}

static char *pubkey_pem(EVP_PKEY *k) {
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(b, k);
	char *p;
	long n = BIO_get_mem_data(b, &p);
	char *s = strndup(p, (size_t)n);
	BIO_free(b);
	return s;
}

static void write_host(const char *dir, const char *name, const char *vars, EVP_PKEY *k) {
	char *pem = pubkey_pem(k);
	char *text;
	if (asprintf(&text, "%s%s", vars, pem) < 0)
		exit(2);
	char hosts[600];
	snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
	write_file(hosts, name, text);
	free(text);
	free(pem);
}

/* Names and contents of every file in dir, for "nothing was touched". */
static char *snapshot(const char *dir) {
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	size_t len = 0;
	char *out = calloc(1, 1);
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
			char *c = slurp(path);
			size_t add = strlen(list[i]->d_name) + (c ? strlen(c) : 0) + 3;
			out = realloc(out, len + add + 1);
			len += (size_t)snprintf(out + len, add + 1, "%s:%s;\n", list[i]->d_name, c ? c : "");
			free(c);
		}
		free(list[i]);
	}
	free(list);
	return out;
}

static void be(const char *node) {
	snprintf(cur_confbase, sizeof(cur_confbase), "%s/%s", top, node);
	cur_name = node;
}

static char dir_u[300], dir_r[300], hosts_u[400], hosts_r[400];

/* Build and sign one HOSTUPDATE line by hand. */
static const char *make_line(EVP_PKEY *key, int id, const char *updater, uint64_t serial, enum uh_op op,
                             const char *hostname, const char *data) {
	static struct uh_msg m;
	static char line[UH_LINE_MAX + 1];
	memset(&m, 0, sizeof(m));
	m.id = id;
	strcpy(m.nonce, "0123456789abcdef");
	snprintf(m.updater, sizeof(m.updater), "%s", updater);
	m.serial = serial;
	m.op = op;
	snprintf(m.host, sizeof(m.host), "%s", hostname);
	m.len = data ? strlen(data) : 0;
	if (m.len)
		memcpy(m.data, data, m.len);
	if (uh_sign(&m, key) < 0 || uh_format(&m, line, sizeof(line)) < 0)
		return "";
	return line;
}

static int hostupdate(const char *from, const char *line) {
	struct px_conn c = {from};
	return req_ops[0]->handle(&the_plugin, &c, line);
}

static int confupdate(const char *from, const char *line) {
	struct px_conn c = {from};
	return req_ops[1]->handle(&the_plugin, &c, line);
}

/* Feed `line` to R and check it is refused with `why` and changes nothing. */
static void expect_refused(const char *what, const char *line, const char *why) {
	char *before = snapshot(hosts_r);
	log_reset();
	sent_clear();
	int before_reloads = reloads;
	CHECK(hostupdate("X", line) == 0);
	char *after = snapshot(hosts_r);
	if (!logged(why))
		fprintf(stderr, "%s: expected a log line with \"%s\"\n", what, why);
	CHECK(logged(why));
	CHECK(nsent == 0); /* not forwarded either */
	CHECK(reloads == before_reloads);
	CHECK_STR(after, before);
	free(before);
	free(after);
}

static uint64_t serial_now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the tests ------------------------------------------------------ */

static EVP_PKEY *key_u, *key_x, *key_w;

static void test_full_run(void) {
	/* U's view: its own host file says it is the master. */
	be("U");
	clear_opts();
	set_opt("ConfFileTemplate", "template.conf");
	CHECK(ev_ops && ev_ops->reload);
	ev_ops->reload(&the_plugin);
	sent_clear();
	CHECK(uh_send_run(NULL, true) == 1);
	/* START, A, D (DEAD), R, U, END, CONFUPDATE */
	CHECK(nsent == 7);
	CHECK(nsent > 6 && strstr(sent[0], " START - - 0 ") != NULL);
	CHECK(nsent > 6 && strstr(sent[2], " DEAD D - 0 ") != NULL);
	CHECK(nsent > 6 && strstr(sent[5], " END - - 0 ") != NULL);
	CHECK(nsent > 6 && !strncmp(sent[6], "101 ", 4));
	/* unchanged: a periodic run is skipped unless forced */
	char *run[16];
	int nrun = nsent;
	for (int i = 0; i < nsent; i++)
		run[i] = strdup(sent[i]);
	sent_clear();
	CHECK(uh_send_run(NULL, false) == 0);
	CHECK(nsent == 0);

	/* R applies it. */
	be("R");
	clear_opts();
	set_opt("Interface", "pxt0");
	ev_ops->reload(&the_plugin);
	sent_clear();
	log_reset();
	int r0 = reloads;
	for (int i = 0; i < nrun; i++) {
		if (!strncmp(run[i], "100 ", 4))
			CHECK(hostupdate("U", run[i]) == 0);
		else
			CHECK(confupdate("U", run[i]) == 0);
	}
	CHECK(nsent == nrun);     /* everything forwarded */
	CHECK(reloads == r0 + 2); /* hosts and configuration */
	char pa[700], pu[700];
	snprintf(pa, sizeof(pa), "%s/A", hosts_r);
	snprintf(pu, sizeof(pu), "%s/A", hosts_u);
	char *a = slurp(pa), *b = slurp(pu);
	CHECK(a && b && !strcmp(a, b));
	free(a);
	free(b);
	snprintf(pa, sizeof(pa), "%s/D", hosts_r);
	CHECK(access(pa, F_OK) != 0); /* DEAD removed it */
	/* hostsupdate-before/-after ran with the documented environment */
	snprintf(pa, sizeof(pa), "%s/scripts.log", dir_r);
	char *slog = slurp(pa);
	CHECK(slog && strstr(slog, "hostsupdate-before NAME=R UPDATER=U DEVICE=/dev/net/tun INTERFACE=pxt0"));
	CHECK(slog && strstr(slog, "hostsupdate-after NAME=R"));
	CHECK(slog && strstr(slog, "confupdate-before NAME=R"));
	CHECK(slog && strstr(slog, "confupdate-after NAME=R"));
	free(slog);
	/* CONFUPDATE kept the identity, took the tunable, dropped Name = EVIL */
	snprintf(pa, sizeof(pa), "%s/tinc.conf", dir_r);
	char *conf = slurp(pa);
	CHECK(conf && strstr(conf, "Name = R\n") && strstr(conf, "Port = 6655\n") &&
	      strstr(conf, "PingInterval = 17\n") && !strstr(conf, "EVIL") &&
	      !strstr(conf, "PingInterval = 60"));
	CHECK(conf && strstr(conf, "Interface = pxt0\n") && strstr(conf, "ConnectTo = U\n"));
	free(conf);

	/* The same lines again: replays, refused, nothing forwarded. */
	for (int i = 0; i < nrun; i++) {
		if (!strncmp(run[i], "100 ", 4))
			expect_refused("replay", run[i], "replayed or old serial");
		else {
			log_reset();
			sent_clear();
			CHECK(confupdate("U", run[i]) == 0);
			CHECK(logged("replayed or old serial"));
			CHECK(nsent == 0);
		}
	}
	for (int i = 0; i < nrun; i++)
		free(run[i]);
	sent_clear();
}

static void test_attacks(void) {
	be("R");
	clear_opts();
	ev_ops->reload(&the_plugin);
	uint64_t s = serial_now() + 100000;
	const char *evil = "Subnet = 0.0.0.0/0\n";

	/* a good line to tamper with */
	char good[UH_LINE_MAX + 1];
	snprintf(good, sizeof(good), "%s",
	         make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "A", evil));
	struct uh_msg m;
	const char *why;
	CHECK(uh_parse(good, PX_REQ_HOSTUPDATE, &m, &why) == 0);
	CHECK(m.len == strlen(evil) && !memcmp(m.data, evil, m.len));

	char line[UH_LINE_MAX + 1];
	/* tampered data (same length), host, serial, op, updater */
	char data64[64];
	uh_b64_encode((const uint8_t *)"Subnet = 0.0.0.0/1\n", strlen(evil), data64, sizeof(data64));
	char orig64[64];
	uh_b64_encode((const uint8_t *)evil, strlen(evil), orig64, sizeof(orig64));
	snprintf(line, sizeof(line), "%s", good);
	char *p = strstr(line, orig64);
	CHECK(p != NULL);
	if (p)
		memcpy(p, data64, strlen(data64));
	expect_refused("tampered data", line, "bad signature");

	snprintf(line, sizeof(line), "%s", good);
	p = strstr(line, " FILE A ");
	if (p)
		p[6] = 'B';
	expect_refused("tampered host", line, "bad signature");

	snprintf(line, sizeof(line), "%s", good);
	p = strstr(line, " FILE ");
	if (p)
		p[-1] = p[-1] == '9' ? '8' : p[-1] + 1;
	expect_refused("tampered serial", line, "bad signature");

	snprintf(line, sizeof(line), "%s", good);
	p = strstr(line, " FILE ");
	if (p)
		memcpy(p, " DEAD ", 6);
	expect_refused("tampered op", line, "START/END/DEAD carry no data");

	snprintf(line, sizeof(line), "%s",
	         make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_DEAD, "A", NULL));
	p = strstr(line, " DEAD A ");
	if (p)
		p[6] = 'R';
	expect_refused("tampered DEAD target", line, "bad signature");

	/* length fields that do not match */
	snprintf(line, sizeof(line), "%s", good);
	char lenfield[32];
	snprintf(lenfield, sizeof(lenfield), " %zu 256 ", strlen(evil));
	p = strstr(line, lenfield);
	CHECK(p != NULL);
	if (p)
		p[1]++;
	expect_refused("len mismatch", line, "length field does not match");
	snprintf(line, sizeof(line), "%s", good);
	p = strstr(line, " 256 ");
	if (p)
		p[3] = '5';
	expect_refused("siglen mismatch", line, "signature length field does not match");

	/* wrong key: signed by W but claims to come from U */
	expect_refused("wrong key", make_line(key_w, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "A", evil),
	               "bad signature");
	/* unauthorised: X signs as itself; R's hosts/X has no HostsFilesMaster
	 * (X's own copy says yes, which R never reads) */
	expect_refused("unauthorised", make_line(key_x, PX_REQ_HOSTUPDATE, "X", s, UH_OP_FILE, "A", evil),
	               "unauthorised updater");
	/* an updater R has no host file for */
	expect_refused("unknown updater", make_line(key_x, PX_REQ_HOSTUPDATE, "Q", s, UH_OP_FILE, "A", evil),
	               "no host file");
	/* self-proclaimed: a request naming the receiver itself as updater */
	expect_refused("self-named", make_line(key_x, PX_REQ_HOSTUPDATE, "R", s, UH_OP_FILE, "A", evil),
	               "names us as its updater");
	/* old serial (properly signed by U) */
	expect_refused("old serial", make_line(key_u, PX_REQ_HOSTUPDATE, "U", 5, UH_OP_FILE, "A", evil),
	               "replayed or old serial");
	/* path traversal, properly signed */
	expect_refused("dotdot",
	               make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "../tinc.conf", evil),
	               "invalid host name");
	expect_refused("slash", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "a/b", evil),
	               "invalid host name");
	expect_refused("dead dotdot", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_DEAD, "..", NULL),
	               "invalid host name");
	expect_refused("updater slash", make_line(key_u, PX_REQ_HOSTUPDATE, "../U", s, UH_OP_FILE, "A", evil),
	               "invalid updater name");
	/* oversized data: 3000 bytes */
	{
		static uint8_t big[3000];
		static char big64[4100];
		memset(big, 'a', sizeof(big));
		uh_b64_encode(big, sizeof(big), big64, sizeof(big64));
		snprintf(line, sizeof(line),
		         "100 0123456789abcdef U %" PRIu64 " FILE A %s 3000 4 AAAAAA==", s, big64);
		expect_refused("oversized", line, "data too large");
	}
	/* invalid base64 in data and signature */
	snprintf(line, sizeof(line), "100 0123456789abcdef U %" PRIu64 " FILE A QUJD$A== 4 4 AAAAAA==", s);
	expect_refused("bad b64", line, "invalid base64 data");
	snprintf(line, sizeof(line), "100 0123456789abcdef U %" PRIu64 " FILE A QUJD 3 4 AAAA=AA=", s);
	expect_refused("bad b64 sig", line, "invalid base64 signature");
	/* binary content */
	expect_refused("binary", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "A", "a\001b"),
	               "not plain text");
	/* garbage */
	expect_refused("garbage", "100 hello", "wrong number of fields");
	/* DEAD of our own host file or the updater's */
	log_reset();
	CHECK(hostupdate("U", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_DEAD, "R", NULL)) == 0);
	CHECK(logged("never removing our own host file"));
	char pr[700];
	snprintf(pr, sizeof(pr), "%s/R", hosts_r);
	CHECK(access(pr, F_OK) == 0);
	sent_clear();
}

/* A refused run logs one line at level 0; a different refusal of the same
 * serial (a forgery slipped into a replayed run) gets its own. */
static void test_refusal_log_limit(void) {
	be("R");
	clear_opts();
	ev_ops->reload(&the_plugin);
	const char *data = "Subnet = 10.9.8.0/24\n";
	char line[UH_LINE_MAX + 1];
	log_reset();
	for (int i = 0; i < 3; i++)
		CHECK(hostupdate("X", make_line(key_u, PX_REQ_HOSTUPDATE, "U", 7, UH_OP_FILE, "A", data)) ==
		      0);
	CHECK(logged("replayed or old serial 7"));
	CHECK(level0_lines == 1);
	snprintf(line, sizeof(line), "%s",
	         make_line(key_w, PX_REQ_HOSTUPDATE, "U", 7, UH_OP_FILE, "A", data));
	log_reset();
	CHECK(hostupdate("X", line) == 0);
	CHECK(hostupdate("X", line) == 0);
	CHECK(logged("bad signature"));
	CHECK(level0_lines == 1);
	log_reset();
	CHECK(hostupdate("X", make_line(key_u, PX_REQ_HOSTUPDATE, "U", 7, UH_OP_END, "-", NULL)) == 0);
	CHECK(logged("replayed or old serial 7"));
	CHECK(level0_lines == 1);
	sent_clear();
}

static void test_policies(void) {
	be("R");
	char pa[700];
	snprintf(pa, sizeof(pa), "%s/A", hosts_r);

	/* IgnoreHostsUpdates: forwarded, not applied */
	clear_opts();
	set_opt("IgnoreHostsUpdates", "yes");
	ev_ops->reload(&the_plugin);
	uint64_t s = serial_now() + 200000;
	char *before = snapshot(hosts_r);
	sent_clear();
	CHECK(hostupdate("U", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_START, "-", NULL)) == 0);
	CHECK(hostupdate("U", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "A",
	                                "Subnet = 1.2.3.4\n")) == 0);
	CHECK(hostupdate("U", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_END, "-", NULL)) == 0);
	char *after = snapshot(hosts_r);
	CHECK_STR(after, before);
	CHECK(nsent == 3);
	free(before);
	free(after);

	/* DontForwardHostsUpdates: applied, not forwarded */
	clear_opts();
	set_opt("DontForwardHostsUpdates", "yes");
	ev_ops->reload(&the_plugin);
	s += 10;
	sent_clear();
	CHECK(hostupdate("U", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_START, "-", NULL)) == 0);
	CHECK(hostupdate("U", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "A",
	                                "Subnet = 1.2.3.5\n")) == 0);
	CHECK(hostupdate("U", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_END, "-", NULL)) == 0);
	char *a = slurp(pa);
	CHECK_STR(a, "Subnet = 1.2.3.5\n");
	free(a);
	CHECK(nsent == 0);

	/* a FILE of a newer run without its START (overtaken) opens the run */
	clear_opts();
	ev_ops->reload(&the_plugin);
	s += 10;
	CHECK(hostupdate("U", make_line(key_u, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "A",
	                                "Subnet = 1.2.3.6\n")) == 0);
	a = slurp(pa);
	CHECK_STR(a, "Subnet = 1.2.3.6\n");
	free(a);

	/* DontVerifyUpdateSignature: a wrong key is accepted, loudly */
	set_opt("DontVerifyUpdateSignature", "yes");
	log_reset();
	ev_ops->reload(&the_plugin);
	CHECK(logged("WARNING: DontVerifyUpdateSignature"));
	s += 10;
	log_reset();
	CHECK(hostupdate("U", make_line(key_w, PX_REQ_HOSTUPDATE, "U", s, UH_OP_FILE, "A",
	                                "Subnet = 1.2.3.7\n")) == 0);
	CHECK(logged("without checking its signature"));
	a = slurp(pa);
	CHECK_STR(a, "Subnet = 1.2.3.7\n");
	free(a);

	/* DontVerifyUpdatePermission: X (no HostsFilesMaster) is accepted, loudly */
	clear_opts();
	set_opt("DontVerifyUpdatePermission", "yes");
	ev_ops->reload(&the_plugin);
	log_reset();
	CHECK(hostupdate("X", make_line(key_x, PX_REQ_HOSTUPDATE, "X", s, UH_OP_FILE, "A",
	                                "Subnet = 1.2.3.8\n")) == 0);
	CHECK(logged("DontVerifyUpdatePermission"));
	a = slurp(pa);
	CHECK_STR(a, "Subnet = 1.2.3.8\n");
	free(a);

	/* IgnoreConfUpdates: forwarded, not applied */
	clear_opts();
	set_opt("IgnoreConfUpdates", "yes");
	ev_ops->reload(&the_plugin);
	char pc[700];
	snprintf(pc, sizeof(pc), "%s/tinc.conf", dir_r);
	char *c0 = slurp(pc);
	sent_clear();
	CHECK(confupdate("U", make_line(key_u, PX_REQ_CONFUPDATE, "U", s, UH_OP_CONF, "-",
	                                "PingInterval = 5\n")) == 0);
	char *c1 = slurp(pc);
	CHECK_STR(c1, c0);
	CHECK(nsent == 1);
	free(c0);
	free(c1);
	/* an unauthorised CONFUPDATE (U lacks ConfFileMaster in R's copy? no:
	 * X never has it) */
	clear_opts();
	ev_ops->reload(&the_plugin);
	log_reset();
	CHECK(confupdate(
	          "X", make_line(key_x, PX_REQ_CONFUPDATE, "X", s + 5, UH_OP_CONF, "-", "Port = 1\n")) == 0);
	CHECK(logged("unauthorised updater (no ConfFileMaster"));
	log_reset();
	CHECK(confupdate(
	          "U", make_line(key_u, PX_REQ_CONFUPDATE, "U", s + 6, UH_OP_CONF, "-", "not-a-var\n")) == 0);
	CHECK(logged("not \"Variable = value\""));
	sent_clear();
}

static void test_needs_net_updates(void) {
	be("U");
	clear_opts();
	ev_ops->reload(&the_plugin);
	sent_clear();
	struct px_conn newcomer = {"N"};
	ev_ops->conn_active(&the_plugin, &newcomer);
	CHECK(nsent >= 3);
	for (int i = 0; i < nsent; i++)
		CHECK(sent_direct[i] && sent_to[i] == &newcomer);
	CHECK(nsent > 0 && strstr(sent[0], " START ") != NULL);
	sent_clear();
	struct px_conn other = {"R"};
	ev_ops->conn_active(&the_plugin, &other);
	CHECK(nsent == 0);
}

/* kill -9 a writer at random moments: the name always holds a whole file. */
static void test_atomic_write(void) {
	be("R");
	static char big_a[200000], big_b[200000];
	memset(big_a, 'a', sizeof(big_a) - 1);
	memset(big_b, 'b', sizeof(big_b) - 1);
	char dir[700];
	snprintf(dir, sizeof(dir), "%s/atomic", top);
	mkdir(dir, 0755);
	CHECK(uh_write_atomic(dir, "F", "old\n", 4) == 0);
	char path[800];
	snprintf(path, sizeof(path), "%s/F", dir);
	for (int round = 0; round < 20; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (int i = 0;; i++)
				uh_write_atomic(dir, "F", i % 2 ? big_a : big_b, sizeof(big_a) - 1);
		}
		struct timespec ts = {0, 1000000 + (long)(rand() % 5000000)};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		char *c = slurp(path);
		bool whole = c && (!strcmp(c, "old\n") || !strcmp(c, big_a) || !strcmp(c, big_b));
		CHECK(whole);
		free(c);
	}
	uh_clean_temp_files(dir);
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' || strstr(e->d_name, ".uhtmp."))
			n++;
	if (d)
		closedir(d);
	CHECK(n == 1); /* only F, no temporary left */
}

/* How many entries of `dir` are temporaries of uh_write_atomic(). */
static int temp_files_in(const char *dir) {
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] == '.' && strstr(e->d_name, ".uhtmp."))
			n++;
	if (d)
		closedir(d);
	return n;
}

/* Someone who can write to the hosts directory plants a symbolic link and a
 * hard link at the temporary names an older version used (".NAME.uhtmp.PID",
 * predictable). The writer must not follow or write through them: its
 * temporary gets a fresh random name (O_EXCL), the write succeeds and the
 * link targets are untouched. */
static void test_temp_file_links(void) {
	char dir[700], victim[800], planted[800], other[800], target[800];
	snprintf(dir, sizeof(dir), "%s/tempname", top);
	mkdir(dir, 0755);
	write_file(top, "victim", "precious\n");
	write_file(top, "other", "also precious\n");
	snprintf(victim, sizeof(victim), "%s/victim", top);
	snprintf(other, sizeof(other), "%s/other", top);

	snprintf(planted, sizeof(planted), "%s/.G.uhtmp.%ld", dir, (long)getpid());
	CHECK(symlink(victim, planted) == 0);
	CHECK(uh_write_atomic(dir, "G", "new G\n", 6) == 0);
	snprintf(target, sizeof(target), "%s/G", dir);
	char *c = slurp(target);
	CHECK(c && !strcmp(c, "new G\n"));
	free(c);
	c = slurp(victim);
	CHECK(c && !strcmp(c, "precious\n"));
	free(c);
	struct stat st;
	CHECK(lstat(planted, &st) == 0 && S_ISLNK(st.st_mode));

	snprintf(planted, sizeof(planted), "%s/.H.uhtmp.%ld", dir, (long)getpid());
	CHECK(link(other, planted) == 0);
	CHECK(uh_write_atomic(dir, "H", "new H\n", 6) == 0);
	snprintf(target, sizeof(target), "%s/H", dir);
	c = slurp(target);
	CHECK(c && !strcmp(c, "new H\n"));
	free(c);
	c = slurp(other);
	CHECK(c && !strcmp(c, "also precious\n"));
	free(c);
	CHECK(temp_files_in(dir) == 2); /* only the two planted ones */

	/* A write that fails (the name is a non-empty directory) leaves no
	 * temporary behind. */
	char blocker[800];
	snprintf(blocker, sizeof(blocker), "%s/B", dir);
	mkdir(blocker, 0755);
	write_file(blocker, "inside", "x");
	CHECK(uh_write_atomic(dir, "B", "data\n", 5) == -1);
	CHECK(temp_files_in(dir) == 2);
}

static EVP_PKEY *new_key(void) {
	EVP_PKEY *k = EVP_RSA_gen(2048);
	if (!k)
		exit(2);
	return k;
}

static void setup(void) {
	snprintf(top, sizeof(top), "/tmp/uhtest.XXXXXX");
	if (!mkdtemp(top))
		exit(2);
	snprintf(dir_u, sizeof(dir_u), "%s/U", top);
	snprintf(dir_r, sizeof(dir_r), "%s/R", top);
	snprintf(hosts_u, sizeof(hosts_u), "%s/hosts", dir_u);
	snprintf(hosts_r, sizeof(hosts_r), "%s/hosts", dir_r);
	mkdir(dir_u, 0700);
	mkdir(dir_r, 0700);
	mkdir(hosts_u, 0755);
	mkdir(hosts_r, 0755);
	key_u = new_key();
	key_x = new_key();
	key_w = new_key();

	/* U: the updater */
	char path[800];
	snprintf(path, sizeof(path), "%s/rsa_key.priv", dir_u);
	FILE *f = fopen(path, "w");
	PEM_write_PrivateKey(f, key_u, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	write_host(dir_u, "U", "Address = 198.18.1.1\nHostsFilesMaster = yes\nConfFileMaster = yes\n", key_u);
	write_host(dir_u, "R", "Address = 198.18.1.2\nSubnet = 198.19.0.2/32\n", key_w);
	write_file(hosts_u, "A", "Address = 198.18.1.3\nSubnet = 198.19.0.3/32\nSubnet = 10.3.0.0/16\n");
	write_file(hosts_u, "D", "DeadHost = yes\n");
	write_file(hosts_u, "bad.name", "not distributed\n");
	write_file(dir_u, "template.conf",
	           "# network-wide settings\nPingInterval = 17\nName = EVIL\nMode = router\nPort = 1\n");

	/* R: a receiver with U's host file (as U published it), X's (no
	 * authority) and an obsolete D, plus scripts */
	write_host(dir_r, "U", "Address = 198.18.1.1\nHostsFilesMaster = yes\nConfFileMaster = yes\n", key_u);
	write_host(dir_r, "X", "Address = 198.18.1.9\n", key_x);
	write_file(hosts_r, "D", "Address = 198.18.1.4\n");
	write_file(hosts_r, "R", "Address = 198.18.1.2\n");
	write_file(hosts_r, ".A.uhtmp.999", "half a fi");
	write_file(
	    dir_r, "tinc.conf",
	    "Name = R\nPort = 6655\nInterface = pxt0\nConnectTo = U\nPingInterval = 60\nMode = router\n");
	static const char *const scripts[] = {"hostsupdate-before", "hostsupdate-after", "confupdate-before",
	                                      "confupdate-after"};
	for (size_t i = 0; i < 4; i++) {
		char text[1024];
		snprintf(
		    text, sizeof(text),
		    "#!/bin/sh\necho \"%s NAME=$NAME UPDATER=$UPDATER DEVICE=$DEVICE INTERFACE=$INTERFACE "
		    "NETNAME=$NETNAME\" >>\"%s/scripts.log\"\n",
		    scripts[i], dir_r);
		write_file(dir_r, scripts[i], text);
		snprintf(path, sizeof(path), "%s/%s", dir_r, scripts[i]);
		chmod(path, 0755);
	}
}

int main(void) {
	setup();
	/* R options used for the scripts' environment */
	be("R");
	set_opt("Interface", "pxt0");
	const struct px_plugin_desc *d = &update_hosts_LTX_plexus_plugin;
	CHECK_STR(d->name, "update-hosts");
	CHECK(d->abi_major == PX_ABI_MAJOR);
	CHECK(d->init(&the_plugin, &fake_host) == 0);
	CHECK(req_ops[0] && req_ops[0]->flags & PX_REQF_BROADCAST);
	CHECK(req_ops[1] && req_ops[1]->flags & PX_REQF_BROADCAST);
	CHECK(d->start(&the_plugin) == 0);
	char tmp[700];
	snprintf(tmp, sizeof(tmp), "%s/.A.uhtmp.999", hosts_r);
	CHECK(access(tmp, F_OK) != 0); /* start removed the leftover temporary */

	test_full_run();
	test_attacks();
	test_refusal_log_limit();
	test_policies();
	/* a newcomer flagged NeedsNetUpdates in U's copy of its host file */
	write_file(hosts_u, "N", "NeedsNetUpdates = yes\n");
	test_needs_net_updates();
	test_atomic_write();
	test_temp_file_links();

	d->stop(&the_plugin);
	d->fini(&the_plugin);
	sent_clear();
	EVP_PKEY_free(key_u);
	EVP_PKEY_free(key_x);
	EVP_PKEY_free(key_w);
	if (!check_failures) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", top);
	} else {
		fprintf(stderr, "kept %s\n", top);
	}
	return check_done("update_plugin_test");
}
