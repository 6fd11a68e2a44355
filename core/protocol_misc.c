/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* PING, PONG and PACKET (VPN frames over the meta connection). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "event.h"
#include "logger.h"
#include "net.h"
#include "net_private.h"
#include "protocol.h"
#include "route.h"

int send_ping(conn_t *c) {
	c->pinged = true;
	c->last_ping_ms = now_ms();
	return conn_send(c, "%d", PX_REQ_PING);
}

int ping_h(conn_t *c, const char *line) {
	return conn_send(c, "%d", PX_REQ_PONG);
}

int pong_h(conn_t *c, const char *line) {
	c->pinged = false;
	if (c->outgoing)
		outgoing_reset_backoff(c->outgoing);
	return 0;
}

int send_tcppacket(conn_t *c, const uint8_t *frame, size_t len) {
	/* Random early drop when the peer cannot keep up, as tinc does. */
	size_t max = (size_t)settings.max_output_buffer;
	if (c->outbuf.len > max / 2) {
		if (c->outbuf.len >= max)
			return 0;
		uint32_t r;
		randombytes_buf(&r, sizeof(r));
		if ((r % (max / 2)) < c->outbuf.len - max / 2)
			return 0;
	}
	if (conn_send(c, "%d %zu", PX_REQ_PACKET, len) < 0)
		return -1;
	return conn_send_raw(c, frame, len);
}

int tcppacket_h(conn_t *c, const char *line) {
	int len;
	if (sscanf(line, "%*d %d", &len) != 1 || len <= 0 || len > PX_MTU) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad PACKET from %s (%s)", c->name, c->hostname);
		return -1;
	}
	c->packet_pending = len;
	return 0;
}

void receive_tcppacket(conn_t *c, const uint8_t *frame, size_t len) {
	static uint8_t storage[PX_MTU + 256];
	struct px_buf b = {0};
	b.base = storage;
	b.cap = sizeof(storage);
	b.data = storage + 128;
	memcpy(b.data, frame, len);
	b.len = (uint32_t)len;
	b.node = c->node;
	b.flags = PX_BUF_VIA_TCP;
	if (!c->node)
		return;
	c->node->in_packets++;
	c->node->in_bytes += len;
	receive_frame(c->node, &b);
	tx_flush();
}
