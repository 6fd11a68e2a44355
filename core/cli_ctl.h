/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The CLI's connection to a running daemon over the control socket (tinc
 * 1.1's control protocol), for command files other than plexus.c.
 */
#ifndef PX_CLI_CTL_H
#define PX_CLI_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "control_format.h"

#define CLI_CTL_BUF 8192

struct ctl {
	int fd;
	int pid;
	char buf[CLI_CTL_BUF];
	size_t len;
};

/* Connect and authenticate with the cookie from the pid file; `quiet`: no
 * messages. -1 on failure. */
int ctl_open(struct ctl *c, bool quiet);
void ctl_close(struct ctl *c);
int ctl_send(struct ctl *c, const char *fmt, ...) PX_PRINTF(2, 3);
/* One line without its newline; -1 if the daemon went away. */
int ctl_recv_line(struct ctl *c, char *line, size_t max);
/* Exactly `len` bytes, written to `out`; -1 if the daemon went away. */
int ctl_recv_bytes_to(struct ctl *c, size_t len, FILE *out);
/* Send "18 <type> [arg]" and read "18 <type> <result>". */
int ctl_simple(struct ctl *c, int type, const char *arg, int *result);
/* A dump: every line to cb until the closing "18 <type>". */
int ctl_dump(struct ctl *c, int type, int (*cb)(const char *line, void *arg), void *arg);

#endif
