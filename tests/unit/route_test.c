/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Unit tests of the router (core/route*.c). Everything route.c calls is
 * stubbed here (packet output, hooks, logger, clock, and a small subnet
 * table), so the test links only the router's own objects and records
 * where each frame went.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "device.h"
#include "event.h"
#include "logger.h"
#include "node.h"
#include "route.h"
#include "route_internal.h"
#include "settings.h"
#include "subnet.h"

/* ---- Stubs ---------------------------------------------------------- */

struct settings settings;
struct device device;
node_t *myself;
int debug_level;

enum action { ACT_NONE, ACT_SEND, ACT_BROADCAST, ACT_DEVICE };
static struct {
	enum action action;
	node_t *to; /* send_packet target / broadcast_packet origin */
	uint8_t frame[2048];
	uint32_t len;
	uint16_t flags;
	uint8_t priority;
	int count; /* outputs since reset */
} out;

static char last_log[512];
static uint64_t fake_now = 1000000;
static int announced, forgotten;

static void record(enum action a, node_t *n, const struct px_buf *b) {
	out.action = a;
	out.to = n;
	out.len = b->len;
	out.flags = b->flags;
	out.priority = b->priority;
	memcpy(out.frame, b->data, b->len < sizeof(out.frame) ? b->len : sizeof(out.frame));
	out.count++;
}

static void send_packet(node_t *to, struct px_buf *b) {
	record(ACT_SEND, to, b);
}

static void broadcast_packet(node_t *from, struct px_buf *b) {
	record(ACT_BROADCAST, from, b);
}

static void deliver_to_device(struct px_buf *b) {
	record(ACT_DEVICE, NULL, b);
}

static void announce_subnet(struct subnet *s, bool add) {
	(void)s;
	if (add)
		announced++;
}

static void forget_subnet(struct subnet *s) {
	forgotten++;
	subnet_del(s);
}

void logger(int level, int priority, const char *fmt, ...) {
	va_list ap;
	(void)level;
	(void)priority;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

uint64_t now_ms(void) {
	return fake_now;
}

/* A linear subnet table with the same selection rules as subnet.c:
 * longest prefix, then lowest weight, then a reachable owner. Built with
 * ROUTE_TEST_REAL_SUBNET, the test uses core/subnet.c instead. */
#ifndef ROUTE_TEST_REAL_SUBNET
struct list_head subnet_table = LIST_HEAD_INIT(subnet_table);

struct subnet *subnet_new(void) {
	struct subnet *s = calloc(1, sizeof(*s));
	if (s) {
		s->weight = SUBNET_DEFAULT_WEIGHT;
		list_init(&s->owner_link);
		list_init(&s->table_link);
	}
	return s;
}

void subnet_add(struct px_node *owner, struct subnet *s) {
	s->owner = owner;
	if (owner)
		list_add_tail(&s->owner_link, &owner->subnets);
	list_add_tail(&s->table_link, &subnet_table);
}

void subnet_del(struct subnet *s) {
	list_del(&s->owner_link);
	list_del(&s->table_link);
	free(s);
}

bool subnet_equal(const struct subnet *a, const struct subnet *b) {
	return a->type == b->type && a->prefix == b->prefix && a->weight == b->weight &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

struct subnet *subnet_find(struct px_node *owner, const struct subnet *key) {
	struct subnet *s;
	list_for_each_entry(s, &owner->subnets, owner_link) {
		if (subnet_equal(s, key))
			return s;
	}
	return NULL;
}

void subnet_cache_flush(void) {
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, int bits) {
	int bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)bytes))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

static struct subnet *lookup(enum subnet_type type, const uint8_t *addr) {
	struct subnet *s, *best = NULL;
	list_for_each_entry(s, &subnet_table, table_link) {
		if (s->type != type || !prefix_match(s->addr, addr, s->prefix))
			continue;
		if (!best || s->prefix > best->prefix ||
		    (s->prefix == best->prefix &&
		     (s->weight < best->weight ||
		      (s->weight == best->weight && (!s->owner || s->owner->reachable) && best->owner &&
		       !best->owner->reachable))))
			best = s;
	}
	return best;
}

struct subnet *subnet_lookup_ipv4(const uint8_t addr[4]) {
	return lookup(SUBNET_IPV4, addr);
}

struct subnet *subnet_lookup_ipv6(const uint8_t addr[16]) {
	return lookup(SUBNET_IPV6, addr);
}

struct subnet *subnet_lookup_mac(const uint8_t addr[6]) {
	return lookup(SUBNET_MAC, addr);
}
#endif

/* ---- Topology -------------------------------------------------------- */

static node_t *make_node(const char *name) {
	node_t *n = calloc(1, sizeof(*n));
	n->name = strdup(name);
	n->reachable = true;
	n->mtu = PX_MTU;
	n->via = n;
	n->nexthop = n;
	list_init(&n->subnets);
	list_init(&n->edges);
	list_init(&n->link);
	return n;
}

static void free_node(node_t *n) {
	struct subnet *s, *tmp;
	list_for_each_entry_safe(s, tmp, &n->subnets, owner_link) subnet_del(s);
	free(n->name);
	free(n);
}

