/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * crypto-legacy meta authentication: the CHAL_REPLY and meta-cipher test
 * vectors (docs/protocol/test-vectors.md §7, §8), full METAKEY/CHALLENGE/CHAL_REPLY
 * handshakes between two in-process fake connections (equal and unequal
 * RSA key sizes, whole buffers, byte by byte, cipher switch mid-buffer),
 * and the refusals: bad METAKEY, bad challenge, wrong reply, wrong order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "legacy_fake.h"

static char shared_dir[256];
static EVP_PKEY *key_alpha, *key_beta, *key_gamma;

/* Generate a key pair with the plugin in its own directory, keep the
 * private key in memory and copy the host file into the shared confbase. */
static EVP_PKEY *make_identity(const char *name, int bits) {
	char dir[256], path[512], dst[512];
	if (fake_mkdtemp(dir, sizeof(dir)))
		return NULL;
	CHECK(legacy_generate_keys(fake_self, dir, name, bits) == 0);
	snprintf(path, sizeof(path), "%s/rsa_key.priv", dir);
	EVP_PKEY *key = legacy_read_pem_file(path, true);
	snprintf(path, sizeof(path), "%s/hosts/%s", dir, name);
	snprintf(dst, sizeof(dst), "%s/hosts/%s", shared_dir, name);
	FILE *in = fopen(path, "r"), *out = fopen(dst, "w");
	char buf[8192];
	size_t n = in ? fread(buf, 1, sizeof(buf), in) : 0;
	if (out)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	fake_rmrf(dir);
	CHECK(key && legacy_rsa_size(key) == bits / 8);
	return key;
}

static void test_chal_reply_vector(void) {
	uint8_t challenge[256];
	char line[200];

	for (int i = 0; i < 256; i++)
		challenge[i] = (uint8_t)i;
	CHECK(legacy_chal_reply_line(EVP_sha256(), challenge, sizeof(challenge), line, sizeof(line)));
	CHECK_STR(line, "3 40AFF2E9D2D8922E47AFD4648E6967497158785FBD1DA870E7110266BF944880");
}

/* docs/protocol/test-vectors.md §7: a METAKEY with a known secret, followed in the same
 * read by a line encrypted under it. The line must come out decrypted (and
 * then be refused: an ACK is not what authentication expects there). */
static void test_meta_cipher_vector(void) {
	struct px_conn srv;
	uint8_t secret[256], enc[256];
	char hex[513], wire[1024];
	static const uint8_t line_ct[] = {0x02, 0xfd, 0xa8, 0x01, 0x0e, 0xb3, 0x04, 0xd5, 0x92,
	                                  0xf7, 0xb4, 0xc2, 0x7f, 0xa5, 0x11, 0x1a, 0xc0};

	for (int i = 0; i < 256; i++)
		secret[i] = (uint8_t)i;
	secret[0] &= 0x7f;
	CHECK(legacy_rsa_public_raw(key_beta, secret, enc));
	legacy_hex_encode(enc, sizeof(enc), hex);
	int n = snprintf(wire, sizeof(wire), "1 429 672 0 0 %s\n", hex);
	memcpy(wire + n, line_ct, sizeof(line_ct));

	fake_conn_init(&srv, "beta", "alpha", false, key_beta);
	CHECK(fake_meta_start(&srv) == 0);
	CHECK(fake_feed(&srv, (const uint8_t *)wire, (size_t)n + sizeof(line_ct)) < 0);
	CHECK(srv.ngot == 2);
	CHECK_STR(srv.got[1], "4 655 12 700000c");
	CHECK(srv.failed && !srv.auth_done);
	CHECK(strstr(fake_last_log, "Unauthorized request 4") != NULL);
	fake_conn_free(&srv);
}

static void check_metakey_line(const char *line, int peer_bits) {
	char hex[LEGACY_MAX_STRING + 1];
	int c, d, m, z;
	CHECK(sscanf(line, "1 %d %d %d %d %2048s", &c, &d, &m, &z, hex) == 5);
	CHECK(c == 429 && d == 672 && m == 0 && z == 0);
	CHECK(strlen(hex) == (size_t)peer_bits / 4);
	CHECK(strspn(hex, "0123456789ABCDEF") == strlen(hex));
}

