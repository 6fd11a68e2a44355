/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Where the pid file and the control socket live. Kept apart from control.c
 * so that the `plexus` CLI can use these rules without linking the daemon's
 * network code.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, asprintf */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"

#ifndef PLEXUS_LOCALSTATEDIR
#define PLEXUS_LOCALSTATEDIR "/usr/local/var"
#endif

static char *path_join(const char *a, const char *b) {
	char *out;

	if (asprintf(&out, "%s%s", a, b) < 0)
		return NULL;
	return out;
}

/*
 * A named network gets a system-wide pid file so that several daemons can
 * run side by side: in RUNDIR/plexus/ when that directory exists (the
 * systemd units' RuntimeDirectory), else in RUNDIR itself. When the run
 * directory is not ours to write (a normal user, or an unusual prefix) the
 * configuration directory takes its place. Daemon and CLI share this rule.
 */
char *control_default_pidfile(const char *confbase, const char *netname) {
	if (netname && *netname) {
		const char *rundir = PLEXUS_LOCALSTATEDIR "/run";
		const char *ownrundir = PLEXUS_LOCALSTATEDIR "/run/plexus";

		if (access(ownrundir, W_OK) == 0) {
			char *out;

			if (asprintf(&out, "%s/%s.pid", ownrundir, netname) < 0)
				return NULL;
			return out;
		}
		if (access(rundir, W_OK) == 0) {
			char *out;

			if (asprintf(&out, "%s/plexus.%s.pid", rundir, netname) < 0)
				return NULL;
			return out;
		}
	}
	return path_join(confbase ? confbase : ".", "/pid");
}

char *control_socket_path(const char *pidfile) {
	size_t len = strlen(pidfile);
	const char *suffix = ".pid";
	size_t slen = strlen(suffix);

	if (len > slen && strcmp(pidfile + len - slen, suffix) == 0) {
		char *out = malloc(len - slen + sizeof(".socket"));

		if (!out)
			return NULL;
		memcpy(out, pidfile, len - slen);
		memcpy(out + len - slen, ".socket", sizeof(".socket"));
		return out;
	}
	return path_join(pidfile, ".socket");
}
