/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * tinc-compatible configuration files.
 *
 * Entries are kept in the order they were read; conf_get() picks them in
 * tinc's priority order (command line first, then lower line number, then
 * file name), which is what makes a variable on line 2 of hosts/<Name> win
 * over the same variable on line 5 of tinc.conf, exactly as tinc does.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "logger.h"
#include "xalloc.h"

struct conf server_conf;
char *confbase;
char *netname;
char *main_conf_path;

/* ---- known variables ---- */

/* Third column: what Plexus does with the variable (enum conf_support; left
 * out means CONF_IMPLEMENTED). Fourth: values, '|'-separated, that mean the
 * same as leaving the variable out, so setting them needs no warning. Fifth,
 * for an obsolete variable only: what replaced it, which the warning, `plexus
 * fsck`, `plexus set` and the generated documentation all print. The comment
 * after another not-implemented variable says what happens instead.
 * tests/unit/conf_vars_test.sh checks that every implemented one is read. */
struct known_var {
	const char *name;
	int flags;
	enum conf_support support;
	const char *inert;
	const char *replacement;
};

#define S CONF_SERVER
#define H CONF_HOST
#define M CONF_MULTIPLE

/* Most lines leave out the last two columns (implemented, no inert value). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* tinc 1.0.36 and 1.1 server and host variables, plus Plexus's own. */
/* clang-format off */
static const struct known_var known_vars[] = {
    /* server */
    {"AddressFamily", S},
    {"AutoConnect", S},
    {"BindToAddress", S | M},
    {"BindToInterface", S},
    {"Broadcast", S},
    {"BroadcastSubnet", S | M},
    {"ConnectTo", S | M},
    {"DecrementTTL", S},
    {"Device", S},
    {"DeviceStandby", S},
    {"DeviceType", S}, /* tun, tap, dummy, fd, raw_socket, multicast, vde (with libvdeplug); uml refused at start-up */
    {"DirectOnly", S},
    {"DisableBuggyPeers", S},
    {"ECDSAPrivateKeyFile", S, CONF_OBSOLETE, NULL, "it named a tinc 1.1pre P-521 key, which SPTPS no longer uses; set Ed25519PrivateKeyFile and generate a key with plexus generate-ed25519-keys"},
    {"Ed25519PrivateKeyFile", S},
    {"ExperimentalProtocol", S},
    {"Forwarding", S},
    {"FWMark", S},
    {"GraphDumpFile", S}, /* tinc 1.0's; tinc 1.1 ignores it (obsolete) */
    {"Hostnames", S},
    {"IffOneQueue", S},
    {"Interface", S},
    {"InvitationExpire", S},
    {"KeyExpire", S},
    {"ListenAddress", S | M},
    {"LocalDiscovery", S},
    {"LocalDiscoveryAddress", S | M, CONF_OBSOLETE, NULL, "tinc 1.1 dropped it; LocalDiscovery uses the local addresses nodes announce in their edges"},
    {"LogLevel", S},
    {"MACExpire", S},
    {"MaxConnectionBurst", S},
    {"MaxOutputBufferSize", S},
    {"MaxTimeout", S},
    {"MinTimeout", S}, /* tinc 1.0's; tinc 1.1 ignores it */
    {"Mode", S},
    {"MTUInfoInterval", S}, /* pace of the MTU_INFO hints we originate (protocol_info.c) */
    {"Name", S},
    {"PingInterval", S},
    {"PingTimeout", S},
    {"PriorityInheritance", S},
    {"PrivateKey", S},
    {"PrivateKeyFile", S},
    {"ProcessPriority", S},
    {"Proxy", S, CONF_IMPLEMENTED, "none"}, /* socks4, socks5, http, exec (outgoing meta connections) */
    {"ReplayWindow", S},
    {"Sandbox", S, CONF_REFUSE, "off|none"}, /* the admin asked for a sandbox that would not be applied */
    {"ScriptsExtension", S},
    {"ScriptsInterpreter", S},
    {"StrictSubnets", S},
    {"TunnelServer", S},
    {"UDPDiscovery", S}, /* SPTPS peers; legacy peers keep tinc 1.0's PMTU probing */
    {"UDPDiscoveryInterval", S},
    {"UDPDiscoveryKeepaliveInterval", S},
    {"UDPDiscoveryTimeout", S},
    {"UDPInfoInterval", S}, /* pace of the UDP_INFO hints we originate (protocol_info.c) */
    {"UDPRcvBuf", S},
    {"UDPSndBuf", S},
    {"UPnP", S}, /* refused at start-up, unless no, when built without libminiupnpc */
    {"UPnPDiscoverWait", S},
    {"UPnPRefreshPeriod", S},
    {"VDEGroup", S},
    {"VDEPort", S},
    /* host, or either */
    {"Address", H | M},
    {"Cipher", S | H},
    {"ClampMSS", S | H},
    {"Compression", S | H},
    {"Digest", S | H},
    {"ECDSAPublicKey", H, CONF_OBSOLETE, NULL, "it held a tinc 1.1pre P-521 key, which SPTPS no longer uses; put the node's Ed25519PublicKey in its host file"},
    {"ECDSAPublicKeyFile", S | H, CONF_OBSOLETE, NULL, "it named a tinc 1.1pre P-521 key, which SPTPS no longer uses; set Ed25519PublicKeyFile"},
    {"Ed25519PublicKey", H},
    {"Ed25519PublicKeyFile", S | H},
    {"Ifconfig", H | M, CONF_TOOL_ONLY}, /* for tinc join's tinc-up.invitation; tincd ignores it too */
    {"IndirectData", S | H},
    {"MACLength", S | H},
    {"PMTU", S | H},
    {"PMTUDiscovery", S | H},
    {"Port", S | H},
    {"PublicKey", H},
    {"PublicKeyFile", S | H},
    {"Route", H | M, CONF_TOOL_ONLY}, /* for tinc join's tinc-up.invitation; tincd ignores it too */
    {"Subnet", H | M},
    {"TCPOnly", S | H},
    {"Weight", S | H},
    /* Plexus */
    {"MaxEdgesPerNode", S},   /* cap on ADD_EDGE stored per announcing node */
    {"MaxSubnetsPerNode", S}, /* cap on ADD_SUBNET stored per owner */
    {"PluginDir", S},
    {"DisablePlugin", S | M},
    {"RequirePlugin", S | M},
    {"LoadPlugin", S | M, CONF_OBSOLETE, NULL, "every plugin found in PluginDir is loaded; use RequirePlugin to insist on one and DisablePlugin to leave one out"},
    {"LegacyECDH", S | H}, /* crypto-legacy: ECDH data keys */
    /* update-hosts plugin */
    {"HostsFilesMaster", S | H},
    {"ConfFileMaster", S | H},
    {"DeadHost", H},
    {"NeedsNetUpdates", H},
    {"HostsUpdateInterval", S},
    {"ConfFileTemplate", S},
    {"IgnoreHostsUpdates", S},
    {"DontForwardHostsUpdates", S},
    {"IgnoreConfUpdates", S},
    {"DontForwardConfUpdates", S},
    {"IgnoreNetUpdates", S},
    {"DontVerifyUpdateSignature", S},
    {"DontVerifyUpdatePermission", S},
    {"Transport", S | H, CONF_OBSOLETE, NULL, "the plugin loader uses the one stream and the one datagram transport loaded; use DisablePlugin to leave a transport plugin out"},
    {"LogFile", S, CONF_OBSOLETE, NULL, "choose the log file with plexusd --logfile"},
};
/* clang-format on */

