/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * UDP datagram transport. Receives in recvmmsg batches into a ring of
 * buffers allocated once per socket, and sends batches with sendmmsg, so the
 * data path never allocates. Path MTU discovery is left to the kernel's DF
 * handling: an oversize send fails with EMSGSIZE instead of fragmenting.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <plexus/plugin.h>

#define UDP_RING        64   /* datagrams per recvmmsg/sendmmsg call */
#define UDP_HEADROOM    128  /* room in front of each datagram for in-place work */
#define UDP_DGRAM_MAX   2048 /* largest datagram we accept */
#define UDP_SLOT        (UDP_HEADROOM + UDP_DGRAM_MAX)
#define UDP_MAX_BATCHES 8 /* recvmmsg calls per wakeup, so other fds get their turn */
#define UDP_DEFAULT_BUF (1024 * 1024)

struct udp_sock {
	int fd;
	px_watch *watch;
	struct px_addr bound;
	bool busy;               /* inside a host callback */
	bool closed;             /* close() was called while busy */
	uint64_t last_error_log; /* ms; errors are logged at most once per second */
	unsigned errors_suppressed;
	uint8_t *storage; /* UDP_RING slots of UDP_SLOT bytes */
	struct px_buf bufs[UDP_RING];
	struct mmsghdr rx_msgs[UDP_RING];
	struct iovec rx_iov[UDP_RING];
	struct mmsghdr tx_msgs[UDP_RING];
	struct iovec tx_iov[UDP_RING];
	/* One IP_TOS / IPV6_TCLASS control message per datagram (PX_BUF_PRIORITY). */
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} tx_ctrl[UDP_RING];
};

static struct {
	px_plugin *self;
	const struct px_host *host;
	int rcvbuf, sndbuf;
} udp_state;

static const char *udp_addr_str(const struct px_addr *a, char *buf, size_t len) {
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->in.sin_addr, host, sizeof host);
		port = ntohs(a->in.sin_port);
		snprintf(buf, len, "%s port %u", host, port);
	} else if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->in6.sin6_addr, host, sizeof host);
		port = ntohs(a->in6.sin6_port);
		snprintf(buf, len, "%s port %u", host, port);
	} else {
		snprintf(buf, len, "(address family %d)", a->sa.sa_family);
	}
	return buf;
}

static socklen_t udp_addr_len(const struct px_addr *a) {
	if (a->len)
		return a->len;
	return a->sa.sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* Send errors come per packet; logging each would flood the log. */
static void udp_log_send_error(struct udp_sock *s, const struct px_addr *to, int err) {
	uint64_t now = udp_state.host->now_ms();
	if (s->last_error_log && now - s->last_error_log < 1000) {
		s->errors_suppressed++;
		return;
	}
	char addr[INET6_ADDRSTRLEN + 16];
	udp_state.host->log(udp_state.self, PX_LOG_ERROR,
	                    "Error sending UDP packet to %s: %s (%u more suppressed)",
	                    udp_addr_str(to, addr, sizeof addr), strerror(err), s->errors_suppressed);
	s->last_error_log = now;
	s->errors_suppressed = 0;
}

static void udp_sock_free(struct udp_sock *s) {
	free(s->storage);
	free(s);
}

/* Point every ring entry back at its own slot: the core may have moved data/len. */
static void udp_rx_prepare(struct udp_sock *s) {
	for (unsigned i = 0; i < UDP_RING; i++) {
		struct px_buf *b = &s->bufs[i];
		memset(b, 0, sizeof *b);
		b->base = s->storage + (size_t)i * UDP_SLOT;
		b->data = b->base + UDP_HEADROOM;
		b->cap = UDP_SLOT;
		s->rx_iov[i].iov_base = b->data;
		s->rx_iov[i].iov_len = UDP_DGRAM_MAX;
		memset(&s->rx_msgs[i], 0, sizeof s->rx_msgs[i]);
		s->rx_msgs[i].msg_hdr.msg_name = &b->addr.ss;
		s->rx_msgs[i].msg_hdr.msg_namelen = sizeof b->addr.ss;
		s->rx_msgs[i].msg_hdr.msg_iov = &s->rx_iov[i];
		s->rx_msgs[i].msg_hdr.msg_iovlen = 1;
	}
}

/* One recvmmsg batch into the ring. Returns datagrams kept, -1 when the
 * socket is drained or failed; *full says the ring was filled (more may wait). */
static int udp_rx_batch(struct udp_sock *s, bool *full) {
	udp_rx_prepare(s);
	int got = recvmmsg(s->fd, s->rx_msgs, UDP_RING, MSG_DONTWAIT, NULL);
	if (got < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			udp_state.host->log(udp_state.self, PX_LOG_ERROR, "Receiving UDP packets failed: %s",
			                    strerror(errno));
		return -1;
	}
	*full = got == UDP_RING;

	unsigned kept = 0;
	for (int i = 0; i < got; i++) {
		struct mmsghdr *m = &s->rx_msgs[i];
		if (m->msg_hdr.msg_flags & MSG_TRUNC) {
			if (udp_state.host->log_level() >= PX_LOG_TRAFFIC)
				udp_state.host->log(udp_state.self, PX_LOG_TRAFFIC,
				                    "Dropping oversized UDP packet (more than %d bytes)",
				                    UDP_DGRAM_MAX);
			continue;
		}
		struct px_buf b = s->bufs[i];
		b.len = m->msg_len;
		b.addr.len = m->msg_hdr.msg_namelen;
		/* Keep the batch dense: the core gets only live packets. */
		s->bufs[kept++] = b;
	}
	return (int)kept;
}

static void udp_readable(void *arg, uint32_t revents) {
	struct udp_sock *s = arg;
	(void)revents;
	s->busy = true;
	for (int batch = 0; batch < UDP_MAX_BATCHES && !s->closed; batch++) {
		bool full = false;
		int n = udp_rx_batch(s, &full);
		if (n < 0)
			break;
		if (n > 0)
			udp_state.host->dgram_input(udp_state.self, s, s->bufs, (unsigned)n);
		if (!full)
			break;
	}
	s->busy = false;
	if (s->closed)
		udp_sock_free(s);
}

/* The FORCE variant (root) is not capped by net.core.[rw]mem_max; without the
 * privilege fall back to the capped one. */
static void udp_set_buf(int fd, int force_opt, int opt, int size, const char *what) {
	if (size <= 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, force_opt, &size, sizeof size) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, opt, &size, sizeof size) < 0)
		udp_state.host->log(udp_state.self, PX_LOG_ALWAYS, "Could not set UDP %s buffer to %d: %s",
		                    what, size, strerror(errno));
}

