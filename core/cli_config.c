/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus get|set|add|del VARIABLE [VALUE] (and `config get|set|add|del`):
 * tinc 1.1's configuration editing. A server variable goes to the main
 * file, a host-only variable to our own host file, NODE.Variable to
 * hosts/NODE. Unknown variables, server variables in host files and
 * malformed values are refused unless --force; `add` of a single-valued
 * variable behaves as `set`. After a change a running daemon is reloaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "keys.h"
#include "proxy_wire.h"
#include "subnet.h"

/* ---- helpers shared by the command files ---- */

char *cli_path(const char *fmt, ...) {
	va_list ap;
	char *out;

	va_start(ap, fmt);
	if (vasprintf(&out, fmt, ap) < 0) {
		fprintf(stderr, "%s: out of memory\n", program);
		exit(1);
	}
	va_end(ap);
	return out;
}

char *cli_main_conf(void) {
	char *p = cli_path("%s/plexus.conf", cli_confbase);

	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return cli_path("%s/tinc.conf", cli_confbase);
}

bool cli_valid_name(const char *name) {
	return check_node_name(name);
}

/* Split "Var = value" / "Var value" in place, as tinc's files are read.
 * Returns the variable (possibly empty); *value points into the line. */
char *cli_split_var(char *line, char **value) {
	size_t len = strcspn(line, "\t =");
	char *v = line + len;

	v += strspn(v, "\t ");
	if (*v == '=') {
		v++;
		v += strspn(v, "\t ");
	}
	line[len] = 0;
	size_t vl = strlen(v);
	while (vl && isspace((unsigned char)v[vl - 1]))
		v[--vl] = 0;
	*value = v;
	return line;
}

