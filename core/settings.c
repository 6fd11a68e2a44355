/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The server settings (tinc.conf's variables) read into one struct. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <plexus/plugin.h>

#include "admission.h"
#include "conf.h"
#include "logger.h"
#include "netutl.h"
#include "script.h"
#include "settings.h"

struct settings settings;

static int get_bool(const char *var, bool dflt, bool *out) {
	*out = dflt;
	return conf_get_bool(&server_conf, var, out) < 0 ? -1 : 0;
}

static int get_int(const char *var, int dflt, int *out) {
	*out = dflt;
	return conf_get_int(&server_conf, var, out) < 0 ? -1 : 0;
}

/* Also on reload, as tinc 1.1 does. */
void script_settings_from_conf(void) {
	script_set_options(conf_get(&server_conf, "ScriptsInterpreter", 0),
	                   conf_get(&server_conf, "ScriptsExtension", 0));
}

/* Read tinc's server variables with tinc 1.0's defaults. */
/* UDPDiscovery*: at start-up and on reload, as tinc 1.1 re-reads them.
 * A bad value leaves the ones in use alone. */
int udp_discovery_settings_read(void) {
	bool on;
	int interval, keepalive, timeout;
	int err = get_bool("UDPDiscovery", true, &on);
	err |= get_int("UDPDiscoveryInterval", 2, &interval);
	err |= get_int("UDPDiscoveryKeepaliveInterval", 10, &keepalive);
	err |= get_int("UDPDiscoveryTimeout", 30, &timeout);
	if (!err && (interval < 1 || keepalive < 1 || timeout < 1)) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "UDPDiscoveryInterval, UDPDiscoveryKeepaliveInterval and UDPDiscoveryTimeout must be "
		       "at least 1 second");
		err = -1;
	}
	if (err)
		return -1;
	settings.udp_discovery = on;
	settings.udp_discovery_interval = interval;
	settings.udp_discovery_keepalive = keepalive;
	settings.udp_discovery_timeout = timeout;
	return 0;
}

/* UDPInfoInterval, MTUInfoInterval: at start-up and on reload, as tinc 1.1
 * re-reads them; tinc 1.1's default is 5 seconds for both. 0 sends a hint
 * for every packet that calls for one. A bad value leaves the ones in use. */
int relay_hint_settings_read(void) {
	int udp_info, mtu_info;
	int err = get_int("UDPInfoInterval", 5, &udp_info);
	err |= get_int("MTUInfoInterval", 5, &mtu_info);
	if (!err && (udp_info < 0 || mtu_info < 0)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "UDPInfoInterval and MTUInfoInterval must not be negative");
		err = -1;
	}
	if (err)
		return -1;
	settings.udp_info_interval = udp_info;
	settings.mtu_info_interval = mtu_info;
	return 0;
}

