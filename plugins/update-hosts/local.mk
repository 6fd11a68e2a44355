# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# update-hosts: signed HOSTUPDATE/CONFUPDATE distribution (docs/update-hosts.md).
UPDATE_HOSTS_SOURCES = \
	plugins/update-hosts/update.h \
	plugins/update-hosts/plugin.c \
	plugins/update-hosts/codec.c \
	plugins/update-hosts/sign.c \
	plugins/update-hosts/hostfile.c \
	plugins/update-hosts/store.c \
	plugins/update-hosts/confmerge.c \
	plugins/update-hosts/scripts.c \
	plugins/update-hosts/receive.c \
	plugins/update-hosts/send.c
EXTRA_DIST += docs/update-hosts.md
if ENABLE_UPDATE_HOSTS
pkglib_LTLIBRARIES += plugins/update-hosts/update-hosts.la
plugins_update_hosts_update_hosts_la_SOURCES = $(UPDATE_HOSTS_SOURCES)
plugins_update_hosts_update_hosts_la_CPPFLAGS = -I$(top_srcdir)/sdk $(CRYPTO_CFLAGS)
plugins_update_hosts_update_hosts_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_update_hosts_update_hosts_la_LIBADD = $(CRYPTO_LIBS)
endif
