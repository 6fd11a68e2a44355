/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Address parsing, formatting, comparison and hex helpers. */
#include <netdb.h>
#include <string.h>
#include <arpa/inet.h>

#include "check.h"
#include "model_stubs.h"
#include "netutl.h"

static void test_parse_format(void) {
	struct px_addr a, b;
	char host[64], port[16];

	CHECK(addr_parse("127.0.0.1", "655", &a) == 0);
	CHECK(a.sa.sa_family == AF_INET);
	CHECK(a.len == sizeof(struct sockaddr_in));
	CHECK(addr_port(&a) == 655);
	addr_format(&a, host, sizeof(host), port, sizeof(port));
	CHECK_STR(host, "127.0.0.1");
	CHECK_STR(port, "655");
	CHECK_STR(addr_str(&a), "127.0.0.1 port 655");

	CHECK(addr_parse("2001:db8::1", "10655", &b) == 0);
	CHECK(b.sa.sa_family == AF_INET6);
	CHECK_STR(addr_str(&b), "2001:db8::1 port 10655");

	/* addr_str rotates buffers: two results stay valid together. */
	const char *s1 = addr_str(&a), *s2 = addr_str(&b);
	CHECK_STR(s1, "127.0.0.1 port 655");
	CHECK_STR(s2, "2001:db8::1 port 10655");

	/* No port means port 0. */
	CHECK(addr_parse("198.18.0.1", NULL, &a) == 0);
	CHECK(addr_port(&a) == 0);

	/* Scope ids are not printed. */
	CHECK(addr_parse("fe80::1%1", "655", &a) == 0);
	addr_format(&a, host, sizeof(host), NULL, 0);
	CHECK_STR(host, "fe80::1");

	/* Bad input. */
	CHECK(addr_parse("localhost", "655", &a) == -1);
	CHECK(addr_parse("127.0.0.1", "http", &a) == -1);
	CHECK(addr_parse("127.0.0.1", "65a", &a) == -1);
	CHECK(addr_parse("1.2.3.4.5", "655", &a) == -1);
	CHECK(addr_parse("", "655", &a) == -1);
	CHECK(addr_parse(NULL, "655", &a) == -1);
	CHECK(addr_parse("unspec", "unspec", &a) == -1);
	CHECK(addr_parse("127.0.0.1", "99999", &a) == -1);

	/* Unset addresses format as tinc's "unspec". */
	memset(&a, 0, sizeof(a));
	addr_format(&a, host, sizeof(host), port, sizeof(port));
	CHECK_STR(host, "unspec");
	CHECK_STR(port, "unspec");
	CHECK_STR(addr_str(&a), "unspec port unspec");

	/* Truncating output buffers is safe. */
	CHECK(addr_parse("2001:db8::1234", "655", &b) == 0);
	addr_format(&b, host, 5, port, 2);
	CHECK_STR(host, "2001");
	CHECK_STR(port, "6");
}

static void test_compare(void) {
	struct px_addr a, b, c, d;

	CHECK(addr_parse("198.18.0.1", "655", &a) == 0);
	CHECK(addr_parse("198.18.0.1", "655", &b) == 0);
	CHECK(addr_parse("198.18.0.1", "656", &c) == 0);
	CHECK(addr_parse("198.18.0.2", "655", &d) == 0);
	CHECK(addr_equal(&a, &b));
	CHECK(addr_hash(&a) == addr_hash(&b));
	CHECK(!addr_equal(&a, &c));
	CHECK(!addr_equal(&a, &d));
	CHECK(addr_hash(&a) != addr_hash(&c) || addr_hash(&a) != addr_hash(&d));

	addr_set_port(&c, 655);
	CHECK(addr_equal(&a, &c));
	CHECK(addr_port(&c) == 655);

	struct px_addr v6, v6b;
	CHECK(addr_parse("2001:db8::1", "655", &v6) == 0);
	CHECK(addr_parse("2001:db8::1", "655", &v6b) == 0);
	CHECK(addr_equal(&v6, &v6b));
	CHECK(addr_hash(&v6) == addr_hash(&v6b));
	CHECK(!addr_equal(&a, &v6));
	addr_set_port(&v6b, 1);
	CHECK(!addr_equal(&v6, &v6b));
	CHECK(addr_port(&v6b) == 1);
}

