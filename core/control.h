/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Daemon side of the control socket (tinc 1.1's control protocol over a UNIX
 * socket readable only by the daemon's user) and the pid file.
 */
#ifndef PX_CONTROL_H
#define PX_CONTROL_H

#include <stdbool.h>

/* Control request types (tinc 1.1 numbering; Plexus extensions from 64). */
enum control_type {
	REQ_STOP = 0,
	REQ_RELOAD = 1,
	REQ_RESTART = 2,
	REQ_DUMP_NODES = 3,
	REQ_DUMP_EDGES = 4,
	REQ_DUMP_SUBNETS = 5,
	REQ_DUMP_CONNECTIONS = 6,
	REQ_DUMP_GRAPH = 7,
	REQ_PURGE = 8,
	REQ_SET_DEBUG = 9,
	REQ_RETRY = 10,
	REQ_CONNECT = 11,
	REQ_DISCONNECT = 12,
	REQ_DUMP_TRAFFIC = 13,
	REQ_PCAP = 14,
	REQ_LOG = 15,
	REQ_DUMP_PLUGINS = 64, /* Plexus: loaded plugins */
};

/* Default pid file and socket paths for a netname (netname may be NULL). */
char *control_default_pidfile(const char *confbase, const char *netname);
char *control_socket_path(const char *pidfile);

/* Write the pid file "<pid> <cookie> <host> port <port>" and open the socket. */
int control_init(const char *pidfile);
void control_exit(void);
/* After a chroot: how the pid file's and socket's old paths are reached now
 * (a new string, or NULL when outside the new root; then they are left). */
void control_set_path_mapper(char *(*map)(const char *path));

#endif
