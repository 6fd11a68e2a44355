/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Durable files. Every file we change is written to a new temporary file
 * (random name, O_EXCL) in the same directory, fsync()ed, renamed over the
 * old one and the directory is fsync()ed: whatever moment the process dies
 * at, the name refers to the whole old or the whole new file. Leftover temporaries are removed at
 * start. The serial state of each updater lives in <confbase>/cache/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "update.h"

#define TEMP_MARK ".uhtmp."

char *uh_path(const char *a, const char *b, const char *c) {
	size_t n = strlen(a) + (b ? strlen(b) + 1 : 0) + (c ? strlen(c) + 1 : 0) + 1;
	char *p = malloc(n);
	if (!p)
		return NULL;
	snprintf(p, n, "%s%s%s%s%s", a, b ? "/" : "", b ? b : "", c ? "/" : "", c ? c : "");
	return p;
}

int uh_mkdir_p(const char *path) {
	char *copy = strdup(path);
	if (!copy)
		return -1;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(copy, 0755) && errno != EEXIST) {
			free(copy);
			return -1;
		}
		*p = '/';
	}
	int rc = mkdir(copy, 0755) && errno != EEXIST ? -1 : 0;
	free(copy);
	return rc;
}

static int fsync_dir(const char *dir) {
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * The temporary file is created with O_EXCL under a random name
 * (".NAME.uhtmp.XXXXXX", mkstemp) in the destination directory: whoever else
 * can write there cannot have prepared a symbolic or hard link at its name
 * to make us write through it, and the rename stays within one file system.
 */
int uh_write_atomic(const char *dir, const char *name, const void *data, size_t len) {
	char *target = uh_path(dir, name, NULL);
	char tmpname[UH_MAX_NAME + 64];
	snprintf(tmpname, sizeof(tmpname), ".%s" TEMP_MARK "XXXXXX", name);
	char *tmp = uh_path(dir, tmpname, NULL);
	int rc = -1, fd = -1;
	bool created = false;
	if (!target || !tmp)
		goto out;

	mode_t mode = 0644;
	struct stat st;
	if (!stat(target, &st))
		mode = st.st_mode & 07777;
	fd = mkstemp(tmp); /* O_CREAT | O_EXCL, mode 0600 */
	if (fd < 0)
		goto fail;
	created = true;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC))
		goto fail;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fchmod(fd, mode) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, target))
		goto fail;
	fsync_dir(dir);
	rc = 0;
	goto out;
fail:
	UH_LOG(PX_LOG_ALWAYS, "Cannot write %s: %s", target ? target : name, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(tmp);
out:
	free(target);
	free(tmp);
	return rc;
}

int uh_remove_durable(const char *dir, const char *name) {
	char *target = uh_path(dir, name, NULL);
	int rc = target ? unlink(target) : -1;
	if (rc && errno != ENOENT)
		UH_LOG(PX_LOG_ALWAYS, "Cannot remove %s: %s", target, strerror(errno));
	free(target);
	if (!rc)
		fsync_dir(dir);
	return rc;
}

/* Temporaries of a write that a crash interrupted. */
void uh_clean_temp_files(const char *dir) {
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.' || !strstr(e->d_name, TEMP_MARK))
			continue;
		char *p = uh_path(dir, e->d_name, NULL);
		if (p && !unlink(p))
			UH_LOG(PX_LOG_CONNECTIONS, "Removed %s left by an interrupted update", p);
		free(p);
	}
	closedir(d);
}

static char *state_dir(void) {
	return uh_path(uh.host->confbase(), "cache", "update-hosts");
}

/* "<serial> open|closed" in cache/update-hosts/<updater>.<kind>; 0 if none. */
uint64_t uh_state_get(const char *updater, const char *kind, bool *open) {
	char name[UH_MAX_NAME + 16];
	snprintf(name, sizeof(name), "%s.%s", updater, kind);
	char *dir = state_dir();
	char *path = dir ? uh_path(dir, name, NULL) : NULL;
	char *text = path ? uh_read_file(path, 256, NULL) : NULL;
	uint64_t serial = 0;
	char word[16] = "";
	if (text && sscanf(text, "%" SCNu64 " %15s", &serial, word) < 1)
		serial = 0;
	if (open)
		*open = !strcmp(word, "open");
	free(text);
	free(path);
	free(dir);
	return serial;
}

int uh_state_set(const char *updater, const char *kind, uint64_t serial, bool open) {
	char name[UH_MAX_NAME + 16], text[64];
	snprintf(name, sizeof(name), "%s.%s", updater, kind);
	int n = snprintf(text, sizeof(text), "%" PRIu64 " %s\n", serial, open ? "open" : "closed");
	char *dir = state_dir();
	int rc = -1;
	if (dir && !uh_mkdir_p(dir))
		rc = uh_write_atomic(dir, name, text, (size_t)n);
	free(dir);
	return rc;
}

/* Wall-clock milliseconds, but never less than one more than the last
 * serial we used, even across restarts with a clock that went back. */
uint64_t uh_next_serial(void) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	uint64_t last = uh_state_get("last", "sent", NULL);
	uint64_t serial = now > last ? now : last + 1;
	uh_state_set("last", "sent", serial, false);
	return serial;
}