#pragma GCC diagnostic pop

#undef S
#undef H
#undef M

static const struct known_var *find_known_var(const char *var) {
	if (!var) {
		return NULL;
	}

	/* -o HOST.Variable: the host part is a node name. */
	const char *dot = strchr(var, '.');

	if (dot) {
		var = dot + 1;
	}

	for (size_t i = 0; i < sizeof(known_vars) / sizeof(known_vars[0]); i++) {
		if (!strcasecmp(known_vars[i].name, var)) {
			return &known_vars[i];
		}
	}

	return NULL;
}

int conf_var_flags(const char *var) {
	const struct known_var *k = find_known_var(var);
	return k ? k->flags : 0;
}

enum conf_support conf_var_support(const char *var) {
	const struct known_var *k = find_known_var(var);
	return k ? k->support : CONF_IMPLEMENTED;
}

size_t conf_known_var_count(void) {
	return sizeof(known_vars) / sizeof(known_vars[0]);
}

const char *conf_known_var_name(size_t i) {
	return i < conf_known_var_count() ? known_vars[i].name : NULL;
}

const char *conf_var_replacement(const char *var) {
	const struct known_var *k = find_known_var(var);
	return k && k->support == CONF_OBSOLETE ? k->replacement : NULL;
}

const char *conf_known_var_inert(size_t i) {
	return i < conf_known_var_count() ? known_vars[i].inert : NULL;
}

