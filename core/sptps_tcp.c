/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Binary SPTPS_PACKET over meta connections (protocol minor 7, see
 * docs/sptps-over-tcp.md). A node that cannot reach an SPTPS node by UDP and has
 * no direct meta connection to it seals the frame end to end and hands the
 * datagram, prefixed with the destination and source node IDs, to the next
 * meta hop as "21 <len>" plus <len> raw bytes written outside the meta
 * connection's record layer. Hops relay it unopened: by UDP when they can,
 * else in the same form. Only peers whose ACK said minor >= 7 get it; tinc
 * 1.0 peers (minor 0) and older Plexus nodes keep getting PACKET.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "logger.h"
#include "meta.h"
#include "net_packet.h"
#include "plugin_loader.h"
#include "protocol.h"
#include "protocol_info.h"
#include "settings.h"
#include "sptps_frame.h"
#include "sptps_tcp.h"
#include "xalloc.h"

#define BINARY_MINOR 7
#define HEADROOM     128

/* Can this connection carry raw bytes outside its record layer? Only an
 * SPTPS meta connection whose filter hands them back (ABI 1.2): its
 * protocol serves minor 7. A plugin protocol above tinc's minors (the SDK's
 * crypto-demo serves 8 only) has no such filter. */
static bool takes_raw(const conn_t *c) {
	return settings.experimental_protocol && c->crypto && c->crypto->ops->minor_min <= BINARY_MINOR &&
	       c->crypto->ops->minor_max >= BINARY_MINOR;
}

int sptps_tcp_ack_minor(const conn_t *c, int minor) {
	/* On a connection of a protocol above minor 7 the ACK keeps its minor
	 * (edges carry it to the data channel's choice); no binary
	 * SPTPS_PACKET goes over it all the same, both ends check takes_raw(). */
	if (c->crypto && c->crypto->ops->minor_min > BINARY_MINOR)
		return minor;
	if (minor >= BINARY_MINOR && !takes_raw(c))
		return BINARY_MINOR - 1;
	return minor;
}

/* May we send the binary form on c? Both sides announced minor 7 on it. */
static bool binary_ok(const conn_t *c) {
	return c && c->state == CONN_ACTIVE && takes_raw(c) && PX_OPTION_VERSION(c->options) >= BINARY_MINOR;
}

/* Random early drop when the peer cannot keep up (as for PACKET). */
static bool early_drop(const conn_t *c) {
	size_t max = (size_t)settings.max_output_buffer;
	if (c->outbuf.len <= max / 2)
		return false;
	if (c->outbuf.len >= max)
		return true;
	uint32_t r = randombytes_uniform((uint32_t)(max / 2));
	return r < c->outbuf.len - max / 2;
}

/* Write one frame: the request line through the record layer, then the
 * IDs and the datagram as raw bytes. */
static bool send_binary(conn_t *c, const uint8_t *frame, size_t len) {
	if (early_drop(c))
		return true;
	if (conn_send(c, "%d %zu", PX_REQ_SPTPS_PACKET, len) < 0)
		return false;
	if (conn_write_wire(c, frame, len) < 0)
		return false;
	return true;
}

bool sptps_tcp_send_frame(node_t *to, const struct px_buf *b) {
	if (!to->crypto || !(to->crypto->ops->flags & PX_CRYPTO_END_TO_END))
		return false;
	/* A direct neighbour gets PACKET: nothing is relayed, and that is what
	 * tinc 1.1 sends to its neighbours too. */
	if (to->connection || !to->nexthop)
		return false;
	conn_t *c = to->nexthop->connection;
	if (!binary_ok(c) || !to->crypto->ops->key_valid(to->crypto->plugin, to))
		return false;

	static uint8_t storage[SPTPS_FRAME_MAX + 2 * HEADROOM];
	struct px_buf t = {0};
	t.base = storage;
	t.cap = sizeof(storage);
	t.data = storage + HEADROOM;
	if (!seal_frame(to, b, &t))
		return true; /* dropped, the plugin said why */
	if (t.len + SPTPS_FRAME_IDS > SPTPS_FRAME_MAX || t.data - storage < SPTPS_FRAME_IDS)
		return false;
	t.data -= SPTPS_FRAME_IDS;
	t.len += SPTPS_FRAME_IDS;
	memcpy(t.data, to->id, 6);
	memcpy(t.data + 6, myself->id, 6);
	logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Sending packet to %s via %s (TCP, SPTPS_PACKET)", to->name,
	       c->name);
	send_binary(c, t.data, t.len);
	return true;
}

bool sptps_tcp_relay(node_t *to, const uint8_t src_id[6], const uint8_t *dgram, size_t len) {
	conn_t *c = to->nexthop ? to->nexthop->connection : NULL;
	if (!binary_ok(c) || len + SPTPS_FRAME_IDS > SPTPS_FRAME_MAX)
		return false;
	uint8_t frame[SPTPS_FRAME_MAX];
	memcpy(frame, to->id, 6);
	memcpy(frame + 6, src_id, 6);
	memcpy(frame + SPTPS_FRAME_IDS, dgram, len);
	logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Relaying packet to %s via %s (TCP, SPTPS_PACKET)", to->name,
	       c->name);
	send_binary(c, frame, len + SPTPS_FRAME_IDS);
	return true;
}

