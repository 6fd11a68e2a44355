/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Nodes of the VPN: the graph's vertices plus their data-path state. */
#ifndef PX_NODE_H
#define PX_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <plexus/plugin.h>

#include "compress_backoff.h"
#include "list.h"
#include "udp_discovery.h"

struct edge;
struct crypto_provider;
struct px_conn;
typedef struct px_node node_t;

struct px_node {
	char *name;
	uint8_t id[6]; /* first 6 bytes of SHA-512(name), as tinc 1.1 */
	bool is_self;

	/* Graph results (graph.c). */
	bool reachable;
	bool visited;
	bool indirect; /* reached over an INDIRECT edge: do not send UDP to it */
	int distance;
	uint32_t options; /* options of the edge through which it was reached */
	node_t *nexthop;  /* first meta hop */
	node_t *via;      /* node UDP packets for it are sent to */
	struct edge *prevedge;
	size_t graph_index; /* its place in graph.c's node array during a run */
	time_t last_state_change;

	struct list_head edges;   /* struct edge.from_link, edges from this node */
	struct list_head subnets; /* struct subnet.owner_link */
	int nedges, nsubnets;     /* lengths of the two lists above (caps check them) */
	bool lost_edge;           /* a DEL_EDGE named it; protocol_edge.c checks its edge to us */
	struct list_head link;    /* in node_list */

	struct px_conn *connection; /* active direct meta connection, or NULL */

	/* Data path. */
	struct px_addr udp_addr;
	bool has_udp_addr;
	node_t *addr_hash_next;               /* node_lookup_udp() chain */
	node_t *name_hash_next;               /* node_lookup() chain */
	const struct crypto_provider *crypto; /* protocol used for data with it */
	int out_compression;                  /* level the peer wants to receive */
	struct compress_backoff out_backoff;  /* its packets that do not shrink */
	bool validkey;                        /* we can seal for it */
	bool waitingforkey;
	uint64_t last_req_key_ms;
	int mtu, minmtu, maxmtu, mtuprobes;
	int mtu_check_fails;     /* periodic checks in a row without any reply */
	uint64_t last_udp_rx_ms; /* last authenticated datagram from it */
	/* When we last originated a UDP_INFO / MTU_INFO towards it (0: never). */
	uint64_t udp_info_sent_ms, mtu_info_sent_ms;
	struct px_timer *mtu_timer;
	bool udp_confirmed;
	/* UDP discovery (SPTPS peers, UDPDiscovery = yes): its state and timer. */
	struct udp_disc udisc;
	struct px_timer *udisc_timer;
	/* Where its authenticated datagrams really come from (reflexive address,
	 * what a NAT shows us), as opposed to the address edges announce. */
	struct px_addr seen_addr;
	bool has_seen_addr;
	uint64_t in_packets, in_bytes, out_packets, out_bytes;

	void **slots; /* per-plugin private pointers (plugin index) */
};

extern struct list_head node_list; /* all nodes, sorted by name */
extern node_t *myself;

node_t *node_new(const char *name);
void node_add(node_t *n); /* into node_list, keeping it sorted */
void node_del(node_t *n); /* unlink edges/subnets and free */
node_t *node_lookup(const char *name);
size_t node_count(void); /* how many nodes node_list holds */
node_t *node_lookup_id(const uint8_t id[6]);
/* Index of UDP addresses for incoming datagrams. */
node_t *node_lookup_udp(const struct px_addr *a);
void node_set_udp(node_t *n, const struct px_addr *a); /* NULL clears */
/* The slot of plugin `index` (allocated on demand). */
void **node_slot(node_t *n, int index);
void node_free_all(void);

#endif
