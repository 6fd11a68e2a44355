/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The event loop's side of UPnP port mapping (see upnp.h and upnp_igd.h).
 * The worker is told what to map once, by value; a reload that changes
 * anything stops it and starts a new one. Its log lines arrive through a
 * pipe and are logged here, on the loop, like any other message.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "event.h"
#include "logger.h"
#include "net_packet.h"
#include "netutl.h"
#include "plugin_loader.h"
#include "upnp.h"
#ifdef HAVE_MINIUPNPC
#include "upnp_igd.h"
#endif

struct upnp_settings {
	bool tcp, udp;
	int discover_wait, refresh_period;
};

static struct upnp_settings wanted = {.discover_wait = 5, .refresh_period = 60};

/* A positive number of seconds, or the default when unset. */
static int read_seconds(const char *var, int *out, int def) {
	*out = def;
	int r = conf_get_int(&server_conf, var, out);
	if (r < 0)
		return -1;
	if (r > 0 && (*out < 1 || *out > 86400)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "%s = %d: expected 1 to 86400 seconds", var, *out);
		return -1;
	}
	return 0;
}

int upnp_configure(void) {
	struct upnp_settings s = {0};
	const char *mode = conf_get(&server_conf, "UPnP", 0);
	if (!mode || !strcasecmp(mode, "no"))
		;
	else if (!strcasecmp(mode, "yes"))
		s.tcp = s.udp = true;
	else if (!strcasecmp(mode, "udponly"))
		s.udp = true;
	else {
		logger(PX_LOG_ALWAYS, LOG_ERR, "UPnP = %s: expected yes, udponly or no", mode);
		return -1;
	}
	if (read_seconds("UPnPDiscoverWait", &s.discover_wait, 5) < 0 ||
	    read_seconds("UPnPRefreshPeriod", &s.refresh_period, 60) < 0)
		return -1;
#ifndef HAVE_MINIUPNPC
	if (s.tcp || s.udp) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "UPnP: Plexus was built without libminiupnpc (UPnP = %s; set UPnP = no)", mode);
		return -1;
	}
#endif
	wanted = s;
	return 0;
}

#ifdef HAVE_MINIUPNPC

/* The running worker: what it was given, and our ends of its pipes. */
static struct upnp_job running;
static int stop_fd = -1; /* closing it stops the worker */

struct reader {
	int fd;
	px_watch *watch;
	struct reader *next;
};
static struct reader *readers; /* one per worker not yet known to be gone */

static void reader_free(struct reader *rd) {
	for (struct reader **p = &readers; *p; p = &(*p)->next)
		if (*p == rd) {
			*p = rd->next;
			break;
		}
	watch_free(rd->watch);
	close(rd->fd);
	free(rd);
}

/* Lines from a worker; at EOF (it has stopped) the pipe goes. Each stopped
 * worker keeps its own pipe until then, so a late line is not lost. */
