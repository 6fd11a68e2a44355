# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# compress: tinc's data channel compression levels (zlib 1-9, LZO 10-11, LZ4 12).
COMPRESS_SOURCES = \
	plugins/compress/compress.h \
	plugins/compress/plugin.c \
	plugins/compress/zlib_codec.c \
	plugins/compress/lzo_codec.c
if HAVE_LZ4
COMPRESS_SOURCES += plugins/compress/lz4_codec.c
endif
if ENABLE_COMPRESS
pkglib_LTLIBRARIES += plugins/compress/compress.la
plugins_compress_compress_la_SOURCES = $(COMPRESS_SOURCES)
plugins_compress_compress_la_CPPFLAGS = -I$(top_srcdir)/sdk $(ZLIB_CFLAGS) $(LZO_CFLAGS) $(LZ4_CFLAGS)
plugins_compress_compress_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_compress_compress_la_LIBADD = $(ZLIB_LIBS) $(LZO_LIBS) $(LZ4_LIBS)
endif
