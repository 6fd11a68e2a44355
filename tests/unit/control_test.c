/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Control socket tests: pid file paths, dump line formats (both ways), and
 * the daemon side of the protocol driven over a real UNIX socket, with the
 * event loop, logger and network core replaced by control_fixture.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "check.h"
#include "control_fixture.h"
#include "control_pcap.h"

/* ---- tests ---- */

static void test_paths(void) {
	char *p;

	p = control_socket_path("/var/run/plexus.vpn.pid");
	CHECK_STR(p, "/var/run/plexus.vpn.socket");
	free(p);
	p = control_socket_path("/etc/tinc/vpn/pid");
	CHECK_STR(p, "/etc/tinc/vpn/pid.socket");
	free(p);
	p = control_socket_path(".pid");
	CHECK_STR(p, ".pid.socket");
	free(p);

	p = control_default_pidfile("/etc/tinc", NULL);
	CHECK_STR(p, "/etc/tinc/pid");
	free(p);
	p = control_default_pidfile("/etc/tinc/vpn", "vpn");
	if (access(PLEXUS_LOCALSTATEDIR "/run", W_OK) == 0)
		CHECK_STR(p, PLEXUS_LOCALSTATEDIR "/run/plexus.vpn.pid");
	else
		CHECK_STR(p, "/etc/tinc/vpn/pid");
	free(p);
}

static void test_format(void) {
	char line[1024], human[1024];
	struct ctl_node n;
	struct ctl_edge e;
	struct ctl_subnet s;
	struct ctl_conn c;
	struct ctl_plugin p;

	CHECK(control_node_status(&beta) == 0x812);
	CHECK(control_format_node(line, sizeof(line), &beta, "655") > 0);
	CHECK_STR(line, "18 3 beta 560c72de72c0 198.18.0.2 port 655 0 0 0 0 c 812 beta beta 1 1518 0 1518 "
	                "1700000000 -1 2 36 0 0 legacy aes-256-cbc/sha256_key_valid");
	CHECK(ctl_parse_node(line, &n) == 0);
	CHECK_STR(n.name, "beta");
	CHECK(n.status == 0x812 && n.distance == 1 && n.in_bytes == 36);
	CHECK(ctl_node_human(human, sizeof(human), &n) > 0);
	CHECK_STR(human, "beta id 560c72de72c0 at 198.18.0.2 port 655 cipher 0 digest 0 maclength 0 "
	                 "compression 0 options c status 0812 nexthop beta via beta distance 1 pmtu 1518 "
	                 "(min 0 max 1518) protocol legacy (aes-256-cbc/sha256_key_valid)");

	CHECK(control_format_node(line, sizeof(line), &alpha, "10655") > 0);
	CHECK_STR(line,
	          "18 3 alpha 010203040506 MYSELF port 10655 0 0 0 0 0 10 alpha alpha 0 1518 0 1518 0 -1 "
	          "0 0 0 0 - -");
	/* Too small a buffer is an error, not half a line. */
	CHECK(control_format_node(line, 20, &beta, "655") == -1);

	/* A line from tinc 1.1 itself (23 fields) parses too. */
	CHECK(
	    ctl_parse_node("18 3 beta 560c72de72c0 127.0.0.1 port 10656 0 0 0 0 700000c 8da beta beta 1 1518 "
	                   "18 1518 1795322058 16811 2 36 0 0",
	                   &n) == 0);
	CHECK_STR(n.protocol, "-");
	CHECK(n.options == 0x700000c && n.udp_ping_rtt == 16811 && n.minmtu == 18);
	CHECK(ctl_node_human(human, sizeof(human), &n) > 0);
	CHECK(strstr(human, "protocol") == NULL);
	CHECK(ctl_parse_node("18 3 beta 560c72de72c0", &n) == -1);
	CHECK(ctl_parse_node("18 4 beta", &n) == -1);

	CHECK(control_format_edge(line, sizeof(line), &ab) > 0);
	CHECK_STR(line, "18 4 alpha beta 198.18.0.2 port 655 unspec port unspec c 10");
	CHECK(ctl_parse_edge(line, &e) == 0);
	CHECK(ctl_edge_human(human, sizeof(human), &e) > 0);
	CHECK_STR(human, "alpha to beta at 198.18.0.2 port 655 local unspec port unspec options c weight 10");

	CHECK(control_format_subnet(line, sizeof(line), &sn) > 0);
	CHECK_STR(line, "18 5 10.1.2.0/24 beta");
	CHECK(ctl_parse_subnet(line, &s) == 0);
	CHECK(ctl_subnet_human(human, sizeof(human), &s) > 0);
	CHECK_STR(human, "10.1.2.0/24 owner beta");
	sn.owner = NULL;
	CHECK(control_format_subnet(line, sizeof(line), &sn) > 0);
	CHECK_STR(line, "18 5 10.1.2.0/24 (broadcast)");
	sn.owner = &beta;

	CHECK(control_format_connection(line, sizeof(line), &conn_beta) > 0);
	CHECK_STR(line, "18 6 beta 198.18.0.2 port 655 c 5 c0");
	CHECK(ctl_parse_conn(line, &c) == 0);
	CHECK(ctl_conn_human(human, sizeof(human), &c) > 0);
	CHECK_STR(human, "beta at 198.18.0.2 port 655 options c socket 5 status c0");
	CHECK(control_format_control_client(line, sizeof(line), 7, true) > 0);
	CHECK_STR(line, "18 6 <control> localhost port unix 0 7 a00");

	CHECK(control_format_plugin(line, sizeof(line), &plug) > 0);
	CHECK_STR(line, "18 64 crypto-legacy 0.1.0 1.0 /usr/lib/plexus/crypto-legacy.so crypto:legacy");
	CHECK(ctl_parse_plugin(line, &p) == 0);
	CHECK_STR(p.name, "crypto-legacy");
	CHECK_STR(p.abi, "1.0");
	CHECK_STR(p.path, "/usr/lib/plexus/crypto-legacy.so");
	CHECK_STR(p.provides, "crypto:legacy");

	CHECK(control_format_traffic(line, sizeof(line), &beta) > 0);
	CHECK_STR(line, "18 13 beta 2 36 0 0");
}