static void add_v4(node_t *owner, const char *a, int prefix, int weight) {
	struct subnet *s = subnet_new();
	unsigned x[4];
	sscanf(a, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]);
	s->type = SUBNET_IPV4;
	for (int i = 0; i < 4; i++)
		s->addr[i] = (uint8_t)x[i];
	s->prefix = prefix;
	s->weight = weight;
	subnet_add(owner, s);
}

/* IPv6 subnet 2001:db8:<tag>::/prefix */
static void add_v6(node_t *owner, uint16_t tag, int prefix) {
	struct subnet *s = subnet_new();
	s->type = SUBNET_IPV6;
	wr16(s->addr, 0x2001);
	wr16(s->addr + 2, 0x0db8);
	wr16(s->addr + 4, tag);
	s->prefix = prefix;
	subnet_add(owner, s);
}

static void add_mac(node_t *owner, const uint8_t mac[6]) {
	struct subnet *s = subnet_new();
	s->type = SUBNET_MAC;
	memcpy(s->addr, mac, 6);
	s->prefix = 48;
	subnet_add(owner, s);
}

/* ---- Frames ------------------------------------------------------------ */

#define HEADROOM 128
static uint8_t storage[HEADROOM + 2048 + 128];

static void reset_out(void) {
	memset(&out, 0, sizeof(out));
	last_log[0] = 0;
}

static struct px_buf buf_of(uint32_t len) {
	struct px_buf b = {.base = storage, .data = storage + HEADROOM, .len = len, .cap = sizeof(storage)};
	return b;
}

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0xaa};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0xbb};

static void set_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type) {
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	wr16(f + 12, type);
}

static uint16_t sum16(const uint8_t *p, size_t len, uint32_t sum) {
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* One's complement sum of everything including the checksum field: 0xffff if valid. */
static bool csum_ok(const uint8_t *p, size_t len) {
	return sum16(p, len, 0) == 0xffff;
}

static uint32_t pseudo6(const uint8_t *ip6, uint32_t len, uint8_t proto) {
	uint32_t s = sum16(ip6 + 8, 32, 0);
	return s + (len >> 16) + (len & 0xffff) + proto;
}

/* An IPv4 packet of `ip_len` bytes (frame = 14 + ip_len) from src to dst. */
static struct px_buf ipv4_frame(const char *src, const char *dst, uint8_t proto, uint32_t ip_len, bool df) {
	struct px_buf b = buf_of(PX_ETH_HLEN + ip_len);
	uint8_t *f = b.data, *ip = f + PX_ETH_HLEN;
	unsigned s[4], d[4];
	memset(f, 0, b.len);
	set_eth(f, mac_b, mac_a, ETHERTYPE_IPV4);
	sscanf(src, "%u.%u.%u.%u", &s[0], &s[1], &s[2], &s[3]);
	sscanf(dst, "%u.%u.%u.%u", &d[0], &d[1], &d[2], &d[3]);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)ip_len);
	wr16(ip + 4, 0x1234);
	if (df)
		ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = proto;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)s[i];
		ip[16 + i] = (uint8_t)d[i];
	}
	wr16(ip + 10, (uint16_t)~sum16(ip, 20, 0));
	for (uint32_t i = 20; i < ip_len; i++)
		ip[i] = (uint8_t)i;
	return b;
}

/* IPv6 packet 2001:db8:<stag>::1 -> 2001:db8:<dtag>::1 of ip_len bytes. */
static struct px_buf ipv6_frame(uint16_t stag, uint16_t dtag, uint8_t nh, uint32_t ip_len) {
	struct px_buf b = buf_of(PX_ETH_HLEN + ip_len);
	uint8_t *f = b.data, *ip = f + PX_ETH_HLEN;
	memset(f, 0, b.len);
	set_eth(f, mac_b, mac_a, ETHERTYPE_IPV6);
	ip[0] = 0x60;
	wr16(ip + 4, (uint16_t)(ip_len - 40));
	ip[6] = nh;
	ip[7] = 64;
	wr16(ip + 8, 0x2001);
	wr16(ip + 10, 0x0db8);
	wr16(ip + 12, stag);
	ip[23] = 1;
	wr16(ip + 24, 0x2001);
	wr16(ip + 26, 0x0db8);
	wr16(ip + 28, dtag);
	ip[39] = 1;
	for (uint32_t i = 40; i < ip_len; i++)
		ip[i] = (uint8_t)i;
	return b;
}

/* ---- Tests ------------------------------------------------------------ */

static node_t *alpha, *bravo, *charlie, *relay;

static void setup_router(void) {
	memset(&settings, 0, sizeof(settings));
	settings.mode = RMODE_ROUTER;
	settings.forwarding = FMODE_INTERNAL;
	settings.broadcast_mode = 1;
	myself = make_node("myself");
	alpha = make_node("alpha");
	bravo = make_node("bravo");
	charlie = make_node("charlie");
	relay = make_node("relay");
	add_v4(myself, "198.18.0.0", 24, 10);
	add_v4(alpha, "198.18.1.0", 24, 10);
	add_v4(bravo, "198.18.0.0", 16, 10);     /* shorter prefix than myself's /24 */
	add_v4(charlie, "198.18.1.128", 25, 10); /* longer prefix inside alpha's */
	add_v4(relay, "198.18.9.0", 24, 10);
	add_v6(myself, 0, 48);
	add_v6(alpha, 1, 48);
	add_v6(bravo, 1, 64); /* 2001:db8:1::/64 beats alpha's /48 */
}

