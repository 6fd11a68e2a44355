/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Plugin discovery, validation and loading (libltdl), and the registries of
 * what the loaded plugins provide.
 *
 * A plugin is refused before any of its functions is called when its
 * descriptor does not fit this core (its ELF constructors have run by
 * then: as root, only files that only root can change are opened, see
 * plugin_files.c), and when it registers without an operation the core
 * always calls. Every conflict between plugins (two owners for one request
 * id, compression level, crypto name or transport) is a start-up error,
 * never "last one wins".
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ltdl.h>

#include "conf.h"
#include "logger.h"
#include "plugin_files.h"
#include "plugin_loader.h"
#include "plugin_vars.h"

#ifndef PLEXUS_PLUGINDIR
#define PLEXUS_PLUGINDIR "/usr/local/lib/plexus"
#endif

/* Registration entry points used by host.c (the host table's register_*). */

/*
 * Smallest struct sizes this core accepts: the ABI 1.0 layouts. Later minor
 * versions only append fields, so these stay fixed; the core copies what a
 * plugin passes into a full-size, zero-filled struct, which makes fields the
 * plugin does not know read as NULL/0.
 */
#define SIZE_UPTO(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))
#define DESC_V1_SIZE          SIZE_UPTO(struct px_plugin_desc, fini)
#define CRYPTO_V1_SIZE        SIZE_UPTO(struct px_crypto_ops, describe)
#define COMPRESS_V1_SIZE      SIZE_UPTO(struct px_compress_ops, decompress)
#define REQUEST_V1_SIZE       SIZE_UPTO(struct px_request_ops, handle)
#define DGRAM_V1_SIZE         SIZE_UPTO(struct px_dgram_ops, local_addr)
#define STREAM_V1_SIZE        SIZE_UPTO(struct px_stream_ops, peer_addr)

#define MAX_CRYPTO   8
#define MAX_COMPRESS 16

struct list_head plugin_list = LIST_HEAD_INIT(plugin_list);

static int nplugins;
static bool ltdl_ready;
/* Set by a refused registration; makes the running plugins_load() fail even
 * if the plugin ignores the return value of register_*(). */
static bool registration_failed;

static struct px_crypto_ops crypto_ops[MAX_CRYPTO];
static struct crypto_provider crypto_slots[MAX_CRYPTO];         /* in registration order */
static const struct crypto_provider *crypto_sorted[MAX_CRYPTO]; /* highest minor_max first */
static int ncrypto;

static struct px_compress_ops compress_ops[MAX_COMPRESS];
static struct compress_provider compress_slots[MAX_COMPRESS];
static int ncompress;

static struct px_request_ops request_ops[PX_REQ_MAX + 1];
static struct request_provider request_slots[PX_REQ_MAX + 1]; /* indexed by id */

static struct px_dgram_ops dgram_ops;
static struct dgram_provider dgram_slot;
static struct px_stream_ops stream_ops;
static struct stream_provider stream_slot;

#define MAX_EVENTS 16
static struct px_event_ops event_ops[MAX_EVENTS];
static struct px_plugin *event_plugins[MAX_EVENTS];
static int nevents;

/* ---- search path ---------------------------------------------------- */

struct search_path {
	char **dirs;
	int n;
};

static struct search_path search;
static char *search_text; /* dirs joined with ':' for messages */

static void search_path_clear(void) {
	for (int i = 0; i < search.n; i++) {
		free(search.dirs[i]);
	}
	free(search.dirs);
	search.dirs = NULL;
	search.n = 0;
	free(search_text);
	search_text = NULL;
}

static void search_path_add(const char *dir, size_t len) {
	/* Empty entries ("a::b") and duplicates add nothing useful. */
	if (!len) {
		return;
	}
	for (int i = 0; i < search.n; i++) {
		if (strlen(search.dirs[i]) == len && !strncmp(search.dirs[i], dir, len)) {
			return;
		}
	}
	char **dirs = realloc(search.dirs, (search.n + 1) * sizeof(*dirs));
	if (!dirs) {
		return;
	}
	search.dirs = dirs;
	search.dirs[search.n] = strndup(dir, len);
	if (search.dirs[search.n]) {
		search.n++;
	}
}

/* Rebuilt on every use: the environment and PluginDir may change between
 * a reload and the next. */
static void search_path_build(void) {
	search_path_clear();

	const char *env = getenv("PLEXUS_PLUGIN_PATH");
	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);
		search_path_add(env, len);
		env = colon ? colon + 1 : NULL;
	}

	const char *confdir = conf_get(&server_conf, "PluginDir", 0);
	if (confdir) {
		search_path_add(confdir, strlen(confdir));
	}

	search_path_add(PLEXUS_PLUGINDIR, strlen(PLEXUS_PLUGINDIR));

	size_t total = 1;
	for (int i = 0; i < search.n; i++) {
		total += strlen(search.dirs[i]) + 1;
	}
	search_text = calloc(1, total);
	if (search_text) {
		for (int i = 0; i < search.n; i++) {
			if (i) {
				strcat(search_text, ":");
			}
			strcat(search_text, search.dirs[i]);
		}
	}
}

