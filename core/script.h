/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* tinc-up/down, host-up/down, subnet-up/down with tinc's environment. */
#ifndef PX_SCRIPT_H
#define PX_SCRIPT_H

/* Run confbase/<name> (if it exists) synchronously with NETNAME, DEVICE,
 * INTERFACE, NAME set plus `extra` ("KEY=VALUE" strings, NULL-terminated,
 * may be NULL). Returns the exit status, 0 if absent, -1 on failure (logged). */
int script_run(const char *name, char *const *extra);

/* Set by the daemon at start-up for the common variables. */
void script_set_common(const char *netname, const char *device, const char *interface, const char *name);

/* ScriptsInterpreter (run scripts as `<interpreter> "<script>"`) and
 * ScriptsExtension (appended to every script name); NULL or "" for none. */
void script_set_options(const char *interpreter, const char *extension);

#endif
