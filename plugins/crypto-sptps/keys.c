/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Ed25519 key files in tinc's formats (see keys.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "b64.h"
#include "keys.h"

#define PRIV_BEGIN    "-----BEGIN ED25519 PRIVATE KEY"
#define PUB_BEGIN     "-----BEGIN ED25519 PUBLIC KEY"
#define BLOCK_END     "-----END "
#define PRIV_FILE_LEN (SPTPS_ED25519_PRIV_LEN + SPTPS_ED25519_PUB_LEN) /* 96 */
#define B64_LINE      48                                               /* bytes per line */
#define MAX_KEY_FILE  65536

bool sptps_key_from_seed(struct sptps_key *k, const uint8_t seed[32]) {
	k->has_private = sptps_ed25519_from_seed(seed, k->priv, k->pub);
	return k->has_private;
}

bool sptps_key_generate(struct sptps_key *k, void (*random)(void *ctx, uint8_t *buf, size_t len), void *ctx) {
	uint8_t seed[32];

	random(ctx, seed, sizeof(seed));
	bool ok = sptps_key_from_seed(k, seed);
	sptps_wipe(seed, sizeof(seed));
	return ok;
}

void sptps_key_wipe(struct sptps_key *k) {
	sptps_wipe(k, sizeof(*k));
}

/* Next line of text: sets *line and *linelen (without CR/LF), returns the
 * offset after it, or len at the end. */
static size_t next_line(const char *text, size_t len, size_t pos, const char **line, size_t *linelen) {
	size_t end = pos;

	while (end < len && text[end] != '\n') {
		end++;
	}

	*line = text + pos;
	*linelen = end - pos;

	if (*linelen && (*line)[*linelen - 1] == '\r') {
		(*linelen)--;
	}

	return end < len ? end + 1 : len;
}

static bool starts_with(const char *line, size_t linelen, const char *prefix) {
	size_t plen = strlen(prefix);
	return linelen >= plen && !memcmp(line, prefix, plen);
}

/* Decode the base64 lines of the block that begins with `begin`, each line
 * separately, into out. Returns the byte count, or -1. */
static ssize_t read_block(const char *text, size_t len, const char *begin, uint8_t *out, size_t outcap) {
	size_t pos = 0, n = 0;
	bool inside = false;

	while (pos < len) {
		const char *line;
		size_t linelen;
		pos = next_line(text, len, pos, &line, &linelen);

		if (!inside) {
			inside = starts_with(line, linelen, begin);
			continue;
		}

		if (starts_with(line, linelen, BLOCK_END)) {
			return (ssize_t)n;
		}

		ssize_t got = sptps_b64_decode(out + n, outcap - n, line, linelen);

		if (got < 0) {
			return -1;
		}

		n += (size_t)got;
	}

	return -1; /* no block, or no END line */
}

bool sptps_key_parse_private(struct sptps_key *k, const char *text, size_t len) {
	uint8_t buf[PRIV_FILE_LEN + 1];
	ssize_t n = read_block(text, len, PRIV_BEGIN, buf, sizeof(buf));
	bool ok = n == PRIV_FILE_LEN;

	if (ok) {
		memcpy(k->priv, buf, SPTPS_ED25519_PRIV_LEN);
		memcpy(k->pub, buf + SPTPS_ED25519_PRIV_LEN, SPTPS_ED25519_PUB_LEN);
		k->has_private = true;
	}

	sptps_wipe(buf, sizeof(buf));
	return ok;
}

bool sptps_key_parse_public_b64(struct sptps_key *k, const char *b64) {
	uint8_t pub[SPTPS_ED25519_PUB_LEN + 1];
	size_t len;

	while (*b64 == ' ' || *b64 == '\t') {
		b64++;
	}

	len = strlen(b64);

	while (len && (b64[len - 1] == ' ' || b64[len - 1] == '\t' || b64[len - 1] == '\n' ||
	               b64[len - 1] == '\r')) {
		len--;
	}

	if (len != SPTPS_PUBKEY_B64_LEN ||
	    sptps_b64_decode(pub, sizeof(pub), b64, len) != SPTPS_ED25519_PUB_LEN) {
		return false;
	}

	memset(k, 0, sizeof(*k));
	memcpy(k->pub, pub, sizeof(k->pub));
	return true;
}