const char *plugins_search_path(void) {
	if (!search_text) {
		search_path_build();
	}
	return search_text ? search_text : "";
}

/* ---- discovery ------------------------------------------------------ */

static bool plugin_disabled(const char *name) {
	const char *v;
	for (int i = 0; (v = conf_get(&server_conf, "DisablePlugin", i)); i++) {
		if (!strcmp(v, name)) {
			return true;
		}
	}
	return false;
}

struct candidate {
	char *name;
	char *path;   /* as found: named in messages */
	char *object; /* the shared object to open: path, or what the .la names */
	char *error;  /* why there is no object to open (logged when loading) */
	int rank;     /* within its directory: lower wins */
	int dir;      /* index of the search directory it was found in */
};

struct candidates {
	struct candidate *v;
	int n;
};

static void candidates_free(struct candidates *cs) {
	for (int i = 0; i < cs->n; i++) {
		free(cs->v[i].name);
		free(cs->v[i].path);
		free(cs->v[i].object);
		free(cs->v[i].error);
	}
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

static struct candidate *candidate_find(struct candidates *cs, const char *name) {
	for (int i = 0; i < cs->n; i++) {
		if (!strcmp(cs->v[i].name, name)) {
			return &cs->v[i];
		}
	}
	return NULL;
}

/* Would a file of this rank from this directory replace what the list has?
 * A name already found in an earlier search directory stays; within one
 * directory the lowest rank wins (top-level .la, top-level .so, then the
 * same in the plugin's own subdirectory). */
static bool candidate_wanted(struct candidates *cs, const char *name, int rank, int dir) {
	const struct candidate *c = candidate_find(cs, name);
	return !c || (c->dir == dir && rank < c->rank);
}

/* Take one file (already wanted and checked); `object` and `error` are
 * adopted. */
static void candidate_offer(struct candidates *cs, const char *name, const char *path, char *object,
                            char *error, int rank, int dir) {
	struct candidate *c = candidate_find(cs, name);
	char *p = strdup(path);
	struct candidate *v = c ? NULL : realloc(cs->v, (cs->n + 1) * sizeof(*v));
	char *n = c ? NULL : strdup(name);
	if (!p || (!c && (!v || !n))) {
		free(p);
		free(n);
		free(object);
		free(error);
		if (v) {
			cs->v = v;
		}
		return;
	}
	if (!c) {
		cs->v = v;
		c = &cs->v[cs->n++];
		c->name = n;
		c->dir = dir;
	} else {
		free(c->path);
		free(c->object);
		free(c->error);
	}
	c->path = p;
	c->object = object;
	c->error = error;
	c->rank = rank;
}

/* "foo.la" -> 0 (libtool archive), "foo.so" -> 1, anything else -> -1. */
static int plugin_file_kind(const char *file, size_t *namelen) {
	size_t len = strlen(file);
	if (len > 3 && file[0] != '.') {
		*namelen = len - 3;
		if (!strcmp(file + len - 3, ".la")) {
			return 0;
		}
		if (!strcmp(file + len - 3, ".so")) {
			return 1;
		}
	}
	return -1;
}

static int compare_strings(const void *a, const void *b) {
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory, sorted so that discovery is deterministic. */
static char **dir_entries(const char *dir, int *count) {
	*count = 0;
	DIR *d = opendir(dir);
	if (!d) {
		return NULL;
	}
	char **names = NULL;
	int n = 0;
	struct dirent *ent;
	while ((ent = readdir(d))) {
		if (ent->d_name[0] == '.') {
			continue; /* ., .., and libtool's .libs */
		}
		char **grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown) {
			break;
		}
		names = grown;
		if ((names[n] = strdup(ent->d_name))) {
			n++;
		}
	}
	closedir(d);
	if (n) {
		qsort(names, n, sizeof(*names), compare_strings);
	}
	*count = n;
	return names;
}

static void free_entries(char **names, int n) {
	for (int i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
}

static void refuse_file(const char *name, const char *path, const char *why) {
	logger(0, LOG_ERR,
	       "Plugin `%s' (%s) refused: %s; as root, plexusd loads only files that only root can change",
	       name, path, why);
}

/* Consider the plugin file `path` (kind 0: .la, 1: .so) for plugin `name`:
 * find the shared object it stands for and, as root, refuse it (logged)
 * unless only root can change the file and that object. A refused file is
 * skipped as if absent, so a later search directory may still provide the
 * plugin; otherwise the daemon runs without it, or stops if it is required. */
static void consider(struct candidates *cs, const char *name, const char *path, int kind, int rank, int dir) {
	if (!candidate_wanted(cs, name, rank, dir)) {
		return;
	}
	char *object = NULL, *error = NULL;
	if (!plugin_disabled(name)) { /* a disabled plugin is only named in the log */
		bool strict = plugin_files_strict();
		char err[2 * PATH_MAX + 200];
		/* The .la itself first: it decides which object is opened. */
		if (strict && plugin_file_safe(path, err, sizeof(err))) {
			refuse_file(name, path, err);
			return;
		}
		object = kind == 0 ? plugin_la_object(path, err, sizeof(err)) : strdup(path);
		if (!object) {
			error = strdup(kind == 0 ? err : "out of memory");
		} else if (strict && kind == 0 && plugin_file_safe(object, err, sizeof(err))) {
			refuse_file(name, path, err);
			free(object);
			return;
		}
	}
	candidate_offer(cs, name, path, object, error, rank, dir);
}

/*
 * Plugin files in a search directory, then plugins in subdirectories of
 * their own name: a subdirectory NAME is looked at only for NAME/NAME.la or
 * NAME/NAME.so. That is the build tree's layout (build/plugins/compress/
 * compress.la, whose .libs/ holds compress.so; PLEXUS_PLUGIN_PATH=build/plugins
 * loads it) and nothing more: no other file in such a subdirectory, no
 * subdirectory of another name, no deeper level is ever opened.
 */
static void scan_dir(struct candidates *cs, const char *dir, int dirindex) {
	int n;
	char **names = dir_entries(dir, &n);

	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			char path[PATH_MAX];
			if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path)) {
				continue;
			}
			struct stat st;
			if (stat(path, &st)) {
				continue;
			}
			if (pass == 0) {
				size_t namelen;
				int kind = plugin_file_kind(names[i], &namelen);
				char name[256];
				if (!S_ISREG(st.st_mode) || kind < 0 || namelen >= sizeof(name)) {
					continue;
				}
				memcpy(name, names[i], namelen);
				name[namelen] = 0;
				consider(cs, name, path, kind, kind, dirindex);
			} else if (S_ISDIR(st.st_mode) && strlen(names[i]) < 256) {
				for (int kind = 0; kind < 2; kind++) {
					char file[PATH_MAX];
					struct stat fst;
					if (snprintf(file, sizeof(file), "%s/%s%s", path, names[i],
					             kind ? ".so" : ".la") < (int)sizeof(file) &&
					    stat(file, &fst) == 0 && S_ISREG(fst.st_mode)) {
						consider(cs, names[i], file, kind, 2 + kind, dirindex);
					}
				}
			}
		}
	}

	free_entries(names, n);
}

