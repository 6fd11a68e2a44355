/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy for outgoing meta connections (tinc 1.1's Proxy variable): parsing
 * the variable, encoding the SOCKS 4 / SOCKS 5 / HTTP CONNECT request and
 * reading the proxy's reply. Pure code: no sockets, no logging, so it can
 * be tested byte by byte.
 */
#ifndef PX_PROXY_WIRE_H
#define PX_PROXY_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <plexus/plugin.h>

enum proxy_type {
	PROXY_NONE = 0,
	PROXY_SOCKS4,
	PROXY_SOCKS5,
	PROXY_HTTP,
	PROXY_EXEC,
};

struct proxy_config {
	enum proxy_type type;
	char *host, *port; /* socks4, socks5, http */
	char *user, *pass; /* socks4: user; socks5: both or neither */
	char *command;     /* exec: the rest of the line, run by /bin/sh -c */
};

#define PROXY_CRED_MAX     255 /* SOCKS 5 length bytes; SOCKS 4 user ids kept to the same */
#define PROXY_REQUEST_MAX  (3 + 3 + 2 * PROXY_CRED_MAX + 4 + 16 + 2)
#define PROXY_HTTP_LINE    1024 /* longest status or header line we accept */
#define PROXY_HTTP_HEADERS 8192 /* all reply bytes up to the blank line */

/* "socks4 HOST PORT [USER]", "socks5 HOST PORT [USER PASS]" (PASS is the
 * rest of the line), "http HOST PORT", "exec COMMAND", "none". Returns 0
 * and fills `out` (free with proxy_config_free), or -1 with a message in
 * err. */
int proxy_config_parse(const char *value, struct proxy_config *out, char *err, size_t errlen);
void proxy_config_free(struct proxy_config *cfg);
const char *proxy_type_name(enum proxy_type type);

/* The request to send to a SOCKS 4 / SOCKS 5 / HTTP proxy so it connects us
 * to `to`. SOCKS 5 sends greeting, user/password (when configured) and
 * CONNECT in one go, as tinc 1.1 does. Returns the number of bytes written
 * to buf (at least PROXY_REQUEST_MAX big), or -1 with a message in err
 * (SOCKS 4 cannot reach an IPv6 address). */
int proxy_request(const struct proxy_config *cfg, const struct px_addr *to, uint8_t *buf, size_t cap,
                  char *err, size_t errlen);

enum proxy_status {
	PROXY_MORE,    /* need more bytes */
	PROXY_GRANTED, /* the proxy connected us; later bytes are the peer's */
	PROXY_FAILED,  /* refused or malformed; reply.error says why */
};

/* The reply as a small state machine fed with whatever the socket gave. */
struct proxy_reply {
	enum proxy_type type;
	bool socks5_password; /* we offered user/password authentication */
	int stage;
	size_t need; /* bytes the current stage waits for */
	size_t have;
	size_t total; /* all bytes taken so far (HTTP header limit) */
	uint8_t buf[PROXY_HTTP_LINE + 1];
	char error[160];
};

void proxy_reply_init(struct proxy_reply *r, const struct proxy_config *cfg);
/* Take bytes from data; *used says how many belong to the reply (the rest,
 * after PROXY_GRANTED, is the peer's). */
enum proxy_status proxy_reply_feed(struct proxy_reply *r, const uint8_t *data, size_t len, size_t *used);

#endif
