/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * zlib codec, tinc levels 1-9: each packet is one complete zlib stream
 * (2-byte header, raw deflate, Adler-32), byte for byte what compress2()
 * produces at that level, which is what tinc sends and expects.
 *
 * compress2()/uncompress() allocate and free a few hundred kilobytes per
 * call. Instead one deflate and one inflate stream are set up at init and
 * reset before every packet; deflateParams() switches the level between
 * packets. Since zlib 1.2.12 deflateReset() marks the stream as fresh, so
 * switching the level right after a reset emits nothing and the output
 * stays identical to compress2() (the unit test compares them). Older zlib
 * may flush a block there, so with it a level change sets the stream up
 * anew instead (one allocation per change of level, not per packet).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "compress.h"

static z_stream deflater, inflater;
static bool deflater_ready, inflater_ready;
static int deflater_level;
bool zlib_params_after_reset; /* deflateParams() is silent after deflateReset() */

/* zlib >= 1.2.12, from the library actually loaded. */
static bool zlib_resets_cleanly(void) {
	unsigned major = 0, minor = 0, patch = 0;
	if (sscanf(zlibVersion(), "%u.%u.%u", &major, &minor, &patch) < 2)
		return false;
	return major > 1 || (major == 1 && (minor > 2 || (minor == 2 && patch >= 12)));
}

