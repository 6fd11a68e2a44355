/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * UPnP = yes|udponly|no, UPnPDiscoverWait, UPnPRefreshPeriod (tinc 1.1):
 * ask the local Internet Gateway Device to forward our ports to us. The
 * blocking work runs in a worker thread (upnp_igd.c); this part reads the
 * variables, starts and stops the worker and logs what it reports.
 */
#ifndef PX_UPNP_H
#define PX_UPNP_H

/* Read the UPnP variables from server_conf. Returns 0, or -1 (logged) for a
 * bad value or, in a build without libminiupnpc, UPnP = yes|udponly.
 * Nothing changes in the running daemon until upnp_apply(). */
int upnp_configure(void);
/* Make the worker match the last upnp_configure() and the listeners:
 * start it, restart it with new settings, or stop it. */
void upnp_apply(void);
/* Stop the worker (shut-down). Mappings it made lapse with their lease. */
void upnp_stop(void);

#endif
