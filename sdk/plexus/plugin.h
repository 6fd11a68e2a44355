/* SPDX-License-Identifier: MIT */
/*
 * Plexus plugin ABI, version 1.
 *
 * A plugin is a shared object that exports exactly one constant descriptor
 * (struct px_plugin_desc, see PX_PLUGIN_DEFINE). The core reads the
 * descriptor without running plugin code, refuses it if abi_major differs,
 * then calls init() with a host table (struct px_host): the plugin's only way
 * to reach the core. In init() the plugin registers what it provides:
 * transports, crypto protocols, compression codecs and request types.
 *
 * Rules that keep this ABI stable:
 *  - every struct crossing the boundary starts with its size; new fields are
 *    only ever appended, and readers check the size before touching them;
 *  - a minor version bump only adds; a major bump is a new ABI;
 *  - handles (px_node, px_conn, px_timer, px_watch) are opaque;
 *  - one event-loop thread calls every callback. A plugin that runs threads
 *    of its own hands results back through a pipe or eventfd it watches with host->watch_new().
 *
 * Changelog
 *   1.0  first release.
 *   1.1  PX_BUF_TOO_BIG (transports report EMSGSIZE per packet);
 *        struct px_event_ops + host->register_events, host->request_reload,
 *        host->node_id, host->node_lookup_id, host->node_mtu, PX_HOST_HAS(),
 *        host->relay_datagram, host->netname, host->interface_name;
 *        px_crypto_ops.flags (PX_CRYPTO_END_TO_END,
 *        PX_CRYPTO_COMPRESS_FLAG), PX_BUF_COMPRESSED, PX_BUF_ADD_ETH.
 *        wire.h: PX_REQ_IS_BROADCAST().
 *   1.2  host->conn_raw_input (raw bytes outside a meta stream filter:
 *        binary SPTPS_PACKET, protocol minor 7).
 *        px_plugin_desc.min_abi_minor, PX_PLUGIN_DEFINE_COMPAT(): a plugin
 *        built against a newer minor than the core loads if it declares
 *        the oldest minor it runs on (it checks PX_HOST_HAS() for the rest).
 *        struct px_var + host->register_variable: configuration variables
 *        a plugin reads are known to the parser.
 *   1.3  px_compress_ops.store (a valid stream of the level without
 *        compressing: the core's back-off on incompressible data where
 *        the protocol has no "uncompressed" flag).
 */
#ifndef PLEXUS_PLUGIN_H
#define PLEXUS_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>

#include <plexus/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PX_ABI_MAJOR 1
#define PX_ABI_MINOR 3

#if defined(__GNUC__)
#define PX_EXPORT       __attribute__((visibility("default")))
#define PX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PX_EXPORT
#define PX_PRINTF(f, a)
#endif

/* Opaque handles owned by the core. */
typedef struct px_plugin px_plugin; /* this plugin, as the core knows it */
typedef struct px_node px_node;     /* a node of the VPN */
typedef struct px_conn px_conn;     /* a meta connection */
typedef struct px_timer px_timer;
typedef struct px_watch px_watch;

/* A socket address; len is the meaningful length of the union. */
struct px_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_storage ss;
	};
	socklen_t len;
};

/*
 * One packet in a batch. Packets move through transports and crypto as
 * arrays of px_buf so that recvmmsg/sendmmsg batches and (later) GSO
 * super-packets fit without an ABI change. The buffer is owned by whoever
 * passed the batch; callees transform it in place.
 *
 *   base ........ data ............ data+len ........ base+cap
 *   |<- headroom ->|<---- len ----->|<--- tailroom --->|
 *
 * Crypto may prepend up to its declared headroom and append up to its
 * declared overhead. A callee drops a packet by setting len = 0.
 */
struct px_buf {
	uint8_t *base;     /* start of the storage */
	uint8_t *data;     /* first byte of the payload */
	uint32_t len;      /* payload bytes; 0 = dropped */
	uint32_t cap;      /* bytes of storage at base */
	uint16_t gso_size; /* 0, or segment size of the super-packet it was cut from (UDP_GRO) */
	uint16_t flags;    /* PX_BUF_* */
	uint8_t priority;  /* with PX_BUF_PRIORITY: TOS / traffic class for the outer datagram */
	uint8_t reserved[3];
	px_node *node;       /* peer the packet comes from / goes to */
	struct px_addr addr; /* datagram source (in) or destination (out) */
};

