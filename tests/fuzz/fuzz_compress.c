/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Fuzz target for the compress plugin (plugins/compress): the real plugin,
 * initialised through its descriptor with a minimal host table. The first
 * input byte picks the level (1..11: zlib 1-9, LZO 10/11) and the output
 * capacity; the rest is a compressed payload as it arrives from a peer and
 * is decompressed. Then the same bytes are compressed and decompressed
 * again, which must give them back unchanged.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/compress/compress.h"
#include "fuzz_target.h"

extern const struct px_plugin_desc compress_LTX_plexus_plugin;

struct px_plugin {
	int unused;
};
static struct px_plugin the_plugin;

#define MAX_OPS 4
static const struct px_compress_ops *ops[MAX_OPS];
static int nops;

static void quiet_log(px_plugin *self, int level, const char *fmt, ...) {
	(void)self;
	(void)level;
	(void)fmt;
}

static int log_level(void) {
	return 0;
}

static int register_compress(px_plugin *self, const struct px_compress_ops *o) {
	(void)self;
	if (nops >= MAX_OPS)
		return -1;
	ops[nops++] = o;
	return 0;
}

static const struct px_host host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,
    .log = quiet_log,
    .log_level = log_level,
    .register_compress = register_compress,
};

static const struct px_compress_ops *ops_for(int level) {
	for (int i = 0; i < nops; i++)
		if (level >= ops[i]->level_min && level <= ops[i]->level_max)
			return ops[i];
	return NULL;
}

/* Largest frame the data path decompresses into, and a small cap to hit
 * the "would exceed outcap" refusals. */
#define FRAME_MAX 9018

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static bool ready;
	static uint8_t out[FRAME_MAX], again[FRAME_MAX], packed[FRAME_MAX + FRAME_MAX / 8 + 256];

	if (!ready) {
		if (compress_LTX_plexus_plugin.init(&the_plugin, &host) != 0)
			abort();
		ready = true;
	}
	if (size < 1 || size > FRAME_MAX + 1)
		return 0;

	int level = 1 + data[0] % 11;
	size_t outcap = (data[0] & 0x80) ? 64 : sizeof(out);
	const struct px_compress_ops *o = ops_for(level);
	if (!o)
		return 0; /* built without this library */
	data++;
	size--;

	int n = o->decompress(&the_plugin, level, data, size, out, outcap);
	if (n > (int)outcap)
		abort(); /* reported more than fits */

	/* Round trip of the raw bytes at the same level. */
	int packed_len = o->compress(&the_plugin, level, data, size, packed, sizeof(packed));
	if (packed_len >= 0) {
		int back =
		    o->decompress(&the_plugin, level, packed, (size_t)packed_len, again, sizeof(again));
		if (back != (int)size || (size && memcmp(again, data, size))) {
			fprintf(stderr, "level %d: %zu bytes compressed to %d did not come back (%d)\n",
			        level, size, packed_len, back);
			abort();
		}
	}
	return 0;
}
