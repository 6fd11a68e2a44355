/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* GraphDumpFile: a Graphviz dump of the graph, refreshed once a minute. */
#ifndef PX_GRAPH_DUMP_H
#define PX_GRAPH_DUMP_H

/* Called every second: writes the dump when GraphDumpFile is set, the last
 * one is a minute old (or there was none) and the graph ran since. */
void graph_dump_tick(void);

#endif
