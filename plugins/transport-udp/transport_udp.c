/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * UDP datagram transport. Receives in recvmmsg batches into a ring of
 * buffers allocated once per socket, and sends batches with sendmmsg, so the
 * data path never allocates. Path MTU discovery is left to the kernel's DF
 * handling: an oversize send fails with EMSGSIZE instead of fragmenting.
 *
 * Where the kernel offers it (and PLEXUS_NO_UDP_OFFLOAD is not set), runs of
 * same-size datagrams to one peer leave as one UDP_SEGMENT send, and UDP_GRO
 * hands us coalesced datagrams that are cut back into per-datagram views of
 * the receive buffer (udp_gso.c). The wire carries the same datagrams.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <plexus/plugin.h>

#include "udp_gso.h"

#define UDP_RING        64   /* datagrams per recvmmsg/sendmmsg call */
#define UDP_HEADROOM    128  /* room in front of each datagram for in-place work */
#define UDP_DGRAM_MAX   2048 /* largest datagram we accept */
#define UDP_SLOT        (UDP_HEADROOM + UDP_DGRAM_MAX)
#define UDP_MAX_BATCHES 8 /* recvmmsg calls per wakeup, so other fds get their turn */
#define UDP_DEFAULT_BUF (1024 * 1024)

/* With UDP_GRO: fewer, larger receive slots, each holding one coalesced
 * datagram of up to 64 KiB that becomes up to UDP_GRO_SEGS datagrams. */
#define UDP_GRO_SLOTS 16
#define UDP_GRO_DGRAM 65536
#define UDP_GRO_SLOT  (UDP_HEADROOM + UDP_GRO_DGRAM)
#define UDP_GRO_SEGS  128 /* the kernel's largest segment count */
#define UDP_RX_CTRL   64  /* room for the UDP_GRO control message */
#define UDP_TX_CTRL   (CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(uint16_t)))

struct udp_sock {
	int fd;
	px_watch *watch;
	struct px_addr bound;
	bool busy;               /* inside a host callback */
	bool closed;             /* close() was called while busy */
	uint64_t last_error_log; /* ms; errors are logged at most once per second */
	unsigned errors_suppressed;
	bool gro;            /* UDP_GRO is on: slots are UDP_GRO_SLOT bytes */
	unsigned slots;      /* receive slots (datagrams per recvmmsg) */
	uint8_t *storage;    /* slots of UDP_SLOT (or UDP_GRO_SLOT) bytes */
	struct px_buf *bufs; /* what goes to the core: one per datagram */
	unsigned nbufs;
	struct px_buf whole[UDP_RING]; /* with UDP_GRO: each slot as received */
	struct mmsghdr rx_msgs[UDP_RING];
	struct iovec rx_iov[UDP_RING];
	union {
		struct cmsghdr align;
		char buf[UDP_RX_CTRL];
	} rx_ctrl[UDP_RING];
	struct mmsghdr tx_msgs[UDP_RING];
	struct iovec tx_iov[UDP_RING];
	struct px_buf *tx_live[UDP_RING]; /* the live datagrams of a chunk */
	unsigned tx_first[UDP_RING];      /* per message: its first datagram in tx_live */
	unsigned tx_count[UDP_RING];      /* per message: datagrams (> 1: a UDP_SEGMENT run) */
	/* Per message: IP_TOS / IPV6_TCLASS (PX_BUF_PRIORITY) and UDP_SEGMENT. */
	union {
		struct cmsghdr align;
		char buf[UDP_TX_CTRL];
	} tx_ctrl[UDP_RING];
};

static struct {
	px_plugin *self;
	const struct px_host *host;
	int rcvbuf, sndbuf;
	bool offload; /* try UDP_SEGMENT/UDP_GRO (PLEXUS_NO_UDP_OFFLOAD unset) */
	bool gso;     /* UDP_SEGMENT sends: off for good once the kernel refused one */
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
	free(s->bufs);
	free(s);
}

