/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Meta connection I/O: stream transport events in, line framing and raw
 * PACKET payloads, stream filters installed by crypto plugins, buffered
 * output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admission.h"
#include "connection.h"
#include "event.h"
#include "logger.h"
#include "netutl.h"
#include "plugin_loader.h"
#include "meta.h"
#include "proxy.h"
#include "settings.h"
#include "xalloc.h"

static struct meta_sink sink;

void meta_set_sink(const struct meta_sink *s) {
	sink = *s;
}

static const char *sink_request_name(int id) {
	return sink.request_name ? sink.request_name(id) : "?";
}

#define MAX_OUTBUF (4u << 20) /* a peer that stops reading is cut off here */

static void buffer_append(struct buffer *b, const void *data, size_t len) {
	if (b->off && b->off + b->len + len > b->cap) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
	}
	if (b->off + b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->off + b->len + len)
			cap *= 2;
		uint8_t *p = xrealloc(b->data, cap);
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->off + b->len, data, len);
	b->len += len;
}

static void buffer_consume(struct buffer *b, size_t len) {
	b->off += len;
	b->len -= len;
	if (!b->len)
		b->off = 0;
}

/* Incoming connections that have not authenticated yet (bounded by admission). */
static unsigned unauthenticated_incoming(void) {
	unsigned n = 0;
	conn_t *c;
	list_for_each_entry(c, &connection_list, link) {
		if (!c->is_outgoing && (c->state == CONN_ID || c->state == CONN_AUTH))
			n++;
	}
	return n;
}

conn_t *stream_accepted(struct px_plugin *p, void *listener, void *stream, const struct px_addr *peer) {
	/* Refused here, the transport closes the socket at once. */
	if (!admission_accept(peer, unauthenticated_incoming(), now_ms()))
		return NULL;
	conn_t *c = conn_new();
	c->tp = stream_provider();
	c->stream = stream;
	c->address = *peer;
	addr_unmap(&c->address);
	c->hostname = strdup(addr_str(&c->address));
	c->state = CONN_ID;
	logger(PX_LOG_CONNECTIONS, LOG_NOTICE, "Connection from %s", c->hostname);
	return c;
}

void stream_connected(conn_t *c) {
	if (c->state != CONN_CONNECTING)
		return;
	logger(PX_LOG_CONNECTIONS, LOG_INFO, "Connected to %s (%s)", c->name, c->hostname);
	c->state = CONN_ID;
	c->start_ms = now_ms();
	if (c->proxy) {
		/* Through a proxy: its request first, the ID once it granted. */
		uint8_t req[PROXY_BEGIN_MAX];
		int n = proxy_begin(c, req, sizeof(req));
		if (n < 0)
			conn_terminate(c, "proxy request impossible");
		else
			conn_write_wire(c, req, (size_t)n);
		return;
	}
	if (sink.connected)
		sink.connected(c);
}

/* Bytes while c waits for its proxy's reply (proxy.c): on the grant our ID
 * goes out (the sink's connected). Returns true when what is left in data
 * and len (maybe nothing) is the peer's and goes the usual way. */
static bool proxy_reply_in(conn_t *c, const void **data, size_t *len) {
	enum proxy_status st = proxy_recv(c, data, len);
	if (st == PROXY_MORE)
		return false;
	if (st == PROXY_FAILED) {
		conn_terminate(c, "proxy refused");
		return false;
	}
	if (sink.connected && sink.connected(c) < 0 && c->state != CONN_DEAD)
		conn_terminate(c, "could not send ID");
	return c->state != CONN_DEAD;
}

void stream_closed(conn_t *c, int err) {
	if (c->state == CONN_DEAD)
		return;
	proxy_stream_closed(c);
	if (c->state == CONN_CONNECTING)
		logger(PX_LOG_CONNECTIONS, LOG_NOTICE, "Could not connect to %s (%s): %s", c->name,
		       c->hostname, err ? strerror(err) : "connection closed");
	conn_terminate(c, err ? strerror(err) : "closed by peer");
}

void stream_recv(conn_t *c, const void *data, size_t len) {
	if (c->state == CONN_DEAD || c->state == CONN_CONNECTING)
		return;
	if (c->proxy && (!proxy_reply_in(c, &data, &len) || !len))
		return;
	if (c->filter_in) {
		if (c->filter_in->recv(c->filter_in_ctx, c, data, len) < 0)
			conn_terminate(c, "error in meta stream filter");
	} else {
		conn_deliver(c, data, len);
	}
	/* One graph run for everything this read changed. */
	if (sink.settle)
		sink.settle();
}