/* A complete exchange; chunk = 0 moves whole buffers, else that many bytes at a time. */
static void handshake(const char *cname, EVP_PKEY *ckey, const char *sname, EVP_PKEY *skey, size_t chunk) {
	struct px_conn cli, srv;
	int cbits = legacy_rsa_size(ckey) * 8, sbits = legacy_rsa_size(skey) * 8;

	fprintf(stderr, "handshake %s(%d) -> %s(%d), chunk %zu\n", cname, cbits, sname, sbits, chunk);
	fake_conn_init(&cli, cname, sname, true, ckey);
	fake_conn_init(&srv, sname, cname, false, skey);
	/* The server sends METAKEY right after its ID, the client after reading it. */
	CHECK(fake_meta_start(&srv) == 0);
	CHECK(fake_meta_start(&cli) == 0);
	fake_pump(&cli, &srv, chunk);

	CHECK(cli.auth_done && srv.auth_done);
	CHECK(!cli.failed && !srv.failed);
	CHECK(cli.nsent == 3 && srv.nsent == 3);
	check_metakey_line(cli.sent[0], sbits);
	check_metakey_line(srv.sent[0], cbits);
	CHECK(strlen(cli.sent[1]) == 2 + (size_t)sbits / 4); /* CHALLENGE sized by the recipient's key */
	CHECK(strlen(srv.sent[1]) == 2 + (size_t)cbits / 4);
	CHECK(!strncmp(cli.sent[2], "3 ", 2) && strlen(cli.sent[2]) == 2 + 64);
	CHECK(!strncmp(srv.sent[2], "3 ", 2) && strlen(srv.sent[2]) == 2 + 64);

	/* After authentication the ciphers keep running in both directions. */
	CHECK(fake_host.conn_send(&cli, "4 655 12 c") == 0);
	CHECK(fake_host.conn_send(&srv, "4 656 7 700000c") == 0);
	CHECK(cli.wirelen == 11 && memcmp(cli.wire, "4 655 12 c\n", 11)); /* encrypted */
	fake_pump(&cli, &srv, chunk);
	CHECK(srv.ngot == 4 && cli.ngot == 4);
	CHECK_STR(srv.got[srv.ngot - 1], "4 655 12 c");
	CHECK_STR(cli.got[cli.ngot - 1], "4 656 7 700000c");
	fake_conn_free(&cli);
	fake_conn_free(&srv);
}

/* Step by step, checking who speaks when (docs/protocol/legacy-auth.md §2): the client
 * replies to the server's challenge at once, the server only after the
 * client's reply verified. The client's METAKEY and CHALLENGE arrive in one
 * buffer, so the server must switch to decryption in the middle of it. */
static void handshake_in_steps(void) {
	struct px_conn cli, srv;

	fake_conn_init(&cli, "alpha", "beta", true, key_alpha);
	fake_conn_init(&srv, "beta", "alpha", false, key_beta);
	CHECK(fake_meta_start(&srv) == 0);
	CHECK(fake_meta_start(&cli) == 0);

	/* Server's METAKEY reaches the client before the client's leaves. */
	CHECK(fake_feed(&cli, srv.wire, srv.wirelen) == 0);
	srv.wirelen = 0;
	CHECK(cli.nsent == 2 && !strncmp(cli.sent[1], "2 ", 2));

	/* Client's METAKEY (plain) + CHALLENGE (encrypted) in one read. */
	CHECK(fake_feed(&srv, cli.wire, cli.wirelen) == 0);
	cli.wirelen = 0;
	CHECK(srv.ngot == 2 && !strncmp(srv.got[1], "2 ", 2));
	CHECK(srv.nsent == 2 && !srv.auth_done); /* its CHALLENGE, no reply yet */

	/* Server's CHALLENGE: the client answers at once. */
	CHECK(fake_feed(&cli, srv.wire, srv.wirelen) == 0);
	srv.wirelen = 0;
	CHECK(cli.nsent == 3 && !strncmp(cli.sent[2], "3 ", 2) && !cli.auth_done);

	CHECK(fake_feed(&srv, cli.wire, cli.wirelen) == 0);
	cli.wirelen = 0;
	CHECK(srv.nsent == 3 && !strncmp(srv.sent[2], "3 ", 2) && srv.auth_done);

	CHECK(fake_feed(&cli, srv.wire, srv.wirelen) == 0);
	CHECK(cli.auth_done && !cli.failed && !srv.failed);
	fake_conn_free(&cli);
	fake_conn_free(&srv);
}

/* Run an exchange where one side misbehaves; the other must refuse. */
static void tampered(enum fake_tamper cli_tamper, enum fake_tamper srv_tamper, const char *want_log) {
	struct px_conn cli, srv;

	fake_conn_init(&cli, "alpha", "beta", true, key_alpha);
	fake_conn_init(&srv, "beta", "alpha", false, key_beta);
	cli.tamper = cli_tamper;
	srv.tamper = srv_tamper;
	CHECK(fake_meta_start(&srv) == 0);
	CHECK(fake_meta_start(&cli) == 0);
	fake_pump(&cli, &srv, 0);
	CHECK(cli.failed || srv.failed);
	CHECK(!(cli.auth_done && srv.auth_done));
	CHECK(strstr(fake_last_log, want_log) != NULL);
	if (cli_tamper == TAMPER_CHAL_REPLY)
		CHECK(srv.failed && !srv.auth_done && srv.nsent == 2); /* no reply to an impostor */
	if (srv_tamper == TAMPER_CHAL_REPLY)
		CHECK(cli.failed && !cli.auth_done);
	fake_conn_free(&cli);
	fake_conn_free(&srv);
}

