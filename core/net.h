/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The daemon's network life cycle: set-up and shut-down (net_setup.c), the
 * periodic check, reload, purge and disconnect (net.c). */
#ifndef PX_NET_H
#define PX_NET_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

#include "settings.h"

/* Lifecycle (net_setup.c / net.c). */
int net_setup(void); /* after config + plugins: myself, device, listeners */
void net_shutdown(void);
int net_reload(void);                 /* SIGHUP / plexus reload */
void net_purge(void);                 /* forget unreachable nodes */
int net_disconnect(const char *name); /* 0 ok, -2 no such connection */

/* The periodic check (net.c), started and stopped by net_setup.c. */
void net_start_timers(void);
void net_stop(void);
/* settings_read() plus what the settings configure below (admission,
 * AutoConnect); net_setup.c. */
int read_settings(void);

#endif