void stream_writable(conn_t *c) {
	while (c->state != CONN_DEAD && c->outbuf.len) {
		ssize_t n = c->tp->ops->write(c->tp->plugin, c->stream, c->outbuf.data + c->outbuf.off,
		                              c->outbuf.len);
		if (n < 0) {
			conn_terminate(c, "write error");
			return;
		}
		if (n == 0)
			return;
		buffer_consume(&c->outbuf, (size_t)n);
	}
	if (c->state != CONN_DEAD) {
		c->last_flush_ms = now_ms();
		if (c->tp->ops->want_write)
			c->tp->ops->want_write(c->tp->plugin, c->stream, false);
	}
}

/* conn_write_wire() runs inside a crypto filter's send path; tearing the
 * connection down there would free the filter under its caller. */
static void close_after_write_error(void *arg) {
	conn_t *c = arg;
	if (c->state != CONN_DEAD)
		conn_terminate(c, c->close_why);
}

/* Everything one event-loop wake-up sends on a connection leaves in one
 * write: a flooded ADD_EDGE/ADD_SUBNET burst is many short records, arriving
 * from several connections in one wake-up, and a system call for each
 * record (then for each read) was the largest cost of a mesh's convergence. */
static void flush_deferred(void *arg) {
	conn_t *c = arg;
	c->flush_pending = false;
	if (c->state == CONN_DEAD || !c->stream || c->close_why || !c->outbuf.len)
		return;
	ssize_t n =
	    c->tp->ops->write(c->tp->plugin, c->stream, c->outbuf.data + c->outbuf.off, c->outbuf.len);
	if (n < 0) {
		conn_terminate(c, "write error");
		return;
	}
	buffer_consume(&c->outbuf, (size_t)n);
	if (!c->outbuf.len)
		c->last_flush_ms = now_ms();
	else if (c->tp->ops->want_write)
		c->tp->ops->want_write(c->tp->plugin, c->stream, true);
}

int conn_write_wire(conn_t *c, const void *data, size_t len) {
	if (c->state == CONN_DEAD || !c->stream || c->close_why)
		return -1;
	const uint8_t *p = data;
	if (!c->outbuf.len && !c->flush_pending) {
		if (len > MAX_OUTBUF) {
			conn_terminate(c, "output buffer overflow");
			return -1;
		}
		buffer_append(&c->outbuf, p, len);
		c->flush_pending = true;
		event_defer_batch(flush_deferred, c);
		return 0;
	}
	if (!c->outbuf.len) {
		ssize_t n = c->tp->ops->write(c->tp->plugin, c->stream, p, len);
		if (n < 0) {
			c->close_why = "write error";
			event_defer(close_after_write_error, c);
			return -1;
		}
		p += n;
		len -= (size_t)n;
		if (!len) {
			c->last_flush_ms = now_ms();
			return 0;
		}
		if (c->tp->ops->want_write)
			c->tp->ops->want_write(c->tp->plugin, c->stream, true);
	}
	if (c->outbuf.len + len > MAX_OUTBUF) {
		conn_terminate(c, "output buffer overflow");
		return -1;
	}
	buffer_append(&c->outbuf, p, len);
	return 0;
}

int conn_send_raw(conn_t *c, const void *data, size_t len) {
	if (c->state == CONN_DEAD)
		return -1;
	if (c->filter_out)
		return c->filter_out->send(c->filter_out_ctx, c, data, len);
	return conn_write_wire(c, data, len);
}

int conn_vsend(conn_t *c, const char *fmt, va_list ap) {
	char buf[MAX_LINE + 2];
	int len = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	if (len < 0 || len > MAX_LINE) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Request for %s too long, not sent",
		       c->name ? c->name : c->hostname);
		return -1;
	}
	if (logger_max_level() >= PX_LOG_PROTOCOL) {
		int id = atoi(buf);
		if (logger_max_level() >= PX_LOG_META)
			logger(PX_LOG_META, LOG_DEBUG, "Sending %s to %s (%s): %s", sink_request_name(id),
			       c->name ? c->name : "<unknown>", c->hostname, buf);
		else
			logger(PX_LOG_PROTOCOL, LOG_DEBUG, "Sending %s to %s (%s)", sink_request_name(id),
			       c->name ? c->name : "<unknown>", c->hostname);
	}
	buf[len++] = '\n';
	return conn_send_raw(c, buf, (size_t)len);
}

