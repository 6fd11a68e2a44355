/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The packet path. Frames from the device and from UDP are handled in
 * batches; outgoing datagrams are sealed into preallocated transmit buffers
 * (head-room reserved for the crypto header) and sent with one batched call
 * per socket when the batch is done. Nothing here allocates per packet.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "compress_backoff.h"
#include "connection.h"
#include "device.h"
#include "edge.h"
#include "event.h"
#include "graph.h"
#include "logger.h"
#include "meta.h"
#include "net_packet.h"
#include "netutl.h"
#include "node.h"
#include "pmtu.h"
#include "plugin_loader.h"
#include "protocol.h"
#include "route.h"
#include "settings.h"
#include "udp_trial.h"

struct device device = {.fd = -1};

#define BATCH    64
#define HEADROOM 128
#define BUFSIZE  (PX_MTU + 512)

static uint8_t rx_storage[BATCH][BUFSIZE];
static struct px_buf rx_bufs[BATCH];

/* Transmit queues, one per address family, flushed by tx_flush(). */
struct txq {
	int family;
	unsigned count;
	struct px_buf bufs[BATCH];
	uint32_t frame_len[BATCH]; /* plaintext frame length, for MTU feedback */
	uint8_t storage[BATCH][BUFSIZE];
};
static struct txq txq4 = {.family = AF_INET}, txq6 = {.family = AF_INET6};
static uint8_t scratch[BUFSIZE]; /* decompression output */

static bool udp_send(node_t *keynode, node_t *via, const struct px_buf *b);

/* Binary SPTPS_PACKET (protocol minor 7), when the wiring gives it. */
static struct sptps_tcp_io sptps_tcp;

void net_packet_set_sptps_tcp(const struct sptps_tcp_io *io) {
	sptps_tcp = *io;
}

/* UDP_INFO / MTU_INFO, when the wiring gives them. */
static struct relay_hint_io relay_hints;

void net_packet_set_relay_hints(const struct relay_hint_io *io) {
	relay_hints = *io;
}

/* Also hands PMTU discovery (pmtu.c) the way to send its probes. */
void packet_pool_init(void) {
	for (int i = 0; i < BATCH; i++) {
		rx_bufs[i].base = rx_storage[i];
		rx_bufs[i].cap = BUFSIZE;
		txq4.bufs[i].base = txq4.storage[i];
		txq4.bufs[i].cap = BUFSIZE;
		txq6.bufs[i].base = txq6.storage[i];
		txq6.bufs[i].cap = BUFSIZE;
	}
	pmtu_set_io(&(struct pmtu_io){.udp_send = udp_send, .flush = tx_flush});
}

static void txq_flush(struct txq *q) {
	if (!q->count)
		return;
	const struct dgram_provider *dp = dgram_provider();
	void *sock = dgram_socket_for(q->family);
	if (dp && sock) {
		unsigned sent = dp->ops->send(dp->plugin, sock, q->bufs, q->count);
		if (sent < q->count)
			logger(PX_LOG_TRAFFIC, LOG_DEBUG, "%u of %u datagrams not sent", q->count - sent,
			       q->count);
		/* The kernel knows the path MTU: a frame it refused bounds maxmtu,
		 * which makes MTU discovery converge quickly. */
		for (unsigned i = 0; i < q->count; i++) {
			struct px_buf *t = &q->bufs[i];
			if (!(t->flags & PX_BUF_TOO_BIG))
				continue;
			t->flags &= (uint16_t)~PX_BUF_TOO_BIG;
			node_t *n = t->node;
			int frame = (int)q->frame_len[i];
			if (n && frame - 1 < n->maxmtu && frame > PX_MINMTU / 8) {
				n->maxmtu = frame - 1;
				if (n->mtu > n->maxmtu)
					n->mtu = n->maxmtu;
				logger(PX_LOG_TRAFFIC, LOG_INFO, "Path MTU to %s is below %d", n->name,
				       frame);
			}
		}
	}
	q->count = 0;
}

/* The end of a batch: datagrams out, and what the device holds to join. */
void tx_flush(void) {
	txq_flush(&txq4);
	txq_flush(&txq6);
	if (device.fd >= 0)
		device_flush(&device);
}

