/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Configuration variables registered by plugins (host->register_variable,
 * ABI 1.2): known to the parser once registered, listed by
 * `plexusd --dump-variables`.
 */
#ifndef PLEXUS_PLUGIN_VARS_H
#define PLEXUS_PLUGIN_VARS_H

#include <stdbool.h>
#include <stdio.h>

#include <plexus/plugin.h>

/* Register `v` for plugin `owner`. Returns 0, or -1 (logged) when the name
 * is invalid, a core variable, or another plugin's. */
int plugin_var_register(const char *owner, const struct px_var *v);
/* True if a plugin registered `name` (case-insensitive). */
bool plugin_var_known(const char *name);
/* While plugins are not initialised yet, the parser hands unknown names
 * here instead of warning; plugin_vars_settle() warns for those no plugin
 * registered and ends the deferral. Off by default (the CLI never defers). */
void plugin_vars_defer(bool on);
bool plugin_vars_deferring(void);
void plugin_vars_note_unknown(const char *name, const char *where);
void plugin_vars_settle(void);
/* The parser's filter for names that are not the core's
 * (conf_set_unknown_filter()): true for a registered name and, while
 * deferring, for any other (noted for plugin_vars_settle()). */
bool plugin_vars_filter(const char *name, const char *where);
/* One line per variable: name, scope, multiplicity, type, plugin, summary. */
void plugin_vars_dump(FILE *out);
void plugin_vars_clear(void);

#endif
