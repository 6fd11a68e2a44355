/* SPDX-License-Identifier: MIT */
/*
 * Wire numbers shared by the core and every plugin: request ids, option bits,
 * compression levels and protocol versions. Defined once here so that two
 * plugins can never disagree about what a number on the wire means.
 */
#ifndef PLEXUS_WIRE_H
#define PLEXUS_WIRE_H

/* Protocol version as sent in the ID request: "17" or "17.<minor>". */
#define PX_PROT_MAJOR         17
#define PX_PROT_MINOR_LEGACY  0 /* tinc 1.0: legacy RSA only */
#define PX_PROT_MINOR_UPGRADE 1 /* tinc 1.1: legacy, then Ed25519 key upgrade */
#define PX_PROT_MINOR_SPTPS   2 /* first minor that speaks SPTPS */
#define PX_PROT_MINOR_CURRENT 7 /* tinc 1.1's PROT_MINOR */

/* Meta protocol request numbers. 0..23 are tinc's own. */
enum px_request_id {
	PX_REQ_ID = 0,
	PX_REQ_METAKEY = 1,
	PX_REQ_CHALLENGE = 2,
	PX_REQ_CHAL_REPLY = 3,
	PX_REQ_ACK = 4,
	PX_REQ_STATUS = 5,
	PX_REQ_ERROR = 6,
	PX_REQ_TERMREQ = 7,
	PX_REQ_PING = 8,
	PX_REQ_PONG = 9,
	PX_REQ_ADD_SUBNET = 10,
	PX_REQ_DEL_SUBNET = 11,
	PX_REQ_ADD_EDGE = 12,
	PX_REQ_DEL_EDGE = 13,
	PX_REQ_KEY_CHANGED = 14,
	PX_REQ_REQ_KEY = 15,
	PX_REQ_ANS_KEY = 16,
	PX_REQ_PACKET = 17,
	PX_REQ_CONTROL = 18, /* tinc 1.1 control socket only */
	PX_REQ_REQ_PUBKEY = 19,
	PX_REQ_ANS_PUBKEY = 20,
	PX_REQ_SPTPS_PACKET = 21,
	PX_REQ_UDP_INFO = 22,
	PX_REQ_MTU_INFO = 23,
	PX_REQ_TINC_LAST = 24, /* first number tinc 1.1 does not know */
};

/*
 * Request ids for plugin extensions. Never sent to a peer that has not
 * announced it understands them (a tinc peer closes the connection on an
 * unknown request number). Ids in the registered range are assigned here;
 * the experimental range is free for out-of-tree work.
 */
#define PX_REQ_EXT_FIRST        100
#define PX_REQ_HOSTUPDATE       100 /* update-hosts plugin */
#define PX_REQ_CONFUPDATE       101 /* update-hosts plugin */
#define PX_REQ_EXT_LAST         149
#define PX_REQ_EXPERIMENT_FIRST 200
#define PX_REQ_EXPERIMENT_LAST  254
/*
 * Whether an extension id is flooded (broadcast) or routed to one node is
 * fixed by its number, so that a node without the plugin can still forward
 * a broadcast it does not understand: 100-124 and 200-227 are broadcasts.
 * Extension requests carry a nonce as their second field, like ADD_EDGE,
 * and are forwarded only to peers that announced the id in their ACK.
 */
#define PX_REQ_IS_BROADCAST(id) (((id) >= 100 && (id) <= 124) || ((id) >= 200 && (id) <= 227))
#define PX_REQ_MAX              255 /* request ids are 0..PX_REQ_MAX */

/* Option bits of connections and edges (hex on the wire). */
#define PX_OPTION_INDIRECT       0x0001u
#define PX_OPTION_TCPONLY        0x0002u
#define PX_OPTION_PMTU_DISCOVERY 0x0004u
#define PX_OPTION_CLAMP_MSS      0x0008u
#define PX_OPTION_VERSION(x)     ((unsigned)(x) >> 24) /* protocol minor in top byte */

/* Compression levels as tinc numbers them (ANS_KEY field, Compression =). */
#define PX_COMPRESS_NONE     0
#define PX_COMPRESS_ZLIB_MIN 1
#define PX_COMPRESS_ZLIB_MAX 9
#define PX_COMPRESS_LZO_FAST 10
#define PX_COMPRESS_LZO_BEST 11
#define PX_COMPRESS_LZ4      12
#define PX_COMPRESS_MAX      15 /* levels are 0..PX_COMPRESS_MAX */

/* Frames: the internal packet is an Ethernet frame. */
#define PX_ETH_HLEN 14
#define PX_MTU      1518 /* largest frame: 1500 + 14 + 4 (VLAN tag) */
#define PX_MINMTU   512

/* Default UDP/TCP port. */
#define PX_DEFAULT_PORT 655

#endif
