/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The plugin host table: the core's functions as plugins see them
 * (struct px_host in sdk/plexus/plugin.h), each a thin adapter onto the
 * layer that does the work. */
#ifndef PX_PLUGIN_HOST_H
#define PX_PLUGIN_HOST_H

#include <plexus/plugin.h>

const struct px_host *host_table(void);

#endif
