/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Giving up root after set-up, as tincd does with -U, -R and -L. The order
 * matters: supplementary groups and the group first (they need /etc/group
 * and root), then the chroot (needs root), then the user id, after which
 * nothing can be regained.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf, initgroups */
#endif
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "logger.h"
#include "privdrop.h"

static void (*chroot_hook)(char *(*map)(const char *path));

void privdrop_set_chroot_hook(void (*hook)(char *(*map)(const char *path))) {
	chroot_hook = hook;
}

static char *target_user;
static uid_t target_uid;
static gid_t target_gid;
static bool want_chroot;
static bool want_mlock;

static bool dropped;
/* Set by the chroot: the old root, as given and resolved, and the old cwd,
 * so that paths named before the chroot can be found again. */
static char *root_given;
static char *root_real;
static char *old_cwd;

int privdrop_configure(const char *user, bool chroot_to_confbase, bool lock_memory) {
	want_chroot = chroot_to_confbase;
	want_mlock = lock_memory;
	if (!user)
		return 0;

	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		if (errno)
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not look up user `%s' (-U/--user): %s", user,
			       strerror(errno));
		else
			logger(PX_LOG_ALWAYS, LOG_ERR, "Unknown user `%s' given with -U/--user", user);
		return -1;
	}
	free(target_user);
	target_user = strdup(user);
	if (!target_user)
		return -1;
	target_uid = pw->pw_uid;
	target_gid = pw->pw_gid;
	return 0;
}

int privdrop_lock_memory(void) {
	if (!want_mlock)
		return 0;
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
		int err = errno;
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not lock memory (-L/--mlock): mlockall: %s%s",
		       strerror(err),
		       err == EPERM || err == ENOMEM
		           ? " (needs root or CAP_IPC_LOCK, or a larger RLIMIT_MEMLOCK)"
		           : "");
		return -1;
	}
	return 0;
}

static int fail_call(const char *call, const char *what) {
	logger(PX_LOG_ALWAYS, LOG_ERR, "Could not %s: %s: %s", what, call, strerror(errno));
	return -1;
}

/* Set when -L -U could not lift RLIMIT_MEMLOCK: CAP_IPC_LOCK is kept. */
static bool keep_ipc_lock;

/*
 * With -L every later allocation is locked too, and once we are no longer
 * root that counts against RLIMIT_MEMLOCK: a default limit of a few MB would
 * make every mmap (malloc, spawning a script) fail soon after the drop. Lift
 * the limit while we still may; where root may not (no CAP_SYS_RESOURCE, as
 * in many containers), keep CAP_IPC_LOCK, and only it, across the setuid.
 */
static int allow_locked_memory_after_drop(void) {
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited) == 0)
		return 0;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return fail_call("prctl(PR_SET_KEEPCAPS)",
		                 "keep memory locked (-L) after dropping privileges");
	keep_ipc_lock = true;
	return 0;
}

/* After setuid with PR_SET_KEEPCAPS: everything but CAP_IPC_LOCK goes. */
static int reduce_to_ipc_lock(void) {
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = 1u << CAP_IPC_LOCK;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail_call("capset", "keep memory locked (-L) after dropping privileges");
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	logger(PX_LOG_ALWAYS, LOG_NOTICE,
	       "RLIMIT_MEMLOCK could not be lifted: keeping only CAP_IPC_LOCK so that -L still covers "
	       "new memory");
	return 0;
}

static int switch_groups(void) {
	if (initgroups(target_user, target_gid) < 0)
		return fail_call("initgroups", "drop privileges");
	if (setgid(target_gid) < 0)
		return fail_call("setgid", "drop privileges");
	endgrent();
	endpwent();
	return 0;
}

static char *absolute(const char *path) {
	char *out;
	if (path[0] == '/' || !old_cwd)
		return strdup(path);
	if (asprintf(&out, "%s/%s", old_cwd, path) < 0)
		return NULL;
	return out;
}

static int enter_chroot(void) {
	char cwd[PATH_MAX];
	char real[PATH_MAX];

	/* localtime() cannot find the zone files once inside. */
	tzset();
	if (!getcwd(cwd, sizeof(cwd)))
		return fail_call("getcwd", "chroot");
	if (!realpath(confbase, real))
		return fail_call("realpath", "chroot");
	old_cwd = strdup(cwd);
	root_given = absolute(confbase);
	root_real = strdup(real);
	if (!old_cwd || !root_given || !root_real) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory before chroot");
		return -1;
	}
	if (chroot(confbase) < 0)
		return fail_call("chroot", "chroot into the configuration directory");
	if (chdir("/") < 0)
		return fail_call("chdir", "chroot into the configuration directory");
	logger_set_path_mapper(privdrop_rebase);
	if (chroot_hook)
		chroot_hook(privdrop_rebase);

	if (main_conf_path) {
		char *conf_path = privdrop_rebase(main_conf_path);
		if (!conf_path) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "%s is not inside the chroot %s", main_conf_path,
			       root_real);
			return -1;
		}
		free(main_conf_path);
		main_conf_path = conf_path;
	}
	free(confbase);
	confbase = strdup("");
	if (!confbase) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory after chroot");
		return -1;
	}
	return 0;
}

static int switch_user(void) {
	if (setuid(target_uid) < 0)
		return fail_call("setuid", "drop privileges");
	/* A root that kept CAP_SETUID somehow would get root back: make sure not. */
	if (target_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Dropping privileges to user %s failed: root can be regained",
		       target_user);
		return -1;
	}
	return 0;
}

int privdrop_apply(void) {
	const char *root_shown = confbase;

	if (!target_user && !want_chroot)
		return 0;
	if (target_user) {
		if (want_mlock && allow_locked_memory_after_drop() < 0)
			return -1;
		if (switch_groups() < 0)
			return -1;
	}
	if (want_chroot) {
		if (!confbase) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "No configuration directory to chroot into");
			return -1;
		}
		if (enter_chroot() < 0)
			return -1;
		root_shown = root_real;
	}
	if (target_user && switch_user() < 0)
		return -1;
	if (keep_ipc_lock && reduce_to_ipc_lock() < 0)
		return -1;
	dropped = true;

	if (target_user)
		logger(PX_LOG_ALWAYS, LOG_NOTICE, "Running as user %s (uid %ld, gid %ld)%s%s", target_user,
		       (long)target_uid, (long)target_gid, want_chroot ? ", chrooted to " : "",
		       want_chroot ? root_shown : "");
	else
		logger(PX_LOG_ALWAYS, LOG_NOTICE, "Chrooted to %s", root_shown);
	return 0;
}

bool privdrop_active(void) {
	return dropped;
}

const char *privdrop_user(void) {
	return target_user;
}

/* Is `abs` below `root` ("/x/y" below "/x")? Returns the part from the '/'. */
static const char *below(const char *abs, const char *root) {
	size_t len = strlen(root);
	while (len > 0 && root[len - 1] == '/')
		len--;
	if (strncmp(abs, root, len) || abs[len] != '/')
		return NULL;
	return abs + len;
}

char *privdrop_rebase(const char *path) {
	if (!root_real)
		return strdup(path);

	char *abs = absolute(path);
	if (!abs)
		return NULL;
	const char *inside = below(abs, root_real);
	if (!inside && root_given)
		inside = below(abs, root_given);
	char *out = inside ? strdup(inside) : NULL;
	free(abs);
	return out;
}
