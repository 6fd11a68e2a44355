/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Hook scripts (tinc-up, host-up, subnet-up, ...). They run synchronously, as
 * in tinc, with the daemon's environment plus tinc's variables. The child
 * gets a clean signal mask: the event loop blocks the signals it reads
 * through signalfd, and a blocked mask would otherwise be inherited.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "logger.h"
#include "script.h"

extern char **environ;

/* The common variables, as "KEY=VALUE", or NULL when unset. */
enum { VAR_NETNAME, VAR_DEVICE, VAR_INTERFACE, VAR_NAME, VAR_COUNT };
static char *common_vars[VAR_COUNT];

/* ScriptsInterpreter and ScriptsExtension (NULL when unset). */
static char *interpreter, *extension;

void script_set_options(const char *interpreter_, const char *extension_) {
	free(interpreter);
	free(extension);
	interpreter = interpreter_ && *interpreter_ ? strdup(interpreter_) : NULL;
	extension = extension_ && *extension_ ? strdup(extension_) : NULL;
}

static char *make_var(const char *key, const char *value) {
	if (!value)
		return NULL;
	char *s;
	if (asprintf(&s, "%s=%s", key, value) < 0)
		return NULL;
	return s;
}

void script_set_common(const char *netname_, const char *device, const char *interface, const char *name) {
	for (int i = 0; i < VAR_COUNT; i++) {
		free(common_vars[i]);
		common_vars[i] = NULL;
	}
	common_vars[VAR_NETNAME] = make_var("NETNAME", netname_);
	common_vars[VAR_DEVICE] = make_var("DEVICE", device);
	common_vars[VAR_INTERFACE] = make_var("INTERFACE", interface);
	common_vars[VAR_NAME] = make_var("NAME", name);
}

/* Does "KEY=..." in `entry` name the same key as "KEY=..." in `var`? */
static bool same_key(const char *entry, const char *var) {
	const char *eq = strchr(var, '=');
	size_t keylen = eq ? (size_t)(eq - var) : strlen(var);
	return !strncmp(entry, var, keylen) && entry[keylen] == '=';
}

static bool overridden(const char *entry, char *const *extra) {
	for (int i = 0; i < VAR_COUNT; i++)
		if (common_vars[i] && same_key(entry, common_vars[i]))
			return true;
	for (size_t i = 0; extra && extra[i]; i++)
		if (same_key(entry, extra[i]))
			return true;
	return false;
}

/* environ minus the variables we set, then ours. Strings are borrowed. */
static char **build_env(char *const *extra) {
	size_t n = 0, m = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	for (size_t i = 0; extra && extra[i]; i++)
		n++;
	char **env = calloc(n + VAR_COUNT + 1, sizeof *env);
	if (!env)
		return NULL;
	for (char **e = environ; e && *e; e++)
		if (!overridden(*e, extra))
			env[m++] = *e;
	for (int i = 0; i < VAR_COUNT; i++)
		if (common_vars[i])
			env[m++] = common_vars[i];
	for (size_t i = 0; extra && extra[i]; i++)
		env[m++] = extra[i];
	env[m] = NULL;
	return env;
}

static int spawn_and_wait(const char *name, const char *path, char **env) {
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	/* With an interpreter the command is tinc's `<interpreter> "<script>"`,
	 * given to the shell with the path as a positional argument, so the
	 * interpreter may carry options while the path needs no quoting. */
	char *command = NULL;
	if (interpreter && asprintf(&command, "%s \"$1\"", interpreter) < 0) {
		posix_spawnattr_destroy(&attr);
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory running script %s", name);
		return -1;
	}
	char *direct[] = {(char *)path, NULL};
	char *shell[] = {"/bin/sh", "-c", command, "sh", (char *)path, NULL};
	char **argv = command ? shell : direct;
	pid_t pid;
	int err = posix_spawn(&pid, argv[0], NULL, &attr, argv, env);
	free(command);
	posix_spawnattr_destroy(&attr);
	if (err) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not execute script %s: %s", path, strerror(err));
		return -1;
	}

	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Waiting for script %s failed: %s", name,
			       strerror(errno));
			return -1;
		}
	}

	if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);
		if (code)
			logger(PX_LOG_ALWAYS, LOG_ERR, "Script %s exited with non-zero status %d", name,
			       code);
		return code;
	}
	if (WIFSIGNALED(status))
		logger(PX_LOG_ALWAYS, LOG_ERR, "Script %s was killed by signal %d (%s)", name,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	return -1;
}

int script_run(const char *name, char *const *extra) {
	if (!confbase || !name)
		return 0;

	char *path;
	if (asprintf(&path, "%s/%s%s", confbase, name, extension ? extension : "") < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory running script %s", name);
		return -1;
	}

	struct stat st;
	if (stat(path, &st) < 0) {
		int err = errno;
		if (err != ENOENT)
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not check script %s: %s", path, strerror(err));
		free(path);
		return err == ENOENT ? 0 : -1;
	}
	/* An interpreter reads the script; only a script run directly must be executable. */
	if (!S_ISREG(st.st_mode) || access(path, interpreter ? R_OK : X_OK) < 0) {
		logger(PX_LOG_ALWAYS, LOG_WARNING, "Not executing script %s: it is not %s file", path,
		       interpreter ? "a readable" : "an executable");
		free(path);
		return -1;
	}

	char **env = build_env(extra);
	if (!env) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory running script %s", name);
		free(path);
		return -1;
	}

	logger(PX_LOG_CONNECTIONS, LOG_INFO, "Executing script %s", name);
	int status = spawn_and_wait(name, path, env);
	free(env);
	free(path);
	return status;
}
