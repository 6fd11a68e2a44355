# SPDX-License-Identifier: MIT
# The SDK: public ABI headers, pkg-config file, docs and an example plugin.
plexusincludedir = $(includedir)/plexus
plexusinclude_HEADERS = sdk/plexus/plugin.h sdk/plexus/wire.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = sdk/plexus-sdk.pc
sdkdocdir = $(docdir)/sdk
dist_sdkdoc_DATA = sdk/README.md
EXTRA_DIST += sdk/plexus-sdk.pc.in sdk/examples/Makefile sdk/examples/hello.c