static void teardown(void) {
	node_t *nodes[] = {myself, alpha, bravo, charlie, relay};
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (nodes[i])
			free_node(nodes[i]);
	myself = alpha = bravo = charlie = relay = NULL;
}

static void next_second(void) {
	fake_now += 1000; /* fresh ICMP rate-limit window */
}

static void test_ipv4_routing(void) {
	struct px_buf b;

	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == alpha);

	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.200", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == charlie); /* /25 beats /24 */

	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.2.1", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == bravo); /* only the /16 matches */

	/* Ours: delivered when it comes from elsewhere, dropped when from us. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.0.7", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_DEVICE && out.len == PX_ETH_HLEN + 60);

	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.0.7", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.count == 0);

	/* Back to where it came from: loop. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.1.6", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.count == 0);

	/* Forwarding between two other nodes. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.9.1", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_SEND && out.to == relay);

	settings.forwarding = FMODE_OFF;
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.9.1", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.count == 0);
	settings.forwarding = FMODE_INTERNAL;

	/* Forwarding = kernel: everything from other nodes goes to the OS. */
	settings.forwarding = FMODE_KERNEL;
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.9.1", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_DEVICE);
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.9.1", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == relay);
	settings.forwarding = FMODE_INTERNAL;

	/* DirectOnly: no relaying through another node. */
	next_second();
	settings.direct_only = true;
	relay->via = alpha;
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.9.1", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_DEVICE && out.frame[PX_ETH_HLEN + 20] == 3 &&
	      out.frame[PX_ETH_HLEN + 21] == 13);
	settings.direct_only = false;
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.9.1", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == relay); /* send_packet picks the relay */
	relay->via = relay;

	/* Multicast/broadcast are flooded. */
	reset_out();
	b = ipv4_frame("198.18.0.1", "224.0.0.251", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_BROADCAST && out.to == myself);
}

static void test_ipv4_unknown_destination(void) {
	next_second();
	reset_out();
	struct px_buf b = ipv4_frame("198.18.0.1", "10.1.2.3", 17, 100, false);
	uint8_t orig_ip[28];
	memcpy(orig_ip, b.data + PX_ETH_HLEN, 28);
	route_packet(myself, &b);
	CHECK(strstr(last_log,
	             "Cannot route packet from myself: unknown IPv4 destination address 10.1.2.3") != NULL);
	CHECK(out.action == ACT_DEVICE);
	CHECK(out.len == PX_ETH_HLEN + 20 + 8 + 28);
	const uint8_t *f = out.frame, *ip = f + PX_ETH_HLEN, *icmp = ip + 20;
	CHECK(!memcmp(f, mac_a, 6) && !memcmp(f + 6, mac_b, 6)); /* MACs swapped */
	CHECK(rd16(f + 12) == ETHERTYPE_IPV4);
	CHECK(ip[0] == 0x45 && ip[9] == 1 && rd16(ip + 2) == 20 + 8 + 28);
	CHECK(!memcmp(ip + 12, orig_ip + 16, 4) && !memcmp(ip + 16, orig_ip + 12, 4));
	CHECK(csum_ok(ip, 20));
	CHECK(icmp[0] == 3 && icmp[1] == 0);
	CHECK(csum_ok(icmp, 8 + 28));
	CHECK(!memcmp(icmp + 8, orig_ip, 28)); /* original header + 8 bytes */

	/* From another node: the error goes back to that node. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "10.1.2.3", 17, 100, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_SEND && out.to == alpha && out.frame[PX_ETH_HLEN + 20] == 3);

	/* No ICMP error about an ICMP error. */
	reset_out();
	b = ipv4_frame("198.18.0.1", "10.1.2.3", 1, 60, false);
	b.data[PX_ETH_HLEN + 20] = 3;
	route_packet(myself, &b);
	CHECK(out.count == 0);

	/* Rate limit: at most 3 per second. */
	next_second();
	reset_out();
	for (int i = 0; i < 10; i++) {
		b = ipv4_frame("198.18.0.1", "10.1.2.3", 17, 60, false);
		route_packet(myself, &b);
	}
	CHECK(out.count == ICMP_MAX_PER_SECOND);
	next_second();
	reset_out();
	b = ipv4_frame("198.18.0.1", "10.1.2.3", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.count == 1);
}

static void test_unreachable_owner(void) {
	next_second();
	alpha->reachable = false;
	reset_out();
	struct px_buf b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_DEVICE && out.frame[PX_ETH_HLEN + 20] == 3 &&
	      out.frame[PX_ETH_HLEN + 21] == 1);
	alpha->reachable = true;
}