/* A datagram for us: open it as if it came by UDP, but learn nothing about
 * UDP from it and refuse MTU probes (they only make sense over UDP). True
 * if it opened. */
static bool receive_own(node_t *from, const uint8_t *dgram, size_t len) {
	static uint8_t storage[SPTPS_FRAME_MAX + 2 * HEADROOM];
	if ((!from->crypto && !node_choose_crypto(from)) ||
	    !(from->crypto->ops->flags & PX_CRYPTO_END_TO_END)) {
		logger(PX_LOG_TRAFFIC, LOG_DEBUG,
		       "Got an SPTPS_PACKET from %s, which does not use SPTPS with us", from->name);
		return false;
	}
	struct px_buf b = {0};
	b.base = storage;
	b.cap = sizeof(storage);
	b.data = storage + HEADROOM;
	memcpy(b.data, dgram, len);
	b.len = (uint32_t)len;
	b.node = from;
	if (!from->crypto->ops->open(from->crypto->plugin, from, &b, 1) || !b.len)
		return false;
	if ((b.flags & PX_BUF_PROBE) || !unpack_opened(from, &b) || b.len < PX_ETH_HLEN)
		return true;
	if (!b.data[12] && !b.data[13])
		return true; /* an MTU probe */
	b.flags |= PX_BUF_VIA_TCP;
	from->in_packets++;
	from->in_bytes += b.len;
	receive_frame(from, &b);
	tx_flush();
	return true;
}

/* A whole frame arrived on c: deliver it or pass it on. */
static void receive_binary(conn_t *c, const uint8_t *frame, size_t len) {
	node_t *to = node_lookup_id(frame);
	node_t *from = node_lookup_id(frame + 6);
	if (!to || !from) {
		logger(PX_LOG_PROTOCOL, LOG_ERR, "Got SPTPS_PACKET from %s (%s) with unknown %s ID", c->name,
		       c->hostname, to ? "source" : "destination");
		return;
	}
	const uint8_t *dgram = frame + SPTPS_FRAME_IDS;
	len -= SPTPS_FRAME_IDS;
	if (from == myself)
		return;
	if (!to->reachable) {
		logger(PX_LOG_TRAFFIC, LOG_WARNING, "Cannot relay SPTPS_PACKET from %s to %s: unreachable",
		       from->name, to->name);
		return;
	}
	/* It came by TCP: if we are its destination or from's static relay,
	 * tell from's side where from is, so that it may try UDP (UDP_INFO). */
	if (to->via == myself)
		send_udp_info(myself, from);
	if (to == myself) {
		/* Opened: tell from's side the path MTU (MTU_INFO). */
		if (receive_own(from, dgram, len))
			send_mtu_info(myself, from, PX_MTU);
		return;
	}
	if (settings.forwarding != FMODE_INTERNAL)
		return;
	/* By UDP if that works towards `to`, else on over TCP. */
	static uint8_t storage[SPTPS_FRAME_MAX + HEADROOM];
	struct px_buf b = {0};
	b.base = storage;
	b.cap = sizeof(storage);
	b.data = storage;
	memcpy(b.data, frame, len + SPTPS_FRAME_IDS);
	b.len = (uint32_t)(len + SPTPS_FRAME_IDS);
	if (relay_datagram(to, &b) == 0) {
		tx_flush();
		return;
	}
	if (!sptps_tcp_relay(to, from->id, dgram, len))
		logger(PX_LOG_TRAFFIC, LOG_DEBUG,
		       "Cannot relay SPTPS_PACKET from %s to %s: no UDP and %s does not take it over TCP",
		       from->name, to->name, to->nexthop ? to->nexthop->name : "no next hop");
}

static int sptps_packet_h(conn_t *c, const char *line) {
	if (!takes_raw(c)) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "Got SPTPS_PACKET from %s (%s) on a connection that did not announce it", c->name,
		       c->hostname);
		return -1;
	}
	if (!c->sptps_rx)
		c->sptps_rx = xcalloc(1, sizeof(*c->sptps_rx));
	char why[64];
	if (sptps_frame_begin(c->sptps_rx, line, why, sizeof(why)) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Got bad SPTPS_PACKET from %s (%s): %s", c->name, c->hostname,
		       why);
		return -1;
	}
	return 0;
}

ssize_t sptps_tcp_raw_input(conn_t *c, const void *data, size_t len) {
	if (c->state == CONN_DEAD)
		return -1;
	if (!sptps_frame_pending(c->sptps_rx))
		return 0;
	bool complete;
	size_t took = sptps_frame_feed(c->sptps_rx, data, len, &complete);
	if (complete)
		receive_binary(c, c->sptps_rx->buf, c->sptps_rx->have);
	return c->state == CONN_DEAD ? -1 : (ssize_t)took;
}

void sptps_tcp_register(void) {
	/* Relaying looks at reachability and next hops. */
	protocol_register(PX_REQ_SPTPS_PACKET, sptps_packet_h, true);
}
