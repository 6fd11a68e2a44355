/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Encoding of pcap headers and parsing of stream frame lines. */
#include <stdio.h>
#include <string.h>

#include <plexus/wire.h>

#include "pcap_format.h"

/* Host byte order throughout: readers tell the order from the magic. */
static uint8_t *put32(uint8_t *p, uint32_t v) {
	memcpy(p, &v, 4);
	return p + 4;
}

static uint8_t *put16(uint8_t *p, uint16_t v) {
	memcpy(p, &v, 2);
	return p + 2;
}

void pcap_file_header(uint8_t out[PCAP_FILE_HEADER_LEN], uint32_t snaplen) {
	uint8_t *p = out;

	p = put32(p, 0xa1b2c3d4u);
	p = put16(p, 2);
	p = put16(p, 4);
	p = put32(p, 0); /* time zone offset */
	p = put32(p, 0); /* timestamp accuracy */
	p = put32(p, snaplen ? snaplen : PCAP_DEFAULT_SNAPLEN);
	put32(p, 1); /* LINKTYPE_ETHERNET */
}

void pcap_record_header(uint8_t out[PCAP_RECORD_HEADER_LEN], uint32_t sec, uint32_t usec, uint32_t caplen,
                        uint32_t origlen) {
	uint8_t *p = out;

	p = put32(p, sec);
	p = put32(p, usec);
	p = put32(p, caplen);
	put32(p, origlen);
}

int pcap_parse_frame_line(const char *line, int type, size_t max, size_t *len) {
	int code, t, used = 0;
	unsigned long n;

	if (sscanf(line, "%d %d %lu%n", &code, &t, &n, &used) != 3 || line[used] || code != PX_REQ_CONTROL ||
	    t != type || n > max || line[strspn(line, "0123456789 ")])
		return -1;
	*len = n;
	return 0;
}
