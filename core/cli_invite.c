/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus invite NODE and plexus dump invitations: the inviter's files
 * (docs/invitations.md). An invitation is a file under invitations/ named
 * after a hash of its cookie; the URL printed carries the hash of the
 * invitation key and the cookie. plexusd reads the invitation key when a
 * joiner connects, so no reload is needed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"
#include "cli.h"
#include "invitation_names.h"
#include "keys.h"

#define STALE_AFTER (7 * 24 * 3600) /* invitation files older than this are removed */

static void random_bytes(void *ctx, uint8_t *buf, size_t len) {
	(void)ctx;
	randombytes_buf(buf, len);
}

/* First "Port" and first "Address" (with its optional port) of a file. */
static void scan_address(const char *path, char **host, char **port) {
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f)
		return;
	while ((!*host || !*port) && fgets(line, sizeof(line), f)) {
		char *value, *var = cli_split_var(line + strspn(line, " \t"), &value);
		char *rest = value + strcspn(value, " \t");

		if (*rest) {
			*rest++ = 0;
			rest += strspn(rest, " \t");
			rest[strcspn(rest, " \t")] = 0;
		}
		if (!*port && !strcasecmp(var, "Port") && *value) {
			*port = strdup(value);
		} else if (!*host && !strcasecmp(var, "Address") && *value) {
			*host = strdup(value);
			if (*rest) {
				free(*port);
				*port = strdup(rest);
			}
		}
	}
	fclose(f);
}

static bool valid_hostname(const char *h, bool colon_ok) {
	if (!*h)
		return false;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && *h != '-' && *h != '.' && !(colon_ok && *h == ':'))
			return false;
	return true;
}

/*
 * The "host:port" part of the URL: the first Address in our host file (then
 * the main file), Port from the same places, else the running daemon's
 * port. Without an Address, ask on a terminal and remember the answer in
 * our host file. Unlike tinc, no third-party web service is asked for our
 * external address.
 */
