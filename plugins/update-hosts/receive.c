/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The receiving side. Each request goes through the same gates, in order:
 * well-formed (codec.c), not naming us as updater, authorised and signed
 * according to hosts/<updater> as we have it, newer than what we applied
 * before. Only then is it forwarded (unless DontForward...) and applied
 * (unless Ignore...). A refusal is one log line and touches no file; the
 * connection stays up, since the sender may only be relaying.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "update.h"

static const char *kind_name(int id) {
	return id == PX_REQ_HOSTUPDATE ? "HOSTUPDATE" : "CONFUPDATE";
}

static const char *conn_label(px_conn *from) {
	const char *name = from ? uh.host->conn_name(from) : NULL;
	return name ? name : "<unknown>";
}

/* Why a request was refused, for the rate limit below. */
enum refusal { REF_SELF, REF_NO_HOST_FILE, REF_UNAUTHORISED, REF_NO_KEY, REF_BAD_SIGNATURE, REF_REPLAY };

/* A refused run would log once per request: the first refusal of a given
 * updater and serial for a given reason is shown always, the rest only when
 * debugging. The reason is part of the key so that a forgery slipped into a
 * serial that was just refused as a replay is still reported. */
static int refusal_level(const struct uh_msg *m, enum refusal why) {
	static char last_updater[UH_MAX_NAME + 1];
	static uint64_t last_serial;
	static int last_id;
	static enum refusal last_why;
	if (m->serial == last_serial && m->id == last_id && why == last_why &&
	    !strcmp(m->updater, last_updater))
		return PX_LOG_PROTOCOL;
	snprintf(last_updater, sizeof(last_updater), "%s", m->updater);
	last_serial = m->serial;
	last_id = m->id;
	last_why = why;
	return PX_LOG_ALWAYS;
}

/* Permission flag and signature, from hosts/<updater> read right now. */
static bool authorised(const struct uh_msg *m, const char *flag, const char *via) {
	const char *what = kind_name(m->id);
	char *text = uh_read_host_file(m->updater);
	if (!text) {
		UH_LOG(refusal_level(m, REF_NO_HOST_FILE),
		       "Refusing %s of %s (via %s): no host file hosts/%s", what, m->updater, via,
		       m->updater);
		return false;
	}
	bool ok = true;
	if (!uh_text_bool(text, flag, false)) {
		if (uh.opt.no_verify_permission) {
			UH_LOG(PX_LOG_ALWAYS,
			       "WARNING: accepting %s of %s although hosts/%s lacks %s = yes "
			       "(DontVerifyUpdatePermission)",
			       what, m->updater, m->updater, flag);
		} else {
			UH_LOG(refusal_level(m, REF_UNAUTHORISED),
			       "Refusing %s of %s (via %s): unauthorised updater (no %s = yes in hosts/%s)",
			       what, m->updater, via, flag, m->updater);
			ok = false;
		}
	}
	if (ok && uh.opt.no_verify_signature) {
		UH_LOG(PX_LOG_ALWAYS,
		       "WARNING: accepting %s of %s without checking its signature "
		       "(DontVerifyUpdateSignature)",
		       what, m->updater);
	} else if (ok) {
		EVP_PKEY *pub = uh_host_public_key(m->updater, text);
		if (!pub) {
			UH_LOG(refusal_level(m, REF_NO_KEY),
			       "Refusing %s of %s (via %s): no RSA public key in hosts/%s", what, m->updater,
			       via, m->updater);
			ok = false;
		} else if (!uh_verify(m, pub)) {
			UH_LOG(refusal_level(m, REF_BAD_SIGNATURE),
			       "Refusing %s of %s (via %s): bad signature", what, m->updater, via);
			ok = false;
		}
		EVP_PKEY_free(pub);
	}
	free(text);
	return ok;
}

static bool plain_text(const uint8_t *data, size_t len) {
	for (size_t i = 0; i < len; i++)
		if (data[i] != '\n' && data[i] != '\t' && data[i] != '\r' &&
		    (data[i] < 0x20 || data[i] > 0x7e))
			return false;
	return true;
}

static struct uh_run *run_for(const char *updater, uint64_t serial) {
	struct uh_run *r;
	for (r = uh.runs; r; r = r->next)
		if (!strcmp(r->updater, updater))
			break;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return NULL;
		snprintf(r->updater, sizeof(r->updater), "%s", updater);
		r->next = uh.runs;
		uh.runs = r;
	}
	if (r->serial != serial) {
		r->serial = serial;
		r->before_ran = false;
		r->changed = false;
	}
	return r;
}

