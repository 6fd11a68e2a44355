/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A network core without a network: the real core (meta.c, protocol*.c,
 * connection.c, net.c) driven through a fake stream transport that captures
 * what the core writes, and a fake crypto protocol that authenticates at
 * once (optionally switching both directions to an XOR stream filter so the
 * mid-buffer filter switch can be observed).
 */
#ifndef PX_TEST_NET_FIXTURE_H
#define PX_TEST_NET_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connection.h"
#include "node.h"

/* How the fake crypto protocol authenticates. */
enum fx_auth_mode {
	FX_AUTH_IMMEDIATE = 0,  /* meta_start calls conn_auth_done() */
	FX_AUTH_XOR_AT_START,   /* meta_start installs XOR filters, then conn_auth_done() */
	FX_AUTH_XOR_ON_REQUEST, /* waits for "1 <hex key>", then installs filters and finishes */
	FX_AUTH_FAIL,           /* meta_start returns -1 */
};

/* One fake stream: everything the core wrote to it, in order. */
struct fx_stream {
	conn_t *c; /* NULL once the core closed the stream */
	char *out; /* captured wire bytes, always NUL-terminated */
	size_t outlen, outcap;
	bool closed;
	bool want_write;
	ssize_t write_limit; /* >0: take at most this many bytes per write; 0: all; <0: fail */
	bool stalled;        /* write() takes nothing (peer stopped reading) */
	int id;
};

/* What the fixture's fakes recorded. */
struct fx_state {
	enum fx_auth_mode auth_mode;
	uint8_t xor_key;                /* FX_AUTH_XOR_AT_START */
	int connect_result;             /* what the fake connect() returns */
	int connects;                   /* connect() calls */
	struct fx_stream *last_connect; /* stream of the last connect() */
	conn_t *last_connect_conn;
	struct px_addr last_connect_to; /* where the last connect() went */
	int key_on_req_calls, key_on_ans_calls;
	char last_key_line[4400];
	int filters_freed;
	int meta_frees;
};
extern struct fx_state fx;

/* Set before fx_init() to leave the fake crypto protocol out, so that a
 * real one (a crypto plugin linked in) can be registered instead. */
extern bool fx_without_fake_crypto;
/* Build a configuration directory for node `self` (tinc.conf gets `extra`
 * appended, may be NULL), read it, initialise the event loop, register the
 * fakes and create myself. */
void fx_init(const char *self, const char *extra);
/* Tear everything down again; after it, fx_init() may be called anew. */
void fx_fini(void);
/* Write hosts/<name> (content may be NULL or ""). */
void fx_add_host(const char *name, const char *content);

/* An incoming connection from 127.0.0.1; returns its stream (s->c is the conn). */
struct fx_stream *fx_accept(void);
/* Bytes arriving on a stream (ignored once the core closed it). */
void fx_recv(struct fx_stream *s, const char *text);
void fx_recvn(struct fx_stream *s, const void *data, size_t len);
/* Accept, exchange ID and ACK as `peer` (ACK gets `ack_tail` after the
 * options if not NULL, e.g. "px:110"), return the active stream with its
 * captured output cleared. */
struct fx_stream *fx_activate(const char *peer, const char *ack_tail);
/* Run the deferred calls (connection frees) and due timers once. */
void fx_drain(void);

/* Captured output helpers. */
void fx_clear(struct fx_stream *s);
/* Number of captured lines that start with `prefix` (all lines if ""). */
int fx_count(const struct fx_stream *s, const char *prefix);
/* Is `line` (without newline) one of the captured lines? */
bool fx_has_line(const struct fx_stream *s, const char *line);
/* Number of connections in connection_list that are not dead. */
int fx_live_conns(void);

/* Log capture (a tap at level 5). */
bool fx_log_contains(const char *needle);
void fx_log_clear(void);

/* The fake plugin and the XOR helper for building filtered input. */
extern struct px_plugin fx_plugin;
void fx_xor(uint8_t key, const void *in, void *out, size_t len);

#endif
