# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# systemd units, with the configured paths filled in at build time.
systemdsystemunit_DATA = systemd/plexus.service systemd/plexus@.service
EXTRA_DIST += systemd/plexus.service.in systemd/plexus@.service.in
CLEANFILES += $(systemdsystemunit_DATA)

systemd/%.service: $(srcdir)/systemd/%.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	    -e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@localstatedir[@]|$(localstatedir)|g' \
	    $< >$@.tmp && mv $@.tmp $@
