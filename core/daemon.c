/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The wiring: the one place that connects the layers. Lower layers report
 * to callbacks and sinks they are given (the graph's observer, the
 * connections' hooks, the meta sink, route_io, the request table, the
 * plugins' host table); this file gives them the functions of the layers
 * above. See core/README.md.
 */
#include "connection.h"
#include "control.h"
#include "daemon.h"
#include "graph.h"
#include "meta.h"
#include "net_packet.h"
#include "outgoing.h"
#include "plugin_host.h"
#include "plugin_loader.h"
#include "privdrop.h"
#include "protocol.h"
#include "reachability.h"
#include "route.h"
#include "settings.h"
#include "sptps_tcp.h"
#include "protocol_info.h"

/* A connection's edge is gone: tell the others (DEL_EDGE). */
static void edge_gone(const struct edge *e) {
	send_del_edge(NULL, e);
}

void daemon_wire(void) {
	static bool wired;
	if (wired)
		return;
	wired = true;

	graph_set_observer(graph_node_changed);
	conn_set_hooks(&(struct conn_hooks){
	    .edge_gone = edge_gone,
	    .outgoing_lost = outgoing_connection_lost,
	    .outgoing_reset = outgoing_reset_backoff,
	});
	meta_set_sink(&(struct meta_sink){
	    .line = receive_request,
	    .frame = receive_tcppacket,
	    .connected = send_id,
	    .settle = topology_settle,
	    .request_name = request_name,
	});
	route_set_io(&(struct route_io){
	    .send = send_packet,
	    .broadcast = broadcast_packet,
	    .to_device = deliver_to_device,
	    .announce_subnet = announce_subnet,
	    .forget_subnet = forget_subnet,
	    .device = &device,
	});
	protocol_auth_register();
	protocol_misc_register();
	protocol_subnet_register();
	protocol_edge_register();
	protocol_key_register();
	sptps_tcp_register();
	protocol_info_register();
	net_packet_set_relay_hints(&(struct relay_hint_io){
	    .udp_info = relay_hint_udp_info,
	    .mtu_info = relay_hint_mtu_info,
	});
	net_packet_set_sptps_tcp(&(struct sptps_tcp_io){
	    .send_frame = sptps_tcp_send_frame,
	    .relay = sptps_tcp_relay,
	});
	plugins_set_host(host_table());
	privdrop_set_chroot_hook(control_set_path_mapper);
}
