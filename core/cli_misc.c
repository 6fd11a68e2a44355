/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus edit FILE, network [NETNAME], the interactive shell, and the
 * commands of tinc 1.1 that Plexus does not have yet (which say so and
 * fail instead of doing something else).
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
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#ifndef PLEXUS_SYSCONFDIR
#define PLEXUS_SYSCONFDIR "/usr/local/etc"
#endif

/* Files directly in the configuration directory that edit accepts. */
static const char *const top_files[] = {"tinc.conf",          "plexus.conf",        "tinc-up", "tinc-down",
                                        "subnet-up",          "subnet-down",        "host-up", "host-down",
                                        "invitation-created", "invitation-accepted"};

/* The file `edit ARG` means, or NULL (after a message) if ARG is none of
 * the configuration files: a top-level one, hosts/NODE, NODE,
 * NODE-up or NODE-down. */
static char *edit_target(const char *arg) {
	const char *rest = arg;
	char *node, *dash;

	if (strncmp(arg, "hosts/", 6)) {
		for (size_t i = 0; i < sizeof(top_files) / sizeof(top_files[0]); i++)
			if (!strcmp(arg, top_files[i]))
				return cli_path("%s/%s", cli_confbase, arg);
	} else {
		rest = arg + 6;
	}
	node = strdup(rest);
	if (!node)
		return NULL;
	dash = strchr(node, '-');
	if (dash)
		*dash++ = 0;
	if (!cli_valid_name(node) || (dash && strcmp(dash, "up") && strcmp(dash, "down"))) {
		fprintf(stderr, "Invalid configuration filename.\n");
		free(node);
		return NULL;
	}
	free(node);
	return cli_path("%s/hosts/%s", cli_confbase, rest);
}

/* The editor runs without a shell: $VISUAL/$EDITOR may hold a command
 * with arguments ("emacs -nw"), split on blanks. */
int cmd_edit(int argc, char **argv) {
	const char *editor = getenv("VISUAL");
	char *file, *words, *args[32];
	int n = 0, status;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "Invalid number of arguments.\n");
		return 1;
	}
	file = edit_target(argv[1]);
	if (!file)
		return 1;
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	words = strdup(editor);
	if (!words) {
		free(file);
		return 1;
	}
	for (char *w = strtok(words, " \t"); w && n < 30; w = strtok(NULL, " \t"))
		args[n++] = w;
	args[n++] = file;
	args[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execvp(args[0], args);
		fprintf(stderr, "Could not run %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(words);
	free(file);
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (pid < 0)
			fprintf(stderr, "Could not fork: %s\n", strerror(errno));
		return pid < 0 || !WIFEXITED(status) ? 1 : WEXITSTATUS(status);
	}
	cli_reload_quietly();
	return 0;
}

/* Without an argument: every network under the configuration root (the
 * root itself is "."); with one: switch to it (useful in the shell). */
int cmd_network(int argc, char **argv) {
	const char *root = PLEXUS_SYSCONFDIR "/tinc";
	DIR *d;
	struct dirent **list;
	int n;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (argc == 2)
		return cli_switch_network(argv[1]) < 0 ? 1 : 0;
	d = opendir(root);
	if (!d) {
		fprintf(stderr, "Could not read directory %s: %s\n", root, strerror(errno));
		return 1;
	}
	closedir(d);
	n = scandir(root, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *e = list[i]->d_name;

		if (*e != '.') {
			if (!strcmp(e, "tinc.conf") || !strcmp(e, "plexus.conf")) {
				printf(".\n");
			} else {
				char *a = cli_path("%s/%s/tinc.conf", root, e),
				     *b = cli_path("%s/%s/plexus.conf", root, e);

				if (!access(a, R_OK) || !access(b, R_OK))
					printf("%s\n", e);
				free(a);
				free(b);
			}
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return 0;
}

int cmd_not_implemented(int argc, char **argv) {
	(void)argc;
	fprintf(stderr, "%s %s: not implemented yet in Plexus.\n", program, argv[0]);
	return 1;
}

/* Commands from standard input, one per line, until EOF or exit/quit.
 * The result is 1 if any command failed. */
bool cli_in_shell;

int cli_shell(void) {
	char prompt[256];
	int result = 0;

	cli_in_shell = true;
	for (;;) {
		char *args[256], *line;
		int n = 0, r;

		snprintf(prompt, sizeof(prompt), "%s> ", opt_netname ? opt_netname : "plexus");
		line = cli_read_line(prompt);
		if (!line)
			break;
		if (*line == '#') {
			free(line);
			continue;
		}
		for (char *w = strtok(line, " \t\r\n"); w && n < 255; w = strtok(NULL, " \t\r\n"))
			args[n++] = w;
		args[n] = NULL;
		if (!n) {
			free(line);
			continue;
		}
		if (!strcasecmp(args[0], "exit") || !strcasecmp(args[0], "quit")) {
			free(line);
			return result;
		}
		r = cli_dispatch(n, args);
		if (r == -1) {
			fprintf(stderr, "Unknown command `%s'.\n", args[0]);
			r = 1;
		}
		free(line);
		fflush(stdout);
		result |= r != 0;
	}
	if (cli_tty)
		printf("\n");
	return result;
}
