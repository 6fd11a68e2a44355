/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tinc 1.1's device types besides TUN/TAP: `fd` (a TUN-like descriptor
 * handed over by a parent process, directly or over a unix socket),
 * `raw_socket` (Ethernet frames on an existing interface through an
 * AF_PACKET socket) and `multicast` (Ethernet frames as UDP datagrams to a
 * multicast group). Reading and writing them is in device.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "device.h"
#include "logger.h"

static void device_reset(struct device *d, enum device_kind kind, bool ethernet) {
	memset(d, 0, sizeof *d);
	d->fd = -1;
	d->kind = kind;
	d->tap = ethernet;
}

static int device_fail(struct device *d) {
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	free(d->path);
	d->path = NULL;
	return -1;
}

/* Receive one descriptor (SCM_RIGHTS) from the unix stream socket at path;
 * a leading '@' names the abstract namespace, as in tinc 1.1. */
static int receive_fd(const char *path) {
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len == 0 || len >= sizeof sun.sun_path) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Unix socket path %s is empty or too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, len);
	socklen_t slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	if (path[0] == '@') {
		sun.sun_path[0] = '\0';
		slen--; /* abstract names are not NUL-terminated */
	}
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sun, slen) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not connect to unix socket %s: %s", path,
		       strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
	ssize_t got = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	close(s);
	struct cmsghdr *c = got > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (!c || (msg.msg_flags & MSG_CTRUNC) || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "No file descriptor received from unix socket %s", path);
		return -1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

int device_open_fd(struct device *d, const char *spec) {
	device_reset(d, DEVICE_FD, false);
	if (!spec) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "DeviceType = fd needs Device = <file descriptor> or a unix socket path");
		return -1;
	}
	d->path = strdup(spec);
	if (!d->path)
		return device_fail(d);
	char *end;
	errno = 0;
	long n = strtol(spec, &end, 10);
	if (end != spec && *end == '\0') {
		if (errno || n < 0 || n > 65535 || fcntl((int)n, F_GETFD) < 0) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = fd: %s is not an open file descriptor",
			       spec);
			return device_fail(d);
		}
		d->fd = (int)n;
		(void)fcntl(d->fd, F_SETFD, FD_CLOEXEC);
	} else {
		logger(PX_LOG_ALWAYS, LOG_INFO, "Receiving the device file descriptor from unix socket %s",
		       spec);
		d->fd = receive_fd(spec);
		if (d->fd < 0)
			return device_fail(d);
	}
	int fl = fcntl(d->fd, F_GETFL);
	if (fl < 0 || fcntl(d->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = fd: cannot use descriptor %d: %s", d->fd,
		       strerror(errno));
		return device_fail(d);
	}
	snprintf(d->ifname, sizeof d->ifname, "fd/%d", d->fd);
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "fd/%d device set up (IP packets, no Ethernet header)", d->fd);
	return 0;
}

int device_open_raw_socket(struct device *d, const char *ifname) {
	device_reset(d, DEVICE_RAW_SOCKET, true);
	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "DeviceType = raw_socket needs Interface = <existing interface name>");
		return -1;
	}
	snprintf(d->ifname, sizeof d->ifname, "%s", ifname);
	d->path = strdup("raw_socket");
	if (!d->path)
		return device_fail(d);
	unsigned idx = if_nametoindex(ifname);
	if (!idx) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = raw_socket: no interface %s: %s", ifname,
		       strerror(errno));
		return device_fail(d);
	}
	d->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (d->fd < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = raw_socket: cannot open a packet socket: %s",
		       strerror(errno));
		return device_fail(d);
	}
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)idx};
	if (bind(d->fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = raw_socket: cannot bind to %s: %s", ifname,
		       strerror(errno));
		return device_fail(d);
	}
	/* frames for other hosts on the segment are ours to carry */
	struct packet_mreq mr = {.mr_ifindex = (int)idx, .mr_type = PACKET_MR_PROMISC};
	if (setsockopt(d->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
		logger(PX_LOG_ALWAYS, LOG_WARNING, "DeviceType = raw_socket: %s not promiscuous: %s", ifname,
		       strerror(errno));
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "%s is a raw_socket device (Ethernet frames through AF_PACKET)",
	       ifname);
	return 0;
}

int device_open_multicast(struct device *d, const char *spec) {
	device_reset(d, DEVICE_MULTICAST, true);
	char host[256], port[32];
	int ttl = 1;
	if (!spec || sscanf(spec, "%255s %31s %d", host, port, &ttl) < 2 || ttl < 0 || ttl > 255) {
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "DeviceType = multicast needs Device = <address> <port> [<ttl>], not %s",
		       spec ? spec : "nothing");
		return -1;
	}
	d->path = strdup(spec);
	if (!d->path)
		return device_fail(d);
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = multicast: bad address %s port %s: %s", host,
		       port, gai_strerror(rc));
		return device_fail(d);
	}
	bool v6 = ai->ai_family == AF_INET6;
	bool is_group = v6 ? IN6_IS_ADDR_MULTICAST(&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr)
	                   : IN_MULTICAST(ntohl(((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr));
	memcpy(&d->group, ai->ai_addr, ai->ai_addrlen);
	d->grouplen = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (!is_group) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = multicast: %s is not a multicast address", host);
		return device_fail(d);
	}
	d->fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (d->fd < 0 || setsockopt(d->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(d->fd, (struct sockaddr *)&d->group, d->grouplen) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = multicast: cannot bind to %s port %s: %s", host,
		       port, strerror(errno));
		return device_fail(d);
	}
	int ok;
	if (v6) {
		struct ipv6_mreq mr = {.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&d->group)->sin6_addr};
		ok = setsockopt(d->fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof mr) == 0 &&
		     setsockopt(d->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof one) == 0 &&
		     setsockopt(d->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl) == 0;
	} else {
		struct ip_mreq mr = {.imr_multiaddr = ((struct sockaddr_in *)&d->group)->sin_addr};
		unsigned char loop = 1, t = (unsigned char)ttl;
		ok = setsockopt(d->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) == 0 &&
		     setsockopt(d->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) == 0 &&
		     setsockopt(d->fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof t) == 0;
	}
	if (!ok) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "DeviceType = multicast: cannot join %s: %s", host,
		       strerror(errno));
		return device_fail(d);
	}
	snprintf(d->ifname, sizeof d->ifname, "multicast");
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "multicast device: Ethernet frames to %s port %s, TTL %d", host,
	       port, ttl);
	return 0;
}
