/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus join [URL]: the joiner's side of tinc 1.1's invitation protocol
 * (docs/invitations.md). Connects to the inviter, proves it holds the
 * cookie inside an SPTPS session keyed by the invitation key (checked
 * against the hash in the URL), writes the configuration it receives
 * (only the variables tinc lets a joiner accept, unless --force), makes
 * its own keys and sends its public key back.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "invitation_names.h"
#include "keys.h"
#include "sptps.h"
#include "subnet.h"

#define JOIN_TIMEOUT_S   5 /* per read, as tinc */
#define MAX_INVITATION   (1u << 20)
#define INVITATION_LABEL "tinc invitation"
#define SEPARATOR        "#---------------------------------------------------------------#"

/* The variables tinc 1.1 accepts from an invitation (its "safe" ones);
 * host marks those written to our host file instead of the main file. */
static const struct {
	const char *name;
	bool host;
} safe_vars[] = {
    {"AddressFamily", false},
    {"AutoConnect", false},
    {"Broadcast", false},
    {"BroadcastSubnet", false},
    {"ConnectTo", false},
    {"DecrementTTL", false},
    {"DirectOnly", false},
    {"KeyExpire", false},
    {"LocalDiscovery", false},
    {"MACExpire", false},
    {"MaxConnectionBurst", false},
    {"MaxOutputBufferSize", false},
    {"MaxTimeout", false},
    {"Mode", false},
    {"PingInterval", false},
    {"PingTimeout", false},
    {"ReplayWindow", false},
    {"StrictSubnets", false},
    {"TunnelServer", false},
    {"UDPDiscovery", false},
    {"UDPDiscoveryKeepaliveInterval", false},
    {"UDPDiscoveryInterval", false},
    {"UDPDiscoveryTimeout", false},
    {"MTUInfoInterval", false},
    {"UDPInfoInterval", false},
    {"ClampMSS", true},
    {"Compression", true},
    {"IndirectData", true},
    {"Subnet", true},
    {"TCPOnly", true},
    {"Weight", true},
};

struct join {
	int sock;
	sptps_t *sptps;
	char *data; /* invitation file received so far */
	size_t len;
	uint8_t cookie[INVITATION_COOKIE_LEN];
	bool success;
};

static void join_random(void *ctx, uint8_t *buf, size_t len) {
	(void)ctx;
	randombytes_buf(buf, len);
}

static void join_log(void *ctx, enum sptps_log_level level, const char *msg) {
	(void)ctx;
	if (level == SPTPS_LOG_ERROR)
		fprintf(stderr, "%s\n", msg);
}

static bool send_all(int fd, const void *data, size_t len) {
	const char *p = data;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool join_send(void *ctx, uint8_t type, const uint8_t *wire, size_t len) {
	struct join *j = ctx;

	(void)type;
	return send_all(j->sock, wire, len);
}

/* Next line of the received data (NULL at the end); *p advances. */
static char *next_line(char *buf, size_t cap, const char **p) {
	const char *s = *p, *e;
	size_t l;

	if (!s || !*s)
		return NULL;
	e = strchr(s, '\n');
	l = e ? (size_t)(e - s) : strlen(s);
	if (l >= cap) {
		fprintf(stderr, "Maximum line length exceeded!\n");
		*p = NULL;
		return NULL;
	}
	memcpy(buf, s, l);
	buf[l] = 0;
	if (l && buf[l - 1] == '\r')
		buf[l - 1] = 0;
	*p = e ? e + 1 : NULL;
	return buf;
}

static int make_dir(const char *path, mode_t mode) {
	if (mkdir(path, mode) < 0 && errno != EEXIST) {
		fprintf(stderr, "Could not create directory %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode) {
	char *p = strdup(path);

	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0755);
			*s = '/';
		}
	}
	int r = make_dir(p, mode);
	free(p);
	return r;
}

