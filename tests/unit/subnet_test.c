/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Subnet syntax (tinc 1.0 and 1.1 forms), formatting and the lookup table. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model_stubs.h"
#include "node.h"
#include "subnet.h"

static struct subnet parsed(const char *str) {
	struct subnet s;

	memset(&s, 0xAA, sizeof(s));
	CHECK(subnet_parse(str, &s));
	return s;
}

static const char *fmt10(const char *str) {
	static char buf[SUBNET_MAXSTR];
	struct subnet s = parsed(str);

	subnet_format(&s, buf, sizeof(buf));
	return buf;
}

static const char *fmt11(const char *str) {
	static char buf[SUBNET_MAXSTR];
	struct subnet s = parsed(str);

	subnet_format_compact(&s, buf, sizeof(buf));
	return buf;
}

static void test_parse_good(void) {
	struct subnet s = parsed("10.0.0.0/8");
	CHECK(s.type == SUBNET_IPV4);
	CHECK(s.prefix == 8);
	CHECK(s.weight == SUBNET_DEFAULT_WEIGHT);
	CHECK(s.addr[0] == 10 && s.addr[1] == 0 && s.addr[2] == 0 && s.addr[3] == 0);

	s = parsed("192.168.1.7");
	CHECK(s.type == SUBNET_IPV4 && s.prefix == 32 && s.weight == 10);
	CHECK(s.addr[3] == 7);

	s = parsed("10.0.0.0/8#5");
	CHECK(s.prefix == 8 && s.weight == 5);

	s = parsed("10.1.2.3#-7");
	CHECK(s.prefix == 32 && s.weight == -7);

	s = parsed("0.0.0.0/0");
	CHECK(s.prefix == 0);

	s = parsed("fd00::/8");
	CHECK(s.type == SUBNET_IPV6 && s.prefix == 8 && s.addr[0] == 0xfd);

	s = parsed("fd00::1");
	CHECK(s.type == SUBNET_IPV6 && s.prefix == 128 && s.addr[15] == 1);

	s = parsed("fd00:0:0:0:0:0:0:1/128#10");
	CHECK(s.type == SUBNET_IPV6 && s.prefix == 128 && s.addr[15] == 1 && s.weight == 10);

	s = parsed("::ffff:1.2.3.4/128#3");
	CHECK(s.type == SUBNET_IPV6 && s.addr[12] == 1 && s.addr[15] == 4 && s.weight == 3);

	s = parsed("00:11:22:aa:BB:cc");
	CHECK(s.type == SUBNET_MAC && s.prefix == 48 && s.weight == 10);
	CHECK(s.addr[0] == 0 && s.addr[1] == 0x11 && s.addr[4] == 0xbb && s.addr[5] == 0xcc);

	/* tinc 1.0 prints single-digit groups. */
	s = parsed("0:1:2:a:b:c#10");
	CHECK(s.type == SUBNET_MAC && s.addr[3] == 0xa && s.addr[5] == 0xc);

	s = parsed("0000:01:2:3:4:0ff#2");
	CHECK(s.type == SUBNET_MAC && s.addr[5] == 0xff && s.weight == 2);
}

static void test_parse_bad(void) {
	static const char *bad[] = {
	    "",
	    "10.0.0.0/33",
	    "10.0.0.0/-1",
	    "10.0.0.0/",
	    "10.0.0.0/8#",
	    "10.0.0.0/8#x",
	    "10.0.0.0/8#5#6",
	    "10.0.0.0/8/8",
	    "10.0.0.0/x",
	    "10.0.0.0/8 ",
	    " 10.0.0.1",
	    "10.0.0",
	    "10.0.0.0.0",
	    "300.1.1.1",
	    "10.0.0.1#99999999999",
	    "10.0.0.0/99999999999",
	    "fd00::/129",
	    "fd00:::1",
	    "fd00::g",
	    "00:11:22:33:44:55/48",
	    "00:11:22:33:44",
	    "00:11:22:33:44:55:66",
	    "100:1:2:3:4:5",
	    "00000:1:2:3:4:5",
	    "00:11:22:33:44:",
	    ":11:22:33:44:55",
	    "00:11:22:33:44:5g",
	    "hello",
	    "#10",
	    "/8",
	    "10.0.0.1/8junk",
	    "1.2.3.4 junk",
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct subnet s = {.weight = 77};

		if (subnet_parse(bad[i], &s)) {
			fprintf(stderr, "accepted bad subnet \"%s\"\n", bad[i]);
			CHECK(!"bad subnet accepted");
		}

		CHECK(s.weight == 77); /* untouched on failure */
	}

	CHECK(!subnet_parse(NULL, &(struct subnet){0}));
}

