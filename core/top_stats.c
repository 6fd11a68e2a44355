/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The data and key handling behind `plexus top` (see top_stats.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plexus/wire.h>

#include "control.h"
#include "top_stats.h"

static const char *const sort_names[] = {
    "name", "in pkts", "in bytes", "out pkts", "out bytes", "tot pkts", "tot bytes",
};

const char *top_sort_name(enum top_sort s) {
	return (unsigned)s < sizeof(sort_names) / sizeof(sort_names[0]) ? sort_names[s] : "?";
}

static void set_units(struct top_view *v, const char *bunit, double bscale, const char *punit,
                      double pscale) {
	v->bunit = bunit;
	v->bscale = bscale;
	v->punit = punit;
	v->pscale = pscale;
}

void top_view_init(struct top_view *v) {
	v->sort = TOP_SORT_NAME;
	v->cumulative = false;
	v->delay_ms = 1000;
	set_units(v, "bytes", 1, "pkts", 1);
}

enum top_action top_view_key(struct top_view *v, int key) {
	switch (key) {
	case 'n':
		v->sort = TOP_SORT_NAME;
		break;
	case 'I':
		v->sort = TOP_SORT_IN_PACKETS;
		break;
	case 'i':
		v->sort = TOP_SORT_IN_BYTES;
		break;
	case 'O':
		v->sort = TOP_SORT_OUT_PACKETS;
		break;
	case 'o':
		v->sort = TOP_SORT_OUT_BYTES;
		break;
	case 'T':
		v->sort = TOP_SORT_TOTAL_PACKETS;
		break;
	case 't':
		v->sort = TOP_SORT_TOTAL_BYTES;
		break;
	case 'c':
		v->cumulative = !v->cumulative;
		break;
	case 'b':
		set_units(v, "bytes", 1, "pkts", 1);
		break;
	case 'k':
		set_units(v, "kbyte", 1e-3, "pkts", 1);
		break;
	case 'M':
		set_units(v, "Mbyte", 1e-6, "kpkt", 1e-3);
		break;
	case 'G':
		set_units(v, "Gbyte", 1e-9, "Mpkt", 1e-6);
		break;
	case 's':
		return TOP_KEY_ASK_DELAY;
	case 'q':
		return TOP_KEY_QUIT;
	default:
		return TOP_KEY_IGNORED;
	}
	return TOP_KEY_CHANGED;
}

int top_view_set_delay(struct top_view *v, const char *text) {
	char *end;
	double s = strtod(text, &end);

	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (end == text || *end || !(s == s))
		return -1;
	if (s < 0.1)
		s = 0.1;
	if (s > 3600)
		s = 3600;
	v->delay_ms = (int)(s * 1000 + 0.5);
	return 0;
}

void top_stats_begin(struct top_stats *st) {
	for (size_t i = 0; i < st->n; i++)
		st->nodes[i].known = false;
}

/* The node called name, inserted in name order if new (NULL: no memory). */
static struct top_node *find_or_add(struct top_stats *st, const char *name, bool *added) {
	size_t lo = 0, hi = st->n;

	*added = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, st->nodes[mid].name);

		if (!c)
			return &st->nodes[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 16;
		struct top_node *p = realloc(st->nodes, cap * sizeof(*p));

		if (!p)
			return NULL;
		st->nodes = p;
		st->cap = cap;
	}
	memmove(&st->nodes[lo + 1], &st->nodes[lo], (st->n - lo) * sizeof(*st->nodes));
	memset(&st->nodes[lo], 0, sizeof(*st->nodes));
	st->nodes[lo].name = strdup(name);
	if (!st->nodes[lo].name) {
		memmove(&st->nodes[lo], &st->nodes[lo + 1], (st->n - lo) * sizeof(*st->nodes));
		return NULL;
	}
	st->nodes[lo].rank = SIZE_MAX;
	st->n++;
	*added = true;
	return &st->nodes[lo];
}

/* Per second since the last sample; 0 if the counter went backwards (the
 * daemon restarted) or there was no earlier sample. */
static double rate(uint64_t now, uint64_t before, double interval) {
	return now >= before && interval > 0 ? (double)(now - before) / interval : 0;
}

int top_stats_line(struct top_stats *st, const char *line, double interval) {
	uint64_t ip, ib, op, ob;
	char name[4096];
	struct top_node *n;
	int code, type, used = 0;
	bool added;

	if (sscanf(line, "%d %d%n", &code, &type, &used) != 2 || code != PX_REQ_CONTROL ||
	    type != REQ_DUMP_TRAFFIC)
		return -1;
	if (!line[used])
		return 0;
	if (sscanf(line + used, " %4095s %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, name, &ip, &ib, &op,
	           &ob) != 5)
		return -1;
	n = find_or_add(st, name, &added);
	if (!n)
		return -1;
	if (added) {
		/* First sight: no rate yet. */
		n->in_packets = ip;
		n->in_bytes = ib;
		n->out_packets = op;
		n->out_bytes = ob;
	}
	n->in_packets_rate = rate(ip, n->in_packets, interval);
	n->in_bytes_rate = rate(ib, n->in_bytes, interval);
	n->out_packets_rate = rate(op, n->out_packets, interval);
	n->out_bytes_rate = rate(ob, n->out_bytes, interval);
	n->in_packets = ip;
	n->in_bytes = ib;
	n->out_packets = op;
	n->out_bytes = ob;
	n->known = true;
	return 1;
}

