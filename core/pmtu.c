/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Path MTU discovery per node: probe bursts between minmtu and maxmtu, the
 * periodic re-check, UDP search while UDP does not work, and the probe
 * echo/reply handling. net_packet.c gives it the way to send (pmtu_io).
 * For SPTPS peers with UDPDiscovery = yes, the UDP search and the UDP
 * keepalive/timeout are tinc 1.1's UDP discovery, timed by udp_discovery.c
 * on a timer of its own (docs/protocol/sptps.md §10). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "edge.h"
#include "event.h"
#include "logger.h"
#include "netutl.h"
#include "node.h"
#include "plugin_loader.h"
#include "pmtu.h"
#include "settings.h"
#include "udp_discovery.h"

#define PROBE_HEADROOM 128
#define PROBE_BUFSIZE  (PX_MTU + 512)

static struct pmtu_io io;

void pmtu_set_io(const struct pmtu_io *p) {
	io = *p;
}

#define PROBE_TICK_MS    333
#define PROBE_UDP_SEARCH 40 /* mtuprobes state: waiting for UDP to work at all */

/* LocalDiscovery: the local address a node announced in its own edges. */
static bool local_address_of(node_t *n, struct px_addr *out) {
	struct edge *e;
	list_for_each_entry(e, &n->edges, from_link) {
		if (e->local_host && e->local_port && addr_parse(e->local_host, e->local_port, out) == 0)
			return true;
	}
	return false;
}

static void send_probe(node_t *n, int len) {
	uint8_t storage[PROBE_BUFSIZE];
	struct px_buf b = {0};
	b.base = storage;
	b.cap = sizeof(storage);
	b.data = storage + PROBE_HEADROOM;
	if (len < 64)
		len = 64;
	if (len > PX_MTU)
		len = PX_MTU;
	memset(b.data, 0, PX_ETH_HLEN);
	randombytes_buf(b.data + PX_ETH_HLEN, (size_t)len - PX_ETH_HLEN);
	b.len = (uint32_t)len;
	b.flags = PX_BUF_PROBE;
	if (!n->crypto || !n->crypto->ops->key_valid(n->crypto->plugin, n) || !n->has_udp_addr)
		return;
	io.udp_send(n, n, &b);
	/* Peers behind the same NAT: also try the address it has on its LAN. */
	struct px_addr local;
	if (settings.local_discovery && !n->udp_confirmed && local_address_of(n, &local) &&
	    !addr_equal(&local, &n->udp_addr)) {
		struct px_addr saved = n->udp_addr;
		n->udp_addr = local;
		io.udp_send(n, n, &b);
		n->udp_addr = saved;
	}
}

static void probe_burst(node_t *n) {
	for (int i = 0; i < 3; i++) {
		int len;
		if (n->minmtu >= n->maxmtu)
			len = n->maxmtu;
		else
			len = n->minmtu + 1 + (int)(randombytes_uniform((uint32_t)(n->maxmtu - n->minmtu)));
		send_probe(n, len);
	}
}

/* tinc 1.1's UDP discovery drives this node's UDP search and keepalive
 * (end-to-end SPTPS peers only; legacy peers keep tinc 1.0's probing). */
static bool uses_udp_discovery(const node_t *n) {
	return settings.udp_discovery && n->crypto && (n->crypto->ops->flags & PX_CRYPTO_END_TO_END);
}

int pmtu_initial(const node_t *n) {
	const struct conf *hc = host_conf(n->name);
	int v;
	if ((hc && conf_get_int(hc, "PMTU", &v) > 0) || conf_get_int(&server_conf, "PMTU", &v) > 0)
		if (v > 0 && v < PX_MTU)
			return v;
	return PX_MTU;
}

/* UDP to n is no longer confirmed: data goes over TCP (minmtu 0) until a
 * probe reply comes back and MTU discovery starts over. */
static void udp_down(node_t *n) {
	n->udp_confirmed = false;
	n->mtu_check_fails = 0;
	n->minmtu = 0;
	n->maxmtu = PX_MTU;
	n->mtu = pmtu_initial(n);
	n->mtuprobes = PROBE_UDP_SEARCH;
	if (n->mtu_timer)
		timer_disarm(n->mtu_timer);
}

