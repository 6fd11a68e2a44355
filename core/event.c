/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The event loop: epoll for fd watches, a binary min-heap of timers keyed by
 * monotonic deadline, signalfd for signals and a queue of deferred calls.
 *
 * Lifetime rules that callers rely on:
 *  - watch_free() never frees memory epoll may still point at in the current
 *    batch: the watch is marked dead and released after the batch;
 *  - a timer is taken off the heap before its callback runs, so the callback
 *    may re-arm or free it;
 *  - deferred calls run after every callback, before the next one;
 *  - batch-deferred calls run once per wake-up, after every callback of
 *    the epoll batch (and after the expired timers).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "logger.h"

struct px_timer {
	void (*cb)(void *arg);
	void *arg;
	uint64_t deadline;
	uint64_t seq;   /* arming order: ties fire in the order they were armed */
	int heap_index; /* -1 when not armed */
};

struct px_watch {
	int fd;
	uint32_t events; /* PX_EV_* wanted */
	bool registered; /* present in the epoll set */
	bool dead;
	void (*cb)(void *arg, uint32_t revents);
	void *arg;
	struct px_watch *next_dead;
};

struct deferred {
	void (*cb)(void *arg);
	void *arg;
};

#define EVENT_BATCH 64

static int epoll_fd = -1;
static bool running; /* cleared by event_loop_stop() */
static bool in_loop; /* inside event_loop_run(), even after a stop request */
static uint64_t cached_now;
static bool now_valid;

static px_timer **heap;
static size_t heap_len, heap_cap;
static uint64_t timer_seq;

static struct px_watch *dead_watches;

static struct deferred *defer_q;
static size_t defer_len, defer_cap;

static struct deferred *batch_q;
static size_t batch_len, batch_cap;

static int signal_fd = -1;
static px_watch *signal_watcher;
static sigset_t signal_set;
static void (*signal_cbs[_NSIG])(int signo);

static uint64_t clock_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void refresh_now(void) {
	cached_now = clock_ms();
	now_valid = true;
}

uint64_t now_ms(void) {
	/* Outside the loop there is no iteration to cache for. */
	if (!in_loop || !now_valid)
		refresh_now();
	return cached_now;
}

int event_init(void) {
	if (epoll_fd >= 0)
		return 0;
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not create epoll instance: %s", strerror(errno));
		return -1;
	}
	sigemptyset(&signal_set);
	return 0;
}

/* ---- timers: a min-heap ordered by (deadline, seq) ---- */

static bool timer_before(const px_timer *a, const px_timer *b) {
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void heap_place(size_t i, px_timer *t) {
	heap[i] = t;
	t->heap_index = (int)i;
}

static void heap_sift_up(size_t i) {
	px_timer *t = heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!timer_before(t, heap[parent]))
			break;
		heap_place(i, heap[parent]);
		i = parent;
	}
	heap_place(i, t);
}

static void heap_sift_down(size_t i) {
	px_timer *t = heap[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= heap_len)
			break;
		if (child + 1 < heap_len && timer_before(heap[child + 1], heap[child]))
			child++;
		if (!timer_before(heap[child], t))
			break;
		heap_place(i, heap[child]);
		i = child;
	}
	heap_place(i, t);
}

static void heap_remove(px_timer *t) {
	size_t i = (size_t)t->heap_index;
	t->heap_index = -1;
	heap_len--;
	if (i == heap_len)
		return;
	px_timer *moved = heap[heap_len];
	heap_place(i, moved);
	heap_sift_down(i);
	heap_sift_up((size_t)moved->heap_index);
}

px_timer *timer_new(void (*cb)(void *arg), void *arg) {
	px_timer *t = calloc(1, sizeof *t);
	if (!t) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory creating a timer");
		return NULL;
	}
	t->cb = cb;
	t->arg = arg;
	t->heap_index = -1;
	return t;
}

void timer_arm(px_timer *t, uint32_t msec) {
	if (!t)
		return;
	if (t->heap_index >= 0)
		heap_remove(t);
	if (heap_len == heap_cap) {
		size_t cap = heap_cap ? heap_cap * 2 : 64;
		px_timer **grown = realloc(heap, cap * sizeof *grown);
		if (!grown) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory arming a timer");
			return;
		}
		heap = grown;
		heap_cap = cap;
	}
	t->deadline = now_ms() + msec;
	t->seq = ++timer_seq;
	heap_place(heap_len++, t);
	heap_sift_up((size_t)t->heap_index);
}

void timer_disarm(px_timer *t) {
	if (t && t->heap_index >= 0)
		heap_remove(t);
}

bool timer_armed(const px_timer *t) {
	return t && t->heap_index >= 0;
}

void timer_free(px_timer *t) {
	if (!t)
		return;
	timer_disarm(t);
	free(t);
}

/* ---- deferred calls ---- */

