/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * What the router needs from the net code when it learns or forgets MAC
 * addresses in switch mode. route.c only calls these; the net code
 * implements them (it knows how to send ADD_SUBNET/DEL_SUBNET and run the
 * subnet-up/subnet-down scripts).
 */
#ifndef PX_ROUTE_HOOKS_H
#define PX_ROUTE_HOOKS_H

#include <stdbool.h>

struct subnet;

/* Tell the other nodes about a subnet of ours that is already in the table
 * (add = true: ADD_SUBNET + subnet-up) or about to leave it (add = false:
 * DEL_SUBNET + subnet-down). Does not change the table. */
void announce_subnet(struct subnet *s, bool add);
/* Announce the removal of one of our subnets and subnet_del() it (s is freed).
 * Must not remove any other subnet: route_age_macs() walks myself->subnets
 * while calling it. */
void forget_subnet(struct subnet *s);

#endif
