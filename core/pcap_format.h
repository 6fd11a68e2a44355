/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The classic pcap file format as `plexus pcap` writes it (and tinc 1.1's
 * CLI does): magic 0xa1b2c3d4 in host byte order, version 2.4, link type 1
 * (Ethernet), microsecond timestamps.
 */
#ifndef PX_PCAP_FORMAT_H
#define PX_PCAP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_FILE_HEADER_LEN   24
#define PCAP_RECORD_HEADER_LEN 16
#define PCAP_DEFAULT_SNAPLEN   9018 /* the largest frame the daemon passes on */

void pcap_file_header(uint8_t out[PCAP_FILE_HEADER_LEN], uint32_t snaplen);
void pcap_record_header(uint8_t out[PCAP_RECORD_HEADER_LEN], uint32_t sec, uint32_t usec, uint32_t caplen,
                        uint32_t origlen);
/* The header line of a stream frame "18 <type> <len>": 0 and *len if it is
 * one of `type` no longer than max, else -1. */
int pcap_parse_frame_line(const char *line, int type, size_t max, size_t *len);

#endif
