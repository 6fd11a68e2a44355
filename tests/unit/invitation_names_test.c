/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Invitation names against tinc 1.1's output (tests/data/tinc11-invite):
 * the key hash in the URL, the invitation file name derived from the
 * cookie, and the URL syntax.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "invitation_names.h"
#include "keys.h"

#define KAT_URL  "192.0.2.1:655/c7cyma2CTkFptGrO7AYEKx8NpK_erpT8VBv4ti_OcvHCfAmQ"
#define KAT_FILE "mTSMdeQ1EPANM8SboH9PrAYa"

static bool parses(const char *url, const char *host, const char *port) {
	uint8_t h[INVITATION_HASH_LEN], c[INVITATION_COOKIE_LEN];
	char *gh, *gp;
	bool ok = invitation_parse_url(url, &gh, &gp, h, c);

	if (ok && host)
		ok = !strcmp(gh, host) && !strcmp(gp, port);
	if (gh) {
		free(gh);
		free(gp);
	}
	return ok;
}

int main(void) {
	struct sptps_key k;
	char pub[SPTPS_PUBKEY_B64_LEN + 1], hash[INVITATION_B64_LEN + 1], file[INVITATION_B64_LEN + 1];
	uint8_t rawhash[INVITATION_HASH_LEN], cookie[INVITATION_COOKIE_LEN], urlhash[INVITATION_HASH_LEN];
	char *host, *port;

	CHECK(sodium_init() >= 0);
	CHECK(sptps_key_load_private_file(&k, INVITE_KAT_DIR "/ed25519_key.priv", NULL));
	sptps_key_public_b64(&k, pub);

	/* the URL's first 24 characters: hash of the invitation key */
	invitation_key_hash(pub, hash);
	CHECK(!strncmp(hash, strchr(KAT_URL, '/') + 1, INVITATION_B64_LEN));
	invitation_key_hash_raw(pub, rawhash);

	CHECK(invitation_parse_url(KAT_URL, &host, &port, urlhash, cookie));
	CHECK_STR(host, "192.0.2.1");
	CHECK_STR(port, "655");
	CHECK(!memcmp(urlhash, rawhash, sizeof(rawhash)));
	free(host);
	free(port);

	/* the file tinc wrote is named after the cookie and the key */
	invitation_file_name(cookie, pub, file);
	CHECK_STR(file, KAT_FILE);

	/* URL syntax as tinc's join reads it */
	const char *tail = strchr(KAT_URL, '/');
	char url[256];
	snprintf(url, sizeof(url), "[2001:db8::1]:656%s", tail);
	CHECK(parses(url, "2001:db8::1", "656"));
	snprintf(url, sizeof(url), "[2001:db8::1]%s", tail);
	CHECK(parses(url, "2001:db8::1", "655"));
	snprintf(url, sizeof(url), "vpn.example%s", tail);
	CHECK(parses(url, "vpn.example", "655"));
	snprintf(url, sizeof(url), "vpn.example:%s", tail);
	CHECK(parses(url, "vpn.example", "655"));
	CHECK(!parses("192.0.2.1:655/short", NULL, NULL));
	CHECK(!parses("192.0.2.1:655", NULL, NULL));
	snprintf(url, sizeof(url), "%sx", KAT_URL);
	CHECK(!parses(url, NULL, NULL));
	snprintf(url, sizeof(url), "[2001:db8::1%s", tail);
	CHECK(!parses(url, NULL, NULL));
	snprintf(url, sizeof(url), "%s", KAT_URL);
	url[strlen(url) - 1] = '!'; /* not base64 */
	CHECK(!parses(url, NULL, NULL));
	return check_done("invitation_names_test");
}