static void test_ipv4_too_big(void) {
	next_second();
	alpha->mtu = 1000;

	reset_out();
	struct px_buf b = ipv4_frame("198.18.0.1", "198.18.1.5", 6, 1400, true);
	route_packet(myself, &b);
	CHECK(out.action == ACT_DEVICE);
	const uint8_t *ip = out.frame + PX_ETH_HLEN, *icmp = ip + 20;
	CHECK(icmp[0] == 3 && icmp[1] == 4);
	CHECK(rd16(icmp + 6) == 1000 - PX_ETH_HLEN);
	CHECK(csum_ok(ip, 20));
	CHECK(csum_ok(icmp, out.len - PX_ETH_HLEN - 20));

	/* Without DF it is passed on (no fragmentation). */
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 6, 1400, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == alpha && out.len == PX_ETH_HLEN + 1400);

	/* The floor is 590 even if the node's MTU is lower. */
	alpha->mtu = 400;
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 6, 576, true);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == alpha);
	alpha->mtu = PX_MTU;

	/* Relayed: the relay's MTU counts. */
	next_second();
	alpha->via = relay;
	relay->mtu = 800;
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 6, 1000, true);
	route_packet(myself, &b);
	CHECK(out.action == ACT_DEVICE && rd16(out.frame + PX_ETH_HLEN + 20 + 6) == 800 - PX_ETH_HLEN);
	alpha->via = alpha;
	relay->mtu = PX_MTU;
}

static void test_ipv6(void) {
	next_second();
	struct px_buf b;

	reset_out();
	b = ipv6_frame(0, 1, 17, 100); /* 2001:db8:1::1 is in bravo's /64 */
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == bravo);

	reset_out();
	b = ipv6_frame(0, 1, 17, 100);
	wr16(b.data + PX_ETH_HLEN + 30, 2); /* 2001:db8:1:2::1: only alpha's /48 */
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == alpha);

	reset_out();
	b = ipv6_frame(1, 0, 17, 100);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_DEVICE);

	/* Unknown destination: ICMPv6 no route, checksum over the pseudo-header. */
	reset_out();
	b = ipv6_frame(0, 0x99, 17, 100);
	route_packet(myself, &b);
	CHECK(strstr(last_log, "unknown IPv6 destination address 2001:db8:99:0:0:0:0:1") != NULL);
	CHECK(out.action == ACT_DEVICE && out.len == PX_ETH_HLEN + 40 + 8 + 100);
	const uint8_t *ip = out.frame + PX_ETH_HLEN, *icmp = ip + 40;
	CHECK(ip[0] >> 4 == 6 && ip[6] == 58 && rd16(ip + 4) == 108);
	CHECK(rd16(ip + 28) == 0 && rd16(ip + 12) == 0x99); /* swapped addresses */
	CHECK(icmp[0] == 1 && icmp[1] == 0);
	CHECK(sum16(icmp, 108, pseudo6(ip, 108, 58)) == 0xffff);

	/* Too big: packet too big with the MTU, quoting at most 1280 bytes total. */
	next_second();
	alpha->mtu = 1300;
	reset_out();
	b = ipv6_frame(0, 1, 17, 1450);
	wr16(b.data + PX_ETH_HLEN + 30, 2);
	route_packet(myself, &b);
	CHECK(out.action == ACT_DEVICE && out.len == PX_ETH_HLEN + 1280);
	ip = out.frame + PX_ETH_HLEN;
	icmp = ip + 40;
	CHECK(icmp[0] == 2 && icmp[1] == 0);
	CHECK(rd16(icmp + 4) == 0 && rd16(icmp + 6) == 1300 - PX_ETH_HLEN);
	CHECK(sum16(icmp, 1240, pseudo6(ip, 1240, 58)) == 0xffff);
	alpha->mtu = PX_MTU;

	/* No error about an ICMPv6 error. */
	next_second();
	reset_out();
	b = ipv6_frame(0, 0x99, 58, 100);
	b.data[PX_ETH_HLEN + 40] = 1;
	route_packet(myself, &b);
	CHECK(out.count == 0);

	/* Multicast destination: flooded. */
	reset_out();
	b = ipv6_frame(0, 0, 17, 100);
	b.data[PX_ETH_HLEN + 24] = 0xff;
	route_packet(myself, &b);
	CHECK(out.action == ACT_BROADCAST);
}

/* A TCP SYN with options NOP, NOP? (pad) then MSS. */
static struct px_buf tcp_syn(bool v6, uint16_t mss, bool odd_option) {
	uint32_t ip_hlen = v6 ? 40 : 20, tcp_len = 28;
	struct px_buf b = v6 ? ipv6_frame(0, 2, 6, ip_hlen + tcp_len)
	                     : ipv4_frame("198.18.0.1", "198.18.1.5", 6, ip_hlen + tcp_len, true);
	uint8_t *ip = b.data + PX_ETH_HLEN, *tcp = ip + ip_hlen;
	memset(tcp, 0, tcp_len);
	wr16(tcp, 40000);
	wr16(tcp + 2, 22);
	tcp[12] = (uint8_t)((tcp_len / 4) << 4);
	tcp[13] = 0x02; /* SYN */
	wr16(tcp + 14, 64240);
	uint8_t *opt = tcp + 20;
	if (odd_option)
		*opt++ = 1; /* NOP: MSS value lands at an odd offset */
	opt[0] = 2;
	opt[1] = 4;
	wr16(opt + 2, mss);
	/* Checksum over pseudo-header + segment. */
	uint32_t sum;
	if (v6) {
		sum = pseudo6(ip, tcp_len, 6);
	} else {
		sum = sum16(ip + 12, 8, 0) + 6 + tcp_len;
	}
	wr16(tcp + 16, (uint16_t)~sum16(tcp, tcp_len, sum));
	return b;
}

