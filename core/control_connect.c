/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * REQ_CONNECT (`plexus connect NODE`): open and keep a meta connection to
 * NODE as a ConnectTo would, until the next reload or restart (which goes
 * back to the configured ConnectTo lines). tinc 1.1's daemon refuses this
 * request; Plexus does what its CLI promises.
 */
#include <string.h>

#include "conf.h"
#include "control_connect.h"
#include "event.h"
#include "logger.h"
#include "node.h"
#include "outgoing.h"

int control_connect_node(const char *name) {
	struct outgoing *o;

	if (!*name ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(name))
		return -1;
	if (myself && !strcmp(name, myself->name))
		return -1;
	if (!host_conf(name)) {
		logger(1, LOG_WARNING, "Cannot connect to %s: no host configuration", name);
		return -1;
	}
	list_for_each_entry(o, &outgoing_list, link) {
		if (!strcmp(o->name, name)) {
			o->from_connectto = true; /* AutoConnect must not drop it now */
			o->timeout = 0;
			if (!o->c)
				timer_arm(o->timer, 0);
			return 0;
		}
	}
	logger(1, LOG_NOTICE, "Connecting to %s on request of the control socket", name);
	setup_outgoing(name);
	return 0;
}