bool node_choose_crypto(node_t *n) {
	if (n->crypto)
		return true;
	int minor = (int)PX_OPTION_VERSION(n->options);
	if (!settings.experimental_protocol && minor >= PX_PROT_MINOR_SPTPS)
		minor = PX_PROT_MINOR_SPTPS - 1;
	for (int m = minor; m >= 0; m--) {
		const struct crypto_provider *p = crypto_for_minor(m);
		if (p && (!p->ops->usable || p->ops->usable(p->plugin, n))) {
			n->crypto = p;
			return true;
		}
	}
	return false;
}

/* The node a frame to `to` is sealed for: the destination itself for
 * end-to-end protocols, else the next UDP hop. */
static bool crypto_e2e(const node_t *n) {
	return n->crypto && (n->crypto->ops->flags & PX_CRYPTO_END_TO_END);
}

static struct px_buf *tx_slot(const node_t *via) {
	struct txq *q = via->udp_addr.sa.sa_family == AF_INET6 ? &txq6 : &txq4;
	if (!dgram_socket_for(q->family))
		return NULL;
	if (q->count == BATCH)
		txq_flush(q);
	struct px_buf *t = &q->bufs[q->count];
	t->data = t->base + HEADROOM;
	t->flags = 0;
	t->addr = via->udp_addr;
	return t;
}

static void tx_commit(const node_t *via, uint32_t frame_len) {
	struct txq *q = via->udp_addr.sa.sa_family == AF_INET6 ? &txq6 : &txq4;
	q->frame_len[q->count] = frame_len;
	q->count++;
}

/* Compress (if the peer asked for it) into t. Returns false on failure. */
static bool compress_into(node_t *keynode, const struct px_buf *b, struct px_buf *t, size_t room) {
	int level = keynode->out_compression;
	bool optional = keynode->crypto->ops->flags & PX_CRYPTO_COMPRESS_FLAG;
	/* Legacy receivers decompress everything, probes included. */
	if (level <= 0 || ((b->flags & PX_BUF_PROBE) && optional)) {
		if (b->len > room)
			return false;
		memcpy(t->data, b->data, b->len);
		t->len = b->len;
		return true;
	}
	const struct compress_provider *cp = compress_for_level(level);
	if (!cp)
		return false;
	/* Packets that do not shrink go as they are where the record says so
	 * (SPTPS); runs of them skip the compressor for a while. */
	enum compress_how how;
	int len = compress_for_peer(&keynode->out_backoff, cp->ops, cp->plugin, level, optional,
	                            !(b->flags & PX_BUF_PROBE), b->data, b->len, t->data, room, &how);
	if (len < 0) {
		logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Error while compressing packet to %s", keynode->name);
		return false;
	}
	t->len = (uint32_t)len;
	if (optional && how == COMPRESS_COMPRESSED)
		t->flags |= PX_BUF_COMPRESSED;
	return true;
}

bool seal_frame(node_t *keynode, const struct px_buf *b, struct px_buf *t) {
	t->flags = b->flags & (PX_BUF_PROBE | PX_BUF_PRIORITY);
	t->priority = b->priority;
	size_t used = (size_t)(t->data - t->base) + keynode->crypto->ops->overhead;
	if (used >= t->cap || !compress_into(keynode, b, t, t->cap - used))
		return false;
	t->node = keynode;
	/* A plugin that drops a packet says why. */
	return keynode->crypto->ops->seal(keynode->crypto->plugin, keynode, t, 1) && t->len;
}

/* Seal a copy of the frame for `keynode` and queue it for `via`'s UDP
 * address. Returns false if the frame could not go out by UDP. */
static bool udp_send(node_t *keynode, node_t *via, const struct px_buf *b) {
	struct px_buf *t = tx_slot(via);
	if (!t)
		return false;
	if (!seal_frame(keynode, b, t))
		return true; /* dropped */
	if (crypto_e2e(keynode) && PX_OPTION_VERSION(via->options) >= 4) {
		/* tinc 1.1 layout: destination ID (zero when direct), source ID. */
		t->data -= 12;
		t->len += 12;
		if (via == keynode)
			memset(t->data, 0, 6);
		else
			memcpy(t->data, keynode->id, 6);
		memcpy(t->data + 6, myself->id, 6);
	}
	tx_commit(via, b->len);
	return true;
}

#define RELAY_OVERHEAD (12 + 4 + 1 + 16) /* node IDs, SPTPS seqno, type and tag */