static bool tcp_csum_ok(const uint8_t *frame, bool v6) {
	const uint8_t *ip = frame + PX_ETH_HLEN;
	uint32_t ip_hlen = v6 ? 40 : 20, tcp_len = 28;
	uint32_t sum = v6 ? pseudo6(ip, tcp_len, 6) : (uint32_t)sum16(ip + 12, 8, 0) + 6 + tcp_len;
	return sum16(ip + ip_hlen, tcp_len, sum) == 0xffff;
}

static uint16_t mss_of(const uint8_t *frame, bool v6, bool odd) {
	return rd16(frame + PX_ETH_HLEN + (v6 ? 40 : 20) + 20 + (odd ? 1 : 0) + 2);
}

static void test_mss_clamp(void) {
	add_v6(alpha, 2, 48);
	settings.clamp_mss = true;
	alpha->options = PX_OPTION_CLAMP_MSS;
	alpha->mtu = 1200;

	for (int v6 = 0; v6 < 2; v6++) {
		for (int odd = 0; odd < 2; odd++) {
			reset_out();
			struct px_buf b = tcp_syn(v6, 1460, odd);
			CHECK(tcp_csum_ok(b.data, v6));
			route_packet(myself, &b);
			CHECK(out.action == ACT_SEND && out.to == alpha);
			CHECK(mss_of(out.frame, v6, odd) == 1200 - PX_ETH_HLEN - (v6 ? 40 : 20) - 20);
			CHECK(tcp_csum_ok(out.frame, v6));
		}
	}

	/* A smaller MSS is left alone. */
	reset_out();
	struct px_buf b = tcp_syn(false, 500, false);
	route_packet(myself, &b);
	CHECK(mss_of(out.frame, false, false) == 500 && tcp_csum_ok(out.frame, false));

	/* Incoming SYN from alpha for us: clamped to alpha's MTU too. */
	reset_out();
	b = tcp_syn(false, 1460, false);
	uint8_t *ip = b.data + PX_ETH_HLEN;
	ip[16] = 198, ip[17] = 18, ip[18] = 0, ip[19] = 9; /* to 198.18.0.9 */
	uint8_t *tcp = ip + 20;
	wr16(tcp + 16, 0);
	wr16(tcp + 16, (uint16_t)~sum16(tcp, 28, (uint32_t)sum16(ip + 12, 8, 0) + 6 + 28));
	route_packet(alpha, &b);
	CHECK(out.action == ACT_DEVICE && mss_of(out.frame, false, false) == 1200 - 54);
	CHECK(tcp_csum_ok(out.frame, false));

	/* Off when the node does not want it, or ClampMSS = no. */
	alpha->options = 0;
	reset_out();
	b = tcp_syn(false, 1460, false);
	route_packet(myself, &b);
	CHECK(mss_of(out.frame, false, false) == 1460);
	alpha->options = PX_OPTION_CLAMP_MSS;
	settings.clamp_mss = false;
	reset_out();
	b = tcp_syn(false, 1460, false);
	route_packet(myself, &b);
	CHECK(mss_of(out.frame, false, false) == 1460);

	alpha->mtu = PX_MTU;
	alpha->options = 0;
}

static void test_probe_and_junk(void) {
	reset_out();
	struct px_buf b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	b.data[12] = b.data[13] = 0; /* ethertype 0: MTU probe */
	route_packet(alpha, &b);
	CHECK(out.count == 0);

	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	b.flags = PX_BUF_PROBE;
	route_packet(myself, &b);
	CHECK(out.count == 0);

	settings.mode = RMODE_SWITCH;
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	b.data[12] = b.data[13] = 0;
	route_packet(alpha, &b);
	CHECK(out.count == 0);
	settings.mode = RMODE_ROUTER;

	/* Unknown ethertype. */
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	wr16(b.data + 12, 0x88cc);
	route_packet(myself, &b);
	CHECK(out.count == 0 && strstr(last_log, "unknown type 88cc"));
}

/* Capture (`plexus pcap`): route_set_capture()'s function sees every frame
 * entering routing, before the router's checks and unchanged, probes
 * excepted; nothing once it is cleared. */
static unsigned captured;
static size_t captured_len;
static void capture_frame(const uint8_t *frame, size_t len) {
	(void)frame;
	captured++;
	captured_len = len;
}

static void test_capture(void) {
	reset_out();
	captured = 0;
	route_set_capture(capture_frame);
	struct px_buf b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	uint32_t len = b.len;
	route_packet(myself, &b);
	CHECK(captured == 1 && captured_len == len && out.action == ACT_SEND);

	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	b.len = 10; /* too short to route: still captured */
	route_packet(alpha, &b);
	CHECK(captured == 2 && captured_len == 10);

	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	b.flags = PX_BUF_PROBE;
	route_packet(myself, &b);
	CHECK(captured == 2);

	route_set_capture(NULL);
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	route_packet(myself, &b);
	CHECK(captured == 2);
}

