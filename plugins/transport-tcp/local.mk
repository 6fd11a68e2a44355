# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
if ENABLE_TRANSPORT_TCP
pkglib_LTLIBRARIES += plugins/transport-tcp/transport-tcp.la
plugins_transport_tcp_transport_tcp_la_SOURCES = plugins/transport-tcp/transport_tcp.c
plugins_transport_tcp_transport_tcp_la_CPPFLAGS = -I$(top_srcdir)/sdk
plugins_transport_tcp_transport_tcp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
