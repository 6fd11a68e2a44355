/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * TCP stream transport for meta connections.
 *
 * Host callbacks (stream_recv, stream_closed, ...) may close the very stream
 * or listener they are called for. Every object therefore carries a busy
 * count while a callback runs; close() during that time only releases the
 * fd and watch, and the memory goes when the callback has unwound.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4 */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <plexus/plugin.h>

#define TCP_BACKLOG            128
#define TCP_READ_BUF           65536
#define TCP_READS_PER_WAKEUP   4 /* bounded, so one busy peer cannot starve the rest */
#define TCP_ACCEPTS_PER_WAKEUP 16

/* Listeners and streams both start with their fd, so that local_addr()
 * works on either (the core asks a listener bound to port 0 for its port). */
struct tcp_listener {
	int fd; /* first, see above */
	px_watch *watch;
	int busy;
	bool closed;
	uint64_t last_error_log;
};

struct tcp_stream {
	int fd; /* first, see above */
	px_watch *watch;
	px_conn *conn;
	int busy;
	bool closed;     /* close() was called */
	bool connecting; /* non-blocking connect in progress */
	bool want_write;
	bool dead; /* stream_closed() was reported; waiting for close() */
	uint8_t buf[TCP_READ_BUF];
};

static struct {
	px_plugin *self;
	const struct px_host *host;
} tcp_state;

#define tcp_log(level, ...) tcp_state.host->log(tcp_state.self, level, __VA_ARGS__)

static const char *tcp_addr_str(const struct px_addr *a, char *buf, size_t len) {
	char host[INET6_ADDRSTRLEN] = "?";
	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->in.sin_addr, host, sizeof host);
		snprintf(buf, len, "%s port %u", host, ntohs(a->in.sin_port));
	} else if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->in6.sin6_addr, host, sizeof host);
		snprintf(buf, len, "%s port %u", host, ntohs(a->in6.sin6_port));
	} else {
		snprintf(buf, len, "(address family %d)", a->sa.sa_family);
	}
	return buf;
}

