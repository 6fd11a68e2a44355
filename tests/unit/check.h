/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A minimal unit-test harness: CHECK() records a failure and goes on,
 * check_done() prints a summary and returns the exit status for automake
 * (0 pass, 1 fail).
 */
#ifndef PX_TEST_CHECK_H
#define PX_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		check_count++;                                                                               \
		if (!(cond)) {                                                                               \
			check_failures++;                                                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *check_a_ = (a), *check_b_ = (b);                                                 \
		check_count++;                                                                               \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {                                  \
			check_failures++;                                                                    \
			fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n", __FILE__, \
			        __LINE__, #a, check_a_ ? check_a_ : "(null)",                                \
			        check_b_ ? check_b_ : "(null)");                                             \
		}                                                                                            \
	} while (0)

static inline int check_done(const char *name) {
	fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