static void worker_readable(void *arg, uint32_t events) {
	struct reader *rd = arg;
	struct upnp_msg m;
	for (int i = 0; i < 64; i++) {
		ssize_t r = read(rd->fd, &m, sizeof(m));
		if (r == (ssize_t)sizeof(m)) {
			m.text[sizeof(m.text) - 1] = 0;
			logger(m.level, m.priority, "%s", m.text);
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		break; /* EOF, an error or a short record: the worker is gone */
	}
	reader_free(rd);
}

static void add_port(uint16_t *ports, int *n, uint16_t port) {
	if (!port)
		return;
	for (int i = 0; i < *n; i++)
		if (ports[i] == port)
			return;
	if (*n < UPNP_MAX_PORTS)
		ports[(*n)++] = port;
}

/* The ports our listeners are bound to. Each protocol's port is mapped
 * once: the gateway forwards IPv4, whatever family our sockets have. */
static void listener_ports(struct upnp_job *job) {
	const struct dgram_provider *dp = dgram_provider();
	for (int i = 0; i < nlisteners; i++) {
		add_port(job->tcp_ports, &job->ntcp, addr_port(&listeners[i].addr));
		struct px_addr local;
		uint16_t udp = addr_port(&listeners[i].addr);
		if (!listeners[i].dgram_sock)
			continue;
		if (dp->ops->local_addr &&
		    dp->ops->local_addr(dp->plugin, listeners[i].dgram_sock, &local) == 0)
			udp = addr_port(&local);
		add_port(job->udp_ports, &job->nudp, udp);
	}
}

static void stop_worker(void) {
	if (stop_fd >= 0)
		close(stop_fd);
	stop_fd = -1;
	memset(&running, 0, sizeof(running));
}

static bool same_job(const struct upnp_job *a, const struct upnp_job *b) {
	return a->tcp == b->tcp && a->udp == b->udp && a->discover_wait == b->discover_wait &&
	       a->refresh_period == b->refresh_period && !strcmp(a->description, b->description) &&
	       a->ntcp == b->ntcp && a->nudp == b->nudp &&
	       !memcmp(a->tcp_ports, b->tcp_ports, sizeof(a->tcp_ports)) &&
	       !memcmp(a->udp_ports, b->udp_ports, sizeof(a->udp_ports));
}

void upnp_apply(void) {
	struct upnp_job job = {.tcp = wanted.tcp,
	                       .udp = wanted.udp,
	                       .discover_wait = wanted.discover_wait,
	                       .refresh_period = wanted.refresh_period};
	if (!job.tcp && !job.udp) {
		if (stop_fd >= 0)
			logger(PX_LOG_ALWAYS, LOG_NOTICE, "UPnP: port mapping stopped");
		stop_worker();
		return;
	}
	/* The name of the daemon, and of the network when there is one. */
	snprintf(job.description, sizeof(job.description), "plexusd%s%s", netname ? "." : "",
	         netname ? netname : "");
	listener_ports(&job);
	if (!job.udp || !dgram_provider())
		job.nudp = 0;
	if (!job.tcp)
		job.ntcp = 0;
	if (stop_fd >= 0 && same_job(&job, &running))
		return;
	stop_worker();
	if (!job.ntcp && !job.nudp) {
		logger(PX_LOG_ALWAYS, LOG_WARNING, "UPnP: no listening port to map");
		return;
	}
	int stop[2], log[2];
	if (pipe2(stop, O_CLOEXEC) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "UPnP: pipe: %s", strerror(errno));
		return;
	}
	if (pipe2(log, O_CLOEXEC) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "UPnP: pipe: %s", strerror(errno));
		close(stop[0]);
		close(stop[1]);
		return;
	}
	fcntl(log[0], F_SETFL, fcntl(log[0], F_GETFL) | O_NONBLOCK);
	int err = upnp_igd_start(&job, stop[0], log[1]);
	if (err) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "UPnP: could not start the port mapping thread: %s",
		       strerror(err));
		close(stop[1]);
		close(log[0]);
		return;
	}
	struct reader *rd = calloc(1, sizeof(*rd));
	if (rd) {
		rd->fd = log[0];
		rd->watch = watch_new(log[0], PX_EV_READ, worker_readable, rd);
		rd->next = readers;
		readers = rd;
	} else {
		close(log[0]); /* the worker's lines are dropped */
	}
	stop_fd = stop[1];
	running = job;
	logger(PX_LOG_CONNECTIONS, LOG_INFO, "UPnP: mapping %s%s%s every %d s (discovery %d s, lease %d s)",
	       job.ntcp ? "TCP" : "", job.ntcp && job.nudp ? " and " : "", job.nudp ? "UDP" : "",
	       job.refresh_period, job.discover_wait, job.refresh_period * 2);
}

void upnp_stop(void) {
	stop_worker();
	while (readers)
		reader_free(readers);
}

#else /* !HAVE_MINIUPNPC: upnp_configure() let nothing but UPnP = no through */

void upnp_apply(void) {
}

void upnp_stop(void) {
}

#endif
