/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Start-up and shut-down of the network: settings, ourselves, the device,
 * listening sockets and outgoing connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admission.h"
#include "autoconnect.h"
#include "broadcast_subnets.h"
#include "conf.h"
#include "device.h"
#include "event.h"
#include "graph.h"
#include "logger.h"
#include "net.h"
#include "net_packet.h"
#include "netutl.h"
#include "proxy_connect.h"
#include "node.h"
#include "node_scripts.h"
#include "outgoing.h"
#include "plugin_loader.h"
#include "process_priority.h"
#include "protocol.h"
#include "proxy.h"
#include "route.h"
#include "script.h"
#include "settings.h"
#include "subnet.h"
#include "subnet_policy.h"
#include "upnp.h"

static px_watch *device_watch;

/* The settings plus what they configure in the layers below the daemon. */
int read_settings(void) {
	int err = settings_read();
	if (settings.max_connection_burst >= 1)
		admission_configure((unsigned)settings.max_connection_burst, now_ms());
	if (autoconnect_configure() < 0)
		err = -1;
	if (proxy_configure() < 0)
		err = -1;
	if (upnp_configure() < 0)
		err = -1;
	broadcast_subnets_read();
	return err;
}

/* A distro may ship transport-udp separately. Without it the VPN still
 * works as with TCPOnly = yes (peers are told so and send over the meta
 * connections); only a configuration that says TCPOnly = no needs it. */
static int udp_or_tcponly(void) {
	if (dgram_provider() || settings.tcponly)
		return 0;
	if (conf_get(&server_conf, "TCPOnly", 0)) /* set, and not to yes */
		return plugins_require("transport-udp", "the data channel, TCPOnly = no");
	plugins_report_missing("transport-udp",
	                       "running as TCPOnly = yes, all data goes over the meta connections");
	settings.tcponly = true;
	return 0;
}

/* Like tinc 1.1 built without the legacy protocol: with SPTPS loaded and
 * not turned off, the daemon runs without crypto-legacy and only tinc 1.0
 * peers are refused (each with a log line when it tries to connect). */
static int legacy_or_sptps_only(void) {
	if (crypto_for_minor(PX_PROT_MINOR_LEGACY))
		return 0;
	if (!settings.experimental_protocol || !crypto_for_minor(PX_PROT_MINOR_SPTPS))
		return plugins_require("crypto-legacy",
		                       settings.experimental_protocol
		                           ? "the tinc 1.0 protocol"
		                           : "the tinc 1.0 protocol, ExperimentalProtocol = no");
	plugins_report_missing("crypto-legacy", "only SPTPS peers can connect, not tinc 1.0 nodes");
	return 0;
}

/* The plugins Plexus ships, for naming them in messages. */
static const char *const shipped_plugins[] = {"transport-tcp", "transport-udp", "crypto-legacy",
                                              "crypto-sptps",  "compress",      "update-hosts"};

static bool plugin_shipped(const char *name) {
	for (size_t i = 0; i < sizeof(shipped_plugins) / sizeof(shipped_plugins[0]); i++)
		if (!strcmp(name, shipped_plugins[i]))
			return true;
	return false;
}

static bool plugin_loaded(const char *name) {
	struct px_plugin *p;
	list_for_each_entry(p, &plugin_list, link) {
		if (!strcmp(name, p->name))
			return true;
	}
	return false;
}

/* A DisablePlugin or RequirePlugin name that is neither shipped nor loaded
 * is most likely a typo: say so, with the names that would work. */
static void warn_unknown_plugin_names(const char *var) {
	const char *name;
	for (int i = 0; (name = conf_get(&server_conf, var, i)); i++) {
		if (plugin_shipped(name) || plugin_loaded(name))
			continue;
		char known[512] = "";
		size_t len = 0;
		for (size_t k = 0; k < sizeof(shipped_plugins) / sizeof(shipped_plugins[0]); k++)
			len += snprintf(known + len, sizeof(known) - len, "%s%s", k ? ", " : "",
			                shipped_plugins[k]);
		struct px_plugin *p;
		list_for_each_entry(p, &plugin_list, link) {
			if (!plugin_shipped(p->name) && len < sizeof(known))
				len += snprintf(known + len, sizeof(known) - len, ", %s", p->name);
		}
		logger(PX_LOG_ALWAYS, LOG_WARNING, "%s = %s names no known plugin (known: %s)", var, name,
		       known);
	}
}

