/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* PING, PONG and PACKET (VPN frames over the meta connection). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "event.h"
#include "logger.h"
#include "meta.h"
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
	conn_reset_backoff(c);
	return 0;
}

int tcppacket_h(conn_t *c, const char *line) {
	int len;
	if (sscanf(line, "%*d %d", &len) != 1 || len <= 0 || len > MAX_TCPPACKET) {
		logger(PX_LOG_ERROR, LOG_ERR, "Got bad PACKET from %s (%s)", c->name, c->hostname);
		return -1;
	}
	c->packet_pending = len;
	return 0;
}

/* DisableBuggyPeers: one PACKET of BUGGY_PEER_PROBE_LEN zero bytes, as
 * tinc 1.1 sends it (docs/protocol/meta.md, PACKET). Old tinc versions that
 * cannot take a request that long drop the connection; newer ones, Plexus
 * included, read and discard it. */
int send_buggy_peer_probe(conn_t *c) {
	static const uint8_t zeros[BUGGY_PEER_PROBE_LEN];
	return send_tcppacket(c, zeros, sizeof(zeros));
}

void protocol_misc_register(void) {
	protocol_register(PX_REQ_PING, ping_h, false);
	protocol_register(PX_REQ_PONG, pong_h, false);
	protocol_register(PX_REQ_PACKET, tcppacket_h, true);
}
