/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Documentation generated from the parser's known-variable table: the
 * variable list of plexus.conf(5), the one-line lists of plexusd(8) and
 * README.md, and the bare names for shell completion. Every function takes
 * an array of variables, so that variables from other sources (plugins) can
 * be appended to the core's before generating.
 */
#ifndef PX_CONF_DOCGEN_H
#define PX_CONF_DOCGEN_H

#include <stdio.h>

#include "conf.h"
#include "conf_doc.h"

struct conf_var_info {
	const char *name;
	int flags; /* CONF_SERVER, CONF_HOST, CONF_MULTIPLE */
	enum conf_support support;
	const char *inert;              /* '|'-separated values that mean "not set", or NULL */
	const char *replacement;        /* CONF_OBSOLETE: what replaced it (the parser's text) */
	const struct conf_var_doc *doc; /* NULL if undocumented */
};

/* The core's known variables, sorted by name. Returns the count; *out is
 * allocated (free() it), or NULL with 0 on allocation failure. */
size_t conf_var_info_core(struct conf_var_info **out);
/* Sort by name, case-insensitively (after appending other variables). */
void conf_var_info_sort(struct conf_var_info *v, size_t n);
/* Log every inconsistency between the table and the documentation to err:
 * an undocumented variable, a documentation entry for an unknown one, an
 * "instead" note on an implemented or obsolete variable (an obsolete one's
 * text is the parser's replacement) or none on another. Returns the
 * number of problems. */
int conf_docgen_check(FILE *err, const struct conf_var_info *v, size_t n);

enum conf_docgen_format {
	CONF_DOCGEN_MAN,      /* plexus.conf(5): one .TP paragraph per variable, by scope */
	CONF_DOCGEN_MAN_LIST, /* plexusd(8): one line per variable */
	CONF_DOCGEN_MARKDOWN, /* README.md: one list item per variable */
	CONF_DOCGEN_NAMES,    /* one name per line, for shell completion */
	CONF_DOCGEN_STATUS,   /* "NAME implemented|warn|refuse|tool-only|obsolete" per line, for tests */
};
void conf_docgen(FILE *out, enum conf_docgen_format format, const struct conf_var_info *v, size_t n);

#endif
