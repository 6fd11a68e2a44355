/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Admission of unauthenticated connections (see admission.h). */
#include <inttypes.h>
#include <stdio.h>

#include "admission.h"
#include "logger.h"
#include "netutl.h"
#include "rate_limit.h"

static struct token_bucket global_bucket, handshake_bucket;
static struct source_table sources;
static struct admission_stats stats;
static unsigned burst_setting = ADMISSION_DEFAULT_BURST;
static bool configured;

void admission_configure(unsigned max_connection_burst, uint64_t now_ms) {
	if (!max_connection_burst)
		max_connection_burst = 1;
	burst_setting = max_connection_burst;
	token_bucket_init(&global_bucket, max_connection_burst, ADMISSION_GLOBAL_PER_1000S, now_ms);
	/* Half the global burst per source, so one address alone can never use
	 * up the whole budget and lock everybody else out. */
	unsigned per_source = max_connection_burst / 2 ? max_connection_burst / 2 : 1;
	source_table_init(&sources, per_source, ADMISSION_SOURCE_PER_1000S);
	token_bucket_init(&handshake_bucket, ADMISSION_HANDSHAKE_BURST, ADMISSION_HANDSHAKE_PER_1000S,
	                  now_ms);
	configured = true;
}

/* One refusal message a second at most, with the count of those not logged:
 * a flood must not turn into a flood of log lines. */
struct quiet_log {
	uint64_t last_ms;
	uint64_t suppressed;
	bool ever;
};

static void log_refusal(struct quiet_log *q, uint64_t now_ms, const char *who, const char *why) {
	if (q->ever && now_ms - q->last_ms < 1000) {
		q->suppressed++;
		return;
	}
	if (q->suppressed)
		logger(PX_LOG_ALWAYS, LOG_WARNING,
		       "Refusing connection from %s: %s (%" PRIu64 " more refused)", who, why, q->suppressed);
	else
		logger(PX_LOG_ALWAYS, LOG_WARNING, "Refusing connection from %s: %s", who, why);
	q->ever = true;
	q->last_ms = now_ms;
	q->suppressed = 0;
}

bool admission_accept(const struct px_addr *src, unsigned unauthenticated, uint64_t now_ms) {
	static struct quiet_log quiet;
	char why[160];
	if (!configured)
		admission_configure(burst_setting, now_ms);
	struct px_addr a = *src;
	addr_unmap(&a);
	/* Per source first: a refused source must not drain the global bucket,
	 * and a connection refused globally must not cost its source. */
	struct token_bucket *mine = source_table_bucket(&sources, &a, now_ms);
	if (!token_bucket_tokens(mine, now_ms)) {
		stats.refused_source++;
		snprintf(why, sizeof(why),
		         "too many connections from this address (burst %u, then one per 2 s)",
		         sources.burst);
		log_refusal(&quiet, now_ms, addr_str(&a), why);
		return false;
	}
	if (unauthenticated >= ADMISSION_MAX_UNAUTHENTICATED) {
		stats.refused_unauth++;
		snprintf(why, sizeof(why), "%u connections are already authenticating", unauthenticated);
		log_refusal(&quiet, now_ms, addr_str(&a), why);
		return false;
	}
	if (!token_bucket_take(&global_bucket, now_ms)) {
		stats.refused_burst++;
		snprintf(why, sizeof(why), "more than MaxConnectionBurst = %u connections in a burst",
		         burst_setting);
		log_refusal(&quiet, now_ms, addr_str(&a), why);
		return false;
	}
	token_bucket_take(mine, now_ms);
	stats.accepted++;
	return true;
}

bool admission_handshake(const char *who, uint64_t now_ms) {
	static struct quiet_log quiet;
	if (!configured)
		admission_configure(burst_setting, now_ms);
	if (token_bucket_take(&handshake_bucket, now_ms))
		return true;
	stats.refused_handshake++;
	log_refusal(&quiet, now_ms, who,
	            "too many handshakes with unauthenticated peers (limit 64, then 16 a second)");
	return false;
}

const struct admission_stats *admission_stats(void) {
	return &stats;
}
