/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * LZO codec, tinc levels 10 (LZO1X-1, fast) and 11 (LZO1X-999, best): the
 * raw LZO1X block, no header, exactly what the LZO library produces, which
 * is what tinc sends. Both compressors share one preallocated work area.
 *
 * The LZO compressors cannot be told how much room the output has: they may
 * write up to inlen + inlen/16 + 67 bytes. When the caller's buffer is
 * smaller than that bound we compress into a preallocated spill buffer and
 * copy the result only if it fits.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>

#include "compress.h"

/* Worst-case LZO1X output for n input bytes (LZO's documented bound). */
#define LZO_BOUND(n) ((n) + (n) / 16 + 64 + 3)

#define LZO_WORK_SIZE                                                                                        \
	(LZO1X_999_MEM_COMPRESS > LZO1X_1_MEM_COMPRESS ? LZO1X_999_MEM_COMPRESS : LZO1X_1_MEM_COMPRESS)

static void *work;     /* compressor dictionary, LZO_WORK_SIZE bytes */
static uint8_t *spill; /* LZO_BOUND(COMPRESS_MAX_INPUT) bytes */

static bool lzo_level_ok(int level) {
	return level == PX_COMPRESS_LZO_FAST || level == PX_COMPRESS_LZO_BEST;
}

static int lzo_compress(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                        size_t outcap) {
	if (!work || !lzo_level_ok(level) || inlen > COMPRESS_MAX_INPUT)
		return -1;
	uint8_t *dst = outcap >= LZO_BOUND(inlen) ? out : spill;
	lzo_uint dstlen = 0;
	int rc;
	if (level == PX_COMPRESS_LZO_FAST)
		rc = lzo1x_1_compress(in, inlen, dst, &dstlen, work);
	else
		rc = lzo1x_999_compress(in, inlen, dst, &dstlen, work);
	if (rc != LZO_E_OK) {
		compress_debug(self, "lzo: compression failed (%d)", rc);
		return -1;
	}
	if (dstlen > outcap) {
		compress_debug(self, "lzo: %zu bytes compress to %lu, more than %zu", inlen,
		               (unsigned long)dstlen, outcap);
		return -1;
	}
	if (dst != out)
		memcpy(out, dst, dstlen);
	return (int)dstlen;
}

/* lzo1x_decompress_safe checks every read and write against the buffer
 * ends, so corrupt input and blocks that would expand beyond outcap are
 * refused; leftover input counts as corrupt too. */
static int lzo_decompress(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                          size_t outcap) {
	if (!work || !lzo_level_ok(level) || inlen > COMPRESS_MAX_INPUT)
		return -1;
	if (outcap > COMPRESS_MAX_INPUT)
		outcap = COMPRESS_MAX_INPUT;
	lzo_uint outlen = outcap;
	int rc = lzo1x_decompress_safe(in, inlen, out, &outlen, NULL);
	if (rc != LZO_E_OK || outlen > outcap) {
		compress_debug(self, "lzo: packet of %zu bytes is corrupt or expands beyond %zu (%d)", inlen,
		               outcap, rc);
		return -1;
	}
	return (int)outlen;
}

/* An LZO1X stream of one literal run and the end marker, as the LZO1X-1
 * compressor itself emits for input it finds no match in: a run of up to
 * 238 bytes is announced by one byte (17 + length), a longer one by a zero
 * byte and the length beyond 18 in base-255 continuation bytes. Every
 * LZO1X decompressor accepts it, whichever level the peer asked for. */
static int lzo_store(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                     size_t outcap) {
	if (!lzo_level_ok(level) || inlen > COMPRESS_MAX_INPUT)
		return -1;
	size_t head = inlen == 0 ? 0 : inlen <= 238 ? 1 : 2 + (inlen - 18 - 1) / 255;
	if (head + inlen + 3 > outcap) {
		compress_debug(self, "lzo: %zu bytes do not fit in %zu", inlen, outcap);
		return -1;
	}
	uint8_t *op = out;
	if (inlen > 0 && inlen <= 238) {
		*op++ = (uint8_t)(17 + inlen);
	} else if (inlen > 238) {
		size_t rest = inlen - 18;
		*op++ = 0;
		for (; rest > 255; rest -= 255)
			*op++ = 0;
		*op++ = (uint8_t)rest;
	}
	memcpy(op, in, inlen);
	op += inlen;
	/* End of stream: a distant match of distance 0. */
	*op++ = 0x11;
	*op++ = 0;
	*op++ = 0;
	return (int)(op - out);
}

const struct px_compress_ops lzo_codec_ops = {
    .size = sizeof(struct px_compress_ops),
    .name = "lzo",
    .level_min = PX_COMPRESS_LZO_FAST,
    .level_max = PX_COMPRESS_LZO_BEST,
    .compress = lzo_compress,
    .decompress = lzo_decompress,
    .store = lzo_store,
};

int lzo_codec_init(px_plugin *self) {
	if (lzo_init() != LZO_E_OK) {
		compress_host->log(self, PX_LOG_ALWAYS, "lzo: library initialisation failed");
		return -1;
	}
	work = malloc(LZO_WORK_SIZE);
	spill = malloc(LZO_BOUND(COMPRESS_MAX_INPUT));
	if (!work || !spill) {
		compress_host->log(self, PX_LOG_ALWAYS, "lzo: out of memory");
		lzo_codec_fini();
		return -1;
	}
	return 0;
}

void lzo_codec_fini(void) {
	free(work);
	free(spill);
	work = NULL;
	spill = NULL;
}