void event_defer(void (*cb)(void *arg), void *arg) {
	if (defer_len == defer_cap) {
		size_t cap = defer_cap ? defer_cap * 2 : 16;
		struct deferred *grown = realloc(defer_q, cap * sizeof *grown);
		if (!grown) {
			/* Running it now is the lesser evil compared to leaking or never running it. */
			logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory deferring a call; running it now");
			cb(arg);
			return;
		}
		defer_q = grown;
		defer_cap = cap;
	}
	defer_q[defer_len++] = (struct deferred){cb, arg};
}

/* Calls deferred by a deferred call run in the same drain, in FIFO order. */
static void run_deferred(void);
static void run_batch(void);
void event_run_deferred(void) {
	run_deferred();
	run_batch();
}

void event_defer_batch(void (*cb)(void *arg), void *arg) {
	if (batch_len == batch_cap) {
		size_t cap = batch_cap ? batch_cap * 2 : 16;
		struct deferred *grown = realloc(batch_q, cap * sizeof *grown);
		if (!grown) {
			/* Deferring it to the end of this callback is still correct, only more writes. */
			event_defer(cb, arg);
			return;
		}
		batch_q = grown;
		batch_cap = cap;
	}
	batch_q[batch_len++] = (struct deferred){cb, arg};
}

void event_defer_batch_forget(void *arg) {
	for (size_t i = 0; i < batch_len; i++)
		if (batch_q[i].arg == arg)
			batch_q[i].cb = NULL;
}

/* Each batch call runs with the callback-deferred calls it makes drained
 * right after it, as if it were a callback of its own. Calls it batches
 * join this drain. */
static void run_batch(void) {
	for (size_t i = 0; i < batch_len; i++) {
		struct deferred d = batch_q[i];
		if (!d.cb)
			continue;
		d.cb(d.arg);
		run_deferred();
	}
	batch_len = 0;
}

static void run_deferred(void) {
	for (size_t i = 0; i < defer_len; i++) {
		struct deferred d = defer_q[i];
		d.cb(d.arg);
	}
	defer_len = 0;
}

/* ---- fd watches ---- */

static uint32_t to_epoll(uint32_t events) {
	uint32_t e = 0;
	if (events & PX_EV_READ)
		e |= EPOLLIN;
	if (events & PX_EV_WRITE)
		e |= EPOLLOUT;
	return e;
}

/* Keep the epoll set in line with w->events. A watch without events is taken
 * out of the set, otherwise EPOLLHUP would keep waking the loop for it. */
static int watch_apply(px_watch *w) {
	struct epoll_event ev = {.events = to_epoll(w->events), .data.ptr = w};
	int op;
	if (!w->events) {
		if (!w->registered)
			return 0;
		op = EPOLL_CTL_DEL;
	} else {
		op = w->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	}
	if (epoll_ctl(epoll_fd, op, w->fd, &ev) < 0) {
		/* DEL on an fd the caller already closed is harmless. */
		if (op == EPOLL_CTL_DEL && errno == EBADF) {
			w->registered = false;
			return 0;
		}
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not %s fd %d in epoll: %s",
		       op == EPOLL_CTL_ADD   ? "add"
		       : op == EPOLL_CTL_MOD ? "modify"
		                             : "remove",
		       w->fd, strerror(errno));
		return -1;
	}
	w->registered = op != EPOLL_CTL_DEL;
	return 0;
}

px_watch *watch_new(int fd, uint32_t events, void (*cb)(void *arg, uint32_t revents), void *arg) {
	if (event_init() < 0)
		return NULL;
	px_watch *w = calloc(1, sizeof *w);
	if (!w) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory creating a watch");
		return NULL;
	}
	w->fd = fd;
	w->events = events & (PX_EV_READ | PX_EV_WRITE);
	w->cb = cb;
	w->arg = arg;
	if (watch_apply(w) < 0) {
		free(w);
		return NULL;
	}
	return w;
}

void watch_set(px_watch *w, uint32_t events) {
	if (!w || w->dead)
		return;
	events &= PX_EV_READ | PX_EV_WRITE;
	if (events == w->events)
		return;
	w->events = events;
	watch_apply(w);
}

void watch_free(px_watch *w) {
	if (!w || w->dead)
		return;
	w->events = 0;
	watch_apply(w);
	w->dead = true;
	w->next_dead = dead_watches;
	dead_watches = w;
	/* Outside the loop nothing can still refer to it. */
	if (!in_loop) {
		dead_watches = w->next_dead;
		free(w);
	}
}

static void free_dead_watches(void) {
	while (dead_watches) {
		px_watch *w = dead_watches;
		dead_watches = w->next_dead;
		free(w);
	}
}

/* ---- signals ---- */

