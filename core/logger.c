/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Logging sinks: one main sink (stderr, a file or syslog) filtered by
 * debug_level, plus any number of taps with their own levels. A message is
 * formatted at most once, and only if some sink wants it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "logger.h"

int debug_level = 0;

static enum log_mode log_mode = LOGMODE_STDERR;
static char *log_ident;
static char *log_path;
static FILE *log_file;
static struct log_tap *taps;
/* Set while taps are written, so that a tap that logs does not recurse. */
static bool in_taps;

static const char *ident_or_default(void) {
	return log_ident ? log_ident : "plexusd";
}

static void open_file(void) {
	log_file = fopen(log_path, "a");
	if (!log_file) {
		fprintf(stderr, "Could not open log file %s: %s\n", log_path, strerror(errno));
		return;
	}
	/* One line per write, so that concurrent readers (tail -f) see whole lines. */
	setvbuf(log_file, NULL, _IOLBF, 0);
}

void logger_open(const char *ident, enum log_mode mode, const char *logfile) {
	logger_close();
	log_ident = strdup(ident ? ident : "plexusd");
	log_mode = mode;

	switch (mode) {
	case LOGMODE_FILE:
		if (!logfile) {
			fprintf(stderr, "No log file given, logging to stderr\n");
			log_mode = LOGMODE_STDERR;
			break;
		}
		log_path = strdup(logfile);
		open_file();
		break;
	case LOGMODE_SYSLOG:
		/* Connected now, so that logging still works after a chroot (-R). */
		openlog(log_ident, LOG_CONS | LOG_PID | LOG_NDELAY, LOG_DAEMON);
		break;
	case LOGMODE_STDERR:
		break;
	}
}

void logger_close(void) {
	if (log_mode == LOGMODE_SYSLOG)
		closelog();
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	free(log_path);
	log_path = NULL;
	free(log_ident);
	log_ident = NULL;
	log_mode = LOGMODE_STDERR;
}

/* Set after a chroot (-R): maps a path named before it to the one that
 * reaches the same file now, or NULL. */
static char *(*path_mapper)(const char *path);

void logger_set_path_mapper(char *(*map)(const char *path)) {
	path_mapper = map;
}

/* Log rotation on SIGHUP. The new file is opened before the old one is
 * closed: after -U/-R the daemon may not be allowed to open it any more, and
 * then it keeps writing to the file it has, and says why. */
void logger_reopen(void) {
	if (log_mode != LOGMODE_FILE || !log_path)
		return;
	char *here = path_mapper ? path_mapper(log_path) : strdup(log_path);
	bool reachable = here != NULL;
	FILE *fresh = reachable ? fopen(here, "a") : NULL;
	int err = errno;
	free(here);
	if (!fresh) {
		logger(PX_LOG_ALWAYS, LOG_WARNING,
		       "Could not reopen log file %s: %s; still writing to the old one", log_path,
		       reachable ? strerror(err) : "it is outside the chroot");
		return;
	}
	if (log_file)
		fclose(log_file);
	log_file = fresh;
	setvbuf(log_file, NULL, _IOLBF, 0);
}

int logger_max_level(void) {
	int max = debug_level;
	for (struct log_tap *t = taps; t; t = t->next)
		if (t->level > max)
			max = t->level;
	return max;
}

void logger_tap_add(struct log_tap *tap) {
	tap->next = taps;
	taps = tap;
}

void logger_tap_remove(struct log_tap *tap) {
	for (struct log_tap **p = &taps; *p; p = &(*p)->next) {
		if (*p == tap) {
			*p = tap->next;
			tap->next = NULL;
			return;
		}
	}
}

static void write_main(int priority, const char *msg) {
	switch (log_mode) {
	case LOGMODE_FILE:
		if (log_file) {
			char stamp[32];
			time_t now = time(NULL);
			struct tm tm;
			localtime_r(&now, &tm);
			strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
			fprintf(log_file, "%s %s[%ld]: %s\n", stamp, ident_or_default(), (long)getpid(), msg);
			break;
		}
		/* The file could not be opened: do not lose the message. */
		/* fall through */
	case LOGMODE_STDERR:
		fprintf(stderr, "%s\n", msg);
		fflush(stderr);
		break;
	case LOGMODE_SYSLOG:
		syslog(priority, "%s", msg);
		break;
	}
}

static void write_taps(int level, const char *msg, size_t len) {
	if (in_taps)
		return;
	in_taps = true;
	struct log_tap *next;
	for (struct log_tap *t = taps; t; t = next) {
		/* A tap may remove itself while being written. */
		next = t->next;
		if (t->level >= level)
			t->write(t, level, msg, len);
	}
	in_taps = false;
}

void vlogger(int level, int priority, const char *fmt, va_list ap) {
	bool to_main = level <= debug_level;
	bool to_taps = false;
	if (!in_taps)
		for (struct log_tap *t = taps; t; t = t->next)
			if (t->level >= level)
				to_taps = true;
	if (!to_main && !to_taps)
		return;

	/* Callers often log and then look at errno again. */
	int saved_errno = errno;
	char msg[2048];
	int len = vsnprintf(msg, sizeof msg, fmt, ap);
	if (len < 0) {
		snprintf(msg, sizeof msg, "(unformattable log message: %s)", fmt);
		len = (int)strlen(msg);
	} else if ((size_t)len >= sizeof msg) {
		len = sizeof msg - 1;
	}
	/* Sinks add their own line ends. */
	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = '\0';

	if (to_main)
		write_main(priority, msg);
	if (to_taps)
		write_taps(level, msg, (size_t)len);
	errno = saved_errno;
}

void logger(int level, int priority, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vlogger(level, priority, fmt, ap);
	va_end(ap);
}
