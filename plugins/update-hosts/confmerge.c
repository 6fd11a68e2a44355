/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * CONFUPDATE: the new main configuration is the node's own identity and
 * local policy, kept from its current file, followed by the updater's
 * template without those variables. The list of kept variables is
 * documented in docs/update-hosts.md; keep both in step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <inttypes.h>
#include <unistd.h>

#include "update.h"

static const char *const preserved[] = {
    /* identity and keys */
    "Name", "PrivateKeyFile", "PrivateKey", "Ed25519PrivateKeyFile",
    /* where and how this node listens, its device */
    "Port", "AddressFamily", "BindToAddress", "BindToInterface", "ListenAddress", "Interface", "Device",
    "DeviceType",
    /* its own links and plugins */
    "ConnectTo", "PluginDir", "DisablePlugin", "RequirePlugin",
    /* its own update policy: an updater cannot lift it */
    "IgnoreHostsUpdates", "DontForwardHostsUpdates", "IgnoreConfUpdates", "DontForwardConfUpdates",
    "IgnoreNetUpdates", "DontVerifyUpdateSignature", "DontVerifyUpdatePermission", "HostsUpdateInterval",
    "ConfFileTemplate"};

bool uh_preserved_var(const char *var) {
	for (size_t i = 0; i < sizeof(preserved) / sizeof(preserved[0]); i++)
		if (!strcasecmp(var, preserved[i]))
			return true;
	return false;
}

/* The variable name a config line starts with ("" for blank/comment). */
static void line_var(const char *line, size_t len, char *var, size_t cap) {
	size_t i = 0, o = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i < len && o + 1 < cap &&
	       ((line[i] >= 'a' && line[i] <= 'z') || (line[i] >= 'A' && line[i] <= 'Z') ||
	        (line[i] >= '0' && line[i] <= '9')))
		var[o++] = line[i++];
	var[o] = 0;
}

/* Plain text, and every line blank, a comment or "Variable = value". */
bool uh_template_valid(const char *text, size_t len, const char **why) {
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c != '\n' && c != '\t' && c != '\r' && (c < 0x20 || c > 0x7e)) {
			*why = "template holds control or non-ASCII characters";
			return false;
		}
	}
	for (size_t i = 0; i < len;) {
		const char *line = text + i;
		const char *eol = memchr(line, '\n', len - i);
		size_t n = eol ? (size_t)(eol - line) : len - i;
		i += n + 1;
		size_t p = 0;
		while (p < n && (line[p] == ' ' || line[p] == '\t' || line[p] == '\r'))
			p++;
		if (p == n || line[p] == '#')
			continue;
		char var[64];
		line_var(line, n, var, sizeof(var));
		size_t after = p + strlen(var);
		if (!*var || after >= n || !strchr(" \t=", line[after])) {
			*why = "template line is not \"Variable = value\"";
			return false;
		}
		while (after < n && strchr(" \t=\r", line[after]))
			after++;
		if (after == n) {
			*why = "template variable without a value";
			return false;
		}
	}
	return true;
}

static bool append(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap + n + 1) * 2;
		char *nb = realloc(*buf, ncap);
		if (!nb)
			return false;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = 0;
	return true;
}

char *uh_merge_conf(const char *current, const char *tmpl, size_t tlen, const char *updater,
                    uint64_t serial) {
	char *out = NULL;
	size_t len = 0, cap = 0;
	char head[256];
	int hn = snprintf(head, sizeof(head),
	                  "# Written by update-hosts from the template of %s.\n"
	                  "# Local settings kept from the previous file:\n",
	                  updater);
	(void)serial; /* not in the text: an unchanged template must give the same file */
	bool ok = append(&out, &len, &cap, head, (size_t)hn);

	size_t clen = strlen(current);
	for (size_t i = 0; ok && i < clen;) {
		const char *line = current + i;
		const char *eol = memchr(line, '\n', clen - i);
		size_t n = eol ? (size_t)(eol - line) : clen - i;
		i += n + 1;
		char var[64];
		line_var(line, n, var, sizeof(var));
		if (*var && uh_preserved_var(var))
			ok = append(&out, &len, &cap, line, n) && append(&out, &len, &cap, "\n", 1);
	}
	ok = ok && append(&out, &len, &cap, "# Template:\n", 12);
	for (size_t i = 0; ok && i < tlen;) {
		const char *line = tmpl + i;
		const char *eol = memchr(line, '\n', tlen - i);
		size_t n = eol ? (size_t)(eol - line) : tlen - i;
		i += n + 1;
		char var[64];
		line_var(line, n, var, sizeof(var));
		if (*var && uh_preserved_var(var)) {
			UH_LOG(PX_LOG_PROTOCOL, "Template of %s sets %s, which stays local: skipped", updater,
			       var);
			continue;
		}
		ok = append(&out, &len, &cap, line, n) && append(&out, &len, &cap, "\n", 1);
	}
	if (!ok) {
		free(out);
		return NULL;
	}
	return out;
}

/* plexus.conf when it exists, else tinc.conf: the file the core reads. */
char *uh_main_conf_path(void) {
	char *p = uh_path(uh.host->confbase(), "plexus.conf", NULL);
	if (p && access(p, F_OK)) {
		free(p);
		p = uh_path(uh.host->confbase(), "tinc.conf", NULL);
	}
	return p;
}
