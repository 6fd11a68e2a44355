#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# pxt-lane: background
# Issue 4, acceptance 1 (cone NAT that translates the port): see
# test_nat_cone.sh. Both NATs map UDP 655 to 4655, so the direct path can
# only be found through the reflexive address in ANS_KEY.
NC_NAT_MODE=cone-port NC_TEST_NAME=test_nat_cone_port exec bash "$(dirname "$0")/test_nat_cone.sh" "$@"
