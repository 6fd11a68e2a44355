/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * crypto-legacy key handling: ANS_KEY parsing and validation, REQ_KEY
 * answers and retries, KEY_CHANGED, KeyExpire renewal, and the RSA key
 * files (generate, reload, refuse to overwrite, every public key form, the
 * obsolete hex keys, and a key pair made by the real `tincd -K`).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "check.h"
#include "legacy_fake.h"

#define KEY96                                                                                                \
	"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F"

static const char *const base_config[] = {"|PrivateKeyFile|/nonexistent/rsa_key.priv", "|KeyExpire|100",
                                          NULL};

/* Feed an ANS_KEY from beta; report whether a key got installed. */
static bool ans(const char *line) {
	px_node *beta = fake_node("beta");
	CHECK(legacy_key_on_ans(fake_self, beta, line) == 0); /* never closes the connection */
	bool valid = legacy_key_valid(fake_self, beta);
	CHECK(valid == beta->key_valid);
	return valid;
}

static void test_ans_key(void) {
	px_node *beta = fake_node("beta");

	CHECK(ans("16 beta alpha " KEY96 " 427 672 4 0"));
	CHECK_STR(legacy_describe(fake_self, beta), "rsa:aes-256-cbc/sha256/4");
	CHECK(beta->out_compression == 0 && !beta->has_udp);
	CHECK(ans("16 beta alpha " KEY96 " 427 672 32 9"));
	CHECK(beta->out_compression == 9);
	CHECK(ans("16 beta alpha 5a 0 672 4 0"));
	CHECK_STR(legacy_describe(fake_self, beta), "rsa:none/sha256/4");
	CHECK(ans("16 beta alpha " KEY96 " 427 0 0 0"));
	CHECK_STR(legacy_describe(fake_self, beta), "rsa:aes-256-cbc/none/0");

	int calls = beta->key_changed_calls;
	CHECK(!ans("16 beta alpha " KEY96 " 12345 672 4 0"));
	CHECK(strstr(fake_last_log, "unknown cipher") != NULL);
	CHECK(beta->key_changed_calls == calls + 1); /* the old key is gone */
	CHECK_STR(legacy_describe(fake_self, beta), "-");
	CHECK(!ans("16 beta alpha " KEY96 " 427 99999 4 0"));
	CHECK(!ans("16 beta alpha " KEY96 "00 427 672 4 0"));
	CHECK(strstr(fake_last_log, "wrong length") != NULL);
	CHECK(!ans("16 beta alpha 5A5A 0 672 4 0"));
	CHECK(!ans("16 beta alpha " KEY96 " 427 672 33 0"));
	CHECK(strstr(fake_last_log, "bogus MAC length") != NULL);
	CHECK(!ans("16 beta alpha " KEY96 " 427 672 -1 0"));
	CHECK(!ans("16 beta alpha " KEY96 " 427 672 4 16"));
	CHECK(strstr(fake_last_log, "compression") != NULL);
	CHECK(!ans("16 beta alpha " KEY96 " 427 672 4 -1"));
	CHECK(!ans("16 beta alpha "
	           "0G0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2"
	           "C2D2E2F 427 672 4 0"));
	CHECK(strstr(fake_last_log, "not valid hex") != NULL);
	CHECK(!ans("16 beta alpha " KEY96 " 427"));
	CHECK(!ans("16 beta alpha " KEY96 " 42a 672 4 0"));

	/* SPTPS form: ignored, the legacy key state is left alone. */
	CHECK(ans("16 beta alpha " KEY96 " 427 672 4 0"));
	CHECK(legacy_key_on_ans(fake_self, beta, "16 beta alpha AEgAD8v -1 -1 -1 0") == 0);
	CHECK(legacy_key_valid(fake_self, beta));

	/* Reflexive address appended by an intermediate node. */
	CHECK(ans("16 beta alpha " KEY96 " 427 672 4 0 198.18.0.5 655"));
	CHECK(beta->has_udp && beta->udp.sa.sa_family == AF_INET);
	CHECK(beta->udp.in.sin_port == htons(655));
	CHECK(beta->udp.in.sin_addr.s_addr == inet_addr("198.18.0.5"));
	CHECK(ans("16 beta alpha " KEY96 " 427 672 4 0 2001:db8::7 10655"));
	CHECK(beta->udp.sa.sa_family == AF_INET6 && beta->udp.in6.sin6_port == htons(10655));
	beta->has_udp = false;
	CHECK(ans("16 beta alpha " KEY96 " 427 672 4 0 some.host.example 655"));
	CHECK(!beta->has_udp);

	/* KEY_CHANGED invalidates; node_down forgets. */
	legacy_key_on_changed(fake_self, beta);
	CHECK(!legacy_key_valid(fake_self, beta) && !beta->key_valid);
	CHECK(ans("16 beta alpha " KEY96 " 427 672 4 0"));
	legacy_node_down(fake_self, beta);
	CHECK(!legacy_key_valid(fake_self, beta) && beta->slot == NULL);
}

