/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * What the daemon tells its service manager (systemd Type=notify): ready
 * once the device is up and the daemon listens, reloading, stopping, a
 * status line with connection and node counts, and watchdog keep-alives.
 */
#ifndef PX_SERVICE_H
#define PX_SERVICE_H

/* Connect to the service manager, if any (see sd_notify.h). */
int service_init(void);
/* After net_setup and control_init: READY=1, status, watchdog timer. */
void service_ready(void);
void service_reloading(void);
void service_reloaded(void);
void service_stopping(void);
void service_exit(void);

#endif
