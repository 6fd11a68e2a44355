/* SPDX-License-Identifier: MIT */
/*
 * A plugin that claims a future ABI major (2.0). The loader must refuse it
 * from its descriptor alone: init() aborts so that running it is noticed.
 */
#include <stdlib.h>

#include <plexus/plugin.h>

static int badabi_init(px_plugin *self, const struct px_host *host) {
	abort();
}

PX_EXPORT extern const struct px_plugin_desc badabi_LTX_plexus_plugin;
PX_EXPORT const struct px_plugin_desc badabi_LTX_plexus_plugin = {
    .size = sizeof(struct px_plugin_desc),
    .abi_major = 2,
    .abi_minor = 0,
    .name = "badabi",
    .version = "2.0",
    .init = badabi_init,
};
