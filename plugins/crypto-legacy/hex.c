/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Hex fields of legacy requests: written in uppercase, read in either case.
 */
#include "legacy.h"

void legacy_hex_encode(const uint8_t *in, size_t len, char *out) {
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int hex_value(char c) {
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int legacy_hex_decode(const char *in, size_t len, uint8_t *out, size_t outcap) {
	if (len % 2 || len / 2 > outcap)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_value(in[2 * i]);
		int lo = hex_value(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(len / 2);
}
