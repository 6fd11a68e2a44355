/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* plexus connect NODE: ask the daemon to open a meta connection to NODE. */
#include <stdio.h>

#include "cli.h"
#include "cli_ctl.h"
#include "control.h"

int cmd_connect(int argc, char **argv) {
	struct ctl c;
	int result;

	if (argc != 2) {
		fprintf(stderr, "Invalid number of arguments.\n");
		return 1;
	}
	if (!cli_valid_name(argv[1])) {
		fprintf(stderr, "Invalid name for node.\n");
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	if (ctl_simple(&c, REQ_CONNECT, argv[1], &result) < 0 || result != 0) {
		fprintf(stderr, "Could not connect to %s.\n", argv[1]);
		ctl_close(&c);
		return 1;
	}
	ctl_close(&c);
	return 0;
}
