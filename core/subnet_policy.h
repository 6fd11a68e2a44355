/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* What a peer may announce: StrictSubnets and TunnelServer. */
#ifndef PX_SUBNET_POLICY_H
#define PX_SUBNET_POLICY_H

#include <stdbool.h>

#include "connection.h"

/* StrictSubnets: make the subnets of every other node exactly the Subnet
 * lines of its hosts/ file (nodes are created for host files we have no node
 * for). Subnets that appeared are announced, those that disappeared are
 * withdrawn. Called at start-up and at every reload; no-op without
 * StrictSubnets. In strict_subnets.c (daemon layer). */
void strict_subnets_sync(void);

/* TunnelServer: a peer may only speak of itself (and of us). */
bool tunnelserver_allows_subnet(const conn_t *c, const char *owner);
/* TunnelServer: an edge must have the sending peer at one end. */
bool tunnelserver_allows_edge(const conn_t *c, const char *from, const char *to);

/* Log (once per request kind, owner and subnet, in bounded memory and at a
 * bounded rate) that `what` from c for owner's subnet was ignored. */
void subnet_policy_log_refusal(const conn_t *c, const char *what, const char *owner, const char *subnet,
                               const char *why);
/* Forget what was logged (tests, and a reload: a changed host file deserves
 * a fresh line). */
void subnet_policy_log_reset(void);

#endif