static void signal_readable(void *arg, uint32_t revents) {
	(void)arg;
	(void)revents;
	struct signalfd_siginfo info[16];
	for (int round = 0; round < 4; round++) {
		ssize_t got = read(signal_fd, info, sizeof info);
		if (got < 0) {
			if (errno != EAGAIN && errno != EINTR)
				logger(PX_LOG_ALWAYS, LOG_ERR, "Reading signalfd failed: %s",
				       strerror(errno));
			return;
		}
		size_t count = (size_t)got / sizeof info[0];
		for (size_t i = 0; i < count; i++) {
			int signo = (int)info[i].ssi_signo;
			if (signo > 0 && signo < _NSIG && signal_cbs[signo])
				signal_cbs[signo](signo);
		}
		if (count < sizeof info / sizeof info[0])
			return;
	}
}

int signal_watch(int signo, void (*cb)(int signo)) {
	if (signo <= 0 || signo >= _NSIG)
		return -1;
	if (event_init() < 0)
		return -1;

	sigaddset(&signal_set, signo);
	/* Blocked, so that the signal is only ever seen through the signalfd. */
	if (sigprocmask(SIG_BLOCK, &signal_set, NULL) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not block signal %d: %s", signo, strerror(errno));
		return -1;
	}
	int fd = signalfd(signal_fd, &signal_set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not create signalfd: %s", strerror(errno));
		return -1;
	}
	signal_fd = fd;
	signal_cbs[signo] = cb;
	if (!signal_watcher) {
		signal_watcher = watch_new(signal_fd, PX_EV_READ, signal_readable, NULL);
		if (!signal_watcher)
			return -1;
	}
	return 0;
}

/* ---- the loop ---- */

static void dispatch(px_watch *w, uint32_t ev) {
	uint32_t revents = 0;
	if (ev & EPOLLIN)
		revents |= PX_EV_READ;
	if (ev & EPOLLOUT)
		revents |= PX_EV_WRITE;
	/* Errors and hang-ups are reported as whatever the owner waits for, so that
	 * its read() or SO_ERROR check finds out. */
	if (ev & (EPOLLERR | EPOLLHUP))
		revents |= w->events;
	revents &= w->events;
	if (!revents)
		return;
	w->cb(w->arg, revents);
	run_deferred();
}

/* Fire expired timers. Timers armed while this runs (even with 0 ms) wait
 * for the next iteration, so a self-re-arming timer cannot starve fds. */
static void run_timers(void) {
	uint64_t last_seq = timer_seq;
	while (heap_len) {
		px_timer *t = heap[0];
		if (t->deadline > cached_now || t->seq > last_seq)
			break;
		heap_remove(t);
		t->cb(t->arg);
		run_deferred();
	}
}

static int next_timeout(void) {
	if (defer_len || batch_len)
		return 0;
	if (!heap_len)
		return -1;
	uint64_t deadline = heap[0]->deadline;
	if (deadline <= cached_now)
		return 0;
	uint64_t wait = deadline - cached_now;
	return wait > 60000 ? 60000 : (int)wait;
}

int event_loop_run(void) {
	if (event_init() < 0)
		return -1;
	struct epoll_event events[EVENT_BATCH];
	running = true;
	in_loop = true;
	refresh_now();
	run_deferred();

	while (running) {
		refresh_now();
		run_timers();
		run_batch();
		if (!running)
			break;

		int n = epoll_wait(epoll_fd, events, EVENT_BATCH, next_timeout());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			logger(PX_LOG_ALWAYS, LOG_ERR, "epoll_wait failed: %s", strerror(errno));
			running = false;
			in_loop = false;
			free_dead_watches();
			return -1;
		}
		refresh_now();
		for (int i = 0; i < n; i++) {
			px_watch *w = events[i].data.ptr;
			if (!w->dead)
				dispatch(w, events[i].events);
		}
		run_deferred();
		run_batch();
		free_dead_watches();
	}
	in_loop = false;
	free_dead_watches();
	return 0;
}

void event_loop_stop(void) {
	running = false;
}

void event_exit(void) {
	running = false;
	run_deferred();
	run_batch();
	if (signal_watcher) {
		watch_free(signal_watcher);
		signal_watcher = NULL;
	}
	free_dead_watches();
	if (signal_fd >= 0) {
		close(signal_fd);
		signal_fd = -1;
		sigprocmask(SIG_UNBLOCK, &signal_set, NULL);
		sigemptyset(&signal_set);
		memset(signal_cbs, 0, sizeof signal_cbs);
	}
	if (epoll_fd >= 0) {
		close(epoll_fd);
		epoll_fd = -1;
	}
	/* Armed timers belong to their owners; only the heap itself is ours. */
	for (size_t i = 0; i < heap_len; i++)
		heap[i]->heap_index = -1;
	free(heap);
	heap = NULL;
	heap_len = heap_cap = 0;
	free(defer_q);
	defer_q = NULL;
	defer_len = defer_cap = 0;
	free(batch_q);
	batch_q = NULL;
	batch_len = batch_cap = 0;
	now_valid = false;
}