static char *my_hostport(const char *myname, char **port_out) {
	char *hostfile = cli_path("%s/hosts/%s", cli_confbase, myname), *mainconf = cli_main_conf();
	char *host = NULL, *port = NULL, *hp = NULL;

	scan_address(hostfile, &host, &port);
	scan_address(mainconf, &host, &port);
	free(mainconf);
	if (!port || (strspn(port, "0123456789") == strlen(port) && atoi(port) == 0)) {
		free(port);
		port = cli_daemon_port();
		if (!port) {
			fprintf(
			    stderr,
			    "plexusd is using a dynamic port and is not running. Please start plexusd or set "
			    "the Port option to a non-zero value.\n");
			goto out;
		}
	}
	if (!host) {
		char line[256];

		if (!cli_tty) {
			fprintf(stderr,
			        "Could not determine the external address or hostname. Please set Address "
			        "manually.\n");
			goto out;
		}
		for (;;) {
			fprintf(stderr, "Please enter your host's external address or hostname: ");
			if (!fgets(line, sizeof(line), stdin)) {
				fprintf(stderr, "Error while reading stdin: %s\n", strerror(errno));
				goto out;
			}
			line[strcspn(line, "\r\n")] = 0;
			if (valid_hostname(line, false))
				break;
			if (*line)
				fprintf(stderr, "Invalid address or hostname.\n");
		}
		host = strdup(line);
		FILE *f = fopen(hostfile, "a");
		if (f) {
			fprintf(f, "\nAddress = %s\n", host);
			fclose(f);
		} else {
			fprintf(stderr, "Could not append Address to %s: %s\n", hostfile, strerror(errno));
		}
	}
	hp = cli_path(strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
	*port_out = port;
	port = NULL;
out:
	free(host);
	free(port);
	free(hostfile);
	return hp;
}

/* Count invitations still valid; remove those older than a week. */
static int count_invitations(const char *dir) {
	DIR *d = opendir(dir);
	struct dirent *e;
	time_t deadline = time(NULL) - STALE_AFTER;
	int count = 0;

	if (!d) {
		fprintf(stderr, "Could not read directory %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		struct stat st;
		char *p;

		if (strlen(e->d_name) != INVITATION_B64_LEN)
			continue;
		p = cli_path("%s/%s", dir, e->d_name);
		if (stat(p, &st) == 0) {
			if (st.st_mtime > deadline)
				count++;
			else
				unlink(p);
		} else {
			fprintf(stderr, "Could not stat %s: %s\n", p, strerror(errno));
		}
		free(p);
	}
	closedir(d);
	return count;
}

/* The invitation key: kept while invitations are outstanding, a new one
 * when none are (so an old URL can never match a new key). */
static bool invitation_key(const char *dir, int outstanding, struct sptps_key *k) {
	char *path = cli_path("%s/ed25519_key.priv", dir);
	bool ok = false;

	if (!outstanding)
		unlink(path);
	if (sptps_key_load_private_file(k, path, NULL)) {
		ok = true;
	} else if (errno != ENOENT) {
		fprintf(stderr, "Could not read private key from %s\n", path);
	} else if (!sptps_key_generate(k, random_bytes, NULL)) {
		fprintf(stderr, "Could not generate the invitation key\n");
	} else {
		char *text = sptps_key_format_private(k);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (!text || fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
		    close(fd) < 0)
			fprintf(stderr, "Could not write %s: %s\n", path, strerror(errno));
		else
			ok = true;
		if (text) {
			sodium_memzero(text, strlen(text));
			free(text);
		}
	}
	free(path);
	return ok;
}

/* Copy the lines of `path` whose variable is Mode or Broadcast. */
static void copy_mode_broadcast(FILE *out, const char *path) {
	FILE *in = fopen(path, "r");
	char line[1024];

	if (!in)
		return;
	while (fgets(line, sizeof(line), in)) {
		if ((!strncasecmp(line, "Mode", 4) && line[4] && strchr(" \t=", line[4])) ||
		    (!strncasecmp(line, "Broadcast", 9) && line[9] && strchr(" \t=", line[9]))) {
			fputs(line, out);
			if (!strchr(line, '\n'))
				fputc('\n', out);
		}
	}
	fclose(in);
}

/* Our host file with every Port line replaced by the port of the URL (a
 * host file may say Port = 0). */
static bool copy_host_file(FILE *out, const char *path, const char *port) {
	FILE *in = fopen(path, "r");
	char line[1024];

	if (!in) {
		fprintf(stderr, "Could not open %s: %s\n", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), in)) {
		const char *v = line + strspn(line, "\t ");
		size_t vl = strcspn(v, "\t =\n");

		if (vl == 4 && !strncasecmp(v, "Port", 4))
			fprintf(out, "Port = %s\n", port);
		else
			fputs(line, out);
	}
	fclose(in);
	return true;
}

static void run_invitation_created(const char *myname, const char *node, const char *file, const char *url) {
	char *script = cli_path("%s/invitation-created", cli_confbase);

	if (access(script, X_OK) == 0) {
		pid_t pid = fork();

		if (pid == 0) {
			setenv("NAME", myname, 1);
			setenv("NODE", node, 1);
			setenv("INVITATION_FILE", file, 1);
			setenv("INVITATION_URL", url, 1);
			if (opt_netname)
				setenv("NETNAME", opt_netname, 1);
			execl(script, script, (char *)NULL);
			_exit(127);
		}
		int status;
		while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	free(script);
}

int cmd_invite(int argc, char **argv) {
	char *myname = NULL, *dir = NULL, *path = NULL, *url = NULL, *hostport = NULL, *port = NULL;
	struct sptps_key key;
	int r = 1;

	if (argc < 2) {
		fprintf(stderr, "Not enough arguments!\n");
		return 1;
	}
	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!cli_valid_name(argv[1])) {
		fprintf(stderr, "Invalid name for node.\n");
		return 1;
	}
	myname = cli_my_name(true);
	if (!myname)
		return 1;
	path = cli_path("%s/hosts/%s", cli_confbase, argv[1]);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "A host config file for %s already exists!\n", argv[1]);
		goto out;
	}
	if (cli_daemon_knows_node(argv[1]) == 1) {
		fprintf(stderr, "A node with name %s is already known!\n", argv[1]);
		goto out;
	}
	dir = cli_path("%s/invitations", cli_confbase);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "Could not create directory %s: %s\n", dir, strerror(errno));
		goto out;
	}
	int outstanding = count_invitations(dir);
	if (outstanding < 0 || !invitation_key(dir, outstanding, &key))
		goto out;

	char pub[SPTPS_PUBKEY_B64_LEN + 1], hash[INVITATION_B64_LEN + 1], file[INVITATION_B64_LEN + 1];
	char cookie_b64[INVITATION_B64_LEN + 1];
	uint8_t cookie[INVITATION_COOKIE_LEN];

	sptps_key_public_b64(&key, pub);
	sptps_key_wipe(&key);
	invitation_key_hash(pub, hash);
	randombytes_buf(cookie, sizeof(cookie));
	invitation_file_name(cookie, pub, file);
	sptps_b64_encode(cookie_b64, cookie, sizeof(cookie), true);
	sodium_memzero(cookie, sizeof(cookie));

	hostport = my_hostport(myname, &port);
	if (!hostport)
		goto out;
	url = cli_path("%s/%s%s", hostport, hash, cookie_b64);
	sodium_memzero(cookie_b64, sizeof(cookie_b64));

	free(path);
	path = cli_path("%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "Could not create invitation file %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fprintf(f, "Name = %s\n", argv[1]);
	if (opt_netname)
		fprintf(f, "NetName = %s\n", opt_netname);
	fprintf(f, "ConnectTo = %s\n", myname);
	char *mainconf = cli_main_conf();
	copy_mode_broadcast(f, mainconf);
	free(mainconf);
	fprintf(f, "#---------------------------------------------------------------#\n");
	fprintf(f, "Name = %s\n", myname);
	char *myhost = cli_path("%s/hosts/%s", cli_confbase, myname);
	bool copied = copy_host_file(f, myhost, port);
	free(myhost);
	if (fclose(f) != 0 || !copied) {
		fprintf(stderr, "Could not write invitation file %s\n", path);
		unlink(path);
		goto out;
	}
	run_invitation_created(myname, argv[1], path, url);
	puts(url);
	r = 0;
out:
	if (url)
		sodium_memzero(url, strlen(url));
	free(url);
	free(hostport);
	free(port);
	free(path);
	free(dir);
	free(myname);
	return r;
}

