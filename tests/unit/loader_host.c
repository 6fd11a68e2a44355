/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "logger.h"
#include "loader_host.h"
#include "plugin_loader.h"

static void host_log(px_plugin *self, int level, const char *fmt, ...) PX_PRINTF(3, 4);
static void host_log(px_plugin *self, int level, const char *fmt, ...) {
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logger(level, LOG_NOTICE, "[%s] %s", self && self->name ? self->name : "plugin", msg);
}

static int host_log_level(void) {
	return logger_max_level();
}

static const char *host_conf_get(const char *host, const char *var, int index) {
	return host || !var ? NULL : conf_get(&server_conf, var, index);
}

static bool host_conf_bool(const char *host, const char *var, bool dflt) {
	bool value;
	return !host && var && conf_get_bool(&server_conf, var, &value) == 1 ? value : dflt;
}

static int host_conf_int(const char *host, const char *var, int dflt) {
	int value;
	return !host && var && conf_get_int(&server_conf, var, &value) == 1 ? value : dflt;
}

/* Tests want repeatable bytes, not secret ones. */
static void host_random_bytes(void *buf, size_t len) {
	memset(buf, 0x5a, len);
}

static void host_memwipe(void *buf, size_t len) {
	memset(buf, 0, len);
}

static const char *host_conn_name(px_conn *c) {
	(void)c;
	return NULL;
}

static const struct px_host host = {
    .size = sizeof(struct px_host),
    .abi_major = PX_ABI_MAJOR,
    .abi_minor = PX_ABI_MINOR,
    .log = host_log,
    .log_level = host_log_level,
    .conf_get = host_conf_get,
    .conf_bool = host_conf_bool,
    .conf_int = host_conf_int,
    .random_bytes = host_random_bytes,
    .memwipe = host_memwipe,
    .register_crypto = loader_register_crypto,
    .register_compress = loader_register_compress,
    .register_request = loader_register_request,
    .register_dgram = loader_register_dgram,
    .register_stream = loader_register_stream,
    .register_events = loader_register_events,
    .register_variable = loader_register_variable,
    .conn_name = host_conn_name,
};

const struct px_host *loader_test_host(void) {
	return &host;
}
