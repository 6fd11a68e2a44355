/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * TUN/TAP device, and the fd device on a socket pair. Runs inside a private network namespace made with
 * unshare(CLONE_NEWNET), which vanishes with the process, so nothing is left
 * behind in the root namespace. Without the privilege for that, only the
 * error path is tested. Addresses are from 198.18.0.0/15.
 */
#define _GNU_SOURCE /* unshare */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "device.h"
#include "logger.h"

#define SLOT     2048
#define HEADROOM 64

static uint8_t storage[4][SLOT];
static struct px_buf bufs[4];

static void reset_bufs(void) {
	for (int i = 0; i < 4; i++) {
		bufs[i] = (struct px_buf){.base = storage[i], .data = storage[i] + HEADROOM, .cap = SLOT};
	}
}

static int set_ifaddr(const char *ifname, unsigned long req, const char *addr) {
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	int r = ioctl(s, req, &ifr);
	close(s);
	return r;
}

static int set_up(const char *ifname) {
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	int r = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!r)
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return r;
}

static uint16_t ip_checksum(const uint8_t *p, size_t len) {
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Wait for an IPv4 frame from the TUN device (skipping e.g. IPv6 chatter). */
static struct px_buf *read_ipv4(struct device *d) {
	for (int tries = 0; tries < 20; tries++) {
		struct pollfd pfd = {.fd = d->fd, .events = POLLIN};
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		reset_bufs();
		unsigned n = device_read_batch(d, bufs, 4);
		for (unsigned i = 0; i < n; i++)
			if (bufs[i].data[12] == 0x08 && bufs[i].data[13] == 0x00)
				return &bufs[i];
	}
	return NULL;
}

static void test_tun(void) {
	struct device d;
	CHECK(device_open(&d, NULL, "pxtest0", false) == 0);
	CHECK_STR(d.ifname, "pxtest0");
	CHECK(set_ifaddr("pxtest0", SIOCSIFADDR, "198.18.0.1") == 0);
	CHECK(set_ifaddr("pxtest0", SIOCSIFNETMASK, "255.255.255.0") == 0);
	CHECK(set_up("pxtest0") == 0);

	/* Nothing pending: a non-blocking read returns 0 frames. */
	int sock = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in local = {.sin_family = AF_INET};
	inet_pton(AF_INET, "198.18.0.1", &local.sin_addr);
	CHECK(bind(sock, (struct sockaddr *)&local, sizeof local) == 0);
	socklen_t alen = sizeof local;
	getsockname(sock, (struct sockaddr *)&local, &alen);

	/* Kernel -> device: a datagram to 198.18.0.2 comes out of the TUN. */
	struct sockaddr_in remote = {.sin_family = AF_INET, .sin_port = htons(9999)};
	inet_pton(AF_INET, "198.18.0.2", &remote.sin_addr);
	CHECK(sendto(sock, "ping", 4, 0, (struct sockaddr *)&remote, sizeof remote) == 4);
	struct px_buf *b = read_ipv4(&d);
	CHECK(b != NULL);
	if (b) {
		static const uint8_t zero[12];
		CHECK(!memcmp(b->data, zero, 12));
		CHECK(b->len == 14 + 20 + 8 + 4);
		CHECK(b->data[14] == 0x45);
		CHECK(!memcmp(b->data + 14 + 28, "ping", 4));
	}
	CHECK(d.in_packets >= 1);

	/* Device -> kernel: a frame written to the TUN reaches our socket. */
	uint8_t frame[14 + 20 + 8 + 4];
	memset(frame, 0xee, 14); /* the header is ignored in TUN mode */
	uint8_t *ip = frame + 14;
	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[2] = 0;
	ip[3] = 32;
	ip[8] = 64;
	ip[9] = 17;
	inet_pton(AF_INET, "198.18.0.2", ip + 12);
	memcpy(ip + 16, &local.sin_addr, 4);
	uint16_t ck = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	uint8_t *udp = ip + 20;
	udp[0] = 9999 >> 8;
	udp[1] = 9999 & 0xff;
	memcpy(udp + 2, &local.sin_port, 2);
	udp[5] = 12; /* length; checksum 0 = none */
	memcpy(udp + 8, "pong", 4);
	struct px_buf out = {.base = frame, .data = frame, .len = sizeof frame, .cap = sizeof frame};
	CHECK(device_write(&d, &out) == 0);
	CHECK(d.out_packets == 1 && d.out_bytes == sizeof frame);

	struct pollfd pfd = {.fd = sock, .events = POLLIN};
	CHECK(poll(&pfd, 1, 2000) == 1);
	char got[16] = "";
	CHECK(recv(sock, got, sizeof got, MSG_DONTWAIT) == 4);
	CHECK(!memcmp(got, "pong", 4));

	/* A runt frame is refused. */
	out.len = 10;
	CHECK(device_write(&d, &out) == -1);

	close(sock);
	device_close(&d);
	CHECK(d.fd == -1);
}

static void test_tap(void) {
	struct device d;
	CHECK(device_open(&d, NULL, NULL, true) == 0);
	CHECK(d.ifname[0] != '\0'); /* the kernel's choice */
	CHECK(d.tap);
	reset_bufs();
	CHECK(device_read_batch(&d, bufs, 4) == 0); /* down: nothing to read */
	device_close(&d);
}

/* DeviceType = fd on one end of a SOCK_SEQPACKET pair (message boundaries
 * like a TUN descriptor): IP packets in get an Ethernet header, frames out
 * lose it, non-IP is dropped. */
static void test_fd(void) {
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	char spec[16];
	snprintf(spec, sizeof spec, "%d", sv[0]);
	struct device d;
	CHECK(device_open_fd(&d, spec) == 0);
	CHECK(!d.tap && d.kind == DEVICE_FD && d.fd == sv[0]);
	uint8_t ip4[28] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2};
	uint8_t junk[8] = {0x12, 0x34};
	CHECK(write(sv[1], junk, sizeof junk) == (ssize_t)sizeof junk);
	CHECK(write(sv[1], ip4, sizeof ip4) == (ssize_t)sizeof ip4);
	reset_bufs();
	CHECK(device_read_batch(&d, bufs, 4) == 1);
	CHECK(bufs[0].len == PX_ETH_HLEN + sizeof ip4);
	CHECK(bufs[0].data[12] == 0x08 && bufs[0].data[13] == 0x00);
	CHECK(!memcmp(bufs[0].data + PX_ETH_HLEN, ip4, sizeof ip4));
	CHECK(device_write(&d, &bufs[0]) == 0);
	uint8_t back[64];
	CHECK(read(sv[1], back, sizeof back) == (ssize_t)sizeof ip4 && !memcmp(back, ip4, sizeof ip4));
	device_close(&d); /* closes sv[0] */
	close(sv[1]);
	/* not a descriptor, no socket there, bad multicast and raw_socket specs */
	CHECK(device_open_fd(&d, NULL) == -1);
	CHECK(device_open_fd(&d, "999") == -1);
	CHECK(device_open_fd(&d, "-1") == -1);
	CHECK(device_open_fd(&d, "@plexus-device-test-nobody-listens") == -1);
	CHECK(d.fd == -1);
	CHECK(device_open_multicast(&d, NULL) == -1);
	CHECK(device_open_multicast(&d, "239.1.2.3") == -1);
	CHECK(device_open_multicast(&d, "198.18.0.1 5000") == -1);
	CHECK(device_open_multicast(&d, "239.1.2.3 5000 300") == -1);
	CHECK(device_open_raw_socket(&d, NULL) == -1);
	CHECK(device_open_raw_socket(&d, "nosuch-if0") == -1);
}

int main(void) {
	struct device d;
	test_fd();
	CHECK(device_open(&d, "/nonexistent/plexus-tun", NULL, false) == -1);
	CHECK(d.fd == -1);
	CHECK(device_open(&d, NULL, "an-interface-name-too-long", false) == -1);

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "device_test: no private network namespace (%s), TUN tests skipped\n",
		        strerror(errno));
		return check_done("device_test");
	}
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		fprintf(stderr, "device_test: /dev/net/tun unavailable, TUN tests skipped\n");
		return check_done("device_test");
	}
	test_tun();
	test_tap();
	return check_done("device_test");
}
