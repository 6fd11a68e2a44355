/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Packet capture for control clients (`plexus pcap`, REQ_PCAP): every frame
 * that enters routing is offered to the registered taps, each of which
 * queues it for its client. Routing (io layer) does not know the control
 * socket: it calls whatever route_set_capture() gave it, which costs one
 * branch per frame while nobody captures.
 */
#ifndef PX_CONTROL_PCAP_H
#define PX_CONTROL_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"

struct pcap_tap {
	unsigned snaplen; /* bytes of each frame to pass on, 0 = all */
	/* Called with the frame already cut to snaplen; must not block. */
	void (*write)(struct pcap_tap *tap, const uint8_t *frame, size_t len);
	struct list_head link;
};

extern bool control_pcap_active; /* some tap is registered */

/* The first tap hands control_pcap_frame() to the router
 * (route_set_capture()), the last one to go takes it back. */
void control_pcap_add(struct pcap_tap *tap);
void control_pcap_remove(struct pcap_tap *tap);
/* Hand one Ethernet frame to every tap. */
void control_pcap_frame(const uint8_t *frame, size_t len);

#endif