static int compare_candidates(const void *a, const void *b) {
	return strcmp(((const struct candidate *)a)->name, ((const struct candidate *)b)->name);
}

static void discover(struct candidates *cs) {
	for (int i = 0; i < search.n; i++) {
		scan_dir(cs, search.dirs[i], i);
	}
	if (cs->n) {
		qsort(cs->v, cs->n, sizeof(*cs->v), compare_candidates);
	}
}

/* ---- descriptor checks ---------------------------------------------- */

/* The plugin name a file implies: its base name without .la/.so. */
static void name_from_path(const char *path, char *out, size_t outlen) {
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	size_t namelen;
	if (plugin_file_kind(base, &namelen) >= 0) {
		len = namelen;
	}
	if (len >= outlen) {
		len = outlen - 1;
	}
	memcpy(out, base, len);
	out[len] = 0;
}

/* The oldest core minor a plugin runs on: what it was built against,
 * unless it declares (ABI 1.2) that it checks PX_HOST_HAS for newer entries. */
unsigned plugin_desc_min_minor(const struct px_plugin_desc *d) {
	if (d->size >= SIZE_UPTO(struct px_plugin_desc, min_abi_minor) && d->min_abi_minor < d->abi_minor)
		return d->min_abi_minor;
	return d->abi_minor;
}

