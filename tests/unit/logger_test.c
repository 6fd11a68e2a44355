/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Logger: taps see messages above debug_level, the main sink does not; file
 * lines carry a timestamp and the ident; taps may log and remove themselves. */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "logger.h"

struct test_tap {
	struct log_tap tap;
	int count;
	int last_level;
	char last[256];
	bool remove_self;
	bool log_inside;
};

static void tap_write(struct log_tap *tap, int level, const char *msg, size_t len) {
	struct test_tap *t = (struct test_tap *)tap;
	t->count++;
	t->last_level = level;
	CHECK(len == strlen(msg));
	snprintf(t->last, sizeof t->last, "%s", msg);
	if (t->log_inside)
		logger(0, LOG_INFO, "logged from inside a tap");
	if (t->remove_self)
		logger_tap_remove(tap);
}

static char *read_file(const char *path) {
	static char buf[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int main(void) {
	char path[] = "/tmp/plexus-logger-test-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);

	logger_open("plexusd", LOGMODE_FILE, path);
	debug_level = 0;
	CHECK(logger_max_level() == 0);

	struct test_tap t5 = {.tap = {.level = 5, .write = tap_write}};
	struct test_tap t1 = {.tap = {.level = 1, .write = tap_write}};
	logger_tap_add(&t5.tap);
	logger_tap_add(&t1.tap);
	CHECK(logger_max_level() == 5);

	logger(5, LOG_DEBUG, "traffic %d", 42);
	CHECK(t5.count == 1);
	CHECK_STR(t5.last, "traffic 42");
	CHECK(t5.last_level == 5);
	CHECK(t1.count == 0);
	CHECK_STR(read_file(path), ""); /* the main sink runs at level 0 */

	logger(6, LOG_DEBUG, "nobody wants this");
	CHECK(t5.count == 1);

	logger(0, LOG_NOTICE, "always shown\n");
	CHECK(t5.count == 2 && t1.count == 1);
	CHECK_STR(t1.last, "always shown");
	char *text = read_file(path);
	CHECK(text != NULL);
	if (text) {
		/* "YYYY-MM-DD HH:MM:SS plexusd[pid]: always shown\n" */
		char expect[64];
		snprintf(expect, sizeof expect, " plexusd[%ld]: always shown\n", (long)getpid());
		CHECK(strlen(text) == 20 + strlen(expect) - 1);
		CHECK(text[4] == '-' && text[7] == '-' && text[10] == ' ' && text[13] == ':' &&
		      text[16] == ':');
		CHECK(strstr(text, expect) == text + 19);
	}

	/* Raising debug_level opens the main sink. */
	debug_level = 3;
	logger(3, LOG_INFO, "level three");
	CHECK(strstr(read_file(path), "level three\n") != NULL);
	debug_level = 0;

	/* A tap that logs does not recurse into itself; one that removes itself is gone. */
	t5.log_inside = true;
	t5.remove_self = true;
	logger(2, LOG_INFO, "last for t5");
	CHECK(t5.count == 4);
	CHECK(strstr(read_file(path), "logged from inside a tap\n") != NULL);
	logger(2, LOG_INFO, "after removal");
	CHECK(t5.count == 4);
	CHECK(logger_max_level() == 1);

	/* Reopen (SIGHUP after log rotation) starts a fresh file. */
	unlink(path);
	logger_reopen();
	logger(0, LOG_INFO, "after reopen");
	CHECK(strstr(read_file(path), "after reopen\n") != NULL);

	logger_tap_remove(&t1.tap);
	CHECK(logger_max_level() == 0);
	logger_close();
	unlink(path);
	return check_done("logger_test");
}
