/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * compress plugin: loaded through a fake host table, then every level is
 * checked for round trips, byte-exact output against the zlib and LZO
 * libraries (what tinc sends), the outcap bound, and refusal of corrupt,
 * oversize and decompression-bomb input. Level 12 (LZ4) is covered when
 * the plugin is built with liblz4, and must be absent when it is not.
 * store() (streams that skip the compressor) must decode with the
 * libraries' own decompressors, and the core's per-peer back-off
 * (core/compress_backoff.c, compiled in) must stop running the compressor on
 * incompressible packets and resume it on compressible ones.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <zlib.h>

#include "check.h"
#include "compress_backoff.h"
#include "../../plugins/compress/compress.h"

#ifdef HAVE_LZ4
#include <lz4.h>
#define TOP_LEVEL PX_COMPRESS_LZ4 /* levels 1..TOP_LEVEL are provided */
#define N_CODECS  3
#else
#define TOP_LEVEL PX_COMPRESS_LZO_BEST
#define N_CODECS  2
#endif

extern const struct px_plugin_desc compress_LTX_plexus_plugin;

struct px_plugin {
	int dummy;
};
static struct px_plugin the_plugin;

#define MAX_REG 8
static const struct px_compress_ops *registered[MAX_REG];
static int nregistered;
static int refuse_registration; /* make register_compress fail from the n-th call */
static int nlogs;

static void fake_log(px_plugin *self, int level, const char *fmt, ...) {
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	nlogs++;
	fprintf(stderr, "  [plugin log %d] %s\n", level, line);
}

static int fake_log_level(void) {
	return 1; /* the data path must stay quiet at this level */
}

static int fake_register_compress(px_plugin *self, const struct px_compress_ops *ops) {
	if (self != &the_plugin || nregistered >= MAX_REG)
		return -1;
	if (refuse_registration && nregistered + 1 >= refuse_registration)
		return -1;
	registered[nregistered++] = ops;
	return 0;
}

static const struct px_host fake_host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,
    .log = fake_log,
    .log_level = fake_log_level,
    .register_compress = fake_register_compress,
};

static const struct px_compress_ops *ops_for(int level) {
	for (int i = 0; i < nregistered; i++)
		if (level >= registered[i]->level_min && level <= registered[i]->level_max)
			return registered[i];
	return NULL;
}

static int do_compress(int level, const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap) {
	const struct px_compress_ops *o = ops_for(level);
	return o ? o->compress(&the_plugin, level, in, inlen, out, outcap) : -2;
}

static int do_decompress(int level, const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap) {
	const struct px_compress_ops *o = ops_for(level);
	return o ? o->decompress(&the_plugin, level, in, inlen, out, outcap) : -2;
}

/* Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) {
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static void random_fill(uint8_t *p, size_t n) {
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

/* An Ethernet frame carrying repetitive text: compresses well. */
static void text_fill(uint8_t *p, size_t n) {
	static const char words[] = "GET /index.html HTTP/1.1\r\nHost: example.invalid\r\nAccept: */*\r\n";
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)words[i % (sizeof(words) - 1)];
	if (n >= 14) {
		memset(p, 0x02, 12);
		p[12] = 0x08;
		p[13] = 0x00;
	}
}

#define BIG    4096
#define CANARY 0xA5

struct payload {
	const char *name;
	uint8_t data[PX_MTU];
	size_t len;
};
static struct payload payloads[5];
static int npayloads;

static void setup_payloads(void) {
	struct payload *p = payloads;
	p->name = "empty";
	p->len = 0;
	p++;
	p->name = "tiny";
	memcpy(p->data, "hello", 5);
	p->len = 5;
	p++;
	p->name = "one byte";
	p->data[0] = 0;
	p->len = 1;
	p++;
	p->name = "MTU text";
	text_fill(p->data, PX_MTU);
	p->len = PX_MTU;
	p++;
	p->name = "MTU random";
	random_fill(p->data, PX_MTU);
	p->len = PX_MTU;
	p++;
	npayloads = (int)(p - payloads);
}