/* FWMark (SO_MARK) and BindToInterface (SO_BINDTODEVICE), as tinc 1.1 sets
 * them on its sockets. Failing to apply either is an error: the admin's
 * firewall or routing rules rely on them. */
static int udp_socket_policy(int fd) {
	const struct px_host *host = udp_state.host;
	int mark = host->conf_int(NULL, "FWMark", 0);
	if (mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) {
		host->log(udp_state.self, PX_LOG_ALWAYS, "Could not set FWMark %d on a UDP socket: %s", mark,
		          strerror(errno));
		return -1;
	}
	const char *iface = host->conf_get(NULL, "BindToInterface", 0);
	if (iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)) < 0) {
		host->log(udp_state.self, PX_LOG_ALWAYS, "Could not bind a UDP socket to interface %s: %s",
		          iface, strerror(errno));
		return -1;
	}
	return 0;
}

static int udp_open(px_plugin *self, const struct px_addr *bind_addr, void **sockp) {
	(void)self;
	const struct px_host *host = udp_state.host;
	char addr[INET6_ADDRSTRLEN + 16];
	int family = bind_addr->sa.sa_family;
	if (family != AF_INET && family != AF_INET6) {
		host->log(udp_state.self, PX_LOG_ALWAYS, "Cannot open UDP socket on %s",
		          udp_addr_str(bind_addr, addr, sizeof addr));
		return -1;
	}

	struct udp_sock *s = calloc(1, sizeof *s);
	if (!s)
		goto oom;
	s->fd = -1;
	s->storage = malloc((size_t)UDP_RING * UDP_SLOT);
	if (!s->storage)
		goto oom;

	s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s->fd < 0) {
		host->log(udp_state.self, PX_LOG_ALWAYS, "Creating UDP socket failed: %s", strerror(errno));
		goto err;
	}

	int one = 1;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	udp_set_buf(s->fd, SO_RCVBUFFORCE, SO_RCVBUF, udp_state.rcvbuf, "receive");
	udp_set_buf(s->fd, SO_SNDBUFFORCE, SO_SNDBUF, udp_state.sndbuf, "send");
	if (udp_socket_policy(s->fd) < 0)
		goto err;

	/* DF on every packet, but ignore the path MTU the kernel learned from
	 * ICMP: the core finds the path MTU with its own probes, and a cached
	 * small value would hide a path that grew again. Packets larger than
	 * the interface still fail with EMSGSIZE, which speeds probing up. */
	int pmtu;
	if (family == AF_INET) {
		pmtu = IP_PMTUDISC_PROBE;
		setsockopt(s->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
	} else {
		pmtu = IPV6_PMTUDISC_PROBE;
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu);
	}

	if (bind(s->fd, &bind_addr->sa, udp_addr_len(bind_addr)) < 0) {
		host->log(udp_state.self, PX_LOG_ALWAYS, "Can't bind UDP socket to %s: %s",
		          udp_addr_str(bind_addr, addr, sizeof addr), strerror(errno));
		goto err;
	}
	s->bound.len = sizeof s->bound.ss;
	getsockname(s->fd, &s->bound.sa, &s->bound.len);

	s->watch = host->watch_new(s->fd, PX_EV_READ, udp_readable, s);
	if (!s->watch)
		goto err;

	host->log(udp_state.self, PX_LOG_CONNECTIONS, "Listening for UDP on %s",
	          udp_addr_str(&s->bound, addr, sizeof addr));
	*sockp = s;
	return 0;

