/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Stand-ins for the logger and event loop used by the model unit tests, so
 * they link only the files under test. The logger keeps every message so
 * tests can assert on "file:line" error reports.
 */
#ifndef PX_TEST_MODEL_STUBS_H
#define PX_TEST_MODEL_STUBS_H

#include <stdbool.h>

/* Did any message logged since the last stub_log_clear() contain `needle`? */
bool stub_log_contains(const char *needle);
void stub_log_clear(void);
extern int stub_timer_frees; /* calls to timer_free() */

#endif
