/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Budget for identifying the sender of a datagram from an unknown address
 * by trial (a MAC or AEAD check against every node's key): a token bucket
 * of sweeps, so junk from unknown addresses costs a bounded amount of CPU
 * however many nodes there are.
 */
#ifndef PX_UDP_TRIAL_H
#define PX_UDP_TRIAL_H

#include <stdbool.h>
#include <stdint.h>

#define UDP_TRIAL_RATE  4 /* sweeps per second, sustained */
#define UDP_TRIAL_BURST 8 /* sweeps available at once */

struct udp_trial_budget {
	uint64_t last_ms;   /* when tokens were last added */
	uint32_t tokens_ms; /* tokens, in units of 1/1000 sweep */
	bool started;
};

/* Take one sweep from the budget at time now (ms); false if none is left. */
bool udp_trial_take(struct udp_trial_budget *b, uint64_t now);

#endif