#define PX_BUF_PROBE      0x0001 /* MTU probe: never routed */
#define PX_BUF_VIA_TCP    0x0002 /* arrived over a meta connection */
#define PX_BUF_TOO_BIG    0x0004 /* set by a transport: EMSGSIZE, path MTU smaller */
#define PX_BUF_COMPRESSED 0x0008 /* payload is compressed (PX_CRYPTO_COMPRESS_FLAG) */
#define PX_BUF_ADD_ETH    0x0010 /* bare IP packet: the core adds the Ethernet header (after decompressing) */
/* PriorityInheritance: send with TOS/traffic class `priority` (a transport
 * that ignores it sends with the socket's default) */
#define PX_BUF_PRIORITY 0x0020

/* Log levels: tinc's debug levels. Level 0 is always logged. */
enum px_log_level {
	PX_LOG_ALWAYS = 0,
	PX_LOG_CONNECTIONS = 1,
	PX_LOG_ERROR = 2, /* status and errors from peers */
	PX_LOG_PROTOCOL = 3,
	PX_LOG_META = 4, /* request contents */
	PX_LOG_TRAFFIC = 5,
	PX_LOG_PACKET = 6,
	PX_LOG_SCARY = 10,
};

/* Events for fd watches. */
#define PX_EV_READ  0x1u
#define PX_EV_WRITE 0x4u

/* Direction for meta stream filters. */
enum px_dir { PX_DIR_IN = 0, PX_DIR_OUT = 1 };

/*
 * A meta stream filter: how the bytes of one direction of a meta connection
 * are protected (legacy: a stream cipher; SPTPS: records). Installed by a
 * crypto plugin with host->conn_set_filter(). Everything the core sends
 * after the filter is installed goes through send(); every byte received
 * after it goes through recv(), including bytes that arrived in the same
 * read as the request that installed it.
 */
struct px_filter_ops {
	uint32_t size;
	/* Protect plaintext and emit it with host->conn_write_wire(). */
	int (*send)(void *ctx, px_conn *c, const uint8_t *data, size_t len);
	/* Unprotect wire bytes and pass plaintext to host->conn_deliver().
	 * Return -1 to close the connection. */
	int (*recv)(void *ctx, px_conn *c, const uint8_t *data, size_t len);
	void (*free)(void *ctx);
};

/*
 * A crypto protocol: meta-connection authentication, data-key exchange and
 * packet protection. A plugin may register several (one per protocol
 * family). The core picks one per connection and per node from the
 * protocol minor negotiated with the peer (minor_min..minor_max).
 */
struct px_crypto_ops {
	uint32_t size;
	const char *name;             /* "legacy", "sptps", ... */
	uint8_t minor_min, minor_max; /* protocol minors this protocol serves */
	uint16_t headroom;            /* bytes seal() may prepend */
	uint16_t overhead;            /* upper bound of bytes seal() adds in all */
	uint16_t flags;               /* PX_CRYPTO_* (ABI 1.0: reserved, 0) */

	/* Is this protocol usable with this peer at all (keys present...)? */
	bool (*usable)(px_plugin *self, px_node *peer);

	/* Meta authentication. Called after both ID lines were exchanged.
	 * The plugin drives its own requests (meta_request() receives every
	 * request until it calls host->conn_auth_done()). */
	int (*meta_start)(px_plugin *self, px_conn *c, void **state);
	int (*meta_request)(px_plugin *self, void *state, px_conn *c, int reqno, const char *line);
	void (*meta_free)(px_plugin *self, void *state);

	/* Data channel keys. The core routes REQ_KEY/ANS_KEY/KEY_CHANGED;
	 * these are called on the node they are addressed to. */
	void (*key_request)(px_plugin *self, px_node *to); /* we need a key for `to` */
	int (*key_on_req)(px_plugin *self, px_node *from, const char *line);
	int (*key_on_ans)(px_plugin *self, px_node *from, const char *line);
	void (*key_on_changed)(px_plugin *self, px_node *n);
	bool (*key_valid)(px_plugin *self, px_node *to); /* can seal() for `to` now */
	void (*node_up)(px_plugin *self, px_node *n);    /* became reachable */
	void (*node_down)(px_plugin *self, px_node *n);  /* became unreachable or gone */

