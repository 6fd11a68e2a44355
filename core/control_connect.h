/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* REQ_CONNECT: connect to a node now (see control_connect.c). */
#ifndef PX_CONTROL_CONNECT_H
#define PX_CONTROL_CONNECT_H

/* 0 when a connection is being made (or kept); -1 for an invalid name,
 * ourselves, or a node without a host file. */
int control_connect_node(const char *name);

#endif
