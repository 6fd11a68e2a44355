/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Finding, validating and loading plugins (libltdl), and the registries of
 * what they provide. Search order: PLEXUS_PLUGIN_PATH (colon-separated),
 * then the PluginDir config variable, then the installed plugin directory.
 */
#ifndef PX_PLUGIN_LOADER_H
#define PX_PLUGIN_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include <plexus/plugin.h>

#include "list.h"

/* The core's view of a loaded plugin (opaque px_plugin to plugins). */
struct px_plugin {
	int index; /* slot index for node/conn private pointers */
	char *name;
	char *path;
	const struct px_plugin_desc *desc;
	void *handle; /* lt_dlhandle */
	bool initialised, started;
	char provides[256]; /* human-readable: "crypto:legacy request:100" */
	struct list_head link;
};

struct crypto_provider {
	const struct px_crypto_ops *ops;
	struct px_plugin *plugin;
};
struct compress_provider {
	const struct px_compress_ops *ops;
	struct px_plugin *plugin;
};
/* One entry of the request table: a plugin's request (plugin, ops->handle)
 * or one of the core's (plugin NULL, core_handle; ops holds its name). */
struct request_provider {
	const struct px_request_ops *ops;
	struct px_plugin *plugin;
	int (*core_handle)(struct px_conn *c, const char *line);
	bool needs_graph; /* core: may look at reachability or next hops */
};
struct dgram_provider {
	const struct px_dgram_ops *ops;
	struct px_plugin *plugin;
};
struct stream_provider {
	const struct px_stream_ops *ops;
	struct px_plugin *plugin;
};

extern struct list_head plugin_list;

/* Load every plugin found in the search path (NAME.la or NAME.so in a
 * search directory or in its subdirectory NAME; first directory that has a
 * given name wins), skipping names listed in DisablePlugin and, as root,
 * files that others could change, validate their descriptors and call
 * init(). A file that cannot be used (another ABI major, a newer minor, a
 * bad descriptor) is logged and skipped like an absent plugin. Returns 0,
 * or -1 on a start-up error (init() failed, duplicate registration,
 * missing mandatory operation), already logged. */
int plugins_load(void);
/* Fail (logged: plugin name and every directory searched) if not loaded. */
int plugins_require(const char *name, const char *why);
/* An optional plugin is missing: log it, where we looked and what the
 * daemon does instead. */
void plugins_report_missing(const char *name, const char *instead);
int plugins_start(void);
void plugins_stop(void);
void plugins_unload(void); /* fini + lt_dlclose */
int plugins_count(void);
/* The directories searched, for messages. */
const char *plugins_search_path(void);

/* Validate a descriptor against this core (used by loader and tests).
 * Returns 0 or -1 with a message in err. */
int plugin_desc_check(const struct px_plugin_desc *d, const char *path, char *err, size_t errlen);
/* Oldest core ABI minor the plugin runs on (ABI 1.2: min_abi_minor). */
unsigned plugin_desc_min_minor(const struct px_plugin_desc *d);

/* Registries. */
const struct crypto_provider *crypto_for_minor(int minor); /* highest-minor first */
const struct crypto_provider *crypto_by_name(const char *name);
const struct compress_provider *compress_for_level(int level);
const struct request_provider *request_for_id(int id); /* core's or a plugin's */
const struct dgram_provider *dgram_provider(void);
const struct stream_provider *stream_provider(void);
int crypto_provider_count(void);
const struct crypto_provider *crypto_provider_at(int i);

/* Registration (called through the host table; also used by tests). */
int loader_register_crypto(struct px_plugin *p, const struct px_crypto_ops *ops);
int loader_register_variable(struct px_plugin *p, const struct px_var *var); /* ABI 1.2 */
int loader_register_compress(struct px_plugin *p, const struct px_compress_ops *ops);
int loader_register_request(struct px_plugin *p, const struct px_request_ops *ops);
/* The core's requests go into the same table (protocol_register()); a
 * plugin claiming one of their ids is refused as a conflict. */
int loader_register_core_request(int id, const char *name, int (*handle)(struct px_conn *c, const char *line),
                                 bool needs_graph);
int loader_register_dgram(struct px_plugin *p, const struct px_dgram_ops *ops);
int loader_register_stream(struct px_plugin *p, const struct px_stream_ops *ops);
int loader_register_events(struct px_plugin *p, const struct px_event_ops *ops);

/* Tell every plugin that registered event hooks (NULL members skipped). */
void plugins_notify_conn(struct px_conn *c, bool active);
void plugins_notify_node(struct px_node *n, bool up);
void plugins_notify_reload(void);

/* The host table plugins_load() hands each plugin's init (the daemon's
 * wiring gives it plugin_host.c's table). Without one, no plugin loads. */
void plugins_set_host(const struct px_host *host);

#endif
