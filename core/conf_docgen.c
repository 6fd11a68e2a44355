/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Writes the documentation of the configuration variables from the parser's
 * known-variable table (conf.c) and their descriptions (conf_doc.c). The
 * build runs it through conf_dump, so the man pages, README.md and the shell
 * completion list exactly the variables the parser knows, with the scope and
 * support status the parser applies.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_docgen.h"

static int info_cmp(const void *a, const void *b) {
	const struct conf_var_info *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

void conf_var_info_sort(struct conf_var_info *v, size_t n) {
	if (n) {
		qsort(v, n, sizeof(*v), info_cmp);
	}
}

size_t conf_var_info_core(struct conf_var_info **out) {
	size_t n = conf_known_var_count();
	struct conf_var_info *v = calloc(n ? n : 1, sizeof(*v));

	*out = v;

	if (!v) {
		return 0;
	}

	for (size_t i = 0; i < n; i++) {
		const char *name = conf_known_var_name(i);

		v[i].name = name;
		v[i].flags = conf_var_flags(name);
		v[i].support = conf_var_support(name);
		v[i].inert = conf_known_var_inert(i);
		v[i].replacement = conf_var_replacement(name);
		v[i].doc = conf_var_doc(name);
	}

	conf_var_info_sort(v, n);
	return n;
}

int conf_docgen_check(FILE *err, const struct conf_var_info *v, size_t n) {
	int problems = 0;

	for (size_t i = 0; i < n; i++) {
		const struct conf_var_doc *d = v[i].doc;

		if (!d) {
			fprintf(err, "%s: known variable without documentation (add it to core/conf_doc.c)\n",
			        v[i].name);
			problems++;
			continue;
		}

		if (!d->value || !*d->value || !d->summary || !*d->summary ||
		    d->summary[strlen(d->summary) - 1] != '.' || strchr(d->summary, '\n')) {
			fprintf(err, "%s: needs a value syntax and a one-sentence summary ending in '.'\n",
			        v[i].name);
			problems++;
		}

		if (v[i].support == CONF_IMPLEMENTED && d->instead) {
			fprintf(err, "%s: implemented, but its documentation says what happens instead\n",
			        v[i].name);
			problems++;
		}

		if (v[i].support == CONF_OBSOLETE) {
			if (d->instead || !v[i].replacement || !*v[i].replacement) {
				fprintf(err,
				        "%s: obsolete: the parser's table names its replacement, its "
				        "documentation must not\n",
				        v[i].name);
				problems++;
			}
		} else if (v[i].support != CONF_IMPLEMENTED && (!d->instead || !*d->instead)) {
			fprintf(
			    err,
			    "%s: not implemented, but its documentation does not say what happens instead\n",
			    v[i].name);
			problems++;
		}

		if (i && !strcasecmp(v[i - 1].name, v[i].name)) {
			fprintf(err, "%s: listed twice\n", v[i].name);
			problems++;
		}
	}

	/* Documentation for a name the parser does not know is stale. */
	for (size_t j = 0; j < conf_var_doc_count(); j++) {
		const struct conf_var_doc *d = conf_var_doc_at(j);
		bool found = false;

		for (size_t i = 0; i < n && !found; i++) {
			found = v[i].doc == d;
		}

		if (!found) {
			fprintf(err, "%s: documented in core/conf_doc.c, but not a known variable\n",
			        d->name);
			problems++;
		}
	}

	return problems;
}

/* Text for a roff line: escape backslashes and minus signs, and keep a
 * leading '.' or '\'' from being read as a request. */
static void man_text(FILE *out, const char *s) {
	if (*s == '.' || *s == '\'') {
		fputs("\\&", out);
	}

	for (; *s; s++) {
		if (*s == '\\') {
			fputs("\\e", out);
		} else if (*s == '-') {
			fputs("\\-", out);
		} else {
			fputc(*s, out);
		}
	}
}

static void emit(FILE *out, const char *s, bool man) {
	if (man) {
		man_text(out, s);
	} else {
		fputs(s, out);
	}
}

/* "a|b" as "a or b" for prose. */
static void inert_text(FILE *out, const char *inert, bool man) {
	for (const char *p = inert; *p;) {
		size_t len = strcspn(p, "|");
		char word[64];

		snprintf(word, sizeof(word), "%.*s", (int)(len < sizeof(word) ? len : sizeof(word) - 1), p);
		emit(out, word, man);
		p += len;

		if (*p == '|') {
			p++;
			fputs(strchr(p, '|') ? ", " : " or ", out);
		}
	}
}

/* The sentence on what Plexus does with a variable it does not implement,
 * or nothing for an implemented one. */
static void status_text(FILE *out, const struct conf_var_info *v, bool man) {
	const char *instead = v->doc && v->doc->instead ? v->doc->instead : "";

	switch (v->support) {
	case CONF_IMPLEMENTED:
		return;
	case CONF_WARN:
		fputs(" Not implemented (a warning is logged", out);
		break;
	case CONF_REFUSE:
		fputs(" Not implemented: plexusd refuses to start while it is set", out);
		break;
	case CONF_TOOL_ONLY:
		fputs(" Not for plexusd: ", out);
		emit(out, instead, man);
		fputs(".", out);
		return;
	case CONF_OBSOLETE:
		fputs(" Obsolete (a warning is logged): ", out);
		emit(out, v->replacement ? v->replacement : "", man);
		fputs(".", out);
		return;
	}

	if (v->inert) {
		fputs(v->support == CONF_WARN ? " unless it is " : " to anything but ", out);
		inert_text(out, v->inert, man);
	}

	fputs(v->support == CONF_WARN ? "): " : ", because ", out);
	emit(out, instead, man);
	fputs(".", out);
}

static const char *scope_text(int flags) {
	switch (flags & (CONF_SERVER | CONF_HOST)) {
	case CONF_SERVER:
		return "plexus.conf";
	case CONF_HOST:
		return "host files";
	default:
		return "plexus.conf or host files";
	}
}

/* One plexus.conf(5) paragraph. */
static void man_entry(FILE *out, const struct conf_var_info *v) {
	const struct conf_var_doc *d = v->doc;

	fputs(".TP\n\\fB", out);
	man_text(out, v->name);
	fputs("\\fR = \\fI", out);
	man_text(out, d && d->value ? d->value : "VALUE");
	fputs("\\fR\n", out);
	man_text(out, d && d->summary ? d->summary : "Undocumented.");
	status_text(out, v, true);
	fputs("\n.br\nIn ", out);
	fputs(scope_text(v->flags), out);

	if (v->flags & CONF_MULTIPLE) {
		fputs(", may appear several times", out);
	}

	if (d && d->dflt) {
		fputs("; default: ", out);
		man_text(out, d->dflt);
	}

	fputs(".\n", out);
}

static void man_section(FILE *out, const struct conf_var_info *v, size_t n, bool host) {
	for (size_t i = 0; i < n; i++) {
		if (!!(v[i].flags & CONF_HOST) == host) {
			man_entry(out, &v[i]);
		}
	}
}

void conf_docgen(FILE *out, enum conf_docgen_format format, const struct conf_var_info *v, size_t n) {
	switch (format) {
	case CONF_DOCGEN_MAN:
		fputs(".SS \"Server variables\"\n"
		      "These are read from the main file only.\n",
		      out);
		man_section(out, v, n, false);
		fputs(".SS \"Host variables\"\n"
		      "These describe a node and are read from its host file; those also allowed\n"
		      "in the main file apply there to all nodes, or to this node only.\n",
		      out);
		man_section(out, v, n, true);
		break;
	case CONF_DOCGEN_MAN_LIST:
		for (size_t i = 0; i < n; i++) {
			fputs(".TP\n.B ", out);
			man_text(out, v[i].name);
			fputs("\n", out);
			man_text(out, v[i].doc && v[i].doc->summary ? v[i].doc->summary : "Undocumented.");
			status_text(out, &v[i], true);
			fputs("\n", out);
		}

		break;
	case CONF_DOCGEN_MARKDOWN:
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "- `%s` (%s%s): %s", v[i].name, scope_text(v[i].flags),
			        v[i].flags & CONF_MULTIPLE ? ", several" : "",
			        v[i].doc && v[i].doc->summary ? v[i].doc->summary : "Undocumented.");
			status_text(out, &v[i], false);
			fputs("\n", out);
		}

		break;
	case CONF_DOCGEN_NAMES:
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "%s\n", v[i].name);
		}

		break;
	case CONF_DOCGEN_STATUS:
		for (size_t i = 0; i < n; i++) {
			static const char *const names[] = {
			    [CONF_IMPLEMENTED] = "implemented", [CONF_WARN] = "warn",
			    [CONF_REFUSE] = "refuse",           [CONF_TOOL_ONLY] = "tool-only",
			    [CONF_OBSOLETE] = "obsolete",
			};
			fprintf(out, "%s %s\n", v[i].name, names[v[i].support]);
		}

		break;
	}
}