/* What the libraries themselves produce at a level: the bytes tinc sends. */
static int reference_compress(int level, const uint8_t *in, size_t inlen, uint8_t *out, size_t outcap) {
	if (level <= PX_COMPRESS_ZLIB_MAX) {
		uLongf dl = outcap;
		if (compress2(out, &dl, in, inlen, level) != Z_OK)
			return -1;
		return (int)dl;
	}
#ifdef HAVE_LZ4
	if (level == PX_COMPRESS_LZ4) {
		int n = LZ4_compress_fast((const char *)in, (char *)out, (int)inlen, (int)outcap, 1);
		return n > 0 ? n : -1;
	}
#endif
	static uint8_t wrk[LZO1X_999_MEM_COMPRESS];
	lzo_uint dl = outcap;
	int rc = level == PX_COMPRESS_LZO_FAST ? lzo1x_1_compress(in, inlen, out, &dl, wrk)
	                                       : lzo1x_999_compress(in, inlen, out, &dl, wrk);
	return rc == LZO_E_OK ? (int)dl : -1;
}

static void test_load(void) {
	const struct px_plugin_desc *d = &compress_LTX_plexus_plugin;
	CHECK(d->size == sizeof(struct px_plugin_desc));
	CHECK(d->abi_major == PX_ABI_MAJOR);
	CHECK_STR(d->name, "compress");
	CHECK(d->init && d->fini);
	CHECK(d->init(&the_plugin, &fake_host) == 0);
	CHECK(nregistered == N_CODECS);
	for (int i = 0; i < nregistered; i++)
		CHECK(registered[i]->size == sizeof(struct px_compress_ops));
	CHECK(ops_for(0) == NULL);
	CHECK(ops_for(TOP_LEVEL + 1) == NULL);
	for (int level = 1; level <= TOP_LEVEL; level++)
		CHECK(ops_for(level) != NULL);
#ifdef HAVE_LZ4
	CHECK_STR(ops_for(PX_COMPRESS_LZ4)->name, "lz4");
#else
	CHECK(ops_for(PX_COMPRESS_LZ4) == NULL); /* refused at start-up by the core */
#endif
	CHECK_STR(ops_for(1)->name, "zlib");
	CHECK(ops_for(1) == ops_for(9));
	CHECK_STR(ops_for(10)->name, "lzo");
	CHECK(ops_for(10) == ops_for(11));
	CHECK(ops_for(9) != ops_for(10));
}

/* Every level, every payload: round trip, byte-exact against the library,
 * output within outcap. */
static void test_round_trips(void) {
	uint8_t out[BIG], ref[BIG], back[BIG];
	for (int level = 1; level <= TOP_LEVEL; level++) {
		for (int i = 0; i < npayloads; i++) {
			const struct payload *p = &payloads[i];
			memset(out, CANARY, sizeof(out));
			int n = do_compress(level, p->data, p->len, out, 2000);
			int r = reference_compress(level, p->data, p->len, ref, sizeof(ref));
			if (n < 0 || n != r || memcmp(out, ref, (size_t)n)) {
				fprintf(stderr, "level %d %s: got %d bytes, library %d\n", level, p->name, n,
				        r);
				CHECK(!"compressed output matches the library");
				continue;
			}
			CHECK(out[n] == CANARY);
			memset(back, CANARY, sizeof(back));
			int m = do_decompress(level, out, (size_t)n, back, PX_MTU);
			CHECK(m == (int)p->len);
			CHECK(m < 0 || !memcmp(back, p->data, p->len));
			CHECK(back[PX_MTU] == CANARY);
			/* exactly enough room works, one byte less does not */
			if (p->len) {
				CHECK(do_decompress(level, out, (size_t)n, back, p->len) == (int)p->len);
				CHECK(do_decompress(level, out, (size_t)n, back, p->len - 1) == -1);
			}
			/* compressed text must shrink, random data may not */
			if (!strcmp(p->name, "MTU text"))
				CHECK(n < (int)p->len / 4);
		}
	}
}

