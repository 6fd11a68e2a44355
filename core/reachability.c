/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* What the daemon does when a node becomes reachable or unreachable: key
 * and PMTU state, the crypto plugin's node_up/node_down, scripts, plugin
 * events. The graph calls it as its observer. */
#include "logger.h"
#include "net_packet.h"
#include "netutl.h"
#include "node.h"
#include "node_scripts.h"
#include "plugin_loader.h"
#include "pmtu.h"
#include "script.h"
#include "settings.h"
#include "reachability.h"
#include "subnet.h"

/* DeviceStandby: tinc-up when the first other node becomes reachable,
 * tinc-down when the last one goes (instead of at start-up and exit). */
static int reachable_others;

static void device_standby_count(bool up) {
	reachable_others += up ? 1 : -1;
	if (!settings.device_standby)
		return;
	if (up && reachable_others == 1) {
		if (script_run("tinc-up", NULL) != 0)
			logger(PX_LOG_ALWAYS, LOG_WARNING, "tinc-up failed");
	} else if (!up && reachable_others == 0) {
		script_run("tinc-down", NULL);
	}
}

/* The graph observer: n's reachability changed to up. */
void graph_node_changed(node_t *n, bool up) {
	if (n == myself)
		return;
	subnet_cache_flush();
	if (up) {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "Node %s (%s) became reachable", n->name,
		       n->has_udp_addr ? addr_str(&n->udp_addr) : "unknown address");
		n->validkey = false;
		n->waitingforkey = false;
		n->minmtu = 0;
		n->maxmtu = PX_MTU;
		n->mtu = pmtu_initial(n);
		n->mtuprobes = 0;
		n->udp_confirmed = false;
		n->crypto = NULL;
		if (node_choose_crypto(n) && n->crypto->ops->node_up)
			n->crypto->ops->node_up(n->crypto->plugin, n);
		run_host_script(n, true);
		plugins_notify_node(n, true);
		struct subnet *s;
		list_for_each_entry(s, &n->subnets, owner_link) run_subnet_script(n, s, true);
		device_standby_count(true);
	} else {
		logger(PX_LOG_CONNECTIONS, LOG_INFO, "Node %s became unreachable", n->name);
		mtu_probe_stop(n);
		if (n->crypto && n->crypto->ops->node_down)
			n->crypto->ops->node_down(n->crypto->plugin, n);
		n->validkey = false;
		n->waitingforkey = false;
		run_host_script(n, false);
		plugins_notify_node(n, false);
		struct subnet *s;
		list_for_each_entry(s, &n->subnets, owner_link) run_subnet_script(n, s, false);
		device_standby_count(false);
	}
}
