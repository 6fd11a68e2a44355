/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Documentation of the configuration variables: value syntax, default and a
 * one-line description for each name in the parser's known-variable table
 * (conf.c). conf_docgen.c joins the two to write plexus.conf(5), the list in
 * plexusd(8) and README.md; a variable without an entry here stops the build.
 */
#ifndef PX_CONF_DOC_H
#define PX_CONF_DOC_H

#include <stddef.h>

struct conf_var_doc {
	const char *name;
	const char *value;   /* the value's syntax, e.g. "yes|no" or "SECONDS" */
	const char *dflt;    /* default when not set, or NULL if it has none */
	const char *summary; /* one sentence: what the variable does (tinc's meaning) */
	/* Only for a variable the parser marks as not implemented (warned,
	 * refused or tool-only): what Plexus does instead. NULL otherwise. */
	const char *instead;
};

/* The entry for `name` (case-insensitive), or NULL. */
const struct conf_var_doc *conf_var_doc(const char *name);
size_t conf_var_doc_count(void);
const struct conf_var_doc *conf_var_doc_at(size_t i);

#endif
