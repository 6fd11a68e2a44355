/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Token buckets and the per-source table, driven by a fake clock. */
#include <arpa/inet.h>
#include <string.h>

#include "../../core/rate_limit.h"
#include "check.h"

static struct px_addr v4(const char *s) {
	struct px_addr a;
	memset(&a, 0, sizeof(a));
	a.in.sin_family = AF_INET;
	inet_pton(AF_INET, s, &a.in.sin_addr);
	a.len = sizeof(a.in);
	return a;
}

static struct px_addr v6(const char *s) {
	struct px_addr a;
	memset(&a, 0, sizeof(a));
	a.in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, s, &a.in6.sin6_addr);
	a.len = sizeof(a.in6);
	return a;
}

/* MaxConnectionBurst = 10: ten at once, then one a second. */
static void test_bucket_burst_then_rate(void) {
	struct token_bucket b;
	uint64_t t = 5000;
	token_bucket_init(&b, 10, 1000, t);
	int ok = 0;
	for (int i = 0; i < 50; i++)
		ok += token_bucket_take(&b, t);
	CHECK(ok == 10);
	CHECK(!token_bucket_take(&b, t + 999));
	CHECK(token_bucket_take(&b, t + 1000));
	CHECK(!token_bucket_take(&b, t + 1500));
	/* 100 attempts a second for 10 s: exactly one a second gets through. */
	ok = 0;
	for (int ms = 0; ms < 10000; ms += 10)
		ok += token_bucket_take(&b, t + 2000 + ms);
	CHECK(ok == 10);
	/* Idle for an hour: full again, never more than the burst. */
	CHECK(token_bucket_tokens(&b, t + 3600 * 1000) == 10);
	/* A clock that goes backwards adds nothing and does not wrap. */
	CHECK(token_bucket_tokens(&b, 1) == 10);
	/* Fractional rates: 16 a second. */
	token_bucket_init(&b, 64, 16000, 0);
	ok = 0;
	for (int ms = 0; ms <= 1000; ms++)
		ok += token_bucket_take(&b, (uint64_t)ms);
	CHECK(ok == 64 + 16);
	/* No refill at all. */
	token_bucket_init(&b, 1, 0, 0);
	CHECK(token_bucket_take(&b, 0));
	CHECK(!token_bucket_take(&b, UINT64_MAX / 2));
}

static void test_source_table(void) {
	static struct source_table t;
	source_table_init(&t, 5, 500);
	struct px_addr a = v4("198.18.1.7"), b = v4("198.18.1.8");
	int ok = 0;
	for (int i = 0; i < 20; i++)
		ok += source_table_take(&t, &a, 1000);
	CHECK(ok == 5);
	/* Another source is not affected. */
	CHECK(source_table_take(&t, &b, 1000));
	/* The port does not matter. */
	struct px_addr a2 = a;
	a2.in.sin_port = htons(4242);
	CHECK(!source_table_take(&t, &a2, 1000));
	/* One every two seconds per source. */
	CHECK(!source_table_take(&t, &a, 2900));
	CHECK(source_table_take(&t, &a, 3000));
	/* IPv6: the whole /64 is one source. */
	struct px_addr x = v6("2001:db8:1:2::1"), y = v6("2001:db8:1:2:ffff::9"), z = v6("2001:db8:1:3::1");
	ok = 0;
	for (int i = 0; i < 5; i++)
		ok += source_table_take(&t, &x, 1000);
	CHECK(ok == 5);
	CHECK(!source_table_take(&t, &y, 1000));
	CHECK(source_table_take(&t, &z, 1000));
}

/* Memory stays fixed: 100 000 sources only ever use the 256 slots, and the
 * most recently seen (throttled) sources keep their state. */
static void test_source_table_bounded(void) {
	static struct source_table t;
	source_table_init(&t, 1, 500);
	struct px_addr a = v4("198.18.200.1");
	CHECK(source_table_take(&t, &a, 0));
	for (uint32_t i = 0; i < 100000; i++) {
		struct px_addr s = v4("198.18.0.0");
		s.in.sin_addr.s_addr = htonl(0xc6120000u + (i % 200)); /* 200 distinct sources */
		source_table_take(&t, &s, 10 + i / 1000);
		if (i % 50 == 0)
			CHECK(!source_table_take(&t, &a, 10 + i / 1000));
	}
	unsigned used = 0;
	for (unsigned i = 0; i < SOURCE_TABLE_SLOTS; i++)
		used += t.slot[i].used;
	CHECK(used == 201);
	/* Now 1000 distinct sources: the table stays at its size and evicts the oldest. */
	for (uint32_t i = 0; i < 1000; i++) {
		struct px_addr s = v4("198.18.0.0");
		s.in.sin_addr.s_addr = htonl(0xc6130000u + i);
		CHECK(source_table_take(&t, &s, 200000 + i));
	}
	used = 0;
	for (unsigned i = 0; i < SOURCE_TABLE_SLOTS; i++)
		used += t.slot[i].used;
	CHECK(used == SOURCE_TABLE_SLOTS);
}

int main(void) {
	test_bucket_burst_then_rate();
	test_source_table();
	test_source_table_bounded();
	return check_done("rate_limit_test");
}
