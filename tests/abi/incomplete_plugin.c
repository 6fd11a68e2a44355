/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A crypto plugin that registers without key_valid, which the core calls
 * on every packet without a NULL check. The loader must refuse the
 * registration (naming the plugin and the operation) and fail start-up,
 * instead of letting the first packet crash the daemon.
 */
#include <plexus/plugin.h>

static int incomplete_meta_start(px_plugin *self, px_conn *c, void **state) {
	return -1;
}

static void incomplete_key_request(px_plugin *self, px_node *to) {
}

static unsigned incomplete_seal(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n) {
	return 0;
}

static const struct px_crypto_ops incomplete_ops = {
    .size = sizeof(struct px_crypto_ops),
    .name = "incomplete",
    .minor_min = 0,
    .minor_max = 1,
    .meta_start = incomplete_meta_start,
    .key_request = incomplete_key_request,
    .seal = incomplete_seal,
    .open = incomplete_seal,
};

static int incomplete_init(px_plugin *self, const struct px_host *host) {
	/* The result is ignored on purpose: the refusal must fail start-up even
	 * when the plugin does not check. */
	host->register_crypto(self, &incomplete_ops);
	return 0;
}

PX_PLUGIN_DEFINE(crypto_incomplete, .name = "crypto-incomplete", .version = "1", .init = incomplete_init);
