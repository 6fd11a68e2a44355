/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * systemd's readiness protocol (sd_notify) without libsystemd: one datagram
 * per state change to the AF_UNIX socket named by $NOTIFY_SOCKET, and
 * WATCHDOG=1 keep-alives when the service manager asks for them with
 * $WATCHDOG_USEC. Everything is a no-op when the daemon is not started by
 * a service manager.
 */
#ifndef PX_SD_NOTIFY_H
#define PX_SD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Read and clear $NOTIFY_SOCKET/$WATCHDOG_USEC/$WATCHDOG_PID, open and
 * connect the socket (so later sends work after chroot and privilege
 * drop). Returns 0 also when no service manager is listening; -1 with a log
 * line when $NOTIFY_SOCKET is set but unusable. */
int sd_notify_init(void);

/* True when a service manager listens. */
bool sd_notify_enabled(void);

/* Send one message ("READY=1\nSTATUS=..."); no-op when disabled. */
void sd_notify_send(const char *msg);

/* The keep-alive period the service manager wants (half its watchdog
 * timeout), 0 if none. */
uint32_t sd_notify_watchdog_interval_ms(void);

/* Close the socket. */
void sd_notify_exit(void);

#endif
