/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The daemon side of the control socket: tinc 1.1's control protocol on a
 * UNIX stream socket only our user can open, authenticated by the cookie in
 * the pid file. Every client has a bounded output buffer so that a slow
 * reader (typically `plexus log 10`) costs it messages, never stalls us.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, asprintf */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "connection.h"
#include "control.h"
#include "control_connect.h"
#include "control_format.h"
#include "control_pcap.h"
#include "edge.h"
#include "event.h"
#include "logger.h"
#include "net.h"
#include "node.h"
#include "outgoing.h"
#include "plugin_loader.h"
#include "settings.h"
#include "subnet.h"

#define CONTROL_OUT_MAX      (4u << 20) /* bytes queued per client at most */
#define CONTROL_LINE_MAX     4096       /* longest request line we accept */
#define CONTROL_COOKIE_BYTES 32

struct control_client {
	int fd;
	px_watch *watch;
	bool authenticated;
	bool want_write; /* write interest is armed */
	bool overflowed; /* a reply did not fit: close it */
	bool tapped;     /* tap is registered with the logger */
	struct log_tap tap;
	unsigned long dropped; /* log messages lost to a full buffer */
	bool capturing;        /* ptap is registered (REQ_PCAP) */
	struct pcap_tap ptap;
	unsigned long frames_dropped; /* captured frames lost to a full buffer */
	char in[CONTROL_LINE_MAX];
	size_t inlen;
	uint8_t *out;
	size_t outoff, outlen, outcap;
	struct list_head link;
};

static struct list_head client_list = LIST_HEAD_INIT(client_list);
static int listen_fd = -1;
static px_watch *listen_watch;
static char *pidfile_path;
static char *socket_path;
static char cookie[2 * CONTROL_COOKIE_BYTES + 1];

static void client_cb(void *arg, uint32_t revents);

/* Queue bytes for a client; false if that would exceed its bound. */
static bool client_queue(struct control_client *cl, const void *data, size_t len) {
	if (len > CONTROL_OUT_MAX - cl->outlen)
		return false;
	if (cl->outoff + cl->outlen + len > cl->outcap) {
		if (cl->outoff) {
			memmove(cl->out, cl->out + cl->outoff, cl->outlen);
			cl->outoff = 0;
		}
		if (cl->outlen + len > cl->outcap) {
			size_t cap = cl->outcap ? cl->outcap : 4096;
			uint8_t *p;

			while (cap < cl->outlen + len)
				cap *= 2;
			if (cap > CONTROL_OUT_MAX)
				cap = CONTROL_OUT_MAX;
			p = realloc(cl->out, cap);
			if (!p)
				return false;
			cl->out = p;
			cl->outcap = cap;
		}
	}
	memcpy(cl->out + cl->outoff + cl->outlen, data, len);
	cl->outlen += len;
	return true;
}

static void client_want_write(struct control_client *cl, bool on) {
	if (cl->want_write == on)
		return;
	cl->want_write = on;
	watch_set(cl->watch, PX_EV_READ | (on ? PX_EV_WRITE : 0));
}

