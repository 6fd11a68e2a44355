/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* ProcessPriority = low | normal | high (tinc 1.1). */
#ifndef PX_PROCESS_PRIORITY_H
#define PX_PROCESS_PRIORITY_H

#define PROCESS_PRIORITY_INVALID 100

/* The nice value for a ProcessPriority value (case-insensitive), or
 * PROCESS_PRIORITY_INVALID. */
int process_priority_nice(const char *value);
/* Apply it to this process; NULL (unset) does nothing. Returns 0, or -1
 * after logging an invalid value or a refused setpriority(). */
int process_priority_apply(const char *value);

#endif
