# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Unit tests (make check). Each area owns a fragment.
TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
TEST_LIBS = core/libplexuscore.la
EXTRA_DIST += tests/unit/check.h
include $(srcdir)/tests/unit/layers.mk
include $(srcdir)/tests/unit/model.mk
include $(srcdir)/tests/unit/sys.mk
include $(srcdir)/tests/unit/legacy.mk
include $(srcdir)/tests/unit/net.mk
include $(srcdir)/tests/unit/control.mk
include $(srcdir)/tests/unit/cli.mk
include $(srcdir)/tests/unit/route.mk
include $(srcdir)/tests/unit/compress.mk
include $(srcdir)/tests/unit/udp.mk
include $(srcdir)/tests/unit/sptps.mk
include $(srcdir)/tests/unit/update.mk
include $(srcdir)/tests/unit/proxy.mk
include $(srcdir)/tests/unit/docs.mk
include $(srcdir)/tests/abi/abi.mk
include $(srcdir)/tests/fuzz/fuzz.mk
