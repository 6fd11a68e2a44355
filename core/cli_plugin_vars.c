/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The CLI's view of plugin configuration variables. The CLI loads no
 * plugin: it asks `plexusd -c DIR --dump-variables`, which loads the
 * plugins this configuration would load and lists what they registered.
 * Asked once per process, on the first variable the core does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"

#define DUMP_MAX 65536

static char *dump; /* plexusd's output, NUL-terminated; "" if it failed */

/* Run plexusd --dump-variables; its log (stderr) goes to /dev/null. */
static char *run_dump(void) {
	char *plexusd = cli_plexusd_path(), *out = calloc(1, DUMP_MAX + 1);
	int fds[2];
	size_t len = 0;

	if (!out || pipe(fds) < 0) {
		free(plexusd);
		return out;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(fds[1], 1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		close(fds[0]);
		execl(plexusd, plexusd, "-c", cli_confbase, "--dump-variables", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && len < DUMP_MAX) {
		ssize_t n = read(fds[0], out + len, DUMP_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* A plugin that failed to initialise (exit 1) may still have
	 * registered its variables; a plexusd that could not run (127) or
	 * crashed tells nothing. */
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 1)
		len = 0;
	out[len] = 0;
	free(plexusd);
	return out;
}

int cli_plugin_var_flags(const char *var, char *type, size_t typelen) {
	if (!var || !*var)
		return 0;
	if (!dump)
		dump = run_dump();
	if (!dump)
		return 0;
	for (const char *line = dump; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char name[64], scope[32], mult[16], t[16];
		char copy[256];

		snprintf(copy, sizeof(copy), "%.*s", (int)(len < sizeof(copy) ? len : sizeof(copy) - 1),
		         line);
		if (sscanf(copy, "%63s %31s %15s %15s", name, scope, mult, t) == 4 &&
		    !strcasecmp(name, var)) {
			int flags = 0;
			if (strstr(scope, "server"))
				flags |= CONF_SERVER;
			if (strstr(scope, "host"))
				flags |= CONF_HOST;
			if (!strcmp(mult, "multiple"))
				flags |= CONF_MULTIPLE;
			if (type)
				snprintf(type, typelen, "%s", t);
			return flags;
		}
		line += len + (end ? 1 : 0);
	}
	return 0;
}