static FILE *create_file(const char *path, mode_t mode) {
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f) {
		fprintf(stderr, "Could not create file %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/* Ifconfig and Route lines become commands of tinc-up.invitation, written
 * the way tinc writes them (Linux `ip`). */
static bool ifconfig_line(FILE *up, const char *var, char *value) {
	struct subnet s, gw;
	char str[128], gws[128];

	if (!strcasecmp(var, "Ifconfig")) {
		if (!strcasecmp(value, "dhcp")) {
			fprintf(up, "dhclient -nw \"$INTERFACE\"\n");
		} else if (!strcasecmp(value, "dhcp6")) {
			fprintf(up, "dhclient -6 -nw \"$INTERFACE\"\n");
		} else if (!strcasecmp(value, "slaac")) {
			fprintf(up, "echo 1 >\"/proc/sys/net/ipv6/conf/$INTERFACE/accept_ra\"\n");
			fprintf(up, "echo 1 >\"/proc/sys/net/ipv6/conf/$INTERFACE/autoconf\"\n");
		} else if (!subnet_parse(value, &s) || s.type == SUBNET_MAC) {
			fprintf(stderr, "Could not parse address in Ifconfig statement\n");
		} else {
			subnet_format_compact(&s, str, sizeof(str));
			fprintf(up, "ip addr replace %s dev \"$INTERFACE\"\n", str);
		}
		return true;
	}
	if (!strcasecmp(var, "Route")) {
		char *gate = strchr(value, ' ');

		if (gate)
			*gate++ = 0;
		if (!subnet_parse(value, &s) || s.type == SUBNET_MAC) {
			fprintf(stderr, "Could not parse subnet in Route statement\n");
			return true;
		}
		subnet_format_compact(&s, str, sizeof(str));
		if (gate) {
			if (!subnet_parse(gate, &gw) || gw.type != s.type) {
				fprintf(stderr, "Could not parse gateway in Route statement\n");
				return true;
			}
			subnet_format_compact(&gw, gws, sizeof(gws));
			gws[strcspn(gws, "/")] = 0;
			fprintf(up, "ip route add %s via %s dev \"$INTERFACE\" onlink\n", str, gws);
		} else {
			fprintf(up, "ip route add %s dev \"$INTERFACE\"\n", str);
		}
		return true;
	}
	return false;
}

/* tinc's first-run check: if port 655 is taken, pick a random free one
 * and put it in our host file. */
static bool port_free(uint16_t port) {
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
	    u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int one = 1;
	bool ok = t >= 0 && u >= 0;

	if (ok) {
		setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		ok = !bind(t, (struct sockaddr *)&sa, sizeof(sa)) &&
		     !bind(u, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (t >= 0)
		close(t);
	if (u >= 0)
		close(u);
	return ok;
}

static void check_port(const char *hostfile) {
	if (port_free(655))
		return;
	fprintf(stderr, "Warning: could not bind to port 655. ");
	for (int i = 0; i < 100; i++) {
		uint16_t port = (uint16_t)(0x1000 + randombytes_uniform(0x8000));

		if (port_free(port)) {
			FILE *f = fopen(hostfile, "a");
			if (!f)
				break;
			fprintf(f, "Port = %u\n", port);
			fclose(f);
			fprintf(stderr, "Plexus will instead listen on port %u.\n", port);
			return;
		}
	}
	fprintf(stderr, "Please change the Port manually.\n");
}

/* Write everything from the invitation; then make our keys and send the
 * public one. */
static bool finalize_join(struct join *j) {
	const char *p = j->data;
	char line[1024], *l, *value, *name = NULL;
	FILE *conf = NULL, *host = NULL, *up = NULL, *f;
	char *confpath = NULL, *hostpath = NULL, *path = NULL;
	bool ok = false, up_has_commands = false;

	/* The first line names us. */
	l = next_line(line, sizeof(line), &p);
	if (!l || strcasecmp(cli_split_var(l, &value), "Name")) {
		fprintf(stderr, "No Name found in invitation!\n");
		return false;
	}
	if (!cli_valid_name(value)) {
		fprintf(stderr, "Invalid Name found in invitation!\n");
		return false;
	}
	name = strdup(value);

	/* A NetName in the invitation picks the network unless -n or -c did. */
	if (!opt_netname && !opt_confdir) {
		const char *q = j->data;
		while ((l = next_line(line, sizeof(line), &q))) {
			if (!strcasecmp(cli_split_var(l, &value), "NetName")) {
				if (cli_switch_network(value) < 0) {
					fprintf(stderr, "Unsafe NetName found in invitation!\n");
					goto out;
				}
				break;
			}
			if (!strcmp(l, SEPARATOR))
				break;
		}
	}

	char *plexusconf = cli_path("%s/plexus.conf", cli_confbase);
	confpath = cli_path("%s/tinc.conf", cli_confbase);
	bool exists = !access(plexusconf, F_OK) || !access(confpath, F_OK);
	free(confpath);
	confpath = plexusconf;
	if (exists) {
		fprintf(stderr, "Configuration file %s already exists!\n", confpath);
		goto out;
	}
	path = cli_path("%s/hosts", cli_confbase);
	if (mkdir_p(cli_confbase, 0755) < 0 || make_dir(path, 0755) < 0)
		goto out;
	free(path);
	path = cli_path("%s/cache", cli_confbase);
	if (make_dir(path, 0755) < 0)
		goto out;
	free(path);

	hostpath = cli_path("%s/hosts/%s", cli_confbase, name);
	if (!(conf = create_file(confpath, 0644)) || !(host = create_file(hostpath, 0644)))
		goto out;
	fprintf(conf, "Name = %s\n", name);

	path = cli_path("%s/invitation-data", cli_confbase);
	if (!(f = create_file(path, 0600)))
		goto out;
	if (fwrite(j->data, 1, j->len, f) != j->len) {
		fprintf(stderr, "Could not write %s\n", path);
		fclose(f);
		goto out;
	}
	fclose(f);
	free(path);
	path = cli_path("%s/tinc-up.invitation", cli_confbase);
	if (!(up = create_file(path, 0755)))
		goto out;
	fprintf(up, "#!/bin/sh\nip link set \"$INTERFACE\" up\n");

	/* First block: our settings, filtered. */
	p = j->data;
	bool more = false;
	while ((l = next_line(line, sizeof(line), &p))) {
		if (*l == '#')
			continue;
		char *var = cli_split_var(l, &value);
		if (!*var)
			continue;
		if (!strcasecmp(var, "Name")) {
			if (strcmp(value, name)) {
				more = true;
				break;
			}
			continue;
		}
		if (!strcasecmp(var, "NetName"))
			continue;
		if (ifconfig_line(up, var, value)) {
			up_has_commands = true;
			continue;
		}
		int safe = -1;
		for (size_t i = 0; i < sizeof(safe_vars) / sizeof(safe_vars[0]); i++)
			if (!strcasecmp(var, safe_vars[i].name))
				safe = (int)i;
		int flags = conf_var_flags(var);
		if (safe < 0 && !flags) {
			fprintf(stderr, "Ignoring unknown variable '%s' in invitation.\n", var);
			continue;
		}
		if (safe < 0 && !cli_force) {
			fprintf(stderr, "Ignoring unsafe variable '%s' in invitation.\n", var);
			continue;
		}
		if (safe < 0)
			fprintf(stderr, "Warning: unsafe variable '%s' in invitation.\n", var);
		bool to_host = safe >= 0 ? safe_vars[safe].host : (flags & CONF_HOST) != 0;
		fprintf(to_host ? host : conf, "%s = %s\n", var, value);
	}
	if (fclose(conf) != 0) {
		conf = NULL;
		fprintf(stderr, "Could not write %s\n", confpath);
		goto out;
	}
	conf = NULL;
	if (!up_has_commands)
		fprintf(up, "#ip addr add <your vpn IP address>/<prefix of whole VPN> dev $INTERFACE\n\n"
		            "echo \"Unconfigured tinc-up script, please edit '$0'!\" >&2\n");
	fclose(up);
	up = NULL;

	/* Further blocks: other nodes' host files, verbatim. */
	while (more) {
		more = false;
		if (!cli_valid_name(value)) {
			fprintf(stderr, "Invalid Name found in invitation.\n");
			goto out;
		}
		if (!strcmp(value, name)) {
			fprintf(stderr, "Secondary chunk would overwrite our own host config file.\n");
			goto out;
		}
		char *other = cli_path("%s/hosts/%s", cli_confbase, value);
		f = create_file(other, 0644);
		free(other);
		if (!f)
			goto out;
		while ((l = next_line(line, sizeof(line), &p))) {
			if (!strcmp(l, SEPARATOR))
				continue;
			size_t vl = strcspn(l, "\t =");
			if (vl == 4 && !strncasecmp(l, "Name", 4)) {
				cli_split_var(l, &value);
				more = true;
				break;
			}
			fprintf(f, "%s\n", l);
		}
		fclose(f);
	}

	/* Our Ed25519 key; the public half goes to the inviter. */
	struct sptps_key key;
	char pub[SPTPS_PUBKEY_B64_LEN + 1];
	if (!sptps_key_generate(&key, join_random, NULL)) {
		fprintf(stderr, "Could not generate a key\n");
		goto out;
	}
	char *priv = sptps_key_format_private(&key);
	sptps_key_public_b64(&key, pub);
	sptps_key_wipe(&key);
	free(path);
	path = cli_path("%s/ed25519_key.priv", cli_confbase);
	f = priv ? create_file(path, 0600) : NULL;
	if (!f || fputs(priv, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "Error writing private key!\n");
		free(priv);
		goto out;
	}
	sodium_memzero(priv, strlen(priv));
	free(priv);
	fprintf(host, "Ed25519PublicKey = %s\n", pub);
	if (fclose(host) != 0) {
		host = NULL;
		fprintf(stderr, "Could not write %s\n", hostpath);
		goto out;
	}
	host = NULL;
	if (sptps_send_record(j->sptps, 1, pub, strlen(pub)) < 0)
		goto out;

	/* An RSA key too, for peers that speak only the legacy protocol. */
	if (cli_run_keygen("2048", "DisablePlugin=crypto-sptps"))
		fprintf(stderr, "Could not write private RSA key\n");
	check_port(hostpath);

	/* tinc-up: a placeholder is installed; commands from the inviter
	 * only after review (terminal) or with --force. */
	char *tincup = cli_path("%s/tinc-up", cli_confbase);
	free(path);
	path = cli_path("%s/tinc-up.invitation", cli_confbase);
	if (!up_has_commands) {
		rename(path, tincup);
	} else if (cli_force) {
		rename(path, tincup);
		fprintf(stderr, "tinc-up enabled.\n");
	} else {
		fprintf(stderr,
		        "A tinc-up script was generated, but has been left disabled (see "
		        "%s/tinc-up.invitation).\n",
		        cli_confbase);
	}
	free(tincup);
	fprintf(stderr, "Configuration stored in: %s\n", cli_confbase);
	ok = true;
out:
	if (conf)
		fclose(conf);
	if (host)
		fclose(host);
	if (up)
		fclose(up);
	free(confpath);
	free(hostpath);
	free(path);
	free(name);
	return ok;
}

static bool join_receive(void *ctx, uint8_t type, const uint8_t *data, size_t len) {
	struct join *j = ctx;

	switch (type) {
	case SPTPS_HANDSHAKE: /* keys agreed: present the cookie */
		return sptps_send_record(j->sptps, 0, j->cookie, sizeof(j->cookie)) == 0;
	case 0:
		if (j->len + len > MAX_INVITATION) {
			fprintf(stderr, "Invitation data too large\n");
			return false;
		}
		char *d = realloc(j->data, j->len + len + 1);
		if (!d)
			return false;
		j->data = d;
		memcpy(j->data + j->len, data, len);
		j->len += len;
		j->data[j->len] = 0;
		return true;
	case 1:
		if (!j->data || strlen(j->data) != j->len) {
			fprintf(stderr, "Invalid invitation data\n");
			return false;
		}
		return finalize_join(j);
	case 2:
		fprintf(stderr, "Invitation successfully accepted.\n");
		shutdown(j->sock, SHUT_RDWR);
		j->success = true;
		return true;
	default:
		return false;
	}
}

static bool wait_readable(int fd) {
	fd_set fds;
	struct timeval tv = {.tv_sec = JOIN_TIMEOUT_S};

	FD_ZERO(&fds);
	FD_SET(fd, &fds);
	if (select(fd + 1, &fds, NULL, NULL, &tv) != 1) {
		fprintf(stderr, "Timed out waiting for the server to reply.\n");
		return false;
	}
	return true;
}

/* Read one line of the plaintext greeting into line; extra bytes stay in
 * buf (*have of them). */
static bool greeting_line(int fd, char *buf, size_t cap, size_t *have, char *line, size_t linecap) {
	for (;;) {
		char *nl = memchr(buf, '\n', *have);
		if (nl) {
			size_t l = (size_t)(nl - buf);
			if (l >= linecap)
				return false;
			memcpy(line, buf, l);
			line[l] = 0;
			memmove(buf, nl + 1, *have - l - 1);
			*have -= l + 1;
			return true;
		}
		if (*have == cap || !wait_readable(fd))
			return false;
		ssize_t n = recv(fd, buf + *have, cap - *have, 0);
		if (n <= 0)
			return false;
		*have += (size_t)n;
	}
}

static int connect_to(const char *host, const char *port) {
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *a;
	int fd = -1, e;

	e = getaddrinfo(host, port, &hints, &ai);
	if (e) {
		fprintf(stderr, "Error looking up %s port %s: %s\n", host, port, gai_strerror(e));
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		fprintf(stderr, "Could not connect to %s port %s: %s\n", host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		fprintf(stderr,
		        "Could not connect to inviter. Please make sure the URL you entered is valid.\n");
	return fd;
}

static int run_join(const char *url) {
	uint8_t hash[INVITATION_HASH_LEN], hishash[INVITATION_HASH_LEN];
	char *host = NULL, *port = NULL, line[4096], buf[4096], pub[SPTPS_PUBKEY_B64_LEN + 1], hisname[4096];
	struct sptps_key mykey, hiskey;
	struct join j = {.sock = -1};
	size_t have = 0;
	int code, major, r = 1;

	if (!invitation_parse_url(url, &host, &port, hash, j.cookie)) {
		fprintf(stderr, "Invalid invitation URL.\n");
		return 1;
	}
	if (!sptps_key_generate(&mykey, join_random, NULL)) {
		fprintf(stderr, "Could not generate a key\n");
		goto out;
	}
	sptps_key_public_b64(&mykey, pub);
	j.sock = connect_to(host, port);
	if (j.sock < 0)
		goto out;
	fprintf(stderr, "Connected to %s port %s...\n", host, port);

	int n = snprintf(line, sizeof(line), "0 ?%s 17.1\n", pub);
	if (!send_all(j.sock, line, (size_t)n)) {
		fprintf(stderr, "Error sending request to %s port %s: %s\n", host, port, strerror(errno));
		goto out;
	}
	if (!greeting_line(j.sock, buf, sizeof(buf), &have, line, sizeof(line)) ||
	    sscanf(line, "%d %4095s %d", &code, hisname, &major) != 3 || code != 0 || major != 17 ||
	    !cli_valid_name(hisname) || !greeting_line(j.sock, buf, sizeof(buf), &have, line, sizeof(line)) ||
	    sscanf(line, "%d ", &code) != 1 || code != 4 || strlen(line) < 3) {
		fprintf(stderr, "Cannot read greeting from peer\n");
		goto out;
	}
	const char *fingerprint = line + 2;
	invitation_key_hash_raw(fingerprint, hishash);
	if (sodium_memcmp(hishash, hash, sizeof(hash)) != 0) {
		fprintf(stderr,
		        "Peer has an invalid key. Please make sure you're using the correct URL.\n%s\n",
		        fingerprint);
		goto out;
	}
	if (!sptps_key_parse_public_b64(&hiskey, fingerprint)) {
		fprintf(stderr, "Peer sent an invalid invitation key\n");
		goto out;
	}

	struct sptps_params params = {
	    .initiator = true,
	    .datagram = false,
	    .mykey = &mykey,
	    .hiskey = &hiskey,
	    .label = INVITATION_LABEL,
	    .labellen = strlen(INVITATION_LABEL),
	    .cb = {.ctx = &j,
	           .send = join_send,
	           .receive = join_receive,
	           .random = join_random,
	           .log = join_log},
	};
	if (sptps_start(&j.sptps, &params) != SPTPS_OK)
		goto out;

	uint8_t *p = (uint8_t *)buf;
	for (;;) {
		while (have) {
			ssize_t done = sptps_receive(j.sptps, p, have);
			if (done <= 0)
				goto out;
			p += done;
			have -= (size_t)done;
		}
		if (j.success)
			break;
		if (!wait_readable(j.sock))
			goto out;
		ssize_t got = recv(j.sock, buf, sizeof(buf), 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "Error reading data from %s port %s: %s\n", host, port,
			        strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		p = (uint8_t *)buf;
		have = (size_t)got;
	}
	if (j.success) {
		r = 0;
		if (opt_netname)
			fprintf(stderr, "To start the new node: %s -n %s start\n", program, opt_netname);
		else
			fprintf(stderr, "To start the new node: %s -c %s start\n", program, cli_confbase);
	}
out:
	if (r) {
		if (j.sptps || j.sock >= 0)
			fprintf(stderr, "Invitation cancelled. Please try again and contact the inviter for "
			                "assistance if "
			                "this error persists.\n");
	}
	sodium_memzero(j.cookie, sizeof(j.cookie));
	sptps_key_wipe(&mykey);
	sptps_free(j.sptps);
	if (j.sock >= 0)
		close(j.sock);
	free(j.data);
	free(host);
	free(port);
	return r;
}

int cmd_join(int argc, char **argv) {
	char line[4096];
	const char *url;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (argc == 2) {
		url = argv[1];
	} else {
		if (cli_tty)
			fprintf(stderr, "Enter invitation URL: ");
		if (!fgets(line, sizeof(line), stdin)) {
			fprintf(stderr, "Error while reading stdin: %s\n", strerror(errno ? errno : EPIPE));
			return 1;
		}
		line[strcspn(line, "\r\n")] = 0;
		url = line;
	}
	/* With -n or -c the directory must not hold a configuration yet. */
	if (opt_netname || opt_confdir) {
		char *a = cli_path("%s/plexus.conf", cli_confbase),
		     *b = cli_path("%s/tinc.conf", cli_confbase);
		bool exists = !access(a, F_OK) || !access(b, F_OK);

		if (exists)
			fprintf(stderr, "Configuration file %s already exists!\n", !access(a, F_OK) ? a : b);
		free(a);
		free(b);
		if (exists)
			return 1;
	}
	return run_join(url);
}
