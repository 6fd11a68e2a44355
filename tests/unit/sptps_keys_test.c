/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tinc base64, Ed25519 key files and the signing primitive: known answers
 * from docs/protocol/test-vectors.md §2-§3 and malformed input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "b64.h"
#include "keys.h"
#include "sptps_crypto.h"

static void unhex(const char *s, uint8_t *out, size_t len) {
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void test_b64(void) {
	static const struct {
		const char *hex, *b64;
	} table[] = {
	    {"00", "AA"},
	    {"0001", "AEA"},
	    {"000102", "AEgA"},
	    {"00010203", "AEgADA"},
	    {"00010203ff", "AEgAD8P"},
	    {"00010203fffe", "AEgAD8v/"},
	    {"00010203fffefd", "AEgAD8v/9D"},
	    {"00010203fffefd80", "AEgAD8v/9DI"},
	    {"010203", "BIwA"},
	    {"", ""},
	};
	char out[64];
	uint8_t bin[32], back[32];

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t len = strlen(table[i].hex) / 2;
		unhex(table[i].hex, bin, len);
		CHECK(sptps_b64_encode(out, bin, len, false) == strlen(table[i].b64));
		CHECK_STR(out, table[i].b64);
		CHECK(SPTPS_B64_LEN(len) == strlen(table[i].b64));
		CHECK(sptps_b64_decode(back, sizeof(back), out, strlen(out)) == (ssize_t)len);
		CHECK(!memcmp(back, bin, len));
	}

	/* URL-safe alphabet, and the decoder takes both */
	unhex("00010203fffe", bin, 6);
	sptps_b64_encode(out, bin, 6, true);
	CHECK_STR(out, "AEgAD8v_");
	CHECK(sptps_b64_decode(back, sizeof(back), "AEgAD8v_", 8) == 6 && !memcmp(back, bin, 6));
	CHECK(sptps_b64_decode(back, sizeof(back), "AEgAD8v/", 8) == 6 && !memcmp(back, bin, 6));
	CHECK(sptps_b64_decode(back, sizeof(back), "AEgAD8v-", 8) == 6);

	/* invalid characters, padding, a dangling character, no room */
	CHECK(sptps_b64_decode(back, sizeof(back), "AE=A", 4) < 0);
	CHECK(sptps_b64_decode(back, sizeof(back), "AEg*", 4) < 0);
	CHECK(sptps_b64_decode(back, sizeof(back), "AEgAD", 5) < 0);
	CHECK(sptps_b64_decode(back, 2, "AEgA", 4) < 0);
	CHECK(sptps_b64_decode(back, sizeof(back), "AE\0A", 4) < 0);
}

static const char alpha_priv_file[] = "-----BEGIN ED25519 PRIVATE KEY-----\n"
                                      "4Qp7kyJWK8egpVjdrAeSV1ZbUAk3eLh5hWS8E+x/O+WqXjhYjWOdrd1GjH9hwSAE\n"
                                      "GVvL9WID817Xe744EOntJNQoH878ODhvdAX3Yc+SAn5ZkbNMbWaDf1B3GSmEVFDu\n"
                                      "-----END ED25519 PRIVATE KEY-----\n";

static void test_known_keys(void) {
	uint8_t seed[32], priv[64], pub[32];
	struct sptps_key k, parsed;

	for (int i = 0; i < 32; i++) {
		seed[i] = (uint8_t)i;
	}

	unhex("3894eea49c580aef816935762be049559d6d1440dede12e6a125f1841fff8e6f"
	      "a9d71862a3e5746b571be3d187b0041046f52ebd850c7cbd5fde8ee38473b649",
	      priv, 64);
	unhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8", pub, 32);

	CHECK(sptps_key_from_seed(&k, seed));
	CHECK(!memcmp(k.priv, priv, 64));
	CHECK(!memcmp(k.pub, pub, 32));

	char *text = sptps_key_format_host_line(&k);
	CHECK_STR(text, "Ed25519PublicKey = DE6B/OvzQ4bHw1NGnvEwZeG5WDzml2wXdwthkJRVxgL\n");
	free(text);
	text = sptps_key_format_private(&k);
	CHECK_STR(text, alpha_priv_file);
	free(text);

	CHECK(sptps_key_parse_private(&parsed, alpha_priv_file, strlen(alpha_priv_file)));
	CHECK(parsed.has_private && !memcmp(parsed.priv, priv, 64) && !memcmp(parsed.pub, pub, 32));

	/* CRLF line ends and text around the block are fine */
	const char *crlf = "junk\r\n-----BEGIN ED25519 PRIVATE KEY-----\r\n"
	                   "4Qp7kyJWK8egpVjdrAeSV1ZbUAk3eLh5hWS8E+x/O+WqXjhYjWOdrd1GjH9hwSAE\r\n"
	                   "GVvL9WID817Xe744EOntJNQoH878ODhvdAX3Yc+SAn5ZkbNMbWaDf1B3GSmEVFDu\r\n"
	                   "-----END ED25519 PRIVATE KEY-----\r\n";
	CHECK(sptps_key_parse_private(&parsed, crlf, strlen(crlf)) && !memcmp(parsed.priv, priv, 64));

	/* public key forms */
	CHECK(sptps_key_parse_public_b64(&parsed, "DE6B/OvzQ4bHw1NGnvEwZeG5WDzml2wXdwthkJRVxgL"));
	CHECK(!memcmp(parsed.pub, pub, 32) && !parsed.has_private);
	CHECK(sptps_key_parse_public_b64(&parsed, " DE6B/OvzQ4bHw1NGnvEwZeG5WDzml2wXdwthkJRVxgL \n"));
	text = sptps_key_format_public_pem(&k);
	CHECK(sptps_key_parse_public_pem(&parsed, text, strlen(text)) && !memcmp(parsed.pub, pub, 32));
	free(text);
}

