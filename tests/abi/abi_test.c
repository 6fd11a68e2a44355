/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * ABI guard: the real loader against real modules. frozen-v1 (built from the
 * frozen ABI 1.0 headers) must load, initialise, register and run; badabi
 * (ABI 2.0) and misnamed must be refused; two plugins claiming one request
 * id must fail start-up, and so must a crypto plugin without a mandatory
 * operation; DisablePlugin, PluginDir, subdirectory discovery (only a
 * subdirectory named after its plugin), .la-over-.so preference and bare .so
 * files are exercised on the way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "logger.h"
#include "plugin_host.h"
#include "plugin_loader.h"

#if !defined(ABI_PLUGIN_DIR) || !defined(ABI_EXAMPLE_DIR)
#error ABI_PLUGIN_DIR and ABI_EXAMPLE_DIR must name the directories holding the test modules
#endif

#define STR_(x)  #x
#define STR(x)   STR_(x)
#define CORE_ABI STR(PX_ABI_MAJOR) "." STR(PX_ABI_MINOR)

static char captured[65536];
static size_t captured_len;

static void tap_write(struct log_tap *tap, int level, const char *msg, size_t len) {
	if (captured_len + len + 2 > sizeof(captured)) {
		return;
	}
	memcpy(captured + captured_len, msg, len);
	captured_len += len;
	captured[captured_len++] = '\n';
	captured[captured_len] = 0;
}

static struct log_tap tap = {.level = 10, .write = tap_write};

static bool logged(const char *text) {
	bool found = strstr(captured, text) != NULL;
	if (!found) {
		fprintf(stderr, "expected log line containing: %s\n", text);
	}
	return found;
}

/* Fresh server configuration from the given lines, fresh log capture. */
static void setup(const char *plugin_path, const char *const *lines) {
	captured_len = 0;
	captured[0] = 0;
	conf_free(&server_conf);
	conf_init(&server_conf);
	for (; lines && *lines; lines++) {
		conf_add_line(&server_conf, *lines, NULL, 0);
	}
	if (plugin_path) {
		setenv("PLEXUS_PLUGIN_PATH", plugin_path, 1);
	} else {
		unsetenv("PLEXUS_PLUGIN_PATH");
	}
}

static struct px_plugin *loaded(const char *name) {
	struct px_plugin *p;
	list_for_each_entry(p, &plugin_list, link) {
		if (!strcmp(p->name, name)) {
			return p;
		}
	}
	return NULL;
}

static void test_frozen_plugin_loads(void) {
	static const char *const conf[] = {"DisablePlugin = badabi",
	                                   "DisablePlugin = dup-a",
	                                   "DisablePlugin = dup-b",
	                                   "DisablePlugin = misnamed",
	                                   "FrozenGreeting = hello",
	                                   "FrozenNumber = 42",
	                                   NULL};
	setup("/nonexistent/plexus-abi-test::" ABI_PLUGIN_DIR, conf);

	CHECK(plugins_load() == 0);
	struct px_plugin *p = loaded("frozen-v1");
	CHECK(p != NULL);
	if (!p) {
		plugins_unload();
		return;
	}
	CHECK_STR(p->path, ABI_PLUGIN_DIR "/frozen-v1.la");
	CHECK(p->initialised);
	CHECK(!loaded("badabi") && !loaded("dup-a") && !loaded("dup-b") && !loaded("misnamed"));
	CHECK(logged("Plugin badabi disabled by configuration"));
	CHECK(logged("Plugin misnamed disabled by configuration"));
	CHECK(logged("[frozen-v1] frozen-v1 init: host ABI " CORE_ABI ", greeting=hello number=42 flag=1"));
	CHECK_STR(p->provides, "request:FROZEN(250)");

	const struct request_provider *r = request_for_id(250);
	CHECK(r && r->plugin == p);
	if (r) {
		CHECK_STR(r->ops->name, "FROZEN");
		CHECK(r->ops->handle(r->plugin, NULL, "250 ping") == 0);
		CHECK(logged("[frozen-v1] frozen-v1 got request: 250 ping"));
	}

	CHECK(plugins_require("frozen-v1", "for the test") == 0);
	CHECK(plugins_require("no-such-plugin", "for the test") == -1);
	CHECK(logged("Plugin `no-such-plugin' is required (for the test) but was not found; searched: "
	             "/nonexistent/plexus-abi-test:" ABI_PLUGIN_DIR ":"));

	CHECK(plugins_start() == 0);
	CHECK(p->started);
	CHECK(logged("[frozen-v1] frozen-v1 started"));
	plugins_unload();
	CHECK(logged("[frozen-v1] frozen-v1 stopped"));
	CHECK(logged("[frozen-v1] frozen-v1 finished"));
	CHECK(request_for_id(250) == NULL);
	CHECK(plugins_count() == 0);
	CHECK(list_empty(&plugin_list));
}

