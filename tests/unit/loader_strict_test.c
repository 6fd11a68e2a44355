/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * As root the loader opens only plugin files that only root can change
 * (plugin_files.c): a copy of the frozen-v1 test module is placed in
 * directories and files with the wrong owner or mode, behind symbolic links
 * and behind a libtool archive, and must be refused with a message naming
 * the offending path, while the daemon's loading goes on. Needs root (to
 * chown to nobody and because the rule applies to root only): exits 77
 * otherwise.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "logger.h"
#include "loader_host.h"
#include "plugin_loader.h"

#ifndef ABI_PLUGIN_DIR
#error ABI_PLUGIN_DIR must name the directory holding the test modules
#endif

#define NOBODY       65534
#define FROZEN_SO    ABI_PLUGIN_DIR "/.libs/frozen-v1.so"
#define FROZEN_LA    ABI_PLUGIN_DIR "/frozen-v1.la"
#define REFUSAL_TAIL "; as root, plexusd loads only files that only root can change"

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
		fprintf(stderr, "expected log line containing: %s\nlog:\n%s", text, captured);
	}
	return found;
}

static char top[64]; /* this run's directory under /tmp */

static const char *at(const char *rel) {
	static char paths[8][256];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, sizeof(paths[0]), "%s/%s", top, rel);
	return p;
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
	close(in);
	close(out);
	return len < 0 ? -1 : rc;
}

/* A fresh directory `rel` below top (mode set explicitly, umask aside). */
static const char *make_dir(const char *rel, mode_t mode) {
	const char *p = at(rel);
	CHECK(mkdir(p, 0700) == 0 && chmod(p, mode) == 0);
	return p;
}