void uh_runs_free(void) {
	while (uh.runs) {
		struct uh_run *r = uh.runs;
		uh.runs = r->next;
		free(r);
	}
}

/* Serial gate of HOSTUPDATE: a newer serial opens a run (START may have
 * been overtaken on another path), the open run's serial continues it,
 * anything else is a replay. */
static bool hosts_serial_ok(const struct uh_msg *m, const char *via) {
	bool open = false;
	uint64_t last = uh_state_get(m->updater, "hosts", &open);
	if (m->serial > last) {
		if (uh_state_set(m->updater, "hosts", m->serial, m->op != UH_OP_END) < 0)
			return false;
		return true;
	}
	if (m->serial == last && open)
		return true;
	UH_LOG(refusal_level(m, REF_REPLAY),
	       "Refusing HOSTUPDATE %s of %s (via %s): replayed or old serial %" PRIu64 " (last %" PRIu64
	       "%s)",
	       uh_op_name(m->op), m->updater, via, m->serial, last, open ? ", open" : "");
	return false;
}

static void before_change(struct uh_run *run) {
	if (!run->before_ran) {
		run->before_ran = true;
		uh_run_script("hostsupdate-before", run->updater);
	}
}

static void apply_file(const struct uh_msg *m, struct uh_run *run) {
	char *dir = uh_path(uh.host->confbase(), "hosts", NULL);
	char *path = dir ? uh_path(dir, m->host, NULL) : NULL;
	size_t oldlen = 0;
	char *old = path ? uh_read_file(path, 1 << 16, &oldlen) : NULL;
	if (old && oldlen == m->len && !memcmp(old, m->data, m->len)) {
		UH_LOG(PX_LOG_META, "hosts/%s from %s unchanged", m->host, m->updater);
	} else if (dir) {
		before_change(run);
		if (!uh_write_atomic(dir, m->host, m->data, m->len)) {
			run->changed = true;
			UH_LOG(PX_LOG_CONNECTIONS, "Updated hosts/%s from %s (serial %" PRIu64 ")", m->host,
			       m->updater, m->serial);
		}
	}
	free(old);
	free(path);
	free(dir);
}

static void apply_dead(const struct uh_msg *m, struct uh_run *run) {
	const char *self = uh.host->self_name();
	if ((self && !strcmp(m->host, self)) || !strcmp(m->host, m->updater)) {
		UH_LOG(PX_LOG_ALWAYS, "Refusing DEAD for %s from %s: never removing %s own host file",
		       m->host, m->updater, strcmp(m->host, m->updater) ? "our" : "the updater's");
		return;
	}
	char *dir = uh_path(uh.host->confbase(), "hosts", NULL);
	char *path = dir ? uh_path(dir, m->host, NULL) : NULL;
	if (path && !access(path, F_OK)) {
		before_change(run);
		if (!uh_remove_durable(dir, m->host)) {
			run->changed = true;
			UH_LOG(PX_LOG_CONNECTIONS, "Removed hosts/%s: %s declared it dead", m->host,
			       m->updater);
		}
	}
	free(path);
	free(dir);
}

static void finish_run(const struct uh_msg *m, struct uh_run *run) {
	if (run->changed) {
		uh_run_script("hostsupdate-after", m->updater);
		UH_LOG(PX_LOG_ALWAYS, "Host files updated by %s (serial %" PRIu64 "), reloading", m->updater,
		       m->serial);
		uh.host->request_reload();
	}
	run->changed = false;
	run->before_ran = false;
	uh_state_set(m->updater, "hosts", m->serial, false);
}

