/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The budget for identifying UDP senders by trial (core/udp_trial.c): a
 * burst, then the sustained rate, never more whatever the packet rate.
 */
#include "check.h"
#include "../../core/udp_trial.h"

int main(void) {
	struct udp_trial_budget b = {0};
	uint64_t t = 5000;
	int taken = 0;

	/* A flood within one millisecond: only the burst. */
	for (int i = 0; i < 1000; i++)
		taken += udp_trial_take(&b, t);
	CHECK(taken == UDP_TRIAL_BURST);

	/* 10 s of a packet every millisecond: the rate, plus nothing saved up. */
	taken = 0;
	for (int i = 1; i <= 10000; i++)
		taken += udp_trial_take(&b, t + (uint64_t)i);
	CHECK(taken >= 10 * UDP_TRIAL_RATE - 1 && taken <= 10 * UDP_TRIAL_RATE);

	/* A long quiet period refills to the burst, not beyond. */
	t += 10000 + 3600 * 1000;
	taken = 0;
	for (int i = 0; i < 100; i++)
		taken += udp_trial_take(&b, t);
	CHECK(taken == UDP_TRIAL_BURST);

	/* A clock that does not move (or goes back) adds nothing. */
	CHECK(!udp_trial_take(&b, t - 500));
	printf("udp_trial: burst %d, %d sweeps in 10 s of 1000 packets/s\n", UDP_TRIAL_BURST,
	       10 * UDP_TRIAL_RATE);
	return check_done("udp_trial_test");
}