/* Truncated headers: copy them to the very end of a heap block, so that any
 * read past len is caught by ASan. */
static void route_at_end(node_t *source, const uint8_t *frame, uint32_t len) {
	uint8_t *block = malloc(len ? len : 1);
	memcpy(block, frame, len);
	struct px_buf b = {.base = block, .data = block, .len = len, .cap = len};
	route_packet(source, &b);
	free(block);
}

static void test_truncated(void) {
	next_second();
	settings.clamp_mss = true;
	alpha->options = PX_OPTION_CLAMP_MSS;
	for (int mode = 0; mode < 2; mode++) {
		settings.mode = mode ? RMODE_SWITCH : RMODE_ROUTER;
		struct px_buf v4 = ipv4_frame("198.18.0.1", "10.9.9.9", 17, 60, false);
		uint8_t f4[80];
		memcpy(f4, v4.data, sizeof(f4) < v4.len ? sizeof(f4) : v4.len);
		struct px_buf v6 = ipv6_frame(0, 0x99, 17, 100);
		uint8_t f6[120];
		memcpy(f6, v6.data, sizeof(f6));
		struct px_buf syn = tcp_syn(false, 1460, false);
		uint8_t fs[70];
		memcpy(fs, syn.data, syn.len);

		reset_out();
		for (uint32_t len = 0; len < PX_ETH_HLEN + 20; len++)
			route_at_end(myself, f4, len);
		CHECK(mode || out.count == 0);
		reset_out();
		for (uint32_t len = 0; len < PX_ETH_HLEN + 40; len++)
			route_at_end(myself, f6, len);
		CHECK(mode || out.count == 0);
		/* IPv4 header claiming options beyond the end. */
		f4[PX_ETH_HLEN] = 0x4f;
		reset_out();
		route_at_end(myself, f4, PX_ETH_HLEN + 40);
		CHECK(mode || out.count == 0);
		/* SYN cut inside the TCP header / options: must still not read past len. */
		for (uint32_t len = PX_ETH_HLEN + 20; len <= syn.len; len++)
			route_at_end(myself, fs, len);
		/* Neighbour solicitation cut short. */
		struct px_buf ns = ipv6_frame(0, 0, 58, 64);
		ns.data[PX_ETH_HLEN + 7] = 255;
		ns.data[PX_ETH_HLEN + 40] = 135;
		uint8_t fns[78];
		memcpy(fns, ns.data, sizeof(fns));
		device.tap = true;
		for (uint32_t len = PX_ETH_HLEN + 40; len <= sizeof(fns); len++)
			route_at_end(myself, fns, len);
		device.tap = false;
		/* ARP cut short. */
		uint8_t arp[42] = {0};
		set_eth(arp, mac_b, mac_a, ETHERTYPE_ARP);
		for (uint32_t len = 0; len <= sizeof(arp); len++)
			route_at_end(myself, arp, len);
	}
	settings.mode = RMODE_ROUTER;
	settings.clamp_mss = false;
	alpha->options = 0;
	/* Forget what switch mode learned from these frames. */
	fake_now += 700000;
	route_age_macs();
	CHECK(subnet_lookup_mac(mac_a) == NULL);
}