int plugin_desc_check(const struct px_plugin_desc *d, const char *path, char *err, size_t errlen) {
	char filename[256] = "?";
	if (path) {
		name_from_path(path, filename, sizeof(filename));
	}
	const char *where = path ? path : "?";

	if (!d) {
		snprintf(err, errlen,
		         "Plugin `%s' (%s) has no %s descriptor, this plexusd provides plugin ABI %d.%d: not "
		         "loaded",
		         filename, where, PX_PLUGIN_SYMBOL, PX_ABI_MAJOR, PX_ABI_MINOR);
		return -1;
	}

	/* The version fields are part of every descriptor ever defined; only
	 * trust them (and the rest) once the size says they are there. */
	if (d->size < SIZE_UPTO(struct px_plugin_desc, abi_minor)) {
		snprintf(err, errlen,
		         "Plugin `%s' (%s) has a descriptor of %u bytes and no plugin ABI version, this "
		         "plexusd provides %d.%d: not loaded",
		         filename, where, (unsigned)d->size, PX_ABI_MAJOR, PX_ABI_MINOR);
		return -1;
	}

	const char *name = d->size >= SIZE_UPTO(struct px_plugin_desc, name) && d->name ? d->name : filename;

	if (d->abi_major != PX_ABI_MAJOR) {
		snprintf(err, errlen,
		         "Plugin `%s' (%s) was built for plugin ABI %u.%u, this plexusd provides %d.%d: not "
		         "loaded",
		         name, where, d->abi_major, d->abi_minor, PX_ABI_MAJOR, PX_ABI_MINOR);
		return -1;
	}
	unsigned need = plugin_desc_min_minor(d);
	if (need > PX_ABI_MINOR) {
		snprintf(err, errlen,
		         "Plugin `%s' (%s) was built for plugin ABI %u.%u and needs a newer plexusd (ABI "
		         "%u.%u or later), this one provides %d.%d: not loaded",
		         name, where, d->abi_major, d->abi_minor, d->abi_major, need, PX_ABI_MAJOR,
		         PX_ABI_MINOR);
		return -1;
	}
	if (d->size < DESC_V1_SIZE) {
		snprintf(err, errlen,
		         "Plugin `%s' (%s) has a descriptor of %u bytes (at least %u expected) for plugin "
		         "ABI %u.%u, this plexusd provides %d.%d: not loaded",
		         name, where, (unsigned)d->size, (unsigned)DESC_V1_SIZE, d->abi_major, d->abi_minor,
		         PX_ABI_MAJOR, PX_ABI_MINOR);
		return -1;
	}
	if (!d->name || !*d->name || !d->init) {
		snprintf(
		    err, errlen,
		    "Plugin `%s' (%s, plugin ABI %u.%u, this plexusd provides %d.%d) has no %s: not loaded",
		    name, where, d->abi_major, d->abi_minor, PX_ABI_MAJOR, PX_ABI_MINOR,
		    !d->name || !*d->name ? "name" : "init function");
		return -1;
	}
	if (path && strcmp(d->name, filename)) {
		snprintf(err, errlen,
		         "Plugin `%s' (%s, plugin ABI %u.%u, this plexusd provides %d.%d) does not match its "
		         "file name `%s': not loaded",
		         d->name, where, d->abi_major, d->abi_minor, PX_ABI_MAJOR, PX_ABI_MINOR, filename);
		return -1;
	}
	return 0;
}

/* ---- loading -------------------------------------------------------- */

/*
 * Find the descriptor. lt_dlsym() tries "<module>_LTX_plexus_plugin" itself,
 * with libltdl's module name (the file name, '-' and other non-alphanumerics
 * turned into '_'; checked for .la and bare .so with libltdl 2.4.7). The
 * explicit lookup covers libltdl versions or file names where its module
 * name differs from PX_PLUGIN_DEFINE's ident.
 */
static const struct px_plugin_desc *find_descriptor(lt_dlhandle h, const char *name) {
	const struct px_plugin_desc *d = lt_dlsym(h, PX_PLUGIN_SYMBOL);
	if (d) {
		return d;
	}
	char sym[300];
	size_t len = strlen(name);
	if (len + sizeof("_LTX_" PX_PLUGIN_SYMBOL) > sizeof(sym)) {
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		sym[i] = isalnum((unsigned char)name[i]) ? name[i] : '_';
	}
	strcpy(sym + len, "_LTX_" PX_PLUGIN_SYMBOL);
	return lt_dlsym(h, sym);
}

static struct px_plugin *plugin_find(const char *name) {
	struct px_plugin *p;
	list_for_each_entry(p, &plugin_list, link) {
		if (!strcmp(p->name, name)) {
			return p;
		}
	}
	return NULL;
}

static void plugin_free(struct px_plugin *p) {
	if (p->handle) {
		lt_dlclose(p->handle);
	}
	free(p->name);
	free(p->path);
	free(p);
}

/* Open and validate one candidate. No plugin function is called here, but
 * the object's ELF constructors run: consider() vetted the file. */
static struct px_plugin *plugin_open(const struct candidate *c) {
	if (!c->object) {
		logger(0, LOG_ERR, "Plugin `%s' (%s) could not be opened: %s: not loaded", c->name, c->path,
		       c->error ? c->error : "unknown error");
		return NULL;
	}
	/* The object itself, not the .la: libltdl would search for the object
	 * again, and what is opened must be what was checked. */
	lt_dlhandle h = lt_dlopen(c->object);
	if (!h) {
		const char *why = lt_dlerror();
		logger(0, LOG_ERR, "Plugin `%s' (%s) could not be opened: %s: not loaded", c->name, c->path,
		       why ? why : "unknown error");
		return NULL;
	}

	const struct px_plugin_desc *d = find_descriptor(h, c->name);
	char err[512];
	if (plugin_desc_check(d, c->path, err, sizeof(err))) {
		logger(0, LOG_ERR, "%s", err);
		lt_dlclose(h);
		return NULL;
	}

	struct px_plugin *p = calloc(1, sizeof(*p));
	if (!p || !(p->name = strdup(c->name)) || !(p->path = strdup(c->path))) {
		logger(0, LOG_ERR, "Out of memory loading plugin `%s'", c->name);
		if (p) {
			free(p->name);
			free(p);
		}
		lt_dlclose(h);
		return NULL;
	}
	p->handle = h;
	p->desc = d;
	p->index = nplugins++;
	list_init(&p->link);
	return p;
}