bool conf_var_value_inert(const char *var, const char *value) {
	const struct known_var *k = find_known_var(var);

	if (!k || !k->inert || !value) {
		return false;
	}

	size_t len = strlen(value);

	for (const char *p = k->inert; *p;) {
		size_t n = strcspn(p, "|");

		if (n == len && !strncasecmp(p, value, n)) {
			return true;
		}

		p += n + (p[n] == '|');
	}

	return false;
}

bool check_node_name(const char *name) {
	if (!name || !*name) {
		return false;
	}

	for (const char *p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_') {
			return false;
		}
	}

	return true;
}

/* ---- storage ---- */

void conf_init(struct conf *c) {
	c->v = NULL;
	c->n = c->cap = 0;
}

void conf_free(struct conf *c) {
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].var);
		free(c->v[i].value);
		free(c->v[i].file);
	}

	free(c->v);
	conf_init(c);
}

static void conf_append(struct conf *c, const char *var, const char *value, const char *file, int line) {
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct conf_entry *v = xrealloc(c->v, cap * sizeof(*v));

		c->v = v;
		c->cap = cap;
	}

	struct conf_entry *e = &c->v[c->n++];
	e->var = xstrdup(var);
	e->value = xstrdup(value);
	e->file = file ? xstrdup(file) : NULL;
	e->line = line;
}

/* ---- parsing ---- */

/* "file:line" for messages, or "command line" for -o entries (two rotating buffers). */
const char *conf_where(const char *file, int line) {
	static char buf[2][PATH_MAX + 16];
	static int next;
	char *b = buf[next++ % 2];

	if (!file) {
		return "command line";
	}

	snprintf(b, sizeof(buf[0]), "%s:%d", file, line);
	return b;
}

/* Split one non-empty, trimmed line into variable and value (in place). */
static int split_line(char *line, const char *file, int lineno, char **var, char **value) {
	size_t len = strcspn(line, "\t =");
	char *v = line + len;

	v += strspn(v, "\t ");

	if (*v == '=') {
		v++;
		v += strspn(v, "\t ");
	}

	line[len] = '\0';

	if (!len) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "%s: missing variable name", conf_where(file, lineno));
		return -1;
	}

	if (!*v) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "%s: no value for variable `%s'", conf_where(file, lineno),
		       line);
		return -1;
	}

	*var = line;
	*value = v;
	return 0;
}

static char *trim(char *line) {
	line += strspn(line, "\t ");
	size_t len = strlen(line);

	while (len && isspace((unsigned char)line[len - 1])) {
		line[--len] = '\0';
	}

	return line;
}

static bool (*unknown_filter)(const char *var, const char *where);

void conf_set_unknown_filter(bool (*filter)(const char *var, const char *where)) {
	unknown_filter = filter;
}

static int add_trimmed(struct conf *c, char *line, const char *file, int lineno) {
	char *var, *value;

	if (split_line(line, file, lineno, &var, &value)) {
		return -1;
	}

	/* "HOST.Variable" (from -o) must name a valid node. */
	const char *dot = strchr(var, '.');

	if (dot) {
		size_t hostlen = (size_t)(dot - var);
		char host[hostlen + 1];

		memcpy(host, var, hostlen);
		host[hostlen] = '\0';

		if (!check_node_name(host)) {
			logger(PX_LOG_ALWAYS, LOG_ERR, "%s: invalid node name `%s' in `%s'",
			       conf_where(file, lineno), host, var);
			return -1;
		}
	}

	if (!conf_var_flags(var) && !(unknown_filter && unknown_filter(var, conf_where(file, lineno)))) {
		logger(PX_LOG_ALWAYS, LOG_WARNING, "Unknown variable `%s' in %s", var,
		       conf_where(file, lineno));
	}

	conf_append(c, var, value, file, lineno);
	return 0;
}