int uh_hostupdate_h(px_plugin *self, px_conn *from, const char *line) {
	static struct uh_msg m;
	const char *why = NULL;
	const char *via = conn_label(from);
	(void)self;

	if (uh_parse(line, PX_REQ_HOSTUPDATE, &m, &why) < 0) {
		UH_LOG(PX_LOG_ALWAYS, "Refusing HOSTUPDATE from %s: %s", via, why);
		return 0;
	}
	const char *me = uh.host->self_name();
	if (me && !strcmp(m.updater, me)) {
		UH_LOG(refusal_level(&m, REF_SELF),
		       "Refusing HOSTUPDATE of %s (via %s): names us as its updater", m.updater, via);
		return 0;
	}
	if (m.op == UH_OP_FILE && !plain_text(m.data, m.len)) {
		UH_LOG(PX_LOG_ALWAYS,
		       "Refusing HOSTUPDATE of %s for %s (via %s): host file is not plain text", m.updater,
		       m.host, via);
		return 0;
	}
	if (!authorised(&m, "HostsFilesMaster", via) || !hosts_serial_ok(&m, via))
		return 0;

	if (!uh.opt.dont_forward_hosts)
		uh.host->broadcast(from, "%s", line);

	struct uh_run *run = run_for(m.updater, m.serial);
	if (!run)
		return 0;
	if (uh.opt.ignore_hosts) {
		UH_LOG(PX_LOG_PROTOCOL, "Not applying HOSTUPDATE %s of %s: IgnoreHostsUpdates",
		       uh_op_name(m.op), m.updater);
		if (m.op == UH_OP_END) {
			UH_LOG(PX_LOG_CONNECTIONS,
			       "Ignored host update run %" PRIu64 " of %s (IgnoreHostsUpdates)", m.serial,
			       m.updater);
			uh_state_set(m.updater, "hosts", m.serial, false);
		}
		return 0;
	}
	switch (m.op) {
	case UH_OP_START:
		UH_LOG(PX_LOG_PROTOCOL, "Host update run %" PRIu64 " of %s begins", m.serial, m.updater);
		break;
	case UH_OP_FILE:
		apply_file(&m, run);
		break;
	case UH_OP_DEAD:
		apply_dead(&m, run);
		break;
	case UH_OP_END:
		finish_run(&m, run);
		break;
	case UH_OP_CONF:
		break;
	}
	return 0;
}

static void apply_conf(const struct uh_msg *m) {
	char *path = uh_main_conf_path();
	char *current = path ? uh_read_file(path, 1 << 16, NULL) : NULL;
	if (!current) {
		UH_LOG(PX_LOG_ALWAYS, "Cannot apply CONFUPDATE of %s: cannot read %s", m->updater,
		       path ? path : "the configuration");
		free(path);
		return;
	}
	char *merged = uh_merge_conf(current, (const char *)m->data, m->len, m->updater, m->serial);
	if (!merged) {
		UH_LOG(PX_LOG_ALWAYS, "Cannot apply CONFUPDATE of %s: out of memory", m->updater);
	} else if (!strcmp(merged, current)) {
		UH_LOG(PX_LOG_PROTOCOL, "CONFUPDATE of %s changes nothing", m->updater);
	} else {
		const char *base = strrchr(path, '/');
		char *dir = strndup(path, (size_t)(base - path));
		uh_run_script("confupdate-before", m->updater);
		int rc = dir ? uh_write_atomic(dir, base + 1, merged, strlen(merged)) : -1;
		uh_run_script("confupdate-after", m->updater);
		if (!rc) {
			UH_LOG(PX_LOG_ALWAYS,
			       "Configuration %s rewritten from the template of %s (serial %" PRIu64
			       "), reloading",
			       path, m->updater, m->serial);
			uh.host->request_reload();
		}
		free(dir);
	}
	free(merged);
	free(current);
	free(path);
}

int uh_confupdate_h(px_plugin *self, px_conn *from, const char *line) {
	static struct uh_msg m;
	const char *why = NULL;
	const char *via = conn_label(from);
	(void)self;

	if (uh_parse(line, PX_REQ_CONFUPDATE, &m, &why) < 0) {
		UH_LOG(PX_LOG_ALWAYS, "Refusing CONFUPDATE from %s: %s", via, why);
		return 0;
	}
	const char *me = uh.host->self_name();
	if (me && !strcmp(m.updater, me)) {
		UH_LOG(refusal_level(&m, REF_SELF),
		       "Refusing CONFUPDATE of %s (via %s): names us as its updater", m.updater, via);
		return 0;
	}
	if (!uh_template_valid((const char *)m.data, m.len, &why)) {
		UH_LOG(PX_LOG_ALWAYS, "Refusing CONFUPDATE of %s (via %s): %s", m.updater, via, why);
		return 0;
	}
	if (!authorised(&m, "ConfFileMaster", via))
		return 0;
	uint64_t last = uh_state_get(m.updater, "conf", NULL);
	if (m.serial <= last) {
		UH_LOG(PX_LOG_ALWAYS,
		       "Refusing CONFUPDATE of %s (via %s): replayed or old serial %" PRIu64 " (last %" PRIu64
		       ")",
		       m.updater, via, m.serial, last);
		return 0;
	}
	if (uh_state_set(m.updater, "conf", m.serial, false) < 0)
		return 0;

	if (!uh.opt.dont_forward_conf)
		uh.host->broadcast(from, "%s", line);
	if (uh.opt.ignore_conf) {
		UH_LOG(PX_LOG_PROTOCOL, "Not applying CONFUPDATE of %s: IgnoreConfUpdates", m.updater);
		return 0;
	}
	apply_conf(&m);
	return 0;
}
