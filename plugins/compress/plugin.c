/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * compress plugin: registers tinc's compression levels with the core, one
 * registration per codec family (zlib 1-9, LZO 10-11 and, when built with
 * liblz4, LZ4 12). Without liblz4 level 12 stays unregistered, so the core
 * refuses Compression = 12 at start-up instead of using another level.
 */
#include <stddef.h>

#include "compress.h"

const struct px_host *compress_host;

static void codecs_fini(void) {
#ifdef HAVE_LZ4
	lz4_codec_fini();
#endif
	lzo_codec_fini();
	zlib_codec_fini();
}

static int compress_init(px_plugin *self, const struct px_host *host) {
	compress_host = host;
	if (zlib_codec_init(self) < 0)
		return -1;
	if (lzo_codec_init(self) < 0) {
		zlib_codec_fini();
		return -1;
	}
#ifdef HAVE_LZ4
	if (lz4_codec_init(self) < 0) {
		lzo_codec_fini();
		zlib_codec_fini();
		return -1;
	}
#endif
	if (host->register_compress(self, &zlib_codec_ops) < 0 ||
	    host->register_compress(self, &lzo_codec_ops) < 0) {
		codecs_fini();
		return -1;
	}
#ifdef HAVE_LZ4
	if (host->register_compress(self, &lz4_codec_ops) < 0) {
		codecs_fini();
		return -1;
	}
	host->log(self, PX_LOG_CONNECTIONS,
	          "compression levels %d-%d (zlib), %d-%d (LZO) and %d (LZ4) available", PX_COMPRESS_ZLIB_MIN,
	          PX_COMPRESS_ZLIB_MAX, PX_COMPRESS_LZO_FAST, PX_COMPRESS_LZO_BEST, PX_COMPRESS_LZ4);
#else
	host->log(self, PX_LOG_CONNECTIONS,
	          "compression levels %d-%d (zlib) and %d-%d (LZO) available; level %d (LZ4) not built in",
	          PX_COMPRESS_ZLIB_MIN, PX_COMPRESS_ZLIB_MAX, PX_COMPRESS_LZO_FAST, PX_COMPRESS_LZO_BEST,
	          PX_COMPRESS_LZ4);
#endif
	return 0;
}

static void compress_fini(px_plugin *self) {
	(void)self;
	codecs_fini();
	compress_host = NULL;
}

#ifdef HAVE_LZ4
#define COMPRESS_DESCRIPTION                                                                                 \
	"data channel compression: zlib (levels 1-9), LZO (levels 10-11) and LZ4 (level 12)"
#else
#define COMPRESS_DESCRIPTION "data channel compression: zlib (levels 1-9) and LZO (levels 10-11)"
#endif

PX_PLUGIN_DEFINE(compress, .name = "compress", .version = "0.1.0", .description = COMPRESS_DESCRIPTION,
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = compress_init,
                 .fini = compress_fini);