int conf_add_line(struct conf *c, const char *line, const char *file, int lineno) {
	if (!line) {
		return -1;
	}

	char *copy = xstrdup(line);
	char *t = trim(copy);
	int ret;

	if (!*t) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "%s: empty configuration line", conf_where(file, lineno));
		ret = -1;
	} else {
		ret = add_trimmed(c, t, file, lineno);
	}

	free(copy);
	return ret;
}

int conf_read_file(struct conf *c, const char *path, bool must_exist) {
	FILE *f = fopen(path, "r");

	if (!f) {
		if (errno == ENOENT && !must_exist) {
			return 0;
		}

		logger(PX_LOG_ALWAYS, LOG_ERR, "Cannot open config file %s: %s", path, strerror(errno));
		return -1;
	}

	char *buf = NULL;
	size_t bufsize = 0;
	int lineno = 0, pem_start = 0;
	int ret = 0;

	while (getline(&buf, &bufsize, f) >= 0) {
		lineno++;
		char *line = trim(buf);

		if (pem_start) {
			if (!strncmp(line, "-----END", 8)) {
				pem_start = 0;
			}

			continue;
		}

		if (!strncmp(line, "-----BEGIN", 10)) {
			pem_start = lineno;
			continue;
		}

		if (!*line || *line == '#') {
			continue;
		}

		if (add_trimmed(c, line, path, lineno)) {
			ret = -1;
			break;
		}
	}

	if (!ret && ferror(f)) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Error reading config file %s: %s", path, strerror(errno));
		ret = -1;
	}

	if (!ret && pem_start) {
		logger(PX_LOG_ALWAYS, LOG_WARNING,
		       "%s:%d: PEM block without -----END line; rest of file ignored", path, pem_start);
	}

	free(buf);
	fclose(f);
	return ret;
}

/* ---- lookup ---- */

/* Priority order: command line, then line number, then file name, then reading order. */
static int entry_cmp(const struct conf *c, size_t a, size_t b) {
	const struct conf_entry *x = &c->v[a], *y = &c->v[b];

	if (!x->file != !y->file) {
		return x->file ? 1 : -1;
	}

	if (x->line != y->line) {
		return x->line < y->line ? -1 : 1;
	}

	if (x->file && y->file) {
		int r = strcmp(x->file, y->file);

		if (r) {
			return r;
		}
	}

	return a < b ? -1 : a > b ? 1 : 0;
}

const struct conf_entry *conf_get_entry(const struct conf *c, const char *var, int index) {
	size_t prev = SIZE_MAX;

	if (!c || !var || index < 0) {
		return NULL;
	}

	/* Selection by repeated minimum: configs are small and this never allocates. */
	for (int k = 0; k <= index; k++) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < c->n; i++) {
			if (strcasecmp(c->v[i].var, var)) {
				continue;
			}

			if (prev != SIZE_MAX && entry_cmp(c, i, prev) <= 0) {
				continue;
			}

			if (best == SIZE_MAX || entry_cmp(c, i, best) < 0) {
				best = i;
			}
		}

		if (best == SIZE_MAX) {
			return NULL;
		}

		prev = best;
	}

	return &c->v[prev];
}

const char *conf_get(const struct conf *c, const char *var, int index) {
	const struct conf_entry *e = conf_get_entry(c, var, index);
	return e ? e->value : NULL;
}

int conf_get_bool(const struct conf *c, const char *var, bool *out) {
	const struct conf_entry *e = conf_get_entry(c, var, 0);

	if (!e) {
		return 0;
	}

	if (!strcasecmp(e->value, "yes")) {
		*out = true;
		return 1;
	}

	if (!strcasecmp(e->value, "no")) {
		*out = false;
		return 1;
	}

	logger(PX_LOG_ALWAYS, LOG_ERR, "%s: %s must be yes or no, not `%s'", conf_where(e->file, e->line),
	       e->var, e->value);
	return -1;
}

int conf_get_int(const struct conf *c, const char *var, int *out) {
	const struct conf_entry *e = conf_get_entry(c, var, 0);

	if (!e) {
		return 0;
	}

	char *end;
	errno = 0;
	long v = strtol(e->value, &end, 10);

	if (isspace((unsigned char)e->value[0]) || end == e->value || *end || errno || v < INT_MIN ||
	    v > INT_MAX) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "%s: %s must be an integer, not `%s'",
		       conf_where(e->file, e->line), e->var, e->value);
		return -1;
	}

	*out = (int)v;
	return 1;
}