static void test_future_abi_refused(void) {
	static const char *const conf[] = {"DisablePlugin = dup-a", "DisablePlugin = dup-b",
	                                   "DisablePlugin = misnamed", NULL};
	setup(ABI_PLUGIN_DIR, conf);
	/* A stale plugin is logged and skipped: the daemon starts without it
	 * unless the configuration needs it. */
	CHECK(plugins_load() == 0);
	CHECK(logged("Plugin `badabi' (" ABI_PLUGIN_DIR "/badabi.la) was built for plugin ABI 2.0, "
	             "this plexusd provides " CORE_ABI ": not loaded"));
	CHECK(!loaded("badabi"));
	CHECK(loaded("frozen-v1") != NULL);
	CHECK(plugins_require("badabi", "RequirePlugin") == -1);
	plugins_unload();
}

static void test_duplicate_request_id(void) {
	static const char *const conf[] = {"DisablePlugin = badabi", "DisablePlugin = misnamed", NULL};
	setup(ABI_PLUGIN_DIR, conf);
	CHECK(plugins_load() == -1);
	CHECK(logged("Request id 240 claimed by both `dup-a' and `dup-b'"));
	const struct request_provider *r = request_for_id(240);
	CHECK(r && !strcmp(r->plugin->name, "dup-a"));
	plugins_unload();
}

static void test_name_mismatch(void) {
	static const char *const conf[] = {"DisablePlugin = badabi", "DisablePlugin = dup-a",
	                                   "DisablePlugin = dup-b", NULL};
	setup(ABI_PLUGIN_DIR, conf);
	CHECK(plugins_load() == 0); /* logged and skipped, like a stale plugin */
	CHECK(logged("Plugin `someone-else' (" ABI_PLUGIN_DIR "/misnamed.la, plugin ABI " CORE_ABI
	             ", this plexusd provides " CORE_ABI
	             ") does not match its file name `misnamed': not loaded"));
	CHECK(!loaded("misnamed") && !loaded("someone-else"));
	plugins_unload();
}

static const char *const only_frozen[] = {"DisablePlugin = badabi",
                                          "DisablePlugin = dup-a",
                                          "DisablePlugin = dup-b",
                                          "DisablePlugin = misnamed",
                                          "PluginDir = " ABI_PLUGIN_DIR "/..",
                                          NULL};

/* A fresh directory under /tmp for one test (0700, root's when run as
 * root), or NULL. */
static char *temp_dir(void) {
	static char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/plexus-abi-XXXXXX");
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return NULL;
	}
	return dir;
}

static void remove_tree(const char *dir) {
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd)) {
		fprintf(stderr, "could not remove %s\n", dir);
	}
}

/* PluginDir, and the build tree's layout: a plugin in a subdirectory of its
 * own name (here a link to tests/abi, which also holds badabi and misnamed:
 * only frozen-v1/frozen-v1.la is looked at). A subdirectory of another
 * name is not looked into. */
static void test_plugindir_and_subdirectory(void) {
	char *dir = temp_dir();
	if (!dir) {
		return;
	}
	char own[128], other[128], conf_line[128];
	snprintf(own, sizeof(own), "%s/frozen-v1", dir);
	snprintf(other, sizeof(other), "%s/abi", dir);
	CHECK(symlink(ABI_PLUGIN_DIR, own) == 0 && symlink(ABI_PLUGIN_DIR, other) == 0);
	snprintf(conf_line, sizeof(conf_line), "PluginDir = %s", dir);
	const char *const conf[] = {conf_line, NULL};

	setup(NULL, conf);
	CHECK(plugins_load() == 0); /* badabi and misnamed would fail it */
	struct px_plugin *p = loaded("frozen-v1");
	char want[160];
	snprintf(want, sizeof(want), "%s/frozen-v1.la", own);
	CHECK(p && !strcmp(p->path, want));
	CHECK(plugins_count() == 1);
	plugins_unload();
	remove_tree(dir);
}

/* libtool's .libs holds frozen-v1.la (a link) next to frozen-v1.so. */
static void test_la_preferred(void) {
	setup(ABI_PLUGIN_DIR "/.libs", only_frozen);
	CHECK(plugins_load() == 0);
	struct px_plugin *p = loaded("frozen-v1");
	CHECK(p && !strcmp(p->path, ABI_PLUGIN_DIR "/.libs/frozen-v1.la"));
	plugins_unload();
}