static void test_contains(void) {
	struct subnet net = {.type = SUBNET_IPV4, .prefix = 23}, addr = {.type = SUBNET_IPV4, .prefix = 32};

	memcpy(net.addr, "\x0a\x01\x02\x00", 4);
	memcpy(addr.addr, "\x0a\x01\x03\xff", 4);
	CHECK(ctl_subnet_contains(&net, &addr));
	addr.addr[2] = 4;
	CHECK(!ctl_subnet_contains(&net, &addr));
	net.prefix = 0;
	CHECK(ctl_subnet_contains(&net, &addr));
	addr.type = SUBNET_IPV6;
	CHECK(!ctl_subnet_contains(&net, &addr));
}

/* ---- the protocol over a real socket ---- */

static struct px_watch *watch_for_fd_other_than(int fd) {
	for (int i = 0; i < 16; i++)
		if (watches[i].live && watches[i].fd != fd)
			return &watches[i];
	return NULL;
}
static struct px_watch *watch_for_fd(int fd) {
	for (int i = 0; i < 16; i++)
		if (watches[i].live && watches[i].fd == fd)
			return &watches[i];
	return NULL;
}

/* Read what the daemon has written so far (it always writes synchronously
 * in these tests, so a short timeout is enough). */
static size_t client_read(int fd, char *buf, size_t len) {
	size_t got = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + got, len - 1 - got, MSG_DONTWAIT);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = 0;
	return got;
}

static void client_say(int fd, const char *text) {
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
}

