/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Build-time tool (not installed): prints the documentation of the
 * configuration variables in one format, from the parser's own table.
 *   conf_dump man|man-list|markdown|names|status|check
 * Exits 1 when the table and the documentation disagree (see
 * conf_docgen_check), so a new variable cannot go undocumented; the
 * documents (man, man-list, markdown) are then not printed at all.
 */
#include <stdlib.h>
#include <string.h>

#include "conf_docgen.h"

int main(int argc, char **argv) {
	static const struct {
		const char *name;
		enum conf_docgen_format format;
	} formats[] = {
	    {"man", CONF_DOCGEN_MAN},           {"man-list", CONF_DOCGEN_MAN_LIST},
	    {"markdown", CONF_DOCGEN_MARKDOWN}, {"names", CONF_DOCGEN_NAMES},
	    {"status", CONF_DOCGEN_STATUS},
	};

	if (argc != 2) {
		fprintf(stderr, "Usage: %s man|man-list|markdown|names|status|check\n", argv[0]);
		return 2;
	}

	struct conf_var_info *v;
	size_t n = conf_var_info_core(&v);

	if (!v) {
		return 1;
	}

	int problems = conf_docgen_check(stderr, v, n);
	int ret = problems ? 1 : 0;

	if (strcmp(argv[1], "check")) {
		size_t i = 0;

		while (i < sizeof(formats) / sizeof(formats[0]) && strcmp(formats[i].name, argv[1])) {
			i++;
		}

		if (i == sizeof(formats) / sizeof(formats[0])) {
			fprintf(stderr, "%s: unknown format `%s'\n", argv[0], argv[1]);
			ret = 2;
		} else if (!problems || formats[i].format >= CONF_DOCGEN_NAMES) {
			conf_docgen(stdout, formats[i].format, v, n);
		}
	}

	free(v);

	if (fflush(stdout) || ferror(stdout)) {
		ret = 1;
	}

	return ret;
}