	/* Packet protection, in place, on batches. Return the number of packets
	 * still alive; dropped packets get len = 0. */
	unsigned (*seal)(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n);
	unsigned (*open)(px_plugin *self, px_node *from, struct px_buf *bufs, unsigned n);
	/* A datagram from an unknown address: find its sender by trial (MAC),
	 * or return NULL. May be NULL. */
	px_node *(*identify)(px_plugin *self, const struct px_buf *buf);

	/* Key files: create a key pair for `name` in `confbase` (bits: 0 = default). */
	int (*generate_keys)(px_plugin *self, const char *confbase, const char *name, int bits);
	/* One-word description of the data-key state for dumps (may be NULL). */
	const char *(*describe)(px_plugin *self, px_node *n);
};

/* Crypto flags. */
/* seal() protects a frame for its final destination (bufs[i].node), and the
 * datagram may be relayed by other nodes without being opened (SPTPS).
 * Without it, packets are protected hop by hop for the next UDP hop (legacy). */
#define PX_CRYPTO_END_TO_END 0x0001u
/* The record says whether its payload is compressed (PX_BUF_COMPRESSED):
 * the core compresses only when that makes the packet smaller. Without it,
 * every packet is compressed at the peer's level (legacy). */
#define PX_CRYPTO_COMPRESS_FLAG 0x0002u

/* Compression codecs for the data channel, identified by tinc's levels. */
struct px_compress_ops {
	uint32_t size;
	const char *name;
	uint8_t level_min, level_max;
	uint16_t reserved;
	/* Return output length, or -1 if it does not fit in outcap (the core
	 * then sends the packet uncompressed only where the protocol allows). */
	int (*compress)(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
	                size_t outcap);
	/* Return output length, or -1 if corrupt or it would exceed outcap. */
	int (*decompress)(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
	                  size_t outcap);
	/* 1.3, may be NULL: encode `in` as a stream that decompress() (and
	 * every other decoder of this level) accepts, without searching for
	 * matches, so it costs about a copy. The core uses it for a peer whose
	 * packets keep not shrinking when the protocol has no way to send a
	 * packet uncompressed. Same return convention as compress(). */
	int (*store)(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
	             size_t outcap);
};

/* Flags of request types. */
#define PX_REQF_BROADCAST  0x1u /* flooded: the core dedupes and forwards it */
#define PX_REQF_CAPABILITY 0x2u /* sent only to peers that announced `capability` */

/* A meta protocol request type provided by a plugin. */
struct px_request_ops {
	uint32_t size;
	int id; /* from sdk/plexus/wire.h; extension or experimental range */
	const char *name;
	uint32_t flags;
	const char *capability; /* capability word announced to peers (may be NULL) */
	/* Handle a request received on `from`. Return 0 on success, -1 to
	 * close the connection (only for a peer that broke the protocol). */
	int (*handle)(px_plugin *self, px_conn *from, const char *line);
};

/*
 * Datagram transport (UDP). The core opens one socket per bind address and
 * sends batches through send(). The plugin watches its fds itself and hands
 * received batches to host->dgram_input(); the buffers stay the plugin's and
 * may be reused once dgram_input() returns.
 */
struct px_dgram_ops {
	uint32_t size;
	const char *name;
	int (*open)(px_plugin *self, const struct px_addr *bind, void **sock);
	/* Send bufs[i].data/len to bufs[i].addr; returns how many were sent. */
	unsigned (*send)(px_plugin *self, void *sock, struct px_buf *bufs, unsigned n);
	void (*close)(px_plugin *self, void *sock);
	int (*local_addr)(px_plugin *self, void *sock, struct px_addr *out);
};

/*
 * Stream transport (TCP) for meta connections. Streams report to the core
 * through host->stream_*() with the px_conn they belong to.
 */
