/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The wiring of the core's layers (daemon.c). */
#ifndef PX_DAEMON_H
#define PX_DAEMON_H

/* Connect the layers: callbacks, sinks, the request table and the plugins'
 * host table. Call once before anything else (idempotent). */
void daemon_wire(void);

#endif