static void test_hostbits(void) {
	struct subnet s = parsed("10.0.0.1/8");
	CHECK(!subnet_hostbits_clear(&s));
	s = parsed("10.0.0.0/8");
	CHECK(subnet_hostbits_clear(&s));
	s = parsed("10.128.0.0/9");
	CHECK(subnet_hostbits_clear(&s));
	s = parsed("10.128.0.0/8");
	CHECK(!subnet_hostbits_clear(&s));
	s = parsed("0.0.0.0/0");
	CHECK(subnet_hostbits_clear(&s));
	s = parsed("1.0.0.0/0");
	CHECK(!subnet_hostbits_clear(&s));
	s = parsed("10.1.2.3");
	CHECK(subnet_hostbits_clear(&s));
	s = parsed("fd00::1/64");
	CHECK(!subnet_hostbits_clear(&s));
	s = parsed("fd00::/64");
	CHECK(subnet_hostbits_clear(&s));
	s = parsed("fd00::1");
	CHECK(subnet_hostbits_clear(&s));
	s = parsed("ff:ff:ff:ff:ff:ff");
	CHECK(subnet_hostbits_clear(&s));
}

static void test_format(void) {
	/* tinc 1.0 syntax: always /prefix#weight, %x groups. */
	CHECK_STR(fmt10("10.0.0.1"), "10.0.0.1/32#10");
	CHECK_STR(fmt10("10.0.0.0/8#5"), "10.0.0.0/8#5");
	CHECK_STR(fmt10("fd00::1"), "fd00:0:0:0:0:0:0:1/128#10");
	CHECK_STR(fmt10("2001:db8:abcd::/48#1"), "2001:db8:abcd:0:0:0:0:0/48#1");
	CHECK_STR(fmt10("00:01:02:0a:0b:0c"), "0:1:2:a:b:c#10");
	CHECK_STR(fmt10("10.1.2.3#-7"), "10.1.2.3/32#-7");

	/* tinc 1.1 compact syntax. */
	CHECK_STR(fmt11("10.0.0.1/32#10"), "10.0.0.1");
	CHECK_STR(fmt11("10.0.0.0/8"), "10.0.0.0/8");
	CHECK_STR(fmt11("10.0.0.0/8#5"), "10.0.0.0/8#5");
	CHECK_STR(fmt11("fd00:0:0:0:0:0:0:1/128#10"), "fd00::1");
	CHECK_STR(fmt11("fd00::/8#20"), "fd00::/8#20");
	CHECK_STR(fmt11("0:1:2:a:b:c#10"), "00:01:02:0a:0b:0c");
	CHECK_STR(fmt11("0:1:2:a:b:c#5"), "00:01:02:0a:0b:0c#5");

	/* Round trips through both formats. */
	static const char *samples[] = {"10.0.0.0/8#5", "1.2.3.4",         "fd00::/64#0",
	                                "::/0",         "ff:0:1:2:3:4#99", "2001:db8::1:2/127"};

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct subnet a = parsed(samples[i]), b, c;
		char buf[SUBNET_MAXSTR];

		subnet_format(&a, buf, sizeof(buf));
		CHECK(subnet_parse(buf, &b));
		CHECK(subnet_equal(&a, &b));
		subnet_format_compact(&a, buf, sizeof(buf));
		CHECK(subnet_parse(buf, &c));
		CHECK(subnet_equal(&a, &c));
	}

	/* Truncation is safe. */
	char small[6];
	struct subnet s = parsed("10.0.0.0/8");
	subnet_format(&s, small, sizeof(small));
	CHECK_STR(small, "10.0.");
}

static void test_equal(void) {
	struct subnet a = parsed("10.0.0.0/8"), b = parsed("10.0.0.0/8#10");
	CHECK(subnet_equal(&a, &b));
	b = parsed("10.0.0.0/8#11");
	CHECK(!subnet_equal(&a, &b));
	b = parsed("10.0.0.0/9");
	CHECK(!subnet_equal(&a, &b));
	b = parsed("11.0.0.0/8");
	CHECK(!subnet_equal(&a, &b));
	b = parsed("a::/8");
	CHECK(!subnet_equal(&a, &b));
}

