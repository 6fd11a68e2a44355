/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The registry of packet-capture taps (see control_pcap.h). */
#include "control_pcap.h"
#include "route.h"

bool control_pcap_active;
static struct list_head taps = LIST_HEAD_INIT(taps);

void control_pcap_add(struct pcap_tap *tap) {
	list_add_tail(&tap->link, &taps);
	if (!control_pcap_active)
		route_set_capture(control_pcap_frame);
	control_pcap_active = true;
}

void control_pcap_remove(struct pcap_tap *tap) {
	list_del(&tap->link);
	control_pcap_active = !list_empty(&taps);
	if (!control_pcap_active)
		route_set_capture(NULL);
}

void control_pcap_frame(const uint8_t *frame, size_t len) {
	struct pcap_tap *tap;

	list_for_each_entry(tap, &taps, link)
	    tap->write(tap, frame, tap->snaplen && tap->snaplen < len ? tap->snaplen : len);
}