static int copy_file(const char *from, const char *to) {
	int in = open(from, O_RDONLY);
	if (in < 0) {
		return -1;
	}
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	char buf[65536];
	ssize_t len;
	int rc = 0;
	while ((len = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)len) != len) {
			rc = -1;
			break;
		}
	}
	if (len < 0) {
		rc = -1;
	}
	close(in);
	close(out);
	return rc;
}

/* A bare .so (no .la): the loader must find frozen_v1_LTX_plexus_plugin
 * itself, since libltdl knows no module name for it. */
static void test_bare_shared_object(void) {
	char *dir = temp_dir();
	if (!dir) {
		return;
	}
	char so[128];
	snprintf(so, sizeof(so), "%s/frozen-v1.so", dir);
	CHECK(copy_file(ABI_PLUGIN_DIR "/.libs/frozen-v1.so", so) == 0);

	setup(dir, only_frozen);
	CHECK(plugins_load() == 0);
	struct px_plugin *p = loaded("frozen-v1");
	CHECK(p && !strcmp(p->path, so));
	CHECK(request_for_id(250) != NULL);
	plugins_unload();
	remove_tree(dir);
}

/* Plugin files anywhere else below a search directory are never opened:
 * not in a subdirectory of another name, not deeper down, not under
 * another name in the plugin's own subdirectory. */
static void test_other_subdirectories_ignored(void) {
	char *dir = temp_dir();
	if (!dir) {
		return;
	}
	static const char *const places[] = {"extra", "frozen-v1", "frozen-v1/deeper"};
	static const char *const files[] = {"extra/frozen-v1.so", "frozen-v1/deeper/frozen-v1.so",
	                                    "frozen-v1/frozen-v1-copy.so"};
	char path[256];
	for (size_t i = 0; i < sizeof(places) / sizeof(*places); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, places[i]);
		CHECK(mkdir(path, 0755) == 0);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		CHECK(copy_file(ABI_PLUGIN_DIR "/.libs/frozen-v1.so", path) == 0);
	}

	setup(dir, NULL);
	CHECK(plugins_load() == 0);
	CHECK(plugins_count() == 0);
	CHECK(!loaded("frozen-v1") && !loaded("frozen-v1-copy"));
	plugins_unload();

	/* the control: the same file where the layout has it loads */
	snprintf(path, sizeof(path), "%s/frozen-v1/frozen-v1.so", dir);
	CHECK(copy_file(ABI_PLUGIN_DIR "/.libs/frozen-v1.so", path) == 0);
	setup(dir, NULL);
	CHECK(plugins_load() == 0);
	struct px_plugin *p = loaded("frozen-v1");
	CHECK(p && !strcmp(p->path, path));
	CHECK(plugins_count() == 1);
	plugins_unload();
	remove_tree(dir);
}

/* A crypto plugin without key_valid (called on every packet, unchecked)
 * is refused when it registers, and start-up fails. */
static void test_incomplete_crypto_refused(void) {
	setup(ABI_PLUGIN_DIR "/incomplete", NULL);
	CHECK(plugins_load() == -1);
	CHECK(logged("Plugin `crypto-incomplete': crypto protocol `incomplete' lacks the mandatory key_valid "
	             "operation: not registered"));
	CHECK(crypto_by_name("incomplete") == NULL && crypto_for_minor(0) == NULL);
	plugins_unload();
}

/* The SDK example, as built from sdk/examples/hello.c. */
static void test_sdk_example(void) {
	setup(ABI_EXAMPLE_DIR, NULL);
	CHECK(plugins_load() == 0);
	struct px_plugin *p = loaded("hello");
	CHECK(p && !strcmp(p->path, ABI_EXAMPLE_DIR "/hello.la"));
	CHECK(logged("[hello] hello plugin initialised"));
	const struct request_provider *r = request_for_id(PX_REQ_EXPERIMENT_FIRST);
	CHECK(r && r->plugin == p && (r->ops->flags & PX_REQF_BROADCAST));
	if (r) {
		CHECK(r->ops->handle(r->plugin, NULL, "200 1 hi") == 0);
		CHECK(logged("[hello] HELLO from ?: 200 1 hi"));
	}
	plugins_unload();
}

int main(void) {
	plugins_set_host(host_table());
	conf_init(&server_conf);
	logger_tap_add(&tap);

	test_frozen_plugin_loads();
	test_future_abi_refused();
	test_duplicate_request_id();
	test_name_mismatch();
	test_plugindir_and_subdirectory();
	test_la_preferred();
	test_bare_shared_object();
	test_other_subdirectories_ignored();
	test_incomplete_crypto_refused();
	test_sdk_example();

	logger_tap_remove(&tap);
	conf_free(&server_conf);
	return check_done("abi_test");
}
