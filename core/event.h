/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The single-threaded event loop: epoll fd watches, monotonic timers and
 * signals (signalfd). px_timer and px_watch are the SDK's opaque handles.
 */
#ifndef PX_EVENT_H
#define PX_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <plexus/plugin.h>

int event_init(void);
void event_exit(void);
/* Run until event_loop_stop(); returns 0, or -1 on a fatal epoll error. */
int event_loop_run(void);
void event_loop_stop(void);

uint64_t now_ms(void); /* monotonic, cached per loop iteration and refreshed on demand */

px_timer *timer_new(void (*cb)(void *arg), void *arg);
void timer_arm(px_timer *t, uint32_t msec);
void timer_disarm(px_timer *t);
void timer_free(px_timer *t);
bool timer_armed(const px_timer *t);

px_watch *watch_new(int fd, uint32_t events, void (*cb)(void *arg, uint32_t revents), void *arg);
void watch_set(px_watch *w, uint32_t events); /* PX_EV_READ | PX_EV_WRITE */
void watch_free(px_watch *w);                 /* safe inside its own callback */

/* Run cb(signo) on the loop when the signal arrives. */
int signal_watch(int signo, void (*cb)(int signo));

/* Run cb(arg) once, after the current callback returns (used for deferred
 * frees so that nothing disappears under a caller's feet). */
void event_defer(void (*cb)(void *arg), void *arg);
/* Run cb(arg) once, after every callback of the current event-loop wake-up
 * (coalescing work that many callbacks in one wake-up would each repeat,
 * such as writing a connection's output). */
void event_defer_batch(void (*cb)(void *arg), void *arg);
/* Drop the batch-deferred calls for arg (which is about to be freed). */
void event_defer_batch_forget(void *arg);
/* Run the deferred calls (callback and batch) now: for code that drives the core from outside
 * the event loop's callbacks (the unit tests' fixture). */
void event_run_deferred(void);

#endif
