/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * LZ4 codec, tinc 1.1's level 12: one raw LZ4 block (no frame header, no
 * length prefix), compressed at the default acceleration, which is what a
 * tinc 1.1 node sends and expects. The compressor state is allocated once
 * at start-up so the data path never allocates.
 */
#include <stdbool.h>
#include <stdlib.h>

#include <lz4.h>

#include "compress.h"

/* The default acceleration: tinc 1.1 passes it, and any other value would
 * still decode but would not match its output. */
#define LZ4_ACCELERATION 1

static void *state; /* LZ4_sizeofState() bytes */

static int lz4_compress(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                        size_t outcap) {
	if (!state || level != PX_COMPRESS_LZ4 || inlen > COMPRESS_MAX_INPUT)
		return -1;
	int cap = outcap > (size_t)LZ4_compressBound(COMPRESS_MAX_INPUT)
	              ? LZ4_compressBound(COMPRESS_MAX_INPUT)
	              : (int)outcap;
	/* The block compressor honours cap itself and reports 0 when the
	 * result would not fit (incompressible input, small buffer). */
	int n = LZ4_compress_fast_extState(state, (const char *)in, (char *)out, (int)inlen, cap,
	                                   LZ4_ACCELERATION);
	if (n <= 0) {
		compress_debug(self, "lz4: %zu bytes do not compress into %zu", inlen, outcap);
		return -1;
	}
	return n;
}

/* LZ4_decompress_safe bounds every read by inlen and every write by outcap:
 * corrupt blocks and blocks that expand beyond outcap come back negative. */
static int lz4_decompress(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                          size_t outcap) {
	if (!state || level != PX_COMPRESS_LZ4 || inlen > COMPRESS_MAX_INPUT || inlen == 0)
		return -1;
	if (outcap > COMPRESS_MAX_INPUT)
		outcap = COMPRESS_MAX_INPUT;
	int n = LZ4_decompress_safe((const char *)in, (char *)out, (int)inlen, (int)outcap);
	if (n < 0) {
		compress_debug(self, "lz4: packet of %zu bytes is corrupt or expands beyond %zu", inlen,
		               outcap);
		return -1;
	}
	return n;
}

const struct px_compress_ops lz4_codec_ops = {
    .size = sizeof(struct px_compress_ops),
    .name = "lz4",
    .level_min = PX_COMPRESS_LZ4,
    .level_max = PX_COMPRESS_LZ4,
    .compress = lz4_compress,
    .decompress = lz4_decompress,
};

int lz4_codec_init(px_plugin *self) {
	state = malloc((size_t)LZ4_sizeofState());
	if (!state) {
		compress_host->log(self, PX_LOG_ALWAYS, "lz4: out of memory");
		return -1;
	}
	return 0;
}

void lz4_codec_fini(void) {
	free(state);
	state = NULL;
}