/* Write what the socket takes now. Returns -1 if the client is gone. */
static int client_flush(struct control_client *cl) {
	while (cl->outlen) {
		ssize_t n = send(cl->fd, cl->out + cl->outoff, cl->outlen, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		cl->outoff += (size_t)n;
		cl->outlen -= (size_t)n;
	}
	if (!cl->outlen)
		cl->outoff = 0;
	client_want_write(cl, cl->outlen > 0);
	return 0;
}

static void client_close(struct control_client *cl) {
	if (cl->tapped) {
		logger_tap_remove(&cl->tap);
		cl->tapped = false;
	}
	if (cl->capturing) {
		control_pcap_remove(&cl->ptap);
		cl->capturing = false;
	}
	list_del(&cl->link);
	if (cl->watch)
		watch_free(cl->watch);
	close(cl->fd);
	if (cl->dropped)
		logger(1, LOG_INFO, "Control client lost %lu log messages (reader too slow)", cl->dropped);
	if (cl->frames_dropped)
		logger(1, LOG_INFO, "Control client lost %lu captured packets (reader too slow)",
		       cl->frames_dropped);
	free(cl->out);
	free(cl);
}

static void client_send(struct control_client *cl, const char *fmt, ...) PX_PRINTF(2, 3);
static void client_send(struct control_client *cl, const char *fmt, ...) {
	char line[CONTROL_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1) {
		cl->overflowed = true;
		return;
	}
	line[n++] = '\n';
	if (!client_queue(cl, line, (size_t)n))
		cl->overflowed = true;
}

/* Queue one preformatted dump line (or note that it was too long). */
static void client_send_formatted(struct control_client *cl, int len, const char *line) {
	if (len < 0) {
		logger(2, LOG_WARNING, "Control: a dump line was too long, skipped");
		return;
	}
	client_send(cl, "%s", line);
}

/* Called by the logger for every message up to the tap's level. Only
 * queues: closing a client here would pull the tap out from under the
 * logger, and logging here would recurse. */
static void client_log_write(struct log_tap *tap, int level, const char *msg, size_t len) {
	struct control_client *cl = container_of(tap, struct control_client, tap);
	char head[32];
	int hlen = snprintf(head, sizeof(head), "%d %d %zu\n", PX_REQ_CONTROL, REQ_LOG, len);

	(void)level;
	if (hlen < 0 || (size_t)hlen + len > CONTROL_OUT_MAX - cl->outlen) {
		cl->dropped++;
		return;
	}
	if (!client_queue(cl, head, (size_t)hlen) || !client_queue(cl, msg, len)) {
		cl->dropped++;
		return;
	}
	client_want_write(cl, true);
}

/* Called for every routed frame while the client captures: "18 14 <len>"
 * and the frame's bytes, or nothing if they do not fit its buffer. */
static void client_pcap_write(struct pcap_tap *tap, const uint8_t *frame, size_t len) {
	struct control_client *cl = container_of(tap, struct control_client, ptap);
	char head[32];
	int hlen = snprintf(head, sizeof(head), "%d %d %zu\n", PX_REQ_CONTROL, REQ_PCAP, len);

	if (hlen < 0 || (size_t)hlen + len > CONTROL_OUT_MAX - cl->outlen) {
		cl->frames_dropped++;
		return;
	}
	if (!client_queue(cl, head, (size_t)hlen) || !client_queue(cl, frame, len)) {
		cl->frames_dropped++;
		return;
	}
	client_want_write(cl, true);
}

/* REQ_PCAP [snaplen]: no reply; from now on the client gets the frames. */
static void start_pcap_stream(struct control_client *cl, const char *args) {
	int snaplen = 0;

	if (sscanf(args, "%d", &snaplen) != 1 || snaplen < 0)
		snaplen = 0;
	cl->ptap.snaplen = (unsigned)snaplen;
	cl->ptap.write = client_pcap_write;
	if (!cl->capturing) {
		cl->capturing = true;
		control_pcap_add(&cl->ptap);
	}
}

static void dump_nodes(struct control_client *cl) {
	char line[CONTROL_LINE_MAX];
	node_t *n;

	list_for_each_entry(n, &node_list, link)
	    client_send_formatted(cl, control_format_node(line, sizeof(line), n, settings.port), line);
	client_send(cl, "%d %d", PX_REQ_CONTROL, REQ_DUMP_NODES);
}

static void dump_traffic(struct control_client *cl) {
	char line[CONTROL_LINE_MAX];
	node_t *n;

	list_for_each_entry(n, &node_list, link)
	    client_send_formatted(cl, control_format_traffic(line, sizeof(line), n), line);
	client_send(cl, "%d %d", PX_REQ_CONTROL, REQ_DUMP_TRAFFIC);
}

static void dump_edges(struct control_client *cl) {
	char line[CONTROL_LINE_MAX];
	struct edge *e;

	list_for_each_entry(e, &edge_list, link)
	    client_send_formatted(cl, control_format_edge(line, sizeof(line), e), line);
	client_send(cl, "%d %d", PX_REQ_CONTROL, REQ_DUMP_EDGES);
}

static void dump_subnets(struct control_client *cl) {
	char line[CONTROL_LINE_MAX];
	struct subnet *s;

	list_for_each_entry(s, &subnet_table, table_link)
	    client_send_formatted(cl, control_format_subnet(line, sizeof(line), s), line);
	client_send(cl, "%d %d", PX_REQ_CONTROL, REQ_DUMP_SUBNETS);
}

static void dump_connections(struct control_client *cl) {
	char line[CONTROL_LINE_MAX];
	struct control_client *other;
	conn_t *c;

	list_for_each_entry(c, &connection_list, link) {
		if (c->state == CONN_DEAD)
			continue;
		client_send_formatted(cl, control_format_connection(line, sizeof(line), c), line);
	}
	list_for_each_entry(other, &client_list, link) client_send_formatted(
	    cl, control_format_control_client(line, sizeof(line), other->fd, other->tapped), line);
	client_send(cl, "%d %d", PX_REQ_CONTROL, REQ_DUMP_CONNECTIONS);
}

static void dump_plugins(struct control_client *cl) {
	char line[CONTROL_LINE_MAX];
	struct px_plugin *p;

	list_for_each_entry(p, &plugin_list, link)
	    client_send_formatted(cl, control_format_plugin(line, sizeof(line), p), line);
	client_send(cl, "%d %d", PX_REQ_CONTROL, REQ_DUMP_PLUGINS);
}

static void start_log_stream(struct control_client *cl, const char *args) {
	int level;

	if (sscanf(args, "%d", &level) != 1)
		level = debug_level;
	if (level < -1)
		level = -1;
	if (level > 10)
		level = 10;
	/* -1 means "whatever the daemon logs"; a tap has a fixed level, so
	 * take the daemon's current one. */
	cl->tap.level = level < 0 ? debug_level : level;
	cl->tap.write = client_log_write;
	if (!cl->tapped) {
		cl->tapped = true;
		logger_tap_add(&cl->tap);
	}
}

static bool compare_cookie(const char *given) {
	unsigned char diff = 0;
	size_t i;

	if (strlen(given) != sizeof(cookie) - 1)
		return false;
	for (i = 0; i < sizeof(cookie) - 1; i++)
		diff |= (unsigned char)(given[i] ^ cookie[i]);
	return diff == 0;
}

/* The ID line: "0 ^<cookie> <version>". */
static int handle_hello(struct control_client *cl, const char *line) {
	char name[2 * CONTROL_COOKIE_BYTES + 16];
	int code;

	if (sscanf(line, "%d %72s", &code, name) != 2 || code != PX_REQ_ID || name[0] != '^' ||
	    !compare_cookie(name + 1)) {
		logger(1, LOG_WARNING, "Control client sent a bad greeting, closing it");
		return -1;
	}
	cl->authenticated = true;
	client_send(cl, "%d %s %d.%d", PX_REQ_ID, myself && myself->name ? myself->name : "plexus",
	            PX_PROT_MAJOR, PX_PROT_MINOR_LEGACY);
	client_send(cl, "%d %d %d", PX_REQ_ACK, 0, (int)getpid());
	logger(3, LOG_INFO, "Control client authenticated");
	return 0;
}

static int handle_request(struct control_client *cl, const char *line) {
	int code, type, used = 0, arg;
	const char *args;
	char name[CONTROL_LINE_MAX];

	if (sscanf(line, "%d %d%n", &code, &type, &used) != 2 || code != PX_REQ_CONTROL) {
		logger(1, LOG_WARNING, "Control client sent a malformed request, closing it");
		return -1;
	}
	args = line + used;

	switch (type) {
	case REQ_STOP:
		logger(0, LOG_NOTICE, "Stop requested through the control socket");
		client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_STOP, 0);
		event_loop_stop();
		break;
	case REQ_RELOAD:
		logger(0, LOG_NOTICE, "Reload requested through the control socket");
		client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_RELOAD, net_reload());
		break;
	case REQ_DUMP_NODES:
		dump_nodes(cl);
		break;
	case REQ_DUMP_EDGES:
		dump_edges(cl);
		break;
	case REQ_DUMP_SUBNETS:
		dump_subnets(cl);
		break;
	case REQ_DUMP_CONNECTIONS:
		dump_connections(cl);
		break;
	case REQ_DUMP_TRAFFIC:
		dump_traffic(cl);
		break;
	case REQ_DUMP_PLUGINS:
		dump_plugins(cl);
		break;
	case REQ_PURGE:
		net_purge();
		client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_PURGE, 0);
		break;
	case REQ_SET_DEBUG:
		if (sscanf(args, "%d", &arg) != 1) {
			client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_SET_DEBUG, -1);
			break;
		}
		client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_SET_DEBUG, debug_level);
		if (arg >= 0) {
			debug_level = arg;
			logger(0, LOG_NOTICE, "Debug level set to %d", arg);
		}
		break;
	case REQ_RETRY:
		net_retry();
		client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_RETRY, 0);
		break;
	case REQ_DISCONNECT:
		if (sscanf(args, "%4095s", name) != 1) {
			client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_DISCONNECT, -1);
			break;
		}
		client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_DISCONNECT, net_disconnect(name));
		break;
	case REQ_CONNECT:
		if (sscanf(args, "%4095s", name) != 1) {
			client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_CONNECT, -1);
			break;
		}
		client_send(cl, "%d %d %d", PX_REQ_CONTROL, REQ_CONNECT, control_connect_node(name));
		break;
	case REQ_LOG:
		start_log_stream(cl, args);
		break;
	case REQ_PCAP:
		start_pcap_stream(cl, args);
		break;
	default: /* restart, graph and anything unknown */
		client_send(cl, "%d %d", PX_REQ_CONTROL, -1);
		break;
	}
	return 0;
}

