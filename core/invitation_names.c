/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Invitation names: key hash, cookie file name and the URL syntax
 * (docs/invitations.md).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "invitation_names.h"

void invitation_key_hash_raw(const char *pubkey_b64, uint8_t out[INVITATION_HASH_LEN]) {
	uint8_t h[crypto_hash_sha512_BYTES];

	crypto_hash_sha512(h, (const uint8_t *)pubkey_b64, strlen(pubkey_b64));
	memcpy(out, h, INVITATION_HASH_LEN);
}

void invitation_key_hash(const char *pubkey_b64, char out[INVITATION_B64_LEN + 1]) {
	uint8_t h[INVITATION_HASH_LEN];

	invitation_key_hash_raw(pubkey_b64, h);
	sptps_b64_encode(out, h, sizeof(h), true);
}

void invitation_file_name(const uint8_t cookie[INVITATION_COOKIE_LEN], const char *pubkey_b64,
                          char out[INVITATION_B64_LEN + 1]) {
	crypto_hash_sha512_state st;
	uint8_t h[crypto_hash_sha512_BYTES];

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, cookie, INVITATION_COOKIE_LEN);
	crypto_hash_sha512_update(&st, (const uint8_t *)pubkey_b64, strlen(pubkey_b64));
	crypto_hash_sha512_final(&st, h);
	sptps_b64_encode(out, h, INVITATION_HASH_LEN, true);
}

bool invitation_parse_url(const char *url, char **host, char **port, uint8_t hash[INVITATION_HASH_LEN],
                          uint8_t cookie[INVITATION_COOKIE_LEN]) {
	const char *slash = strchr(url, '/');
	const char *h, *hend, *p = NULL;

	*host = *port = NULL;
	if (!slash || strlen(slash + 1) != 2 * INVITATION_B64_LEN)
		return false;
	if (sptps_b64_decode(hash, INVITATION_HASH_LEN, slash + 1, INVITATION_B64_LEN) !=
	        INVITATION_HASH_LEN ||
	    sptps_b64_decode(cookie, INVITATION_COOKIE_LEN, slash + 1 + INVITATION_B64_LEN,
	                     INVITATION_B64_LEN) != INVITATION_COOKIE_LEN)
		return false;
	if (*url == '[') {
		h = url + 1;
		hend = memchr(h, ']', (size_t)(slash - h));
		if (!hend)
			return false;
		if (hend[1] == ':')
			p = hend + 2;
		else if (hend + 1 != slash)
			return false;
	} else {
		h = url;
		hend = memchr(h, ':', (size_t)(slash - h));
		if (hend)
			p = hend + 1;
		else
			hend = slash;
	}
	if (hend == h)
		return false;
	*host = strndup(h, (size_t)(hend - h));
	*port = p && p < slash ? strndup(p, (size_t)(slash - p)) : strdup("655");
	if (!*host || !*port) {
		free(*host);
		free(*port);
		*host = *port = NULL;
		return false;
	}
	return true;
}