/* Fixed vectors, independent of the library at hand. */
static void test_known_vectors(void) {
	static const uint8_t zlib_hello6[] = {0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9,
	                                      0x07, 0x00, 0x06, 0x2c, 0x02, 0x15};
	static const uint8_t zlib_empty1[] = {0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
	/* LZO1X: one literal run (17 + 5), then the end-of-stream marker. */
	static const uint8_t lzo_hello[] = {0x16, 'h', 'e', 'l', 'l', 'o', 0x11, 0x00, 0x00};
	static const uint8_t lzo_empty[] = {0x11, 0x00, 0x00};
	uint8_t out[64];
	int n = do_compress(6, (const uint8_t *)"hello", 5, out, sizeof(out));
	CHECK(n == (int)sizeof(zlib_hello6) && !memcmp(out, zlib_hello6, sizeof(zlib_hello6)));
	n = do_compress(1, NULL, 0, out, sizeof(out));
	CHECK(n == (int)sizeof(zlib_empty1) && !memcmp(out, zlib_empty1, sizeof(zlib_empty1)));
	for (int level = 10; level <= 11; level++) {
		n = do_compress(level, (const uint8_t *)"hello", 5, out, sizeof(out));
		CHECK(n == (int)sizeof(lzo_hello) && !memcmp(out, lzo_hello, sizeof(lzo_hello)));
		n = do_compress(level, NULL, 0, out, sizeof(out));
		CHECK(n == (int)sizeof(lzo_empty) && !memcmp(out, lzo_empty, sizeof(lzo_empty)));
	}
	n = do_decompress(3, zlib_hello6, sizeof(zlib_hello6), out, sizeof(out));
	CHECK(n == 5 && !memcmp(out, "hello", 5));
	n = do_decompress(11, lzo_hello, sizeof(lzo_hello), out, sizeof(out));
	CHECK(n == 5 && !memcmp(out, "hello", 5));
	CHECK(do_decompress(10, lzo_empty, sizeof(lzo_empty), out, sizeof(out)) == 0);
	CHECK(do_decompress(9, zlib_empty1, sizeof(zlib_empty1), out, sizeof(out)) == 0);
}

/* The preallocated deflate stream switches levels between packets: the
 * output must still match compress2() at each level. */
static void test_level_switching(void) {
	static const int seq[] = {1, 9, 4, 1, 6, 6, 3, 9, 2, 10, 5, 11, 7, 8, 1};
	uint8_t out[BIG], ref[BIG];
	const struct payload *p = &payloads[3];
	bool params = zlib_params_after_reset;
	CHECK(params); /* zlib >= 1.2.12 here */
	/* both ways of switching: deflateParams(), and a new stream (old zlib) */
	for (int pass = 0; pass < 2; pass++) {
		zlib_params_after_reset = pass == 0 ? params : false;
		for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
			int n = do_compress(seq[i], p->data, p->len, out, sizeof(out));
			int r = reference_compress(seq[i], p->data, p->len, ref, sizeof(ref));
			CHECK(n > 0 && n == r && !memcmp(out, ref, (size_t)n));
		}
	}
	zlib_params_after_reset = params;
}

/* The output never goes past outcap, also when it does not fit. */
static void test_outcap(void) {
	uint8_t out[BIG];
	for (int level = 1; level <= TOP_LEVEL; level++) {
		for (int i = 0; i < npayloads; i++) {
			const struct payload *p = &payloads[i];
			int full = do_compress(level, p->data, p->len, out, sizeof(out));
			CHECK(full > 0);
			if (full <= 0)
				continue;
			memset(out, CANARY, sizeof(out));
			CHECK(do_compress(level, p->data, p->len, out, (size_t)full) == full);
			CHECK(out[full] == CANARY);
			memset(out, CANARY, sizeof(out));
			CHECK(do_compress(level, p->data, p->len, out, (size_t)full - 1) == -1);
			for (size_t k = (size_t)full - 1; k < sizeof(out); k++)
				if (out[k] != CANARY) {
					CHECK(!"compress wrote beyond outcap");
					break;
				}
			CHECK(do_compress(level, p->data, p->len, out, 0) == -1);
		}
	}
}

