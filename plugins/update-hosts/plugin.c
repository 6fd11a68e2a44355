/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * update-hosts plugin: registration, configuration, the periodic timer and
 * the event hooks (a newcomer with NeedsNetUpdates, nodes coming up).
 */
#include <stdlib.h>
#include <string.h>

#include "update.h"

struct uh_ctx uh;

static const struct px_request_ops hostupdate_ops = {
    .size = sizeof(struct px_request_ops),
    .id = PX_REQ_HOSTUPDATE,
    .name = "HOSTUPDATE",
    .flags = PX_REQF_BROADCAST,
    .handle = uh_hostupdate_h,
};

static const struct px_request_ops confupdate_ops = {
    .size = sizeof(struct px_request_ops),
    .id = PX_REQ_CONFUPDATE,
    .name = "CONFUPDATE",
    .flags = PX_REQF_BROADCAST,
    .handle = uh_confupdate_h,
};

static void read_options(void) {
	const struct px_host *h = uh.host;
	struct uh_options *o = &uh.opt;
	free(o->template_path);
	memset(o, 0, sizeof(*o));
	bool ignore_net = h->conf_bool(NULL, "IgnoreNetUpdates", false);
	o->ignore_hosts = ignore_net || h->conf_bool(NULL, "IgnoreHostsUpdates", false);
	o->ignore_conf = ignore_net || h->conf_bool(NULL, "IgnoreConfUpdates", false);
	o->dont_forward_hosts = h->conf_bool(NULL, "DontForwardHostsUpdates", false);
	o->dont_forward_conf = h->conf_bool(NULL, "DontForwardConfUpdates", false);
	o->no_verify_signature = h->conf_bool(NULL, "DontVerifyUpdateSignature", false);
	o->no_verify_permission = h->conf_bool(NULL, "DontVerifyUpdatePermission", false);
	o->interval = h->conf_int(NULL, "HostsUpdateInterval", 0);
	if (o->interval < 0)
		o->interval = 0;
	const char *t = h->conf_get(NULL, "ConfFileTemplate", 0);
	if (t)
		o->template_path = t[0] == '/' ? strdup(t) : uh_path(h->confbase(), t, NULL);
	if (o->no_verify_signature)
		UH_LOG(PX_LOG_ALWAYS,
		       "WARNING: DontVerifyUpdateSignature = yes: ANYONE can rewrite this node's "
		       "host files and configuration. Use it only to bootstrap.");
	if (o->no_verify_permission)
		UH_LOG(PX_LOG_ALWAYS,
		       "WARNING: DontVerifyUpdatePermission = yes: any node with a valid key can "
		       "rewrite this node's host files and configuration. Use it only to bootstrap.");
}

static void tick(void *arg) {
	(void)arg;
	uh.ticks_since_run++;
	bool force = uh.dirty || uh.ticks_since_run >= UH_REFRESH;
	if (uh_send_run(NULL, force) > 0) {
		uh.ticks_since_run = 0;
		uh.dirty = false;
	}
	if (uh.timer && uh.opt.interval > 0)
		uh.host->timer_arm(uh.timer, (uint32_t)uh.opt.interval * 1000u);
}

static void arm_timer(void) {
	if (uh.timer)
		uh.host->timer_disarm(uh.timer);
	if (uh.opt.interval <= 0)
		return;
	if (!uh.timer)
		uh.timer = uh.host->timer_new(tick, NULL);
	if (uh.timer)
		uh.host->timer_arm(uh.timer, (uint32_t)uh.opt.interval * 1000u);
}

/* A newcomer flagged NeedsNetUpdates in our copy of its host file gets a
 * whole run at once, straight on its connection. */
static void on_conn_active(px_plugin *self, px_conn *c) {
	(void)self;
	const char *peer = uh.host->conn_name(c);
	if (!peer || !uh.host->conn_has_capability(c, UH_CAP_HOSTS))
		return;
	uh.dirty = true;
	char *text = uh_read_host_file(peer);
	bool needs = uh_text_bool(text, "NeedsNetUpdates", false);
	free(text);
	if (needs && (uh_is_hosts_master() || uh_is_conf_master())) {
		UH_LOG(PX_LOG_CONNECTIONS, "%s needs network updates: sending a full run", peer);
		uh_send_run(c, true);
	}
}

static void on_node_reachable(px_plugin *self, px_node *n, bool up) {
	(void)self, (void)n;
	if (up)
		uh.dirty = true;
}

static void on_reload(px_plugin *self) {
	(void)self;
	read_options();
	arm_timer();
}

static const struct px_event_ops events = {
    .size = sizeof(struct px_event_ops),
    .conn_active = on_conn_active,
    .node_reachable = on_node_reachable,
    .reload = on_reload,
};

static int uh_init(px_plugin *self, const struct px_host *host) {
	memset(&uh, 0, sizeof(uh));
	uh.host = host;
	uh.self = self;
	if (!PX_HOST_HAS(host, request_reload)) {
		host->log(self, PX_LOG_ALWAYS, "update-hosts needs a core with ABI 1.1 or newer");
		return -1;
	}
	read_options();
	if (host->register_request(self, &hostupdate_ops) < 0 ||
	    host->register_request(self, &confupdate_ops) < 0 || host->register_events(self, &events) < 0)
		return -1;
	return 0;
}

static int uh_start(px_plugin *self) {
	(void)self;
	char *hosts = uh_path(uh.host->confbase(), "hosts", NULL);
	char *cache = uh_path(uh.host->confbase(), "cache", "update-hosts");
	if (hosts)
		uh_clean_temp_files(hosts);
	if (cache)
		uh_clean_temp_files(cache);
	uh_clean_temp_files(uh.host->confbase());
	free(hosts);
	free(cache);
	uh.dirty = true;
	arm_timer();
	if (uh.opt.interval > 0)
		UH_LOG(PX_LOG_CONNECTIONS, "Sending host updates every %d s%s", uh.opt.interval,
		       uh_is_hosts_master() ? "" : " (but hosts/<self> lacks HostsFilesMaster = yes)");
	return 0;
}

static void uh_stop(px_plugin *self) {
	(void)self;
	if (uh.timer) {
		uh.host->timer_free(uh.timer);
		uh.timer = NULL;
	}
}

static void uh_fini(px_plugin *self) {
	(void)self;
	uh_runs_free();
	free(uh.opt.template_path);
	uh.opt.template_path = NULL;
}

PX_PLUGIN_DEFINE(update_hosts, .name = "update-hosts", .version = "0.1.0",
                 .description = "signed distribution of host files and a configuration template",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = uh_init,
                 .start = uh_start, .stop = uh_stop, .fini = uh_fini);