void top_stats_free(struct top_stats *st) {
	for (size_t i = 0; i < st->n; i++)
		free(st->nodes[i].name);
	free(st->nodes);
	memset(st, 0, sizeof(*st));
}

static int cmp_desc_u64(uint64_t a, uint64_t b) {
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_desc_double(double a, double b) {
	return a < b ? 1 : a > b ? -1 : 0;
}

/* Largest first for the traffic orders, by name for TOP_SORT_NAME; equal
 * ones stay where they were on the previous screen. */
static int compare(const struct top_node *a, const struct top_node *b, const struct top_view *v) {
	int r = 0;

	switch (v->sort) {
	case TOP_SORT_NAME:
		r = strcmp(a->name, b->name);
		break;
	case TOP_SORT_IN_PACKETS:
		r = v->cumulative ? cmp_desc_u64(a->in_packets, b->in_packets)
		                  : cmp_desc_double(a->in_packets_rate, b->in_packets_rate);
		break;
	case TOP_SORT_IN_BYTES:
		r = v->cumulative ? cmp_desc_u64(a->in_bytes, b->in_bytes)
		                  : cmp_desc_double(a->in_bytes_rate, b->in_bytes_rate);
		break;
	case TOP_SORT_OUT_PACKETS:
		r = v->cumulative ? cmp_desc_u64(a->out_packets, b->out_packets)
		                  : cmp_desc_double(a->out_packets_rate, b->out_packets_rate);
		break;
	case TOP_SORT_OUT_BYTES:
		r = v->cumulative ? cmp_desc_u64(a->out_bytes, b->out_bytes)
		                  : cmp_desc_double(a->out_bytes_rate, b->out_bytes_rate);
		break;
	case TOP_SORT_TOTAL_PACKETS:
		r = v->cumulative
		        ? cmp_desc_u64(a->in_packets + a->out_packets, b->in_packets + b->out_packets)
		        : cmp_desc_double(a->in_packets_rate + a->out_packets_rate,
		                          b->in_packets_rate + b->out_packets_rate);
		break;
	case TOP_SORT_TOTAL_BYTES:
		r = v->cumulative ? cmp_desc_u64(a->in_bytes + a->out_bytes, b->in_bytes + b->out_bytes)
		                  : cmp_desc_double(a->in_bytes_rate + a->out_bytes_rate,
		                                    b->in_bytes_rate + b->out_bytes_rate);
		break;
	}
	if (r)
		return r;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Insertion sort: a screenful of nodes, and qsort() would need the view
 * in a global. */
void top_stats_sort(struct top_stats *st, const struct top_view *v, struct top_node **out) {
	for (size_t i = 0; i < st->n; i++) {
		struct top_node *n = &st->nodes[i];
		size_t j = i;

		while (j > 0 && compare(n, out[j - 1], v) < 0) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = n;
	}
	for (size_t i = 0; i < st->n; i++)
		out[i]->rank = i;
}

int top_format_title(char *buf, size_t len, const char *netname, size_t nodes, const struct top_view *v) {
	return snprintf(buf, len, "Plexus %-16s  Nodes: %4zu  Sort: %-10s  %s", netname ? netname : "", nodes,
	                top_sort_name(v->sort), v->cumulative ? "Cumulative" : "Current");
}

int top_format_header(char *buf, size_t len, const struct top_view *v) {
	return snprintf(buf, len, "Node                IN %s   IN %s   OUT %s  OUT %s", v->punit, v->bunit,
	                v->punit, v->bunit);
}

int top_format_row(char *buf, size_t len, const struct top_node *n, const struct top_view *v) {
	if (v->cumulative)
		return snprintf(buf, len, "%-16s %10.0f %10.0f %10.0f %10.0f", n->name,
		                (double)n->in_packets * v->pscale, (double)n->in_bytes * v->bscale,
		                (double)n->out_packets * v->pscale, (double)n->out_bytes * v->bscale);
	return snprintf(buf, len, "%-16s %10.0f %10.0f %10.0f %10.0f", n->name,
	                n->in_packets_rate * v->pscale, n->in_bytes_rate * v->bscale,
	                n->out_packets_rate * v->pscale, n->out_bytes_rate * v->bscale);
}
