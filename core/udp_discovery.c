/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* UDP discovery timing (udp_discovery.h). */
#include "udp_discovery.h"

void udp_disc_reset(struct udp_disc *d) {
	*d = (struct udp_disc){0};
}

static uint32_t until(uint64_t now, uint64_t due) {
	if (due <= now)
		return 0;
	uint64_t left = due - now;
	return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

enum udp_disc_action udp_disc_tick(struct udp_disc *d, const struct udp_disc_cfg *c, uint64_t now,
                                   uint32_t *next_ms) {
	if (d->confirmed && now - d->last_reply_ms >= c->timeout_ms) {
		d->confirmed = false;
		d->probed = false; /* search again right away */
		*next_ms = 0;
		return UDP_DISC_DOWN;
	}
	uint32_t pace = d->confirmed ? c->keepalive_ms : c->interval_ms;
	enum udp_disc_action act = UDP_DISC_WAIT;
	if (!d->probed || now - d->last_probe_ms >= pace) {
		d->probed = true;
		d->last_probe_ms = now;
		act = UDP_DISC_PROBE;
	}
	uint32_t next = until(now, d->last_probe_ms + pace);
	if (d->confirmed) {
		uint32_t t = until(now, d->last_reply_ms + c->timeout_ms);
		if (t < next)
			next = t;
	}
	*next_ms = next;
	return act;
}

bool udp_disc_reply(struct udp_disc *d, uint64_t now) {
	bool first = !d->confirmed;
	d->confirmed = true;
	d->last_reply_ms = now;
	return first;
}
