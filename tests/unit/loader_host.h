/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A host table for tests of the plugins layer. The loader is handed its
 * host table (plugins_set_host()), so its tests hand it this one instead of
 * the daemon's (core/plugin_host.c): registration goes to the loader's
 * registries, logging and configuration to the layers below, and nothing
 * above the loader is linked in.
 */
#ifndef PX_TEST_LOADER_HOST_H
#define PX_TEST_LOADER_HOST_H

#include <plexus/plugin.h>

const struct px_host *loader_test_host(void);

#endif
