/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Reading the interactive shell's lines: with readline (line editing,
 * history, completion of command names) on a terminal when built with it,
 * else plain lines from stdin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cli.h"

#ifdef HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>

/* Successive command names starting with `text` (readline's generator). */
static char *complete_command(const char *text, int state) {
	static size_t next, len;
	const char *name;

	if (!state) {
		next = 0;
		len = strlen(text);
	}
	while ((name = cli_command_name(next++)))
		if (!strncmp(name, text, len))
			return strdup(name);
	return NULL;
}

/* Only the first word is a command; arguments complete as file names. */
static char **complete(const char *text, int start, int end) {
	(void)end;
	if (start > 0)
		return NULL;
	return rl_completion_matches(text, complete_command);
}
#endif

char *cli_read_line(const char *prompt) {
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

#ifdef HAVE_READLINE
	if (cli_tty) {
		static bool ready;

		if (!ready) {
			rl_readline_name = "plexus";
			rl_attempted_completion_function = complete;
			ready = true;
		}
		line = readline(prompt);
		if (line && *line)
			add_history(line);
		return line;
	}
#endif
	if (cli_tty) {
		fputs(prompt, stdout);
		fflush(stdout);
	}
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	return line;
}
