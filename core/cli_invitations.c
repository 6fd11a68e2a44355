/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus dump invitations: the outstanding invitation files, as tinc 1.1
 * lists them ("<cookie hash> <node name>" per line). An invitation file is
 * named by 24 base64 characters (18 bytes) and starts with "Name = NODE".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cli.h"

/* The node an invitation file is for, in name (NULL if it is none). */
static bool invitation_name(const char *path, char *name, size_t len) {
	char line[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		fprintf(stderr, "Cannot open %s: %s\n", path, strerror(errno));
		return false;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	n = strlen(line);
	while (n && strchr("\t \r\n", line[n - 1]))
		line[--n] = 0;
	if (strncmp(line, "Name = ", 7) || !cli_valid_name(line + 7) || strlen(line + 7) >= len) {
		fprintf(stderr, "Invalid invitation file %s\n", path);
		return false;
	}
	strcpy(name, line + 7);
	return true;
}

int cli_dump_invitations(void) {
	char *dir = cli_path("%s/invitations", cli_confbase);
	bool found = false;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		int err = errno;

		if (err == ENOENT)
			fprintf(stderr, "No outstanding invitations.\n");
		else
			fprintf(stderr, "Cannot read directory %s: %s\n", dir, strerror(err));
		free(dir);
		return err == ENOENT ? 0 : 1;
	}
	while ((e = readdir(d))) {
		unsigned char raw[24];
		char name[256], *path;

		if (strlen(e->d_name) != 24 || sptps_b64_decode(raw, sizeof(raw), e->d_name, 24) != 18)
			continue;
		path = cli_path("%s/%s", dir, e->d_name);
		if (invitation_name(path, name, sizeof(name))) {
			printf("%s %s\n", e->d_name, name);
			found = true;
		}
		free(path);
	}
	closedir(d);
	free(dir);
	if (!found)
		fprintf(stderr, "No outstanding invitations.\n");
	return 0;
}
