/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * UDP_INFO (22) and MTU_INFO (23): tinc 1.1's hints along relay paths
 * (docs/protocol/meta.md, "UDP_INFO (22), MTU_INFO (23)").
 */
#ifndef PX_PROTOCOL_INFO_H
#define PX_PROTOCOL_INFO_H

#include "connection.h"
#include "node.h"

/* Puts both handlers into the request table (called by the wiring). */
void protocol_info_register(void);

/* Tell the nodes towards `to` what we know of `from`'s UDP address, or of
 * the path MTU for packets from `from`. from == myself: we originate it,
 * paced by UDPInfoInterval / MTUInfoInterval per destination. Each returns
 * true when a request went out. */
bool send_udp_info(node_t *from, node_t *to);
bool send_mtu_info(node_t *from, node_t *to, int mtu);

/* The data path's hooks (struct relay_hint_io, net_packet.h): an SPTPS
 * packet from `origin` did not come straight from it; a relayed packet for
 * us came through `hop`. */
void relay_hint_udp_info(node_t *origin);
void relay_hint_mtu_info(node_t *hop);

#endif
