/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * update-hosts pieces without a network: node-name rules, strict base64,
 * request line parsing and formatting, signatures (sign, verify, every field
 * covered, wrong key), the host-file reader, template validation and the
 * CONFUPDATE merge with its preserved variables.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

#include "check.h"
#include "../../plugins/update-hosts/update.h"

static void quiet_log(px_plugin *self, int level, const char *fmt, ...) {
	(void)self, (void)level, (void)fmt;
}

static const char *no_conf(const char *host, const char *var, int index) {
	(void)host, (void)var, (void)index;
	return NULL;
}

static const struct px_host mini_host = {
    .size = sizeof(struct px_host),
    .log = quiet_log,
    .conf_get = no_conf,
};

static void test_names(void) {
	CHECK(uh_valid_name("node_1"));
	CHECK(uh_valid_name("A"));
	CHECK(!uh_valid_name(""));
	CHECK(!uh_valid_name(".."));
	CHECK(!uh_valid_name("../etc"));
	CHECK(!uh_valid_name("a/b"));
	CHECK(!uh_valid_name("a.b"));
	CHECK(!uh_valid_name("a-b"));
	CHECK(!uh_valid_name("a b"));
	char longname[UH_MAX_NAME + 2];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK(!uh_valid_name(longname));
}

static void test_b64(void) {
	char out[64];
	uint8_t raw[64];
	size_t n;
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (int i = 0; i < 7; i++) {
		uh_b64_encode((const uint8_t *)plain[i], strlen(plain[i]), out, sizeof(out));
		CHECK_STR(out, enc[i]);
		if (i) {
			CHECK(uh_b64_decode(enc[i], raw, sizeof(raw), &n) == 0);
			CHECK(n == strlen(plain[i]) && !memcmp(raw, plain[i], n));
		}
	}
	CHECK(uh_b64_decode("", raw, sizeof(raw), &n) < 0);
	CHECK(uh_b64_decode("Zg=", raw, sizeof(raw), &n) < 0);
	CHECK(uh_b64_decode("Z===", raw, sizeof(raw), &n) < 0);
	CHECK(uh_b64_decode("Zg==Zg==", raw, sizeof(raw), &n) < 0);
	CHECK(uh_b64_decode("Zm9v\n", raw, sizeof(raw), &n) < 0);
	CHECK(uh_b64_decode("Zm-v", raw, sizeof(raw), &n) < 0);
	CHECK(uh_b64_decode("Zm9vYmFy", raw, 5, &n) < 0); /* does not fit */
	CHECK(uh_b64_encode((const uint8_t *)"foobar", 6, out, 8) == 0);
}

static EVP_PKEY *key_a, *key_b;

