/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Which file a plugin really is, and whether root may load it. Loading a
 * shared object runs its ELF constructors before any descriptor check, so
 * when plexusd runs as root only files that nobody but root can change are
 * opened (OpenSSH StrictModes style).
 */
#ifndef PX_PLUGIN_FILES_H
#define PX_PLUGIN_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* True when plugin files must pass plugin_file_safe(): the effective user
 * is root. */
bool plugin_files_strict(void);

/* Can only root change `path` (a file to load)? The file and every directory
 * above it up to /, both as named and with symbolic links resolved, must be
 * owned by root and not writable by group or others; a root-owned directory
 * with the sticky bit (/tmp) is accepted, and a symbolic link on the named
 * path must itself be owned by root. Returns 0, or -1 with a message naming
 * the offending path in err. */
int plugin_file_safe(const char *path, char *err, size_t errlen);

/* The shared object libltdl would open for the libtool archive `la`, tried
 * in libltdl's order (libdir when installed, .libs/ when not, then the
 * archive's own directory). Returns a malloc'd path, or NULL with a message
 * in err. */
char *plugin_la_object(const char *la, char *err, size_t errlen);

#endif
