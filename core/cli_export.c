/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus export|export-all|import|exchange|exchange-all: host files as
 * tinc 1.1's text stream. Each file is a block that starts with
 * "Name = NODE" followed by the file without its own Name lines; blocks
 * of export-all are separated by SEPARATOR. import creates hosts/NODE for
 * each block and skips existing files unless --force.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

#define SEPARATOR "#---------------------------------------------------------------#\n"

/* One host file as a block on out. */
static int export_node(const char *name, FILE *out) {
	char *path = cli_path("%s/hosts/%s", cli_confbase, name);
	FILE *in = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = 0;

	if (!in) {
		fprintf(stderr, "Could not open configuration file %s: %s\n", path, strerror(errno));
		free(path);
		return 1;
	}
	fprintf(out, "Name = %s\n", name);
	while ((n = getline(&buf, &cap, in)) >= 0) {
		/* The block's own Name header replaces any Name line. */
		if (strcspn(buf, "\t =") == 4 && !strncasecmp(buf, "Name", 4))
			continue;
		fwrite(buf, 1, (size_t)n, out);
		if (n && buf[n - 1] != '\n')
			fputc('\n', out);
	}
	if (ferror(in)) {
		fprintf(stderr, "Error while reading configuration file %s: %s\n", path, strerror(errno));
		r = 1;
	}
	fclose(in);
	free(buf);
	free(path);
	return r;
}

/* Without a terminal stdout is closed, as tinc does, so that a peer
 * reading our export (exchange over a pipe) sees its end before we wait
 * for its answer; not in the shell, whose next commands still print. */
static int finish_output(int r) {
	if (fflush(stdout) != 0) {
		fprintf(stderr, "Error writing to standard output: %s\n", strerror(errno));
		r = 1;
	}
	if (!cli_tty && !cli_in_shell) {
		fclose(stdout);
		/* keep fd 1 valid for anything that still writes to it */
		stdout = fopen("/dev/null", "w");
	}
	return r;
}

int cmd_export(int argc, char **argv) {
	char *name;
	int r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	name = cli_my_name(true);
	if (!name)
		return 1;
	r = export_node(name, stdout);
	free(name);
	return finish_output(r);
}

static int name_order(const struct dirent **a, const struct dirent **b) {
	return strcmp((*a)->d_name, (*b)->d_name);
}

int cmd_export_all(int argc, char **argv) {
	char *dir = cli_path("%s/hosts", cli_confbase);
	struct dirent **list;
	int n, r = 0;
	bool first = true;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		free(dir);
		return 1;
	}
	n = scandir(dir, &list, NULL, name_order);
	if (n < 0) {
		fprintf(stderr, "Could not open host configuration directory %s: %s\n", dir, strerror(errno));
		free(dir);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (cli_valid_name(list[i]->d_name)) {
			if (!first)
				fputs("\n" SEPARATOR, stdout); /* tinc 1.1 puts a blank line before it */
			first = false;
			r |= export_node(list[i]->d_name, stdout);
		}
		free(list[i]);
	}
	free(list);
	free(dir);
	return finish_output(r);
}

struct import_state {
	char *name; /* current block's node, or NULL when skipping */
	char *text; /* its content so far */
	size_t len, cap;
	int count;
	int failed;
};

static void append(struct import_state *st, const char *s, size_t n) {
	if (st->len + n + 1 > st->cap) {
		size_t cap = (st->len + n + 1) * 2;
		char *p = realloc(st->text, cap);

		if (!p) {
			fprintf(stderr, "%s: out of memory\n", program);
			exit(1);
		}
		st->text = p;
		st->cap = cap;
	}
	memcpy(st->text + st->len, s, n);
	st->len += n;
}

/* Write the finished block. The file is created whole and renamed into
 * place, so a reader never sees half of it. */
static void flush_block(struct import_state *st) {
	if (st->name) {
		char *path = cli_path("%s/hosts/%s", cli_confbase, st->name);

		if (cli_write_file_atomic(path, st->text ? st->text : "", st->len, 0644) < 0)
			st->failed = 1;
		else
			st->count++;
		free(path);
	}
	free(st->name);
	st->name = NULL;
	st->len = 0;
}

/* A "Name = X" header line (spacing as loose as tinc accepts); X in name. */
static bool header_name(const char *line, char *name, size_t max) {
	const char *p = line;
	size_t n;

	if (strncmp(p, "Name", 4))
		return false;
	p += 4;
	p += strspn(p, " \t");
	if (*p != '=')
		return false;
	p++;
	p += strspn(p, " \t\r\n");
	n = strcspn(p, " \t\r\n");
	if (!n || n >= max)
		return false;
	memcpy(name, p, n);
	name[n] = 0;
	return true;
}

int cmd_import(int argc, char **argv) {
	struct import_state st = {0};
	char *buf = NULL, name[4096];
	size_t cap = 0;
	ssize_t n;
	bool firstline = true;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	while ((n = getline(&buf, &cap, stdin)) >= 0) {
		if (header_name(buf, name, sizeof(name))) {
			char *path;

			firstline = false;
			flush_block(&st);
			if (!cli_valid_name(name)) {
				fprintf(stderr, "Invalid Name in input!\n");
				free(buf);
				free(st.text);
				return 1;
			}
			path = cli_path("%s/hosts/%s", cli_confbase, name);
			if (!cli_force && access(path, F_OK) == 0) {
				fprintf(stderr, "Host configuration file %s already exists, skipping.\n",
				        path);
			} else {
				st.name = strdup(name);
				if (!st.name) {
					fprintf(stderr, "%s: out of memory\n", program);
					exit(1);
				}
			}
			free(path);
			continue;
		}
		if (firstline) {
			fprintf(stderr, "Junk at the beginning of the input, ignoring.\n");
			firstline = false;
		}
		if (!strcmp(buf, SEPARATOR))
			continue;
		if (st.name)
			append(&st, buf, (size_t)n);
	}
	flush_block(&st);
	free(buf);
	free(st.text);
	if (st.failed)
		return 1;
	if (st.count) {
		fprintf(stderr, "Imported %d host configuration files.\n", st.count);
		cli_reload_quietly();
		return 0;
	}
	fprintf(stderr, "No host configuration files imported.\n");
	return 1;
}

int cmd_exchange(int argc, char **argv) {
	return cmd_export(argc, argv) ? 1 : cmd_import(argc, argv);
}

int cmd_exchange_all(int argc, char **argv) {
	return cmd_export_all(argc, argv) ? 1 : cmd_import(argc, argv);
}
