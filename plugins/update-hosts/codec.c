/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The two request lines, strictly parsed:
 *   100 NONCE UPDATER SERIAL OP HOST B64DATA LEN SIGLEN B64SIG
 *   101 NONCE UPDATER SERIAL B64DATA LEN SIGLEN B64SIG
 * OP is START, FILE, DEAD or END; HOST and B64DATA are "-" when unused.
 * Anything that does not fit exactly is refused before any file is read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "update.h"

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Node names as tinc allows them: letters, digits and '_' only, which also
 * rules out '/', '.' and therefore any path traversal. */
bool uh_valid_name(const char *name) {
	if (!name || !*name || strlen(name) > UH_MAX_NAME)
		return false;
	for (const char *p = name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return false;
	}
	return true;
}

size_t uh_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap) {
	size_t need = (len + 2) / 3 * 4;
	if (need + 1 > cap)
		return 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	out[o] = 0;
	return o;
}

static int b64_value(char c) {
	const char *p = c ? strchr(b64_alphabet, c) : NULL;
	return p ? (int)(p - b64_alphabet) : -1;
}

/* Canonical base64 only: groups of four, padding only at the very end. */
int uh_b64_decode(const char *in, uint8_t *out, size_t cap, size_t *outlen) {
	size_t n = strlen(in);
	if (n == 0 || n % 4)
		return -1;
	size_t pad = 0;
	if (in[n - 1] == '=')
		pad++;
	if (in[n - 2] == '=')
		pad++;
	size_t len = n / 4 * 3 - pad;
	if (len > cap)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			bool padding_allowed = i + 4 == n && k >= 4 - (int)pad;
			if (in[i + k] == '=') {
				if (!padding_allowed)
					return -1;
				v[k] = 0;
			} else {
				if (padding_allowed)
					return -1;
				v[k] = b64_value(in[i + k]);
				if (v[k] < 0)
					return -1;
			}
		}
		uint32_t w =
		    (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		uint8_t bytes[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
		for (int k = 0; k < 3 && o < len; k++)
			out[o++] = bytes[k];
	}
	*outlen = len;
	return 0;
}

const char *uh_op_name(enum uh_op op) {
	switch (op) {
	case UH_OP_START:
		return "START";
	case UH_OP_FILE:
		return "FILE";
	case UH_OP_DEAD:
		return "DEAD";
	case UH_OP_END:
		return "END";
	case UH_OP_CONF:
		return "CONF";
	}
	return "?";
}

static int parse_op(const char *s, enum uh_op *op) {
	static const enum uh_op ops[] = {UH_OP_START, UH_OP_FILE, UH_OP_DEAD, UH_OP_END};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(s, uh_op_name(ops[i]))) {
			*op = ops[i];
			return 0;
		}
	}
	return -1;
}