static struct subnet *add(node_t *owner, const char *str) {
	struct subnet *s = subnet_new();

	CHECK(s->weight == SUBNET_DEFAULT_WEIGHT);
	CHECK(subnet_parse(str, s));
	subnet_add(owner, s);
	return s;
}

static const uint8_t *ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
	static uint8_t buf[4];

	buf[0] = a;
	buf[1] = b;
	buf[2] = c;
	buf[3] = d;
	return buf;
}

static void test_table(void) {
	node_t *a = node_new("a"), *b = node_new("b");

	node_add(a);
	node_add(b);
	a->reachable = true;
	b->reachable = false;

	struct subnet *s8 = add(a, "10.0.0.0/8");
	struct subnet *s16 = add(b, "10.1.0.0/16");
	struct subnet *s24w20 = add(a, "10.1.2.0/24#20");
	struct subnet *s24w5 = add(a, "10.1.2.0/24#5");
	struct subnet *host = add(b, "10.1.2.3");
	struct subnet *v6 = add(a, "fd00::/16");
	struct subnet *v6b = add(a, "fd00:1::/32");
	struct subnet *mac = add(b, "00:11:22:33:44:55");

	/* Table order: type, longest prefix first, then weight. */
	struct subnet *prev = NULL, *it;
	list_for_each_entry(it, &subnet_table, table_link) {
		if (prev && prev->type == it->type) {
			CHECK(prev->prefix > it->prefix ||
			      (prev->prefix == it->prefix && prev->weight <= it->weight));
		}

		prev = it;
	}

	CHECK(subnet_lookup_ipv4(ip4(10, 200, 0, 1)) == s8);
	CHECK(subnet_lookup_ipv4(ip4(11, 0, 0, 1)) == NULL);
	/* Longest prefix, then lowest weight. */
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 2, 4)) == s24w5);
	/* b is unreachable: its /32 and /16 lose to a's reachable shorter prefixes. */
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 2, 3)) == s24w5);
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 9, 9)) == s8);

	/* Cached results follow reachability changes after a flush. */
	b->reachable = true;
	subnet_cache_flush();
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 2, 3)) == host);
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 9, 9)) == s16);

	/* Nothing reachable: the best match is still returned. */
	a->reachable = false;
	b->reachable = false;
	subnet_cache_flush();
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 2, 3)) == host);
	CHECK(subnet_lookup_ipv4(ip4(10, 7, 7, 7)) == s8);
	a->reachable = true;
	b->reachable = true;
	subnet_cache_flush();

	uint8_t addr6[16] = {0xfd, 0x00, 0x00, 0x01, [15] = 1};
	CHECK(subnet_lookup_ipv6(addr6) == v6b);
	addr6[3] = 2;
	CHECK(subnet_lookup_ipv6(addr6) == v6);
	addr6[0] = 0xfe;
	CHECK(subnet_lookup_ipv6(addr6) == NULL);

	uint8_t m[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	CHECK(subnet_lookup_mac(m) == mac);
	m[5] = 0x56;
	CHECK(subnet_lookup_mac(m) == NULL);

	/* subnet_find is exact and per owner. */
	struct subnet probe = parsed("10.1.2.0/24#20");
	CHECK(subnet_find(a, &probe) == s24w20);
	CHECK(subnet_find(b, &probe) == NULL);
	probe = parsed("10.1.2.0/24#21");
	CHECK(subnet_find(a, &probe) == NULL);

	/* Deleting invalidates the cache. */
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 2, 4)) == s24w5);
	subnet_del(s24w5);
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 2, 4)) == s24w20);

	/* Broadcast subnets have no owner and count as reachable. */
	struct subnet *bcast = subnet_new();
	CHECK(subnet_parse("255.255.255.255", bcast));
	subnet_add(NULL, bcast);
	CHECK(subnet_lookup_ipv4(ip4(255, 255, 255, 255)) == bcast);
	subnet_del(bcast);
	CHECK(subnet_lookup_ipv4(ip4(255, 255, 255, 255)) == NULL);

	/* node_del takes the node's subnets out of the table. */
	node_del(b);
	CHECK(subnet_lookup_mac((uint8_t[6]){0x00, 0x11, 0x22, 0x33, 0x44, 0x55}) == NULL);
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 2, 3)) == s24w20);
	CHECK(subnet_lookup_ipv4(ip4(10, 1, 9, 9)) == s8);

	(void)v6;
	node_free_all();
	CHECK(list_empty(&subnet_table));
}

