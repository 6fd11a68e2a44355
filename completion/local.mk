# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# bash completion for plexus and plexusd: one file (completion/plexus.in
# with the variable names of the parser's table filled in), installed as
# "plexus" and, as a symlink for bash-completion's on-demand loading, as
# "plexusd".
bashcompletion_DATA = completion/plexus
EXTRA_DIST += completion/plexus.in
CLEANFILES += completion/plexus

completion/plexus: $(srcdir)/completion/plexus.in core/conf_dump$(EXEEXT) Makefile
	$(AM_V_GEN)$(MKDIR_P) completion && \
	vars=`core/conf_dump$(EXEEXT) names | tr '\n' ' ' | sed 's/ $$//'` && test -n "$$vars" && \
	sed -e "s|@PLEXUS_VARIABLES[@]|$$vars|" $(srcdir)/completion/plexus.in >$@.tmp && mv $@.tmp $@

install-data-hook: install-completion-link
uninstall-hook: uninstall-completion-link
install-completion-link:
	cd $(DESTDIR)$(bashcompletiondir) && rm -f plexusd && $(LN_S) plexus plexusd
uninstall-completion-link:
	rm -f $(DESTDIR)$(bashcompletiondir)/plexusd
.PHONY: install-completion-link uninstall-completion-link

TESTS += tests/unit/completion_test.sh
EXTRA_DIST += tests/unit/completion_test.sh
