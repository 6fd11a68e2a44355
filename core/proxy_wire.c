/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy variable, proxy requests and proxy replies (see proxy_wire.h).
 * Formats: SOCKS 4 (VN CD DSTPORT DSTIP USERID NUL), SOCKS 5 (RFC 1928,
 * user/password per RFC 1929) and HTTP CONNECT (RFC 9110).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy_wire.h"
#include "xalloc.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) PX_PRINTF(3, 4);
static int fail(char *err, size_t errlen, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *proxy_type_name(enum proxy_type type) {
	switch (type) {
	case PROXY_SOCKS4:
		return "socks4";
	case PROXY_SOCKS5:
		return "socks5";
	case PROXY_HTTP:
		return "http";
	case PROXY_EXEC:
		return "exec";
	case PROXY_NONE:
		break;
	}
	return "none";
}

void proxy_config_free(struct proxy_config *cfg) {
	if (cfg->pass)
		explicit_bzero(cfg->pass, strlen(cfg->pass));
	free(cfg->host);
	free(cfg->port);
	free(cfg->user);
	free(cfg->pass);
	free(cfg->command);
	memset(cfg, 0, sizeof(*cfg));
}

static char *dup_or_die(const char *s, size_t len) {
	char *p = strndup(s, len);
	if (!p)
		xalloc_fail();
	return p;
}

/* Next blank-separated word of *p; NULL at the end. */
static char *next_word(const char **p) {
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	const char *e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	*p = e;
	return dup_or_die(s, (size_t)(e - s));
}

static const char *skip_blanks(const char *s) {
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The rest of the line without trailing blanks, or NULL if empty. */
static char *rest_of_line(const char *s) {
	s = skip_blanks(s);
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len ? dup_or_die(s, len) : NULL;
}

static int parse_args(const char *rest, struct proxy_config *out, char *err, size_t errlen) {
	const char *name = proxy_type_name(out->type);
	out->host = next_word(&rest);
	out->port = next_word(&rest);
	if (!out->host || !out->port)
		return fail(err, errlen, "Proxy %s needs a host and a port (Proxy = %s HOST PORT%s)", name,
		            name,
		            out->type == PROXY_SOCKS4   ? " [USER]"
		            : out->type == PROXY_SOCKS5 ? " [USER PASSWORD]"
		                                        : "");
	if (out->type == PROXY_HTTP) {
		if (*skip_blanks(rest))
			return fail(err, errlen, "Proxy http takes only HOST PORT (no user or password)");
		return 0;
	}
	out->user = next_word(&rest);
	if (out->type == PROXY_SOCKS4) {
		if (*skip_blanks(rest))
			return fail(err, errlen,
			            "Proxy socks4 takes HOST PORT [USER] (SOCKS 4 has no password)");
	} else {
		/* The password is the rest of the line and may contain blanks. */
		out->pass = rest_of_line(rest);
		if (out->user && !out->pass)
			return fail(err, errlen, "Proxy socks5 needs both a user and a password, or neither");
		if (out->pass && strlen(out->pass) > PROXY_CRED_MAX)
			return fail(err, errlen, "Proxy socks5 password longer than %d bytes",
			            PROXY_CRED_MAX);
	}
	if (out->user && strlen(out->user) > PROXY_CRED_MAX)
		return fail(err, errlen, "Proxy %s user longer than %d bytes", name, PROXY_CRED_MAX);
	return 0;
}

int proxy_config_parse(const char *value, struct proxy_config *out, char *err, size_t errlen) {
	memset(out, 0, sizeof(*out));
	if (!value)
		return 0;
	const char *rest = value;
	char *kind = next_word(&rest);
	if (!kind)
		return fail(err, errlen, "Proxy needs a type: socks4, socks5, http, exec or none");
	int r = 0;
	if (!strcasecmp(kind, "none")) {
		if (*skip_blanks(rest))
			r = fail(err, errlen, "Proxy none takes no arguments");
	} else if (!strcasecmp(kind, "exec")) {
		out->type = PROXY_EXEC;
		out->command = rest_of_line(rest);
		if (!out->command)
			r = fail(err, errlen, "Proxy exec needs a command (Proxy = exec COMMAND)");
	} else if (!strcasecmp(kind, "socks4")) {
		out->type = PROXY_SOCKS4;
		r = parse_args(rest, out, err, errlen);
	} else if (!strcasecmp(kind, "socks5")) {
		out->type = PROXY_SOCKS5;
		r = parse_args(rest, out, err, errlen);
	} else if (!strcasecmp(kind, "http")) {
		out->type = PROXY_HTTP;
		r = parse_args(rest, out, err, errlen);
	} else if (!strcasecmp(kind, "socks4a")) {
		r = fail(err, errlen,
		         "Proxy type socks4a is not implemented (tinc 1.1 fails every connection with it); "
		         "use socks4 or socks5");
	} else {
		r = fail(err, errlen, "Unknown proxy type %s (socks4, socks5, http, exec or none)", kind);
	}
	free(kind);
	if (r < 0)
		proxy_config_free(out);
	return r;
}

/* ---- requests ---- */

static void put(uint8_t **p, const void *data, size_t len) {
	memcpy(*p, data, len);
	*p += len;
}

static int socks4_request(const struct proxy_config *cfg, const struct px_addr *to, uint8_t *buf, char *err,
                          size_t errlen) {
	if (to->sa.sa_family != AF_INET)
		return fail(err, errlen, "a SOCKS 4 proxy can only reach IPv4 addresses");
	uint8_t *p = buf;
	*p++ = 4; /* version */
	*p++ = 1; /* CONNECT */
	put(&p, &to->in.sin_port, 2);
	put(&p, &to->in.sin_addr, 4);
	if (cfg->user)
		put(&p, cfg->user, strlen(cfg->user));
	*p++ = 0;
	return (int)(p - buf);
}

static int socks5_request(const struct proxy_config *cfg, const struct px_addr *to, uint8_t *buf, char *err,
                          size_t errlen) {
	int family = to->sa.sa_family;
	if (family != AF_INET && family != AF_INET6)
		return fail(err, errlen, "address family %d cannot be reached through a SOCKS 5 proxy",
		            family);
	uint8_t *p = buf;
	bool password = cfg->user && cfg->pass;
	*p++ = 5; /* version */
	*p++ = 1; /* one method offered */
	*p++ = password ? 2 : 0;
	if (password) {
		size_t ulen = strlen(cfg->user), plen = strlen(cfg->pass);
		*p++ = 1; /* user/password sub-negotiation version */
		*p++ = (uint8_t)ulen;
		put(&p, cfg->user, ulen);
		*p++ = (uint8_t)plen;
		put(&p, cfg->pass, plen);
	}
	*p++ = 5;
	*p++ = 1; /* CONNECT */
	*p++ = 0;
	if (family == AF_INET) {
		*p++ = 1;
		put(&p, &to->in.sin_addr, 4);
		put(&p, &to->in.sin_port, 2);
	} else {
		*p++ = 4;
		put(&p, &to->in6.sin6_addr, 16);
		put(&p, &to->in6.sin6_port, 2);
	}
	return (int)(p - buf);
}

static int http_request(const struct px_addr *to, uint8_t *buf, size_t cap, char *err, size_t errlen) {
	char host[INET6_ADDRSTRLEN];
	const void *ip =
	    to->sa.sa_family == AF_INET6 ? (const void *)&to->in6.sin6_addr : (const void *)&to->in.sin_addr;
	if ((to->sa.sa_family != AF_INET && to->sa.sa_family != AF_INET6) ||
	    !inet_ntop(to->sa.sa_family, ip, host, sizeof(host)))
		return fail(err, errlen, "address family %d cannot be reached through an HTTP proxy",
		            to->sa.sa_family);
	unsigned port = ntohs(to->sa.sa_family == AF_INET6 ? to->in6.sin6_port : to->in.sin_port);
	/* IPv6 literals in brackets (RFC 3986 authority form). */
	const char *lb = to->sa.sa_family == AF_INET6 ? "[" : "",
	           *rb = to->sa.sa_family == AF_INET6 ? "]" : "";
	int n = snprintf((char *)buf, cap, "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n\r\n", lb, host,
	                 rb, port, lb, host, rb, port);
	if (n < 0 || (size_t)n >= cap)
		return fail(err, errlen, "HTTP proxy request too long");
	return n;
}

int proxy_request(const struct proxy_config *cfg, const struct px_addr *to, uint8_t *buf, size_t cap,
                  char *err, size_t errlen) {
	if (cap < PROXY_REQUEST_MAX)
		return fail(err, errlen, "proxy request buffer too small");
	switch (cfg->type) {
	case PROXY_SOCKS4:
		return socks4_request(cfg, to, buf, err, errlen);
	case PROXY_SOCKS5:
		return socks5_request(cfg, to, buf, err, errlen);
	case PROXY_HTTP:
		return http_request(to, buf, cap, err, errlen);
	case PROXY_EXEC:
	case PROXY_NONE:
		break;
	}
	return fail(err, errlen, "proxy type %s sends no request", proxy_type_name(cfg->type));
}

/* ---- replies ---- */

enum {
	ST_SOCKS4 = 0,   /* 8 bytes: VN CD DSTPORT DSTIP */
	ST_S5_CHOICE,    /* 2 bytes: version, method */
	ST_S5_AUTH,      /* 2 bytes: sub-negotiation version, status */
	ST_S5_HEADER,    /* 4 bytes: version, reply, reserved, address type */
	ST_S5_NAMELEN,   /* 1 byte: length of a domain name address */
	ST_S5_ADDR,      /* bound address and port (ignored) */
	ST_HTTP_STATUS,  /* "HTTP/1.x NNN reason" */
	ST_HTTP_HEADERS, /* header lines up to the blank one */
	ST_DONE,
};

void proxy_reply_init(struct proxy_reply *r, const struct proxy_config *cfg) {
	memset(r, 0, sizeof(*r));
	r->type = cfg->type;
	r->socks5_password = cfg->type == PROXY_SOCKS5 && cfg->user && cfg->pass;
	switch (cfg->type) {
	case PROXY_SOCKS4:
		r->stage = ST_SOCKS4;
		r->need = 8;
		break;
	case PROXY_SOCKS5:
		r->stage = ST_S5_CHOICE;
		r->need = 2;
		break;
	case PROXY_HTTP:
		r->stage = ST_HTTP_STATUS;
		r->need = 0; /* line mode */
		break;
	default:
		r->stage = ST_DONE;
		break;
	}
}

static enum proxy_status reply_fail(struct proxy_reply *r, const char *fmt, ...) PX_PRINTF(2, 3);
static enum proxy_status reply_fail(struct proxy_reply *r, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->stage = ST_DONE;
	return PROXY_FAILED;
}

static const char *socks4_reason(uint8_t code) {
	switch (code) {
	case 0x5b:
		return "request rejected or failed";
	case 0x5c:
		return "proxy could not reach our identd";
	case 0x5d:
		return "identd reported a different user id";
	default:
		return "unknown status";
	}
}

static const char *socks5_reason(uint8_t code) {
	static const char *const reasons[] = {
	    "succeeded",
	    "general SOCKS server failure",
	    "connection not allowed by ruleset",
	    "network unreachable",
	    "host unreachable",
	    "connection refused",
	    "TTL expired",
	    "command not supported",
	    "address type not supported",
	};
	return code < sizeof(reasons) / sizeof(reasons[0]) ? reasons[code] : "unknown reply code";
}

/* A complete fixed-size chunk for the current SOCKS stage is in r->buf. */
static enum proxy_status socks_step(struct proxy_reply *r) {
	const uint8_t *b = r->buf;
	r->have = 0;
	switch (r->stage) {
	case ST_SOCKS4:
		if (b[0] != 0)
			return reply_fail(r, "malformed SOCKS 4 reply (version byte %u, expected 0)", b[0]);
		if (b[1] != 0x5a)
			return reply_fail(r, "SOCKS 4 proxy refused: %s (0x%02x)", socks4_reason(b[1]), b[1]);
		r->stage = ST_DONE;
		return PROXY_GRANTED;
	case ST_S5_CHOICE:
		if (b[0] != 5)
			return reply_fail(r, "malformed SOCKS 5 reply (version %u, expected 5)", b[0]);
		if (b[1] == 0xff)
			return reply_fail(r, "SOCKS 5 proxy accepts no authentication method we offered (%s)",
			                  r->socks5_password ? "user/password" : "none");
		if (b[1] != (r->socks5_password ? 2 : 0))
			return reply_fail(r,
			                  "SOCKS 5 proxy chose authentication method %u, we offered only %u",
			                  b[1], r->socks5_password ? 2 : 0);
		r->stage = r->socks5_password ? ST_S5_AUTH : ST_S5_HEADER;
		r->need = r->socks5_password ? 2 : 4;
		return PROXY_MORE;
	case ST_S5_AUTH:
		if (b[0] != 1)
			return reply_fail(
			    r, "malformed SOCKS 5 authentication reply (version %u, expected 1)", b[0]);
		if (b[1] != 0)
			return reply_fail(r, "SOCKS 5 proxy rejected the user name or password (status %u)",
			                  b[1]);
		r->stage = ST_S5_HEADER;
		r->need = 4;
		return PROXY_MORE;
	case ST_S5_HEADER:
		if (b[0] != 5)
			return reply_fail(r, "malformed SOCKS 5 reply (version %u, expected 5)", b[0]);
		if (b[1] != 0)
			return reply_fail(r, "SOCKS 5 proxy refused: %s (%u)", socks5_reason(b[1]), b[1]);
		if (b[3] == 1) {
			r->stage = ST_S5_ADDR;
			r->need = 4 + 2;
		} else if (b[3] == 4) {
			r->stage = ST_S5_ADDR;
			r->need = 16 + 2;
		} else if (b[3] == 3) {
			r->stage = ST_S5_NAMELEN;
			r->need = 1;
		} else {
			return reply_fail(r, "malformed SOCKS 5 reply (address type %u)", b[3]);
		}
		return PROXY_MORE;
	case ST_S5_NAMELEN:
		if (!b[0])
			return reply_fail(r, "malformed SOCKS 5 reply (empty domain name)");
		r->stage = ST_S5_ADDR;
		r->need = (size_t)b[0] + 2;
		return PROXY_MORE;
	case ST_S5_ADDR:
		r->stage = ST_DONE;
		return PROXY_GRANTED;
	default:
		return reply_fail(r, "proxy reply parser in a bad state");
	}
}

/* "HTTP/1.0 200 ..." or "HTTP/1.1 2xx ...": the tunnel is up (RFC 9110 9.3.6). */
static enum proxy_status http_status(struct proxy_reply *r, char *line) {
	if (strncmp(line, "HTTP/1.", 7) || !isdigit((unsigned char)line[7]) || line[8] != ' ' ||
	    !isdigit((unsigned char)line[9]) || !isdigit((unsigned char)line[10]) ||
	    !isdigit((unsigned char)line[11]) || (line[12] && line[12] != ' '))
		return reply_fail(r, "malformed HTTP proxy reply: \"%.60s\"", line);
	if (line[9] != '2')
		return reply_fail(r, "HTTP proxy refused: %.100s", line + 9);
	r->stage = ST_HTTP_HEADERS;
	return PROXY_MORE;
}

static enum proxy_status http_feed(struct proxy_reply *r, const uint8_t *data, size_t len, size_t *used) {
	while (*used < len) {
		uint8_t ch = data[(*used)++];
		if (++r->total > PROXY_HTTP_HEADERS)
			return reply_fail(r, "HTTP proxy reply longer than %d bytes before the blank line",
			                  PROXY_HTTP_HEADERS);
		if (ch != '\n') {
			if (!ch)
				return reply_fail(r, "malformed HTTP proxy reply (NUL byte)");
			if (r->have >= PROXY_HTTP_LINE)
				return reply_fail(r, "HTTP proxy reply line longer than %d bytes",
				                  PROXY_HTTP_LINE);
			r->buf[r->have++] = ch;
			continue;
		}
		if (r->have && r->buf[r->have - 1] == '\r')
			r->have--;
		r->buf[r->have] = 0;
		size_t linelen = r->have;
		r->have = 0;
		if (r->stage == ST_HTTP_STATUS) {
			if (!linelen) /* tinc 1.1 skips empty lines before the status line too */
				continue;
			if (http_status(r, (char *)r->buf) == PROXY_FAILED)
				return PROXY_FAILED;
		} else if (!linelen) {
			r->stage = ST_DONE;
			return PROXY_GRANTED;
		}
	}
	return PROXY_MORE;
}

enum proxy_status proxy_reply_feed(struct proxy_reply *r, const uint8_t *data, size_t len, size_t *used) {
	*used = 0;
	if (r->stage == ST_DONE)
		return r->error[0] ? PROXY_FAILED : PROXY_GRANTED;
	if (r->type == PROXY_HTTP)
		return http_feed(r, data, len, used);
	while (*used < len) {
		size_t take = r->need - r->have;
		if (take > len - *used)
			take = len - *used;
		memcpy(r->buf + r->have, data + *used, take);
		r->have += take;
		*used += take;
		if (r->have < r->need)
			break;
		enum proxy_status st = socks_step(r);
		if (st != PROXY_MORE)
			return st;
	}
	return PROXY_MORE;
}