static int cmp_str(const void *a, const void *b) {
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_dump_invitations(void) {
	char *dir = cli_path("%s/invitations", cli_confbase);
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	bool found = false;

	if (!d) {
		int err = errno;
		if (err == ENOENT)
			fprintf(stderr, "No outstanding invitations.\n");
		else
			fprintf(stderr, "Cannot read directory %s: %s\n", dir, strerror(err));
		free(dir);
		return err == ENOENT ? 0 : 1;
	}
	while ((e = readdir(d))) {
		uint8_t raw[INVITATION_COOKIE_LEN];
		if (strlen(e->d_name) < INVITATION_B64_LEN ||
		    sptps_b64_decode(raw, sizeof(raw), e->d_name, INVITATION_B64_LEN) !=
		        INVITATION_COOKIE_LEN)
			continue;
		char **t = realloc(names, (n + 1) * sizeof(*names));
		if (!t || !(t[n] = strdup(e->d_name))) {
			fprintf(stderr, "%s: out of memory\n", program);
			exit(1);
		}
		names = t;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *p = cli_path("%s/%s", dir, names[i]), line[4096];
		FILE *f = fopen(p, "r");

		if (!f) {
			fprintf(stderr, "Cannot open %s: %s\n", p, strerror(errno));
		} else {
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
			fclose(f);
			size_t l = strlen(line);
			while (l && strchr("\t \r\n", line[l - 1]))
				line[--l] = 0;
			if (strncmp(line, "Name = ", 7) || !cli_valid_name(line + 7)) {
				fprintf(stderr, "Invalid invitation file %s\n", p);
			} else {
				printf("%s %s\n", names[i], line + 7);
				found = true;
			}
		}
		free(p);
		free(names[i]);
	}
	free(names);
	free(dir);
	if (!found)
		fprintf(stderr, "No outstanding invitations.\n");
	return 0;
}
