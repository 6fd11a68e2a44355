#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# Issue 4, acceptance 2 with the kernel's PMTU cache shortened to 5 s in the
# nodes' namespaces: checks the daemon's own discovery and periodic
# re-probing (1280 found, then 1500 found again), independently of how the
# UDP transport copes with a cached kernel PMTU (test_pmtu.sh).
NC_PMTU_EXPIRES=5 NC_TEST_NAME=test_pmtu_reprobe exec bash "$(dirname "$0")/test_pmtu.sh" "$@"
