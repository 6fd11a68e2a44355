/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* ProcessPriority: tinc's class names as nice values, applied with setpriority. */
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "process_priority.h"

static int current_nice(void) {
	errno = 0;
	return getpriority(PRIO_PROCESS, 0);
}

int main(void) {
	CHECK(process_priority_nice("low") == 10);
	CHECK(process_priority_nice("Normal") == 0);
	CHECK(process_priority_nice("HIGH") == -10);
	CHECK(process_priority_nice("idle") == PROCESS_PRIORITY_INVALID);
	CHECK(process_priority_nice("") == PROCESS_PRIORITY_INVALID);
	CHECK(process_priority_nice(NULL) == PROCESS_PRIORITY_INVALID);

	int before = current_nice();
	CHECK(process_priority_apply(NULL) == 0); /* unset: untouched */
	CHECK(current_nice() == before);
	CHECK(process_priority_apply("bogus") == -1);
	CHECK(current_nice() == before);
	CHECK(process_priority_apply("Low") == 0);
	CHECK(current_nice() == 10);
	/* Raising it back needs CAP_SYS_NICE; as root, High and Normal work too. */
	if (geteuid() == 0) {
		CHECK(process_priority_apply("high") == 0);
		CHECK(current_nice() == -10);
		CHECK(process_priority_apply("normal") == 0);
		CHECK(current_nice() == 0);
	} else {
		CHECK(process_priority_apply("high") == -1); /* refused, and said so */
	}
	return check_done("process_priority_test");
}
