/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Admission of strangers with a fake clock: MaxConnectionBurst overall, the
 * per-source burst, the cap on unauthenticated connections and the
 * handshake budget, linked against the real core.
 */
#include <arpa/inet.h>
#include <string.h>

#include "admission.h"
#include "check.h"

static struct px_addr v4(const char *s) {
	struct px_addr a;
	memset(&a, 0, sizeof(a));
	a.in.sin_family = AF_INET;
	inet_pton(AF_INET, s, &a.in.sin_addr);
	a.len = sizeof(a.in);
	return a;
}

static int accept_n(const char *src, int n, uint64_t now) {
	struct px_addr a = v4(src);
	int ok = 0;
	for (int i = 0; i < n; i++)
		ok += admission_accept(&a, 0, now);
	return ok;
}

static void test_connection_burst(void) {
	admission_configure(10, 1000);
	/* One source: half the burst. */
	CHECK(accept_n("198.18.1.97", 20, 1000) == 5);
	/* Others share what is left of MaxConnectionBurst. */
	CHECK(accept_n("198.18.1.98", 20, 1000) == 5);
	CHECK(accept_n("198.18.1.99", 20, 1000) == 0);
	/* Then one a second overall. */
	CHECK(accept_n("198.18.1.99", 20, 2000) == 1);
	CHECK(accept_n("198.18.1.99", 20, 2500) == 0);
	/* A source that keeps trying does not eat the global budget. */
	uint64_t t = 10000;
	admission_configure(10, t);
	int others = 0;
	for (int s = 0; s < 60; s++) {
		accept_n("198.18.1.97", 100, t + (uint64_t)s * 1000);
		others += accept_n(s % 2 ? "198.18.1.98" : "198.18.1.99", 1, t + (uint64_t)s * 1000 + 500);
	}
	CHECK(others >= 25);
	/* IPv4-mapped IPv6 counts as the IPv4 source. */
	admission_configure(2, 0);
	struct px_addr m;
	memset(&m, 0, sizeof(m));
	m.in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:198.18.1.50", &m.in6.sin6_addr);
	CHECK(admission_accept(&m, 0, 0));
	CHECK(accept_n("198.18.1.50", 1, 0) == 0);
}

static void test_unauthenticated_cap(void) {
	admission_configure(100000, 0);
	struct px_addr a = v4("198.18.1.10");
	CHECK(admission_accept(&a, ADMISSION_MAX_UNAUTHENTICATED - 1, 0));
	CHECK(!admission_accept(&a, ADMISSION_MAX_UNAUTHENTICATED, 0));
	CHECK(admission_stats()->refused_unauth >= 1);
}

static void test_handshake_budget(void) {
	admission_configure(10, 0);
	int ok = 0;
	for (int i = 0; i < 1000; i++)
		ok += admission_handshake("x", 0);
	CHECK(ok == ADMISSION_HANDSHAKE_BURST);
	/* 16 a second after that, however many ask. */
	ok = 0;
	for (int ms = 1; ms <= 10000; ms += 5)
		ok += admission_handshake("x", (uint64_t)ms);
	CHECK(ok >= 158 && ok <= 160);
	CHECK(admission_stats()->refused_handshake > 0);
	/* A mesh of 20 peers starting at once is never refused. */
	admission_configure(10, 1000000);
	ok = 0;
	for (int i = 0; i < 20; i++)
		ok += admission_handshake("peer", 1000000);
	CHECK(ok == 20);
}

int main(void) {
	test_connection_burst();
	test_unauthenticated_cap();
	test_handshake_budget();
	return check_done("admission_test");
}
