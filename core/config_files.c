/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The daemon's configuration files: tinc.conf (or plexus.conf) with conf.d/
 * and the command line's -o, and hosts/NAME read through the host cache. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "host_cache.h"
#include "logger.h"
#include "xalloc.h"

/* Milliseconds of a monotonic clock, for the ageing of negative cache entries. */
static uint64_t host_cache_clock_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const struct conf *host_conf(const char *name) {
	if (!check_node_name(name)) {
		logger(PX_LOG_ERROR, LOG_WARNING, "Refusing to read host file for invalid node name");
		return NULL;
	}

	uint64_t now = host_cache_clock_ms();
	struct host_cache_entry *h = host_cache_find(name, now);
	if (h) {
		return h->ok ? &h->conf : NULL;
	}

	struct conf c;
	bool ok = false;
	conf_init(&c);

	if (confbase) {
		char *path = conf_path_join(confbase, "hosts", name);

		if (access(path, F_OK)) {
			logger(PX_LOG_PROTOCOL, LOG_DEBUG, "No host file %s", path);
		} else {
			ok = conf_read_file(&c, path, true) == 0;
		}

		free(path);
	}

	if (ok) {
		conf_apply_host_overrides(&c, name);
		conf_check_host_support(&c); /* no host variable is refused */
	}

	h = host_cache_add(name, &c, ok, now);
	conf_free(&c);
	return h->ok ? &h->conf : NULL;
}

int host_files_foreach(const char *skip, void (*cb)(const char *name, void *arg), void *arg) {
	if (!confbase) {
		errno = ENOENT;
		return -1;
	}

	char *dir = conf_path_join(confbase, "hosts", NULL);
	DIR *d = opendir(dir);
	free(dir);

	if (!d) {
		return -1;
	}

	const struct dirent *ent;

	while ((ent = readdir(d))) {
		if (check_node_name(ent->d_name) && (!skip || strcmp(ent->d_name, skip))) {
			cb(ent->d_name, arg);
		}
	}

	closedir(d);
	return 0;
}

/* Drop one cached host file so the next host_conf() re-reads it (tinc
 * re-reads hosts/NAME before every connection attempt). */
void host_conf_forget(const char *name) {
	host_cache_forget(name);
}

void host_conf_flush(void) {
	host_cache_flush();
}

/* Replace every character a node name may not contain with '_'. */
static void sanitize_name(char *s) {
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_') {
			*s = '_';
		}
	}
}

/* Expand `$HOST` (hostname) and `$VAR` (environment) in Name. Returns a new string or NULL. */
static char *expand_name(const char *name) {
	if (name[0] != '$') {
		return xstrdup(name);
	}

	const char *env = getenv(name + 1);
	char *result;

	if (env) {
		result = xstrdup(env);
	} else if (!strcmp(name + 1, "HOST")) {
		char host[256];

		if (gethostname(host, sizeof(host))) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not get hostname for Name = $HOST: %s",
			       strerror(errno));
			return NULL;
		}

		host[sizeof(host) - 1] = '\0';
		result = xstrdup(host);
	} else {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid Name: environment variable %s does not exist",
		       name + 1);
		return NULL;
	}

	sanitize_name(result);
	return result;
}

/* Keep only real command-line entries (so that a reload re-reads files but keeps -o). */
static void drop_file_entries(struct conf *c) {
	size_t j = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].file || c->v[i].line < 0) {
			free(c->v[i].var);
			free(c->v[i].value);
			free(c->v[i].file);
		} else {
			c->v[j++] = c->v[i];
		}
	}

	c->n = j;
}

static int conf_d_filter(const struct dirent *d) {
	size_t len = strlen(d->d_name);
	return d->d_name[0] != '.' && len > 5 && !strcmp(d->d_name + len - 5, ".conf");
}

/* 1.1 reads conf.d/<*>.conf after tinc.conf, in name order. */
static int read_conf_d(void) {
	char *dir = conf_path_join(confbase, "conf.d", NULL);
	struct dirent **list = NULL;
	int n = scandir(dir, &list, conf_d_filter, alphasort);
	int ret = 0;

	for (int i = 0; i < n; i++) {
		if (!ret) {
			char *path = conf_path_join(dir, list[i]->d_name, NULL);
			ret = conf_read_file(&server_conf, path, true);
			free(path);
		}

		free(list[i]);
	}

	free(list);
	free(dir);
	return ret;
}

int read_server_config(void) {
	if (!confbase) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "No configuration directory set");
		return -1;
	}

	free(main_conf_path);
	main_conf_path = conf_path_join(confbase, "plexus.conf", NULL);

	if (access(main_conf_path, F_OK)) {
		free(main_conf_path);
		main_conf_path = conf_path_join(confbase, "tinc.conf", NULL);
	}

	drop_file_entries(&server_conf);
	host_conf_flush();

	if (conf_read_file(&server_conf, main_conf_path, true) || read_conf_d()) {
		return -1;
	}

	struct conf_entry *name_entry = (struct conf_entry *)conf_get_entry(&server_conf, "Name", 0);

	if (!name_entry) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Name for the daemon is required in %s", main_conf_path);
		return -1;
	}

	char *name = expand_name(name_entry->value);

	if (!name) {
		return -1;
	}

	if (!check_node_name(name)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "%s: invalid Name `%s' (only letters, digits and _ allowed)",
		       conf_where(name_entry->file, name_entry->line), name);
		free(name);
		return -1;
	}

	/* Store the expanded name so that everyone reading Name sees the real one. */
	free(name_entry->value);
	name_entry->value = name;

	/* Our host file may not exist yet (plexusd -K creates it), so it is optional here. */
	char *host_path = conf_path_join(confbase, "hosts", name);

	if (access(host_path, F_OK)) {
		logger(PX_LOG_ALWAYS, LOG_WARNING, "No host file %s for ourselves yet", host_path);
	}

	int ret = conf_read_file(&server_conf, host_path, false);
	free(host_path);

	if (ret) {
		return -1;
	}

	/* conf_read_file may have moved the array; re-find the name. */
	name = xstrdup(conf_get(&server_conf, "Name", 0));
	conf_apply_host_overrides(&server_conf, name);
	free(name);

	conf_forget_host_reports();
	return conf_check_support(&server_conf);
}