/* A decimal number without sign, leading junk or overflow. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out) {
	if (!*s || strlen(s) > 20 || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

#define MAX_FIELDS 10

int uh_parse(const char *line, int id, struct uh_msg *m, const char **why) {
	static char copy[UH_LINE_MAX + 1];
	char *field[MAX_FIELDS + 1];
	int nfields = 0;
	int want = id == PX_REQ_HOSTUPDATE ? 10 : 8;

	memset(m, 0, sizeof(*m));
	m->id = id;
	if (strlen(line) > UH_LINE_MAX) {
		*why = "line too long";
		return -1;
	}
	strcpy(copy, line);
	char *save = NULL;
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (nfields == MAX_FIELDS + 1) {
			nfields++;
			break;
		}
		field[nfields++] = tok;
	}
	if (nfields != want) {
		*why = "wrong number of fields";
		return -1;
	}

	int f = 1;
	const char *nonce = field[f++];
	if (strlen(nonce) != UH_NONCE_HEX || strspn(nonce, "0123456789abcdef") != UH_NONCE_HEX) {
		*why = "bad nonce";
		return -1;
	}
	strcpy(m->nonce, nonce);

	const char *updater = field[f++];
	if (!uh_valid_name(updater)) {
		*why = "invalid updater name";
		return -1;
	}
	strcpy(m->updater, updater);

	if (parse_u64(field[f++], UINT64_MAX, &m->serial) < 0 || !m->serial) {
		*why = "bad serial";
		return -1;
	}

	if (id == PX_REQ_HOSTUPDATE) {
		if (parse_op(field[f++], &m->op) < 0) {
			*why = "unknown operation";
			return -1;
		}
		const char *hostname = field[f++];
		if (m->op == UH_OP_FILE || m->op == UH_OP_DEAD) {
			if (!uh_valid_name(hostname)) {
				*why = "invalid host name (only letters, digits and _ are allowed)";
				return -1;
			}
		} else if (strcmp(hostname, "-")) {
			*why = "START/END carry no host name";
			return -1;
		}
		strcpy(m->host, hostname);
	} else {
		m->op = UH_OP_CONF;
		strcpy(m->host, "-");
	}

	const char *b64data = field[f++];
	uint64_t len, siglen;
	if (parse_u64(field[f++], UINT64_MAX, &len) < 0) {
		*why = "bad length field";
		return -1;
	}
	if (len > UH_MAX_DATA) {
		*why = "data too large";
		return -1;
	}
	if (!strcmp(b64data, "-")) {
		m->len = 0;
	} else if (strlen(b64data) > (UH_MAX_DATA + 2) / 3 * 4) {
		*why = "data too large";
		return -1;
	} else if (uh_b64_decode(b64data, m->data, sizeof(m->data), &m->len) < 0) {
		*why = "invalid base64 data";
		return -1;
	}
	if (m->len != len) {
		*why = "length field does not match the data";
		return -1;
	}
	if ((m->op == UH_OP_START || m->op == UH_OP_END || m->op == UH_OP_DEAD) && m->len) {
		*why = "START/END/DEAD carry no data";
		return -1;
	}

	const char *b64sig = field[f + 1];
	if (parse_u64(field[f], UH_MAX_SIG, &siglen) < 0 || !siglen) {
		*why = "bad signature length";
		return -1;
	}
	if (strlen(b64sig) > (UH_MAX_SIG + 2) / 3 * 4 ||
	    uh_b64_decode(b64sig, m->sig, sizeof(m->sig), &m->siglen) < 0) {
		*why = "invalid base64 signature";
		return -1;
	}
	if (m->siglen != siglen) {
		*why = "signature length field does not match the signature";
		return -1;
	}
	return 0;
}

int uh_format(const struct uh_msg *m, char *line, size_t cap) {
	static char data64[(UH_MAX_DATA + 2) / 3 * 4 + 1];
	static char sig64[(UH_MAX_SIG + 2) / 3 * 4 + 1];
	if (m->len > UH_MAX_DATA || !m->siglen || m->siglen > UH_MAX_SIG)
		return -1;
	if (m->len)
		uh_b64_encode(m->data, m->len, data64, sizeof(data64));
	else
		strcpy(data64, "-");
	uh_b64_encode(m->sig, m->siglen, sig64, sizeof(sig64));
	int n;
	if (m->id == PX_REQ_HOSTUPDATE)
		n = snprintf(line, cap, "%d %s %s %" PRIu64 " %s %s %s %zu %zu %s", m->id, m->nonce,
		             m->updater, m->serial, uh_op_name(m->op), m->host, data64, m->len, m->siglen,
		             sig64);
	else
		n = snprintf(line, cap, "%d %s %s %" PRIu64 " %s %zu %zu %s", m->id, m->nonce, m->updater,
		             m->serial, data64, m->len, m->siglen, sig64);
	if (n < 0 || (size_t)n >= cap || (size_t)n > UH_LINE_MAX)
		return -1;
	return n;
}

/* Every field but the nonce and the signature, NUL-separated (no field can
 * hold a NUL), then the raw data: two different requests never sign the
 * same bytes, and a HOSTUPDATE signature is useless as a CONFUPDATE one. */
int uh_signed_bytes(const struct uh_msg *m, uint8_t *out, size_t cap) {
	char head[256];
	int n = snprintf(head, sizeof(head), "%s%c%s%c%" PRIu64 "%c%s%c%s%c%zu%c",
	                 m->id == PX_REQ_HOSTUPDATE ? "HOSTUPDATE" : "CONFUPDATE", 0, m->updater, 0,
	                 m->serial, 0, uh_op_name(m->op), 0, m->host, 0, m->len, 0);
	if (n < 0 || (size_t)n >= sizeof(head) || (size_t)n + m->len > cap)
		return -1;
	memcpy(out, head, (size_t)n);
	memcpy(out + n, m->data, m->len);
	return n + (int)m->len;
}