int settings_read(void) {
	int err = 0;
	memset(&settings, 0, sizeof(settings));
	const char *mode = conf_get(&server_conf, "Mode", 0);
	if (!mode || !strcasecmp(mode, "router"))
		settings.mode = RMODE_ROUTER;
	else if (!strcasecmp(mode, "switch"))
		settings.mode = RMODE_SWITCH;
	else if (!strcasecmp(mode, "hub"))
		settings.mode = RMODE_HUB;
	else {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid routing mode %s", mode);
		err = -1;
	}
	const char *fwd = conf_get(&server_conf, "Forwarding", 0);
	if (!fwd || !strcasecmp(fwd, "internal"))
		settings.forwarding = FMODE_INTERNAL;
	else if (!strcasecmp(fwd, "off"))
		settings.forwarding = FMODE_OFF;
	else if (!strcasecmp(fwd, "kernel"))
		settings.forwarding = FMODE_KERNEL;
	else {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid forwarding mode %s", fwd);
		err = -1;
	}
	const char *af = conf_get(&server_conf, "AddressFamily", 0);
	if (!af || !strcasecmp(af, "any"))
		settings.addressfamily = AF_UNSPEC;
	else if (!strcasecmp(af, "ipv4"))
		settings.addressfamily = AF_INET;
	else if (!strcasecmp(af, "ipv6"))
		settings.addressfamily = AF_INET6;
	else {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid address family %s", af);
		err = -1;
	}
	const char *bc = conf_get(&server_conf, "Broadcast", 0);
	settings.broadcast_mode = 1;
	if (bc && !strcasecmp(bc, "no"))
		settings.broadcast_mode = 0;
	else if (bc && !strcasecmp(bc, "direct"))
		settings.broadcast_mode = 2;

	err |= get_int("PingInterval", 60, &settings.ping_interval);
	err |= get_int("PingTimeout", 5, &settings.ping_timeout);
	if (settings.ping_interval < 1)
		settings.ping_interval = 86400;
	if (settings.ping_timeout < 1)
		settings.ping_timeout = 1;
	if (settings.ping_timeout > settings.ping_interval)
		settings.ping_timeout = settings.ping_interval;
	err |= get_int("KeyExpire", 3600, &settings.key_expire);
	err |= get_int("MaxTimeout", 900, &settings.max_timeout);
	err |= get_int("MaxConnectionBurst", ADMISSION_DEFAULT_BURST, &settings.max_connection_burst);
	if (settings.max_connection_burst < 1) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "MaxConnectionBurst must be at least 1 (got %d)",
		       settings.max_connection_burst);
		err = -1;
	}
	if (settings.max_timeout < 1)
		settings.max_timeout = 1;
	err |= get_int("MinTimeout", 0, &settings.min_timeout);
	if (settings.min_timeout < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Bogus minimum timeout %d", settings.min_timeout);
		err = -1;
	} else if (settings.min_timeout > settings.max_timeout) {
		logger(PX_LOG_ALWAYS, LOG_WARNING,
		       "MinTimeout (%d s) is larger than MaxTimeout (%d s); using %d s", settings.min_timeout,
		       settings.max_timeout, settings.max_timeout);
		settings.min_timeout = settings.max_timeout;
	}
	err |= get_int("MACExpire", 600, &settings.mac_expire);
	err |= get_int("ReplayWindow", 16, &settings.replay_window);
	err |= get_int("Compression", 0, &settings.compression);
	err |= get_int("MaxOutputBufferSize", 10 * PX_MTU, &settings.max_output_buffer);
	err |= get_int("MaxEdgesPerNode", DEFAULT_MAX_EDGES_PER_NODE, &settings.max_edges_per_node);
	err |= get_int("MaxSubnetsPerNode", DEFAULT_MAX_SUBNETS_PER_NODE, &settings.max_subnets_per_node);
	if (settings.max_edges_per_node < 0 || settings.max_subnets_per_node < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "MaxEdgesPerNode and MaxSubnetsPerNode must be 0 (no cap) or positive");
		err = -1;
	}
	err |= get_bool("TCPOnly", false, &settings.tcponly);
	err |= get_bool("IndirectData", false, &settings.indirectdata);
	err |= get_bool("PMTUDiscovery", true, &settings.pmtu_discovery);
	err |= get_bool("ClampMSS", true, &settings.clamp_mss);
	err |= get_bool("DirectOnly", false, &settings.direct_only);
	err |= get_bool("StrictSubnets", false, &settings.strict_subnets);
	err |= get_bool("TunnelServer", false, &settings.tunnelserver);
	err |= get_bool("LocalDiscovery", false, &settings.local_discovery);
	err |= udp_discovery_settings_read();
	err |= relay_hint_settings_read();
	err |= get_bool("ExperimentalProtocol", true, &settings.experimental_protocol);
	err |= get_bool("DecrementTTL", false, &settings.decrement_ttl);
	err |= get_bool("PriorityInheritance", false, &settings.priority_inheritance);
	err |= get_bool("DeviceStandby", false, &settings.device_standby);
	err |= get_bool("DisableBuggyPeers", false, &settings.disable_buggy_peers);
	bool hostnames;
	err |= get_bool("Hostnames", false, &hostnames);
	addr_set_hostnames(hostnames);
	if (settings.tunnelserver)
		settings.strict_subnets = true;
	if (settings.compression < 0 || settings.compression > PX_COMPRESS_MAX) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Bogus compression level %d", settings.compression);
		err = -1;
	}
	script_settings_from_conf();
	const char *port = conf_get(&server_conf, "Port", 0);
	free(settings.port);
	settings.port = strdup(port ? port : "655");
	return err ? -1 : 0;
}
