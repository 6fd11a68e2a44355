/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tinc-compatible configuration files: "Variable = Value" lines, PEM blocks
 * skipped, variables case-insensitive, errors reported with file and line.
 */
#ifndef PX_CONF_H
#define PX_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct conf_entry {
	char *var;
	char *value;
	char *file; /* NULL for command line (-o) */
	int line;   /* 0 for command line */
};

struct conf {
	struct conf_entry *v;
	size_t n, cap;
};

/* Where a tinc variable may appear. */
#define CONF_SERVER   0x1 /* tinc.conf / plexus.conf */
#define CONF_HOST     0x2 /* host files */
#define CONF_MULTIPLE 0x4 /* may appear several times */

/* What Plexus does with a known variable. */
enum conf_support {
	CONF_IMPLEMENTED = 0, /* read and acted on as tinc does */
	CONF_WARN,            /* not implemented: a warning when it is set */
	CONF_REFUSE,          /* not implemented, and ignoring it would weaken security: refused */
	CONF_TOOL_ONLY,       /* only tinc's command-line tools read it; tincd ignores it too */
	CONF_OBSOLETE,        /* no longer means anything: a warning names what replaced it */
};

void conf_init(struct conf *c);
void conf_free(struct conf *c);
/* Append the entries of a file. Returns 0, or -1 after logging "file:line: why".
 * A missing file is an error only if `must_exist`. Unknown variables are logged
 * as warnings (with file and line) and kept. */
int conf_read_file(struct conf *c, const char *path, bool must_exist);
/* Add one "Variable = Value" or "Variable Value" entry from the command line (-o). */
int conf_add_line(struct conf *c, const char *line, const char *file, int lineno);
/* The index-th value of `var` in priority order (command line first, then by
 * line number, then file name), or NULL. */
const char *conf_get(const struct conf *c, const char *var, int index);
const struct conf_entry *conf_get_entry(const struct conf *c, const char *var, int index);
/* Typed getters: return 1 if set and valid (stored in *out), 0 if unset,
 * -1 (after logging file:line) if set but invalid. */
int conf_get_bool(const struct conf *c, const char *var, bool *out);
int conf_get_int(const struct conf *c, const char *var, int *out);
/* Flags of a known tinc/Plexus variable (CONF_*), or 0 if unknown. */
int conf_var_flags(const char *var);
/* A name that is none of the core's variables draws a warning unless
 * `filter` (given by the wiring: plugin_vars.c in plexusd) returns true,
 * taking care of it: a plugin's variable, or one held until the plugins
 * registered theirs. NULL: every such name warns. */
void conf_set_unknown_filter(bool (*filter)(const char *var, const char *where));
enum conf_support conf_var_support(const char *var); /* CONF_IMPLEMENTED if unknown */
/* For a CONF_OBSOLETE variable: what replaced it (one clause), else NULL. */
const char *conf_var_replacement(const char *var);
/* Does `value` mean the same for `var` as leaving it out (e.g. UPnP = no)? */
bool conf_var_value_inert(const char *var, const char *value);
/* The known-variable table, for tests that walk it. */
size_t conf_known_var_count(void);
const char *conf_known_var_name(size_t i);
const char *conf_known_var_inert(size_t i); /* values that mean "not set", or NULL */
/* Log every not-implemented variable set in `c` (once per variable, with
 * file:line): a warning, or an error for a refused one. Returns -1 if a
 * refused variable is set, else 0. read_server_config() calls it (start-up
 * and reload); host_conf() warns the same way for a peer's host file. */
int conf_check_support(const struct conf *c);
/* The same for a host file: warn about server-only variables, refuse none. */
int conf_check_host_support(const struct conf *c);
/* Warn again about server-only variables in host files (a reload). */
void conf_forget_host_reports(void);
/* "a/b" or "a/b/c", malloc'd. */
/* "FILE line N" for messages (static buffer). */
const char *conf_where(const char *file, int line);
char *conf_path_join(const char *a, const char *b, const char *c);
/* Copy the command line's "NAME.Var = value" entries into c as "Var". */
void conf_apply_host_overrides(struct conf *c, const char *name);
/* Is `name` a valid node name ([A-Za-z0-9_]+)? */
bool check_node_name(const char *name);

/* The daemon's configuration: server config (main file + our host file +
 * command-line overrides) and a cache of parsed host files. */
extern struct conf server_conf;
extern char *confbase;       /* configuration directory */
extern char *netname;        /* -n NETNAME or NULL */
extern char *main_conf_path; /* plexus.conf or tinc.conf inside confbase */
/* Parsed hosts/<name>, cached until host_conf_flush()/host_conf_forget(). NULL if absent or broken. */
/* config_files.c */
const struct conf *host_conf(const char *name);
void host_conf_flush(void);
void host_conf_forget(const char *name); /* re-read this one next time */
/* Call cb for every file hosts/NAME whose NAME is a valid node name other
 * than skip (dotfiles, scripts such as NAME-up and temporaries are not).
 * Returns 0, or -1 with errno set when hosts/ cannot be read. */
int host_files_foreach(const char *skip, void (*cb)(const char *name, void *arg), void *arg);
/* Pick plexus.conf or tinc.conf inside confbase and read it plus hosts/<Name>.
 * Fills server_conf. Returns 0 or -1 (already logged; also when a refused
 * variable is set, see conf_check_support). */
int read_server_config(void);

#endif
