/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tincd's -U (run as another user), -R (chroot into the configuration
 * directory) and -L (lock all memory). The daemon sets up everything that
 * needs root first (plugins' start(), the device, listening sockets, tinc-up,
 * the control socket and pid file), then calls privdrop_apply().
 */
#ifndef PX_PRIVDROP_H
#define PX_PRIVDROP_H

#include <stdbool.h>

/* Remember what was asked for and check it can be done: an unknown -U user
 * is refused here, at start-up, with a clear message. Returns 0 or -1. */
int privdrop_configure(const char *user, bool chroot_to_confbase, bool lock_memory);

/* -L: mlockall(current and future). Call after detaching (locks are not
 * inherited by fork). Returns 0 (also when -L was not given) or -1, logged. */
int privdrop_lock_memory(void);

/* Switch groups, chroot into confbase and switch user, in that order; after
 * a chroot confbase becomes "" and the main configuration path is rebased.
 * Returns 0 (also when nothing was asked for) or -1, logged. */
int privdrop_apply(void);
/* Called after the chroot with the path mapper (privdrop_rebase), for users
 * of paths named before it other than the logger (the control socket). */
void privdrop_set_chroot_hook(void (*hook)(char *(*map)(const char *path)));

/* True once privileges were dropped or the root changed. */
bool privdrop_active(void);

/* The user given with -U, or NULL. */
const char *privdrop_user(void);

/* `path` (as named before a chroot) as seen from the current root: a copy of
 * it when there was no chroot, its part below the new root after one, or NULL
 * when it lies outside the new root. Free the result. */
char *privdrop_rebase(const char *path);

#endif
