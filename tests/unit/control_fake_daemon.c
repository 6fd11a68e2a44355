/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A daemon with the real control.c and the fixture's model instead of a
 * network, so that control_cli_test.sh can run the real `plexus` CLI
 * against it without devices or sockets beyond the control socket.
 * Usage: control_fake_daemon PIDFILE. Exits after a stop request.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <stdio.h>

#include "control_fixture.h"

int main(int argc, char **argv) {
	unsigned tick = 0;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s PIDFILE\n", argv[0]);
		return 1;
	}
	setup_model();
	debug_level = 0;
	if (control_init(argv[1]) < 0)
		return 1;
	while (!loop_stopped) {
		struct pollfd pfd[FIXTURE_WATCHES];
		int idx[FIXTURE_WATCHES], n = 0;

		for (int i = 0; i < FIXTURE_WATCHES; i++) {
			if (!watches[i].live)
				continue;
			pfd[n].fd = watches[i].fd;
			pfd[n].events = (short)(((watches[i].events & PX_EV_READ) ? POLLIN : 0) |
			                        ((watches[i].events & PX_EV_WRITE) ? POLLOUT : 0));
			idx[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, 100) < 0)
			break;
		for (int j = 0; j < n; j++) {
			struct px_watch *w = &watches[idx[j]];
			uint32_t ev = 0;

			if (!pfd[j].revents || !w->live)
				continue;
			if (pfd[j].revents & (POLLIN | POLLHUP | POLLERR))
				ev |= PX_EV_READ;
			if (pfd[j].revents & POLLOUT)
				ev |= PX_EV_WRITE;
			w->cb(w->arg, ev);
		}
		/* Something for `plexus log` to show. */
		if (the_tap) {
			char msg[64];
			int len = snprintf(msg, sizeof(msg), "fake log message %u", ++tick);

			the_tap->write(the_tap, 1, msg, (size_t)len);
		}
	}
	control_exit();
	return 0;
}
