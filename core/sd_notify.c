/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "logger.h"
#include "sd_notify.h"

static int notify_fd = -1;
static uint32_t watchdog_ms;

/* $NOTIFY_SOCKET is a file system path or, with a leading '@', a name in
 * the abstract namespace. */
static int notify_address(const char *name, struct sockaddr_un *sa, socklen_t *len) {
	size_t n = strlen(name);

	if (n < 2 || n >= sizeof(sa->sun_path) || (name[0] != '/' && name[0] != '@'))
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	return 0;
}

/* The watchdog applies to us only if WATCHDOG_PID is unset or names us. */
static void read_watchdog(void) {
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	char *end;

	watchdog_ms = 0;
	if (!usec)
		return;
	if (pid && strtol(pid, NULL, 10) != (long)getpid())
		return;
	unsigned long long us = strtoull(usec, &end, 10);
	if (*end || us == 0) {
		logger(PX_LOG_ALWAYS, LOG_WARNING, "Ignoring invalid WATCHDOG_USEC=%s", usec);
		return;
	}
	us /= 2000; /* ping at half the timeout */
	watchdog_ms = us == 0 ? 1 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

int sd_notify_init(void) {
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	int err = 0;

	read_watchdog();
	if (name) {
		if (notify_address(name, &sa, &len) < 0) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Unusable NOTIFY_SOCKET=%s", name);
			err = -1;
		} else if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
		           connect(notify_fd, (struct sockaddr *)&sa, len) < 0) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not connect to NOTIFY_SOCKET=%s: %s", name,
			       strerror(errno));
			if (notify_fd >= 0)
				close(notify_fd);
			notify_fd = -1;
			err = -1;
		}
	}
	if (notify_fd < 0)
		watchdog_ms = 0;
	/* Scripts the daemon runs must not talk to the service manager as us. */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return err;
}

bool sd_notify_enabled(void) {
	return notify_fd >= 0;
}

void sd_notify_send(const char *msg) {
	if (notify_fd < 0)
		return;
	if (send(notify_fd, msg, strlen(msg), MSG_NOSIGNAL) < 0)
		logger(PX_LOG_CONNECTIONS, LOG_DEBUG, "sd_notify: %s", strerror(errno));
}

uint32_t sd_notify_watchdog_interval_ms(void) {
	return watchdog_ms;
}

void sd_notify_exit(void) {
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}