static void udisc_tick(void *arg) {
	node_t *n = arg;
	bool direct = n->via == n || (n->via == myself && n->nexthop == n);
	if (!n->reachable || !direct || !uses_udp_discovery(n) || (n->options & PX_OPTION_TCPONLY)) {
		udp_disc_reset(&n->udisc);
		return;
	}
	if (!n->crypto->ops->key_valid(n->crypto->plugin, n)) {
		timer_arm(n->udisc_timer, 1000);
		return;
	}
	const struct udp_disc_cfg cfg = {
	    .interval_ms = (uint32_t)settings.udp_discovery_interval * 1000,
	    .keepalive_ms = (uint32_t)settings.udp_discovery_keepalive * 1000,
	    .timeout_ms = (uint32_t)settings.udp_discovery_timeout * 1000,
	};
	uint32_t next;
	switch (udp_disc_tick(&n->udisc, &cfg, now_ms(), &next)) {
	case UDP_DISC_DOWN:
		logger(PX_LOG_TRAFFIC, LOG_INFO,
		       "No UDP probe reply from %s for %d s, stopping UDP communication", n->name,
		       settings.udp_discovery_timeout);
		udp_down(n);
		break;
	case UDP_DISC_PROBE:
		send_probe(n, 64);
		io.flush();
		break;
	case UDP_DISC_WAIT:
		break;
	}
	timer_arm(n->udisc_timer, next);
}

/* PMTU probing got no reply at all: UDP is not confirmed any more, so UDP
 * discovery goes back to its search pace (a Plexus addition: tinc 1.1 waits
 * for UDPDiscoveryTimeout, but Plexus also re-checks a silent path early). */
static void pmtu_lost_udp(node_t *n) {
	n->mtuprobes = PROBE_UDP_SEARCH;
	if (!uses_udp_discovery(n) || !n->udisc.confirmed)
		return;
	n->udisc.confirmed = false;
	if (n->udisc_timer)
		timer_arm(n->udisc_timer, 0);
}

static void udisc_start(node_t *n) {
	if (!uses_udp_discovery(n))
		return;
	if (!n->udisc_timer)
		n->udisc_timer = timer_new(udisc_tick, n);
	if (n->udisc_timer && !timer_armed(n->udisc_timer)) {
		udp_disc_reset(&n->udisc);
		timer_arm(n->udisc_timer, 0);
	}
}

/* After a reload: start or stop UDP discovery where UDPDiscovery changed.
 * A node left in the UDP search goes back to PMTU probing's own search. */
void udp_discovery_reconfigure(void) {
	node_t *n;
	list_for_each_entry(n, &node_list, link) {
		if (n == myself || !n->reachable)
			continue;
		if (uses_udp_discovery(n)) {
			if (n->mtu_timer && (timer_armed(n->mtu_timer) || n->mtuprobes == PROBE_UDP_SEARCH))
				udisc_start(n);
			continue;
		}
		if (n->udisc_timer && timer_armed(n->udisc_timer)) {
			timer_disarm(n->udisc_timer);
			udp_disc_reset(&n->udisc);
			if (n->mtuprobes == PROBE_UDP_SEARCH && n->mtu_timer && !timer_armed(n->mtu_timer))
				timer_arm(n->mtu_timer, 0);
		}
	}
}