static const struct px_host *loader_host;

void plugins_set_host(const struct px_host *host) {
	loader_host = host;
}

int plugins_load(void) {
	int result = 0;

	if (!ltdl_ready) {
		if (lt_dlinit()) {
			const char *why = lt_dlerror();
			logger(0, LOG_ERR, "Could not initialise libltdl: %s", why ? why : "unknown error");
			return -1;
		}
		ltdl_ready = true;
	}

	search_path_build();
	logger(2, LOG_DEBUG, "Plugin search path: %s", plugins_search_path());

	struct candidates cs = {0};
	discover(&cs);

	for (int i = 0; i < cs.n; i++) {
		const struct candidate *c = &cs.v[i];
		if (plugin_find(c->name)) {
			continue; /* already loaded by an earlier call */
		}
		if (plugin_disabled(c->name)) {
			logger(1, LOG_INFO, "Plugin %s disabled by configuration", c->name);
			continue;
		}
		/* A file we cannot use (another ABI major, a newer minor, no or a
		 * bad descriptor) is a stale or foreign plugin: plugin_open logged
		 * why, and it counts as absent. Whether the configuration needs
		 * it is decided later (RequirePlugin, transports, crypto). */
		struct px_plugin *p = plugin_open(c);
		if (!p)
			continue;
		list_add_tail(&p->link, &plugin_list);

		registration_failed = false;
		int rc = loader_host ? p->desc->init(p, loader_host) : -1;
		if (rc) {
			logger(0, LOG_ERR, "Plugin `%s' (%s) failed to initialise", p->name, p->path);
			result = -1;
		} else if (registration_failed) {
			/* The conflict was logged by the register call. */
			result = -1;
			p->initialised = true;
		} else {
			p->initialised = true;
			logger(1, LOG_INFO, "Loaded plugin %s %s (%s)%s%s", p->name,
			       p->desc->version ? p->desc->version : "", p->path, p->provides[0] ? ": " : "",
			       p->provides);
		}
	}

	candidates_free(&cs);
	return result;
}

int plugins_require(const char *name, const char *why) {
	if (plugin_find(name)) {
		return 0;
	}
	if (plugin_disabled(name)) {
		logger(0, LOG_ERR, "Plugin `%s' is required (%s) but disabled by DisablePlugin", name,
		       why ? why : "?");
	} else {
		logger(0, LOG_ERR, "Plugin `%s' is required (%s) but was not found; searched: %s", name,
		       why ? why : "?", plugins_search_path());
	}
	return -1;
}

void plugins_report_missing(const char *name, const char *instead) {
	if (plugin_disabled(name)) {
		logger(0, LOG_WARNING, "Plugin `%s' is disabled by DisablePlugin: %s", name, instead);
	} else {
		logger(0, LOG_WARNING, "Plugin `%s' was not found (searched: %s): %s", name,
		       plugins_search_path(), instead);
	}
}

int plugins_start(void) {
	struct px_plugin *p;
	list_for_each_entry(p, &plugin_list, link) {
		if (p->started || !p->initialised) {
			continue;
		}
		if (p->desc->start && p->desc->start(p)) {
			logger(0, LOG_ERR, "Plugin `%s' (%s) failed to start", p->name, p->path);
			return -1;
		}
		p->started = true;
	}
	return 0;
}

/* Stop in reverse order of start, so a plugin never outlives one it uses. */
void plugins_stop(void) {
	for (struct list_head *l = plugin_list.prev; l != &plugin_list; l = l->prev) {
		struct px_plugin *p = list_entry(l, struct px_plugin, link);
		if (!p->started) {
			continue;
		}
		if (p->desc->stop) {
			p->desc->stop(p);
		}
		p->started = false;
	}
}

static void registries_clear(void) {
	memset(crypto_ops, 0, sizeof(crypto_ops));
	memset(crypto_slots, 0, sizeof(crypto_slots));
	memset(crypto_sorted, 0, sizeof(crypto_sorted));
	ncrypto = 0;
	memset(compress_ops, 0, sizeof(compress_ops));
	memset(compress_slots, 0, sizeof(compress_slots));
	ncompress = 0;
	/* The core's requests stay registered; only the plugins' go. */
	for (int id = 0; id <= PX_REQ_MAX; id++) {
		if (request_slots[id].plugin) {
			memset(&request_ops[id], 0, sizeof(request_ops[id]));
			memset(&request_slots[id], 0, sizeof(request_slots[id]));
		}
	}
	memset(&dgram_ops, 0, sizeof(dgram_ops));
	memset(&dgram_slot, 0, sizeof(dgram_slot));
	memset(&stream_ops, 0, sizeof(stream_ops));
	memset(&stream_slot, 0, sizeof(stream_slot));
	memset(event_ops, 0, sizeof(event_ops));
	nevents = 0;
	registration_failed = false;
}