static void test_req_key(void) {
	px_node *beta = fake_node("beta");
	char first[FAKE_LINE];

	fake_reset_msgs();
	beta->in_compression = 10;
	CHECK(legacy_key_on_req(fake_self, beta, "15 beta alpha") == 0);
	CHECK(fake_nmsgs == 1 && !strcmp(fake_msgs[0].to, "beta"));
	char hex[200];
	int c, d, m, z;
	CHECK(sscanf(fake_msgs[0].line, "16 alpha beta %199s %d %d %d %d", hex, &c, &d, &m, &z) == 5);
	CHECK(strlen(hex) == 96 && strspn(hex, "0123456789ABCDEF") == 96);
	CHECK(c == 427 && d == 672 && m == 4 && z == 10);
	strcpy(first, fake_msgs[0].line);

	/* Every REQ_KEY gets a brand-new key. */
	CHECK(legacy_key_on_req(fake_self, beta, "15 beta alpha") == 0);
	CHECK(fake_nmsgs == 2 && strcmp(first, fake_msgs[1].line));

	/* Extended 1.1 forms are not ours. */
	CHECK(legacy_key_on_req(fake_self, beta, "15 beta alpha 19") == 0);
	CHECK(legacy_key_on_req(fake_self, beta, "15 beta alpha 15 AEgAD8v") == 0);
	CHECK(legacy_key_on_req(fake_self, beta, "15 beta") == 0);
	CHECK(fake_nmsgs == 2);

	/* key_request: once, then again only after 10 s or a KEY_CHANGED. */
	fake_reset_msgs();
	legacy_key_request(fake_self, beta);
	CHECK(fake_nmsgs == 1 && !strcmp(fake_msgs[0].line, "15 alpha beta") &&
	      !strcmp(fake_msgs[0].to, "beta"));
	legacy_key_request(fake_self, beta);
	fake_now += 9000;
	legacy_key_request(fake_self, beta);
	CHECK(fake_nmsgs == 1);
	fake_now += 1001;
	legacy_key_request(fake_self, beta);
	CHECK(fake_nmsgs == 2);
	legacy_key_on_changed(fake_self, beta);
	legacy_key_request(fake_self, beta);
	CHECK(fake_nmsgs == 3);
	legacy_node_down(fake_self, beta);
}

static void test_key_expire(void) {
	px_node *beta = fake_node("beta"), *gamma = fake_node("gamma"), *delta = fake_node("delta");
	const struct px_plugin_desc *desc = &crypto_legacy_LTX_plexus_plugin;

	CHECK(lg.keyexpire_s == 100);
	CHECK(desc->start(fake_self) == 0);
	CHECK(lg.expire_timer != NULL);
	legacy_node_up(fake_self, beta);
	legacy_node_up(fake_self, gamma);
	legacy_node_up(fake_self, delta);
	delta->reachable = false;
	struct legacy_key *old_beta = legacy_node_get(beta, false)->in;

	fake_reset_msgs();
	legacy_expire_keys(NULL);
	int broadcasts = 0, to_beta = 0, to_gamma = 0, to_delta = 0;
	for (int i = 0; i < fake_nmsgs; i++) {
		unsigned nonce;
		char name[32];
		if (!strcmp(fake_msgs[i].to, "*")) {
			broadcasts++;
			CHECK(sscanf(fake_msgs[i].line, "14 %x %31s", &nonce, name) == 2 &&
			      !strcmp(name, "alpha"));
		}
		to_beta +=
		    !strcmp(fake_msgs[i].to, "beta") && !strncmp(fake_msgs[i].line, "16 alpha beta ", 14);
		to_gamma += !strcmp(fake_msgs[i].to, "gamma");
		to_delta += !strcmp(fake_msgs[i].to, "delta");
	}
	CHECK(broadcasts == 1 && to_beta == 1 && to_gamma == 1 && to_delta == 0);
	/* The previous key is kept for the grace period. */
	CHECK(legacy_node_get(beta, false)->in_old == old_beta);
	CHECK(legacy_node_get(beta, false)->in != old_beta);
	desc->stop(fake_self);
	CHECK(lg.expire_timer == NULL);
	legacy_node_down(fake_self, beta);
	legacy_node_down(fake_self, gamma);
	legacy_node_down(fake_self, delta);
}

static bool file_starts_with(const char *path, const char *prefix) {
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, prefix) != NULL;
}