struct px_stream_ops {
	uint32_t size;
	const char *name;
	/* Listen; accepted streams are announced with host->stream_accepted(). */
	int (*listen)(px_plugin *self, const struct px_addr *bind, void **listener);
	void (*unlisten)(px_plugin *self, void *listener);
	/* Start connecting `c` to `to` (optionally from `from`, may be NULL);
	 * completion is reported by host->stream_connected() or
	 * host->stream_closed(). */
	int (*connect)(px_plugin *self, px_conn *c, const struct px_addr *to, const struct px_addr *from,
	               void **stream);
	/* Non-blocking write; returns bytes taken (0..len) or -1 on error. */
	ssize_t (*write)(px_plugin *self, void *stream, const void *data, size_t len);
	/* Ask for host->stream_writable() when the stream can take more. */
	void (*want_write)(px_plugin *self, void *stream, bool on);
	void (*close)(px_plugin *self, void *stream);
	int (*local_addr)(px_plugin *self, void *stream, struct px_addr *out);
	int (*peer_addr)(px_plugin *self, void *stream, struct px_addr *out);
};

/*
 * Events a plugin may want to follow (ABI 1.1). Any member may be NULL.
 */
struct px_event_ops {
	uint32_t size;
	/* A meta connection finished its ACK exchange / went away. */
	void (*conn_active)(px_plugin *self, px_conn *c);
	void (*conn_closed)(px_plugin *self, px_conn *c);
	/* A node became reachable (up) or unreachable. */
	void (*node_reachable)(px_plugin *self, px_node *n, bool up);
	/* The configuration was re-read (SIGHUP, `plexus reload`). */
	void (*reload)(px_plugin *self);
};

/*
 * A configuration variable a plugin reads (ABI 1.2). Registered in init(),
 * it is known to the configuration parser: no "Unknown variable" warning.
 */
struct px_var {
	uint32_t size;
	const char *name;    /* letters and digits, like the core's variables */
	uint32_t flags;      /* PX_VAR_*: at least one of SERVER and HOST */
	uint32_t type;       /* PX_VAR_STRING, PX_VAR_BOOL, PX_VAR_INT */
	const char *summary; /* one line for `plexusd --dump-variables` */
};
#define PX_VAR_SERVER   0x1u /* tinc.conf / plexus.conf (and our own host file) */
#define PX_VAR_HOST     0x2u /* hosts/NAME */
#define PX_VAR_MULTIPLE 0x4u /* may appear more than once */
#define PX_VAR_STRING   0u
#define PX_VAR_BOOL     1u /* read it with conf_bool(): bad values are logged */
#define PX_VAR_INT      2u /* read it with conf_int(): bad values are logged */

/*
 * The host table: every service the core offers to plugins. Plugins link
 * nothing from the core; they call through this table only.
 */
struct px_host {
	uint32_t size;
	uint16_t abi_major, abi_minor;

	/* Logging (tinc debug levels). */
	void (*log)(px_plugin *self, int level, const char *fmt, ...) PX_PRINTF(3, 4);
	int (*log_level)(void); /* skip expensive formatting above this */

	/* Configuration. host == NULL: the server configuration (main file and
	 * our own host file); otherwise hosts/<host>. Returns the index-th
	 * value of variable `var` (case-insensitive), or NULL. */
	const char *(*conf_get)(const char *host, const char *var, int index);
	bool (*conf_bool)(const char *host, const char *var, bool dflt);
	int (*conf_int)(const char *host, const char *var, int dflt);
	const char *(*confbase)(void); /* configuration directory */
	const char *(*self_name)(void);

	/* Time, timers and fd watches. Callbacks run on the event loop. */
	uint64_t (*now_ms)(void); /* monotonic milliseconds */
	px_timer *(*timer_new)(void (*cb)(void *arg), void *arg);
	void (*timer_arm)(px_timer *t, uint32_t msec); /* (re)arm, relative */
	void (*timer_disarm)(px_timer *t);
	void (*timer_free)(px_timer *t);
	px_watch *(*watch_new)(int fd, uint32_t events, void (*cb)(void *arg, uint32_t revents), void *arg);
	void (*watch_set)(px_watch *w, uint32_t events);
	void (*watch_free)(px_watch *w);

	/* Randomness and hygiene. */
	void (*random_bytes)(void *buf, size_t len);
	void (*memwipe)(void *buf, size_t len);

