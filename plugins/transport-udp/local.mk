# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
if ENABLE_TRANSPORT_UDP
pkglib_LTLIBRARIES += plugins/transport-udp/transport-udp.la
plugins_transport_udp_transport_udp_la_SOURCES = plugins/transport-udp/transport_udp.c \
	plugins/transport-udp/udp_gso.c plugins/transport-udp/udp_gso.h
plugins_transport_udp_transport_udp_la_CPPFLAGS = -I$(top_srcdir)/sdk
plugins_transport_udp_transport_udp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
