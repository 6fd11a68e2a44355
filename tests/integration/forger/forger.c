/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * forger: a test-only plugin for test_update_hosts_attacks.sh. It plays a
 * hostile (or merely compromised) node of the VPN that speaks the
 * update-hosts requests without obeying their rules:
 *
 *  - it registers HOSTUPDATE (100) and CONFUPDATE (101) as broadcast
 *    requests, so the core announces both ids in its ACK and peers running
 *    update-hosts send them to it and accept them from it. The node that
 *    loads it must run with DisablePlugin = update-hosts, which owns the
 *    same ids;
 *  - every update request it receives is appended to the file named by
 *    ForgerCapture (genuine runs to replay later) and never forwarded;
 *  - every 100 ms it polls the file named by ForgerLines and broadcasts each
 *    complete line appended since the last poll, verbatim, to all its
 *    active meta connections. Lines starting with '#' are skipped.
 *
 * Built by the test itself, out of tree, like sdk/examples:
 *   cc -shared -fPIC -fvisibility=hidden -I<srcdir>/sdk -o forger.so forger.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plexus/plugin.h>

#define POLL_MS 100

static const struct px_host *host;
static px_plugin *me;
static px_timer *poll_timer;
static char *lines_path;
static char *capture_path;
static long lines_done; /* complete lines of ForgerLines already handled */
static int active_conns;

/* Keep what the network sends us, so the test can replay genuine lines. */
static int capture(px_plugin *self, px_conn *from, const char *line) {
	const char *peer = host->conn_name(from);
	host->log(self, PX_LOG_PROTOCOL, "forger: captured %.12s... from %s", line, peer ? peer : "?");
	if (!capture_path)
		return 0;
	FILE *f = fopen(capture_path, "a");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
	return 0;
}

static const struct px_request_ops hostupdate_ops = {
    .size = sizeof(struct px_request_ops),
    .id = PX_REQ_HOSTUPDATE,
    .name = "HOSTUPDATE",
    .flags = PX_REQF_BROADCAST,
    .handle = capture,
};

static const struct px_request_ops confupdate_ops = {
    .size = sizeof(struct px_request_ops),
    .id = PX_REQ_CONFUPDATE,
    .name = "CONFUPDATE",
    .flags = PX_REQF_BROADCAST,
    .handle = capture,
};

/* Broadcast the lines appended to ForgerLines since the last poll. A line
 * counts only once it ends with '\n', so a half-written one waits; nothing
 * is sent (and nothing counted) while we have no active connection. */
static void send_new_lines(void) {
	FILE *f = lines_path && active_conns > 0 ? fopen(lines_path, "r") : NULL;
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long index = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break;
		if (index++ < lines_done)
			continue;
		lines_done = index;
		line[n - 1] = 0;
		if (line[0] == '#' || !line[0])
			continue;
		int rc = host->broadcast(NULL, "%s", line);
		host->log(me, PX_LOG_ALWAYS, "forger: line %ld (%zd bytes) %s", index, n - 1,
		          rc < 0 ? "REFUSED by the core" : "broadcast");
	}
	free(line);
	fclose(f);
}

static void poll_tick(void *arg) {
	(void)arg;
	send_new_lines();
	host->timer_arm(poll_timer, POLL_MS);
}

static void on_conn_active(px_plugin *self, px_conn *c) {
	const char *peer = host->conn_name(c);
	active_conns++;
	host->log(self, PX_LOG_ALWAYS, "forger: connection with %s active (100: %s)", peer ? peer : "?",
	          host->conn_has_capability(c, "100") ? "announced" : "not announced");
}

static void on_conn_closed(px_plugin *self, px_conn *c) {
	(void)self, (void)c;
	if (active_conns > 0)
		active_conns--;
}

static const struct px_event_ops events = {
    .size = sizeof(struct px_event_ops),
    .conn_active = on_conn_active,
    .conn_closed = on_conn_closed,
};

static char *conf_strdup(const char *var) {
	const char *v = host->conf_get(NULL, var, 0);
	return v ? strdup(v) : NULL;
}

static int forger_init(px_plugin *self, const struct px_host *h) {
	host = h;
	me = self;
	if (!PX_HOST_HAS(h, register_events))
		return -1;
	lines_path = conf_strdup("ForgerLines");
	capture_path = conf_strdup("ForgerCapture");
	if (h->register_request(self, &hostupdate_ops) || h->register_request(self, &confupdate_ops) ||
	    h->register_events(self, &events))
		return -1;
	h->log(self, PX_LOG_ALWAYS, "forger: sending lines from %s, capturing into %s",
	       lines_path ? lines_path : "(nothing)", capture_path ? capture_path : "(nowhere)");
	return 0;
}

static int forger_start(px_plugin *self) {
	(void)self;
	poll_timer = host->timer_new(poll_tick, NULL);
	if (!poll_timer)
		return -1;
	host->timer_arm(poll_timer, POLL_MS);
	return 0;
}

static void forger_stop(px_plugin *self) {
	(void)self;
	if (poll_timer)
		host->timer_free(poll_timer);
	poll_timer = NULL;
}

static void forger_fini(px_plugin *self) {
	(void)self;
	free(lines_path);
	free(capture_path);
	lines_path = capture_path = NULL;
}

PX_PLUGIN_DEFINE(forger, .name = "forger", .version = "0.1",
                 .description = "test only: sends crafted update-hosts requests",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = forger_init,
                 .start = forger_start, .stop = forger_stop, .fini = forger_fini);
