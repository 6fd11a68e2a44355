/* SPDX-License-Identifier: MIT */
/*
 * A plugin compiled against the frozen copy of the ABI 1.0 headers
 * (tests/abi/v1) only. If a later change to sdk/plexus breaks the ABI, this
 * plugin stops loading or working, and abi_test fails.
 */
#include <string.h>

#include <plexus/plugin.h>

static const struct px_host *host;

static int frozen_handle(px_plugin *self, px_conn *from, const char *line) {
	host->log(self, PX_LOG_ALWAYS, "frozen-v1 got request: %s", line);
	return 0;
}

static const struct px_request_ops frozen_request = {
    .size = sizeof(struct px_request_ops),
    .id = 250,
    .name = "FROZEN",
    .handle = frozen_handle,
};

static int frozen_init(px_plugin *self, const struct px_host *h) {
	host = h;
	/* Every host entry this plugin knows must be there. */
	if (h->size < sizeof(struct px_host) || h->abi_major != PX_ABI_MAJOR) {
		return -1;
	}

	unsigned char key[16];
	memset(key, 0, sizeof(key));
	h->random_bytes(key, sizeof(key));
	h->memwipe(key, sizeof(key));
	for (size_t i = 0; i < sizeof(key); i++) {
		if (key[i]) {
			return -1;
		}
	}

	const char *greeting = h->conf_get(NULL, "FrozenGreeting", 0);
	int number = h->conf_int(NULL, "FrozenNumber", 7);
	bool flag = h->conf_bool(NULL, "FrozenFlag", true);
	h->log(self, PX_LOG_ALWAYS, "frozen-v1 init: host ABI %u.%u, greeting=%s number=%d flag=%d",
	       h->abi_major, h->abi_minor, greeting ? greeting : "(none)", number, flag);

	return h->register_request(self, &frozen_request);
}

static int frozen_start(px_plugin *self) {
	host->log(self, PX_LOG_CONNECTIONS, "frozen-v1 started");
	return 0;
}

static void frozen_stop(px_plugin *self) {
	host->log(self, PX_LOG_CONNECTIONS, "frozen-v1 stopped");
}

static void frozen_fini(px_plugin *self) {
	host->log(self, PX_LOG_CONNECTIONS, "frozen-v1 finished");
}

PX_PLUGIN_DEFINE(frozen_v1, .name = "frozen-v1", .version = "1.0", .description = "ABI 1.0 guard plugin",
                 .license = "MIT", .init = frozen_init, .start = frozen_start, .stop = frozen_stop,
                 .fini = frozen_fini);
