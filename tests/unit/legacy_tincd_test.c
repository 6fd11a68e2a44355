/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * crypto-legacy against the real tinc 1.0 (skipped when /usr/sbin/tincd is
 * missing). A tincd with a dummy device listens on 127.0.0.1; this test
 * plays the connecting node through the plugin and the fake core:
 *   - key pairs for both nodes come from the plugin's generate_keys, so
 *     tincd proves it reads our key files;
 *   - ID, METAKEY/CHALLENGE/CHAL_REPLY, then ACKs both ways (tincd's ACK
 *     and later requests must decrypt);
 *   - REQ_KEY (offering ECDH, which tinc must ignore) / ANS_KEY both ways, then an MTU probe sealed by us
 * over UDP must come back as tincd's probe reply, opened by us.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "check.h"
#include "legacy_fake.h"

#define TINCD "/usr/sbin/tincd"

static char dir[256];
static pid_t tincd_pid = -1;

static int free_port(int type) {
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(sin.sin_port);
}

static void write_file(const char *name, const char *text, const char *mode) {
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, mode);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int connect_retry(int port) {
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_port = htons((uint16_t)port),
	                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	for (int i = 0; i < 100; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
			return fd;
		if (fd >= 0)
			close(fd);
		usleep(50000);
	}
	return -1;
}

/* Send what the fake connection has written; read one batch back. */
static int exchange(int fd, struct px_conn *c, uint8_t *buf, size_t cap, int timeout_ms) {
	if (c->wirelen && write(fd, c->wire, c->wirelen) != (ssize_t)c->wirelen)
		return -1;
	c->wirelen = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	ssize_t n = read(fd, buf, cap);
	return n > 0 ? (int)n : -1;
}

static bool got_line_prefix(struct px_conn *c, const char *prefix, int from) {
	for (int i = from; i < c->ngot; i++)
		if (!strncmp(c->got[i], prefix, strlen(prefix)))
			return true;
	return false;
}

static void stop_tincd(void) {
	if (tincd_pid > 0) {
		kill(tincd_pid, SIGTERM);
		waitpid(tincd_pid, NULL, 0);
		tincd_pid = -1;
	}
}