static void test_corrupt(void) {
	uint8_t comp[BIG], bad[BIG], out[BIG];
	const struct payload *p = &payloads[3];
	for (int level = 1; level <= TOP_LEVEL; level++) {
		int n = do_compress(level, p->data, p->len, comp, sizeof(comp));
		CHECK(n > 8);
		if (n <= 8)
			continue;
		/* empty, truncated, trailing garbage */
		CHECK(do_decompress(level, comp, 0, out, PX_MTU) == -1);
		CHECK(do_decompress(level, comp, (size_t)n - 1, out, PX_MTU) == -1);
		CHECK(do_decompress(level, comp, (size_t)n / 2, out, PX_MTU) == -1);
		memcpy(bad, comp, (size_t)n);
		bad[n] = 0x00;
		CHECK(do_decompress(level, bad, (size_t)n + 1, out, PX_MTU) == -1);
		if (level <= PX_COMPRESS_ZLIB_MAX) {
			/* broken header, broken checksum */
			memcpy(bad, comp, (size_t)n);
			bad[0] ^= 0x01;
			CHECK(do_decompress(level, bad, (size_t)n, out, PX_MTU) == -1);
			memcpy(bad, comp, (size_t)n);
			bad[n - 1] ^= 0x80;
			CHECK(do_decompress(level, bad, (size_t)n, out, PX_MTU) == -1);
		}
		/* random bit flips: refused or, by chance, some output; never more
		 * than outcap (ASan watches the reads) */
		for (int k = 0; k < 200; k++) {
			memcpy(bad, comp, (size_t)n);
			bad[rng() % (uint64_t)n] ^= (uint8_t)(1u << (rng() % 8));
			memset(out, CANARY, sizeof(out));
			int m = do_decompress(level, bad, (size_t)n, out, PX_MTU);
			CHECK(m >= -1 && m <= PX_MTU);
			CHECK(out[PX_MTU] == CANARY);
		}
		/* pure noise */
		for (int k = 0; k < 200; k++) {
			size_t len = 1 + (size_t)(rng() % 1600);
			random_fill(bad, len);
			int m = do_decompress(level, bad, len, out, PX_MTU);
			CHECK(m >= -1 && m <= PX_MTU);
		}
	}
	/* levels the codecs do not own */
	CHECK(zlib_codec_ops.compress(&the_plugin, 0, p->data, 10, comp, sizeof(comp)) == -1);
	CHECK(zlib_codec_ops.compress(&the_plugin, 10, p->data, 10, comp, sizeof(comp)) == -1);
	CHECK(lzo_codec_ops.compress(&the_plugin, 9, p->data, 10, comp, sizeof(comp)) == -1);
	CHECK(lzo_codec_ops.decompress(&the_plugin, 12, comp, 10, out, sizeof(out)) == -1);
	CHECK(zlib_codec_ops.decompress(&the_plugin, 12, comp, 10, out, sizeof(out)) == -1);
}

/* Small inputs that expand far beyond the MTU are refused, and nothing is
 * written past outcap while finding out. */