static void test_unmap(void) {
	struct px_addr a, b;

	CHECK(addr_parse("::ffff:198.18.1.2", "700", &a) == 0);
	CHECK(a.sa.sa_family == AF_INET6);
	addr_unmap(&a);
	CHECK(a.sa.sa_family == AF_INET);
	CHECK(a.len == sizeof(struct sockaddr_in));
	CHECK(addr_parse("198.18.1.2", "700", &b) == 0);
	CHECK(addr_equal(&a, &b));
	CHECK_STR(addr_str(&a), "198.18.1.2 port 700");

	/* Plain addresses are left alone. */
	CHECK(addr_parse("2001:db8::5", "700", &a) == 0);
	addr_unmap(&a);
	CHECK(a.sa.sa_family == AF_INET6);
	addr_unmap(&b);
	CHECK(b.sa.sa_family == AF_INET);
}

static void test_resolve(void) {
	struct px_addr out[4];

	int n = addr_resolve("127.0.0.1", "655", AF_UNSPEC, false, out, 4);
	CHECK(n == 1);
	CHECK(n >= 1 && out[0].sa.sa_family == AF_INET && addr_port(&out[0]) == 655);

	n = addr_resolve(NULL, "655", AF_INET, true, out, 4);
	CHECK(n == 1);
	CHECK(n >= 1 && out[0].in.sin_addr.s_addr == htonl(INADDR_ANY));

	n = addr_resolve("127.0.0.1", "655", AF_INET, false, out, 0);
	CHECK(n == 0);

	/* Failures return 0 and log (an unknown service fails without any DNS traffic). */
	stub_log_clear();
	n = addr_resolve("127.0.0.1", "no_such_service_xyz", AF_INET, false, out, 4);
	CHECK(n == 0);
	CHECK(stub_log_contains("no_such_service_xyz"));
}

static void test_hex(void) {
	const uint8_t bin[] = {0x00, 0x01, 0xab, 0xff, 0x7e};
	char hex[11];
	uint8_t back[8];

	bin2hex(bin, sizeof(bin), hex);
	CHECK_STR(hex, "0001ABFF7E");
	CHECK(hex2bin(hex, back, sizeof(back)) == 5);
	CHECK(!memcmp(back, bin, sizeof(bin)));
	CHECK(hex2bin("0001abff7e", back, sizeof(back)) == 5);
	CHECK(!memcmp(back, bin, sizeof(bin)));

	bin2hex(bin, 0, hex);
	CHECK_STR(hex, "");
	CHECK(hex2bin("", back, sizeof(back)) == 0);

	CHECK(hex2bin("abc", back, sizeof(back)) == -1); /* odd */
	CHECK(hex2bin("zz", back, sizeof(back)) == -1);
	CHECK(hex2bin("0g", back, sizeof(back)) == -1);
	CHECK(hex2bin(" 00", back, sizeof(back)) == -1);
	CHECK(hex2bin("000102030405060708", back, sizeof(back)) == -1); /* 9 bytes > 8 */
	CHECK(hex2bin("0001020304050607", back, sizeof(back)) == 8);
}

/* Hostnames = yes: addr_str() gives what the resolver says (here from
 * /etc/hosts and /etc/services), addr_format() stays numeric. */
static void test_hostnames(void) {
	struct px_addr a;
	char want_h[NI_MAXHOST], want_p[NI_MAXSERV], want[NI_MAXHOST + NI_MAXSERV + 8], host[64];
	CHECK(addr_parse("127.0.0.1", "655", &a) == 0);
	if (getnameinfo(&a.sa, a.len, want_h, sizeof(want_h), want_p, sizeof(want_p), 0) ||
	    !strcmp(want_h, "127.0.0.1")) {
		printf("netutl_test: no name for 127.0.0.1, Hostnames check skipped\n");
		return;
	}
	snprintf(want, sizeof(want), "%s port %s", want_h, want_p);
	addr_set_hostnames(true);
	CHECK_STR(addr_str(&a), want);
	addr_format(&a, host, sizeof(host), NULL, 0);
	CHECK_STR(host, "127.0.0.1");
	addr_set_hostnames(false);
	CHECK_STR(addr_str(&a), "127.0.0.1 port 655");
}

int main(void) {
	test_parse_format();
	test_hostnames();
	test_compare();
	test_unmap();
	test_resolve();
	test_hex();
	return check_done("netutl_test");
}
