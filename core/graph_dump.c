/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * GraphDumpFile (tinc 1.0): the graph of nodes and edges in Graphviz "dot"
 * form, written at most once a minute when it may have changed. The file is
 * written as NAME.new and renamed over NAME; a value starting with '|' is a
 * command that gets the dump on its standard input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "edge.h"
#include "graph.h"
#include "graph_dump.h"
#include "logger.h"
#include "node.h"

#define DUMP_INTERVAL 60 /* seconds, as tinc */

static void write_dot(FILE *f) {
	node_t *n;
	struct edge *e;
	fprintf(f, "digraph {\n");
	list_for_each_entry(n, &node_list, link) fprintf(f, "\t\"%s\" [label = \"%s\"];\n", n->name, n->name);
	list_for_each_entry(e, &edge_list, link)
	    fprintf(f, "\t\"%s\" -> \"%s\";\n", e->from->name, e->to->name);
	fprintf(f, "}\n");
}

void graph_dump_tick(void) {
	static time_t last;
	static unsigned dumped_runs;
	static bool dumped;
	time_t now = time(NULL);
	const char *target = conf_get(&server_conf, "GraphDumpFile", 0);

	if (!target || !*target || (last && now - last < DUMP_INTERVAL))
		return;
	last = now;
	if (dumped && graph_run_count() == dumped_runs)
		return;
	dumped = true;
	dumped_runs = graph_run_count();
	logger(PX_LOG_PROTOCOL, LOG_NOTICE, "Dumping graph");

	if (target[0] == '|') {
		FILE *p = popen(target + 1, "w");
		if (!p) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "Unable to run graph dump command %s: %s", target + 1,
			       strerror(errno));
			return;
		}
		write_dot(p);
		pclose(p);
		return;
	}

	size_t len = strlen(target) + sizeof(".new");
	char *tmp = malloc(len);
	if (!tmp)
		return;
	snprintf(tmp, len, "%s.new", target);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Unable to open graph dump file %s: %s", tmp, strerror(errno));
		free(tmp);
		return;
	}
	write_dot(f);
	if (fclose(f) || rename(tmp, target))
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not write graph dump file %s: %s", target,
		       strerror(errno));
	free(tmp);
}
