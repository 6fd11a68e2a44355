/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * UDP discovery timing (core/udp_discovery.c): probes at the discovery pace
 * until a reply confirms UDP, at the keepalive pace after, and UDP given up
 * once replies have been missing for the timeout.
 */
#include "check.h"
#include "../../core/udp_discovery.h"

int main(void) {
	const struct udp_disc_cfg c = {.interval_ms = 2000, .keepalive_ms = 10000, .timeout_ms = 30000};
	struct udp_disc d;
	uint32_t next = 12345;
	uint64_t t = 1000;

	udp_disc_reset(&d);
	/* First tick: probe at once, next one after the discovery interval. */
	CHECK(udp_disc_tick(&d, &c, t, &next) == UDP_DISC_PROBE);
	CHECK(next == 2000);
	/* Early tick: nothing, wait the rest. */
	CHECK(udp_disc_tick(&d, &c, t + 500, &next) == UDP_DISC_WAIT);
	CHECK(next == 1500);
	/* Unconfirmed: probes every 2 s, never a DOWN however long. */
	int probes = 0;
	for (uint64_t s = t + 2000; s <= t + 60000; s += 1000) {
		enum udp_disc_action a = udp_disc_tick(&d, &c, s, &next);
		CHECK(a != UDP_DISC_DOWN);
		probes += a == UDP_DISC_PROBE;
	}
	CHECK(probes == 30);
	t += 60000;

	/* A reply confirms UDP (only the first one says so). */
	CHECK(udp_disc_reply(&d, t + 100));
	CHECK(!udp_disc_reply(&d, t + 150));
	CHECK(d.confirmed);
	/* Confirmed: the keepalive pace, counted from the last probe. */
	CHECK(udp_disc_tick(&d, &c, t + 200, &next) == UDP_DISC_WAIT);
	CHECK(next == 9800);
	CHECK(udp_disc_tick(&d, &c, t + 10000, &next) == UDP_DISC_PROBE);
	CHECK(next == 10000);

	/* Replies keep it up. */
	for (int i = 1; i <= 10; i++) {
		uint64_t s = t + 10000 + (uint64_t)i * 10000;
		udp_disc_reply(&d, s - 9950);
		CHECK(udp_disc_tick(&d, &c, s, &next) == UDP_DISC_PROBE);
	}
	t += 110000;
	CHECK(d.confirmed);
	uint64_t last_reply = d.last_reply_ms;

	/* Replies stop: probes go on at the keepalive pace; the timer is
	 * due no later than the timeout; DOWN exactly at the timeout. */
	uint64_t s = t;
	enum udp_disc_action a = UDP_DISC_WAIT;
	for (int i = 0; i < 20 && a != UDP_DISC_DOWN; i++) {
		s += next;
		CHECK(s <= last_reply + c.timeout_ms);
		a = udp_disc_tick(&d, &c, s, &next);
	}
	CHECK(a == UDP_DISC_DOWN);
	CHECK(s == last_reply + c.timeout_ms);
	CHECK(!d.confirmed);
	CHECK(next == 0);
	/* After DOWN: the search again, probe at once and every 2 s. */
	CHECK(udp_disc_tick(&d, &c, s, &next) == UDP_DISC_PROBE);
	CHECK(next == 2000);
	CHECK(udp_disc_tick(&d, &c, s + 2000, &next) == UDP_DISC_PROBE);

	/* A short timeout: DOWN comes before the next keepalive probe. */
	const struct udp_disc_cfg fast = {.interval_ms = 1000, .keepalive_ms = 10000, .timeout_ms = 3000};
	udp_disc_reset(&d);
	udp_disc_tick(&d, &fast, 0, &next);
	udp_disc_reply(&d, 100);
	CHECK(udp_disc_tick(&d, &fast, 100, &next) == UDP_DISC_WAIT);
	CHECK(next == 3000);
	CHECK(udp_disc_tick(&d, &fast, 3100, &next) == UDP_DISC_DOWN);
	return check_done("udp_discovery_test");
}