static void test_arp(void) {
	device.tap = true;
	uint8_t frame[42] = {0};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	set_eth(frame, bcast, mac_a, ETHERTYPE_ARP);
	uint8_t *arp = frame + PX_ETH_HLEN;
	wr16(arp, 1);
	wr16(arp + 2, 0x0800);
	arp[4] = 6;
	arp[5] = 4;
	wr16(arp + 6, 1);
	memcpy(arp + 8, mac_a, 6);
	arp[14] = 198, arp[15] = 18, arp[16] = 0, arp[17] = 1;
	arp[24] = 198, arp[25] = 18, arp[26] = 1, arp[27] = 5; /* alpha's */

	reset_out();
	struct px_buf b = buf_of(sizeof(frame));
	memcpy(b.data, frame, sizeof(frame));
	route_packet(myself, &b);
	CHECK(out.action == ACT_DEVICE && out.len == 42);
	const uint8_t *r = out.frame + PX_ETH_HLEN;
	CHECK(!memcmp(out.frame, mac_a, 6) && rd16(r + 6) == 2);
	CHECK(r[14] == 198 && r[17] == 5 && !memcmp(r + 18, mac_a, 6) && r[27] == 1);
	CHECK(!memcmp(r + 8, out.frame + 6, 6));

	/* For our own address: the kernel answers, not us. */
	reset_out();
	arp[27] = 9;
	arp[26] = 0;
	b = buf_of(sizeof(frame));
	memcpy(b.data, frame, sizeof(frame));
	route_packet(myself, &b);
	CHECK(out.count == 0);

	/* IPv6 neighbour solicitation for 2001:db8:1::5 (bravo's): advertised. */
	reset_out();
	b = ipv6_frame(0, 0, 58, 40 + 32);
	uint8_t *ip = b.data + PX_ETH_HLEN, *icmp = ip + 40;
	ip[7] = 255;
	memset(icmp, 0, 32);
	icmp[0] = 135;
	wr16(icmp + 8, 0x2001);
	wr16(icmp + 10, 0x0db8);
	wr16(icmp + 12, 1);
	icmp[23] = 5;
	icmp[24] = 1, icmp[25] = 1;
	memcpy(icmp + 26, mac_a, 6);
	route_packet(myself, &b);
	CHECK(out.action == ACT_DEVICE && out.len == PX_ETH_HLEN + 40 + 32);
	ip = out.frame + PX_ETH_HLEN;
	icmp = ip + 40;
	CHECK(!memcmp(out.frame, mac_a, 6) && !memcmp(out.frame + 6, route_router_mac, 6));
	CHECK(icmp[0] == 136 && icmp[4] == 0x60 && ip[7] == 255 && rd16(ip + 4) == 32);
	CHECK(!memcmp(ip + 8, icmp + 8, 16) && icmp[24] == 2 && !memcmp(icmp + 26, route_router_mac, 6));
	CHECK(rd16(ip + 24) == 0x2001 && ip[39] == 1); /* back to the asker */
	CHECK(sum16(icmp, 32, pseudo6(ip, 32, 58)) == 0xffff);

	/* Solicitation for one of our own addresses: ignored, never flooded. */
	reset_out();
	b = ipv6_frame(0, 0, 58, 40 + 24);
	b.data[PX_ETH_HLEN + 7] = 255;
	memset(b.data + PX_ETH_HLEN + 40, 0, 24);
	b.data[PX_ETH_HLEN + 40] = 135;
	wr16(b.data + PX_ETH_HLEN + 48, 0x2001);
	wr16(b.data + PX_ETH_HLEN + 50, 0x0db8);
	route_packet(myself, &b);
	CHECK(out.count == 0);

	/* A packet for us written to the TAP device goes to the kernel's MAC. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.0.7", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_DEVICE && !memcmp(out.frame, mac_a, 6));
	device.tap = false;
}

static void test_switch(void) {
	static const uint8_t mac_c[6] = {0x02, 0, 0, 0, 0, 0xcc};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	settings.mode = RMODE_SWITCH;
	settings.mac_expire = 600;
	add_mac(alpha, mac_c);

	/* Unknown destination from our device: flooded, and source MAC learned. */
	reset_out();
	announced = 0;
	struct px_buf b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_BROADCAST && out.to == myself);
	struct subnet *learned = subnet_lookup_mac(mac_a);
	CHECK(learned && learned->owner == myself && announced == 1);
	CHECK(learned && learned->expires_ms == fake_now + 600000);

	/* Seen again later: refreshed, not re-announced. */
	fake_now += 5000;
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	route_packet(myself, &b);
	CHECK(announced == 1 && learned->expires_ms == fake_now + 600000);

	/* Known destination. */
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	memcpy(b.data, mac_c, 6);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == alpha);

	/* Broadcast destination. */
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	memcpy(b.data, bcast, 6);
	route_packet(myself, &b);
	CHECK(out.action == ACT_BROADCAST);

	/* From alpha to our learned MAC: delivered; not learned from remote. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.0.1", 17, 60, false);
	memcpy(b.data, mac_a, 6);
	memcpy(b.data + 6, mac_b, 6);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_DEVICE);
	CHECK(subnet_lookup_mac(mac_b) == NULL && announced == 1);

	/* Ageing. */
	forgotten = 0;
	route_age_macs();
	CHECK(forgotten == 0);
	fake_now += 600001;
	route_age_macs();
	CHECK(forgotten == 1 && subnet_lookup_mac(mac_a) == NULL);
	CHECK(subnet_lookup_mac(mac_c) != NULL); /* alpha's are not ours to expire */

	/* Hub: everything flooded. */
	settings.mode = RMODE_HUB;
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	memcpy(b.data, mac_c, 6);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_BROADCAST && out.to == alpha);
	settings.mode = RMODE_ROUTER;
}

/* DecrementTTL: forwarded and flooded packets lose one hop; at 1 they are
 * answered with "time exceeded" instead. Our own and ours are untouched. */