void plugins_unload(void) {
	plugins_stop();
	while (!list_empty(&plugin_list)) {
		struct px_plugin *p = list_entry(plugin_list.prev, struct px_plugin, link);
		list_del(&p->link);
		if (p->initialised && p->desc->fini) {
			p->desc->fini(p);
		}
		plugin_free(p);
	}
	nplugins = 0;
	registries_clear();
	search_path_clear();
	if (ltdl_ready) {
		lt_dlexit();
		ltdl_ready = false;
	}
}

int plugins_count(void) {
	return nplugins;
}

/* ---- registries ----------------------------------------------------- */

/* Append "word" to the plugin's summary of what it provides. */
static void provides_add(struct px_plugin *p, const char *fmt, ...) PX_PRINTF(2, 3);
static void provides_add(struct px_plugin *p, const char *fmt, ...) {
	size_t used = strlen(p->provides);
	if (used && used + 1 < sizeof(p->provides)) {
		p->provides[used++] = ' ';
		p->provides[used] = 0;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->provides + used, sizeof(p->provides) - used, fmt, ap);
	va_end(ap);
}

static const char *plugin_name(const struct px_plugin *p) {
	return p && p->name ? p->name : "?";
}

/* The owner of a request table entry, for conflict messages. */
static const char *request_owner(const struct request_provider *rp) {
	return rp->plugin ? plugin_name(rp->plugin) : "the core";
}

/* host->register_variable: the registry is plugin_vars.c; a refusal
 * (already logged there) fails start-up like any other conflict. */
int loader_register_variable(struct px_plugin *p, const struct px_var *var) {
	if (plugin_var_register(plugin_name(p), var) < 0) {
		registration_failed = true;
		return -1;
	}
	return 0;
}

/* Log a refused registration and make start-up fail. */
static int refuse(const struct px_plugin *p, const char *fmt, ...) PX_PRINTF(2, 3);
static int refuse(const struct px_plugin *p, const char *fmt, ...) {
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logger(0, LOG_ERR, "Plugin `%s': %s", plugin_name(p), msg);
	registration_failed = true;
	return -1;
}

static int refuse_conflict(const struct px_plugin *p, const struct px_plugin *owner, const char *fmt, ...)
    PX_PRINTF(3, 4);
static int refuse_conflict(const struct px_plugin *p, const struct px_plugin *owner, const char *fmt, ...) {
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	logger(0, LOG_ERR, "%s claimed by both `%s' and `%s'", what, plugin_name(owner), plugin_name(p));
	registration_failed = true;
	return -1;
}

/* Copy a plugin's ops into a core-owned struct of this ABI's full size. */
static void copy_ops(void *dst, size_t dstsize, const void *src, uint32_t srcsize) {
	memset(dst, 0, dstsize);
	memcpy(dst, src, srcsize < dstsize ? srcsize : dstsize);
}

/* An operation the core calls without checking for NULL. */
struct mandatory_op {
	const char *name;
	bool present;
};

/* The first missing one of `n` mandatory operations, or NULL. */
static const char *missing_op(const struct mandatory_op *ops, size_t n) {
	for (size_t i = 0; i < n; i++) {
		if (!ops[i].present) {
			return ops[i].name;
		}
	}
	return NULL;
}

#define MISSING_OP(list) missing_op(list, sizeof(list) / sizeof(*(list)))

int loader_register_crypto(struct px_plugin *p, const struct px_crypto_ops *ops) {
	if (!p || !ops || ops->size < CRYPTO_V1_SIZE || !ops->name || !*ops->name) {
		return refuse(p, "invalid crypto protocol registration");
	}
	/* Every other operation is optional: the core checks it before calling. */
	const struct mandatory_op need[] = {{"meta_start", ops->meta_start},
	                                    {"key_request", ops->key_request},
	                                    {"key_valid", ops->key_valid},
	                                    {"seal", ops->seal},
	                                    {"open", ops->open}};
	const char *missing = MISSING_OP(need);
	if (missing) {
		return refuse(p, "crypto protocol `%s' lacks the mandatory %s operation: not registered",
		              ops->name, missing);
	}
	if (ops->minor_min > ops->minor_max) {
		return refuse(p, "crypto protocol `%s' has protocol minors %u..%u", ops->name, ops->minor_min,
		              ops->minor_max);
	}
	for (int i = 0; i < ncrypto; i++) {
		if (!strcasecmp(crypto_slots[i].ops->name, ops->name)) {
			return refuse_conflict(p, crypto_slots[i].plugin, "Crypto protocol `%s'", ops->name);
		}
	}
	if (ncrypto >= MAX_CRYPTO) {
		return refuse(p, "too many crypto protocols (at most %d)", MAX_CRYPTO);
	}

	copy_ops(&crypto_ops[ncrypto], sizeof(crypto_ops[ncrypto]), ops, ops->size);
	crypto_slots[ncrypto].ops = &crypto_ops[ncrypto];
	crypto_slots[ncrypto].plugin = p;

	/* Keep crypto_sorted ordered by minor_max, highest first (stable). */
	int pos = ncrypto;
	while (pos > 0 && crypto_sorted[pos - 1]->ops->minor_max < ops->minor_max) {
		crypto_sorted[pos] = crypto_sorted[pos - 1];
		pos--;
	}
	crypto_sorted[pos] = &crypto_slots[ncrypto];
	ncrypto++;

	provides_add(p, "crypto:%s", ops->name);
	return 0;
}

