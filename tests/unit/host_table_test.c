/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The daemon's host table (core/plugin_host.c): its ABI header, and that
 * configuration and logging reach a plugin as the core sees them. The
 * loader's rules are tested without it (loader_test.c).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "logger.h"
#include "plugin_host.h"
#include "plugin_loader.h"

static char last[1024];

static void tap_write(struct log_tap *tap, int level, const char *msg, size_t len) {
	if (len >= sizeof(last)) {
		len = sizeof(last) - 1;
	}
	memcpy(last, msg, len);
	last[len] = 0;
}

static struct log_tap tap = {.level = 10, .write = tap_write};

static void test_host_table(void) {
	const struct px_host *h = host_table();
	CHECK(h->size == sizeof(struct px_host));
	CHECK(h->abi_major == PX_ABI_MAJOR && h->abi_minor == PX_ABI_MINOR);

	conf_add_line(&server_conf, "Name = alpha", NULL, 0);
	conf_add_line(&server_conf, "PingInterval = 17", NULL, 0);
	conf_add_line(&server_conf, "TCPOnly = yes", NULL, 0);
	CHECK_STR(h->conf_get(NULL, "name", 0), "alpha");
	CHECK(h->conf_get(NULL, "Name", 1) == NULL);
	CHECK(h->conf_int(NULL, "PingInterval", 60) == 17);
	CHECK(h->conf_int(NULL, "PingTimeout", 5) == 5);
	CHECK(h->conf_bool(NULL, "TCPOnly", false) == true);
	CHECK(h->conf_bool(NULL, "Name", true) == true); /* invalid: default */
	CHECK_STR(h->self_name(), "alpha");
	CHECK(h->conf_get("no_such_host", "Address", 0) == NULL);

	struct px_plugin p = {.name = "hello"};
	int saved = debug_level;
	h->log(&p, 0, "value %d", 42);
	CHECK_STR(last, "[hello] value 42");
	debug_level = 0;
	tap.level = 1;
	last[0] = 0;
	h->log(&p, 5, "hidden");
	CHECK_STR(last, "");
	tap.level = 10;
	debug_level = saved;
}

int main(void) {
	plugins_set_host(host_table());
	conf_init(&server_conf);
	logger_tap_add(&tap);

	test_host_table();

	logger_tap_remove(&tap);
	conf_free(&server_conf);
	return check_done("host_table_test");
}