	/* Registration of what the plugin provides. Return 0, or -1 when the
	 * id/level/name is already taken (a start-up error). */
	int (*register_crypto)(px_plugin *self, const struct px_crypto_ops *ops);
	int (*register_compress)(px_plugin *self, const struct px_compress_ops *ops);
	int (*register_request)(px_plugin *self, const struct px_request_ops *ops);
	int (*register_dgram)(px_plugin *self, const struct px_dgram_ops *ops);
	int (*register_stream)(px_plugin *self, const struct px_stream_ops *ops);

	/* Meta connections. */
	int (*conn_send)(px_conn *c, const char *fmt, ...) PX_PRINTF(2, 3); /* one request; newline added */
	int (*conn_write_wire)(px_conn *c, const void *data, size_t len);   /* bypasses filters */
	int (*conn_deliver)(px_conn *c, const void *data, size_t len);      /* plaintext into the parser */
	void (*conn_set_filter)(px_conn *c, enum px_dir dir, const struct px_filter_ops *ops, void *ctx);
	void (*conn_auth_done)(px_conn *c);              /* authentication succeeded */
	void (*conn_close)(px_conn *c, const char *why); /* deferred, safe in callbacks */
	const char *(*conn_name)(px_conn *c);            /* peer's Name */
	bool (*conn_outgoing)(px_conn *c);
	int (*conn_minor)(px_conn *c); /* peer's protocol minor from its ID */
	px_node *(*conn_node)(px_conn *c);
	void **(*conn_slot)(px_conn *c, px_plugin *self); /* per-plugin pointer */
	bool (*conn_has_capability)(px_conn *c, const char *capability);

	/* Nodes. */
	px_node *(*node_lookup)(const char *name);
	px_node *(*node_self)(void);
	const char *(*node_name)(px_node *n);
	bool (*node_reachable)(px_node *n);
	uint32_t (*node_options)(px_node *n);
	void **(*node_slot)(px_node *n, px_plugin *self); /* per-plugin pointer */
	bool (*node_udp_addr)(px_node *n, struct px_addr *out);
	void (*node_set_udp_addr)(px_node *n, const struct px_addr *addr);
	void (*node_set_out_compression)(px_node *n, int level); /* peer's wish */
	int (*node_in_compression)(px_node *n);                  /* what we ask this peer for */
	void (*node_key_changed)(px_node *n, bool valid);        /* our outgoing key state */
	/* Walk all nodes; stops when cb returns false. */
	void (*node_foreach)(bool (*cb)(px_node *n, void *arg), void *arg);

	/* Requests. */
	int (*send_to_node)(px_node *to, const char *fmt, ...) PX_PRINTF(2, 3); /* via nexthop */
	int (*forward_to_node)(px_node *to, const char *line); /* line verbatim, via nexthop */
	int (*broadcast)(px_conn *except, const char *fmt, ...) PX_PRINTF(2, 3); /* flood */

	/* Packets. */
	void (*deliver_packets)(px_node *from, struct px_buf *bufs, unsigned n); /* decrypted frames in */
	void (*dgram_input)(px_plugin *self, void *sock, struct px_buf *bufs,
	                    unsigned n); /* raw datagrams in */

	/* Stream transport events (transport plugins only). */
	px_conn *(*stream_accepted)(px_plugin *self, void *listener, void *stream,
	                            const struct px_addr *peer);
	void (*stream_connected)(px_conn *c);
	void (*stream_recv)(px_conn *c, const void *data, size_t len);
	void (*stream_writable)(px_conn *c);
	void (*stream_closed)(px_conn *c, int err);

	/* ABI 1.1 additions (check host->size before use). */
	int (*register_events)(px_plugin *self, const struct px_event_ops *ops);
	void (*request_reload)(void);               /* re-read the configuration soon */
	void (*node_id)(px_node *n, uint8_t id[6]); /* first 6 bytes of SHA-512(name) */
	px_node *(*node_lookup_id)(const uint8_t id[6]);
	int (*node_mtu)(px_node *n); /* discovered path MTU (frame bytes), 0 if unknown */
	/* Send an already protected datagram (b->data/len, e.g. a record being
	 * relayed) by UDP to the next UDP hop towards `to`. Returns 0 if queued,
	 * -1 if UDP cannot be used (the plugin then uses its own TCP form). */
	int (*relay_datagram)(px_node *to, struct px_buf *b);
	/* For scripts run by plugins: -n NETNAME (NULL if none) and the name of
	 * the virtual interface ("dummy" without one). */
	const char *(*netname)(void);
	const char *(*interface_name)(void);

