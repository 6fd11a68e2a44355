/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus top: a curses screen of per-node traffic, refreshed from the
 * daemon's REQ_DUMP_TRAFFIC counters every delay (1 s unless changed with
 * `s`). Keys as in tinc 1.1's top; see top_stats.h.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"
#include "cli_ctl.h"
#include "control.h"
#include "top_stats.h"

#ifdef HAVE_CURSES
#include <curses.h>

static double now_seconds(void) {
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* One sample; -1 if the daemon went away or answered nonsense. */
static int sample(struct ctl *c, struct top_stats *st, double *last) {
	char line[CLI_CTL_BUF];
	double t = now_seconds(), interval = *last > 0 ? t - *last : 0;

	*last = t;
	if (ctl_send(c, "%d %d", PX_REQ_CONTROL, REQ_DUMP_TRAFFIC) < 0)
		return -1;
	top_stats_begin(st);
	for (;;) {
		int r;

		if (ctl_recv_line(c, line, sizeof(line)) < 0)
			return -1;
		r = top_stats_line(st, line, interval);
		if (r <= 0)
			return r;
	}
}

static void draw(struct top_stats *st, const struct top_view *v, struct top_node ***sorted) {
	char text[512];
	struct top_node **order = realloc(*sorted, (st->n ? st->n : 1) * sizeof(*order));

	if (!order)
		return;
	*sorted = order;
	top_stats_sort(st, v, order);
	erase();
	top_format_title(text, sizeof(text), opt_netname, st->n, v);
	mvaddstr(0, 0, text);
	top_format_header(text, sizeof(text), v);
	attrset(A_REVERSE);
	mvaddstr(2, 0, text);
	chgat(-1, A_REVERSE, 0, NULL);
	for (size_t i = 0; i < st->n && (int)i + 3 < LINES; i++) {
		const struct top_node *n = order[i];

		if (!n->known)
			attrset(A_DIM);
		else if (n->in_packets_rate > 0 || n->out_packets_rate > 0)
			attrset(A_BOLD);
		else
			attrset(A_NORMAL);
		top_format_row(text, sizeof(text), n, v);
		mvaddstr((int)i + 3, 0, text);
	}
	attrset(A_NORMAL);
	move(1, 0);
	refresh();
}

static void ask_delay(struct top_view *v) {
	char input[32] = "";

	mvprintw(1, 0, "Change delay from %.1fs to: ", v->delay_ms / 1000.0);
	clrtoeol();
	echo();
	timeout(-1);
	getnstr(input, sizeof(input) - 1);
	noecho();
	top_view_set_delay(v, input); /* nonsense leaves the delay alone */
	timeout(v->delay_ms);
}

int cmd_top(int argc, char **argv) {
	struct top_stats st = {0};
	struct top_node **sorted = NULL;
	struct top_view v;
	double last = 0;
	bool running = true;
	struct ctl c;
	int r = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "%s top needs a terminal\n", program);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	top_view_init(&v);
	if (sample(&c, &st, &last) < 0) {
		fprintf(stderr, "Could not get traffic counters from the daemon\n");
		ctl_close(&c);
		return 1;
	}
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	timeout(v.delay_ms);
	while (running) {
		draw(&st, &v, &sorted);
		switch (top_view_key(&v, getch())) {
		case TOP_KEY_QUIT:
			running = false;
			continue;
		case TOP_KEY_ASK_DELAY:
			ask_delay(&v);
			break;
		case TOP_KEY_CHANGED:
			/* Redraw at once with the new order or units, same sample. */
			continue;
		case TOP_KEY_IGNORED:
			break;
		}
		if (sample(&c, &st, &last) < 0) {
			r = 1;
			break;
		}
	}
	endwin();
	if (r)
		fprintf(stderr, "Lost connection to the daemon\n");
	free(sorted);
	top_stats_free(&st);
	ctl_close(&c);
	return r;
}

#else

int cmd_top(int argc, char **argv) {
	(void)argc;
	(void)argv;
	fprintf(stderr, "This version of %s was built without the curses library: top is not available.\n",
	        program);
	return 1;
}

#endif
