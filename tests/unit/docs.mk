# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Documentation checks: every *.md a source file or document cites exists in
# the repository (the protocol is documented in docs/protocol/).
TESTS += tests/unit/doc_citations_test.sh
EXTRA_DIST += tests/unit/docs.mk tests/unit/doc_citations_test.sh

# docs/tinc-1.1-variables.md against the parser's table and the test tree.
TESTS += tests/unit/tinc11_vars_test.sh
EXTRA_DIST += tests/unit/tinc11_vars_test.sh
