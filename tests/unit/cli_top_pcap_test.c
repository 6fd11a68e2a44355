/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* plexus top's model (traffic lines, rates, sort orders, keys, row text)
 * and the pcap headers `plexus pcap` writes. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "pcap_format.h"
#include "top_stats.h"

static void test_pcap(void) {
	uint8_t h[PCAP_FILE_HEADER_LEN], r[PCAP_RECORD_HEADER_LEN];
	uint32_t w[6], rw[4];
	uint16_t v[2];
	size_t len = 0;

	pcap_file_header(h, 0);
	memcpy(w, h, sizeof(w));
	memcpy(v, h + 4, sizeof(v));
	CHECK(w[0] == 0xa1b2c3d4u && v[0] == 2 && v[1] == 4);
	CHECK(w[2] == 0 && w[3] == 0 && w[4] == PCAP_DEFAULT_SNAPLEN && w[5] == 1);
	pcap_file_header(h, 96);
	memcpy(w, h, sizeof(w));
	CHECK(w[4] == 96);
	pcap_record_header(r, 1700000000u, 123456u, 60, 98);
	memcpy(rw, r, sizeof(rw));
	CHECK(rw[0] == 1700000000u && rw[1] == 123456u && rw[2] == 60 && rw[3] == 98);

	CHECK(pcap_parse_frame_line("18 14 98", 14, 9018, &len) == 0 && len == 98);
	CHECK(pcap_parse_frame_line("18 14 9019", 14, 9018, &len) < 0);
	CHECK(pcap_parse_frame_line("18 14 -5", 14, 9018, &len) < 0);
	CHECK(pcap_parse_frame_line("18 15 5", 14, 9018, &len) < 0);
	CHECK(pcap_parse_frame_line("18 -1", 14, 9018, &len) < 0);
	CHECK(pcap_parse_frame_line("18 14 5 x", 14, 9018, &len) < 0);
}

static void test_top(void) {
	struct top_stats st = {0};
	struct top_node *order[3];
	struct top_view v;
	char text[256];

	top_view_init(&v);
	top_stats_begin(&st);
	CHECK(top_stats_line(&st, "18 13 gamma 10 1000 10 1000", 0) == 1);
	CHECK(top_stats_line(&st, "18 13 alpha 0 0 0 0", 0) == 1);
	CHECK(top_stats_line(&st, "18 13 beta 5 500 1 100", 0) == 1);
	CHECK(top_stats_line(&st, "18 13", 0) == 0);
	CHECK(top_stats_line(&st, "18 3 x", 0) < 0);
	CHECK(top_stats_line(&st, "18 13 x 1 2", 0) < 0);
	CHECK(st.n == 3 && !strcmp(st.nodes[0].name, "alpha") && !strcmp(st.nodes[2].name, "gamma"));
	CHECK(st.nodes[2].in_packets_rate == 0); /* first sample: no rate */

	/* Two seconds later: gamma got 20 more packets, beta none. */
	top_stats_begin(&st);
	CHECK(top_stats_line(&st, "18 13 gamma 30 3000 12 1200", 2.0) == 1);
	CHECK(top_stats_line(&st, "18 13 beta 5 500 1 100", 2.0) == 1);
	CHECK(top_stats_line(&st, "18 13", 2.0) == 0);
	CHECK(st.nodes[2].in_packets_rate == 10 && st.nodes[2].in_bytes_rate == 1000);
	CHECK(st.nodes[2].out_packets_rate == 1);
	CHECK(!st.nodes[0].known && st.nodes[1].known);

	top_stats_sort(&st, &v, order);
	CHECK(!strcmp(order[0]->name, "alpha") && !strcmp(order[2]->name, "gamma"));
	CHECK(top_view_key(&v, 'I') == TOP_KEY_CHANGED && v.sort == TOP_SORT_IN_PACKETS);
	top_stats_sort(&st, &v, order);
	CHECK(!strcmp(order[0]->name, "gamma")); /* alpha and beta tie at 0: previous order */
	CHECK(!strcmp(order[1]->name, "alpha") && !strcmp(order[2]->name, "beta"));
	CHECK(top_view_key(&v, 'c') == TOP_KEY_CHANGED && v.cumulative);
	CHECK(top_view_key(&v, 'o') == TOP_KEY_CHANGED && v.sort == TOP_SORT_OUT_BYTES);
	top_stats_sort(&st, &v, order);
	CHECK(!strcmp(order[0]->name, "gamma") && !strcmp(order[1]->name, "beta"));

	top_format_title(text, sizeof(text), "vpn", st.n, &v);
	CHECK_STR(text, "Plexus vpn               Nodes:    3  Sort: out bytes   Cumulative");
	CHECK(top_view_key(&v, 'k') == TOP_KEY_CHANGED);
	top_format_header(text, sizeof(text), &v);
	CHECK_STR(text, "Node                IN pkts   IN kbyte   OUT pkts  OUT kbyte");
	top_format_row(text, sizeof(text), &st.nodes[2], &v);
	CHECK_STR(text, "gamma                    30          3         12          1");
	CHECK(top_view_key(&v, 'c') == TOP_KEY_CHANGED && top_view_key(&v, 'b') == TOP_KEY_CHANGED);
	top_format_row(text, sizeof(text), &st.nodes[2], &v);
	CHECK_STR(text, "gamma                    10       1000          1        100");

	CHECK(top_view_key(&v, 'q') == TOP_KEY_QUIT);
	CHECK(top_view_key(&v, 's') == TOP_KEY_ASK_DELAY);
	CHECK(top_view_key(&v, 'x') == TOP_KEY_IGNORED);
	CHECK(top_view_set_delay(&v, "2.5") == 0 && v.delay_ms == 2500);
	CHECK(top_view_set_delay(&v, "0") == 0 && v.delay_ms == 100);
	CHECK(top_view_set_delay(&v, "soon") < 0 && v.delay_ms == 100);

	/* A restarted daemon's counters go down: no huge rate. */
	top_stats_begin(&st);
	CHECK(top_stats_line(&st, "18 13 gamma 1 100 1 100", 1.0) == 1);
	CHECK(st.nodes[2].in_packets_rate == 0);
	top_stats_free(&st);
}

int main(void) {
	test_pcap();
	test_top();
	return check_done("cli_top_pcap_test");
}
