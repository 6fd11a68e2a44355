/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The event loop: timer order, re-arm, disarm, pipe watches, defer, batch
 * defer, signals, and frees from inside callbacks. */
#define _GNU_SOURCE /* pipe2 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "event.h"
#include "logger.h"

static int order[256];
static int norder;

static void record(void *arg) {
	if (norder < 256)
		order[norder++] = (int)(intptr_t)arg;
}

static void stop(void *arg) {
	(void)arg;
	event_loop_stop();
}

/* A guard so that a broken loop fails instead of hanging. */
static px_timer *guard;
static bool guard_fired;
static void guard_cb(void *arg) {
	(void)arg;
	guard_fired = true;
	event_loop_stop();
}
static void run_with_guard(uint32_t ms) {
	guard_fired = false;
	timer_arm(guard, ms);
	CHECK(event_loop_run() == 0);
	timer_disarm(guard);
}

static void test_timers(void) {
	norder = 0;
	px_timer *t1 = timer_new(record, (void *)1);
	px_timer *t2 = timer_new(record, (void *)2);
	px_timer *t3 = timer_new(record, (void *)3);
	px_timer *t4 = timer_new(record, (void *)4);
	px_timer *end = timer_new(stop, NULL);

	timer_arm(t1, 30);
	timer_arm(t2, 10);
	timer_arm(t3, 20);
	timer_arm(t4, 5);
	timer_disarm(t4); /* never fires */
	CHECK(!timer_armed(t4));
	timer_arm(t2, 40); /* re-arm replaces: now after t1 */
	CHECK(timer_armed(t2));
	timer_arm(end, 60);

	uint64_t start = now_ms();
	run_with_guard(2000);
	CHECK(!guard_fired);
	CHECK(now_ms() - start >= 40);
	CHECK(norder == 3);
	CHECK(order[0] == 3 && order[1] == 1 && order[2] == 2);
	CHECK(!timer_armed(t1) && !timer_armed(t2));

	timer_free(t1);
	timer_free(t2);
	timer_free(t3);
	timer_free(t4);
	timer_free(end);
}

enum { HEAP_N = 200 };
static px_timer *heap_timers[HEAP_N];

/* Armed from inside the loop, where "now" is one cached value for all of
 * them: outside it the clock moves between calls on a loaded machine. */
static void arm_heap_timers(void *arg) {
	for (int i = 0; i < HEAP_N; i++)
		timer_arm(heap_timers[i], (uint32_t)((i * 7919) % 50));
	for (int i = 0; i < HEAP_N; i += 3)
		timer_disarm(heap_timers[i]);
	timer_arm((px_timer *)arg, 80);
}

/* Many timers with equal deadlines keep the order they were armed in. */
static void test_timer_heap(void) {
	enum { N = HEAP_N };
	px_timer **t = heap_timers;
	norder = 0;
	for (int i = 0; i < N; i++)
		t[i] = timer_new(record, (void *)(intptr_t)i);
	px_timer *end = timer_new(stop, NULL);
	px_timer *arm = timer_new(arm_heap_timers, end);
	timer_arm(arm, 0);
	run_with_guard(2000);
	timer_free(arm);
	CHECK(!guard_fired);
	CHECK(norder == N - (N + 2) / 3);
	for (int k = 1; k < norder; k++) {
		int a = order[k - 1], b = order[k];
		int da = (a * 7919) % 50, db = (b * 7919) % 50;
		CHECK(da < db || (da == db && a < b));
	}
	for (int i = 0; i < N; i++) {
		CHECK(!timer_armed(t[i]));
		timer_free(t[i]);
	}
	timer_free(end);
}

struct pipe_ctx {
	int fds[2];
	px_watch *w;
	int calls;
	bool free_self;
	bool deferred_ran;
	bool deferred_ran_inside; /* the deferred call ran before the callback returned: bad */
	struct pipe_ctx *other;   /* freed from our callback */
};

static void deferred_cb(void *arg) {
	struct pipe_ctx *p = arg;
	p->deferred_ran = true;
}

static void pipe_cb(void *arg, uint32_t revents) {
	struct pipe_ctx *p = arg;
	p->calls++;
	CHECK(revents & PX_EV_READ);
	char c;
	CHECK(read(p->fds[0], &c, 1) == 1);
	event_defer(deferred_cb, p);
	p->deferred_ran_inside = p->deferred_ran;
	if (p->other && p->other->w) {
		watch_free(p->other->w);
		p->other->w = NULL;
	}
	if (p->free_self) {
		watch_free(p->w);
		p->w = NULL;
		event_loop_stop();
	}
}

static void make_pipe(struct pipe_ctx *p) {
	memset(p, 0, sizeof *p);
	CHECK(pipe2(p->fds, O_NONBLOCK | O_CLOEXEC) == 0);
}

static void close_pipe(struct pipe_ctx *p) {
	if (p->w)
		watch_free(p->w);
	close(p->fds[0]);
	close(p->fds[1]);
}

static void write_byte(void *arg) {
	struct pipe_ctx *p = arg;
	CHECK(write(p->fds[1], "x", 1) == 1);
}

static void test_watch_and_defer(void) {
	struct pipe_ctx p;
	make_pipe(&p);
	p.free_self = true;
	p.w = watch_new(p.fds[0], PX_EV_READ, pipe_cb, &p);
	CHECK(p.w != NULL);
	px_timer *t = timer_new(write_byte, &p);
	timer_arm(t, 10);
	run_with_guard(2000);
	CHECK(!guard_fired);
	CHECK(p.calls == 1);
	CHECK(p.deferred_ran);
	CHECK(!p.deferred_ran_inside);
	CHECK(p.w == NULL); /* freed inside its own callback */
	timer_free(t);
	close_pipe(&p);
}