/* host->relay_datagram: forward protected bytes without opening them. */
int relay_datagram(node_t *to, struct px_buf *b) {
	if (!to->reachable || to == myself)
		return -1;
	node_t *via = (to->via == myself || !to->via) ? to->nexthop : to->via;
	if (!via || !via->has_udp_addr || settings.tcponly ||
	    ((to->options | via->options) & PX_OPTION_TCPONLY))
		return -1;
	if ((via->options & PX_OPTION_PMTU_DISCOVERY) && !via->minmtu)
		return -1;
	/* Larger than the path takes (node IDs and SPTPS framing aside): the
	 * caller sends it over TCP, as tinc 1.1 does. */
	if ((via->options & PX_OPTION_PMTU_DISCOVERY) && b->len > RELAY_OVERHEAD + (uint32_t)via->minmtu)
		return -1;
	struct px_buf *t = tx_slot(via);
	if (!t || b->len > BUFSIZE - HEADROOM)
		return -1;
	memcpy(t->data, b->data, b->len);
	t->len = b->len;
	t->node = via;
	tx_commit(via, b->len);
	return 0;
}

/* We send by UDP but nothing has come back for PingTimeout: check the path
 * now instead of at the next PingInterval, so that a blocked path falls
 * back to TCP within seconds. */
static void check_udp_silence(node_t *via) {
	if (via->mtuprobes != 31 || !via->mtu_timer)
		return;
	uint64_t now = now_ms();
	if (now - via->last_udp_rx_ms > (uint64_t)settings.ping_timeout * 1000) {
		via->last_udp_rx_ms = now; /* one check per silence period */
		timer_arm(via->mtu_timer, 0);
	}
}

/* Should this frame to `to` go over the meta connection instead of UDP? */
static bool must_use_tcp(node_t *to, node_t *via, node_t *keynode, const struct px_buf *b) {
	if (settings.tcponly || ((to->options | via->options) & PX_OPTION_TCPONLY))
		return true;
	if (!keynode->crypto->ops->key_valid(keynode->crypto->plugin, keynode)) {
		keynode->waitingforkey = true;
		keynode->crypto->ops->key_request(keynode->crypto->plugin, keynode);
		return true;
	}
	if (keynode->out_compression > 0 && !compress_for_level(keynode->out_compression)) {
		static bool warned;
		if (!warned) {
			logger(PX_LOG_ALWAYS, LOG_WARNING,
			       "%s asks for compression level %d but no plugin provides it: using the meta "
			       "connection",
			       keynode->name, keynode->out_compression);
			warned = true;
		}
		return true;
	}
	if (!via->has_udp_addr)
		return true;
	if ((via->options & PX_OPTION_PMTU_DISCOVERY) && !(b->flags & PX_BUF_PROBE) &&
	    b->len > (uint32_t)via->minmtu)
		return true;
	return false;
}

void send_packet(node_t *to, struct px_buf *b) {
	if (to == myself) {
		deliver_to_device(b);
		return;
	}
	if (!to->reachable) {
		logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Node %s is not reachable, dropping packet", to->name);
		return;
	}
	to->out_packets++;
	to->out_bytes += b->len;
	node_t *via = (to->via == myself || !to->via) ? to->nexthop : to->via;
	if (!via)
		return;
	if (!to->crypto)
		node_choose_crypto(to);
	node_t *keynode = crypto_e2e(to) ? to : via;
	if (!keynode->crypto)
		node_choose_crypto(keynode);
	if (keynode->crypto && !(b->flags & PX_BUF_VIA_TCP) && !must_use_tcp(to, via, keynode, b) &&
	    udp_send(keynode, via, b)) {
		check_udp_silence(via);
		return;
	}
	if (b->flags & PX_BUF_PROBE)
		return;
	if (sptps_tcp.send_frame && sptps_tcp.send_frame(to, b))
		return;
	conn_t *c = to->nexthop ? to->nexthop->connection : NULL;
	if (!c || c->state != CONN_ACTIVE) {
		logger(PX_LOG_TRAFFIC, LOG_DEBUG, "No meta connection towards %s, dropping packet", to->name);
		return;
	}
	send_tcppacket(c, b->data, b->len);
}

void broadcast_packet(node_t *from, struct px_buf *b) {
	if (from != myself)
		deliver_to_device(b);
	if (settings.broadcast_mode == 0)
		return;
	uint16_t flags = b->flags;
	b->flags &= (uint16_t)~PX_BUF_VIA_TCP;
	if (settings.broadcast_mode == 2) {
		if (from != myself)
			goto out;
		node_t *n;
		list_for_each_entry(n, &node_list, link) if (n != myself && n->reachable && n->via == n)
		    send_packet(n, b);
		goto out;
	}
	conn_t *c, *tmp;
	conn_t *back = from->nexthop ? from->nexthop->connection : NULL;
	conn_foreach_active(c, tmp) {
		if (c != back && c->edge && c->node && graph_edge_in_mst(c->edge))
			send_packet(c->node, b);
	}
out:
	b->flags = flags;
}