static void test_bad_keys(void) {
	struct sptps_key k;
	const char *no_end = "-----BEGIN ED25519 PRIVATE KEY-----\n"
	                     "4Qp7kyJWK8egpVjdrAeSV1ZbUAk3eLh5hWS8E+x/O+WqXjhYjWOdrd1GjH9hwSAE\n"
	                     "GVvL9WID817Xe744EOntJNQoH878ODhvdAX3Yc+SAn5ZkbNMbWaDf1B3GSmEVFDu\n";
	const char *short_key = "-----BEGIN ED25519 PRIVATE KEY-----\n"
	                        "4Qp7kyJWK8egpVjdrAeSV1ZbUAk3eLh5hWS8E+x/O+WqXjhYjWOdrd1GjH9hwSAE\n"
	                        "GVvL9WID817Xe744EOntJNQoH878ODhvdAX3Yc+SAn5ZkbNMbWaDf1B3GSmEVF\n"
	                        "-----END ED25519 PRIVATE KEY-----\n";
	const char *long_key = "-----BEGIN ED25519 PRIVATE KEY-----\n"
	                       "4Qp7kyJWK8egpVjdrAeSV1ZbUAk3eLh5hWS8E+x/O+WqXjhYjWOdrd1GjH9hwSAE\n"
	                       "GVvL9WID817Xe744EOntJNQoH878ODhvdAX3Yc+SAn5ZkbNMbWaDf1B3GSmEVFDu\n"
	                       "AAAA\n"
	                       "-----END ED25519 PRIVATE KEY-----\n";
	const char *bad_char = "-----BEGIN ED25519 PRIVATE KEY-----\n"
	                       "4Qp7kyJWK8egpVjdrAeSV1ZbUAk3eLh5hWS8E+x/O+WqXjhYjWOdrd1GjH9hwSA!\n"
	                       "GVvL9WID817Xe744EOntJNQoH878ODhvdAX3Yc+SAn5ZkbNMbWaDf1B3GSmEVFDu\n"
	                       "-----END ED25519 PRIVATE KEY-----\n";

	CHECK(!sptps_key_parse_private(&k, no_end, strlen(no_end)));
	CHECK(!sptps_key_parse_private(&k, short_key, strlen(short_key)));
	CHECK(!sptps_key_parse_private(&k, long_key, strlen(long_key)));
	CHECK(!sptps_key_parse_private(&k, bad_char, strlen(bad_char)));
	CHECK(!sptps_key_parse_private(&k, "", 0));
	CHECK(!sptps_key_parse_public_b64(&k, "DE6B/OvzQ4bHw1NGnvEwZeG5WDzml2wXdwthkJRVxg"));
	CHECK(!sptps_key_parse_public_b64(&k, "DE6B/OvzQ4bHw1NGnvEwZeG5WDzml2wXdwthkJRVxgLA"));
	CHECK(!sptps_key_parse_public_b64(&k, "DE6B/OvzQ4bHw1NGnvEwZeG5WDzml2wXdwthkJRVxg="));
	CHECK(!sptps_key_parse_public_b64(&k, ""));
	CHECK(!sptps_key_parse_public_pem(&k, "nothing here", 12));
}

/* Signing from the expanded key equals libsodium's seed-based signing. */
static void test_sign(void) {
	for (int round = 0; round < 50; round++) {
		uint8_t seed[32], msg[200], sig[64], ref[64], sk[64], pk[32];
		struct sptps_key k;
		size_t len = (size_t)round * 4;

		randombytes_buf(seed, sizeof(seed));
		randombytes_buf(msg, sizeof(msg));
		CHECK(sptps_key_from_seed(&k, seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		CHECK(!memcmp(pk, k.pub, 32));
		CHECK(sptps_ed25519_sign(k.priv, k.pub, msg, len, sig));
		crypto_sign_detached(ref, NULL, msg, len, sk);
		CHECK(!memcmp(sig, ref, 64));
		CHECK(sptps_ed25519_verify(k.pub, msg, len, sig));
		sig[round % 64] ^= 1;
		CHECK(!sptps_ed25519_verify(k.pub, msg, len, sig));
	}
}

static void test_key_file(void) {
	char path[] = "/tmp/sptps_keys_test.XXXXXX";
	int fd = mkstemp(path);
	struct sptps_key k;
	bool loose = true;

	CHECK(fd >= 0);

	if (fd < 0) {
		return;
	}

	CHECK(write(fd, alpha_priv_file, strlen(alpha_priv_file)) == (ssize_t)strlen(alpha_priv_file));
	close(fd);
	chmod(path, 0600);
	CHECK(sptps_key_load_private_file(&k, path, &loose) && !loose && k.has_private);
	chmod(path, 0644);
	CHECK(sptps_key_load_private_file(&k, path, &loose) && loose);
	unlink(path);
	CHECK(!sptps_key_load_private_file(&k, path, &loose));
	CHECK(!sptps_key_load_private_file(&k, "/", &loose));
}

int main(void) {
	CHECK(sptps_crypto_init());
	test_b64();
	test_known_keys();
	test_bad_keys();
	test_sign();
	test_key_file();
	return check_done("sptps_keys_test");
}