/* Which plugins this configuration cannot do without. */
static int check_required_plugins(void) {
	int err = 0;
	warn_unknown_plugin_names("DisablePlugin");
	warn_unknown_plugin_names("RequirePlugin");
	err |= plugins_require("transport-tcp", "meta connections");
	err |= udp_or_tcponly();
	err |= legacy_or_sptps_only();
	if (settings.compression > 0 && !compress_for_level(settings.compression)) {
		char why[64];
		snprintf(why, sizeof(why), "Compression = %d", settings.compression);
		if (plugins_require("compress", why) == 0)
			logger(PX_LOG_ALWAYS, LOG_ERR, "No loaded plugin provides compression level %d%s",
			       settings.compression,
			       settings.compression == PX_COMPRESS_LZ4
			           ? " (LZ4: the compress plugin was built without liblz4)"
			           : "");
		err = -1;
	}
	for (int i = 0;; i++) {
		const char *name = conf_get(&server_conf, "RequirePlugin", i);
		if (!name)
			break;
		err |= plugins_require(name, "RequirePlugin");
	}
	return err ? -1 : 0;
}

/* Like tincd, refuse to run when no loaded protocol has our private key:
 * such a node could never authenticate to anyone. Names the files tried
 * (each plugin has logged why its key was unusable). */
static int check_private_keys(void) {
	const struct crypto_provider *legacy = crypto_for_minor(PX_PROT_MINOR_LEGACY);
	const struct crypto_provider *sptps = NULL;
	for (int m = PX_PROT_MINOR_CURRENT;
	     settings.experimental_protocol && !sptps && m >= PX_PROT_MINOR_SPTPS; m--)
		sptps = crypto_for_minor(m);
	const struct crypto_provider *each[] = {legacy, sptps};
	for (size_t i = 0; i < sizeof(each) / sizeof(each[0]); i++)
		if (each[i] && (!each[i]->ops->usable || each[i]->ops->usable(each[i]->plugin, myself)))
			return 0;
	char tried[8192] = "";
	size_t len = 0;
	if (legacy) {
		const char *file = conf_get(&server_conf, "PrivateKeyFile", 0);
		if (conf_get(&server_conf, "PrivateKey", 0))
			len += snprintf(tried + len, sizeof(tried) - len, "PrivateKey in %s (RSA)",
			                main_conf_path);
		else if (file)
			len += snprintf(tried + len, sizeof(tried) - len, "%s (RSA)", file);
		else
			len += snprintf(tried + len, sizeof(tried) - len, "%s/rsa_key.priv (RSA)", confbase);
	}
	if (sptps && len < sizeof(tried)) {
		const char *file = conf_get(&server_conf, "Ed25519PrivateKeyFile", 0);
		len += snprintf(tried + len, sizeof(tried) - len, "%s%s%s (Ed25519)", len ? ", " : "",
		                file ? file : confbase, file ? "" : "/ed25519_key.priv");
	}
	logger(PX_LOG_ALWAYS, LOG_ERR, "No usable private key for any protocol; tried: %s",
	       len ? tried : "none (no crypto plugin)");
	return -1;
}

static int setup_myself(void) {
	const char *name = conf_get(&server_conf, "Name", 0);
	myself = node_new(name);
	myself->is_self = true;
	myself->reachable = true;
	myself->nexthop = myself->via = myself;
	myself->distance = 0;
	node_add(myself);
	for (int i = 0;; i++) {
		const struct conf_entry *e = conf_get_entry(&server_conf, "Subnet", i);
		if (!e)
			break;
		struct subnet *s = subnet_new();
		if (!subnet_parse(e->value, s) || !subnet_hostbits_clear(s)) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Invalid subnet %s in %s line %d", e->value,
			       e->file ? e->file : "-o", e->line);
			free(s);
			return -1;
		}
		subnet_add(myself, s);
	}
	return 0;
}

static void device_readable(void *arg, uint32_t events);

/* DeviceType = vde: VDEPort (0: any free port) and VDEGroup as tinc 1.1
 * reads them; the switch lists us as plexusd[.NETNAME]. */
