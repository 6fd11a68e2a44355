/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Reading host files straight from disk. Authorisation and the updater's
 * public key are looked up here at every request rather than through the
 * core's configuration cache, so an edit of hosts/<updater> (or its removal)
 * takes effect for the very next request, and nothing learnt from the
 * network is ever consulted.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "update.h"

#define MAX_HOST_FILE (1 << 16)

char *uh_read_file(const char *path, size_t max, size_t *len) {
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct stat st;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		fclose(f);
		return NULL;
	}
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n > max) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

char *uh_read_host_file(const char *name) {
	if (!uh_valid_name(name))
		return NULL;
	char *path = uh_path(uh.host->confbase(), "hosts", name);
	char *text = path ? uh_read_file(path, MAX_HOST_FILE, NULL) : NULL;
	free(path);
	return text;
}

/* Find `var` in "Var = value" / "Var value" lines, skipping comments and
 * PEM blocks. Returns true with the trimmed value in out. */
bool uh_text_get(const char *text, const char *var, char *out, size_t cap) {
	bool in_pem = false;
	size_t vlen = strlen(var);
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		const char *next = eol ? eol + 1 : NULL;
		if (!eol)
			eol = line + strlen(line);
		const char *p = line;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (!strncmp(p, "-----BEGIN", 10)) {
			in_pem = true;
		} else if (!strncmp(p, "-----END", 8)) {
			in_pem = false;
		} else if (!in_pem && p < eol && *p != '#' && (size_t)(eol - p) > vlen &&
		           !strncasecmp(p, var, vlen) && strchr(" \t=", p[vlen])) {
			const char *v = p + vlen;
			while (v < eol && strchr(" \t=", *v))
				v++;
			const char *e = eol;
			while (e > v && isspace((unsigned char)e[-1]))
				e--;
			if ((size_t)(e - v) < cap) {
				memcpy(out, v, (size_t)(e - v));
				out[e - v] = 0;
				return true;
			}
			return false;
		}
		line = next;
	}
	return false;
}

bool uh_text_bool(const char *text, const char *var, bool dflt) {
	char v[16];
	if (!text || !uh_text_get(text, var, v, sizeof(v)))
		return dflt;
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		return true;
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		return false;
	return dflt;
}

/* The PEM block in the host file, or the file PublicKeyFile names. */
EVP_PKEY *uh_host_public_key(const char *name, const char *text) {
	EVP_PKEY *pkey = uh_public_key_from_text(text);
	if (pkey)
		return pkey;
	char file[1024];
	if (uh_text_get(text, "PublicKeyFile", file, sizeof(file))) {
		char *keytext = uh_read_file(file, MAX_HOST_FILE, NULL);
		if (keytext) {
			pkey = uh_public_key_from_text(keytext);
			free(keytext);
		}
		if (!pkey)
			UH_LOG(PX_LOG_ERROR, "Cannot read the RSA public key of %s from %s", name, file);
	}
	return pkey;
}
