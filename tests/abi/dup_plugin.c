/* SPDX-License-Identifier: MIT */
/*
 * Built several times (dup-a, dup-b, misnamed) with DUP_NAME, DUP_IDENT and
 * DUP_ID: two of them claim the same request id, which must fail start-up;
 * misnamed's descriptor name differs from its file name.
 */
#include <plexus/plugin.h>

static int dup_handle(px_plugin *self, px_conn *from, const char *line) {
	return 0;
}

static const struct px_request_ops dup_request = {
    .size = sizeof(struct px_request_ops),
    .id = DUP_ID,
    .name = "DUP",
    .handle = dup_handle,
};

static int dup_init(px_plugin *self, const struct px_host *host) {
	host->log(self, PX_LOG_ALWAYS, "%s init", DUP_NAME);
	/* The result is ignored on purpose: the loader must fail start-up on a
	 * conflict even when the plugin does not check. */
	host->register_request(self, &dup_request);
	return 0;
}

PX_PLUGIN_DEFINE(DUP_IDENT, .name = DUP_NAME, .version = "1", .init = dup_init);
