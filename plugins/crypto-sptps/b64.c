/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* tinc's little-endian, unpadded base64 (see b64.h). */
#include "b64.h"

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t sptps_b64_encode(char *dst, const void *src, size_t len, bool urlsafe) {
	const char *alphabet = urlsafe ? b64_url : b64_std;
	const uint8_t *in = src;
	size_t out = 0;

	for (size_t i = 0; i < len; i += 3) {
		size_t group = len - i < 3 ? len - i : 3;
		uint32_t bits = in[i];

		if (group > 1) {
			bits |= (uint32_t)in[i + 1] << 8;
		}

		if (group > 2) {
			bits |= (uint32_t)in[i + 2] << 16;
		}

		/* n bytes carry 8n bits: 2, 3 or 4 characters. */
		for (size_t c = 0; c < group + 1; c++) {
			dst[out++] = alphabet[(bits >> (6 * c)) & 63];
		}
	}

	dst[out] = 0;
	return out;
}

/* Value of one base64 character in either alphabet, or -1. */
static int b64_value(char c) {
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}

	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}

	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}

	if (c == '+' || c == '-') {
		return 62;
	}

	if (c == '/' || c == '_') {
		return 63;
	}

	return -1;
}

ssize_t sptps_b64_decode(void *dst, size_t dstcap, const char *src, size_t srclen) {
	uint8_t *out = dst;
	size_t n = 0;

	if (srclen % 4 == 1) {
		return -1; /* six bits cannot make a byte */
	}

	for (size_t i = 0; i < srclen; i += 4) {
		size_t chars = srclen - i < 4 ? srclen - i : 4;
		uint32_t bits = 0;

		for (size_t c = 0; c < chars; c++) {
			int v = b64_value(src[i + c]);

			if (v < 0) {
				return -1;
			}

			bits |= (uint32_t)v << (6 * c);
		}

		/* 4 characters give 3 bytes, 3 give 2, 2 give 1. */
		for (size_t b = 0; b < chars - 1; b++) {
			if (n >= dstcap) {
				return -1;
			}

			out[n++] = (bits >> (8 * b)) & 0xff;
		}
	}

	return (ssize_t)n;
}