static void mtu_tick(void *arg) {
	node_t *n = arg;
	/* A neighbour with IndirectData has via == myself, but we still reach
	 * it directly by UDP (and relay end-to-end records to it). */
	bool direct = n->via == n || (n->via == myself && n->nexthop == n);
	if (!n->reachable || !direct) {
		n->mtuprobes = 0;
		return;
	}
	/* Between two keys (renewal, restart) keep the state and look again
	 * shortly: the plugin knows best whether it can seal right now. */
	if (!n->crypto || !n->crypto->ops->key_valid(n->crypto->plugin, n)) {
		timer_arm(n->mtu_timer, 1000);
		return;
	}
	if (n->mtuprobes == PROBE_UDP_SEARCH) {
		/* UDP discovery probes for it; a reply restarts this timer. */
		if (uses_udp_discovery(n))
			return;
		/* No UDP yet: one small probe every 2 s keeps NAT mappings open
		 * and notices UDP coming back. */
		send_probe(n, 64);
		io.flush();
		timer_arm(n->mtu_timer, 2000);
		return;
	}
	n->mtuprobes++;
	if (n->mtuprobes <= 30) {
		if (n->mtuprobes > 10 && !n->minmtu) {
			logger(PX_LOG_TRAFFIC, LOG_INFO, "No response to MTU probes from %s", n->name);
			/* A fresh key answer may carry its reflexive address (NAT). */
			if (n->crypto && n->crypto->ops->key_request)
				n->crypto->ops->key_request(n->crypto->plugin, n);
			pmtu_lost_udp(n);
			timer_arm(n->mtu_timer, 2000);
			return;
		}
		/* Settle after 20 rounds (6.7 s) at the latest: probes lost on a
		 * narrower link further away never come back with an error. */
		if (n->minmtu >= n->maxmtu || n->mtuprobes >= 20) {
			/* Settle on what got through: the periodic check then probes
			 * this size (must answer) and 8 more (a grown path). */
			n->mtu = n->maxmtu = n->minmtu;
			logger(PX_LOG_TRAFFIC, LOG_INFO, "Fixing MTU of %s (%s) to %d after %d probes",
			       n->name, addr_str(&n->udp_addr), n->mtu, n->mtuprobes);
			n->mtuprobes = 31;
			timer_arm(n->mtu_timer, (uint32_t)settings.ping_interval * 1000);
			io.flush();
			return;
		}
		probe_burst(n);
		io.flush();
		timer_arm(n->mtu_timer, PROBE_TICK_MS);
		return;
	}
	if (n->mtuprobes == 32) {
		/* Periodic check: is the path still there, did it grow? */
		n->udp_confirmed = false;
		/* Three of them: on a lossy path one lost probe must not look
		 * like a broken path. */
		for (int i = 0; i < 3; i++)
			send_probe(n, n->maxmtu);
		if (n->maxmtu + 8 < PX_MTU)
			send_probe(n, n->maxmtu + 8);
		io.flush();
		timer_arm(n->mtu_timer, (uint32_t)settings.ping_timeout * 1000);
		return;
	}
	if (n->mtuprobes >= 33) {
		if (!n->udp_confirmed) {
			if (!n->minmtu) {
				pmtu_lost_udp(n);
				timer_arm(n->mtu_timer, 2000);
				return;
			} else {
				logger(PX_LOG_TRAFFIC, LOG_INFO,
				       "No response to MTU probes from %s, restarting discovery", n->name);
				n->mtu_check_fails = 0;
				n->minmtu = 0;
				n->maxmtu = n->mtu = PX_MTU;
				n->mtuprobes = 0;
				timer_arm(n->mtu_timer, PROBE_TICK_MS);
				return;
			}
		} else {
			n->mtuprobes = 31;
		}
	}
	timer_arm(n->mtu_timer, (uint32_t)settings.ping_interval * 1000);
}

void mtu_probe_start(node_t *n) {
	udisc_start(n);
	if (!n->mtu_timer)
		n->mtu_timer = timer_new(mtu_tick, n);
	if (timer_armed(n->mtu_timer))
		return;
	n->mtuprobes = 0;
	timer_arm(n->mtu_timer, 0);
}

void mtu_probe_restart(node_t *n) {
	if (!n->mtu_timer)
		return;
	n->mtuprobes = 0;
	timer_arm(n->mtu_timer, 0);
}

void mtu_probe_stop(node_t *n) {
	if (n->mtu_timer)
		timer_disarm(n->mtu_timer);
	if (n->udisc_timer)
		timer_disarm(n->udisc_timer);
	udp_disc_reset(&n->udisc);
	n->mtuprobes = 0;
}

/* A probe request is echoed; a reply tells us that size gets through. */
void mtu_probe_h(node_t *n, struct px_buf *b) {
	if (b->data[0] == 0) {
		b->data[0] = 1;
		b->flags |= PX_BUF_PROBE;
		if (n->crypto && n->crypto->ops->key_valid(n->crypto->plugin, n) && n->has_udp_addr)
			io.udp_send(n, n, b);
		else if (n->crypto && n->crypto->ops->key_request)
			n->crypto->ops->key_request(n->crypto->plugin, n);
		return;
	}
	int len = (int)b->len;
	if (b->data[0] == 2 && b->len >= 3)
		len = b->data[1] << 8 | b->data[2];
	else if (b->data[0] != 1)
		return;
	n->udp_confirmed = true;
	n->mtu_check_fails = 0;
	/* Any reply, discovery or PMTU probe, keeps UDP discovery's timeout
	 * away; the first one after a search re-times its keepalive. */
	if (uses_udp_discovery(n) && udp_disc_reply(&n->udisc, now_ms()) && n->udisc_timer)
		timer_arm(n->udisc_timer, 0);
	if (n->mtuprobes == PROBE_UDP_SEARCH) {
		logger(PX_LOG_TRAFFIC, LOG_INFO, "UDP to %s works (again), starting MTU discovery", n->name);
		n->mtuprobes = 0;
		timer_arm(n->mtu_timer, 0);
	} else if (n->mtuprobes > 30) {
		if (len == n->maxmtu + 8) {
			logger(PX_LOG_TRAFFIC, LOG_INFO,
			       "Increase in PMTU to %s detected, restarting discovery", n->name);
			n->maxmtu = PX_MTU;
			n->mtuprobes = 10;
			timer_arm(n->mtu_timer, PROBE_TICK_MS);
			return;
		}
	}
	if (len > n->maxmtu)
		len = n->maxmtu;
	if (n->minmtu < len)
		n->minmtu = len;
}
