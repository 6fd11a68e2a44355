/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * hostsupdate-before/-after and confupdate-before/-after. The core's script
 * runner is not part of the ABI, so the plugin forks and execs itself, with
 * the variables tinc gives every script (NETNAME, DEVICE, INTERFACE, NAME)
 * plus UPDATER. Like tinc's scripts they run synchronously.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "update.h"

extern char **environ;

/* NETNAME from the core (ABI 1.1); with an older core, the environment's,
 * else the last component of a ".../tinc/NETNAME" configuration directory. */
static const char *guess_netname(void) {
	if (PX_HOST_HAS(uh.host, netname) && uh.host->netname) {
		const char *n = uh.host->netname();
		return n ? n : "";
	}
	const char *env = getenv("NETNAME");
	if (env)
		return env;
	const char *cb = uh.host->confbase();
	const char *t = cb ? strstr(cb, "/tinc/") : NULL;
	if (t && !strchr(t + 6, '/'))
		return t + 6;
	return "";
}

static bool is_ours(const char *entry) {
	static const char *const keys[] = {"NETNAME=", "DEVICE=", "INTERFACE=", "NAME=", "UPDATER="};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strncmp(entry, keys[i], strlen(keys[i])))
			return true;
	return false;
}

void uh_run_script(const char *script, const char *updater) {
	char *path = uh_path(uh.host->confbase(), script, NULL);
	if (!path || access(path, X_OK)) {
		free(path);
		return;
	}
	const char *type = uh.host->conf_get(NULL, "DeviceType", 0);
	bool dummy = type && !strcasecmp(type, "dummy");
	const char *device = uh.host->conf_get(NULL, "Device", 0);
	const char *iface =
	    PX_HOST_HAS(uh.host, interface_name) && uh.host->interface_name && uh.host->interface_name()
	        ? uh.host->interface_name()
	        : uh.host->conf_get(NULL, "Interface", 0);
	const char *name = uh.host->self_name();
	const char *values[5] = {guess_netname(),
	                         dummy    ? "dummy"
	                         : device ? device
	                                  : "/dev/net/tun",
	                         dummy   ? "dummy"
	                         : iface ? iface
	                                 : "",
	                         name ? name : "", updater};
	static const char *const keys[5] = {"NETNAME", "DEVICE", "INTERFACE", "NAME", "UPDATER"};
	char *vars[5] = {NULL};
	bool ok = true;
	for (int i = 0; i < 5; i++)
		if (asprintf(&vars[i], "%s=%s", keys[i], values[i]) < 0) {
			vars[i] = NULL; /* asprintf leaves it undefined */
			ok = false;
		}
	size_t n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	char **env = ok ? calloc(n + 6, sizeof(*env)) : NULL;
	if (!env) {
		UH_LOG(PX_LOG_ALWAYS, "Out of memory running %s", path);
		goto out;
	}
	size_t m = 0;
	for (char **e = environ; e && *e; e++)
		if (!is_ours(*e))
			env[m++] = *e;
	for (int i = 0; i < 5; i++)
		env[m++] = vars[i];

	UH_LOG(PX_LOG_CONNECTIONS, "Executing script %s", script);
	pid_t pid = fork();
	if (pid < 0) {
		UH_LOG(PX_LOG_ALWAYS, "Cannot fork for %s: %s", path, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* The event loop blocks the signals it reads via signalfd. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		char *argv[] = {path, NULL};
		execve(path, argv, env);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			UH_LOG(PX_LOG_ALWAYS, "Waiting for %s failed: %s", path, strerror(errno));
			goto out;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status))
		UH_LOG(PX_LOG_ALWAYS, "Script %s exited with status %d", script, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		UH_LOG(PX_LOG_ALWAYS, "Script %s was killed by signal %d", script, WTERMSIG(status));
out:
	free(env);
	for (int i = 0; i < 5; i++)
		free(vars[i]);
	free(path);
}
