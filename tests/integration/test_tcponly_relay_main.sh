#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Issue 4, acceptance 5, with TCPOnly = yes only in C's main config (A and B
# learn it from C's edge options): see test_tcponly_relay.sh.
NC_TCPONLY_IN=main NC_TEST_NAME=test_tcponly_relay_main exec bash "$(dirname "$0")/test_tcponly_relay.sh" "$@"
