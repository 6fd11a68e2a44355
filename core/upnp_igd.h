/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The UPnP-IGD worker: a detached thread that finds an Internet Gateway
 * Device with libminiupnpc and keeps our ports mapped on it. It shares no
 * memory with the event loop: it gets its own copy of the job, is stopped
 * by closing the other end of its stop pipe, and sends what it has to log
 * as fixed-size records through its log pipe, which it closes when done.
 */
#ifndef PX_UPNP_IGD_H
#define PX_UPNP_IGD_H

#include <stdbool.h>
#include <stdint.h>

#define UPNP_MAX_PORTS 8

struct upnp_job {
	bool tcp, udp;        /* which protocols to map */
	int discover_wait;    /* seconds, UPnPDiscoverWait */
	int refresh_period;   /* seconds, UPnPRefreshPeriod */
	char description[64]; /* NewPortMappingDescription */
	int ntcp, nudp;
	uint16_t tcp_ports[UPNP_MAX_PORTS];
	uint16_t udp_ports[UPNP_MAX_PORTS];
};

/* One log line from the worker; written whole (smaller than PIPE_BUF). */
struct upnp_msg {
	int level;    /* PX_LOG_* */
	int priority; /* LOG_* */
	char text[248];
};

/* Start the worker on a copy of `job`. It owns stop_fd (reads EOF: stop)
 * and log_fd (struct upnp_msg records) from now on, also on failure.
 * Returns 0, or an errno value when the thread could not be created. */
int upnp_igd_start(const struct upnp_job *job, int stop_fd, int log_fd);

#endif