static int open_vde_device(const char *path, const char *ifname) {
	int port = 0;
	if (conf_get_int(&server_conf, "VDEPort", &port) < 0)
		return -1;
	if (port < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "VDEPort must be 0 (any port) or a port number, not %d", port);
		return -1;
	}
	char descr[128];
	snprintf(descr, sizeof descr, "plexusd%s%s", netname ? "." : "", netname ? netname : "");
	return device_open_vde(&device, path, ifname, port, conf_get(&server_conf, "VDEGroup", 0), descr);
}

static int setup_device(void) {
	const char *path = conf_get(&server_conf, "Device", 0);
	const char *ifname = conf_get(&server_conf, "Interface", 0);
	const char *type = conf_get(&server_conf, "DeviceType", 0);
	bool tap = settings.mode != RMODE_ROUTER;
	if (type && !strcasecmp(type, "dummy")) {
		/* No interface at all (tests, pure relays): frames for us are dropped. */
		device.fd = -1;
		snprintf(device.ifname, sizeof(device.ifname), "dummy");
		free(settings.ifname);
		settings.ifname = strdup("dummy");
		script_set_common(netname, "dummy", "dummy", myself->name);
		logger(PX_LOG_ALWAYS, LOG_NOTICE, "Using the dummy device: no interface");
		return 0;
	}
	int rc;
	if (!type || !strcasecmp(type, "tun") || !strcasecmp(type, "tap")) {
		if (type)
			tap = !strcasecmp(type, "tap");
		bool one_queue = false;
		if (conf_get_bool(&server_conf, "IffOneQueue", &one_queue) < 0)
			return -1;
		device_set_one_queue(one_queue);
		rc = device_open(&device, path ? path : "/dev/net/tun", ifname, tap);
	} else if (!strcasecmp(type, "fd")) {
		if (settings.mode != RMODE_ROUTER) {
			logger(PX_LOG_ALWAYS, LOG_ERR,
			       "DeviceType = fd carries IP packets only: it needs Mode = router");
			return -1;
		}
		rc = device_open_fd(&device, path);
	} else if (!strcasecmp(type, "raw_socket")) {
		rc = device_open_raw_socket(&device, ifname);
	} else if (!strcasecmp(type, "multicast")) {
		rc = device_open_multicast(&device, path);
	} else if (!strcasecmp(type, "vde")) {
		rc = open_vde_device(path, ifname);
	} else if (!strcasecmp(type, "uml")) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "DeviceType = %s is not supported by Plexus (no %s support built in)", type, type);
		return -1;
	} else {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "Unknown DeviceType = %s (known: tun, tap, dummy, fd, raw_socket, multicast, vde)",
		       type);
		return -1;
	}
	if (rc < 0)
		return -1;
	static const char *const vde_vars[] = {"VDEPort", "VDEGroup"};
	for (size_t i = 0; i < 2 && device.kind != DEVICE_VDE; i++)
		if (conf_get(&server_conf, vde_vars[i], 0))
			logger(PX_LOG_ALWAYS, LOG_WARNING, "%s has no effect unless DeviceType = vde",
			       vde_vars[i]);
	free(settings.ifname);
	settings.ifname = strdup(device.ifname);
	device_watch = watch_new(device.fd, PX_EV_READ, device_readable, NULL);
	script_set_common(netname, device.path ? device.path : "/dev/net/tun", device.ifname, myself->name);
	return 0;
}

/* Append the addresses of every `var` entry ("address [port]", "*" for
 * any) to addrs[0..n); counts the entries in *configured. */
static int resolve_listen_addresses(const char *var, struct px_addr *addrs, int n, int *configured) {
	const char *b;
	for (int i = 0; n < MAX_LISTENERS && (b = conf_get(&server_conf, var, i)); i++) {
		char host[256], port[32];
		int k = sscanf(b, "%255s %31s", host, port);
		(*configured)++;
		if (k < 1)
			continue;
		const char *h = strcmp(host, "*") ? host : NULL;
		n += addr_resolve(h, k == 2 ? port : settings.port, settings.addressfamily, true, addrs + n,
		                  MAX_LISTENERS - n);
	}
	return n;
}

/* "BindToAddress = *" listens everywhere and names no source address. */
static bool addr_is_wildcard(const struct px_addr *a) {
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == htonl(INADDR_ANY);
	if (a->sa.sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&a->in6.sin6_addr);
	return true;
}