int main(void) {
	char conf[512], cmd[1024], path[512];
	uint8_t buf[8192];
	struct px_conn cli;

	if (access(TINCD, X_OK)) {
		fprintf(stderr, "tincd not installed, skipping\n");
		return 77;
	}
	alarm(60);
	if (fake_mkdtemp(dir, sizeof(dir)))
		return 1;
	int port = free_port(SOCK_STREAM), udp_port = free_port(SOCK_DGRAM);
	CHECK(port > 0 && udp_port > 0);
	snprintf(conf, sizeof(conf),
	         "Name = tincnode\nDeviceType = dummy\nAddressFamily = ipv4\nBindToAddress = 127.0.0.1\n"
	         "PingTimeout = 10\n");
	write_file("tinc.conf", conf, "w");

	strcpy(fake_confbase, dir);
	static const char *const config[] = {NULL};
	CHECK(fake_init(config) == 0); /* no key yet: logged, harmless */

	/* tincd's key pair made by us: tincd must be able to read it. */
	CHECK(legacy_generate_keys(fake_self, dir, "tincnode", 2048) == 0);
	snprintf(path, sizeof(path), "%s/rsa_key.priv", dir);
	EVP_PKEY *tinc_key = legacy_read_pem_file(path, true);
	snprintf(cmd, sizeof(cmd), "Port = %d\n", port);
	write_file("hosts/tincnode", cmd, "a");
	/* Our own key, generated elsewhere; its public half goes to hosts/plexus. */
	char ourdir[256];
	CHECK(fake_mkdtemp(ourdir, sizeof(ourdir)) == 0);
	CHECK(legacy_generate_keys(fake_self, ourdir, "plexus", 2048) == 0);
	snprintf(path, sizeof(path), "%s/rsa_key.priv", ourdir);
	EVP_PKEY *our_key = legacy_read_pem_file(path, true);
	snprintf(cmd, sizeof(cmd), "cp '%s/hosts/plexus' '%s/hosts/plexus'", ourdir, dir);
	CHECK(system(cmd) == 0);
	fake_rmrf(ourdir);
	CHECK(tinc_key && our_key);

	tincd_pid = fork();
	if (tincd_pid == 0) {
		char cflag[300], logflag[300], pidflag[300];
		snprintf(cflag, sizeof(cflag), "--config=%s", dir);
		snprintf(logflag, sizeof(logflag), "--logfile=%s/log", dir);
		snprintf(pidflag, sizeof(pidflag), "--pidfile=%s/pid", dir);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(TINCD, TINCD, cflag, logflag, pidflag, "-D", "-d5", (char *)NULL);
		_exit(127);
	}

	int fd = connect_retry(port);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;

	fake_conn_init(&cli, "plexus", "tincnode", true, our_key);
	const char *id = "0 plexus 17\n";
	CHECK(write(fd, id, strlen(id)) == (ssize_t)strlen(id));

	/* The peer's ID line is the core's business: take it off by hand. */
	size_t have = 0;
	char *nl = NULL;
	while (!nl && have < sizeof(buf)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 5000) <= 0)
			break;
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		nl = memchr(buf, '\n', have);
	}
	CHECK(nl != NULL);
	if (!nl)
		goto out;
	*nl = '\0';
	CHECK_STR((char *)buf, "0 tincnode 17");
	CHECK(fake_meta_start(&cli) == 0);
	size_t rest = have - (size_t)((uint8_t *)nl + 1 - buf);
	if (rest)
		CHECK(fake_feed(&cli, (uint8_t *)nl + 1, rest) == 0);

	for (int i = 0; i < 50 && !cli.auth_done && !cli.failed; i++) {
		int n = exchange(fd, &cli, buf, sizeof(buf), 200);
		if (n < 0)
			break;
		if (n > 0)
			fake_feed(&cli, buf, (size_t)n);
	}
	CHECK(cli.auth_done && !cli.failed);
	if (!cli.auth_done)
		goto out;

	/* ACKs: tincd's (possibly already here) must decrypt; after ours it sends its world. */
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in us = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)udp_port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK(udp >= 0 && bind(udp, (struct sockaddr *)&us, sizeof(us)) == 0);
	int mark = cli.ngot;
	CHECK(fake_host.conn_send(&cli, "4 %d 10 c", udp_port) == 0);
	for (int i = 0; i < 10 && !got_line_prefix(&cli, "12 ", 0); i++) {
		int n = exchange(fd, &cli, buf, sizeof(buf), 200);
		if (n > 0)
			fake_feed(&cli, buf, (size_t)n);
	}
	CHECK(got_line_prefix(&cli, "4 ", 0));
	CHECK(got_line_prefix(&cli, "12 ", 0)); /* ADD_EDGE, decrypted */
	(void)mark;
	/* Our edge back, as a real node would announce it: makes us reachable. */
	CHECK(fake_host.conn_send(&cli, "12 %x plexus tincnode 127.0.0.1 %d c 10", (unsigned)random(),
	                          port) == 0);

	/* Keys both ways. */
	px_node *tn = fake_node("tincnode");
	fake_reset_msgs();
	legacy_key_request(fake_self, tn);
	legacy_send_ans_key(tn);
	CHECK(fake_nmsgs == 2);
	/* We hold tincnode's public key, so we offer ECDH: tinc 1.0 must
	 * ignore the extra fields and answer the RSA way. */
	CHECK(!strncmp(fake_msgs[0].line, "15 plexus tincnode " LEGACY_KEX_TOKEN " ", 27) &&
	      strstr(fake_msgs[0].line, " X25519:"));
	for (int i = 0; i < fake_nmsgs; i++)
		fake_host.conn_send(&cli, "%s", fake_msgs[i].line);
	int ansline = -1;
	for (int i = 0; i < 20 && ansline < 0; i++) {
		int n = exchange(fd, &cli, buf, sizeof(buf), 200);
		if (n > 0)
			fake_feed(&cli, buf, (size_t)n);
		for (int j = 0; j < cli.ngot; j++)
			if (!strncmp(cli.got[j], "16 tincnode plexus ", 19))
				ansline = j;
	}
	CHECK(ansline >= 0);
	if (ansline < 0)
		goto out;
	CHECK(legacy_key_on_ans(fake_self, tn, cli.got[ansline]) == 0);
	CHECK(legacy_key_valid(fake_self, tn));
	CHECK_STR(legacy_describe(fake_self, tn), "rsa:aes-256-cbc/sha256/4");

	/* An MTU probe request from us; tincd answers with a type-1 reply.
	 * tincd's own probes (type 0) to us must open as well. */
	struct sockaddr_in them = {.sin_family = AF_INET,
	                           .sin_port = htons((uint16_t)port),
	                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static uint8_t store[2048];
	bool got_reply = false, opened_any = false;
	for (int round = 0; round < 20 && !got_reply; round++) {
		struct px_buf b = {.base = store, .cap = sizeof(store), .data = store + 64, .len = 100};
		memset(b.data, 0, 14);
		RAND_bytes(b.data + 14, 86);
		CHECK(legacy_seal(fake_self, tn, &b, 1) == 1);
		CHECK(sendto(udp, b.data, b.len, 0, (struct sockaddr *)&them, sizeof(them)) ==
		      (ssize_t)b.len);
		for (;;) {
			struct pollfd p = {.fd = udp, .events = POLLIN};
			if (poll(&p, 1, 300) <= 0)
				break;
			struct px_buf r = {.base = store, .cap = sizeof(store), .data = store + 64};
			ssize_t n = recv(udp, r.data, sizeof(store) - 64, 0);
			if (n <= 0)
				break;
			r.len = (uint32_t)n;
			if (legacy_open(fake_self, tn, &r, 1) == 1) {
				opened_any = true;
				CHECK(r.len >= 14 && r.data[12] == 0 && r.data[13] == 0);
				if (r.data[0] == 1 && r.len == 100)
					got_reply = true;
			}
		}
		/* Keep the meta connection drained (PINGs, forwarded requests). */
		int n = exchange(fd, &cli, buf, sizeof(buf), 10);
		if (n > 0)
			fake_feed(&cli, buf, (size_t)n);
	}
	CHECK(opened_any);
	CHECK(got_reply);
	close(udp);

out:
	stop_tincd();
	if (fd >= 0)
		close(fd);
	if (check_failures) {
		snprintf(cmd, sizeof(cmd), "tail -40 '%s/log' >&2", dir);
		if (system(cmd))
			fprintf(stderr, "no tincd log\n");
	}
	fake_conn_free(&cli);
	EVP_PKEY_free(tinc_key);
	EVP_PKEY_free(our_key);
	fake_fini();
	fake_rmrf(dir);
	return check_done("legacy_tincd_test");
}