int loader_register_compress(struct px_plugin *p, const struct px_compress_ops *ops) {
	if (!p || !ops || ops->size < COMPRESS_V1_SIZE || !ops->name || !ops->compress || !ops->decompress) {
		return refuse(p, "invalid compression registration");
	}
	if (ops->level_min < 1 || ops->level_min > ops->level_max || ops->level_max > PX_COMPRESS_MAX) {
		return refuse(p, "compression `%s' claims levels %u-%u (valid: 1-%d)", ops->name,
		              ops->level_min, ops->level_max, PX_COMPRESS_MAX);
	}
	for (int i = 0; i < ncompress; i++) {
		const struct px_compress_ops *o = compress_slots[i].ops;
		if (ops->level_min <= o->level_max && o->level_min <= ops->level_max) {
			int first = ops->level_min > o->level_min ? ops->level_min : o->level_min;
			return refuse_conflict(p, compress_slots[i].plugin, "Compression level %d", first);
		}
	}
	if (ncompress >= MAX_COMPRESS) {
		return refuse(p, "too many compression codecs (at most %d)", MAX_COMPRESS);
	}

	copy_ops(&compress_ops[ncompress], sizeof(compress_ops[ncompress]), ops, ops->size);
	compress_slots[ncompress].ops = &compress_ops[ncompress];
	compress_slots[ncompress].plugin = p;
	ncompress++;

	if (ops->level_min == ops->level_max) {
		provides_add(p, "compress:%u", ops->level_min);
	} else {
		provides_add(p, "compress:%u-%u", ops->level_min, ops->level_max);
	}
	return 0;
}

/* Ids a plugin may own: tinc 1.1 requests the core leaves to plugins, the
 * registered extension range and the experimental range. */
static bool request_id_claimable(int id) {
	return (id >= PX_REQ_CONTROL && id < PX_REQ_TINC_LAST) ||
	       (id >= PX_REQ_EXT_FIRST && id <= PX_REQ_EXT_LAST) ||
	       (id >= PX_REQ_EXPERIMENT_FIRST && id <= PX_REQ_EXPERIMENT_LAST);
}

int loader_register_request(struct px_plugin *p, const struct px_request_ops *ops) {
	if (!p || !ops || ops->size < REQUEST_V1_SIZE || !ops->name || !*ops->name || !ops->handle) {
		return refuse(p, "invalid request type registration");
	}
	if (!request_id_claimable(ops->id)) {
		return refuse(p,
		              "request id %d (%s) is not available to plugins (allowed: %d-%d, %d-%d, %d-%d)",
		              ops->id, ops->name, PX_REQ_CONTROL, PX_REQ_TINC_LAST - 1, PX_REQ_EXT_FIRST,
		              PX_REQ_EXT_LAST, PX_REQ_EXPERIMENT_FIRST, PX_REQ_EXPERIMENT_LAST);
	}
	struct request_provider *slot = &request_slots[ops->id];
	if (slot->ops) {
		logger(0, LOG_ERR, "Request id %d claimed by both `%s' and `%s'", ops->id,
		       request_owner(slot), plugin_name(p));
		registration_failed = true;
		return -1;
	}

	copy_ops(&request_ops[ops->id], sizeof(request_ops[ops->id]), ops, ops->size);
	/* For extension ids the number decides flooding (wire.h), so that nodes
	 * without the plugin forward it the same way; the flag follows it. */
	if (ops->id >= PX_REQ_EXT_FIRST) {
		bool flooded = PX_REQ_IS_BROADCAST(ops->id);
		if (flooded != !!(ops->flags & PX_REQF_BROADCAST)) {
			logger(0, LOG_WARNING,
			       "Plugin `%s': request %s(%d) is %sa broadcast by its number, flag corrected",
			       plugin_name(p), ops->name, ops->id, flooded ? "" : "not ");
			request_ops[ops->id].flags ^= PX_REQF_BROADCAST;
		}
	}
	slot->ops = &request_ops[ops->id];
	slot->plugin = p;

	provides_add(p, "request:%s(%d)", ops->name, ops->id);
	return 0;
}

int loader_register_core_request(int id, const char *name, int (*handle)(struct px_conn *c, const char *line),
                                 bool needs_graph) {
	if (id < 0 || id > PX_REQ_TINC_LAST || !handle) {
		return -1;
	}
	struct request_provider *slot = &request_slots[id];
	if (slot->ops) {
		logger(0, LOG_ERR, "Request id %d claimed by both `%s' and `the core'", id,
		       request_owner(slot));
		return -1;
	}
	request_ops[id] = (struct px_request_ops){.size = sizeof(request_ops[id]), .id = id, .name = name};
	slot->ops = &request_ops[id];
	slot->plugin = NULL;
	slot->core_handle = handle;
	slot->needs_graph = needs_graph;
	return 0;
}