/* Feed one plaintext line to a fresh server that waits for METAKEY. */
static bool refuses_first_line(const char *line, const char *want_log) {
	struct px_conn srv;
	char buf[LEGACY_MAX_STRING + 64];

	fake_conn_init(&srv, "beta", "alpha", false, key_beta);
	CHECK(fake_meta_start(&srv) == 0);
	snprintf(buf, sizeof(buf), "%s\n", line);
	bool refused = fake_feed(&srv, (const uint8_t *)buf, strlen(buf)) < 0 && srv.failed;
	CHECK(strstr(fake_last_log, want_log) != NULL);
	fake_conn_free(&srv);
	return refused;
}

static void test_refusals(void) {
	char line[LEGACY_MAX_STRING + 64], hex[513];

	tampered(TAMPER_CHAL_REPLY, TAMPER_NONE, "wrong challenge reply");
	tampered(TAMPER_NONE, TAMPER_CHAL_REPLY, "wrong challenge reply");
	tampered(TAMPER_CHALLENGE_LEN, TAMPER_NONE, "wrong challenge length");
	tampered(TAMPER_METAKEY_HEX, TAMPER_NONE, "invalid hex");

	CHECK(refuses_first_line("1 429 672 0 0 ABCD", "wrong keylength"));
	CHECK(refuses_first_line("4 655 12 c", "Unauthorized request 4"));
	CHECK(refuses_first_line("2 00", "Unauthorized request 2"));
	CHECK(refuses_first_line("1 429 672", "bad METAKEY"));

	memset(hex, 'A', 512);
	hex[512] = '\0';
	snprintf(line, sizeof(line), "1 0 672 0 0 %s", hex);
	CHECK(refuses_first_line(line, "null cipher"));
	snprintf(line, sizeof(line), "1 427 672 0 0 %s", hex); /* aes-256-cbc: not a stream */
	CHECK(refuses_first_line(line, "block cipher"));
	snprintf(line, sizeof(line), "1 429 672 33 0 %s", hex);
	CHECK(refuses_first_line(line, "bogus MAC length"));
	memset(hex, 'F', 512); /* >= modulus: raw RSA must fail */
	snprintf(line, sizeof(line), "1 429 672 0 0 %s", hex);
	CHECK(refuses_first_line(line, "decryption of meta key"));

	/* No host file for the peer, or no private key: cannot start. */
	struct px_conn c;
	fake_conn_init(&c, "beta", "delta", false, key_beta);
	CHECK(fake_meta_start(&c) < 0 && c.state == NULL && c.nsent == 0);
	CHECK(strstr(fake_last_log, "No RSA public key known for delta") != NULL);
	fake_conn_free(&c);
	fake_conn_init(&c, "beta", "alpha", false, NULL);
	CHECK(fake_meta_start(&c) < 0 && c.nsent == 0);
	fake_conn_free(&c);
}

static void test_budget(void) {
	CHECK(legacy_meta_budget(EVP_aes_256_cfb128()) == (uint64_t)1 << 63);
	CHECK(legacy_meta_budget(EVP_aes_128_cfb128()) == (uint64_t)1 << 63);
	const EVP_CIPHER *bf = EVP_get_cipherbyname("bf-ofb");
	if (bf)
		CHECK(legacy_meta_budget(bf) == (uint64_t)1 << 31);
}

int main(void) {
	static const char *const config[] = {"|PrivateKeyFile|/nonexistent/rsa_key.priv", NULL};
	char hosts[300];

	if (fake_mkdtemp(shared_dir, sizeof(shared_dir)))
		return 1;
	snprintf(hosts, sizeof(hosts), "%s/hosts", shared_dir);
	CHECK(mkdir(hosts, 0755) == 0);
	strcpy(fake_confbase, shared_dir);
	CHECK(fake_init(config) == 0);
	CHECK(lg.meta_cipher == EVP_aes_256_cfb128());

	key_alpha = make_identity("alpha", 2048);
	key_beta = make_identity("beta", 2048);
	key_gamma = make_identity("gamma", 1024);
	if (key_alpha && key_beta && key_gamma) {
		test_chal_reply_vector();
		test_meta_cipher_vector();
		handshake("alpha", key_alpha, "beta", key_beta, 0);
		handshake("alpha", key_alpha, "beta", key_beta, 1);
		handshake("alpha", key_alpha, "gamma", key_gamma, 0);
		handshake("gamma", key_gamma, "alpha", key_alpha, 7);
		handshake_in_steps();
		test_refusals();
		test_budget();
	}
	EVP_PKEY_free(key_alpha);
	EVP_PKEY_free(key_beta);
	EVP_PKEY_free(key_gamma);
	fake_fini();
	fake_rmrf(shared_dir);
	return check_done("legacy_auth_test");
}
