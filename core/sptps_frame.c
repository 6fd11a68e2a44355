/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Collecting the raw payload of a binary SPTPS_PACKET (see sptps_frame.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sptps_frame.h"

int sptps_frame_begin(struct sptps_frame_rx *rx, const char *line, char *why, size_t whylen) {
	int id;
	long len;
	char extra;

	rx->want = rx->have = 0;
	if (sscanf(line, "%d %ld %c", &id, &len, &extra) != 2 || id != PX_REQ_SPTPS_PACKET) {
		snprintf(why, whylen, "malformed length");
		return -1;
	}
	/* Anything shorter cannot even hold the two node IDs. */
	if (len < SPTPS_FRAME_IDS) {
		snprintf(why, whylen, "length %ld too short", len);
		return -1;
	}
	if (len > SPTPS_FRAME_MAX) {
		snprintf(why, whylen, "length %ld exceeds %d", len, SPTPS_FRAME_MAX);
		return -1;
	}
	rx->want = (size_t)len;
	return 0;
}

size_t sptps_frame_feed(struct sptps_frame_rx *rx, const uint8_t *data, size_t len, bool *complete) {
	*complete = false;
	if (!rx->want)
		return 0;
	size_t take = rx->want - rx->have;
	if (take > len)
		take = len;
	memcpy(rx->buf + rx->have, data, take);
	rx->have += take;
	if (rx->have == rx->want) {
		rx->want = 0;
		*complete = true;
	}
	return take;
}
