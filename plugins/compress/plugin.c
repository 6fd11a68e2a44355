/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * compress plugin: registers tinc's compression levels with the core, one
 * registration per codec family (zlib 1-9, LZO 10-11). A further codec
 * (say LZ4, level 12) is one more registration, here or in another plugin.
 */
#include <stddef.h>

#include "compress.h"

const struct px_host *compress_host;

static int compress_init(px_plugin *self, const struct px_host *host) {
	compress_host = host;
	if (zlib_codec_init(self) < 0)
		return -1;
	if (lzo_codec_init(self) < 0) {
		zlib_codec_fini();
		return -1;
	}
	if (host->register_compress(self, &zlib_codec_ops) < 0 ||
	    host->register_compress(self, &lzo_codec_ops) < 0) {
		lzo_codec_fini();
		zlib_codec_fini();
		return -1;
	}
	host->log(self, PX_LOG_CONNECTIONS, "compression levels %d-%d (zlib) and %d-%d (LZO) available",
	          PX_COMPRESS_ZLIB_MIN, PX_COMPRESS_ZLIB_MAX, PX_COMPRESS_LZO_FAST, PX_COMPRESS_LZO_BEST);
	return 0;
}

static void compress_fini(px_plugin *self) {
	(void)self;
	lzo_codec_fini();
	zlib_codec_fini();
	compress_host = NULL;
}

PX_PLUGIN_DEFINE(compress, .name = "compress", .version = "0.1.0",
                 .description = "data channel compression: zlib (levels 1-9) and LZO (levels 10-11)",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = compress_init,
                 .fini = compress_fini);