static bool deflater_set_level(px_plugin *self, int level) {
	if (zlib_params_after_reset) {
		if (deflateParams(&deflater, level, Z_DEFAULT_STRATEGY) == Z_OK)
			return true;
	} else {
		deflateEnd(&deflater);
		deflater_ready = false;
		/* The parameters compress2() uses: 32 KiB window, memLevel 8. */
		if (deflateInit2(&deflater, level, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
			deflater_ready = true;
			return true;
		}
	}
	compress_debug(self, "zlib: cannot switch to level %d", level);
	return false;
}

static bool zlib_level_ok(int level) {
	return level >= PX_COMPRESS_ZLIB_MIN && level <= PX_COMPRESS_ZLIB_MAX;
}

/* One zlib stream at `level`, or -1 when it does not fit in outcap. */
static int zlib_compress(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                         size_t outcap) {
	if (!zlib_level_ok(level) || inlen > COMPRESS_MAX_INPUT)
		return -1;
	if (!deflater_ready) {
		/* only after a failed re-init on old zlib (or after fini): retry */
		if (zlib_params_after_reset || !inflater_ready || !deflater_set_level(self, level))
			return -1;
		deflater_level = level;
	}
	if (outcap > INT_MAX)
		outcap = INT_MAX;
	if (deflateReset(&deflater) != Z_OK)
		return -1;
	deflater.next_in = NULL;
	deflater.avail_in = 0;
	deflater.next_out = out;
	deflater.avail_out = (uInt)outcap;
	if (level != deflater_level) {
		if (!deflater_set_level(self, level))
			return -1;
		deflater_level = level;
	}
	deflater.next_in = (Bytef *)(uintptr_t)in; /* zlib does not write through next_in */
	deflater.avail_in = (uInt)inlen;
	deflater.next_out = out;
	deflater.avail_out = (uInt)outcap;
	int rc = deflate(&deflater, Z_FINISH);
	if (rc != Z_STREAM_END) {
		compress_debug(self, "zlib: %zu bytes do not compress into %zu", inlen, outcap);
		return -1;
	}
	return (int)(outcap - deflater.avail_out);
}

/* Inflate one complete zlib stream into at most outcap bytes. A stream that
 * is truncated, corrupt, followed by garbage or that would grow beyond
 * outcap (a decompression bomb) is refused. */
static int zlib_decompress(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                           size_t outcap) {
	if (!inflater_ready || !zlib_level_ok(level) || inlen > COMPRESS_MAX_INPUT)
		return -1;
	if (outcap > INT_MAX)
		outcap = INT_MAX;
	if (inflateReset(&inflater) != Z_OK)
		return -1;
	inflater.next_in = (Bytef *)(uintptr_t)in;
	inflater.avail_in = (uInt)inlen;
	inflater.next_out = out;
	inflater.avail_out = (uInt)outcap;
	int rc = inflate(&inflater, Z_FINISH);
	if (rc != Z_STREAM_END) {
		compress_debug(self, "zlib: packet of %zu bytes is corrupt or inflates beyond %zu (%s)",
		               inlen, outcap, inflater.msg ? inflater.msg : "truncated or too big");
		return -1;
	}
	if (inflater.avail_in) {
		compress_debug(self, "zlib: %u bytes of garbage after the stream", inflater.avail_in);
		return -1;
	}
	return (int)(outcap - inflater.avail_out);
}

/* A zlib stream of stored (uncompressed) deflate blocks: the 2-byte header
 * compress2() writes for this level, blocks of at most 65535 bytes each
 * with its length and the length's complement, and the Adler-32 of the
 * data. Every inflater accepts it; it costs a copy and a checksum. For
 * input deflate cannot shrink it is the size deflate itself would emit. */
static int zlib_store(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                      size_t outcap) {
	if (!zlib_level_ok(level) || inlen > COMPRESS_MAX_INPUT)
		return -1;
	size_t blocks = inlen ? (inlen + 65534) / 65535 : 1;
	if (2 + blocks * 5 + inlen + 4 > outcap) {
		compress_debug(self, "zlib: %zu bytes do not fit in %zu", inlen, outcap);
		return -1;
	}
	/* CMF: deflate, 32 KiB window; FLG: zlib's level hint, check bits. */
	unsigned hint = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
	unsigned header = (0x78u << 8) | (hint << 6);
	header += 31 - header % 31;
	uint8_t *op = out;
	*op++ = (uint8_t)(header >> 8);
	*op++ = (uint8_t)header;
	size_t left = inlen;
	const uint8_t *ip = in;
	do {
		size_t n = left > 65535 ? 65535 : left;
		left -= n;
		*op++ = left ? 0 : 1; /* BFINAL on the last block, BTYPE 00 = stored */
		*op++ = (uint8_t)n;
		*op++ = (uint8_t)(n >> 8);
		*op++ = (uint8_t)~n;
		*op++ = (uint8_t)(~n >> 8);
		memcpy(op, ip, n);
		op += n;
		ip += n;
	} while (left);
	uLong sum = adler32(adler32(0L, Z_NULL, 0), in, (uInt)inlen);
	*op++ = (uint8_t)(sum >> 24);
	*op++ = (uint8_t)(sum >> 16);
	*op++ = (uint8_t)(sum >> 8);
	*op++ = (uint8_t)sum;
	return (int)(op - out);
}

const struct px_compress_ops zlib_codec_ops = {
    .size = sizeof(struct px_compress_ops),
    .name = "zlib",
    .level_min = PX_COMPRESS_ZLIB_MIN,
    .level_max = PX_COMPRESS_ZLIB_MAX,
    .compress = zlib_compress,
    .decompress = zlib_decompress,
    .store = zlib_store,
};

int zlib_codec_init(px_plugin *self) {
	memset(&deflater, 0, sizeof(deflater));
	memset(&inflater, 0, sizeof(inflater));
	/* The parameters compress2() uses: 32 KiB window, memLevel 8. */
	zlib_params_after_reset = zlib_resets_cleanly();
	deflater_level = 6; /* any level: the first packet switches it */
	if (deflateInit2(&deflater, deflater_level, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		compress_host->log(self, PX_LOG_ALWAYS, "zlib: cannot set up the deflate stream");
		return -1;
	}
	deflater_ready = true;
	if (inflateInit(&inflater) != Z_OK) {
		compress_host->log(self, PX_LOG_ALWAYS, "zlib: cannot set up the inflate stream");
		zlib_codec_fini();
		return -1;
	}
	inflater_ready = true;
	return 0;
}

void zlib_codec_fini(void) {
	if (deflater_ready)
		deflateEnd(&deflater);
	if (inflater_ready)
		inflateEnd(&inflater);
	deflater_ready = inflater_ready = false;
}