/* Point every ring entry back at its own slot: the core may have moved data/len. */
static void udp_rx_prepare(struct udp_sock *s) {
	size_t slot = s->gro ? UDP_GRO_SLOT : UDP_SLOT;
	for (unsigned i = 0; i < s->slots; i++) {
		struct px_buf *b = s->gro ? &s->whole[i] : &s->bufs[i];
		memset(b, 0, sizeof *b);
		b->base = s->storage + (size_t)i * slot;
		b->data = b->base + UDP_HEADROOM;
		b->cap = (uint32_t)slot;
		s->rx_iov[i].iov_base = b->data;
		s->rx_iov[i].iov_len = slot - UDP_HEADROOM;
		memset(&s->rx_msgs[i], 0, sizeof s->rx_msgs[i]);
		s->rx_msgs[i].msg_hdr.msg_name = &b->addr.ss;
		s->rx_msgs[i].msg_hdr.msg_namelen = sizeof b->addr.ss;
		s->rx_msgs[i].msg_hdr.msg_iov = &s->rx_iov[i];
		s->rx_msgs[i].msg_hdr.msg_iovlen = 1;
		if (s->gro) {
			s->rx_msgs[i].msg_hdr.msg_control = s->rx_ctrl[i].buf;
			s->rx_msgs[i].msg_hdr.msg_controllen = sizeof s->rx_ctrl[i].buf;
		}
	}
}

/* The segment size of a UDP_GRO-coalesced datagram, 0 if it is a single one. */
static size_t udp_gro_size(struct msghdr *h) {
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int seg;
			memcpy(&seg, CMSG_DATA(c), sizeof seg);
			return seg > 0 ? (size_t)seg : 0;
		}
	}
	return 0;
}

/* One recvmmsg batch into the ring. Returns datagrams kept, -1 when the
 * socket is drained or failed; *full says the ring was filled (more may wait). */