int conn_send(conn_t *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int r = conn_vsend(c, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * Plaintext into the parser. Re-entrant calls (a filter installed while a
 * line is being handled pushes the rest of the buffer back through itself)
 * only append; the outermost call does the parsing.
 */
int conn_deliver(conn_t *c, const void *data, size_t len) {
	static conn_t *parsing;
	if (c->state == CONN_DEAD)
		return -1;
	buffer_append(&c->inbuf, data, len);
	if (parsing == c)
		return 0;
	conn_t *outer = parsing;
	parsing = c;
	while (c->state != CONN_DEAD && c->inbuf.len) {
		if (c->packet_pending > 0) {
			if (c->inbuf.len < (size_t)c->packet_pending)
				break;
			size_t plen = (size_t)c->packet_pending;
			c->packet_pending = 0;
			if (plen > PX_MTU) {
				/* e.g. a tinc peer's DisableBuggyPeers probe: tinc drops it too. */
				logger(PX_LOG_TRAFFIC, LOG_DEBUG,
				       "Dropping %zu-byte PACKET from %s (%s): larger than any frame", plen,
				       c->name ? c->name : "<unknown>", c->hostname);
				buffer_consume(&c->inbuf, plen);
				continue;
			}
			/* Copy out: the handler may append to inbuf. */
			uint8_t frame[PX_MTU];
			memcpy(frame, c->inbuf.data + c->inbuf.off, plen);
			buffer_consume(&c->inbuf, plen);
			if (sink.frame)
				sink.frame(c, frame, plen);
			continue;
		}
		uint8_t *start = c->inbuf.data + c->inbuf.off;
		uint8_t *nl = memchr(start, '\n', c->inbuf.len);
		if (!nl) {
			if (c->inbuf.len > MAX_LINE) {
				logger(PX_LOG_ERROR, LOG_ERR, "Request line from %s (%s) too long",
				       c->name ? c->name : "<unknown>", c->hostname);
				conn_terminate(c, "line too long");
			}
			break;
		}
		size_t linelen = (size_t)(nl - start);
		char line[MAX_LINE + 1];
		if (linelen > MAX_LINE) {
			conn_terminate(c, "line too long");
			break;
		}
		memcpy(line, start, linelen);
		line[linelen] = 0;
		buffer_consume(&c->inbuf, linelen + 1);
		if (memchr(line, 0, linelen)) {
			logger(PX_LOG_ERROR, LOG_ERR, "Got a request with a NUL byte from %s (%s)",
			       c->name ? c->name : "<unknown>", c->hostname);
			conn_terminate(c, "malformed request");
			break;
		}
		if (!sink.line || sink.line(c, line) < 0) {
			conn_terminate(c, "protocol error");
			break;
		}
	}
	parsing = outer;
	return c->state == CONN_DEAD ? -1 : 0;
}

/* A crypto plugin switches a direction to its filter. Bytes already
 * received after the current request are wire bytes: feed them through. */
void conn_set_filter(conn_t *c, enum px_dir dir, const struct px_filter_ops *ops, void *ctx) {
	if (dir == PX_DIR_OUT) {
		c->filter_out = ops;
		c->filter_out_ctx = ctx;
		return;
	}
	c->filter_in = ops;
	c->filter_in_ctx = ctx;
	if (c->inbuf.len) {
		size_t len = c->inbuf.len;
		uint8_t *raw = xmalloc(len);
		memcpy(raw, c->inbuf.data + c->inbuf.off, len);
		c->inbuf.len = c->inbuf.off = 0;
		if (ops->recv(ctx, c, raw, len) < 0)
			conn_terminate(c, "error in meta stream filter");
		free(raw);
	}
}

bool conn_has_capability(conn_t *c, const char *cap) {
	for (int i = 0; i < c->ncaps; i++)
		if (!strcmp(c->caps[i], cap))
			return true;
	return false;
}

int send_tcppacket(conn_t *c, const uint8_t *frame, size_t len) {
	/* Random early drop when the peer cannot keep up, as tinc does. */
	size_t max = (size_t)settings.max_output_buffer;
	if (c->outbuf.len > max / 2) {
		if (c->outbuf.len >= max)
			return 0;
		uint32_t r;
		randombytes_buf(&r, sizeof(r));
		if ((r % (max / 2)) < c->outbuf.len - max / 2)
			return 0;
	}
	if (conn_send(c, "%d %zu", PX_REQ_PACKET, len) < 0)
		return -1;
	return conn_send_raw(c, frame, len);
}
