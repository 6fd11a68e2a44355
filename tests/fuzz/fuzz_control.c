/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Fuzz target for the control protocol (core/control.c): the real control
 * socket code, with the rest of the core replaced by the control unit
 * tests' fixture (tests/unit/control_fixture.c: stub event loop, logger and
 * a small fixed model). Each input is one client connection over the real
 * UNIX socket: the daemon accepts, reads the bytes, answers, and the client
 * hangs up; the client must be gone afterwards.
 *
 * Input: one mode byte, then the bytes the client sends.
 *   bit 0: send the correct greeting (with the cookie) first, so the input
 *          reaches the requests after authentication
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_fixture.h"
#include "fuzz_target.h"

static char dir[] = "/tmp/px-fuzz-control.XXXXXX";
static char sockpath[100], hello[160];
static struct px_watch *listen_watch;

static void cleanup(void) {
	control_exit(); /* removes the pid file and the socket */
	rmdir(dir);
}

static void setup(void) {
	char pidfile[256], cookie[128];
	int pid, port;

	if (!mkdtemp(dir))
		abort();
	snprintf(pidfile, sizeof(pidfile), "%s/plexus.fuzz.pid", dir);
	snprintf(sockpath, sizeof(sockpath), "%.60s/plexus.fuzz.socket", dir);
	setup_model();
	if (control_init(pidfile) != 0)
		abort();
	atexit(cleanup);
	FILE *f = fopen(pidfile, "r");
	if (!f || fscanf(f, "%d %127s 127.0.0.1 port %d", &pid, cookie, &port) != 3)
		abort();
	fclose(f);
	snprintf(hello, sizeof(hello), "0 ^%s 0\n", cookie);
	listen_watch = &watches[0];
	if (!listen_watch->live)
		abort();
}

static struct px_watch *client_watch(void) {
	for (int i = 0; i < FIXTURE_WATCHES; i++)
		if (watches[i].live && &watches[i] != listen_watch)
			return &watches[i];
	return NULL;
}

static void drain(int fd) {
	char buf[4096];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
	}
}

static bool send_all(int fd, const void *data, size_t len) {
	const uint8_t *p = data;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static bool ready;
	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1 || size > 16384)
		return 0;
	bool greet = data[0] & 1;
	data++;
	size--;
	debug_level = 2;

	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sockpath);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	listen_watch->cb(listen_watch->arg, PX_EV_READ);
	struct px_watch *cw = client_watch();
	if (!cw)
		abort(); /* the daemon must have accepted the client */

	if ((greet && !send_all(fd, hello, strlen(hello))) || !send_all(fd, data, size))
		abort();
	/* The daemon reads at most its line buffer per wake-up. */
	for (size_t round = 0; round < size / 256 + 4 && cw->live; round++) {
		cw->cb(cw->arg, PX_EV_READ | PX_EV_WRITE);
		drain(fd);
	}
	close(fd);
	for (int round = 0; round < 4 && cw->live; round++)
		cw->cb(cw->arg, PX_EV_READ | PX_EV_WRITE);
	if (cw->live) {
		fprintf(stderr, "the daemon kept a control client that hung up\n");
		abort();
	}
	return 0;
}