static void test_bombs(void) {
	static uint8_t zeros[COMPRESS_MAX_INPUT + 1];
	static uint8_t bomb[BIG * 4], out[BIG];
	for (int level = 1; level <= TOP_LEVEL; level++) {
		int n = reference_compress(level, zeros, COMPRESS_MAX_INPUT, bomb, sizeof(bomb));
		CHECK(n > 0 && n < 1024);
		memset(out, CANARY, sizeof(out));
		CHECK(do_decompress(level, bomb, (size_t)n, out, PX_MTU) == -1);
		CHECK(out[PX_MTU] == CANARY);
		/* a frame of exactly the MTU is fine, one byte more is a bomb */
		n = reference_compress(level, zeros, PX_MTU + 1, bomb, sizeof(bomb));
		CHECK(do_decompress(level, bomb, (size_t)n, out, PX_MTU) == -1);
		CHECK(do_decompress(level, bomb, (size_t)n, out, PX_MTU + 1) == PX_MTU + 1);
	}
	/* a zlib bomb of 1 MB of zeros in about a kilobyte */
	uLongf dl = sizeof(bomb);
	static uint8_t megabyte[1 << 20];
	CHECK(compress2(bomb, &dl, megabyte, sizeof(megabyte), 9) == Z_OK);
	CHECK(dl < 2048);
	CHECK(do_decompress(9, bomb, dl, out, PX_MTU) == -1);
	/* inputs beyond the largest packet are refused outright */
	CHECK(do_compress(1, zeros, COMPRESS_MAX_INPUT + 1, bomb, sizeof(bomb)) == -1);
	CHECK(do_compress(10, zeros, COMPRESS_MAX_INPUT + 1, bomb, sizeof(bomb)) == -1);
}

/* Random lengths and mixtures of text and noise, all levels. */
static void test_random_round_trips(void) {
	uint8_t in[PX_MTU], comp[BIG], out[BIG];
	for (int k = 0; k < 600; k++) {
		int level = 1 + (int)(rng() % TOP_LEVEL);
		size_t len = (size_t)(rng() % (PX_MTU + 1));
		text_fill(in, len);
		size_t noise = len ? (size_t)(rng() % (len + 1)) : 0;
		random_fill(in + len - noise, noise);
		int n = do_compress(level, in, len, comp, 2000);
		CHECK(n > 0);
		if (n <= 0)
			continue;
		int m = do_decompress(level, comp, (size_t)n, out, PX_MTU);
		CHECK(m == (int)len && !memcmp(in, out, len));
	}
}

/* The data path logs nothing at the default debug level. */
static void test_quiet(void) {
	uint8_t out[BIG];
	int before = nlogs;
	for (int level = 1; level <= TOP_LEVEL; level++)
		CHECK(do_decompress(level, (const uint8_t *)"garbage!", 8, out, PX_MTU) == -1);
	CHECK(nlogs == before);
}

/* init unwinds when the core refuses a registration; fini + init again. */
static void test_reinit(void) {
	const struct px_plugin_desc *d = &compress_LTX_plexus_plugin;
	d->fini(&the_plugin);
	nregistered = 0;
	refuse_registration = 2;
	CHECK(d->init(&the_plugin, &fake_host) == -1);
	refuse_registration = 0;
	nregistered = 0;
	CHECK(d->init(&the_plugin, &fake_host) == 0);
	CHECK(nregistered == N_CODECS);
	uint8_t comp[64], out[64];
	int n = do_compress(10, (const uint8_t *)"again", 5, comp, sizeof(comp));
	CHECK(n > 0 && do_decompress(10, comp, (size_t)n, out, sizeof(out)) == 5);
	d->fini(&the_plugin);
	d->fini(&the_plugin); /* harmless twice */
	CHECK(zlib_codec_ops.compress(&the_plugin, 1, comp, 5, out, sizeof(out)) == -1);
	CHECK(lzo_codec_ops.compress(&the_plugin, 10, comp, 5, out, sizeof(out)) == -1);
#ifdef HAVE_LZ4
	CHECK(lz4_codec_ops.compress(&the_plugin, 12, comp, 5, out, sizeof(out)) == -1);
	CHECK(lz4_codec_ops.decompress(&the_plugin, 12, comp, 5, out, sizeof(out)) == -1);
#endif
}

