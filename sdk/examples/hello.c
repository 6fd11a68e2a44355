/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest useful Plexus plugin. It claims the experimental
 * request id 200 ("HELLO") and logs every HELLO it receives.
 *
 * Build out of tree (see Makefile in this directory):
 *   cc $(pkg-config --cflags plexus-sdk) -shared -fPIC -fvisibility=hidden -o hello.so hello.c
 */
#include <plexus/plugin.h>

#define REQ_HELLO PX_REQ_EXPERIMENT_FIRST /* 200: experimental, free for out-of-tree work */

/* The host table, kept from init() on: the plugin's only way into the core. */
static const struct px_host *host;

/* Called on the event loop for every "200 ..." line a peer sends us. */
static int hello_handle(px_plugin *self, px_conn *from, const char *line) {
	const char *peer = host->conn_name(from);
	host->log(self, PX_LOG_ALWAYS, "HELLO from %s: %s", peer ? peer : "?", line);
	return 0; /* -1 would close the connection: only for peers that break the protocol */
}

static const struct px_request_ops hello_request = {
    .size = sizeof(struct px_request_ops),
    .id = REQ_HELLO,
    .name = "HELLO",
    /* Ids 200-227 are flooded through the VPN (PX_REQ_IS_BROADCAST). */
    .flags = PX_REQF_BROADCAST,
    .handle = hello_handle,
};

static int hello_init(px_plugin *self, const struct px_host *h) {
	host = h;
	if (host->register_request(self, &hello_request)) {
		return -1; /* another plugin owns id 200: the core already said which */
	}
	host->log(self, PX_LOG_ALWAYS, "hello plugin initialised");
	return 0;
}

/* The file is hello.so, so the descriptor's ident is `hello` and its name "hello". */
PX_PLUGIN_DEFINE(hello, .name = "hello", .version = "1.0", .description = "Logs HELLO requests (SDK example)",
                 .license = "MIT", .init = hello_init);
