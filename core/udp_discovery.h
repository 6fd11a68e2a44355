/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * UDP discovery for SPTPS peers (tinc 1.1's UDPDiscovery*): when to send a
 * small UDP probe, and when a peer whose probes stopped answering no longer
 * counts as reachable over UDP. Pure timing logic; pmtu.c drives it from a
 * per-node timer and does the sending. See docs/protocol/sptps.md §10.
 */
#ifndef PX_UDP_DISCOVERY_H
#define PX_UDP_DISCOVERY_H

#include <stdbool.h>
#include <stdint.h>

struct udp_disc_cfg {
	uint32_t interval_ms;  /* UDPDiscoveryInterval: probe pace while UDP is unconfirmed */
	uint32_t keepalive_ms; /* UDPDiscoveryKeepaliveInterval: probe pace once confirmed */
	uint32_t timeout_ms;   /* UDPDiscoveryTimeout: no reply for this long: UDP is down */
};

struct udp_disc {
	bool confirmed;         /* a probe reply came within the timeout */
	bool probed;            /* last_probe_ms is valid */
	uint64_t last_probe_ms; /* last probe request sent */
	uint64_t last_reply_ms; /* last probe reply received */
};

enum udp_disc_action {
	UDP_DISC_WAIT,  /* nothing to do now */
	UDP_DISC_PROBE, /* send one small probe request now */
	UDP_DISC_DOWN,  /* the timeout passed: stop using UDP, then probe again */
};

/* Forget everything (node became reachable again, new key session). */
void udp_disc_reset(struct udp_disc *d);

/* The timer fired at `now`: what to do, and in *next_ms how long until the
 * timer should fire again. A DOWN result leaves d unconfirmed and due for a
 * probe at once (the next call returns PROBE). */
enum udp_disc_action udp_disc_tick(struct udp_disc *d, const struct udp_disc_cfg *c, uint64_t now,
                                   uint32_t *next_ms);

/* Any probe reply (discovery or PMTU probe) at `now`. Returns true when this
 * reply is the one that confirms UDP. */
bool udp_disc_reply(struct udp_disc *d, uint64_t now);

#endif
