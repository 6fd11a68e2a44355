/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Logging with tinc's debug levels to stderr, a file or syslog, plus taps
 * (control clients running `plexus log N`) that get messages up to their own
 * level regardless of the daemon's debug level.
 */
#ifndef PX_LOGGER_H
#define PX_LOGGER_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

#include <plexus/plugin.h>

enum log_mode { LOGMODE_STDERR, LOGMODE_FILE, LOGMODE_SYSLOG };

extern int debug_level; /* -d LEVEL */

void logger_open(const char *ident, enum log_mode mode, const char *logfile);
void logger_close(void);
void logger_reopen(void); /* SIGHUP: reopen the log file */
/* After a chroot: how the log file's old path is reached now (a new string,
 * or NULL when it is outside the new root). */
void logger_set_path_mapper(char *(*map)(const char *path));
/* priority: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG. */
void logger(int level, int priority, const char *fmt, ...) PX_PRINTF(3, 4);
void vlogger(int level, int priority, const char *fmt, va_list ap);
/* Highest level anyone (file/syslog or a tap) wants; callers may skip work above it. */
int logger_max_level(void);

/* Taps for `plexus log`. A tap sees every message with level <= its level. */
struct log_tap {
	int level;
	void (*write)(struct log_tap *tap, int level, const char *msg, size_t len);
	struct log_tap *next;
};
void logger_tap_add(struct log_tap *tap);
void logger_tap_remove(struct log_tap *tap);

#endif