void deliver_to_device(struct px_buf *b) {
	if (device.fd < 0)
		return;
	/* Our own node's counters are our device's traffic (`plexus top`). */
	myself->out_packets++;
	myself->out_bytes += b->len;
	if (device_write(&device, b) < 0)
		logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Error writing to device");
}

void deliver_packets(node_t *from, struct px_buf *bufs, unsigned n) {
	for (unsigned i = 0; i < n; i++)
		if (bufs[i].len)
			receive_frame(from, &bufs[i]);
	tx_flush();
}

void receive_frame(node_t *from, struct px_buf *b) {
	if (b->len < PX_ETH_HLEN)
		return;
	route_packet(from, b);
}

static void rx_reset(unsigned n) {
	for (unsigned i = 0; i < n; i++) {
		rx_bufs[i].data = rx_bufs[i].base + HEADROOM;
		rx_bufs[i].len = 0;
		rx_bufs[i].flags = 0;
		rx_bufs[i].node = myself;
	}
}

static unsigned rx_route(unsigned n) {
	unsigned got = device_read_batch(&device, rx_bufs, n);
	for (unsigned i = 0; i < got; i++) {
		myself->in_packets++;
		myself->in_bytes += rx_bufs[i].len;
		route_packet(myself, &rx_bufs[i]);
	}
	tx_flush();
	return got;
}

/* now_ms() of the last wake-up that found a frame. */
static uint64_t device_last_ms;

/* Frames read from our interface go to the router in batches, but the
 * first frame of a wake-up is read alone and sent before anything else is
 * read: a lone packet (a ping, a keystroke) never waits for a batch read
 * that finds nothing. After a quiet spell (no frame for over a millisecond)
 * the wake-up ends there: the epoll watch is level-triggered and calls again
 * at once when more is waiting, which saves the read that would find
 * nothing; under load the batches follow. A super-packet cut into more packets than one batch holds
 * is always handed out to the end (the descriptor will not say it is
 * readable for it). */
void device_input(void) {
	rx_reset(1);
	unsigned n = rx_route(1);
	if (!n)
		return;
	bool quiet = device_last_ms + 1 < now_ms();
	device_last_ms = now_ms();
	if (quiet && !device_pending(&device))
		return;
	for (int round = 0;; round++) {
		rx_reset(BATCH);
		n = rx_route(BATCH);
		if (!device_pending(&device) && (n < BATCH || round >= 7))
			break;
	}
}

/* --- MTU probes (tinc 1.0's algorithm, on a faster tick) --- */

static node_t *identify_sender(const struct px_buf *b) {
	for (int i = 0; i < crypto_provider_count(); i++) {
		const struct crypto_provider *p = crypto_provider_at(i);
		if (!p->ops->identify)
			continue;
		node_t *n = p->ops->identify(p->plugin, b);
		if (n)
			return n;
	}
	return NULL;
}

/* Datagrams from unknown addresses, summarised in one log line per second
 * at most (never one line per packet); a timer writes the last summary of a
 * burst. */
static struct {
	uint64_t window_start_ms;
	unsigned unknown; /* no node matched */
	unsigned untried; /* the trial budget was used up */
	struct px_addr last;
	px_timer *flush;
} unknown_stats;

static void flush_unknown_stats(void *arg) {
	(void)arg;
	if (!unknown_stats.unknown && !unknown_stats.untried)
		return;
	if (unknown_stats.untried)
		logger(PX_LOG_ERROR, LOG_WARNING,
		       "Received %u UDP packet(s) from unknown sources (last %s), %u of them not tried "
		       "against node keys: trial identification is limited to %d per second",
		       unknown_stats.unknown + unknown_stats.untried, addr_str(&unknown_stats.last),
		       unknown_stats.untried, UDP_TRIAL_RATE);
	else
		logger(PX_LOG_ERROR, LOG_WARNING, "Received %u UDP packet(s) from unknown source %s",
		       unknown_stats.unknown, addr_str(&unknown_stats.last));
	unknown_stats.window_start_ms = now_ms();
	unknown_stats.unknown = unknown_stats.untried = 0;
}

