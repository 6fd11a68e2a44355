/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The daemon's reactions to reachability changes (the graph's observer). */
#ifndef PX_REACHABILITY_H
#define PX_REACHABILITY_H

#include <stdbool.h>

#include "node.h"

void graph_node_changed(node_t *n, bool up);

#endif
