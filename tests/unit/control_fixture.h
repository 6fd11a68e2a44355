/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A stand-in for the rest of the core around control.c: recording stubs for
 * the event loop, logger and network calls, and a small fixed model (nodes
 * alpha and beta, one edge, subnet and connection, one plugin). Shared by
 * the control unit test and the fake daemon the CLI test talks to.
 */
#ifndef PX_TEST_CONTROL_FIXTURE_H
#define PX_TEST_CONTROL_FIXTURE_H

#include "control.h"
#include "control_format.h"
#include "event.h"
#include "logger.h"
#include "net.h"

struct px_watch {
	int fd;
	uint32_t events;
	void (*cb)(void *arg, uint32_t revents);
	void *arg;
	bool live;
};
#define FIXTURE_WATCHES 16
extern struct px_watch watches[FIXTURE_WATCHES];
extern int loop_stopped;        /* event_loop_stop() calls */
extern struct log_tap *the_tap; /* the registered log tap, if any */
extern int reloads, retries, purges;

extern node_t alpha, beta;
extern struct edge ab;
extern struct subnet sn;
extern conn_t conn_beta;
extern struct px_plugin plug;

/* Fill the model above into the core's lists; alpha is myself. */
void setup_model(void);

#endif