static int client_connect(const char *path) {
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_protocol(void) {
	char dir[] = "/tmp/control_test.XXXXXX";
	char pidfile[256], sockpath[256], buf[8192], expect[256], cookie[128];
	struct px_watch *lw, *cw;
	struct stat st;
	int pid, port, fd, listen_fd;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(pidfile, sizeof(pidfile), "%s/plexus.test.pid", dir);
	snprintf(sockpath, sizeof(sockpath), "%s/plexus.test.socket", dir);

	CHECK(control_init(pidfile) == 0);
	CHECK(stat(pidfile, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(sockpath, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 077) == 0);
	f = fopen(pidfile, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fscanf(f, "%d %127s 127.0.0.1 port %d", &pid, cookie, &port) == 3);
	fclose(f);
	CHECK(pid == getpid());
	CHECK(port == 10655);
	CHECK(strlen(cookie) == 64 && strspn(cookie, "0123456789ABCDEF") == 64);

	/* Opening twice is refused and leaves the first socket alone. */
	CHECK(control_init(pidfile) == -1);

	lw = &watches[0];
	CHECK(lw->live);
	listen_fd = lw->fd;

	/* Wrong cookie: the daemon closes the connection. */
	fd = client_connect(sockpath);
	CHECK(fd >= 0);
	lw->cb(lw->arg, PX_EV_READ);
	cw = watch_for_fd_other_than(listen_fd);
	CHECK(cw != NULL);
	client_say(fd, "0 ^0000 0\n");
	cw->cb(cw->arg, PX_EV_READ);
	CHECK(!cw->live);
	CHECK(recv(fd, buf, sizeof(buf), 0) == 0);
	close(fd);

	/* Right cookie. */
	fd = client_connect(sockpath);
	lw->cb(lw->arg, PX_EV_READ);
	cw = watch_for_fd_other_than(listen_fd);
	CHECK(cw != NULL);
	if (!cw)
		return;
	snprintf(buf, sizeof(buf), "0 ^%s 0\n", cookie);
	client_say(fd, buf);
	cw->cb(cw->arg, PX_EV_READ);
	client_read(fd, buf, sizeof(buf));
	snprintf(expect, sizeof(expect), "0 alpha 17.0\n4 0 %d\n", (int)getpid());
	CHECK_STR(buf, expect);

	/* Requests may arrive split and batched. */
	client_say(fd, "18 5\n18 ");
	cw->cb(cw->arg, PX_EV_READ);
	client_say(fd, "4\n");
	cw->cb(cw->arg, PX_EV_READ);
	client_read(fd, buf, sizeof(buf));
	CHECK_STR(buf,
	          "18 5 10.1.2.0/24 beta\n18 5\n18 4 alpha beta 198.18.0.2 port 655 unspec port unspec c 10\n"
	          "18 4\n");

	client_say(fd, "18 3\n");
	cw->cb(cw->arg, PX_EV_READ);
	client_read(fd, buf, sizeof(buf));
	CHECK(strncmp(buf, "18 3 alpha ", 11) == 0);
	CHECK(strstr(buf, "\n18 3 beta ") != NULL);
	CHECK(strstr(buf, "legacy aes-256-cbc/sha256_key_valid\n18 3\n") != NULL);

	client_say(fd, "18 6\n18 64\n18 13\n");
	cw->cb(cw->arg, PX_EV_READ);
	client_read(fd, buf, sizeof(buf));
	snprintf(expect, sizeof(expect), "18 6 <control> localhost port unix 0 %d 200\n18 6\n", cw->fd);
	CHECK(strncmp(buf, "18 6 beta 198.18.0.2 port 655 c 5 c0\n", 37) == 0);
	CHECK(strstr(buf, expect) != NULL);
	CHECK(strstr(
	    buf, "18 64 crypto-legacy 0.1.0 1.0 /usr/lib/plexus/crypto-legacy.so crypto:legacy\n18 64\n"));
	CHECK(strstr(buf, "18 13 beta 2 36 0 0\n18 13\n"));

	client_say(fd, "18 9 5\n18 9 -1\n18 1\n18 10\n18 8\n18 12 beta\n18 12 gamma\n18 12\n18 7\n18 99\n");
	cw->cb(cw->arg, PX_EV_READ);
	client_read(fd, buf, sizeof(buf));
	CHECK_STR(buf,
	          "18 9 2\n18 9 5\n18 1 0\n18 10 0\n18 8 0\n18 12 0\n18 12 -2\n18 12 -1\n18 -1\n18 -1\n");
	CHECK(debug_level == 5);

	client_say(fd, "18 11 beta\n18 11 zeta\n18 11\n");
	cw->cb(cw->arg, PX_EV_READ);
	client_read(fd, buf, sizeof(buf));
	CHECK_STR(buf, "18 11 0\n18 11 -1\n18 11 -1\n");

	/* REQ_PCAP: no reply; then every routed frame as "18 14 <len>" and its
	 * bytes, cut to the snap length. */
	CHECK(!control_pcap_active);
	client_say(fd, "18 14 4\n");
	cw->cb(cw->arg, PX_EV_READ);
	CHECK(control_pcap_active);
	control_pcap_frame((const uint8_t *)"ABCDEFGH", 8);
	control_pcap_frame((const uint8_t *)"xy", 2);
	cw->cb(cw->arg, PX_EV_WRITE);
	client_read(fd, buf, sizeof(buf));
	CHECK_STR(buf, "18 14 4\nABCD18 14 2\nxy");
	CHECK(reloads == 1 && retries == 1 && purges == 1);

	/* Log stream: messages are framed, a full buffer drops them. */
	client_say(fd, "18 15 4 0\n");
	cw->cb(cw->arg, PX_EV_READ);
	CHECK(the_tap != NULL && the_tap->level == 4);
	if (the_tap) {
		the_tap->write(the_tap, 3, "hello world", 11);
		CHECK(cw->events & PX_EV_WRITE);
		cw->cb(cw->arg, PX_EV_WRITE);
		client_read(fd, buf, sizeof(buf));
		CHECK_STR(buf, "18 15 11\nhello world");
		CHECK(!(cw->events & PX_EV_WRITE));
		{
			/* The client does not read: the daemon never blocks. */
			static char big[64 * 1024];
			memset(big, 'x', sizeof(big));
			for (int i = 0; i < 200; i++) {
				the_tap->write(the_tap, 3, big, sizeof(big));
				cw->cb(cw->arg, PX_EV_WRITE);
			}
		}
	}

	/* Malformed input closes the client and removes its tap. */
	client_say(fd, "hello\n");
	cw->cb(cw->arg, PX_EV_READ);
	CHECK(!cw->live);
	CHECK(the_tap == NULL);
	close(fd);

	/* Stop. */
	fd = client_connect(sockpath);
	lw->cb(lw->arg, PX_EV_READ);
	cw = watch_for_fd_other_than(listen_fd);
	snprintf(buf, sizeof(buf), "0 ^%s 0\n18 0\n", cookie);
	client_say(fd, buf);
	if (cw)
		cw->cb(cw->arg, PX_EV_READ);
	client_read(fd, buf, sizeof(buf));
	CHECK(strstr(buf, "\n18 0 0\n") != NULL);
	CHECK(loop_stopped == 1);

	/* An overlong line closes the client. */
	{
		static char junk[CTL_NAME_MAX * 32];
		memset(junk, 'a', sizeof(junk));
		CHECK(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
		if (cw && cw->live)
			cw->cb(cw->arg, PX_EV_READ);
		CHECK(cw && !cw->live);
	}
	close(fd);

	/* A client still connected at exit is closed; files are removed. */
	fd = client_connect(sockpath);
	lw->cb(lw->arg, PX_EV_READ);
	CHECK(watch_for_fd(listen_fd) != NULL);
	control_exit();
	CHECK(watch_for_fd(listen_fd) == NULL);
	CHECK(watch_for_fd_other_than(-1) == NULL);
	CHECK(access(pidfile, F_OK) != 0);
	CHECK(access(sockpath, F_OK) != 0);
	CHECK(recv(fd, buf, sizeof(buf), 0) == 0);
	close(fd);
	rmdir(dir);
}

/* A socket file left by a dead daemon is replaced; a live one is not. */
static void test_stale_socket(void) {
	char dir[] = "/tmp/control_test.XXXXXX";
	char pidfile[256];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/pid.socket", dir);

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd);
	CHECK(control_init(pidfile) == 0);
	control_exit();
	CHECK(access(sa.sun_path, F_OK) != 0);

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(listen(fd, 1) == 0);
	CHECK(control_init(pidfile) == -1);
	CHECK(access(pidfile, F_OK) != 0);
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
}

int main(void) {
	setup_model();
	test_paths();
	test_format();
	test_contains();
	test_stale_socket();
	test_protocol();
	return check_done("control_test");
}