#ifdef HAVE_LZ4
/* LZ4 specifics: the raw block tinc 1.1 sends (no frame magic, no length
 * prefix), incompressible input refused rather than expanded, and blocks
 * whose offsets or lengths point outside the buffers refused. */
static void test_lz4(void) {
	/* one sequence of five literals and no match: token 0x50 */
	static const uint8_t lz4_hello[] = {0x50, 'h', 'e', 'l', 'l', 'o'};
	static const uint8_t lz4_empty[] = {0x00};
	uint8_t out[BIG], comp[BIG];
	int n = do_compress(12, (const uint8_t *)"hello", 5, out, sizeof(out));
	CHECK(n == (int)sizeof(lz4_hello) && !memcmp(out, lz4_hello, sizeof(lz4_hello)));
	n = do_compress(12, NULL, 0, out, sizeof(out));
	CHECK(n == (int)sizeof(lz4_empty) && !memcmp(out, lz4_empty, sizeof(lz4_empty)));
	CHECK(do_decompress(12, lz4_hello, sizeof(lz4_hello), out, sizeof(out)) == 5 &&
	      !memcmp(out, "hello", 5));
	CHECK(do_decompress(12, lz4_empty, sizeof(lz4_empty), out, sizeof(out)) == 0);
	/* not the LZ4 frame format: the frame magic is no valid block */
	static const uint8_t frame_magic[] = {0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7};
	CHECK(do_decompress(12, frame_magic, sizeof(frame_magic), out, sizeof(out)) == -1);

	/* incompressible: with room for only the input it does not fit */
	const struct payload *rnd = &payloads[4];
	CHECK(do_compress(12, rnd->data, rnd->len, comp, rnd->len) == -1);
	n = do_compress(12, rnd->data, rnd->len, comp, sizeof(comp));
	CHECK(n > (int)rnd->len && n <= LZ4_compressBound((int)rnd->len));
	CHECK(do_decompress(12, comp, (size_t)n, out, PX_MTU) == (int)rnd->len &&
	      !memcmp(out, rnd->data, rnd->len));

	/* a match whose offset reaches before the start of the output */
	static const uint8_t bad_offset[] = {0x14, 'a', 0x10, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'};
	memset(out, CANARY, sizeof(out));
	CHECK(do_decompress(12, bad_offset, sizeof(bad_offset), out, PX_MTU) == -1);
	/* a zero offset (invalid, but liblz4 reads it as a copy of the output
	 * written so far): whatever comes out stays inside the buffer */
	static const uint8_t zero_offset[] = {0x14, 'a', 0x00, 0x00, 0x50, 'a', 'b', 'c', 'd', 'e'};
	n = do_decompress(12, zero_offset, sizeof(zero_offset), out, PX_MTU);
	CHECK(n >= -1 && n <= PX_MTU);
	/* a literal run claiming far more bytes than the packet holds */
	static const uint8_t long_literals[] = {0xf0, 0xff, 0xff, 0xff, 0x10, 'x'};
	CHECK(do_decompress(12, long_literals, sizeof(long_literals), out, PX_MTU) == -1);
	CHECK(out[PX_MTU] == CANARY);
}
#endif

/* store(): every size class of both length encodings (LZO: one byte up to
 * 238, then base-255 continuations; zlib: 65535-byte blocks) decodes with
 * the library's decompressor, and too small an outcap is refused. */
static void test_store(void) {
	static const size_t sizes[] = {0,   1,    2,    3,    4,     17,    18,   19,  20,
	                               237, 238,  239,  240,  255,   256,   272,  273, 274,
	                               511, 1500, 1518, 9000, 65534, 65535, 65536};
	static uint8_t in[COMPRESS_MAX_INPUT], out[COMPRESS_MAX_INPUT + 1024], back[COMPRESS_MAX_INPUT];
	for (int level = 1; level <= PX_COMPRESS_LZO_BEST; level++) {
		const struct px_compress_ops *o = ops_for(level);
		CHECK(o && o->store);
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i];
			random_fill(in, n);
			int len = o->store(&the_plugin, level, in, n, out, sizeof(out));
			CHECK(len >= (int)n);
			if (len < (int)n)
				continue;
			if (level <= PX_COMPRESS_ZLIB_MAX) {
				uLongf backlen = sizeof(back);
				CHECK(uncompress(back, &backlen, out, (uLong)len) == Z_OK);
				CHECK(backlen == n && memcmp(back, in, n) == 0);
			} else {
				lzo_uint backlen = sizeof(back);
				CHECK(lzo1x_decompress_safe(out, (lzo_uint)len, back, &backlen, NULL) ==
				      LZO_E_OK);
				CHECK(backlen == n && memcmp(back, in, n) == 0);
			}
			/* the plugin's decoder takes packets up to COMPRESS_MAX_INPUT */
			if ((size_t)len <= COMPRESS_MAX_INPUT) {
				int dlen =
				    o->decompress(&the_plugin, level, out, (size_t)len, back, sizeof(back));
				CHECK(dlen == (int)n && memcmp(back, in, n) == 0);
			}
			/* one byte short of what it needs: refused, nothing written beyond */
			memset(out, CANARY, sizeof(out));
			CHECK(o->store(&the_plugin, level, in, n, out, (size_t)len - 1) == -1);
			CHECK(out[len - 1] == CANARY);
		}
		/* A random MTU-sized frame: what deflate itself emits (stored blocks). */
		if (level <= PX_COMPRESS_ZLIB_MAX) {
			random_fill(in, 1500);
			uLongf reflen = sizeof(back);
			CHECK(compress2(back, &reflen, in, 1500, level) == Z_OK);
			int len = o->store(&the_plugin, level, in, 1500, out, sizeof(out));
			CHECK(len == (int)reflen && memcmp(out, back, 2) == 0);
		}
	}