oom:
	host->log(udp_state.self, PX_LOG_ALWAYS, "Out of memory opening a UDP socket");
err:
	if (s) {
		if (s->fd >= 0)
			close(s->fd);
		udp_sock_free(s);
	}
	return -1;
}

/* PriorityInheritance: the datagram goes out with the inner packet's TOS
 * (IPv4) or traffic class (IPv6), set per datagram as a control message so
 * that one batch can mix priorities. */
static void udp_set_priority(struct msghdr *h, char *ctrl, const struct px_buf *b) {
	int value = b->priority;
	h->msg_control = ctrl;
	h->msg_controllen = CMSG_SPACE(sizeof(int));
	struct cmsghdr *c = CMSG_FIRSTHDR(h);
	if (b->addr.sa.sa_family == AF_INET6) {
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_TCLASS;
	} else {
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_TOS;
	}
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &value, sizeof(int));
}

static unsigned udp_send(px_plugin *self, void *sock, struct px_buf *bufs, unsigned n) {
	(void)self;
	struct udp_sock *s = sock;
	unsigned sent = 0;
	unsigned idx[UDP_RING];
	unsigned i = 0;

	if (!s || s->closed)
		return 0;

	while (i < n) {
		/* Gather the next chunk of live packets. */
		unsigned k = 0;
		for (; i < n && k < UDP_RING; i++) {
			struct px_buf *b = &bufs[i];
			if (!b->len)
				continue;
			s->tx_iov[k].iov_base = b->data;
			s->tx_iov[k].iov_len = b->len;
			memset(&s->tx_msgs[k], 0, sizeof s->tx_msgs[k]);
			s->tx_msgs[k].msg_hdr.msg_name = &b->addr.sa;
			s->tx_msgs[k].msg_hdr.msg_namelen = udp_addr_len(&b->addr);
			s->tx_msgs[k].msg_hdr.msg_iov = &s->tx_iov[k];
			s->tx_msgs[k].msg_hdr.msg_iovlen = 1;
			if (b->flags & PX_BUF_PRIORITY)
				udp_set_priority(&s->tx_msgs[k].msg_hdr, s->tx_ctrl[k].buf, b);
			idx[k++] = i;
		}

		unsigned done = 0;
		while (done < k) {
			int r = sendmmsg(s->fd, s->tx_msgs + done, k - done, MSG_DONTWAIT);
			if (r > 0) {
				done += (unsigned)r;
				sent += (unsigned)r;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				/* Socket buffer full: the rest of the batch is dropped. */
				if (udp_state.host->log_level() >= PX_LOG_TRAFFIC)
					udp_state.host->log(udp_state.self, PX_LOG_TRAFFIC,
					                    "UDP send buffer full, dropping %u packets",
					                    n - idx[done]);
				return sent;
			}
			/* This one packet failed (EMSGSIZE, unreachable...): skip it,
			 * and tell the core when the path MTU is the reason. */
			int err = r < 0 ? errno : EIO;
			if (err == EMSGSIZE)
				bufs[idx[done]].flags |= PX_BUF_TOO_BIG;
			else
				udp_log_send_error(s, &bufs[idx[done]].addr, err);
			done++;
		}
	}
	return sent;
}

static void udp_close(px_plugin *self, void *sock) {
	(void)self;
	struct udp_sock *s = sock;
	if (!s || s->closed)
		return;
	udp_state.host->watch_free(s->watch);
	s->watch = NULL;
	close(s->fd);
	s->fd = -1;
	if (s->busy)
		s->closed = true; /* freed when udp_readable() unwinds */
	else
		udp_sock_free(s);
}

static int udp_local_addr(px_plugin *self, void *sock, struct px_addr *out) {
	(void)self;
	struct udp_sock *s = sock;
	memset(out, 0, sizeof *out);
	out->len = sizeof out->ss;
	if (getsockname(s->fd, &out->sa, &out->len) < 0)
		return -1;
	return 0;
}

static const struct px_dgram_ops udp_ops = {
    .size = sizeof(struct px_dgram_ops),
    .name = "udp",
    .open = udp_open,
    .send = udp_send,
    .close = udp_close,
    .local_addr = udp_local_addr,
};

static int udp_init(px_plugin *self, const struct px_host *host) {
	udp_state.self = self;
	udp_state.host = host;
	udp_state.rcvbuf = host->conf_int(NULL, "UDPRcvBuf", UDP_DEFAULT_BUF);
	udp_state.sndbuf = host->conf_int(NULL, "UDPSndBuf", UDP_DEFAULT_BUF);
	return host->register_dgram(self, &udp_ops);
}

PX_PLUGIN_DEFINE(transport_udp, .name = "transport-udp", .version = "0.1.0",
                 .description = "UDP datagram transport (recvmmsg/sendmmsg batches)",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = udp_init);
