/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * One entry per variable of the known-variable table in conf.c. Scope,
 * "may appear several times" and whether Plexus implements the variable come
 * from that table, not from here; this file only says what a value looks
 * like, its default and what it does. Keep the summaries to one sentence:
 * they become one line each in README.md and plexusd(8).
 */
#include <string.h>
#include <strings.h>

#include "conf_doc.h"

/* clang-format off */
static const struct conf_var_doc docs[] = {
    /* server */
    {"AddressFamily", "ipv4|ipv6|any", "any", "Address family of the listening sockets and outgoing connections.", NULL},
    {"AutoConnect", "yes|no", "yes", "Keep about three meta connections by dialling random nodes with a known address, and drop surplus ones no ConnectTo asked for.", NULL},
    {"BindToAddress", "ADDRESS [PORT]", NULL, "Listen on this address (and port), and use it as the source of outgoing connections.", NULL},
    {"BindToInterface", "INTERFACE", NULL, "Bind the sockets to this network interface (SO_BINDTODEVICE).", NULL},
    {"Broadcast", "no|mst|direct", "mst", "How broadcast packets are sent: not at all, along the minimum spanning tree, or only to direct neighbours.", NULL},
    {"BroadcastSubnet", "SUBNET", NULL, "An extra subnet whose packets are treated as broadcasts.", NULL},
    {"ConnectTo", "NODE", NULL, "Open and keep a meta connection to this node.", NULL},
    {"DecrementTTL", "yes|no", "no", "Decrement the TTL or hop limit of routed packets.", NULL},
    {"Device", "PATH", "/dev/net/tun", "The virtual network device to open (its meaning depends on DeviceType; vde: the VDE switch's control socket, default LOCALSTATEDIR/run/vde.ctl).", NULL},
    {"DeviceStandby", "yes|no", "no", "Run tinc-up only while some node is reachable, and tinc-down when none is.", NULL},
    {"DeviceType", "tun|tap|dummy|fd|raw_socket|multicast|vde", "tun in router mode, else tap", "The kind of virtual network device (vde needs a build with libvdeplug); uml is refused at start-up.", NULL},
    {"DirectOnly", "yes|no", "no", "Send packets only directly to their destination, never through other nodes.", NULL},
    {"DisableBuggyPeers", "yes|no", "no", "Send each newly connected peer one oversized, zero-filled PACKET first: old, buggy tinc versions choke on it and drop the connection.", NULL},
    {"ECDSAPrivateKeyFile", "FILE", NULL, "tinc 1.1pre's P-521 ECDSA private key file.", NULL},
    {"Ed25519PrivateKeyFile", "FILE", "ed25519_key.priv", "The Ed25519 private key for SPTPS, relative to the configuration directory.", NULL},
    {"ExperimentalProtocol", "yes|no", "yes", "Use SPTPS with peers that have an Ed25519 public key.", NULL},
    {"Forwarding", "off|internal|kernel", "internal", "Whether packets for other nodes are forwarded, and by whom: plexusd or the kernel.", NULL},
    {"FWMark", "NUMBER", "0", "Firewall mark (SO_MARK) set on the daemon's sockets.", NULL},
    {"GraphDumpFile", "FILE", NULL, "Write the graph in Graphviz format to this file, at most once a minute (tinc 1.0; a leading | pipes it to a command).", NULL},
    {"Hostnames", "yes|no", "no", "Resolve addresses to host names in log messages.", NULL},
    {"IffOneQueue", "yes|no", "no", "Open the tun/tap device with IFF_ONE_QUEUE.", NULL},
    {"Interface", "NAME", "the device's default", "Name of the network interface to create or use.", NULL},
    {"InvitationExpire", "SECONDS", "604800", "How long invitations stay valid.", NULL},
    {"KeyExpire", "SECONDS", "3600", "Lifetime of data keys (legacy protocol) and SPTPS rekey interval.", NULL},
    {"ListenAddress", "ADDRESS [PORT]", NULL, "Listen on this address (and port), without binding outgoing connections to it.", NULL},
    {"LocalDiscovery", "yes|no", "no", "Try peers' local (LAN) addresses for UDP as well.", NULL},
    {"LocalDiscoveryAddress", "ADDRESS", NULL, "The local address announced for local discovery.", NULL},
    {"LogLevel", "LEVEL", "0", "Debug level when plexusd is started without -d.", NULL},
    {"MACExpire", "SECONDS", "600", "How long a MAC address learned in switch mode is kept.", NULL},
    {"MaxConnectionBurst", "COUNT", "10", "How many incoming connections are accepted in a burst before they are rate-limited.", NULL},
    {"MaxOutputBufferSize", "BYTES", "15180", "Meta connection output buffer size beyond which packets sent over it are dropped early.", NULL},
    {"MaxTimeout", "SECONDS", "900", "Upper bound of the back-off between attempts to reconnect.", NULL},
    {"MinTimeout", "SECONDS", "0", "Lower bound of the back-off between attempts to reconnect (tinc 1.0).", NULL},
    {"Mode", "router|switch|hub", "router", "Route by Subnet (router), by learned MAC address (switch), or broadcast everything (hub).", NULL},
    {"MTUInfoInterval", "SECONDS", "5", "Least interval between the MTU_INFO path MTU hints this node sends towards one node it gets relayed packets from.", NULL},
    {"Name", "NAME|$HOST|$VARIABLE", NULL, "This node's name (required); $HOST is the host name, $VARIABLE an environment variable.", NULL},
    {"PingInterval", "SECONDS", "60", "Idle time after which a meta connection is probed with PING.", NULL},
    {"PingTimeout", "SECONDS", "5", "Time a PING may go unanswered before the connection is closed (at most PingInterval).", NULL},
    {"PriorityInheritance", "yes|no", "no", "Copy the TOS or traffic class of inner packets to the outer ones.", NULL},
    {"PrivateKey", "HEX", NULL, "The RSA private exponent in hexadecimal (obsolete; the modulus is PublicKey).", NULL},
    {"PrivateKeyFile", "FILE", "rsa_key.priv", "The RSA private key for the legacy protocol, relative to the configuration directory.", NULL},
    {"ProcessPriority", "low|normal|high", NULL, "Scheduling priority of the daemon.", NULL},
    {"Proxy", "socks4|socks5|http|exec ...", NULL, "Make outgoing meta connections through a proxy.", NULL},
    {"ReplayWindow", "BYTES", "16", "Size of the replay window bitmap for UDP packets (8 packets per byte).", NULL},
    {"Sandbox", "off|normal|high", "off", "Restrict what the daemon may do after start-up.", "the sandbox that was asked for would not be applied"},
    {"ScriptsExtension", "SUFFIX", NULL, "Appended to the names of the scripts (tinc-up.sh, ...).", NULL},
    {"ScriptsInterpreter", "COMMAND", NULL, "Run the scripts with this interpreter instead of executing them.", NULL},
    {"StrictSubnets", "yes|no", "no", "Accept only the subnets listed in our own host files.", NULL},
    {"TunnelServer", "yes|no", "no", "Star topology: forward no information about other nodes, implies StrictSubnets.", NULL},
    {"UDPDiscovery", "yes|no", "yes", "Probe SPTPS peers over UDP, using TCP until a probe reply confirms UDP and again after UDPDiscoveryTimeout without one; no: UDP is found by PMTU probing alone, as with legacy peers.", NULL},
    {"UDPDiscoveryInterval", "SECONDS", "2", "Interval between UDP probes to an SPTPS peer while UDP is not confirmed.", NULL},
    {"UDPDiscoveryKeepaliveInterval", "SECONDS", "10", "Interval between UDP probes to an SPTPS peer once UDP is confirmed.", NULL},
    {"UDPDiscoveryTimeout", "SECONDS", "30", "Time without a UDP probe reply after which UDP to an SPTPS peer counts as broken and data goes over TCP.", NULL},
    {"UDPInfoInterval", "SECONDS", "5", "Least interval between the UDP_INFO address hints this node sends towards one node it gets relayed packets from.", NULL},
    {"UDPRcvBuf", "BYTES", "1048576", "Receive buffer size of the UDP sockets (0: the system's default).", NULL},
    {"UDPSndBuf", "BYTES", "1048576", "Send buffer size of the UDP sockets (0: the system's default).", NULL},
    {"UPnP", "yes|udponly|no", "no", "Ask the local Internet Gateway Device with UPnP-IGD to forward our TCP and UDP port (udponly: UDP only) to us; refused at start-up if Plexus was built without libminiupnpc.", NULL},
    {"UPnPDiscoverWait", "SECONDS", "5", "How long to wait for UPnP devices to answer each discovery.", NULL},
    {"UPnPRefreshPeriod", "SECONDS", "60", "How often the UPnP port mappings are renewed; each is leased for twice this.", NULL},
    {"VDEGroup", "GROUP", NULL, "DeviceType = vde: group that owns our port's socket on the VDE switch.", NULL},
    {"VDEPort", "NUMBER", "0", "DeviceType = vde: the VDE switch port to plug into (0: any free port).", NULL},
    /* host, or either */
    {"Address", "HOST [PORT]", NULL, "Where this node can be reached.", NULL},
    {"Cipher", "CIPHER|none", "aes-256-cbc", "Cipher of legacy-protocol UDP packets sent to this node.", NULL},
    {"ClampMSS", "yes|no", "yes", "Lower the MSS of TCP SYN packets to fit the path MTU.", NULL},
    {"Compression", "LEVEL", "0", "Compression level this node wants for packets sent to it (0 none, 1-9 zlib, 10-11 LZO, 12 LZ4).", NULL},
    {"Digest", "DIGEST|none", "sha256", "MAC digest of legacy-protocol UDP packets sent to this node.", NULL},
    {"ECDSAPublicKey", "KEY", NULL, "tinc 1.1pre's P-521 ECDSA public key.", NULL},
    {"ECDSAPublicKeyFile", "FILE", NULL, "tinc 1.1pre's P-521 ECDSA public key file.", NULL},
    {"Ed25519PublicKey", "KEY", NULL, "This node's Ed25519 public key in tinc's base64.", NULL},
    {"Ed25519PublicKeyFile", "FILE", NULL, "A file holding this node's Ed25519 public key.", NULL},
    {"Ifconfig", "ADDRESS[/PREFIX]|dhcp|dhcp6|slaac", NULL, "Address for tinc join to put into tinc-up.invitation.", "only tinc's invitation tools read it; plexusd ignores it, as tincd does"},
    {"IndirectData", "yes|no", "no", "Other nodes send packets for this node through its meta connections, not directly.", NULL},
    {"MACLength", "BYTES", "4", "Length of the MAC of legacy-protocol UDP packets sent to this node.", NULL},
    {"PMTU", "BYTES", "1518", "Path MTU to this node until discovery finds it (kept with PMTUDiscovery = no).", NULL},
    {"PMTUDiscovery", "yes|no", "yes", "Discover the path MTU to this node.", NULL},
    {"Port", "PORT", "655", "Port this node listens on (TCP and UDP).", NULL},
    {"PublicKey", "HEX", NULL, "The RSA modulus in hexadecimal (obsolete; a PEM block in the host file is used instead).", NULL},
    {"PublicKeyFile", "FILE", NULL, "A file holding this node's RSA public key.", NULL},
    {"Route", "SUBNET [GATEWAY]", NULL, "Route for tinc join to put into tinc-up.invitation.", "only tinc's invitation tools read it; plexusd ignores it, as tincd does"},
    {"Subnet", "ADDRESS[/PREFIX][#WEIGHT]", NULL, "A subnet (or MAC address in switch mode) this node owns.", NULL},
    {"TCPOnly", "yes|no", "no", "Send packets to this node only over its meta connection (TCP).", NULL},
    {"Weight", "NUMBER", "measured round-trip time", "Weight of the edges to this node, instead of the measured round-trip time.", NULL},
    /* Plexus */
    {"MaxEdgesPerNode", "COUNT", "1024", "Most edges stored for one announcing node; further ADD_EDGE are ignored (0: no cap).", NULL},
    {"MaxSubnetsPerNode", "COUNT", "4096", "Most subnets stored for one owner; further ADD_SUBNET are ignored (0: no cap).", NULL},
    {"PluginDir", "DIRECTORY", NULL, "Searched for plugins after PLEXUS_PLUGIN_PATH and before the installed plugin directory.", NULL},
    {"DisablePlugin", "PLUGIN", NULL, "Do not load this plugin.", NULL},
    {"RequirePlugin", "PLUGIN", NULL, "Refuse to start unless this plugin is loaded.", NULL},
    {"LoadPlugin", "PLUGIN", NULL, "Load this plugin.", NULL},
    {"LegacyECDH", "yes|no|required", "yes", "crypto-legacy: agree data keys with signed X25519 with Plexus peers (per peer in its host file).", NULL},
    /* update-hosts plugin */
    {"HostsFilesMaster", "yes|no", "no", "update-hosts: in our copy of a node's host file, lets that node update host files.", NULL},
    {"ConfFileMaster", "yes|no", "no", "update-hosts: in our copy of a node's host file, lets that node update the configuration.", NULL},
    {"DeadHost", "yes|no", "no", "update-hosts: on the updater, announce that this host file is to be removed.", NULL},
    {"NeedsNetUpdates", "yes|no", "no", "update-hosts: on the updater, send this node all host files when it connects.", NULL},
    {"HostsUpdateInterval", "SECONDS", "0", "update-hosts: interval between runs of host file updates (0: none).", NULL},
    {"ConfFileTemplate", "FILE", NULL, "update-hosts: the configuration template the updater sends.", NULL},
    {"IgnoreHostsUpdates", "yes|no", "no", "update-hosts: do not apply host file updates.", NULL},
    {"DontForwardHostsUpdates", "yes|no", "no", "update-hosts: do not pass host file updates on.", NULL},
    {"IgnoreConfUpdates", "yes|no", "no", "update-hosts: do not apply configuration updates.", NULL},
    {"DontForwardConfUpdates", "yes|no", "no", "update-hosts: do not pass configuration updates on.", NULL},
    {"IgnoreNetUpdates", "yes|no", "no", "update-hosts: both IgnoreHostsUpdates and IgnoreConfUpdates.", NULL},
    {"DontVerifyUpdateSignature", "yes|no", "no", "update-hosts: for bootstrapping only, accept updates without checking their signature.", NULL},
    {"DontVerifyUpdatePermission", "yes|no", "no", "update-hosts: for bootstrapping only, accept updates from nodes that are no master.", NULL},
    {"Transport", "NAME", NULL, "Which transport plugin to use.", NULL},
    {"LogFile", "FILE", NULL, "File to log to.", NULL},
};
/* clang-format on */

size_t conf_var_doc_count(void) {
	return sizeof(docs) / sizeof(docs[0]);
}

const struct conf_var_doc *conf_var_doc_at(size_t i) {
	return i < conf_var_doc_count() ? &docs[i] : NULL;
}

const struct conf_var_doc *conf_var_doc(const char *name) {
	for (size_t i = 0; name && i < conf_var_doc_count(); i++) {
		if (!strcasecmp(docs[i].name, name)) {
			return &docs[i];
		}
	}

	return NULL;
}
