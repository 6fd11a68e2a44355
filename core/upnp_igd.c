/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The UPnP-IGD worker thread (see upnp_igd.h). Every libminiupnpc call
 * blocks (SSDP discovery for UPnPDiscoverWait seconds, HTTP and SOAP to
 * the gateway), which is why they run here and never on the event loop.
 * Each round discovers the gateway anew, then asks it to forward each of
 * our ports to us for twice the refresh period, so that a mapping never
 * lapses between two rounds, and a gateway that rebooted or forgot the
 * mapping gets it back at the next round. Without libminiupnpc only a
 * stub is built (upnp.c refuses UPnP = yes|udponly then).
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "upnp_igd.h"

#ifdef HAVE_MINIUPNPC

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include <plexus/plugin.h>

struct worker {
	struct upnp_job job;
	int stop_fd;
	int log_fd;
};

static void say(struct worker *w, int level, int priority, const char *fmt, ...) PX_PRINTF(4, 5);

/* Hand one line to the event loop, which logs it. A full pipe blocks only
 * this thread; a closed one (the daemon is going away) drops the line. */
static void say(struct worker *w, int level, int priority, const char *fmt, ...) {
	struct upnp_msg m = {.level = level, .priority = priority};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	ssize_t r;
	do
		r = write(w->log_fd, &m, sizeof(m));
	while (r < 0 && errno == EINTR);
}

/* Wait up to msec for the stop pipe; true when the worker must stop. */
static bool stop_requested(struct worker *w, int msec) {
	struct pollfd p = {.fd = w->stop_fd, .events = POLLIN};
	int r;
	do
		r = poll(&p, 1, msec);
	while (r < 0 && errno == EINTR);
	return r != 0;
}

/* upnpDiscover's parameters changed between API versions; 17 is
 * miniupnpc 2.2.4 (Debian 12), 18 added the WAN address to GetValidIGD. */
static struct UPNPDev *discover(int msec, int *error) {
#if MINIUPNPC_API_VERSION >= 14
	return upnpDiscover(msec, NULL, NULL, UPNP_LOCAL_PORT_ANY, 0, 2, error);
#else
	return upnpDiscover(msec, NULL, NULL, 0, 0, error);
#endif
}

static int valid_igd(struct UPNPDev *devs, struct UPNPUrls *urls, struct IGDdatas *data, char *lan,
                     int lanlen) {
#if MINIUPNPC_API_VERSION >= 18
	char wan[64];
	return UPNP_GetValidIGD(devs, urls, data, lan, lanlen, wan, sizeof(wan));
#else
	return UPNP_GetValidIGD(devs, urls, data, lan, lanlen);
#endif
}

static void map_port(struct worker *w, const struct UPNPUrls *urls, const struct IGDdatas *data,
                     const char *lan, uint16_t port, const char *proto) {
	char p[8], lease[16];
	snprintf(p, sizeof(p), "%u", (unsigned)port);
	snprintf(lease, sizeof(lease), "%d", w->job.refresh_period * 2);
	int err = UPNP_AddPortMapping(urls->controlURL, data->first.servicetype, p, p, lan,
	                              w->job.description, proto, NULL, lease);
	if (err == UPNPCOMMAND_SUCCESS)
		say(w, PX_LOG_PROTOCOL, LOG_INFO, "UPnP: mapped %s port %s to %s for %s seconds", proto, p,
		    lan, lease);
	else
		say(w, PX_LOG_PROTOCOL, LOG_ERR, "UPnP: could not map %s port %s to %s: [%d] %s", proto, p,
		    lan, err, strupnperror(err));
}

/* One round: find the gateway, (re)map every port. */
static void refresh(struct worker *w) {
	say(w, PX_LOG_PROTOCOL, LOG_INFO, "UPnP: looking for an Internet Gateway Device (%d s)",
	    w->job.discover_wait);
	int error = 0;
	struct UPNPDev *devs = discover(w->job.discover_wait * 1000, &error);
	if (!devs) {
		say(w, PX_LOG_PROTOCOL, LOG_WARNING, "UPnP: no device answered: [%d] %s", error,
		    strupnperror(error));
		return;
	}
	struct UPNPUrls urls;
	struct IGDdatas data;
	char lan[64] = "";
	memset(&urls, 0, sizeof(urls));
	memset(&data, 0, sizeof(data));
	int r = valid_igd(devs, &urls, &data, lan, sizeof(lan));
	if (r <= 0) {
		say(w, PX_LOG_PROTOCOL, LOG_WARNING, "UPnP: no Internet Gateway Device found");
		freeUPNPDevlist(devs);
		return;
	}
	/* Like tinc, also a device that says it is not connected, or is not
	 * quite an IGD, is asked: it may still forward. */
	say(w, PX_LOG_PROTOCOL, LOG_INFO, "UPnP: gateway %s (%s; our address %s, service %s)",
	    urls.controlURL,
	    r == 1   ? "connected"
	    : r == 2 ? "not connected"
	             : "not a known IGD",
	    lan, data.first.servicetype);
	for (int i = 0; i < w->job.ntcp && w->job.tcp && !stop_requested(w, 0); i++)
		map_port(w, &urls, &data, lan, w->job.tcp_ports[i], "TCP");
	for (int i = 0; i < w->job.nudp && w->job.udp && !stop_requested(w, 0); i++)
		map_port(w, &urls, &data, lan, w->job.udp_ports[i], "UDP");
	FreeUPNPUrls(&urls);
	freeUPNPDevlist(devs);
}

static uint64_t mono_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A round every refresh period, counted from the start of the previous
 * one, until the stop pipe says otherwise. */
static void *worker_main(void *arg) {
	struct worker *w = arg;
	while (!stop_requested(w, 0)) {
		uint64_t start = mono_ms();
		refresh(w);
		uint64_t next = start + (uint64_t)w->job.refresh_period * 1000, now = mono_ms();
		if (stop_requested(w, now < next ? (int)(next - now) : 0))
			break;
	}
	close(w->stop_fd);
	close(w->log_fd);
	free(w);
	return NULL;
}

int upnp_igd_start(const struct upnp_job *job, int stop_fd, int log_fd) {
	struct worker *w = calloc(1, sizeof(*w));
	if (!w) {
		close(stop_fd);
		close(log_fd);
		return ENOMEM;
	}
	w->job = *job;
	w->stop_fd = stop_fd;
	w->log_fd = log_fd;
	/* The event loop takes its signals through a signalfd; the worker
	 * must never be the thread a signal is delivered to. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t t;
	int err = pthread_create(&t, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		close(stop_fd);
		close(log_fd);
		free(w);
	}
	return err;
}

#else /* !HAVE_MINIUPNPC */

int upnp_igd_start(const struct upnp_job *job, int stop_fd, int log_fd) {
	close(stop_fd);
	close(log_fd);
	return ENOSYS;
}

#endif