	/* ABI 1.2 additions (check PX_HOST_HAS before use). */
	/* For meta stream filters, before each record they parse: while the
	 * core expects bytes that travel outside the filter (the payload of a
	 * binary SPTPS_PACKET), it takes up to len of the wire bytes and
	 * returns how many (0: none expected). -1: the connection is closed. */
	ssize_t (*conn_raw_input)(px_conn *c, const void *data, size_t len);
	/* Declare a configuration variable the plugin reads; the core copies
	 * it. Returns 0, or -1 (logged) if it is invalid, the core's or
	 * another plugin's: a start-up error. */
	int (*register_variable)(px_plugin *self, const struct px_var *var);
};

/* True if the host table has `member` (plugins built against a newer SDK). */
#define PX_HOST_HAS(host, member) ((host)->size >= offsetof(struct px_host, member) + sizeof((host)->member))

/*
 * The plugin descriptor. Data only: the loader reads it before running any
 * plugin code.
 */
struct px_plugin_desc {
	uint32_t size;
	uint16_t abi_major, abi_minor;
	const char *name; /* matches the file name: "transport-udp" */
	const char *version;
	const char *description;
	const char *license; /* SPDX expression */
	/* Register providers, read configuration. No sockets yet. */
	int (*init)(px_plugin *self, const struct px_host *host);
	/* Open sockets and start timers (before privileges are dropped). */
	int (*start)(px_plugin *self);
	void (*stop)(px_plugin *self);
	void (*fini)(px_plugin *self);
	/* ABI 1.2: the oldest core minor this plugin runs on. A core of minor
	 * C loads the plugin if min_abi_minor <= C (abi_minor <= C without this
	 * field). PX_PLUGIN_DEFINE sets it to abi_minor; only a plugin that
	 * checks PX_HOST_HAS() before every newer host entry and newer struct
	 * field it uses lowers it, with PX_PLUGIN_DEFINE_COMPAT. Cores before
	 * 1.2 ignore it and refuse every plugin of a newer minor. */
	uint16_t min_abi_minor;
	uint16_t reserved; /* 0 */
};

/* Name of the exported descriptor. libltdl looks up <module>_LTX_<name>
 * first, which keeps statically preloaded plugins free of clashes. */
#define PX_PLUGIN_SYMBOL        "plexus_plugin"
#define PX_PLUGIN_CONCAT_(a, b) a##b
#define PX_PLUGIN_CONCAT(a, b)  PX_PLUGIN_CONCAT_(a, b)

/*
 * Define the descriptor. `ident` is the module file name with '-' turned
 * into '_' (transport-udp.so -> transport_udp).
 */
#define PX_PLUGIN_DEFINE(ident, ...) PX_PLUGIN_DEFINE_COMPAT(ident, PX_ABI_MINOR, __VA_ARGS__)

/*
 * Like PX_PLUGIN_DEFINE, for a plugin that also runs on cores down to ABI
 * minor `min_minor` (1.2 and later cores honour it): every host entry or
 * struct field newer than that is used only after PX_HOST_HAS() or a size
 * check said it is there.
 */
#define PX_PLUGIN_DEFINE_COMPAT(ident, min_minor, ...)                                                       \
	PX_EXPORT extern const struct px_plugin_desc PX_PLUGIN_CONCAT(ident, _LTX_plexus_plugin);            \
	PX_EXPORT const struct px_plugin_desc PX_PLUGIN_CONCAT(ident, _LTX_plexus_plugin) = {                \
	    .size = sizeof(struct px_plugin_desc),                                                           \
	    .abi_major = PX_ABI_MAJOR,                                                                       \
	    .abi_minor = PX_ABI_MINOR,                                                                       \
	    .min_abi_minor = (min_minor),                                                                    \
	    __VA_ARGS__}

#ifdef __cplusplus
}
#endif

#endif
