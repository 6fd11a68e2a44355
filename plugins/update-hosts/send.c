/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The updater side: one run is START, a FILE or DEAD line per host file (in
 * name order), END, all with one fresh serial, then a CONFUPDATE when this
 * node is a ConfFileMaster with a ConfFileTemplate. Periodic runs are
 * skipped while nothing changed, except every UH_REFRESH intervals and after
 * a node came up, so that nodes that were away catch up.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "update.h"

struct entry {
	char name[UH_MAX_NAME + 1];
	enum uh_op op;
	char *data;
	size_t len;
};

static bool own_flag(const char *flag) {
	const char *me = uh.host->self_name();
	char *text = me ? uh_read_host_file(me) : NULL;
	bool b = uh_text_bool(text, flag, false);
	free(text);
	return b;
}

bool uh_is_hosts_master(void) {
	return own_flag("HostsFilesMaster");
}

bool uh_is_conf_master(void) {
	return own_flag("ConfFileMaster");
}

static int by_name(const void *a, const void *b) {
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* Every host file we can distribute; a file with DeadHost = yes becomes a
 * DEAD line. Returns the count, entries in *out (free with free_entries). */
static size_t collect_hosts(struct entry **out) {
	char *dir = uh_path(uh.host->confbase(), "hosts", NULL);
	DIR *d = dir ? opendir(dir) : NULL;
	struct entry *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!uh_valid_name(e->d_name))
			continue;
		char *path = uh_path(dir, e->d_name, NULL);
		size_t len = 0;
		char *data = path ? uh_read_file(path, UH_MAX_DATA, &len) : NULL;
		if (!data) {
			UH_LOG(PX_LOG_ERROR, "Not distributing hosts/%s: unreadable or larger than %d bytes",
			       e->d_name, UH_MAX_DATA);
			free(path);
			continue;
		}
		free(path);
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			struct entry *nl = realloc(list, cap * sizeof(*nl));
			if (!nl) {
				free(data);
				break;
			}
			list = nl;
		}
		struct entry *en = &list[n++];
		memcpy(en->name, e->d_name, strlen(e->d_name) + 1); /* uh_valid_name: fits */
		if (uh_text_bool(data, "DeadHost", false)) {
			en->op = UH_OP_DEAD;
			en->data = NULL;
			en->len = 0;
			free(data);
		} else {
			en->op = UH_OP_FILE;
			en->data = data;
			en->len = len;
		}
	}
	if (d)
		closedir(d);
	free(dir);
	if (n)
		qsort(list, n, sizeof(*list), by_name);
	*out = list;
	return n;
}

static void free_entries(struct entry *list, size_t n) {
	for (size_t i = 0; i < n; i++)
		free(list[i].data);
	free(list);
}

/* The template to send, or NULL (logged) when there is none to send. */
static char *load_template(size_t *len) {
	if (!uh.opt.template_path || !uh_is_conf_master())
		return NULL;
	char *text = uh_read_file(uh.opt.template_path, UH_MAX_DATA, len);
	const char *why = NULL;
	if (!text) {
		UH_LOG(PX_LOG_ALWAYS, "ConfFileTemplate %s is missing or larger than %d bytes",
		       uh.opt.template_path, UH_MAX_DATA);
	} else if (!uh_template_valid(text, *len, &why)) {
		UH_LOG(PX_LOG_ALWAYS, "Not sending ConfFileTemplate %s: %s", uh.opt.template_path, why);
		free(text);
		text = NULL;
	}
	return text;
}

static void digest_run(const struct entry *list, size_t n, const char *tmpl, size_t tlen, uint8_t out[32]) {
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int olen = 0;
	memset(out, 0, 32);
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) <= 0) {
		EVP_MD_CTX_free(md);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char head[UH_MAX_NAME + 64];
		int hn = snprintf(head, sizeof(head), "%s%c%d%c%zu%c", list[i].name, 0, (int)list[i].op, 0,
		                  list[i].len, 0);
		EVP_DigestUpdate(md, head, (size_t)hn);
		if (list[i].len)
			EVP_DigestUpdate(md, list[i].data, list[i].len);
	}
	if (tmpl)
		EVP_DigestUpdate(md, tmpl, tlen);
	EVP_DigestFinal_ex(md, out, &olen);
	EVP_MD_CTX_free(md);
}