/* Many subnets: lookups stay correct beyond the cache size. */
static void test_many(void) {
	node_t *n = node_new("many");
	node_add(n);
	n->reachable = true;

	for (int i = 0; i < 300; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "10.%d.%d.0/24", i / 256, i % 256);
		add(n, buf);
	}

	for (int i = 0; i < 300; i++) {
		struct subnet *s = subnet_lookup_ipv4(ip4(10, (uint8_t)(i / 256), (uint8_t)(i % 256), 9));
		CHECK(s && s->addr[1] == i / 256 && s->addr[2] == i % 256);
	}

	CHECK(subnet_lookup_ipv4(ip4(10, 2, 0, 1)) == NULL);
	node_free_all();
	CHECK(list_empty(&subnet_table));
}

static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n) {
	rnd_state = rnd_state * 1103515245 + 12345;
	return (rnd_state >> 16) % n;
}

/* Random subnets formatted both ways and then mutated: never crash; whatever
 * parses must survive a round trip through both formats unchanged. */
static void test_random(void) {
	static const char alphabet[] = "0123456789abcdefABCDEF:./#- ";
	char str[SUBNET_MAXSTR], buf[SUBNET_MAXSTR];
	int accepted = 0;

	for (int i = 0; i < 50000; i++) {
		struct subnet a = {.type = (enum subnet_type)rnd(3), .weight = (int)rnd(40) - 5};

		for (int j = 0; j < 16; j++) {
			a.addr[j] = (uint8_t)rnd(256);
		}

		a.prefix = a.type == SUBNET_MAC ? 48 : (int)rnd(a.type == SUBNET_IPV4 ? 33 : 129);

		if (rnd(2)) {
			subnet_format(&a, str, sizeof(str));
		} else {
			subnet_format_compact(&a, str, sizeof(str));
		}

		for (unsigned m = rnd(3); m; m--) {
			size_t len = strlen(str), pos = rnd((unsigned)len + 1);

			switch (rnd(3)) {
			case 0: /* delete */
				if (pos < len) {
					memmove(str + pos, str + pos + 1, len - pos);
				}
				break;
			case 1: /* replace */
				if (pos < len) {
					str[pos] = alphabet[rnd(sizeof(alphabet) - 1)];
				}
				break;
			default: /* insert */
				if (len + 1 < sizeof(str)) {
					memmove(str + pos + 1, str + pos, len - pos + 1);
					str[pos] = alphabet[rnd(sizeof(alphabet) - 1)];
				}
				break;
			}
		}

		struct subnet p, q;

		if (!subnet_parse(str, &p)) {
			continue;
		}

		accepted++;
		CHECK(p.prefix >= 0 && p.prefix <= (p.type == SUBNET_IPV6   ? 128
		                                    : p.type == SUBNET_IPV4 ? 32
		                                                            : 48));
		subnet_format(&p, buf, sizeof(buf));
		CHECK(subnet_parse(buf, &q) && subnet_equal(&p, &q));
		subnet_format_compact(&p, buf, sizeof(buf));
		CHECK(subnet_parse(buf, &q) && subnet_equal(&p, &q));
	}

	fprintf(stderr, "random: %d of 50000 accepted\n", accepted);
	CHECK(accepted > 10000);
}

/* A hand-built subnet with an impossible prefix never matches (no over-read). */
static void test_bogus_prefix(void) {
	node_t *n = node_new("bogus");
	node_add(n);
	n->reachable = true;
	struct subnet *s = subnet_new();
	s->type = SUBNET_IPV4;
	s->prefix = 200;
	subnet_add(n, s);
	CHECK(subnet_lookup_ipv4(ip4(0, 0, 0, 0)) == NULL);
	node_free_all();
}

int main(void) {
	test_random();
	test_bogus_prefix();
	test_parse_good();
	test_parse_bad();
	test_hostbits();
	test_format();
	test_equal();
	test_table();
	test_many();
	return check_done("subnet_test");
}