static void note_unknown_source(const struct px_addr *a, bool tried) {
	uint64_t elapsed = now_ms() - unknown_stats.window_start_ms;
	if (tried)
		unknown_stats.unknown++;
	else
		unknown_stats.untried++;
	unknown_stats.last = *a;
	if (elapsed >= 1000) {
		flush_unknown_stats(NULL);
		return;
	}
	if (!unknown_stats.flush)
		unknown_stats.flush = timer_new(flush_unknown_stats, NULL);
	if (unknown_stats.flush && !timer_armed(unknown_stats.flush))
		timer_arm(unknown_stats.flush, (uint32_t)(1000 - elapsed));
}

/* A datagram from an address no node has: find its sender by trial, within
 * the sweep budget (each sweep checks the datagram against every key). */
static node_t *identify_unknown_sender(const struct px_buf *b) {
	static struct udp_trial_budget budget;
	if (!udp_trial_take(&budget, now_ms())) {
		note_unknown_source(&b->addr, false);
		return NULL;
	}
	node_t *n = identify_sender(b);
	if (!n)
		note_unknown_source(&b->addr, true);
	return n;
}

/* A bare IP packet (router mode) becomes a frame: zero MACs and the
 * ethertype from the IP version. There is head-room in every rx buffer. */
static bool add_ethernet_header(struct px_buf *b) {
	/* After decompression the data lives in our scratch buffer, not in
	 * the transport's (whose px_buf fields we must not repoint). */
	bool in_scratch = b->data >= scratch && b->data < scratch + sizeof(scratch);
	ptrdiff_t headroom = in_scratch ? b->data - scratch : b->data - b->base;
	if (!b->len || headroom < PX_ETH_HLEN)
		return false;
	uint16_t type;
	switch (b->data[0] >> 4) {
	case 4:
		type = 0x0800;
		break;
	case 6:
		type = 0x86dd;
		break;
	default:
		return false;
	}
	b->data -= PX_ETH_HLEN;
	b->len += PX_ETH_HLEN;
	memset(b->data, 0, 12);
	b->data[12] = (uint8_t)(type >> 8);
	b->data[13] = (uint8_t)type;
	b->flags &= (uint16_t)~PX_BUF_ADD_ETH;
	return true;
}

static bool id_is_zero(const uint8_t *id) {
	static const uint8_t zero[6];
	return !memcmp(id, zero, 6);
}

/*
 * Datagrams of end-to-end protocols carry destination and source node IDs:
 * relay the ones for other nodes unopened, and find the originator of ours.
 * Returns the originator with the prefix stripped, or NULL when done with it.
 */
static node_t *strip_node_ids(node_t *hop, struct px_buf *b, bool *learn, bool *relayed) {
	if (b->len < 12)
		return NULL;
	const uint8_t *dst = b->data, *src = b->data + 6;
	bool direct = id_is_zero(dst);
	node_t *origin = node_lookup_id(src);
	node_t *to = direct ? myself : node_lookup_id(dst);
	/* Not straight from its originator (or the originator's static relay),
	 * and for us or a node we are the static relay of: tell the originator's
	 * side where it is (UDP_INFO), as tinc 1.1 does. */
	if (origin && origin != myself && origin->reachable && to && to->reachable && relay_hints.udp_info &&
	    (hop ? hop : origin) != origin->via && to->via == myself)
		relay_hints.udp_info(origin);
	*relayed = !direct;
	if (!direct && memcmp(dst, myself->id, 6)) {
		if (to && settings.forwarding == FMODE_INTERNAL && relay_datagram(to, b) < 0 &&
		    !(sptps_tcp.relay && sptps_tcp.relay(to, src, b->data + 12, b->len - 12)))
			logger(PX_LOG_TRAFFIC, LOG_DEBUG, "Cannot relay datagram to %s by UDP or TCP",
			       to->name);
		return NULL;
	}
	if (!origin || origin == myself)
		return NULL;
	b->data += 12;
	b->len -= 12;
	/* A direct datagram from an address we did not know: the sender has
	 * moved (or NAT changed); adopt the address once the record opens. */
	*learn = !hop && id_is_zero(dst);
	return origin;
}

/* A node's UDP address follows its authenticated datagrams (roaming, NAT
 * rebinding), but only once open() accepted one (MAC and replay window): a
 * captured datagram replayed from elsewhere must not redirect our traffic. */
static void learn_udp_address(node_t *n, const struct px_addr *a) {
	if (n->has_udp_addr && addr_equal(&n->udp_addr, a))
		return;
	logger(PX_LOG_TRAFFIC, LOG_INFO, "UDP address of %s set to %s", n->name, addr_str(a));
	node_set_udp(n, a);
}