static int emit(px_conn *to, EVP_PKEY *priv, struct uh_msg *m) {
	static char line[UH_LINE_MAX + 1];
	uint8_t nonce[UH_NONCE_HEX / 2];
	uh.host->random_bytes(nonce, sizeof(nonce));
	for (size_t i = 0; i < sizeof(nonce); i++)
		snprintf(m->nonce + 2 * i, 3, "%02x", nonce[i]);
	if (uh_sign(m, priv) < 0 || uh_format(m, line, sizeof(line)) < 0) {
		UH_LOG(PX_LOG_ALWAYS, "Cannot sign or format %s %s %s",
		       m->id == PX_REQ_HOSTUPDATE ? "HOSTUPDATE" : "CONFUPDATE", uh_op_name(m->op), m->host);
		return -1;
	}
	return to ? uh.host->conn_send(to, "%s", line) : uh.host->broadcast(NULL, "%s", line);
}

int uh_send_run(px_conn *to, bool force) {
	bool hosts = uh_is_hosts_master();
	size_t tlen = 0;
	char *tmpl = load_template(&tlen);
	if (!hosts && !tmpl)
		return 0;

	struct entry *list = NULL;
	size_t n = hosts ? collect_hosts(&list) : 0;
	uint8_t digest[32];
	digest_run(list, n, tmpl, tlen, digest);
	if (!to && !force && uh.have_digest && !memcmp(digest, uh.last_digest, sizeof(digest))) {
		UH_LOG(PX_LOG_PROTOCOL, "No change since the last update run: nothing sent");
		free_entries(list, n);
		free(tmpl);
		return 0;
	}

	int rc = -1;
	EVP_PKEY *priv = uh_load_private_key();
	struct uh_msg *m = calloc(1, sizeof(*m));
	if (!priv || !m)
		goto out;
	const char *me = uh.host->self_name();
	snprintf(m->updater, sizeof(m->updater), "%s", me ? me : "");
	m->serial = uh_next_serial();
	rc = 0;
	if (hosts) {
		m->id = PX_REQ_HOSTUPDATE;
		m->op = UH_OP_START;
		strcpy(m->host, "-");
		m->len = 0;
		rc |= emit(to, priv, m);
		for (size_t i = 0; i < n; i++) {
			m->op = list[i].op;
			snprintf(m->host, sizeof(m->host), "%s", list[i].name);
			m->len = list[i].len;
			if (m->len)
				memcpy(m->data, list[i].data, m->len);
			rc |= emit(to, priv, m);
		}
		m->op = UH_OP_END;
		strcpy(m->host, "-");
		m->len = 0;
		rc |= emit(to, priv, m);
	}
	if (tmpl) {
		m->id = PX_REQ_CONFUPDATE;
		m->op = UH_OP_CONF;
		strcpy(m->host, "-");
		m->len = tlen;
		memcpy(m->data, tmpl, tlen);
		rc |= emit(to, priv, m);
	}
	UH_LOG(PX_LOG_CONNECTIONS, "Sent update run %llu (%zu host files%s) %s%s",
	       (unsigned long long)m->serial, n, tmpl ? ", configuration template" : "",
	       to ? "to " : "to the network", to ? uh.host->conn_name(to) : "");
	if (!to) {
		memcpy(uh.last_digest, digest, sizeof(digest));
		uh.have_digest = true;
	}
	rc = rc ? -1 : 1;
out:
	free(m);
	EVP_PKEY_free(priv);
	free_entries(list, n);
	free(tmpl);
	return rc;
}
