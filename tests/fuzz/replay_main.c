/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A main() for a fuzz target built without libFuzzer: feeds every file named
 * on the command line (directories: every regular file in them, sorted) to
 * LLVMFuzzerTestOneInput once. Without arguments it replays the seed corpus
 * the build compiled in (FUZZ_CORPUS_DIR), which is how `make check` runs
 * the corpora as regression tests. A crash or sanitizer report fails it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

#define REPLAY_MAX_INPUT (1 << 20)

static int replay_file(const char *path) {
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	uint8_t *buf = malloc(REPLAY_MAX_INPUT);
	if (!buf) {
		fclose(f);
		return -1;
	}
	size_t n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	fclose(f);
	/* A copy of exactly the input's size, so that ASan sees overreads. */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int compare_names(const void *a, const void *b) {
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay a file or every regular file of a directory; returns the number
 * of inputs run, -1 on error. */
static int replay_path(const char *path) {
	struct stat st;
	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) < 0 ? -1 : 1;

	DIR *d = opendir(path);
	if (!d) {
		perror(path);
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), compare_names);
	int ran = 0;
	for (size_t i = 0; i < n; i++) {
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && replay_file(file) == 0)
			ran++;
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv) {
	int total = 0;
	const char *self = strrchr(argv[0], '/');
	self = self ? self + 1 : argv[0];

	if (argc < 2) {
#ifdef FUZZ_CORPUS_DIR
		total = replay_path(FUZZ_CORPUS_DIR);
#else
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
#endif
	}
	for (int i = 1; i < argc && total >= 0; i++) {
		int n = replay_path(argv[i]);
		total = n < 0 ? -1 : total + n;
	}
	if (total <= 0) {
		fprintf(stderr, "%s: no inputs replayed\n", self);
		return 1;
	}
	printf("%s: %d inputs replayed without a crash\n", self, total);
	return 0;
}