int loader_register_dgram(struct px_plugin *p, const struct px_dgram_ops *ops) {
	if (!p || !ops || ops->size < DGRAM_V1_SIZE || !ops->name) {
		return refuse(p, "invalid datagram transport registration");
	}
	const struct mandatory_op need[] = {{"open", ops->open}, {"send", ops->send}, {"close", ops->close}};
	const char *missing = MISSING_OP(need);
	if (missing) {
		return refuse(p, "datagram transport `%s' lacks the mandatory %s operation: not registered",
		              ops->name, missing);
	}
	if (dgram_slot.ops) {
		return refuse_conflict(p, dgram_slot.plugin, "Datagram transport");
	}
	copy_ops(&dgram_ops, sizeof(dgram_ops), ops, ops->size);
	dgram_slot.ops = &dgram_ops;
	dgram_slot.plugin = p;
	provides_add(p, "transport:%s", ops->name);
	return 0;
}

int loader_register_stream(struct px_plugin *p, const struct px_stream_ops *ops) {
	if (!p || !ops || ops->size < STREAM_V1_SIZE || !ops->name) {
		return refuse(p, "invalid stream transport registration");
	}
	const struct mandatory_op need[] = {{"listen", ops->listen},
	                                    {"unlisten", ops->unlisten},
	                                    {"connect", ops->connect},
	                                    {"write", ops->write},
	                                    {"close", ops->close}};
	const char *missing = MISSING_OP(need);
	if (missing) {
		return refuse(p, "stream transport `%s' lacks the mandatory %s operation: not registered",
		              ops->name, missing);
	}
	if (stream_slot.ops) {
		return refuse_conflict(p, stream_slot.plugin, "Stream transport");
	}
	copy_ops(&stream_ops, sizeof(stream_ops), ops, ops->size);
	stream_slot.ops = &stream_ops;
	stream_slot.plugin = p;
	provides_add(p, "transport:%s", ops->name);
	return 0;
}

int loader_register_events(struct px_plugin *p, const struct px_event_ops *ops) {
	if (!p || !ops || ops->size < sizeof(uint32_t)) {
		return refuse(p, "invalid event hooks registration");
	}
	if (nevents == MAX_EVENTS) {
		return refuse(p, "too many event hook registrations");
	}
	copy_ops(&event_ops[nevents], sizeof(event_ops[nevents]), ops, ops->size);
	event_plugins[nevents++] = p;
	provides_add(p, "events");
	return 0;
}

void plugins_notify_conn(struct px_conn *c, bool active) {
	for (int i = 0; i < nevents; i++) {
		if (active && event_ops[i].conn_active)
			event_ops[i].conn_active(event_plugins[i], c);
		else if (!active && event_ops[i].conn_closed)
			event_ops[i].conn_closed(event_plugins[i], c);
	}
}

void plugins_notify_node(struct px_node *n, bool up) {
	for (int i = 0; i < nevents; i++)
		if (event_ops[i].node_reachable)
			event_ops[i].node_reachable(event_plugins[i], n, up);
}

void plugins_notify_reload(void) {
	for (int i = 0; i < nevents; i++)
		if (event_ops[i].reload)
			event_ops[i].reload(event_plugins[i]);
}

const struct crypto_provider *crypto_for_minor(int minor) {
	for (int i = 0; i < ncrypto; i++) {
		const struct px_crypto_ops *o = crypto_sorted[i]->ops;
		if (minor >= o->minor_min && minor <= o->minor_max) {
			return crypto_sorted[i];
		}
	}
	return NULL;
}

const struct crypto_provider *crypto_by_name(const char *name) {
	for (int i = 0; name && i < ncrypto; i++) {
		if (!strcasecmp(crypto_sorted[i]->ops->name, name)) {
			return crypto_sorted[i];
		}
	}
	return NULL;
}

int crypto_provider_count(void) {
	return ncrypto;
}

const struct crypto_provider *crypto_provider_at(int i) {
	return i >= 0 && i < ncrypto ? crypto_sorted[i] : NULL;
}

const struct compress_provider *compress_for_level(int level) {
	for (int i = 0; i < ncompress; i++) {
		const struct px_compress_ops *o = compress_slots[i].ops;
		if (level >= o->level_min && level <= o->level_max) {
			return &compress_slots[i];
		}
	}
	return NULL;
}

const struct request_provider *request_for_id(int id) {
	if (id < 0 || id > PX_REQ_MAX || !request_slots[id].ops) {
		return NULL;
	}
	return &request_slots[id];
}

const struct dgram_provider *dgram_provider(void) {
	return dgram_slot.ops ? &dgram_slot : NULL;
}

const struct stream_provider *stream_provider(void) {
	return stream_slot.ops ? &stream_slot : NULL;
}