bool unpack_opened(node_t *from, struct px_buf *b) {
	bool compressed = (from->crypto->ops->flags & PX_CRYPTO_COMPRESS_FLAG)
	                      ? (b->flags & PX_BUF_COMPRESSED) != 0
	                      : settings.compression > 0;
	if (compressed) {
		const struct compress_provider *cp = compress_for_level(settings.compression);
		if (!cp)
			return false;
		/* Bounded by the largest frame: anything bigger is a bomb. */
		int len = cp->ops->decompress(cp->plugin, settings.compression, b->data, b->len,
		                              scratch + HEADROOM, PX_MTU);
		if (len < 0) {
			logger(PX_LOG_ERROR, LOG_WARNING, "Error while decompressing packet from %s",
			       from->name);
			return false;
		}
		b->data = scratch + HEADROOM;
		b->len = (uint32_t)len;
	}
	return !(b->flags & PX_BUF_ADD_ETH) || add_ethernet_header(b);
}

/* Raw datagrams from a transport plugin. */
void dgram_input(struct px_plugin *p, void *sock, struct px_buf *bufs, unsigned count) {
	for (unsigned i = 0; i < count; i++) {
		struct px_buf *b = &bufs[i];
		if (!b->len)
			continue;
		addr_unmap(&b->addr);
		node_t *from = node_lookup_udp(&b->addr);
		node_t *hop = from;
		bool with_ids = false, learn = false, relayed = false;
		if (from && crypto_e2e(from) && PX_OPTION_VERSION(from->options) >= 4) {
			with_ids = true;
		} else if (!from && b->len >= 12) {
			node_t *origin = node_lookup_id(b->data + 6);
			with_ids =
			    origin && (crypto_e2e(origin) ||
			               (!origin->crypto && node_choose_crypto(origin) && crypto_e2e(origin)));
		}
		if (with_ids) {
			b->flags = 0;
			from = strip_node_ids(hop, b, &learn, &relayed);
			if (!from)
				continue;
		} else if (!from) {
			from = identify_unknown_sender(b);
			if (!from)
				continue;
			learn = true;
		}
		if (from == myself || (!from->crypto && !node_choose_crypto(from)))
			continue;
		if (!from->crypto->ops->open(from->crypto->plugin, from, b, 1) || !b->len)
			continue;
		if (learn)
			learn_udp_address(from, &b->addr);
		/* Relayed to us: help the relay with the path MTU (MTU_INFO). tinc
		 * 1.1 sends it towards the node the datagram came from. */
		if (relayed && hop && relay_hints.mtu_info)
			relay_hints.mtu_info(hop);
		from->last_udp_rx_ms = now_ms();
		from->seen_addr = b->addr;
		from->has_seen_addr = true;
		if (!unpack_opened(from, b))
			continue;
		from->in_packets++;
		from->in_bytes += b->len;
		if (b->len < PX_ETH_HLEN)
			continue;
		if (!b->data[12] && !b->data[13]) {
			mtu_probe_h(from, b);
			continue;
		}
		receive_frame(from, b);
	}
	tx_flush();
}

void node_key_changed(node_t *n, bool valid) {
	n->validkey = valid;
	if (!valid)
		return;
	n->waitingforkey = false;
	if ((n->options & PX_OPTION_PMTU_DISCOVERY) && !(n->options & PX_OPTION_TCPONLY))
		mtu_probe_start(n);
}

/* A frame that came as PACKET over a meta connection (meta.c's sink). */
void receive_tcppacket(conn_t *c, const uint8_t *frame, size_t len) {
	static uint8_t storage[PX_MTU + 256];
	struct px_buf b = {0};
	b.base = storage;
	b.cap = sizeof(storage);
	b.data = storage + 128;
	memcpy(b.data, frame, len);
	b.len = (uint32_t)len;
	b.node = c->node;
	b.flags = PX_BUF_VIA_TCP;
	if (!c->node)
		return;
	c->node->in_packets++;
	c->node->in_bytes += len;
	receive_frame(c->node, &b);
	tx_flush();
}

/* The listening sockets (net_setup.c opens them); their datagram sockets
 * are where the data path sends from. */
struct listener listeners[MAX_LISTENERS];
int nlisteners;

void *dgram_socket_for(int family) {
	for (int i = 0; i < nlisteners; i++)
		if (listeners[i].family == family)
			return listeners[i].dgram_sock;
	return NULL;
}
