/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy = exec COMMAND: the meta connection is a socketpair whose other end
 * is the command's stdin and stdout.
 */
#ifndef PX_PROXY_EXEC_H
#define PX_PROXY_EXEC_H

#include "connection.h"

/* Start COMMAND for outgoing connection c and make the socketpair c's
 * stream (c->tp, c->stream). Connection completion is reported from the
 * event loop like a TCP connect. Returns 0, or -1 (logged). */
int proxy_exec_connect(conn_t *c, const char *command);

#endif
