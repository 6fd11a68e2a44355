/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Weak stand-ins for the core services the host table points at. The loader
 * tests need only the loader, the configuration and the logger; these keep
 * the linker from pulling the whole network core out of libplexuscore.a.
 * Being weak, they give way to the real functions whenever an object that
 * defines them is linked in for another reason.
 */
#include <stdarg.h>
#include <stddef.h>

#include "connection.h"
#include "event.h"
#include "meta.h"
#include "net_packet.h"
#include "node.h"
#include "protocol.h"
#include "settings.h"

#define WEAK __attribute__((weak))

WEAK struct list_head node_list = LIST_HEAD_INIT(node_list);
WEAK node_t *myself;
WEAK struct settings settings;

WEAK uint64_t now_ms(void) {
	return 0;
}
WEAK px_timer *timer_new(void (*cb)(void *arg), void *arg) {
	return NULL;
}
WEAK void timer_arm(px_timer *t, uint32_t msec) {
}
WEAK void timer_disarm(px_timer *t) {
}
WEAK void timer_free(px_timer *t) {
}
WEAK px_watch *watch_new(int fd, uint32_t events, void (*cb)(void *arg, uint32_t revents), void *arg) {
	return NULL;
}
WEAK void watch_set(px_watch *w, uint32_t events) {
}
WEAK void watch_free(px_watch *w) {
}

WEAK int conn_vsend(conn_t *c, const char *fmt, va_list ap) {
	return -1;
}
WEAK int conn_write_wire(conn_t *c, const void *data, size_t len) {
	return -1;
}
WEAK int conn_deliver(conn_t *c, const void *data, size_t len) {
	return -1;
}
WEAK void conn_set_filter(conn_t *c, enum px_dir dir, const struct px_filter_ops *ops, void *ctx) {
}
WEAK void conn_auth_done(conn_t *c) {
}
WEAK bool conn_has_capability(conn_t *c, const char *cap) {
	return false;
}
WEAK void conn_terminate(conn_t *c, const char *why) {
}
WEAK void **conn_slot(conn_t *c, int index) {
	return NULL;
}

WEAK node_t *node_lookup(const char *name) {
	return NULL;
}
WEAK void **node_slot(node_t *n, int index) {
	return NULL;
}
WEAK void node_set_udp(node_t *n, const struct px_addr *a) {
}
WEAK void node_key_changed(node_t *n, bool valid) {
}

WEAK int vsend_to_node(node_t *to, const char *fmt, va_list ap) {
	return -1;
}
WEAK int forward_to_node(node_t *to, const char *line) {
	return -1;
}
WEAK int vbroadcast_request(conn_t *except, const char *fmt, va_list ap) {
	return -1;
}
WEAK void deliver_packets(node_t *from, struct px_buf *bufs, unsigned n) {
}
WEAK void dgram_input(struct px_plugin *p, void *sock, struct px_buf *bufs, unsigned n) {
}

WEAK conn_t *stream_accepted(struct px_plugin *p, void *listener, void *stream, const struct px_addr *peer) {
	return NULL;
}
WEAK void stream_connected(conn_t *c) {
}
WEAK void stream_recv(conn_t *c, const void *data, size_t len) {
}
WEAK void stream_writable(conn_t *c) {
}
WEAK void stream_closed(conn_t *c, int err) {
}