/* Name = $VAR or $HOST: the same expansion plexusd does. */
static char *expand_name(const char *value) {
	char host[256];
	const char *src = value;
	char *out;

	if (value[0] == '$') {
		src = getenv(value + 1);
		if (!src && !strcmp(value + 1, "HOST")) {
			if (gethostname(host, sizeof(host)))
				return NULL;
			host[sizeof(host) - 1] = 0;
			src = host;
		}
		if (!src)
			return NULL;
	}
	out = strdup(src);
	if (!out)
		return NULL;
	if (value[0] == '$')
		for (char *p = out; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				*p = '_';
	return out;
}

char *cli_my_name(bool verbose) {
	char *path = cli_main_conf();
	FILE *f = fopen(path, "r");
	char *buf = NULL, *result = NULL;
	size_t cap = 0;

	if (!f) {
		if (verbose)
			fprintf(stderr, "Could not open %s: %s\n", path, strerror(errno));
		free(path);
		return NULL;
	}
	while (getline(&buf, &cap, f) >= 0) {
		char *value, *var = cli_split_var(buf + strspn(buf, "\t "), &value);

		if (strcasecmp(var, "Name") || !*value)
			continue;
		result = expand_name(value);
		if (!result || !check_node_name(result)) {
			if (verbose)
				fprintf(stderr, "Invalid Name in %s: %s\n", path, value);
			free(result);
			result = NULL;
		}
		break;
	}
	if (!result && verbose && !ferror(f))
		fprintf(stderr, "Could not find Name in %s.\n", path);
	free(buf);
	fclose(f);
	free(path);
	return result;
}

char *cli_read_all(FILE *in, size_t *len) {
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	for (;;) {
		size_t r = fread(buf + n, 1, cap - n, in);

		n += r;
		if (n < cap) {
			if (ferror(in)) {
				free(buf);
				return NULL;
			}
			if (feof(in) || r == 0)
				break;
			continue;
		}
		char *nb = realloc(buf, 2 * cap + 1);
		if (!nb) {
			free(buf);
			return NULL;
		}
		buf = nb;
		cap *= 2;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

int cli_write_file_atomic(const char *path, const char *text, size_t len, unsigned mode) {
	struct stat st;
	char *tmp = cli_path("%s.config.tmp", path);
	int fd, r = -1;

	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		fprintf(stderr, "Could not open temporary file %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	(void)fchmod(fd, mode);
	if ((len && write(fd, text, len) != (ssize_t)len) || fsync(fd) < 0) {
		fprintf(stderr, "Error writing to temporary file %s: %s\n", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		fprintf(stderr, "Error renaming temporary file %s to configuration file %s: %s\n", tmp, path,
		        strerror(errno));
		unlink(tmp);
		goto out;
	}
	r = 0;
out:
	free(tmp);
	return r;
}

/* ---- value checks ---- */

/* A value for a plugin variable of type `type` (plexusd --dump-variables),
 * checked the way plexusd's conf_bool/conf_int read it. */
static bool plugin_value_ok(const char *type, const char *value) {
	if (!strcmp(type, "bool"))
		return !strcasecmp(value, "yes") || !strcasecmp(value, "no");
	if (!strcmp(type, "int")) {
		char *end;
		errno = 0;
		(void)strtol(value, &end, 10);
		return *value && !*end && !errno;
	}
	return true;
}

/* tinc 1.1 marks these obsolete: setting them needs --force. */
static bool obsolete_var(const char *var) {
	static const char *const names[] = {"GraphDumpFile", "PrivateKey", "PublicKey", "PublicKeyFile"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(var, names[i]))
			return true;
	return false;
}

static bool one_of(const char *value, const char *choices) {
	size_t len = strlen(value);

	for (const char *p = choices; *p;) {
		size_t n = strcspn(p, "|");

		if (n == len && !strncasecmp(p, value, n))
			return true;
		p += n + (p[n] == '|');
	}
	return false;
}

static bool is_uint(const char *value, long max) {
	char *end;
	long v;

	if (!isdigit((unsigned char)*value))
		return false;
	errno = 0;
	v = strtol(value, &end, 10);
	return !*end && !errno && v <= max;
}

/* What a value of `var` must look like, or NULL if it is fine. The types
 * follow how plexusd (and tincd) read each variable. */
static const char *check_value(const char *var, const char *value) {
	static const char *const yes_no[] = {"AutoConnect",          "ClampMSS",       "DecrementTTL",
	                                     "DeviceStandby",        "DirectOnly",     "DisableBuggyPeers",
	                                     "ExperimentalProtocol", "Hostnames",      "IffOneQueue",
	                                     "IndirectData",         "LocalDiscovery", "PMTUDiscovery",
	                                     "PriorityInheritance",  "StrictSubnets",  "TCPOnly",
	                                     "UDPDiscovery"};
	static const char *const numbers[] = {"Compression",
	                                      "FWMark",
	                                      "InvitationExpire",
	                                      "KeyExpire",
	                                      "MACExpire",
	                                      "MACLength",
	                                      "MaxConnectionBurst",
	                                      "MaxOutputBufferSize",
	                                      "MaxTimeout",
	                                      "MTUInfoInterval",
	                                      "PingInterval",
	                                      "PingTimeout",
	                                      "PMTU",
	                                      "ReplayWindow",
	                                      "UDPDiscoveryInterval",
	                                      "UDPDiscoveryKeepaliveInterval",
	                                      "UDPDiscoveryTimeout",
	                                      "UDPInfoInterval",
	                                      "UDPRcvBuf",
	                                      "UDPSndBuf",
	                                      "UPnPDiscoverWait",
	                                      "UPnPRefreshPeriod",
	                                      "Weight",
	                                      "LogLevel"};
	static const struct {
		const char *var, *choices;
	} enums[] = {
	    {"Mode", "router|switch|hub"},
	    {"Forwarding", "off|internal|kernel"},
	    {"Broadcast", "no|mst|direct|yes"},
	    {"AddressFamily", "ipv4|ipv6|any"},
	    {"ProcessPriority", "low|normal|high"},
	    {"TunnelServer", "yes|no"},
	    {"UPnP", "yes|no|udponly"},
	};
	struct subnet s;

	for (size_t i = 0; i < sizeof(yes_no) / sizeof(yes_no[0]); i++)
		if (!strcasecmp(var, yes_no[i]))
			return one_of(value, "yes|no") ? NULL : "yes or no";
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		if (!strcasecmp(var, numbers[i]))
			return is_uint(value, 0x7fffffff) ? NULL : "a non-negative integer";
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++)
		if (!strcasecmp(var, enums[i].var))
			return one_of(value, enums[i].choices) ? NULL : enums[i].choices;
	if (!strcasecmp(var, "Subnet") || !strcasecmp(var, "BroadcastSubnet")) {
		if (!subnet_parse(value, &s))
			return "a subnet (address[/prefix][#weight] or a MAC address)";
		if (!subnet_hostbits_clear(&s))
			return "a subnet whose network address and prefix length match";
		return NULL;
	}
	if (!strcasecmp(var, "ConnectTo"))
		return check_node_name(value) ? NULL : "a node name (letters, digits and _)";
	if (!strcasecmp(var, "Name"))
		return value[0] == '$' || check_node_name(value)
		           ? NULL
		           : "a node name (letters, digits and _), $HOST or $VAR";
	if (!strcasecmp(var, "Ed25519PublicKey")) {
		struct sptps_key k;

		return sptps_key_parse_public_b64(&k, value) ? NULL : "43 characters of tinc's base64";
	}
	if (!strcasecmp(var, "Port"))
		return is_uint(value, 65535) || getservbyname(value, "tcp") ? NULL
		                                                            : "a port number or service name";
	if (!strcasecmp(var, "Proxy")) {
		/* plexusd refuses to start with a bad one (proxy_wire.c parses both). */
		struct proxy_config pc;
		char err[200];
		if (proxy_config_parse(value, &pc, err, sizeof(err)) < 0)
			return "socks4 HOST PORT [USER], socks5 HOST PORT [USER PASSWORD], http HOST PORT, "
			       "exec COMMAND or none";
		proxy_config_free(&pc);
	}
	return NULL;
}

/* plexusd also reads these from the main file, but tinc's CLI keeps them
 * in our host file, where the other nodes get them from (`set Port 655`
 * writes hosts/NAME). */
static bool host_file_only(const char *var) {
	return !strcasecmp(var, "Port") || !strcasecmp(var, "Weight");
}

/* ---- the command ---- */

enum action { GET, SET, ADD, DEL };

struct request {
	enum action action;
	char *node;      /* host file, or NULL for the main file */
	const char *var; /* canonical spelling if known */
	const char *value;
	bool warn_remove; /* `set` of a multi-valued variable: say what goes */
	bool node_owned;  /* node was allocated (our own name), not part of the line */
};

/* Build the request from the arguments as tinc does: the rest of the
 * command line is joined, then split into [NODE.]VARIABLE and VALUE. */
static int parse_request(int argc, char **argv, struct request *rq, char **linebuf) {
	size_t total = 1;
	char *line, *dot, *value;
	int flags;

	if (!strcasecmp(argv[0], "config")) {
		argc--, argv++;
		if (argc < 1) {
			fprintf(stderr, "Invalid number of arguments.\n");
			return -1;
		}
	}
	if (!strcasecmp(argv[0], "get")) {
		rq->action = GET;
	} else if (!strcasecmp(argv[0], "add")) {
		rq->action = ADD;
	} else if (!strcasecmp(argv[0], "del")) {
		rq->action = DEL;
	} else if (!strcasecmp(argv[0], "set") || !strcasecmp(argv[0], "replace") ||
	           !strcasecmp(argv[0], "change")) {
		rq->action = SET;
	} else {
		/* `config VAR [VALUE]`: get, or set when a value is given */
		rq->action = GET;
		argc++, argv--;
	}
	if (argc < 2) {
		fprintf(stderr, "Invalid number of arguments.\n");
		return -1;
	}
	for (int i = 1; i < argc; i++)
		total += strlen(argv[i]) + 1;
	line = calloc(1, total);
	if (!line)
		return -1;
	*linebuf = line;
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			strcat(line, " ");
		strcat(line, argv[i]);
	}
	line = cli_split_var(line, &value);
	dot = strchr(line, '.');
	if (dot) {
		*dot = 0;
		rq->node = line;
		rq->var = dot + 1;
	} else {
		rq->var = line;
	}
	rq->value = value;
	if (!*rq->var) {
		fprintf(stderr, "No variable given.\n");
		return -1;
	}
	if ((rq->action == SET || rq->action == ADD) && !*value) {
		fprintf(stderr, "No value for variable given.\n");
		return -1;
	}
	if (rq->action == GET && *value)
		rq->action = SET;
	if (rq->node && !check_node_name(rq->node)) {
		fprintf(stderr, "Invalid name for node.\n");
		return -1;
	}

	flags = conf_var_flags(rq->var);
	char ptype[16] = "";
	if (!flags && (flags = cli_plugin_var_flags(rq->var, ptype, sizeof(ptype))) &&
	    (rq->action == SET || rq->action == ADD) && !plugin_value_ok(ptype, rq->value)) {
		if (!cli_force) {
			fprintf(stderr,
			        "Invalid value for %s: %s (expected %s). Use --force to use it anyway.\n",
			        rq->var, rq->value, !strcmp(ptype, "bool") ? "yes or no" : "an integer");
			return -1;
		}
		fprintf(stderr, "Warning: invalid value for %s: %s\n", rq->var, rq->value);
	}
	if (!flags) {
		if (cli_force || rq->action == GET || rq->action == DEL) {
			fprintf(stderr, "Warning: %s is not a known configuration variable!\n", rq->var);
		} else {
			fprintf(stderr,
			        "%s: is not a known configuration variable! Use --force to use it anyway.\n",
			        rq->var);
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < conf_known_var_count(); i++)
		if (!strcasecmp(conf_known_var_name(i), rq->var))
			rq->var = conf_known_var_name(i);

	if (rq->action == SET || rq->action == ADD) {
		const char *want = check_value(rq->var, rq->value);

		if (want) {
			if (!cli_force) {
				fprintf(
				    stderr,
				    "Invalid value for %s: %s (expected %s). Use --force to use it anyway.\n",
				    rq->var, rq->value, want);
				return -1;
			}
			fprintf(stderr, "Warning: invalid value for %s: %s (expected %s)\n", rq->var,
			        rq->value, want);
		}
		if (obsolete_var(rq->var)) {
			if (!cli_force) {
				fprintf(stderr, "%s is an obsolete variable! Use --force to use it anyway.\n",
				        rq->var);
				return -1;
			}
			fprintf(stderr, "Warning: %s is an obsolete variable!\n", rq->var);
		}
		if (rq->node && !(flags & CONF_HOST)) {
			if (!cli_force) {
				fprintf(stderr,
				        "%s is not a host configuration variable! Use --force to use it "
				        "anyway.\n",
				        rq->var);
				return -1;
			}
			fprintf(stderr, "Warning: %s is not a host configuration variable!\n", rq->var);
		}
		switch (conf_var_support(rq->var)) {
		case CONF_REFUSE:
			if (!conf_var_value_inert(rq->var, rq->value)) {
				if (!cli_force) {
					fprintf(stderr,
					        "%s is not implemented by Plexus, and plexusd refuses to "
					        "start with it "
					        "set. Use --force to write it anyway.\n",
					        rq->var);
					return -1;
				}
				fprintf(stderr, "Warning: plexusd refuses to start with %s set.\n", rq->var);
			}
			break;
		case CONF_WARN:
			if (!conf_var_value_inert(rq->var, rq->value))
				fprintf(stderr,
				        "Warning: %s is not implemented by Plexus and has no effect.\n",
				        rq->var);
			break;
		case CONF_OBSOLETE:
			/* As tinc treats its obsolete variables: only with --force. */
			if (!cli_force) {
				fprintf(stderr,
				        "%s is an obsolete variable and has no effect: %s. Use --force to "
				        "use it anyway.\n",
				        rq->var, conf_var_replacement(rq->var));
				return -1;
			}
			fprintf(stderr, "Warning: %s is an obsolete variable and has no effect: %s.\n",
			        rq->var, conf_var_replacement(rq->var));
			break;
		default:
			break;
		}
	}
	if (!rq->node && (!(flags & CONF_SERVER) || host_file_only(rq->var))) {
		rq->node = cli_my_name(true);
		if (!rq->node)
			return -1;
		rq->node_owned = true;
	}
	if (rq->action == ADD && !(flags & CONF_MULTIPLE)) {
		rq->action = SET;
		rq->warn_remove = true;
	} else if (rq->action == SET && (flags & CONF_MULTIPLE)) {
		rq->warn_remove = true;
	}
	return 0;
}

struct textbuf {
	char *s;
	size_t len, cap;
};

static void tb_add(struct textbuf *t, const char *s, size_t n) {
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *p = realloc(t->s, cap);

		if (!p) {
			fprintf(stderr, "%s: out of memory\n", program);
			exit(1);
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = 0;
}

static void tb_line(struct textbuf *t, const char *var, const char *value) {
	tb_add(t, var, strlen(var));
	tb_add(t, " = ", 3);
	tb_add(t, value, strlen(value));
	tb_add(t, "\n", 1);
}

/* Read the file, act on the matching lines, write it back if changed. */
static int apply(const struct request *rq, const char *path) {
	FILE *f = fopen(path, "r");
	struct textbuf out = {0};
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	bool found = false, set = false, removed = false, pem = false;
	int r = 1;

	if (!f) {
		fprintf(stderr, "Could not open configuration file %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = getline(&buf, &cap, f)) >= 0) {
		char *copy = strdup(buf), *value, *var;
		const char *trimmed = buf + strspn(buf, "\t ");
		bool match;

		if (!copy) {
			fprintf(stderr, "%s: out of memory\n", program);
			exit(1);
		}
		/* Key material between BEGIN and END lines is never a variable. */
		if (pem) {
			if (!strncmp(trimmed, "-----END", 8))
				pem = false;
			match = false;
		} else if (!strncmp(trimmed, "-----BEGIN", 10)) {
			pem = true;
			match = false;
		} else {
			var = cli_split_var(copy + strspn(copy, "\t "), &value);
			match = !strcasecmp(var, rq->var);
		}
		if (match) {
			switch (rq->action) {
			case GET:
				found = true;
				printf("%s\n", value);
				break;
			case DEL:
				if (!*rq->value || !strcasecmp(value, rq->value)) {
					removed = true;
					free(copy);
					continue;
				}
				break;
			case SET:
				if (rq->warn_remove && strcasecmp(value, rq->value))
					fprintf(stderr, "Warning: removing %s = %s\n", rq->var, value);
				if (!set)
					tb_line(&out, rq->var, rq->value);
				set = true;
				free(copy);
				continue;
			case ADD:
				if (!strcasecmp(value, rq->value))
					found = true;
				break;
			}
		}
		free(copy);
		tb_add(&out, buf, (size_t)n);
		if (n && buf[n - 1] != '\n')
			tb_add(&out, "\n", 1);
	}
	if (ferror(f)) {
		fprintf(stderr, "Error while reading from configuration file %s: %s\n", path,
		        strerror(errno));
		goto out;
	}
	if ((rq->action == ADD && !found) || (rq->action == SET && !set))
		tb_line(&out, rq->var, rq->value);

	if (rq->action == GET) {
		if (!found)
			fprintf(stderr, "No matching configuration variables found.\n");
		r = found ? 0 : 1;
		goto out;
	}
	if (rq->action == DEL && !removed) {
		fprintf(stderr, "No configuration variables deleted.\n");
		goto out;
	}
	if (rq->action == ADD && found) { /* already there: nothing to write */
		r = 0;
		goto out;
	}
	if (cli_write_file_atomic(path, out.s ? out.s : "", out.len, 0644) < 0)
		goto out;
	cli_reload_quietly();
	r = 0;
out:
	fclose(f);
	free(buf);
	free(out.s);
	return r;
}

/* Why: one entry point for get/set/add/del/config, as in tinc. */
int cmd_config(int argc, char **argv) {
	struct request rq = {0};
	char *line = NULL, *path;
	int r;

	if (parse_request(argc, argv, &rq, &line) < 0) {
		if (rq.node_owned)
			free(rq.node);
		free(line);
		return 1;
	}
	path = rq.node ? cli_path("%s/hosts/%s", cli_confbase, rq.node) : cli_main_conf();
	r = apply(&rq, path);
	free(path);
	if (rq.node_owned)
		free(rq.node);
	free(line);
	return r;
}
