/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Registry of plugin configuration variables. The main configuration is
 * read before any plugin runs, so unknown names met then wait here until
 * every plugin had its chance to register them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "conf.h"
#include "logger.h"
#include "plugin_vars.h"
#include "xalloc.h"

struct plugin_var {
	char *name, *owner, *summary;
	uint32_t flags, type;
};

struct pending {
	char *name, *where;
};

static struct plugin_var *vars;
static int nvars;
static struct pending *pending;
static int npending;
static bool deferring;

static char *dup_or_empty(const char *s) {
	return xstrdup(s ? s : "");
}

/* Names follow the core's: letters and digits, starting with a letter. */
static bool valid_name(const char *name) {
	if (!name || !isalpha((unsigned char)*name))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p))
			return false;
	return strlen(name) < 64;
}

static struct plugin_var *find(const char *name) {
	for (int i = 0; i < nvars; i++)
		if (!strcasecmp(vars[i].name, name))
			return &vars[i];
	return NULL;
}

int plugin_var_register(const char *owner, const struct px_var *v) {
	if (!v || v->size < offsetof(struct px_var, summary) + sizeof(v->summary) || !valid_name(v->name)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Plugin `%s' registers an invalid configuration variable `%s'",
		       owner, v && v->name ? v->name : "(null)");
		return -1;
	}
	if (!(v->flags & (PX_VAR_SERVER | PX_VAR_HOST)) || v->type > PX_VAR_INT) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "Plugin `%s' registers variable `%s' without a scope (PX_VAR_SERVER/PX_VAR_HOST) or "
		       "with an unknown type",
		       owner, v->name);
		return -1;
	}
	if (conf_var_flags(v->name)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Plugin `%s' registers `%s', a variable of the core", owner,
		       v->name);
		return -1;
	}
	const struct plugin_var *old = find(v->name);
	if (old) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Configuration variable `%s' registered by both `%s' and `%s'",
		       v->name, old->owner, owner);
		return -1;
	}
	vars = xrealloc(vars, (size_t)(nvars + 1) * sizeof(*vars));
	vars[nvars++] = (struct plugin_var){dup_or_empty(v->name), dup_or_empty(owner),
	                                    dup_or_empty(v->summary), v->flags, v->type};
	return 0;
}

bool plugin_var_known(const char *name) {
	return name && find(name) != NULL;
}

void plugin_vars_defer(bool on) {
	deferring = on;
}

bool plugin_vars_deferring(void) {
	return deferring;
}

void plugin_vars_note_unknown(const char *name, const char *where) {
	pending = xrealloc(pending, (size_t)(npending + 1) * sizeof(*pending));
	pending[npending++] = (struct pending){dup_or_empty(name), dup_or_empty(where)};
}

bool plugin_vars_filter(const char *name, const char *where) {
	if (plugin_var_known(name))
		return true;
	if (!deferring)
		return false;
	plugin_vars_note_unknown(name, where); /* a plugin may still register it */
	return true;
}

void plugin_vars_settle(void) {
	for (int i = 0; i < npending; i++) {
		if (!plugin_var_known(pending[i].name))
			logger(PX_LOG_ALWAYS, LOG_WARNING, "Unknown variable `%s' in %s", pending[i].name,
			       pending[i].where);
		free(pending[i].name);
		free(pending[i].where);
	}
	free(pending);
	pending = NULL;
	npending = 0;
	deferring = false;
}

void plugin_vars_dump(FILE *out) {
	static const char *const types[] = {"string", "bool", "int"};
	for (int i = 0; i < nvars; i++) {
		const struct plugin_var *v = &vars[i];
		const char *scope = (v->flags & PX_VAR_SERVER) && (v->flags & PX_VAR_HOST) ? "server,host"
		                    : v->flags & PX_VAR_SERVER                             ? "server"
		                                                                           : "host";
		fprintf(out, "%s %s %s %s %s %s\n", v->name, scope,
		        v->flags & PX_VAR_MULTIPLE ? "multiple" : "single", types[v->type], v->owner,
		        v->summary);
	}
}

void plugin_vars_clear(void) {
	for (int i = 0; i < nvars; i++) {
		free(vars[i].name);
		free(vars[i].owner);
		free(vars[i].summary);
	}
	free(vars);
	vars = NULL;
	nvars = 0;
	deferring = false;
}
