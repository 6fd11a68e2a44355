/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The server settings: tinc.conf's variables with tinc 1.0's defaults. */
#ifndef PX_SETTINGS_H
#define PX_SETTINGS_H

#include <stdbool.h>

enum routing_mode { RMODE_ROUTER = 0, RMODE_SWITCH, RMODE_HUB };
enum forwarding_mode { FMODE_OFF = 0, FMODE_INTERNAL, FMODE_KERNEL };

/* What one node may make us store (see doc/plexusd.8, LIMITS). */
#define DEFAULT_MAX_EDGES_PER_NODE   1024
#define DEFAULT_MAX_SUBNETS_PER_NODE 4096

struct settings {
	enum routing_mode mode;
	enum forwarding_mode forwarding;
	int addressfamily;               /* AF_UNSPEC/AF_INET/AF_INET6 */
	int ping_interval, ping_timeout; /* seconds */
	int key_expire;                  /* seconds */
	int max_timeout;                 /* seconds */
	int min_timeout;                 /* seconds: MinTimeout, at most max_timeout */
	int mac_expire;
	int replay_window; /* bytes */
	bool tcponly, indirectdata, pmtu_discovery, clamp_mss;
	bool direct_only, strict_subnets, tunnelserver, local_discovery;
	bool experimental_protocol; /* SPTPS allowed (tinc 1.1's ExperimentalProtocol) */
	bool decrement_ttl;         /* DecrementTTL */
	bool priority_inheritance;  /* PriorityInheritance */
	bool device_standby;        /* DeviceStandby */
	bool disable_buggy_peers;   /* DisableBuggyPeers: probe each new peer (send_buggy_peer_probe) */
	int compression;            /* level we want to receive */
	int max_output_buffer;
	int max_edges_per_node, max_subnets_per_node; /* 0: no cap */
	char *port;                                   /* our Port */
	char *ifname;                                 /* the device's name after opening */
	int broadcast_mode;                           /* 0 no, 1 mst, 2 direct */
	int max_connection_burst;                     /* MaxConnectionBurst */
	/* UDPDiscovery*: tinc 1.1's UDP probing of SPTPS peers (seconds). */
	bool udp_discovery;
	int udp_discovery_interval, udp_discovery_keepalive, udp_discovery_timeout;
	/* UDPInfoInterval, MTUInfoInterval: least seconds between the relay
	 * hints we originate towards one node (protocol_info.c). */
	int udp_info_interval, mtu_info_interval;
};
extern struct settings settings;

/* Read the settings from server_conf (also on reload). -1 on a bad value. */
int settings_read(void);
/* Just the UDPDiscovery* variables (also on reload). -1 on a bad value. */
int udp_discovery_settings_read(void);
/* UDPInfoInterval and MTUInfoInterval (also on reload). -1 on a bad value. */
int relay_hint_settings_read(void);
/* ScriptsInterpreter, ScriptsExtension: also on reload, as tinc 1.1 does. */
void script_settings_from_conf(void);

#endif
