/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Fuzz target for the configuration file parser (core/conf.c): the input is
 * a whole tinc.conf / host file, read through conf_read_file() from a memfd
 * (no disk I/O per run), then every entry is looked up again through the
 * getters the daemon uses. Also feeds the first line to conf_add_line()
 * (the -o command-line path) and check_node_name().
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz_target.h"

static int conf_fd = -1;
static char conf_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (conf_fd < 0) {
		conf_fd = memfd_create("fuzz-conf", 0);
		if (conf_fd < 0)
			abort();
		snprintf(conf_path, sizeof(conf_path), "/proc/self/fd/%d", conf_fd);
	}
	if (ftruncate(conf_fd, 0) < 0 || pwrite(conf_fd, data, size, 0) != (ssize_t)size)
		abort();

	struct conf c;
	conf_init(&c);
	conf_read_file(&c, conf_path, true);
	for (size_t i = 0; i < c.n; i++) {
		bool b;
		int v;
		const char *var = c.v[i].var;
		if (!var || !c.v[i].value)
			abort(); /* every stored entry has a variable and a value */
		if (!conf_get(&c, var, 0))
			abort(); /* an entry that was stored must be found again */
		conf_get_bool(&c, var, &b);
		conf_get_int(&c, var, &v);
		conf_var_flags(var);
		check_node_name(c.v[i].value);
	}
	conf_free(&c);

	/* The first line (up to 1 KiB) as a -o option. */
	char line[1024];
	size_t n = 0;
	while (n < size && n < sizeof(line) - 1 && data[n] != '\n' && data[n] != 0) {
		line[n] = (char)data[n];
		n++;
	}
	line[n] = 0;
	conf_init(&c);
	conf_add_line(&c, line, NULL, 0);
	conf_free(&c);
	check_node_name(line);
	return 0;
}