static bool file_contains(const char *path, const char *needle) {
	static char buf[16384];
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, needle) != NULL;
}

static char *bn_hex_param(EVP_PKEY *pkey, const char *param) {
	BIGNUM *bn = NULL;
	if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
		return NULL;
	char *hex = BN_bn2hex(bn);
	BN_clear_free(bn);
	return hex;
}

static void test_key_files(void) {
	char dir[256], priv[512], host[512], spki[512];
	struct stat st;

	if (fake_mkdtemp(dir, sizeof(dir)))
		return;
	strcpy(fake_confbase, dir);
	snprintf(priv, sizeof(priv), "%s/rsa_key.priv", dir);
	snprintf(host, sizeof(host), "%s/hosts/test", dir);

	CHECK(legacy_generate_keys(fake_self, dir, "test", 512) < 0);
	CHECK(legacy_generate_keys(fake_self, dir, "test", 16384) < 0);
	CHECK(legacy_generate_keys(fake_self, dir, "../evil", 1024) < 0);
	CHECK(legacy_generate_keys(fake_self, dir, "test", 1024) == 0);
	CHECK(stat(priv, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(file_starts_with(priv, "-----BEGIN RSA PRIVATE KEY-----"));
	CHECK(file_starts_with(host, "-----BEGIN RSA PUBLIC KEY-----"));
	CHECK(legacy_generate_keys(fake_self, dir, "test", 1024) < 0);
	CHECK(strstr(fake_last_log, "Refusing to overwrite") != NULL);

	/* Reload through the configured paths; public and private must match. */
	static const char *const no_file_config[] = {NULL};
	fake_set_config(no_file_config);
	EVP_PKEY *key = legacy_load_private_key();
	EVP_PKEY *pub = legacy_load_public_key("test");
	CHECK(key && pub && EVP_PKEY_eq(key, pub) == 1 && legacy_rsa_size(key) == 128);
	CHECK(legacy_load_public_key("nobody") == NULL);
	CHECK(legacy_load_public_key("../test") == NULL);

	/* usable(): only our private key is needed (data keys need no RSA key
	 * of the peer; meta_start refuses peers without one). */
	lg.privkey = key;
	CHECK(legacy_usable(fake_self, fake_node("test")));
	CHECK(legacy_usable(fake_self, fake_node("nobody")));
	lg.privkey = NULL;
	CHECK(!legacy_usable(fake_self, fake_node("test")));

	/* Group/other-readable private key: loads, with a warning. */
	chmod(priv, 0644);
	int logs = fake_nlogs;
	EVP_PKEY *again = legacy_load_private_key();
	CHECK(again && fake_nlogs > logs);
	EVP_PKEY_free(again);

	/* An empty private key file may be overwritten; the host file grows. */
	FILE *f = fopen(priv, "w");
	if (f)
		fclose(f);
	f = fopen(host, "a");
	if (f) {
		fputs("PublicKey = ABCD\nPublicKeyFile = /dev/null\n", f);
		fclose(f);
	}
	CHECK(legacy_generate_keys(fake_self, dir, "test", 1024) == 0);
	EVP_PKEY *second = legacy_load_private_key();
	EVP_PKEY *second_pub = legacy_load_public_key("test");
	CHECK(second && EVP_PKEY_eq(second, key) != 1);
	CHECK(second_pub && EVP_PKEY_eq(second, second_pub) == 1); /* the old block was disabled */
	CHECK(file_contains(host, "#-----BEGIN RSA PUBLIC KEY-----\n") &&
	      file_contains(host, "\n#-----END RSA PUBLIC KEY-----\n"));
	CHECK(file_contains(
	    host, "\n#PublicKey = ABCD\nPublicKeyFile = /dev/null\n-----BEGIN RSA PUBLIC KEY-----\n"));
	EVP_PKEY_free(second);
	EVP_PKEY_free(second_pub);

	/* SubjectPublicKeyInfo in a host file that also has settings, and PublicKeyFile. */
	snprintf(spki, sizeof(spki), "%s/hosts/spki", dir);
	f = fopen(spki, "w");
	if (f) {
		fputs("Address = 198.18.0.1\nPort = 655\n", f);
		PEM_write_PUBKEY(f, key);
		fputs("Subnet = 10.0.0.0/24\n", f);
		fclose(f);
	}
	EVP_PKEY *spki_key = legacy_load_public_key("spki");
	CHECK(spki_key && EVP_PKEY_eq(spki_key, key) == 1);
	EVP_PKEY_free(spki_key);

	char config_pkf[600];
	snprintf(config_pkf, sizeof(config_pkf), "viafile|PublicKeyFile|%s", spki);
	const char *pkf_config[] = {config_pkf, NULL};
	fake_set_config(pkf_config);
	EVP_PKEY *pkf_key = legacy_load_public_key("viafile");
	CHECK(pkf_key && EVP_PKEY_eq(pkf_key, key) == 1);
	EVP_PKEY_free(pkf_key);

	/* Obsolete hex keys: modulus and private exponent, e = 0xFFFF. */
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *e = BN_new();
	EVP_PKEY *old = NULL;
	BN_set_word(e, 0xFFFF);
	CHECK(kctx && EVP_PKEY_keygen_init(kctx) > 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(kctx, 1024) > 0 &&
	      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(kctx, e) > 0 && EVP_PKEY_keygen(kctx, &old) > 0);
	EVP_PKEY_CTX_free(kctx);
	BN_free(e);
	char *n_hex = old ? bn_hex_param(old, OSSL_PKEY_PARAM_RSA_N) : NULL;
	char *d_hex = old ? bn_hex_param(old, OSSL_PKEY_PARAM_RSA_D) : NULL;
	if (n_hex && d_hex) {
		char c1[1200], c2[1200], c3[1200];
		snprintf(c1, sizeof(c1), "oldhost|PublicKey|%s", n_hex);
		snprintf(c2, sizeof(c2), "|PublicKey|%s", n_hex);
		snprintf(c3, sizeof(c3), "|PrivateKey|%s", d_hex);
		const char *old_config[] = {c1, c2, c3, NULL};
		fake_set_config(old_config);
		EVP_PKEY *opub = legacy_load_public_key("oldhost");
		EVP_PKEY *opriv = legacy_load_private_key();
		CHECK(opub && EVP_PKEY_eq(opub, old) == 1);
		CHECK(opriv != NULL);
		uint8_t msg[128], enc[128], dec[128];
		for (int i = 0; i < 128; i++)
			msg[i] = (uint8_t)(i * 7);
		msg[0] &= 0x7f;
		CHECK(opub && opriv && legacy_rsa_public_raw(opub, msg, enc) &&
		      legacy_rsa_private_raw(opriv, enc, dec) && !memcmp(msg, dec, sizeof(msg)));
		EVP_PKEY_free(opub);
		EVP_PKEY_free(opriv);
	}
	OPENSSL_free(n_hex);
	OPENSSL_free(d_hex);
	EVP_PKEY_free(old);

	EVP_PKEY_free(key);
	EVP_PKEY_free(pub);
	fake_set_config(base_config);
	fake_rmrf(dir);
}

/* A key pair made by tinc 1.0 itself must load. */
static void test_tincd_keys(void) {
	char dir[256], cmd[800], path[512];

	if (access("/usr/sbin/tincd", X_OK)) {
		fprintf(stderr, "tincd not installed, skipping the tincd -K check\n");
		return;
	}
	if (fake_mkdtemp(dir, sizeof(dir)))
		return;
	snprintf(path, sizeof(path), "%s/tinc.conf", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("Name = test\n", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/hosts", dir);
	mkdir(path, 0755);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/tincd -c '%s' -K1024 </dev/null >/dev/null 2>&1", dir);
	CHECK(system(cmd) == 0);

	strcpy(fake_confbase, dir);
	static const char *const no_file_config[] = {NULL};
	fake_set_config(no_file_config);
	EVP_PKEY *priv = legacy_load_private_key();
	EVP_PKEY *pub = legacy_load_public_key("test");
	CHECK(priv && pub && EVP_PKEY_eq(priv, pub) == 1 && legacy_rsa_size(priv) == 128);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	fake_set_config(base_config);
	fake_rmrf(dir);
}

int main(void) {
	strcpy(fake_confbase, "/nonexistent");
	CHECK(fake_init(base_config) == 0);
	test_ans_key();
	test_req_key();
	test_key_expire();
	test_key_files();
	test_tincd_keys();
	fake_fini();

	/* Settings are validated at init. */
	static const char *const bad_cipher[] = {"|Cipher|rot13", NULL};
	static const char *const bad_mac[] = {"|MACLength|33", NULL};
	static const char *const none_config[] = {"|Cipher|none", "|Digest|none", NULL};
	static const char *const small_cipher[] = {"|Cipher|aes-128-cbc", NULL};
	CHECK(fake_init(bad_cipher) < 0);
	CHECK(fake_init(bad_mac) < 0);
	CHECK(fake_init(none_config) == 0 && !lg.cipher && !lg.digest && lg.maclen == 0);
	CHECK(lg.meta_cipher == EVP_aes_128_cfb128());
	fake_fini();
	CHECK(fake_init(small_cipher) == 0 && lg.meta_cipher == EVP_aes_128_cfb128());
	fake_fini();
	return check_done("legacy_keys_test");
}
