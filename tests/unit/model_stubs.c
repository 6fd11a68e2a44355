/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Logger and timer stand-ins for the model unit tests (see model_stubs.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "logger.h"
#include "model_stubs.h"

int debug_level = 10;
int stub_timer_frees;

static char log_buf[65536];
static size_t log_len;

void vlogger(int level, int priority, const char *fmt, va_list ap) {
	char msg[1024];

	(void)priority;
	vsnprintf(msg, sizeof(msg), fmt, ap);

	if (level <= 5) {
		fprintf(stderr, "  log[%d]: %s\n", level, msg);
	}

	size_t len = strlen(msg);

	if (log_len + len + 2 < sizeof(log_buf)) {
		memcpy(log_buf + log_len, msg, len);
		log_len += len;
		log_buf[log_len++] = '\n';
		log_buf[log_len] = '\0';
	}
}

void logger(int level, int priority, const char *fmt, ...) {
	va_list ap;

	va_start(ap, fmt);
	vlogger(level, priority, fmt, ap);
	va_end(ap);
}

bool stub_log_contains(const char *needle) {
	return strstr(log_buf, needle) != NULL;
}

void stub_log_clear(void) {
	log_len = 0;
	log_buf[0] = '\0';
}

void timer_free(px_timer *t) {
	stub_timer_frees++;
	free(t);
}
