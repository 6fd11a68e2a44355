/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The scripts run when a node or a subnet comes or goes. */
#ifndef PX_NODE_SCRIPTS_H
#define PX_NODE_SCRIPTS_H

#include <stdbool.h>

#include "node.h"

struct subnet;

/* host-up/host-down and hosts/NAME-up/-down for n. */
void run_host_script(node_t *n, bool up);
/* subnet-up/subnet-down for one of owner's subnets. */
void run_subnet_script(node_t *owner, const struct subnet *s, bool up);

#endif
