/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "connection.h"
#include "event.h"
#include "node.h"
#include "sd_notify.h"
#include "service.h"

/* The status line is refreshed at least this often (and with every
 * watchdog keep-alive when that is more frequent). */
#define STATUS_INTERVAL_MS 10000

static px_timer *tick;

/* "STATUS=3 meta connections, 5 of 7 nodes reachable" */
static void format_status(char *buf, size_t len) {
	int conns = 0, nodes = 0, reachable = 0;
	conn_t *c, *ctmp;
	node_t *n;

	conn_foreach_active(c, ctmp) conns++;
	list_for_each_entry(n, &node_list, link) {
		nodes++;
		reachable += n->reachable;
	}
	snprintf(buf, len, "STATUS=%d meta connection%s, %d of %d node%s reachable", conns,
	         conns == 1 ? "" : "s", reachable, nodes, nodes == 1 ? "" : "s");
}

static uint32_t tick_interval(void) {
	uint32_t wd = sd_notify_watchdog_interval_ms();
	return wd && wd < STATUS_INTERVAL_MS ? wd : STATUS_INTERVAL_MS;
}

/* One timer does both jobs: the watchdog keep-alive proves the event loop
 * still turns, and the status line it carries stays current. */
static void on_tick(void *arg) {
	char msg[160];
	size_t off = 0;

	(void)arg;
	if (sd_notify_watchdog_interval_ms())
		off = (size_t)snprintf(msg, sizeof(msg), "WATCHDOG=1\n");
	format_status(msg + off, sizeof(msg) - off);
	sd_notify_send(msg);
	timer_arm(tick, tick_interval());
}

int service_init(void) {
	return sd_notify_init();
}

/* READY=1 with the current status line. */
static void send_ready(void) {
	char msg[192];
	int off = snprintf(msg, sizeof(msg), "READY=1\n");

	format_status(msg + off, sizeof(msg) - (size_t)off);
	sd_notify_send(msg);
}

void service_ready(void) {
	if (!sd_notify_enabled())
		return;
	send_ready();
	if (!tick)
		tick = timer_new(on_tick, NULL);
	if (tick)
		timer_arm(tick, tick_interval());
}

/* systemd's Type=notify-reload wants the reload's start time with it. */
void service_reloading(void) {
	struct timespec ts;
	char msg[96];

	if (!sd_notify_enabled())
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	sd_notify_send(msg);
}

void service_reloaded(void) {
	if (sd_notify_enabled())
		send_ready();
}

void service_stopping(void) {
	sd_notify_send("STOPPING=1");
}

void service_exit(void) {
	if (tick)
		timer_free(tick);
	tick = NULL;
	sd_notify_exit();
}
