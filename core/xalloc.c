/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Allocation that aborts on failure (see xalloc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void xalloc_fail(void) {
	fputs("plexus: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t size) {
	void *p = malloc(size ? size : 1);
	if (!p)
		xalloc_fail();
	return p;
}

void *xcalloc(size_t n, size_t size) {
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		xalloc_fail();
	return p;
}

void *xrealloc(void *p, size_t size) {
	void *q = realloc(p, size ? size : 1);
	if (!q)
		xalloc_fail();
	return q;
}

char *xstrdup(const char *s) {
	char *d = strdup(s);
	if (!d)
		xalloc_fail();
	return d;
}