#ifdef HAVE_LZ4
	/* LZ4 exists only for SPTPS peers, whose records flag uncompressed packets. */
	CHECK(ops_for(PX_COMPRESS_LZ4)->store == NULL);
#endif
}

/* Wraps a codec's compress() to count how often the compressor runs. */
static const struct px_compress_ops *counted;
static int ncompress_calls;
static int counting_compress(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                             size_t outcap) {
	ncompress_calls++;
	return counted->compress(self, level, in, inlen, out, outcap);
}

/* One packet through the back-off; checks that what comes out decodes to
 * the input. Returns how it was encoded. */
static enum compress_how backoff_packet(struct compress_backoff *s, const struct px_compress_ops *o,
                                        int level, bool raw_ok, bool learn, const uint8_t *in, size_t n) {
	static uint8_t out[PX_MTU + 256], back[PX_MTU];
	enum compress_how how = COMPRESS_RAW;
	int len = compress_for_peer(s, o, &the_plugin, level, raw_ok, learn, in, n, out, sizeof(out), &how);
	CHECK(len >= 0);
	if (len < 0)
		return how;
	if (how == COMPRESS_RAW) {
		CHECK(raw_ok && len == (int)n && memcmp(out, in, n) == 0);
	} else {
		CHECK(!raw_ok || how == COMPRESS_COMPRESSED);
		int dlen = o->decompress(&the_plugin, level, out, (size_t)len, back, sizeof(back));
		CHECK(dlen == (int)n && memcmp(back, in, n) == 0);
	}
	return how;
}