/* Split the input into lines and answer each; -1 closes the client. */
static int client_process_input(struct control_client *cl) {
	size_t start = 0;
	char *nl;

	while ((nl = memchr(cl->in + start, '\n', cl->inlen - start))) {
		char *line = cl->in + start;
		int r;

		*nl = 0;
		if (nl > line && nl[-1] == '\r')
			nl[-1] = 0;
		start = (size_t)(nl - cl->in) + 1;
		if (memchr(line, 0, (size_t)(nl - line))) {
			logger(1, LOG_WARNING, "Control client sent a NUL byte, closing it");
			return -1;
		}
		r = cl->authenticated ? handle_request(cl, line) : handle_hello(cl, line);
		if (r < 0)
			return -1;
		if (cl->overflowed) {
			logger(1, LOG_WARNING, "Control client's output buffer is full, closing it");
			return -1;
		}
	}
	if (start) {
		memmove(cl->in, cl->in + start, cl->inlen - start);
		cl->inlen -= start;
	}
	if (cl->inlen == sizeof(cl->in)) {
		logger(1, LOG_WARNING, "Control client sent an overlong line, closing it");
		return -1;
	}
	return 0;
}

static void client_cb(void *arg, uint32_t revents) {
	struct control_client *cl = arg;

	if (revents & PX_EV_READ) {
		ssize_t n = read(cl->fd, cl->in + cl->inlen, sizeof(cl->in) - cl->inlen);

		if (n == 0) {
			client_close(cl);
			return;
		}
		if (n < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
				client_close(cl);
				return;
			}
		} else {
			cl->inlen += (size_t)n;
			if (client_process_input(cl) < 0) {
				client_close(cl);
				return;
			}
		}
	}
	if (client_flush(cl) < 0)
		client_close(cl);
}

