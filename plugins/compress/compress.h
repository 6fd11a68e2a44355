/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * compress plugin internals: each codec family (zlib, LZO, LZ4) lives in its own
 * file and exposes one px_compress_ops plus setup/teardown of the state it
 * preallocates, so that compressing a packet never allocates memory.
 */
#ifndef PX_COMPRESS_INTERNAL_H
#define PX_COMPRESS_INTERNAL_H

#include "config.h"

#include <stdbool.h>

#include <plexus/plugin.h>

/* Largest packet a codec accepts (frames are at most PX_MTU today; this
 * leaves room for super-packets without touching the data path). */
#define COMPRESS_MAX_INPUT 65536u

/* The host table handed to init(), for logging from the codecs. */
extern const struct px_host *compress_host;

/* Log at PX_LOG_PACKET only when that level is enabled: the data path must
 * not format strings for every dropped packet. */
#define compress_debug(self, ...)                                                                            \
	do {                                                                                                 \
		if (compress_host && compress_host->log_level() >= PX_LOG_PACKET)                            \
			compress_host->log((self), PX_LOG_PACKET, __VA_ARGS__);                              \
	} while (0)

/* zlib levels 1-9 (zlib_codec.c). */
extern const struct px_compress_ops zlib_codec_ops;
int zlib_codec_init(px_plugin *self);
void zlib_codec_fini(void);
/* Whether level changes use deflateParams() (zlib >= 1.2.12) or set the
 * stream up anew; set by zlib_codec_init(), tests may flip it. */
extern bool zlib_params_after_reset;

/* LZO levels 10 (LZO1X-1) and 11 (LZO1X-999) (lzo_codec.c). */
extern const struct px_compress_ops lzo_codec_ops;
int lzo_codec_init(px_plugin *self);
void lzo_codec_fini(void);

#ifdef HAVE_LZ4
/* LZ4 block, level 12, tinc 1.1 only (lz4_codec.c; built with liblz4). */
extern const struct px_compress_ops lz4_codec_ops;
int lz4_codec_init(px_plugin *self);
void lz4_codec_fini(void);
#endif

#endif
