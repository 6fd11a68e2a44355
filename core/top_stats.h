/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * What `plexus top` shows, without the screen: per-node traffic counters
 * from REQ_DUMP_TRAFFIC, the rates between two samples, the sort orders
 * and display units tinc 1.1's top offers (and its keys to pick them), and
 * the text of the title and of each row.
 */
#ifndef PX_TOP_STATS_H
#define PX_TOP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct top_node {
	char *name;
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
	double in_packets_rate, in_bytes_rate, out_packets_rate, out_bytes_rate;
	bool known;  /* in the latest sample (a node that vanished is kept, dimmed) */
	size_t rank; /* position in the previous display, breaks ties */
};

struct top_stats {
	struct top_node *nodes; /* sorted by name */
	size_t n, cap;
};

enum top_sort {
	TOP_SORT_NAME,
	TOP_SORT_IN_PACKETS,
	TOP_SORT_IN_BYTES,
	TOP_SORT_OUT_PACKETS,
	TOP_SORT_OUT_BYTES,
	TOP_SORT_TOTAL_PACKETS,
	TOP_SORT_TOTAL_BYTES,
};

struct top_view {
	enum top_sort sort;
	bool cumulative; /* totals instead of rates */
	const char *bunit, *punit;
	double bscale, pscale;
	int delay_ms; /* between samples */
};

enum top_action { TOP_KEY_IGNORED, TOP_KEY_CHANGED, TOP_KEY_QUIT, TOP_KEY_ASK_DELAY };

void top_view_init(struct top_view *v);
/* What a key press does (tinc's keys: n i I o O t T sort, c cumulative,
 * b k M G units, s delay, q quit). */
enum top_action top_view_key(struct top_view *v, int key);
/* The new delay from what the user typed (seconds, at least 0.1); -1 if
 * it is not a number. */
int top_view_set_delay(struct top_view *v, const char *text);
const char *top_sort_name(enum top_sort s);

/* A new sample starts: every node is marked unknown until seen again. */
void top_stats_begin(struct top_stats *st);
/* One line of the dump, `interval` seconds after the previous sample.
 * 1: a node line, 0: the end of the dump, -1: not a traffic line. */
int top_stats_line(struct top_stats *st, const char *line, double interval);
void top_stats_free(struct top_stats *st);
/* Pointers to the nodes in display order (out has room for st->n); also
 * records that order as the tie-breaker for the next call. */
void top_stats_sort(struct top_stats *st, const struct top_view *v, struct top_node **out);

int top_format_title(char *buf, size_t len, const char *netname, size_t nodes, const struct top_view *v);
int top_format_header(char *buf, size_t len, const struct top_view *v);
int top_format_row(char *buf, size_t len, const struct top_node *n, const struct top_view *v);

#endif
