/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * ProcessPriority: tinc's three scheduling classes (Low, Normal, High) as
 * Unix nice values, applied to the whole daemon at start-up.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "logger.h"
#include "process_priority.h"

int process_priority_nice(const char *value) {
	static const struct {
		const char *name;
		int nice;
	} classes[] = {{"low", 10}, {"normal", 0}, {"high", -10}};

	for (size_t i = 0; value && i < sizeof(classes) / sizeof(classes[0]); i++)
		if (!strcasecmp(value, classes[i].name))
			return classes[i].nice;
	return PROCESS_PRIORITY_INVALID;
}

int process_priority_apply(const char *value) {
	if (!value)
		return 0;
	int nice = process_priority_nice(value);
	if (nice == PROCESS_PRIORITY_INVALID) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid ProcessPriority `%s' (low, normal or high)", value);
		return -1;
	}
	if (setpriority(PRIO_PROCESS, 0, nice) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not set ProcessPriority = %s (nice %d): %s", value,
		       nice, strerror(errno));
		return -1;
	}
	logger(PX_LOG_CONNECTIONS, LOG_INFO, "Process priority set to %s (nice %d)", value, nice);
	return 0;
}
