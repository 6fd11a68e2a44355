# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The core as a convenience library, so unit tests link the real code.
noinst_LTLIBRARIES += core/libplexuscore.la
core_libplexuscore_la_SOURCES = core/LAYERS \
	core/list.h \
	core/xalloc.c core/xalloc.h \
	core/slots.c core/slots.h \
	core/conf.c core/conf.h \
	core/host_cache.c core/host_cache.h \
	core/config_files.c \
	core/rate_limit.c core/rate_limit.h \
	core/admission.c core/admission.h \
	core/netutl.c core/netutl.h \
	core/subnet.c core/subnet.h \
	core/broadcast_subnets.c core/broadcast_subnets.h \
	core/node.c core/node.h core/hash_mix.h \
	core/edge.c core/edge.h \
	core/graph.c core/graph.h \
	core/node_scripts.c core/node_scripts.h \
	core/settings.c core/settings.h \
	core/event.c core/event.h \
	core/device.c core/device.h core/device_kinds.c core/device_vde.c \
	core/device_vnet.c core/device_vnet.h core/tun_vnet.h \
	core/tun_gso.c core/tun_gso.h core/tun_gro.c core/tun_gro.h \
	core/inet_csum.c core/inet_csum.h \
	core/logger.c core/logger.h \
	core/script.c core/script.h \
	core/control.c core/control.h \
	core/control_format.c core/control_format.h \
	core/control_pcap.c core/control_pcap.h \
	core/control_connect.c core/control_connect.h \
	core/paths.c \
	core/sd_notify.c core/sd_notify.h \
	core/service.c core/service.h \
	core/privdrop.c core/privdrop.h \
	core/plugin_loader.c core/plugin_loader.h \
	core/compress_backoff.c core/compress_backoff.h \
	core/plugin_vars.c core/plugin_vars.h \
	core/plugin_files.c core/plugin_files.h \
	core/plugin_host.c core/plugin_host.h \
	core/connection.c core/connection.h \
	core/meta.c core/meta.h \
	core/protocol.c core/protocol.h \
	core/seen_cache.c core/seen_cache.h \
	core/protocol_auth.c \
	core/protocol_edge.c \
	core/protocol_subnet.c \
	core/subnet_policy.c core/subnet_policy.h core/strict_subnets.c \
	core/protocol_key.c \
	core/protocol_misc.c \
	core/protocol_info.c core/protocol_info.h \
	core/net.c core/net.h core/graph_dump.c core/graph_dump.h core/outgoing.c core/reachability.c core/reachability.h \
	core/daemon.c core/daemon.h \
	core/autoconnect.c core/autoconnect.h core/autoconnect_run.c \
	core/net_setup.c \
	core/proxy.c core/proxy.h core/proxy_connect.c core/proxy_connect.h core/proxy_wire.c core/proxy_wire.h core/proxy_exec.c core/proxy_exec.h \
	core/process_priority.c core/process_priority.h \
	core/net_packet.c core/pmtu.c core/pmtu.h \
	core/udp_trial.c core/udp_trial.h \
	core/udp_discovery.c core/udp_discovery.h \
	core/graph_holddown.c core/graph_holddown.h \
	core/sptps_frame.c core/sptps_frame.h \
	core/sptps_tcp.c core/sptps_tcp.h \
	core/net_packet.h core/outgoing.h \
	core/route.c core/route.h core/route_internal.h core/route_io.c \
	core/route_icmp.c core/route_mss.c core/route_neighbor.c core/route_ttl.c \
	core/invitation.c core/invitation.h \
	core/invitation_names.c core/invitation_names.h \
	core/upnp.c core/upnp.h core/upnp_igd.c core/upnp_igd.h \
	plugins/crypto-sptps/sptps.c plugins/crypto-sptps/sptps.h \
	plugins/crypto-sptps/sptps_replay.c plugins/crypto-sptps/sptps_replay.h \
	plugins/crypto-sptps/b64.c plugins/crypto-sptps/b64.h \
	plugins/crypto-sptps/keys.c plugins/crypto-sptps/keys.h \
	plugins/crypto-sptps/sptps_crypto.c plugins/crypto-sptps/sptps_crypto.h
# The invitation exchange (core/invitation.c) runs SPTPS with the
# invitation key, so the core links crypto-sptps's self-contained SPTPS
# library; with -fvisibility=hidden its symbols do not clash with the
# plugin's own copy.
core_libplexuscore_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/crypto-sptps
core_libplexuscore_la_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS) $(VDE_CFLAGS)
core_libplexuscore_la_LIBADD = $(SODIUM_LIBS) $(LTDL_LIBS) $(MINIUPNPC_LIBS) $(VDE_LIBS)

sbin_PROGRAMS += core/plexusd
core_plexusd_SOURCES = core/plexusd.c
core_plexusd_LDADD = core/libplexuscore.la
core_plexusd_LDFLAGS = $(AM_LDFLAGS) -export-dynamic

bin_PROGRAMS += core/plexus
# The CLI uses crypto-sptps's key-file code and SPTPS library (both in
# libplexuscore, no plugin-host dependency) for sign/verify, key
# generation, fsck, invite and join; curses for top, readline for the shell.
core_plexus_SOURCES = core/plexus.c core/cli.h core/cli_ctl.h \
	core/cli_top.c core/cli_pcap.c core/cli_readline.c core/cli_connect.c \
	core/pcap_format.c core/pcap_format.h core/top_stats.c core/top_stats.h \
	core/cli_config.c core/cli_export.c core/cli_misc.c \
	core/cli_sign.c core/cli_keys.h core/cli_fsck.c core/cli_plugin_vars.c \
	core/cli_invite.c core/cli_join.c
core_plexus_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/crypto-sptps $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS) \
	$(CURSES_CFLAGS) $(READLINE_CFLAGS)
core_plexus_LDADD = core/libplexuscore.la $(SODIUM_LIBS) $(CRYPTO_LIBS) $(CURSES_LIBS) $(READLINE_LIBS)

EXTRA_DIST += core/README.md
