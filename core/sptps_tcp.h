/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * SPTPS datagrams over meta connections in the binary form of protocol
 * minor 7 (SPTPS_PACKET followed by raw bytes), as tinc 1.1 uses it when
 * UDP does not work towards a node that is not a direct neighbour.
 */
#ifndef PLEXUS_SPTPS_TCP_H
#define PLEXUS_SPTPS_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "connection.h"
#include "node.h"

/* The protocol minor to put in the ACK options of `c`, given the highest one
 * we speak: 7 only where we can take the raw bytes (an SPTPS meta
 * connection), at most 6 elsewhere. */
int sptps_tcp_ack_minor(const conn_t *c, int minor);

/* Puts the handler of a top-level SPTPS_PACKET line into the request
 * table (called by the wiring, as the protocol_*_register() functions). */
void sptps_tcp_register(void);

/* host->conn_raw_input: the raw payload bytes following SPTPS_PACKET. */
ssize_t sptps_tcp_raw_input(conn_t *c, const void *data, size_t len);

/* The data path's TCP fallback (struct sptps_tcp_io, net_packet.h): seal the frame for `to` and send it in
 * the binary form to the next hop. False if that does not apply (the caller then sends a PACKET). */
bool sptps_tcp_send_frame(node_t *to, const struct px_buf *b);

/* Relay a datagram (already sealed by src_id's owner for `to`) over TCP.
 * False if the next hop cannot take the binary form. */
bool sptps_tcp_relay(node_t *to, const uint8_t src_id[6], const uint8_t *dgram, size_t len);

#endif
