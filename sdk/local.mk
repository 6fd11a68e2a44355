# SPDX-License-Identifier: MIT
# The SDK: public ABI headers, pkg-config file, docs and an example plugin.
plexusincludedir = $(includedir)/plexus
plexusinclude_HEADERS = sdk/plexus/plugin.h sdk/plexus/wire.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = sdk/plexus-sdk.pc
sdkdocdir = $(docdir)/sdk
dist_sdkdoc_DATA = sdk/README.md
sdkexampledir = $(docdir)/sdk/examples
dist_sdkexample_DATA = sdk/examples/Makefile sdk/examples/hello.c sdk/examples/crypto-demo.c
EXTRA_DIST += sdk/LICENSE sdk/plexus-sdk.pc.in

# The example is also built as a test module, so that `make check` proves it
# compiles against the in-tree headers alone and loads (tests/abi/abi_test).
check_LTLIBRARIES += sdk/examples/hello.la
sdk_examples_hello_la_SOURCES = sdk/examples/hello.c
sdk_examples_hello_la_CPPFLAGS = -I$(top_srcdir)/sdk
sdk_examples_hello_la_LDFLAGS = -module -rpath /nowhere -avoid-version -no-undefined -shared $(PX_LDFLAGS)
check_LTLIBRARIES += sdk/examples/crypto-demo.la
sdk_examples_crypto_demo_la_SOURCES = sdk/examples/crypto-demo.c
sdk_examples_crypto_demo_la_CPPFLAGS = -I$(top_srcdir)/sdk $(SODIUM_CFLAGS)
sdk_examples_crypto_demo_la_LIBADD = $(SODIUM_LIBS)
sdk_examples_crypto_demo_la_LDFLAGS = -module -rpath /nowhere -avoid-version -no-undefined -shared $(PX_LDFLAGS)
