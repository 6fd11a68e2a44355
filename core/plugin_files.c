/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Which file a plugin really is, and whether root may load it.
 *
 * dlopen() runs a shared object's ELF constructors before the loader can
 * look at its descriptor, so as root a plugin file is opened only when
 * nobody but root could have put or changed it there: the file and each
 * directory up to / are owned by root and not writable by group or others.
 * This is OpenSSH's StrictModes rule with one concession: a root-owned
 * directory with the sticky bit (/tmp, where test and staging trees live)
 * is accepted, because others cannot rename or remove root's entries in it
 * and whatever they add there is owned by them and refused. For the same
 * reason a symbolic link on the path as named must be owned by root.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_files.h"

bool plugin_files_strict(void) {
	return geteuid() == 0;
}

/* The file itself (want_dir false) or one of the directories above it. */
static int check_inode(const char *path, const struct stat *st, bool want_dir, char *err, size_t errlen) {
	if (want_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s is not a %s", path, want_dir ? "directory" : "regular file");
		return -1;
	}
	if (st->st_uid != 0) {
		snprintf(err, errlen, "%s is owned by uid %u, not root", path, (unsigned)st->st_uid);
		return -1;
	}
	bool sticky_dir = want_dir && (st->st_mode & S_ISVTX);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !sticky_dir) {
		snprintf(err, errlen, "%s is writable by %s (mode %04o)", path,
		         (st->st_mode & S_IWOTH) ? "others" : "its group", (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/* `path` (absolute, no repeated or trailing '/') and each lexical parent up
 * to /. With `named`, `path` may contain symbolic links: each one must be
 * root's, and what it points to is checked. Modifies path. */
static int check_chain(char *path, bool named, char *err, size_t errlen) {
	bool want_dir = false;
	for (;;) {
		struct stat st;
		if (named && lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid != 0) {
			snprintf(err, errlen, "%s is a symbolic link owned by uid %u, not root", path,
			         (unsigned)st.st_uid);
			return -1;
		}
		if (stat(path, &st)) {
			snprintf(err, errlen, "cannot check %s: %s", path, strerror(errno));
			return -1;
		}
		if (check_inode(path, &st, want_dir, err, errlen)) {
			return -1;
		}
		want_dir = true;

		char *slash = strrchr(path, '/');
		if (!slash || (slash == path && !path[1])) {
			return 0; /* checked / */
		}
		slash[slash == path ? 1 : 0] = 0;
	}
}

/* `path` made absolute (relative to the working directory), with repeated
 * and trailing slashes removed. */
static int absolute_path(const char *path, char *out, size_t outlen) {
	char joined[PATH_MAX * 2];
	if (path[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", path);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			return -1;
		}
		snprintf(joined, sizeof(joined), "%s/%s", cwd, path);
	}
	size_t n = 0;
	for (const char *p = joined; *p; p++) {
		if (*p == '/' && n && out[n - 1] == '/') {
			continue;
		}
		if (n + 1 >= outlen) {
			return -1;
		}
		out[n++] = *p;
	}
	while (n > 1 && out[n - 1] == '/') {
		n--;
	}
	out[n] = 0;
	return n ? 0 : -1;
}

int plugin_file_safe(const char *path, char *err, size_t errlen) {
	char named[PATH_MAX];
	if (absolute_path(path, named, sizeof(named))) {
		snprintf(err, errlen, "cannot make %s an absolute path", path);
		return -1;
	}
	if (check_chain(named, true, err, errlen)) {
		return -1;
	}
	char resolved[PATH_MAX];
	if (!realpath(path, resolved)) {
		snprintf(err, errlen, "cannot resolve %s: %s", path, strerror(errno));
		return -1;
	}
	return check_chain(resolved, false, err, errlen);
}

/* `key='value'` (or unquoted) from one line of a libtool archive. */
static bool la_value(const char *line, const char *key, char *out, size_t outlen) {
	size_t klen = strlen(key);
	if (strncmp(line, key, klen) || line[klen] != '=') {
		return false;
	}
	const char *v = line + klen + 1;
	size_t len = strlen(v);
	if (len >= 2 && v[0] == '\'' && v[len - 1] == '\'') {
		v++;
		len -= 2;
	}
	if (len >= outlen) {
		len = 0; /* too long to be a path: as if absent */
	}
	memcpy(out, v, len);
	out[len] = 0;
	return true;
}

char *plugin_la_object(const char *la, char *err, size_t errlen) {
	FILE *f = fopen(la, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", la, strerror(errno));
		return NULL;
	}
	char dlname[NAME_MAX + 1] = "", libdir[PATH_MAX] = "";
	bool installed = true; /* libltdl's default when the line is missing */
	char line[PATH_MAX + 64];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (la_value(line, "dlname", dlname, sizeof(dlname)) ||
		    la_value(line, "libdir", libdir, sizeof(libdir))) {
			continue;
		}
		if (!strcmp(line, "installed=no")) {
			installed = false;
		} else if (!strcmp(line, "installed=yes")) {
			installed = true;
		}
	}
	fclose(f);
	if (!*dlname) {
		snprintf(err, errlen, "%s names no shared object (dlname)", la);
		return NULL;
	}

	const char *slash = strrchr(la, '/');
	int dirlen = slash ? (int)(slash - la) : 1;
	const char *dir = slash ? la : ".";
	if (slash == la) {
		dirlen = 0; /* "/x.la": the directory is "/" */
	}

	char tried[3][PATH_MAX * 2];
	int n = 0;
	if (installed && *libdir) {
		snprintf(tried[n++], sizeof(tried[0]), "%s/%s", libdir, dlname);
	}
	if (!installed) {
		snprintf(tried[n++], sizeof(tried[0]), "%.*s/.libs/%s", dirlen, dir, dlname);
	}
	snprintf(tried[n++], sizeof(tried[0]), "%.*s/%s", dirlen, dir, dlname);

	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(tried[i], &st) == 0 && S_ISREG(st.st_mode)) {
			return strdup(tried[i]);
		}
	}
	snprintf(err, errlen, "%s names %s, found in none of: %s%s%s%s%s", la, dlname, tried[0],
	         n > 1 ? ", " : "", n > 1 ? tried[1] : "", n > 2 ? ", " : "", n > 2 ? tried[2] : "");
	return NULL;
}
