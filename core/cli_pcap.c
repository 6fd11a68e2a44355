/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus pcap [SNAPLEN]: ask the daemon for every frame it routes
 * (REQ_PCAP) and write them to stdout as a pcap file, stamped with the
 * time they reach us. Runs until the daemon goes away, the reader of
 * stdout does, or we are interrupted.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cli.h"
#include "cli_ctl.h"
#include "control.h"
#include "pcap_format.h"

/* SNAPLEN as tinc takes it: a non-negative number, 0 = whole frames. */
static int parse_snaplen(const char *arg, unsigned *snaplen) {
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (!*arg || *end || *arg == '-' || v > 0x7fffffffUL)
		return -1;
	*snaplen = (unsigned)v;
	return 0;
}

int cmd_pcap(int argc, char **argv) {
	uint8_t head[PCAP_FILE_HEADER_LEN > PCAP_RECORD_HEADER_LEN ? PCAP_FILE_HEADER_LEN
	                                                           : PCAP_RECORD_HEADER_LEN];
	char line[64];
	unsigned snaplen = 0;
	struct ctl c;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (argc == 2 && parse_snaplen(argv[1], &snaplen) < 0) {
		fprintf(stderr, "Invalid snap length: %s\n", argv[1]);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	if (ctl_send(&c, "%d %d %u", PX_REQ_CONTROL, REQ_PCAP, snaplen) < 0) {
		fprintf(stderr, "Lost connection to the daemon\n");
		ctl_close(&c);
		return 1;
	}
	pcap_file_header(head, snaplen);
	fwrite(head, PCAP_FILE_HEADER_LEN, 1, stdout);
	fflush(stdout);

	while (!ferror(stdout) && ctl_recv_line(&c, line, sizeof(line)) == 0) {
		struct timeval tv;
		size_t len;

		gettimeofday(&tv, NULL);
		if (pcap_parse_frame_line(line, REQ_PCAP, PCAP_DEFAULT_SNAPLEN, &len) < 0) {
			/* A daemon without capture answers "18 -1". */
			fprintf(stderr, "Unexpected reply from the daemon: %s\n", line);
			ctl_close(&c);
			return 1;
		}
		pcap_record_header(head, (uint32_t)tv.tv_sec, (uint32_t)tv.tv_usec, (uint32_t)len,
		                   (uint32_t)len);
		fwrite(head, PCAP_RECORD_HEADER_LEN, 1, stdout);
		if (ctl_recv_bytes_to(&c, len, stdout) < 0)
			break;
		fflush(stdout);
	}
	ctl_close(&c);
	return 0;
}