static socklen_t tcp_addr_len(const struct px_addr *a) {
	if (a->len)
		return a->len;
	return a->sa.sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static void tcp_set_nodelay(int fd) {
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* ---- streams ---- */

static struct tcp_stream *tcp_stream_new(int fd) {
	struct tcp_stream *s = calloc(1, sizeof *s);
	if (!s) {
		tcp_log(PX_LOG_ALWAYS, "Out of memory creating a TCP stream");
		return NULL;
	}
	s->fd = fd;
	return s;
}

/* Release fd and watch; the memory too unless a callback is still on the stack. */
static void tcp_stream_release(struct tcp_stream *s) {
	if (s->watch) {
		tcp_state.host->watch_free(s->watch);
		s->watch = NULL;
	}
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	s->closed = true;
	if (!s->busy)
		free(s);
}

static void tcp_stream_update_watch(struct tcp_stream *s) {
	if (!s->watch || s->closed)
		return;
	uint32_t ev;
	if (s->dead)
		ev = 0;
	else if (s->connecting)
		ev = PX_EV_WRITE;
	else
		ev = PX_EV_READ | (s->want_write ? PX_EV_WRITE : 0);
	tcp_state.host->watch_set(s->watch, ev);
}

/* Tell the core the stream is gone (once) and stop watching it until close(). */
static void tcp_stream_report_closed(struct tcp_stream *s, int err) {
	if (s->dead || s->closed)
		return;
	s->dead = true;
	tcp_stream_update_watch(s);
	tcp_state.host->stream_closed(s->conn, err);
}

static void tcp_stream_connect_done(struct tcp_stream *s) {
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	s->connecting = false;
	if (err) {
		tcp_log(PX_LOG_CONNECTIONS, "Connection failed: %s", strerror(err));
		tcp_stream_report_closed(s, err);
		return;
	}
	tcp_stream_update_watch(s);
	tcp_state.host->stream_connected(s->conn);
}

static void tcp_stream_readable(struct tcp_stream *s) {
	for (int i = 0; i < TCP_READS_PER_WAKEUP && !s->closed && !s->dead; i++) {
		ssize_t got = recv(s->fd, s->buf, sizeof s->buf, MSG_DONTWAIT);
		if (got > 0) {
			tcp_state.host->stream_recv(s->conn, s->buf, (size_t)got);
			if ((size_t)got < sizeof s->buf)
				return;
			continue;
		}
		if (got == 0) {
			tcp_stream_report_closed(s, 0);
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		tcp_stream_report_closed(s, errno);
		return;
	}
}

static void tcp_stream_event(void *arg, uint32_t revents) {
	struct tcp_stream *s = arg;
	s->busy++;
	if ((revents & PX_EV_WRITE) && s->connecting) {
		tcp_stream_connect_done(s);
	} else if ((revents & PX_EV_WRITE) && s->want_write && !s->dead) {
		tcp_state.host->stream_writable(s->conn);
	}
	if ((revents & PX_EV_READ) && !s->connecting && !s->closed && !s->dead)
		tcp_stream_readable(s);
	s->busy--;
	if (s->closed && !s->busy)
		free(s);
}

/* FWMark (SO_MARK) and BindToInterface (SO_BINDTODEVICE) on listening and
 * outgoing sockets, as tinc 1.1 sets them. Failing to apply either is an
 * error: the admin's firewall or routing rules rely on them. */
static int tcp_socket_policy(int fd) {
	int mark = tcp_state.host->conf_int(NULL, "FWMark", 0);
	if (mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) {
		tcp_log(PX_LOG_ALWAYS, "Could not set FWMark %d on a TCP socket: %s", mark, strerror(errno));
		return -1;
	}
	const char *iface = tcp_state.host->conf_get(NULL, "BindToInterface", 0);
	if (iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)) < 0) {
		tcp_log(PX_LOG_ALWAYS, "Could not bind a TCP socket to interface %s: %s", iface,
		        strerror(errno));
		return -1;
	}
	return 0;
}

static int tcp_connect(px_plugin *self, px_conn *c, const struct px_addr *to, const struct px_addr *from,
                       void **streamp) {
	(void)self;
	char addr[INET6_ADDRSTRLEN + 16];
	int fd = socket(to->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		tcp_log(PX_LOG_ERROR, "Creating TCP socket for %s failed: %s",
		        tcp_addr_str(to, addr, sizeof addr), strerror(errno));
		return -1;
	}
	tcp_set_nodelay(fd);
	if (tcp_socket_policy(fd) < 0) {
		close(fd);
		return -1;
	}

	if (from && from->sa.sa_family == to->sa.sa_family) {
		if (bind(fd, &from->sa, tcp_addr_len(from)) < 0) {
			tcp_log(PX_LOG_ERROR, "Can't bind outgoing TCP socket to %s: %s",
			        tcp_addr_str(from, addr, sizeof addr), strerror(errno));
			close(fd);
			return -1;
		}
	}

	if (connect(fd, &to->sa, tcp_addr_len(to)) < 0 && errno != EINPROGRESS) {
		tcp_log(PX_LOG_CONNECTIONS, "Could not connect to %s: %s",
		        tcp_addr_str(to, addr, sizeof addr), strerror(errno));
		close(fd);
		return -1;
	}

	struct tcp_stream *s = tcp_stream_new(fd);
	if (!s) {
		close(fd);
		return -1;
	}
	s->conn = c;
	s->connecting = true;
	/* Completion (even an immediate one) is reported from the loop, never from inside connect(). */
	s->watch = tcp_state.host->watch_new(fd, PX_EV_WRITE, tcp_stream_event, s);
	if (!s->watch) {
		tcp_stream_release(s);
		return -1;
	}
	*streamp = s;
	return 0;
}

static ssize_t tcp_write(px_plugin *self, void *stream, const void *data, size_t len) {
	(void)self;
	struct tcp_stream *s = stream;
	if (!s || s->closed || s->dead)
		return -1;
	if (s->connecting || !len)
		return 0;
	ssize_t put = send(s->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (put >= 0)
		return put;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	tcp_log(PX_LOG_ERROR, "Error writing to TCP stream: %s", strerror(errno));
	return -1;
}

static void tcp_want_write(px_plugin *self, void *stream, bool on) {
	(void)self;
	struct tcp_stream *s = stream;
	if (!s || s->closed || s->want_write == on)
		return;
	s->want_write = on;
	tcp_stream_update_watch(s);
}

static void tcp_close(px_plugin *self, void *stream) {
	(void)self;
	struct tcp_stream *s = stream;
	if (!s || s->closed)
		return;
	tcp_stream_release(s);
}

static int tcp_get_addr(int fd, struct px_addr *out, int (*get)(int, struct sockaddr *, socklen_t *)) {
	memset(out, 0, sizeof *out);
	out->len = sizeof out->ss;
	if (fd < 0 || get(fd, &out->sa, &out->len) < 0) {
		out->len = 0;
		return -1;
	}
	return 0;
}

/* Takes a stream or a listener. */
static int tcp_local_addr(px_plugin *self, void *stream, struct px_addr *out) {
	(void)self;
	const int *fd = stream;
	if (!fd)
		return -1;
	return tcp_get_addr(*fd, out, getsockname);
}

static int tcp_peer_addr(px_plugin *self, void *stream, struct px_addr *out) {
	(void)self;
	struct tcp_stream *s = stream;
	if (!s)
		return -1;
	return tcp_get_addr(s->fd, out, getpeername);
}

/* ---- listeners ---- */

static void tcp_listener_free_if_done(struct tcp_listener *l) {
	if (l->closed && !l->busy)
		free(l);
}

/* Hand one accepted socket to the core. */
static void tcp_accept_one(struct tcp_listener *l, int fd, const struct px_addr *peer) {
	struct tcp_stream *s = tcp_stream_new(fd);
	if (!s) {
		close(fd);
		return;
	}
	s->watch = tcp_state.host->watch_new(fd, PX_EV_READ, tcp_stream_event, s);
	if (!s->watch) {
		tcp_stream_release(s);
		return;
	}

	s->busy++;
	px_conn *c = tcp_state.host->stream_accepted(tcp_state.self, l, s, peer);
	s->busy--;
	if (s->closed) {
		/* The core closed it from inside stream_accepted(). */
		free(s);
		return;
	}
	if (!c) {
		tcp_stream_release(s);
		return;
	}
	s->conn = c;
}

static void tcp_listener_event(void *arg, uint32_t revents) {
	struct tcp_listener *l = arg;
	(void)revents;
	l->busy++;
	for (int i = 0; i < TCP_ACCEPTS_PER_WAKEUP && !l->closed; i++) {
		struct px_addr peer;
		memset(&peer, 0, sizeof peer);
		peer.len = sizeof peer.ss;
		int fd = accept4(l->fd, &peer.sa, &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			    errno == ECONNABORTED)
				break;
			/* EMFILE and friends: complain at most once a second. */
			uint64_t now = tcp_state.host->now_ms();
			if (!l->last_error_log || now - l->last_error_log >= 1000) {
				tcp_log(PX_LOG_ALWAYS, "Accepting a TCP connection failed: %s",
				        strerror(errno));
				l->last_error_log = now;
			}
			break;
		}
		tcp_set_nodelay(fd);
		tcp_accept_one(l, fd, &peer);
	}
	l->busy--;
	tcp_listener_free_if_done(l);
}

static int tcp_listen(px_plugin *self, const struct px_addr *bind_addr, void **listenerp) {
	(void)self;
	char addr[INET6_ADDRSTRLEN + 16];
	int family = bind_addr->sa.sa_family;
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		tcp_log(PX_LOG_ALWAYS, "Creating TCP socket for %s failed: %s",
		        tcp_addr_str(bind_addr, addr, sizeof addr), strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (tcp_socket_policy(fd) < 0) {
		close(fd);
		return -1;
	}

	if (bind(fd, &bind_addr->sa, tcp_addr_len(bind_addr)) < 0) {
		tcp_log(PX_LOG_ALWAYS, "Can't bind TCP socket to %s: %s",
		        tcp_addr_str(bind_addr, addr, sizeof addr), strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, TCP_BACKLOG) < 0) {
		tcp_log(PX_LOG_ALWAYS, "Can't listen on %s: %s", tcp_addr_str(bind_addr, addr, sizeof addr),
		        strerror(errno));
		close(fd);
		return -1;
	}

	struct tcp_listener *l = calloc(1, sizeof *l);
	if (!l) {
		tcp_log(PX_LOG_ALWAYS, "Out of memory creating a TCP listener");
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->watch = tcp_state.host->watch_new(fd, PX_EV_READ, tcp_listener_event, l);
	if (!l->watch) {
		close(fd);
		free(l);
		return -1;
	}

	struct px_addr bound;
	if (tcp_get_addr(fd, &bound, getsockname) == 0)
		tcp_log(PX_LOG_CONNECTIONS, "Listening for TCP on %s",
		        tcp_addr_str(&bound, addr, sizeof addr));
	*listenerp = l;
	return 0;
}

static void tcp_unlisten(px_plugin *self, void *listener) {
	(void)self;
	struct tcp_listener *l = listener;
	if (!l || l->closed)
		return;
	tcp_state.host->watch_free(l->watch);
	l->watch = NULL;
	close(l->fd);
	l->fd = -1;
	l->closed = true;
	tcp_listener_free_if_done(l);
}

static const struct px_stream_ops tcp_ops = {
    .size = sizeof(struct px_stream_ops),
    .name = "tcp",
    .listen = tcp_listen,
    .unlisten = tcp_unlisten,
    .connect = tcp_connect,
    .write = tcp_write,
    .want_write = tcp_want_write,
    .close = tcp_close,
    .local_addr = tcp_local_addr,
    .peer_addr = tcp_peer_addr,
};

static int tcp_init(px_plugin *self, const struct px_host *host) {
	tcp_state.self = self;
	tcp_state.host = host;
	return host->register_stream(self, &tcp_ops);
}

PX_PLUGIN_DEFINE(transport_tcp, .name = "transport-tcp", .version = "0.1.0",
                 .description = "TCP stream transport for meta connections",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = tcp_init);
