/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The binary SPTPS_PACKET framing (core/sptps_frame.c): a payload split
 * across reads is reassembled exactly, bytes after it are left alone, and
 * lengths that do not fit a frame are refused before anything is buffered.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "../../core/sptps_frame.h"

static struct sptps_frame_rx rx;

int main(void) {
	char why[64];
	uint8_t wire[SPTPS_FRAME_MAX + 100];
	bool complete;

	for (size_t i = 0; i < sizeof(wire); i++)
		wire[i] = (uint8_t)(i * 7 + 1);

	/* Nothing pending: nothing taken. */
	CHECK(!sptps_frame_pending(&rx));
	CHECK(sptps_frame_feed(&rx, wire, 10, &complete) == 0 && !complete);

	/* A 100-byte frame in pieces of 1, 30 and the rest (with 50 bytes of
	 * the next record behind it in the same read). */
	CHECK(sptps_frame_begin(&rx, "21 100", why, sizeof(why)) == 0);
	CHECK(sptps_frame_pending(&rx));
	CHECK(sptps_frame_feed(&rx, wire, 1, &complete) == 1 && !complete);
	CHECK(sptps_frame_feed(&rx, wire + 1, 30, &complete) == 30 && !complete);
	CHECK(sptps_frame_feed(&rx, wire + 31, 119, &complete) == 69 && complete);
	CHECK(rx.have == 100 && !memcmp(rx.buf, wire, 100));
	CHECK(!sptps_frame_pending(&rx));
	CHECK(sptps_frame_feed(&rx, wire + 100, 50, &complete) == 0 && !complete);

	/* Byte by byte, the largest frame. */
	char line[32];
	snprintf(line, sizeof(line), "21 %d", SPTPS_FRAME_MAX);
	CHECK(sptps_frame_begin(&rx, line, why, sizeof(why)) == 0);
	size_t total = 0;
	for (int i = 0; i < SPTPS_FRAME_MAX; i++) {
		total += sptps_frame_feed(&rx, wire + i, 1, &complete);
		CHECK(complete == (i == SPTPS_FRAME_MAX - 1));
	}
	CHECK(total == SPTPS_FRAME_MAX && !memcmp(rx.buf, wire, SPTPS_FRAME_MAX));

	/* Oversized: refused with a reason, nothing pending, nothing taken. */
	snprintf(line, sizeof(line), "21 %d", SPTPS_FRAME_MAX + 1);
	CHECK(sptps_frame_begin(&rx, line, why, sizeof(why)) < 0);
	CHECK(strstr(why, "exceeds") != NULL);
	CHECK(!sptps_frame_pending(&rx));
	CHECK(sptps_frame_feed(&rx, wire, sizeof(wire), &complete) == 0);
	CHECK(sptps_frame_begin(&rx, "21 99999999999999999999", why, sizeof(why)) < 0);
	CHECK(sptps_frame_begin(&rx, "21 32767", why, sizeof(why)) < 0);

	/* Too short for the node IDs, negative, missing, trailing junk. */
	CHECK(sptps_frame_begin(&rx, "21 11", why, sizeof(why)) < 0 && strstr(why, "too short"));
	CHECK(sptps_frame_begin(&rx, "21 -5", why, sizeof(why)) < 0);
	CHECK(sptps_frame_begin(&rx, "21", why, sizeof(why)) < 0 && strstr(why, "malformed"));
	CHECK(sptps_frame_begin(&rx, "21 100 x", why, sizeof(why)) < 0);
	CHECK(sptps_frame_begin(&rx, "17 100", why, sizeof(why)) < 0);
	CHECK(!sptps_frame_pending(&rx));

	/* The smallest frame: just the IDs. */
	CHECK(sptps_frame_begin(&rx, "21 12", why, sizeof(why)) == 0);
	CHECK(sptps_frame_feed(&rx, wire, 12, &complete) == 12 && complete);

	/* A refused length after a partial frame drops the partial state. */
	CHECK(sptps_frame_begin(&rx, "21 50", why, sizeof(why)) == 0);
	CHECK(sptps_frame_feed(&rx, wire, 20, &complete) == 20);
	CHECK(sptps_frame_begin(&rx, "21 100000", why, sizeof(why)) < 0);
	CHECK(!sptps_frame_pending(&rx) && rx.have == 0);

	printf("sptps_frame: largest frame %d bytes\n", SPTPS_FRAME_MAX);
	return check_done("sptps_frame_test");
}