/* ---- variables Plexus does not implement ---- */

/* One log line for a set variable that Plexus does not act on. */
static void report_unsupported(const struct known_var *k, const struct conf_entry *e) {
	const char *at = conf_where(e->file, e->line);

	switch (k->support) {
	case CONF_REFUSE:
		logger(PX_LOG_ALWAYS, LOG_ERR,
		       "%s: Variable %s is not implemented by Plexus; refusing this configuration, because "
		       "ignoring it would weaken what it protects (remove it%s%s)",
		       at, k->name, k->inert ? " or set it to " : "", k->inert ? k->inert : "");
		break;
	case CONF_TOOL_ONLY:
		logger(PX_LOG_ALWAYS, LOG_NOTICE,
		       "%s: Variable %s is only used by tinc's invitation tools; plexusd ignores it, as "
		       "tincd does",
		       at, k->name);
		break;
	case CONF_OBSOLETE:
		logger(PX_LOG_ALWAYS, LOG_WARNING, "%s: Variable %s is obsolete and has no effect: %s", at,
		       k->name, k->replacement);
		break;
	default:
		logger(PX_LOG_ALWAYS, LOG_WARNING,
		       "%s: Variable %s is not implemented by Plexus and has no effect", at, k->name);
		break;
	}
}

/* Variables already reported for some peer's host file since the last
 * read_server_config(), so that re-reading host files does not repeat them. */
static bool host_var_reported[sizeof(known_vars) / sizeof(known_vars[0])];

static int check_support(const struct conf *c, bool peer_host_file) {
	int ret = 0;

	for (size_t i = 0; i < sizeof(known_vars) / sizeof(known_vars[0]); i++) {
		const struct known_var *k = &known_vars[i];

		if (k->support == CONF_IMPLEMENTED ||
		    (peer_host_file && (!(k->flags & CONF_HOST) || host_var_reported[i]))) {
			continue;
		}

		for (size_t j = 0; j < c->n; j++) {
			const struct conf_entry *e = &c->v[j];
			const char *dot = strchr(e->var, '.');

			/* -o HOST.Variable only matters for host variables. */
			if (dot && !(k->flags & CONF_HOST)) {
				continue;
			}

			if (strcasecmp(dot ? dot + 1 : e->var, k->name) ||
			    conf_var_value_inert(k->name, e->value)) {
				continue;
			}

			report_unsupported(k, e);

			if (k->support == CONF_REFUSE) {
				ret = -1;
			}

			if (peer_host_file) {
				host_var_reported[i] = true;
			}

			break; /* once per variable */
		}
	}

	return ret;
}

int conf_check_support(const struct conf *c) {
	return c ? check_support(c, false) : 0;
}

void conf_forget_host_reports(void) {
	memset(host_var_reported, 0, sizeof(host_var_reported));
}

int conf_check_host_support(const struct conf *c) {
	return check_support(c, true);
}

/* ---- the daemon's configuration ---- */

char *conf_path_join(const char *a, const char *b, const char *c) {
	size_t len = strlen(a) + strlen(b) + (c ? strlen(c) + 1 : 0) + 2;
	char *p = xmalloc(len);

	if (c) {
		snprintf(p, len, "%s/%s/%s", a, b, c);
	} else {
		snprintf(p, len, "%s/%s", a, b);
	}

	return p;
}

/* Copy command-line "<name>.Var = value" entries of server_conf into c as "Var".
 * The copies get line -1 so that a reload can tell them from real -o entries. */
void conf_apply_host_overrides(struct conf *c, const char *name) {
	size_t namelen = strlen(name);
	size_t n = server_conf.n; /* c may be server_conf itself: only look at old entries */

	for (size_t i = 0; i < n; i++) {
		const struct conf_entry *e = &server_conf.v[i];

		if (e->file || strncmp(e->var, name, namelen) || e->var[namelen] != '.') {
			continue;
		}

		char *var = xstrdup(e->var + namelen + 1), *value = xstrdup(e->value);
		conf_append(c, var, value, NULL, -1);
		free(var);
		free(value);
	}
}