bool sptps_key_parse_public_pem(struct sptps_key *k, const char *text, size_t len) {
	uint8_t pub[SPTPS_ED25519_PUB_LEN + 1];

	if (read_block(text, len, PUB_BEGIN, pub, sizeof(pub)) != SPTPS_ED25519_PUB_LEN) {
		return false;
	}

	memset(k, 0, sizeof(*k));
	memcpy(k->pub, pub, sizeof(k->pub));
	return true;
}

void sptps_key_public_b64(const struct sptps_key *k, char out[SPTPS_PUBKEY_B64_LEN + 1]) {
	sptps_b64_encode(out, k->pub, sizeof(k->pub), false);
}

/* "-----BEGIN <what>-----\n", 48 bytes per base64 line, "-----END <what>-----\n". */
static char *format_block(const char *what, const uint8_t *data, size_t len) {
	size_t cap = 2 * (strlen(what) + 20) + SPTPS_B64_LEN(len) + len / B64_LINE + 2;
	char *text = malloc(cap);

	if (!text) {
		return NULL;
	}

	size_t pos = (size_t)snprintf(text, cap, "-----BEGIN %s-----\n", what);

	for (size_t i = 0; i < len; i += B64_LINE) {
		size_t chunk = len - i < B64_LINE ? len - i : B64_LINE;
		pos += sptps_b64_encode(text + pos, data + i, chunk, false);
		text[pos++] = '\n';
	}

	snprintf(text + pos, cap - pos, "-----END %s-----\n", what);
	return text;
}

char *sptps_key_format_private(const struct sptps_key *k) {
	uint8_t buf[PRIV_FILE_LEN];

	if (!k->has_private) {
		return NULL;
	}

	memcpy(buf, k->priv, SPTPS_ED25519_PRIV_LEN);
	memcpy(buf + SPTPS_ED25519_PRIV_LEN, k->pub, SPTPS_ED25519_PUB_LEN);
	char *text = format_block("ED25519 PRIVATE KEY", buf, sizeof(buf));
	sptps_wipe(buf, sizeof(buf));
	return text;
}

char *sptps_key_format_public_pem(const struct sptps_key *k) {
	return format_block("ED25519 PUBLIC KEY", k->pub, sizeof(k->pub));
}

char *sptps_key_format_host_line(const struct sptps_key *k) {
	char b64[SPTPS_PUBKEY_B64_LEN + 1];
	char *line = malloc(sizeof("Ed25519PublicKey = \n") + SPTPS_PUBKEY_B64_LEN);

	if (line) {
		sptps_key_public_b64(k, b64);
		sprintf(line, "Ed25519PublicKey = %s\n", b64);
	}

	return line;
}

bool sptps_key_load_private_file(struct sptps_key *k, const char *path, bool *loose_mode) {
	struct stat st;
	char *text;
	ssize_t got;
	bool ok;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return false;
	}

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_KEY_FILE) {
		close(fd);
		errno = EINVAL;
		return false;
	}

	if (loose_mode) {
		*loose_mode = (st.st_mode & 077) != 0;
	}

	text = malloc((size_t)st.st_size + 1);

	if (!text) {
		close(fd);
		return false;
	}

	got = read(fd, text, (size_t)st.st_size);
	close(fd);
	ok = got == st.st_size && sptps_key_parse_private(k, text, (size_t)got);

	if (got > 0) {
		sptps_wipe(text, (size_t)got);
	}

	free(text);

	if (!ok) {
		errno = EINVAL;
	}

	return ok;
}