/* Two watches ready in the same batch; whichever runs first frees the other.
 * The second must not run (and ASan must stay quiet). */
static void test_free_pending(void) {
	struct pipe_ctx a, b;
	make_pipe(&a);
	make_pipe(&b);
	a.other = &b;
	b.other = &a;
	a.w = watch_new(a.fds[0], PX_EV_READ, pipe_cb, &a);
	b.w = watch_new(b.fds[0], PX_EV_READ, pipe_cb, &b);
	write_byte(&a);
	write_byte(&b);
	px_timer *end = timer_new(stop, NULL);
	timer_arm(end, 50);
	run_with_guard(2000);
	CHECK(a.calls + b.calls == 1);
	timer_free(end);
	close_pipe(&a);
	close_pipe(&b);
}

/* Three watches ready in one wake-up, each queueing the same batch call
 * (as each read queues its connection's output flush): the call runs once,
 * after all three callbacks; a forgotten one does not run at all. */
struct batch_ctx {
	int reads, flushes, reads_at_flush, forgotten_runs;
	bool pending;
};
static struct batch_ctx bctx;

static void batch_flush(void *arg) {
	struct batch_ctx *b = arg;
	b->pending = false;
	b->flushes++;
	b->reads_at_flush = b->reads;
}

static void batch_forgotten(void *arg) {
	((struct batch_ctx *)arg)->forgotten_runs++;
}

static int forget_tag;

static void batch_read_cb(void *arg, uint32_t revents) {
	(void)revents;
	char c;
	CHECK(read(*(int *)arg, &c, 1) == 1);
	bctx.reads++;
	if (!bctx.pending) {
		bctx.pending = true;
		event_defer_batch(batch_flush, &bctx);
	}
	event_defer_batch(batch_forgotten, &forget_tag);
	event_defer_batch_forget(&forget_tag);
}

static void test_defer_batch(void) {
	int fds[3][2];
	px_watch *w[3];
	for (int i = 0; i < 3; i++) {
		CHECK(pipe2(fds[i], O_NONBLOCK | O_CLOEXEC) == 0);
		w[i] = watch_new(fds[i][0], PX_EV_READ, batch_read_cb, &fds[i][0]);
		CHECK(write(fds[i][1], "x", 1) == 1);
	}
	px_timer *end = timer_new(stop, NULL);
	timer_arm(end, 50);
	run_with_guard(2000);
	CHECK(bctx.reads == 3);
	CHECK(bctx.flushes == 1);
	CHECK(bctx.reads_at_flush == 3);
	CHECK(bctx.forgotten_runs == 0);
	timer_free(end);
	for (int i = 0; i < 3; i++) {
		watch_free(w[i]);
		close(fds[i][0]);
		close(fds[i][1]);
	}
}

/* A timer that keeps re-arming itself with 0 ms must not starve fds. */
static int spins;
static px_timer *spinner;
static void spin_cb(void *arg) {
	(void)arg;
	spins++;
	timer_arm(spinner, 0);
}

static void test_no_starvation(void) {
	struct pipe_ctx p;
	make_pipe(&p);
	p.free_self = true;
	p.w = watch_new(p.fds[0], PX_EV_READ, pipe_cb, &p);
	spinner = timer_new(spin_cb, NULL);
	timer_arm(spinner, 0);
	write_byte(&p);
	spins = 0;
	run_with_guard(2000);
	CHECK(!guard_fired);
	CHECK(p.calls == 1);
	CHECK(spins >= 1 && spins < 1000);
	timer_free(spinner);
	close_pipe(&p);
}

static int got_signal;
static void on_signal(int signo) {
	got_signal = signo;
	event_loop_stop();
}

static void raise_usr1(void *arg) {
	(void)arg;
	raise(SIGUSR1);
}

static void test_signal(void) {
	CHECK(signal_watch(SIGUSR1, on_signal) == 0);
	px_timer *t = timer_new(raise_usr1, NULL);
	timer_arm(t, 5);
	run_with_guard(2000);
	CHECK(!guard_fired);
	CHECK(got_signal == SIGUSR1);
	timer_free(t);
}

/* Write events and watch_set toggling. */
static int writable_calls;
static void writable_cb(void *arg, uint32_t revents) {
	px_watch **w = arg;
	CHECK(revents & PX_EV_WRITE);
	if (++writable_calls == 3)
		watch_set(*w, 0); /* no more events: the loop must go idle, not spin */
}

static void test_watch_set(void) {
	struct pipe_ctx p;
	make_pipe(&p);
	px_watch *w = NULL;
	w = watch_new(p.fds[1], PX_EV_WRITE, writable_cb, &w);
	CHECK(w != NULL);
	px_timer *end = timer_new(stop, NULL);
	timer_arm(end, 30);
	run_with_guard(2000);
	CHECK(!guard_fired);
	CHECK(writable_calls == 3);
	watch_free(w);
	timer_free(end);
	close_pipe(&p);
}

int main(void) {
	CHECK(event_init() == 0);
	guard = timer_new(guard_cb, NULL);
	test_timers();
	test_timer_heap();
	test_watch_and_defer();
	test_free_pending();
	test_defer_batch();
	test_no_starvation();
	test_watch_set();
	test_signal();
	timer_free(guard);
	event_exit();
	return check_done("event_test");
}