static int udp_rx_batch(struct udp_sock *s, bool *full) {
	udp_rx_prepare(s);
	int got = recvmmsg(s->fd, s->rx_msgs, s->slots, MSG_DONTWAIT, NULL);
	if (got < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			udp_state.host->log(udp_state.self, PX_LOG_ERROR, "Receiving UDP packets failed: %s",
			                    strerror(errno));
		return -1;
	}
	*full = got == (int)s->slots;

	unsigned kept = 0;
	for (int i = 0; i < got; i++) {
		struct mmsghdr *m = &s->rx_msgs[i];
		if (m->msg_hdr.msg_flags & MSG_TRUNC) {
			if (udp_state.host->log_level() >= PX_LOG_TRAFFIC)
				udp_state.host->log(udp_state.self, PX_LOG_TRAFFIC,
				                    "Dropping oversized UDP packet (more than %u bytes)",
				                    (unsigned)s->rx_iov[i].iov_len);
			continue;
		}
		if (s->gro) {
			/* Cut a coalesced datagram back into the datagrams that were sent. */
			struct px_buf *w = &s->whole[i];
			w->len = m->msg_len;
			w->addr.len = m->msg_hdr.msg_namelen;
			size_t seg = udp_gro_size(&m->msg_hdr);
			if ((seg ? seg : w->len) > UDP_DGRAM_MAX) {
				/* The same limit as without UDP_GRO. */
				if (udp_state.host->log_level() >= PX_LOG_TRAFFIC)
					udp_state.host->log(
					    udp_state.self, PX_LOG_TRAFFIC,
					    "Dropping oversized UDP packet (more than %d bytes)",
					    UDP_DGRAM_MAX);
				continue;
			}
			unsigned lost;
			kept += udp_gro_split(w, seg, s->bufs + kept, s->nbufs - kept, &lost);
			if (lost && udp_state.host->log_level() >= PX_LOG_TRAFFIC)
				udp_state.host->log(udp_state.self, PX_LOG_TRAFFIC,
				                    "Dropping %u datagrams of a coalesced UDP receive", lost);
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

/* Turn UDP_GRO on where the kernel has it and size the receive ring for
 * it; probe UDP_SEGMENT (a kernel without it would ignore the control
 * message and send one oversized datagram). Allocates the ring. */
static int udp_offload_setup(struct udp_sock *s) {
	int one = 1, zero = 0;
	if (udp_state.offload && udp_state.gso &&
	    setsockopt(s->fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof zero) < 0) {
		udp_state.gso = false;
		udp_state.host->log(udp_state.self, PX_LOG_CONNECTIONS,
		                    "UDP segmentation offload unavailable: %s", strerror(errno));
	}
	s->gro = udp_state.offload && setsockopt(s->fd, SOL_UDP, UDP_GRO, &one, sizeof one) == 0;
	if (udp_state.offload && !s->gro)
		udp_state.host->log(udp_state.self, PX_LOG_CONNECTIONS, "UDP receive offload unavailable: %s",
		                    strerror(errno));
	s->slots = s->gro ? UDP_GRO_SLOTS : UDP_RING;
	s->nbufs = s->gro ? UDP_GRO_SLOTS * UDP_GRO_SEGS : UDP_RING;
	s->storage = malloc((size_t)s->slots * (s->gro ? UDP_GRO_SLOT : UDP_SLOT));
	s->bufs = calloc(s->nbufs, sizeof *s->bufs);
	return s->storage && s->bufs ? 0 : -1;
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
	s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s->fd < 0) {
		host->log(udp_state.self, PX_LOG_ALWAYS, "Creating UDP socket failed: %s", strerror(errno));
		goto err;
	}
	if (udp_offload_setup(s) < 0)
		goto oom;

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

/* The control messages of one outgoing message: PriorityInheritance's TOS
 * (IPv4) or traffic class (IPv6) of the inner packet, per message so that
 * one batch can mix priorities, and the segment size of a UDP_SEGMENT run. */
static void udp_set_ctrl(struct msghdr *h, char *ctrl, const struct px_buf *b, uint16_t gso_size) {
	size_t len = 0;
	if (b->flags & PX_BUF_PRIORITY)
		len += CMSG_SPACE(sizeof(int));
	if (gso_size)
		len += CMSG_SPACE(sizeof(uint16_t));
	if (!len)
		return;
	memset(ctrl, 0, len);
	h->msg_control = ctrl;
	h->msg_controllen = len;
	struct cmsghdr *c = CMSG_FIRSTHDR(h);
	if (b->flags & PX_BUF_PRIORITY) {
		int value = b->priority;
		bool v6 = b->addr.sa.sa_family == AF_INET6;
		c->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
		c->cmsg_type = v6 ? IPV6_TCLASS : IP_TOS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &value, sizeof(int));
		c = CMSG_NXTHDR(h, c);
	}
	if (gso_size) {
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
		memcpy(CMSG_DATA(c), &gso_size, sizeof gso_size);
	}
}

/* One datagram on its own (sendmsg). Returns 1 sent, 0 failed (flagged or
 * logged), -1 the socket buffer is full; *err gets the failure. */
static int udp_send_one(struct udp_sock *s, struct px_buf *b, int *err) {
	struct iovec iov = {.iov_base = b->data, .iov_len = b->len};
	union {
		struct cmsghdr align;
		char buf[UDP_TX_CTRL];
	} ctrl;
	struct msghdr h = {
	    .msg_name = &b->addr.sa, .msg_namelen = udp_addr_len(&b->addr), .msg_iov = &iov, .msg_iovlen = 1};
	udp_set_ctrl(&h, ctrl.buf, b, 0);
	ssize_t r;
	do
		r = sendmsg(s->fd, &h, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	*err = r < 0 ? errno : 0;
	if (r >= 0)
		return 1;
	if (*err == EAGAIN || *err == EWOULDBLOCK)
		return -1;
	if (*err == EMSGSIZE)
		b->flags |= PX_BUF_TOO_BIG;
	else
		udp_log_send_error(s, &b->addr, *err);
	return 0;
}

/* A UDP_SEGMENT run the kernel refused with gso_err: its datagrams go one by
 * one. Errors that say the kernel or device cannot segment turn segmentation
 * off for good; EINVAL also comes from a segment larger than the path takes,
 * which the single sends answer with EMSGSIZE. Returns datagrams sent, or
 * -1 - sent when the socket buffer filled up. */
static int udp_send_run_singly(struct udp_sock *s, struct px_buf **run, unsigned count, int gso_err) {
	int sent = 0, err = 0;
	bool too_big = false;
	for (unsigned i = 0; i < count; i++) {
		int r = udp_send_one(s, run[i], &err);
		if (r < 0)
			return -1 - sent;
		sent += r;
		too_big |= err == EMSGSIZE;
	}
	if ((gso_err == EIO || gso_err == ENOPROTOOPT || gso_err == EOPNOTSUPP || gso_err == EINVAL) &&
	    !too_big && udp_state.gso) {
		udp_state.gso = false;
		udp_state.host->log(udp_state.self, PX_LOG_ALWAYS,
		                    "UDP segmentation offload refused (%s), sending datagrams singly",
		                    strerror(gso_err));
	}
	return sent;
}

/* Fill tx_msgs with the chunk's datagrams (s->tx_live[0..k)), a
 * UDP_SEGMENT run per message where segmentation is on. Returns messages. */
static unsigned udp_build_msgs(struct udp_sock *s, unsigned k) {
	unsigned m = 0;
	for (unsigned j = 0; j < k; m++) {
		unsigned run = udp_state.gso ? udp_gso_run(s->tx_live + j, k - j) : 1;
		struct px_buf *b = s->tx_live[j];
		struct msghdr *h = &s->tx_msgs[m].msg_hdr;
		memset(&s->tx_msgs[m], 0, sizeof s->tx_msgs[m]);
		h->msg_name = &b->addr.sa;
		h->msg_namelen = udp_addr_len(&b->addr);
		h->msg_iov = &s->tx_iov[j];
		h->msg_iovlen = run;
		udp_set_ctrl(h, s->tx_ctrl[m].buf, b, run > 1 ? (uint16_t)b->len : 0);
		s->tx_first[m] = j;
		s->tx_count[m] = run;
		j += run;
	}
	return m;
}

static unsigned udp_send(px_plugin *self, void *sock, struct px_buf *bufs, unsigned n) {
	(void)self;
	struct udp_sock *s = sock;
	unsigned sent = 0;
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
			s->tx_live[k++] = b;
		}
		unsigned m = udp_build_msgs(s, k);

		unsigned done = 0;
		while (done < m) {
			int r = sendmmsg(s->fd, s->tx_msgs + done, m - done, MSG_DONTWAIT);
			if (r > 0) {
				for (unsigned j = done; j < done + (unsigned)r; j++)
					sent += s->tx_count[j];
				done += (unsigned)r;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				/* Socket buffer full: the rest of the batch is dropped. */
				if (udp_state.host->log_level() >= PX_LOG_TRAFFIC)
					udp_state.host->log(udp_state.self, PX_LOG_TRAFFIC,
					                    "UDP send buffer full, dropping %u packets",
					                    k - s->tx_first[done] + (n - i));
				return sent;
			}
			int err = r < 0 ? errno : EIO;
			struct px_buf **first = s->tx_live + s->tx_first[done];
			if (s->tx_count[done] > 1) {
				int r1 = udp_send_run_singly(s, first, s->tx_count[done], err);
				if (r1 < 0)
					return sent + (unsigned)(-1 - r1);
				sent += (unsigned)r1;
			} else if (err == EMSGSIZE) {
				/* This one packet failed: skip it, and tell the core
				 * when the path MTU is the reason. */
				(*first)->flags |= PX_BUF_TOO_BIG;
			} else {
				udp_log_send_error(s, &(*first)->addr, err);
			}
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
	/* PLEXUS_NO_UDP_OFFLOAD (any non-empty value, as PLEXUS_NO_TUN_OFFLOAD):
	 * plain recvmmsg/sendmmsg, for comparison and for kernels or paths
	 * that mishandle the offloads. */
	const char *no = getenv("PLEXUS_NO_UDP_OFFLOAD");
	udp_state.offload = !(no && *no);
	udp_state.gso = udp_state.offload;
	return host->register_dgram(self, &udp_ops);
}

PX_PLUGIN_DEFINE(transport_udp, .name = "transport-udp", .version = "0.1.0",
                 .description = "UDP datagram transport (recvmmsg/sendmmsg batches, UDP_SEGMENT/UDP_GRO)",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = udp_init);