static void test_lines_and_signatures(void) {
	static struct uh_msg m, p;
	static char line[UH_LINE_MAX + 1];
	const char *why;
	memset(&m, 0, sizeof(m));
	m.id = PX_REQ_HOSTUPDATE;
	strcpy(m.nonce, "00112233445566ff");
	strcpy(m.updater, "U");
	m.serial = 1700000000123ull;
	m.op = UH_OP_FILE;
	strcpy(m.host, "node_2");
	m.len = 5;
	memcpy(m.data, "a=b\n\n", 5);
	CHECK(uh_sign(&m, key_a) == 0);
	CHECK(m.siglen == 256);
	CHECK(uh_format(&m, line, sizeof(line)) > 0);
	CHECK(uh_parse(line, PX_REQ_HOSTUPDATE, &p, &why) == 0);
	CHECK_STR(p.updater, "U");
	CHECK_STR(p.host, "node_2");
	CHECK(p.serial == m.serial && p.op == UH_OP_FILE && p.len == 5 && !memcmp(p.data, m.data, 5));
	CHECK(uh_verify(&p, key_a));
	CHECK(!uh_verify(&p, key_b)); /* wrong key */

	/* every signed field matters */
	struct uh_msg t = p;
	t.serial++;
	CHECK(!uh_verify(&t, key_a));
	t = p;
	strcpy(t.host, "node_3");
	CHECK(!uh_verify(&t, key_a));
	t = p;
	strcpy(t.updater, "V");
	CHECK(!uh_verify(&t, key_a));
	t = p;
	t.op = UH_OP_DEAD;
	CHECK(!uh_verify(&t, key_a));
	t = p;
	t.data[0] ^= 1;
	CHECK(!uh_verify(&t, key_a));
	t = p;
	t.len = 4;
	CHECK(!uh_verify(&t, key_a));
	t = p;
	t.id = PX_REQ_CONFUPDATE; /* a HOSTUPDATE signature is no CONFUPDATE one */
	CHECK(!uh_verify(&t, key_a));
	t = p;
	t.sig[10] ^= 0x40;
	CHECK(!uh_verify(&t, key_a));
	t = p;
	t.siglen = 255;
	CHECK(!uh_verify(&t, key_a));
	/* the nonce is not signed: it only keeps flooded lines distinct */
	t = p;
	strcpy(t.nonce, "ffffffffffffffff");
	CHECK(uh_verify(&t, key_a));

	/* CONFUPDATE round trip */
	m.id = PX_REQ_CONFUPDATE;
	m.op = UH_OP_CONF;
	strcpy(m.host, "-");
	CHECK(uh_sign(&m, key_a) == 0);
	CHECK(uh_format(&m, line, sizeof(line)) > 0);
	const char *head = "101 00112233445566ff U 1700000000123 ";
	CHECK(!strncmp(line, head, strlen(head)));
	CHECK(uh_parse(line, PX_REQ_CONFUPDATE, &p, &why) == 0);
	CHECK(uh_verify(&p, key_a));
	CHECK(uh_parse(line, PX_REQ_HOSTUPDATE, &p, &why) < 0);

	/* malformed lines */
	CHECK(uh_parse("100 00112233445566ff U 1 START - - 0 4 AAAAAA== extra", PX_REQ_HOSTUPDATE, &p, &why) <
	      0);
	CHECK(uh_parse("100 0011223344556600 U 1 START - - 0 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) == 0);
	CHECK(uh_parse("100 00112233445566GG U 1 START - - 0 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U 0 START - - 0 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U -1 START - - 0 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U 99999999999999999999999 START - - 0 4 AAAAAA==",
	               PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U 1 STOP - - 0 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U 1 START A - 0 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U 1 FILE - - 0 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U 1 DEAD A Zg== 1 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U 1 FILE A Zg== 1 0 -", PX_REQ_HOSTUPDATE, &p, &why) < 0);
	CHECK(uh_parse("100 0011223344556600 U 1 FILE A Zg== 1 2000 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) <
	      0);
	CHECK(uh_parse("100 0011223344556600 U 1 FILE A Zg== +1 4 AAAAAA==", PX_REQ_HOSTUPDATE, &p, &why) <
	      0);
}

static void test_text(void) {
	const char *text = "# comment\nAddress = 1.2.3.4\n  hostsfilesmaster=yes\nPort 655\n"
	                   "-----BEGIN RSA PUBLIC KEY-----\nDeadHost = yes\n-----END RSA PUBLIC KEY-----\n"
	                   "Subnet = 10.0.0.0/8   \r\n";
	char v[64];
	CHECK(uh_text_get(text, "Address", v, sizeof(v)) && !strcmp(v, "1.2.3.4"));
	CHECK(uh_text_get(text, "Port", v, sizeof(v)) && !strcmp(v, "655"));
	CHECK(uh_text_get(text, "Subnet", v, sizeof(v)) && !strcmp(v, "10.0.0.0/8"));
	CHECK(uh_text_bool(text, "HostsFilesMaster", false));
	CHECK(!uh_text_bool(text, "DeadHost", false)); /* inside the PEM block */
	CHECK(!uh_text_bool(text, "Addr", false));
	CHECK(!uh_text_bool(NULL, "X", false));
}

static void test_template_and_merge(void) {
	const char *why;
	const char *good = "# net\nPingInterval = 30\nMode=switch\n\n  Cipher aes-256-cbc\n";
	CHECK(uh_template_valid(good, strlen(good), &why));
	CHECK(!uh_template_valid("PingInterval\n", 13, &why));
	CHECK(!uh_template_valid("PingInterval =\n", 15, &why));
	CHECK(!uh_template_valid("= 3\n", 4, &why));
	CHECK(!uh_template_valid("A = \001\n", 6, &why));
	CHECK(!uh_template_valid("A = \xc3\xa9\n", 7, &why));

	CHECK(uh_preserved_var("name") && uh_preserved_var("PrivateKeyFile") && uh_preserved_var("Port"));
	CHECK(uh_preserved_var("ConnectTo") && uh_preserved_var("IgnoreConfUpdates"));
	CHECK(!uh_preserved_var("PingInterval") && !uh_preserved_var("Mode"));

	const char *current = "Name = me\nPort = 700\nPingInterval = 60\nConnectTo = a\nConnectTo = b\n"
	                      "Mode = router\nIgnoreHostsUpdates = yes\n";
	const char *tmpl =
	    "PingInterval = 30\nName = other\nPort = 1\nMode = switch\nDontVerifyUpdateSignature = yes\n";
	char *merged = uh_merge_conf(current, tmpl, strlen(tmpl), "U", 42);
	CHECK(merged != NULL);
	if (merged) {
		CHECK(strstr(merged, "Name = me\n") && strstr(merged, "Port = 700\n"));
		CHECK(strstr(merged, "ConnectTo = a\nConnectTo = b\n") != NULL);
		CHECK(strstr(merged, "IgnoreHostsUpdates = yes\n") != NULL);
		CHECK(strstr(merged, "PingInterval = 30\n") && strstr(merged, "Mode = switch\n"));
		CHECK(!strstr(merged, "other") && !strstr(merged, "Port = 1\n") && !strstr(merged, "= 60"));
		CHECK(!strstr(merged, "router") && !strstr(merged, "DontVerifyUpdateSignature"));
		/* merging again with the same template is stable */
		char *again = uh_merge_conf(merged, tmpl, strlen(tmpl), "U", 43);
		CHECK_STR(again, merged);
		free(again);
	}
	free(merged);
}

int main(void) {
	uh.host = &mini_host;
	key_a = EVP_RSA_gen(2048);
	key_b = EVP_RSA_gen(2048);
	CHECK(key_a && key_b);
	test_names();
	test_b64();
	if (key_a && key_b)
		test_lines_and_signatures();
	test_text();
	test_template_and_merge();
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	return check_done("update_codec_test");
}