static void backoff_case(int level, bool raw_ok) {
	struct px_compress_ops wrapped = *ops_for(level);
	counted = ops_for(level);
	wrapped.compress = counting_compress;
	struct compress_backoff s = {0};
	uint8_t pkt[1400];
	enum compress_how skipped = raw_ok ? COMPRESS_RAW : COMPRESS_STORED;

	/* Incompressible: the compressor runs for the first MISSES packets... */
	ncompress_calls = 0;
	for (int i = 0; i < COMPRESS_BACKOFF_MISSES; i++) {
		random_fill(pkt, sizeof(pkt));
		backoff_packet(&s, &wrapped, level, raw_ok, true, pkt, sizeof(pkt));
	}
	CHECK(ncompress_calls == COMPRESS_BACKOFF_MISSES);
	/* ...then not for the next COMPRESS_BACKOFF_MIN. */
	for (int i = 0; i < COMPRESS_BACKOFF_MIN; i++) {
		random_fill(pkt, sizeof(pkt));
		CHECK(backoff_packet(&s, &wrapped, level, raw_ok, true, pkt, sizeof(pkt)) == skipped);
	}
	CHECK(ncompress_calls == COMPRESS_BACKOFF_MISSES);
	/* Probes do not learn and are always compressed (legacy) or tried. */
	random_fill(pkt, sizeof(pkt));
	backoff_packet(&s, &wrapped, level, raw_ok, false, pkt, sizeof(pkt));
	CHECK(ncompress_calls == COMPRESS_BACKOFF_MISSES + 1);
	/* A long run: one try per (doubling) pause. */
	ncompress_calls = 0;
	for (int i = 0; i < 20000; i++) {
		random_fill(pkt, sizeof(pkt));
		backoff_packet(&s, &wrapped, level, raw_ok, true, pkt, sizeof(pkt));
	}
	CHECK(ncompress_calls >= 20000 / (COMPRESS_BACKOFF_MAX + 1) &&
	      ncompress_calls <= 20000 / COMPRESS_BACKOFF_MAX + 8);

	/* Compressible again: compressed within the longest pause, then always. */
	ncompress_calls = 0;
	int first = -1;
	for (int i = 0; i <= COMPRESS_BACKOFF_MAX && first < 0; i++) {
		text_fill(pkt, sizeof(pkt));
		pkt[20] = (uint8_t)i;
		if (backoff_packet(&s, &wrapped, level, raw_ok, true, pkt, sizeof(pkt)) ==
		    COMPRESS_COMPRESSED)
			first = i;
	}
	CHECK(first >= 0 && ncompress_calls == 1);
	for (int i = 0; i < 200; i++) {
		text_fill(pkt, sizeof(pkt));
		pkt[20] = (uint8_t)i;
		CHECK(backoff_packet(&s, &wrapped, level, raw_ok, true, pkt, sizeof(pkt)) ==
		      COMPRESS_COMPRESSED);
	}
	CHECK(ncompress_calls == 201);
	/* A few incompressible packets among compressible ones do not pause it. */
	for (int i = 0; i < 100; i++) {
		if (i % 4 == 0)
			random_fill(pkt, sizeof(pkt));
		else
			text_fill(pkt, sizeof(pkt));
		backoff_packet(&s, &wrapped, level, raw_ok, true, pkt, sizeof(pkt));
	}
	CHECK(ncompress_calls == 301);
}

static void test_backoff(void) {
	backoff_case(1, false); /* tinc 1.0: stored zlib streams */
	backoff_case(9, false);
	backoff_case(PX_COMPRESS_LZO_FAST, false); /* literal-only LZO streams */
	backoff_case(PX_COMPRESS_LZO_BEST, false);
	backoff_case(6, true); /* SPTPS: the record says "uncompressed" */
#ifdef HAVE_LZ4
	backoff_case(PX_COMPRESS_LZ4, true);
#endif
}

int main(void) {
	setup_payloads();
	test_load();
	test_round_trips();
	test_known_vectors();
	test_level_switching();
	test_outcap();
	test_corrupt();
	test_bombs();
	test_random_round_trips();
	test_quiet();
	test_store();
	test_backoff();
#ifdef HAVE_LZ4
	test_lz4();
#endif
	test_reinit();
	return check_done("compress_test");
}