static int setup_listeners(void) {
	const struct stream_provider *sp = stream_provider();
	const struct dgram_provider *dp = dgram_provider();
	struct px_addr addrs[MAX_LISTENERS];
	int naddrs = 0;
	/* ListenAddress (1.1) listens like BindToAddress; BindToAddress also
	 * gives direct outgoing connections their source address (first one of
	 * each family, unless it is the wildcard "*"). */
	int configured = 0;
	naddrs = resolve_listen_addresses("BindToAddress", addrs, naddrs, &configured);
	proxy_connect_clear_sources();
	for (int i = 0; i < naddrs; i++)
		if (!addr_is_wildcard(&addrs[i]))
			proxy_connect_set_source(&addrs[i]);
	naddrs = resolve_listen_addresses("ListenAddress", addrs, naddrs, &configured);
	if (configured && !naddrs) {
		/* Listening everywhere instead would ignore the restriction. */
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "None of the BindToAddress/ListenAddress addresses could be resolved");
		return -1;
	}
	if (!naddrs)
		naddrs =
		    addr_resolve(NULL, settings.port, settings.addressfamily, true, addrs, MAX_LISTENERS);
	for (int i = 0; i < naddrs && nlisteners < MAX_LISTENERS; i++) {
		struct listener *l = &listeners[nlisteners];
		memset(l, 0, sizeof(*l));
		l->addr = addrs[i];
		l->family = addrs[i].sa.sa_family;
		if (sp->ops->listen(sp->plugin, &l->addr, &l->stream_listener) < 0) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not listen on %s", addr_str(&l->addr));
			continue;
		}
		if (dp && dp->ops->open(dp->plugin, &l->addr, &l->dgram_sock) < 0) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Could not open UDP socket on %s", addr_str(&l->addr));
			sp->ops->unlisten(sp->plugin, l->stream_listener);
			continue;
		}
		logger(PX_LOG_CONNECTIONS, LOG_NOTICE, "Listening on %s", addr_str(&l->addr));
		nlisteners++;
	}
	if (!nlisteners) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Unable to create any listening socket");
		return -1;
	}
	return 0;
}

int net_setup(void) {
	if (read_settings() < 0)
		return -1;
	if (check_required_plugins() < 0)
		return -1;
	if (process_priority_apply(conf_get(&server_conf, "ProcessPriority", 0)) < 0)
		return -1;
	if (setup_myself() < 0 || check_private_keys() < 0)
		return -1;
	strict_subnets_sync();
	packet_pool_init();
	if (setup_device() < 0)
		return -1;
	if (setup_listeners() < 0)
		return -1;
	upnp_apply();
	if (!settings.device_standby && script_run("tinc-up", NULL) != 0)
		logger(PX_LOG_ALWAYS, LOG_WARNING, "tinc-up failed");
	struct subnet *s;
	list_for_each_entry(s, &myself->subnets, owner_link) run_subnet_script(myself, s, true);
	graph_run();
	net_start_timers();
	for (int i = 0;; i++) {
		const char *name = conf_get(&server_conf, "ConnectTo", i);
		if (!name)
			break;
		setup_outgoing(name);
	}
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "Ready");
	return 0;
}

void net_shutdown(void) {
	net_stop();
	upnp_stop();
	const struct stream_provider *sp = stream_provider();
	const struct dgram_provider *dp = dgram_provider();
	for (int i = 0; i < nlisteners; i++) {
		if (sp && listeners[i].stream_listener)
			sp->ops->unlisten(sp->plugin, listeners[i].stream_listener);
		if (dp && listeners[i].dgram_sock)
			dp->ops->close(dp->plugin, listeners[i].dgram_sock);
	}
	nlisteners = 0;
	if (myself) {
		struct subnet *s;
		list_for_each_entry(s, &myself->subnets, owner_link) run_subnet_script(myself, s, false);
	}
	if (device.fd >= 0 && device_watch) {
		if (!settings.device_standby) /* else run when the last node went */
			script_run("tinc-down", NULL);
		watch_free(device_watch);
		device_close(&device);
		device_watch = NULL;
	}
	broadcast_subnets_free();
	free(settings.port);
	free(settings.ifname);
	settings.port = settings.ifname = NULL;
}

/* Frames from our own interface, a batch at a time. */
static void device_readable(void *arg, uint32_t events) {
	device_input();
}