/* Load with `path` as PLEXUS_PLUGIN_PATH and nothing else configured. */
static int load_from(const char *path) {
	captured_len = 0;
	captured[0] = 0;
	conf_free(&server_conf);
	conf_init(&server_conf);
	setenv("PLEXUS_PLUGIN_PATH", path, 1);
	return plugins_load();
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

/* frozen-v1 from `dir` is refused because of `why`; nothing else fails. */
static void expect_refused(const char *dir, const char *file, const char *why) {
	CHECK(load_from(dir) == 0);
	CHECK(!loaded("frozen-v1"));
	CHECK(!strstr(captured, "frozen-v1 init")); /* no code of it ran */
	char want[1024];
	snprintf(want, sizeof(want), "Plugin `frozen-v1' (%s) refused: %s" REFUSAL_TAIL, file, why);
	CHECK(logged(want));
	plugins_unload();
}

static void expect_loaded(const char *dir, const char *file) {
	CHECK(load_from(dir) == 0);
	struct px_plugin *p = loaded("frozen-v1");
	CHECK(p && !strcmp(p->path, file));
	CHECK(!strstr(captured, "refused"));
	plugins_unload();
}

/* The control: root's files in root's 0755 directories load. */
static void test_safe_layout_loads(void) {
	const char *dir = make_dir("safe", 0755);
	const char *so = at("safe/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, so) == 0);
	expect_loaded(dir, so);
}

static void test_writable_directory_refused(void) {
	const char *dir = make_dir("world", 0777);
	const char *so = at("world/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, so) == 0);
	char why[512];
	snprintf(why, sizeof(why), "%s is writable by others (mode 0777)", dir);
	expect_refused(dir, so, why);

	dir = make_dir("group", 0775);
	so = at("group/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, so) == 0);
	snprintf(why, sizeof(why), "%s is writable by its group (mode 0775)", dir);
	expect_refused(dir, so, why);
}

static void test_file_owner_and_mode_refused(void) {
	const char *dir = make_dir("owner", 0755);
	const char *so = at("owner/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, so) == 0 && chown(so, NOBODY, NOBODY) == 0);
	char why[512];
	snprintf(why, sizeof(why), "%s is owned by uid %d, not root", so, NOBODY);
	expect_refused(dir, so, why);

	dir = make_dir("mode", 0755);
	so = at("mode/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, so) == 0 && chmod(so, 0666) == 0);
	snprintf(why, sizeof(why), "%s is writable by others (mode 0666)", so);
	expect_refused(dir, so, why);
}

/* Every directory up to / counts, not only the one holding the file. */
static void test_writable_ancestor_refused(void) {
	make_dir("up", 0777);
	const char *dir = make_dir("up/down", 0755);
	const char *so = at("up/down/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, so) == 0);
	char why[512];
	snprintf(why, sizeof(why), "%s is writable by others (mode 0777)", at("up"));
	expect_refused(dir, so, why);
}

/* A root-owned sticky directory (like /tmp, above all these) is accepted;
 * the same directory owned by someone else is not. */
static void test_sticky_directory(void) {
	const char *dir = make_dir("sticky", 01777);
	const char *so = at("sticky/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, so) == 0);
	expect_loaded(dir, so);

	CHECK(chown(dir, NOBODY, NOBODY) == 0);
	char why[512];
	snprintf(why, sizeof(why), "%s is owned by uid %d, not root", dir, NOBODY);
	expect_refused(dir, so, why);
}

/* A link that someone else owns, or that leads into an unsafe directory. */
static void test_symbolic_links(void) {
	make_dir("real", 0755);
	const char *target = at("real/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, target) == 0);

	const char *dir = make_dir("links", 0755);
	const char *link = at("links/frozen-v1.so");
	CHECK(symlink(target, link) == 0);
	expect_loaded(dir, link); /* root's link to root's file */

	CHECK(lchown(link, NOBODY, NOBODY) == 0);
	char why[512];
	snprintf(why, sizeof(why), "%s is a symbolic link owned by uid %d, not root", link, NOBODY);
	expect_refused(dir, link, why);

	make_dir("open", 0777);
	const char *exposed = at("open/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, exposed) == 0);
	dir = make_dir("links2", 0755);
	link = at("links2/frozen-v1.so");
	CHECK(symlink(exposed, link) == 0);
	snprintf(why, sizeof(why), "%s is writable by others (mode 0777)", at("open"));
	expect_refused(dir, link, why);
}

/* The shared object a libtool archive names (in .libs/, build-tree layout)
 * is what gets opened, so it is checked too. */
static void test_object_behind_archive(void) {
	const char *dir = make_dir("la", 0755);
	make_dir("la/frozen-v1", 0755);
	make_dir("la/frozen-v1/.libs", 0755);
	const char *la = at("la/frozen-v1/frozen-v1.la");
	const char *so = at("la/frozen-v1/.libs/frozen-v1.so");
	CHECK(copy_file(FROZEN_LA, la) == 0 && copy_file(FROZEN_SO, so) == 0);
	expect_loaded(dir, la);

	CHECK(chown(so, NOBODY, NOBODY) == 0);
	char why[512];
	snprintf(why, sizeof(why), "%s is owned by uid %d, not root", so, NOBODY);
	expect_refused(dir, la, why);
}

/* A libtool archive in an unsafe place is refused before it is read, so
 * one naming nothing that exists does not fail start-up either. */
static void test_unsafe_archive_not_read(void) {
	const char *dir = make_dir("bogus", 0777);
	const char *la = at("bogus/frozen-v1.la");
	FILE *f = fopen(la, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("dlname='nowhere.so'\ninstalled=no\n", f);
		fclose(f);
	}
	char why[512];
	snprintf(why, sizeof(why), "%s is writable by others (mode 0777)", dir);
	expect_refused(dir, la, why);
}

/* A refused file is skipped as if absent: a later search directory may
 * provide the plugin, and a required plugin is reported missing. */
static void test_refused_then_found_elsewhere(void) {
	const char *bad = make_dir("first", 0777);
	const char *good = make_dir("second", 0755);
	CHECK(copy_file(FROZEN_SO, at("first/frozen-v1.so")) == 0);
	const char *so = at("second/frozen-v1.so");
	CHECK(copy_file(FROZEN_SO, so) == 0);
	char path[600];
	snprintf(path, sizeof(path), "%s:%s", bad, good);
	CHECK(load_from(path) == 0);
	struct px_plugin *p = loaded("frozen-v1");
	CHECK(p && !strcmp(p->path, so));
	CHECK(logged("refused"));
	plugins_unload();

	CHECK(load_from(bad) == 0);
	CHECK(plugins_require("frozen-v1", "for the test") == -1);
	CHECK(logged("Plugin `frozen-v1' is required (for the test) but was not found"));
	plugins_unload();
}

int main(void) {
	plugins_set_host(loader_test_host());
	if (geteuid() != 0) {
		fprintf(stderr, "loader_strict_test: SKIP, the rule applies to root only and needs chown\n");
		return 77;
	}
	umask(022);
	snprintf(top, sizeof(top), "/tmp/plexus-strict-XXXXXX");
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	conf_init(&server_conf);
	logger_tap_add(&tap);

	test_safe_layout_loads();
	test_writable_directory_refused();
	test_file_owner_and_mode_refused();
	test_writable_ancestor_refused();
	test_sticky_directory();
	test_symbolic_links();
	test_object_behind_archive();
	test_unsafe_archive_not_read();
	test_refused_then_found_elsewhere();

	logger_tap_remove(&tap);
	conf_free(&server_conf);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd)) {
		fprintf(stderr, "could not remove %s\n", top);
	}
	return check_done("loader_strict_test");
}
