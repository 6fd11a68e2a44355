/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The core's one allocation policy: running out of memory is not
 * recoverable for a daemon holding half-built state, so these never return
 * NULL; they log to stderr and abort().
 */
#ifndef PX_XALLOC_H
#define PX_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
/* Abort with a message: for an allocation made some other way. */
void xalloc_fail(void) __attribute__((noreturn));

#endif
