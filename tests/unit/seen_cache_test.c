/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The dedupe cache of flooded requests (issue 11): a line is reported as
 * seen while it is remembered; the cache never holds more than its capacity
 * (the oldest go first), ageing forgets old lines only, and a million
 * distinct lines cost bounded time and no more memory than the capacity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "check.h"
#include "seen_cache.h"

static const char *line_n(unsigned n) {
	static char buf[64];
	snprintf(buf, sizeof(buf), "12 %x alice bob 198.18.0.1 655 0 %u", n, n % 100);
	return buf;
}

static double seconds(void) {
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: other load does not count */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_basic(void) {
	CHECK(!seen_cache_check("10 1 alice 10.0.0.0/8#10", 1000));
	CHECK(seen_cache_check("10 1 alice 10.0.0.0/8#10", 1001));
	CHECK(!seen_cache_check("10 2 alice 10.0.0.0/8#10", 1002));
	CHECK(!seen_cache_check("", 1003));
	CHECK(seen_cache_check("", 1004));
	CHECK(seen_cache_count() == 3);
	/* Ageing: only lines older than max_age go. */
	seen_cache_age(1002 + 500, 500);
	CHECK(seen_cache_count() == 2);
	CHECK(!seen_cache_check("10 1 alice 10.0.0.0/8#10", 1600));
	CHECK(seen_cache_check("10 2 alice 10.0.0.0/8#10", 1601));
	seen_cache_age(100000, 500);
	CHECK(seen_cache_count() == 0);
	seen_cache_flush();
	CHECK(seen_cache_count() == 0);
	CHECK(!seen_cache_check("10 2 alice 10.0.0.0/8#10", 1));
	seen_cache_flush();
}

static void test_capacity(void) {
	enum { EXTRA = 1000 };
	uint64_t evicted0 = seen_cache_evicted_full();

	for (unsigned i = 0; i < SEEN_CACHE_CAPACITY + EXTRA; i++) {
		CHECK(!seen_cache_check(line_n(i), 5000));
	}

	CHECK(seen_cache_count() == SEEN_CACHE_CAPACITY);
	CHECK(seen_cache_evicted_full() - evicted0 == EXTRA);
	/* The newest are remembered, the oldest were evicted first. */
	int newest_seen = 0, oldest_seen = 0;

	for (unsigned i = SEEN_CACHE_CAPACITY + EXTRA - 100; i < SEEN_CACHE_CAPACITY + EXTRA; i++) {
		newest_seen += seen_cache_check(line_n(i), 5001);
	}

	for (unsigned i = 0; i < 100; i++) {
		oldest_seen += seen_cache_check(line_n(i), 5001); /* re-inserts them */
	}

	CHECK(newest_seen == 100);
	CHECK(oldest_seen == 0);
	CHECK(seen_cache_count() == SEEN_CACHE_CAPACITY);
	seen_cache_flush();
}

/* A flood of 300 000 distinct lines: bounded time and entries. */
static void test_flood(void) {
	double t0 = seconds();

	for (unsigned i = 0; i < 300000; i++) {
		seen_cache_check(line_n(i), i / 1000);

		if (i % 10000 == 0) {
			seen_cache_age(i / 1000, 60000);
		}
	}

	double t = seconds() - t0;
	fprintf(stderr, "flood: 300000 distinct lines in %.3f s, %zu remembered\n", t, seen_cache_count());
	CHECK(seen_cache_count() == SEEN_CACHE_CAPACITY);
	CHECK(t < 5.0);
	seen_cache_flush();
}

int main(void) {
	if (sodium_init() < 0) {
		return 99;
	}

	test_basic();
	test_capacity();
	test_flood();
	return check_done("seen_cache_test");
}