static void test_decrement_ttl(void) {
	struct px_buf b;
	next_second();

	/* Off (the default): passed on unchanged. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.2.1", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_SEND && out.to == bravo && out.frame[PX_ETH_HLEN + 8] == 64);

	settings.decrement_ttl = true;
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.2.1", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_SEND && out.to == bravo && out.frame[PX_ETH_HLEN + 8] == 63);
	CHECK(csum_ok(out.frame + PX_ETH_HLEN, 20));

	/* From our device, or for us: no hop. */
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.2.1", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.frame[PX_ETH_HLEN + 8] == 64);
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.0.1", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_DEVICE && out.frame[PX_ETH_HLEN + 8] == 64);

	/* Last hop: time exceeded back to the sender, nothing forwarded. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "198.18.2.1", 17, 60, false);
	b.data[PX_ETH_HLEN + 8] = 1;
	wr16(b.data + PX_ETH_HLEN + 10, 0);
	wr16(b.data + PX_ETH_HLEN + 10, (uint16_t)~sum16(b.data + PX_ETH_HLEN, 20, 0));
	route_packet(alpha, &b);
	CHECK(out.count == 1 && out.action == ACT_SEND && out.to == alpha);
	const uint8_t *ip = out.frame + PX_ETH_HLEN;
	CHECK(ip[9] == 1 && ip[20] == 11 && ip[21] == 0);
	CHECK(ip[16] == 198 && ip[17] == 18 && ip[18] == 1 && ip[19] == 5);
	CHECK(csum_ok(ip, 20) && csum_ok(ip + 20, out.len - PX_ETH_HLEN - 20));

	/* IPv6: hop limit, and time exceeded (type 3). */
	next_second();
	reset_out();
	b = ipv6_frame(1, 1, 17, 100); /* to bravo's 2001:db8:1::/64 */
	route_packet(alpha, &b);
	CHECK(out.count == 1 && out.action == ACT_SEND && out.frame[PX_ETH_HLEN + 7] == 63);
	reset_out();
	b = ipv6_frame(1, 1, 17, 100);
	b.data[PX_ETH_HLEN + 7] = 1;
	route_packet(alpha, &b);
	CHECK(out.count == 1 && out.action == ACT_SEND && out.to == alpha);
	ip = out.frame + PX_ETH_HLEN;
	CHECK(ip[6] == 58 && ip[40] == 3 && ip[41] == 0);
	CHECK(sum16(ip + 40, out.len - PX_ETH_HLEN - 40, pseudo6(ip, out.len - PX_ETH_HLEN - 40, 58)) ==
	      0xffff);

	/* Flooded packets from other nodes count as a hop. */
	reset_out();
	b = ipv4_frame("198.18.1.5", "255.255.255.255", 17, 60, false);
	route_packet(alpha, &b);
	CHECK(out.action == ACT_BROADCAST && out.frame[PX_ETH_HLEN + 8] == 63);
	reset_out();
	b = ipv4_frame("198.18.1.5", "255.255.255.255", 17, 60, false);
	b.data[PX_ETH_HLEN + 8] = 1;
	route_packet(alpha, &b);
	CHECK(out.count == 0 || out.action != ACT_BROADCAST);
	settings.decrement_ttl = false;
}

/* BroadcastSubnet: ownerless subnets in the table; the longest prefix
 * decides between them and the nodes' subnets. */
static void test_broadcast_subnet(void) {
	struct px_buf b;
	add_v4(NULL, "198.18.1.0", 25, 10);   /* inside alpha's /24, beside charlie's /25 */
	add_v4(NULL, "198.18.128.0", 17, 10); /* inside bravo's /16 */
	add_v6(NULL, 5, 48);
	subnet_cache_flush();

	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_BROADCAST && out.to == myself);
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.200.1", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_BROADCAST);
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.200", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == charlie);
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.2.1", 17, 60, false);
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && out.to == bravo);
	reset_out();
	b = ipv6_frame(0, 5, 17, 100);
	route_packet(myself, &b);
	CHECK(out.action == ACT_BROADCAST);
	/* From another node: flooded on with its origin. */
	reset_out();
	b = ipv4_frame("198.18.2.1", "198.18.1.5", 17, 60, false);
	route_packet(bravo, &b);
	CHECK(out.action == ACT_BROADCAST && out.to == bravo);

	struct subnet *s, *tmp;
	list_for_each_entry_safe(s, tmp, &subnet_table, table_link) {
		if (!s->owner)
			subnet_del(s);
	}
	subnet_cache_flush();
}

/* PriorityInheritance: unicast packets carry their TOS / traffic class to
 * the datagram transport. */
static void test_priority_inheritance(void) {
	struct px_buf b;
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	b.data[PX_ETH_HLEN + 1] = 0xb8;
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && !(out.flags & PX_BUF_PRIORITY));

	settings.priority_inheritance = true;
	reset_out();
	b = ipv4_frame("198.18.0.1", "198.18.1.5", 17, 60, false);
	b.data[PX_ETH_HLEN + 1] = 0xb8;
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && (out.flags & PX_BUF_PRIORITY) && out.priority == 0xb8);
	reset_out();
	b = ipv6_frame(0, 1, 17, 100);
	b.data[PX_ETH_HLEN] = 0x62; /* traffic class 0x28 */
	b.data[PX_ETH_HLEN + 1] = 0x80;
	route_packet(myself, &b);
	CHECK(out.action == ACT_SEND && (out.flags & PX_BUF_PRIORITY) && out.priority == 0x28);
	settings.priority_inheritance = false;
}

int main(void) {
	route_set_io(&(struct route_io){
	    .send = send_packet,
	    .broadcast = broadcast_packet,
	    .to_device = deliver_to_device,
	    .announce_subnet = announce_subnet,
	    .forget_subnet = forget_subnet,
	    .device = &device,
	});
	setup_router();
	test_ipv4_routing();
	test_ipv4_unknown_destination();
	test_unreachable_owner();
	test_ipv4_too_big();
	test_ipv6();
	test_mss_clamp();
	test_probe_and_junk();
	test_capture();
	test_truncated();
	test_arp();
	test_switch();
	test_decrement_ttl();
	test_broadcast_subnet();
	test_priority_inheritance();
	teardown();
	return check_done("route_test");
}