static void accept_cb(void *arg, uint32_t revents) {
	(void)arg;
	(void)revents;

	for (;;) {
		struct control_client *cl;
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				logger(1, LOG_WARNING, "Could not accept a control connection: %s",
				       strerror(errno));
			return;
		}
		cl = calloc(1, sizeof(*cl));
		if (!cl) {
			close(fd);
			return;
		}
		cl->fd = fd;
		list_add_tail(&cl->link, &client_list);
		cl->watch = watch_new(fd, PX_EV_READ, client_cb, cl);
		if (!cl->watch) {
			client_close(cl);
			continue;
		}
		logger(3, LOG_INFO, "Control client connected");
	}
}

/* 32 bytes from the kernel's CSPRNG as 64 uppercase hex characters. */
static int make_cookie(void) {
	static const char hex[] = "0123456789ABCDEF";
	uint8_t raw[CONTROL_COOKIE_BYTES];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		cookie[2 * i] = hex[raw[i] >> 4];
		cookie[2 * i + 1] = hex[raw[i] & 15];
	}
	cookie[sizeof(cookie) - 1] = 0;
	memset(raw, 0, sizeof(raw));
	return 0;
}

static int write_pidfile(const char *path) {
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int r;

	if (fd < 0) {
		logger(0, LOG_ERR, "Could not write pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fchmod(fd, 0600);
	r = dprintf(fd, "%d %s 127.0.0.1 port %s\n", (int)getpid(), cookie,
	            settings.port && *settings.port ? settings.port : "655");
	if (close(fd) < 0 || r < 0) {
		logger(0, LOG_ERR, "Could not write pid file %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* A socket file left behind by a crashed daemon is removed; one that
 * still answers belongs to a running daemon, which we must not hijack. */
static int open_socket(const char *path) {
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		logger(0, LOG_ERR, "Control socket path %s is too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		logger(0, LOG_ERR, "Could not create control socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		logger(0, LOG_ERR, "Control socket %s is in use: is another plexusd running?", path);
		close(fd);
		return -1;
	}
	close(fd);
	unlink(path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		logger(0, LOG_ERR, "Could not create control socket: %s", strerror(errno));
		return -1;
	}
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		logger(0, LOG_ERR, "Could not bind control socket %s: %s", path, strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	chmod(path, 0600);
	if (listen(fd, 8) < 0) {
		logger(0, LOG_ERR, "Could not listen on control socket %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

int control_init(const char *pidfile) {
	if (listen_fd >= 0) {
		logger(0, LOG_ERR, "Control socket already open");
		return -1;
	}
	if (make_cookie() < 0) {
		logger(0, LOG_ERR, "Could not get random bytes for the control cookie: %s", strerror(errno));
		return -1;
	}
	pidfile_path = strdup(pidfile);
	socket_path = control_socket_path(pidfile);
	if (!pidfile_path || !socket_path)
		goto err_free;

	listen_fd = open_socket(socket_path);
	if (listen_fd < 0)
		goto err_free;
	if (write_pidfile(pidfile_path) < 0)
		goto err_socket;
	listen_watch = watch_new(listen_fd, PX_EV_READ, accept_cb, NULL);
	if (!listen_watch) {
		logger(0, LOG_ERR, "Could not watch the control socket");
		goto err_pidfile;
	}
	logger(2, LOG_INFO, "Control socket %s ready", socket_path);
	return 0;

err_pidfile:
	unlink(pidfile_path);
err_socket:
	close(listen_fd);
	listen_fd = -1;
	unlink(socket_path);
err_free:
	free(pidfile_path);
	free(socket_path);
	pidfile_path = socket_path = NULL;
	return -1;
}

/* After -R the file is reached through the new root (or not at all); after
 * -U the directory may no longer be ours to change. Say so instead of
 * leaving a stale file without a word. */
static char *(*path_mapper)(const char *path);

void control_set_path_mapper(char *(*map)(const char *path)) {
	path_mapper = map;
}

static void remove_own_file(const char *path, const char *what) {
	char *here = path_mapper ? path_mapper(path) : strdup(path);

	if (!here) {
		logger(0, LOG_NOTICE, "Not removing %s %s: it is outside the chroot", what, path);
		return;
	}
	if (unlink(here) < 0 && errno != ENOENT)
		logger(0, LOG_NOTICE, "Could not remove %s %s: %s", what, path, strerror(errno));
	free(here);
}

void control_exit(void) {
	struct control_client *cl, *tmp;

	/* Give every client what is already queued (the "18 0 0" of a stop,
	 * for one) as far as the socket takes it without waiting. */
	list_for_each_entry_safe(cl, tmp, &client_list, link) {
		client_flush(cl);
		client_close(cl);
	}
	if (listen_watch) {
		watch_free(listen_watch);
		listen_watch = NULL;
	}
	if (listen_fd >= 0) {
		close(listen_fd);
		listen_fd = -1;
	}
	if (socket_path)
		remove_own_file(socket_path, "control socket");
	if (pidfile_path)
		remove_own_file(pidfile_path, "pid file");
	free(socket_path);
	free(pidfile_path);
	socket_path = pidfile_path = NULL;
	memset(cookie, 0, sizeof(cookie));
}
