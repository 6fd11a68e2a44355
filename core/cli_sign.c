/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus sign [FILE], verify NODE [FILE], generate-ed25519-keys and
 * generate-rsa-keys. A signed file is tinc 1.1's: a first line
 * "Signature = SIGNER TIME SIG" and then the data unchanged; SIG is the
 * Ed25519 signature (tinc base64, 86 characters) of the data followed by
 * " SIGNER TIME", so the signer and the time cannot be swapped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "b64.h"
#include "cli.h"
#include "cli_keys.h"
#include "sptps_crypto.h"

#define SIG_B64_LEN 86 /* 64 bytes in tinc base64 */

/* ---- key files ---- */

int cli_disable_old_keys(const char *path, const char *what) {
	bool ed = !strcmp(what, "Ed25519");
	const char *label = ed ? " ED25519 " : " RSA ";
	FILE *f = fopen(path, "r");
	char *buf = NULL, *out = NULL;
	size_t cap = 0, len = 0, outcap = 0;
	ssize_t n;
	bool block = false;
	int disabled = 0;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&buf, &cap, f)) >= 0) {
		bool hide;

		if (!block && !strncmp(buf, "-----BEGIN ", 11) && strstr(buf, label))
			block = true;
		hide = block || (ed && !strncasecmp(buf, "Ed25519PublicKey", 16) && strchr(" \t=", buf[16]));
		if (hide)
			disabled = 1;
		if (len + (size_t)n + 2 > outcap) {
			outcap = (len + (size_t)n + 2) * 2;
			char *p = realloc(out, outcap);
			if (!p) {
				free(out);
				free(buf);
				fclose(f);
				return -1;
			}
			out = p;
		}
		if (hide)
			out[len++] = '#';
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
		if (block && !strncmp(buf, "-----END ", 9))
			block = false;
	}
	fclose(f);
	free(buf);
	if (disabled && cli_write_file_atomic(path, out ? out : "", len, 0600) < 0) {
		fprintf(stderr, "Warning: old key(s) found, remove them by hand!\n");
		disabled = -1;
	} else if (disabled) {
		fprintf(stderr, "Warning: old key(s) found and disabled.\n");
	}
	free(out);
	return disabled;
}

/* Ed25519PrivateKeyFile from the main file, or the default. */
static char *private_key_path(void) {
	char *conf = cli_main_conf();
	FILE *f = fopen(conf, "r");
	char *buf = NULL, *path = NULL;
	size_t cap = 0;

	while (f && getline(&buf, &cap, f) >= 0) {
		char *p = buf + strspn(buf, " \t");
		size_t n = strcspn(p, "\t =");

		if (n != 21 || strncasecmp(p, "Ed25519PrivateKeyFile", 21))
			continue;
		p += n;
		p += strspn(p, " \t");
		if (*p == '=')
			p++;
		p += strspn(p, " \t");
		p[strcspn(p, "\r\n")] = 0;
		if (*p) {
			path = strdup(p);
			break;
		}
	}
	if (f)
		fclose(f);
	free(buf);
	free(conf);
	return path ? path : cli_path("%s/ed25519_key.priv", cli_confbase);
}

bool cli_load_ed25519_private(struct sptps_key *k, char **path_out, bool verbose) {
	char *path = private_key_path();
	bool ok = sptps_key_load_private_file(k, path, NULL);

	if (!ok && verbose)
		fprintf(stderr, "Could not read private key from %s: %s\n", path,
		        errno ? strerror(errno) : "no valid ED25519 PRIVATE KEY block");
	if (path_out)
		*path_out = path;
	else
		free(path);
	return ok;
}

int cli_load_ed25519_public(const char *node, struct sptps_key *k) {
	char *path = cli_path("%s/hosts/%s", cli_confbase, node);
	FILE *f = fopen(path, "r");
	size_t len;
	char *text;
	int r = -1;

	free(path);
	if (!f)
		return -2;
	text = cli_read_all(f, &len);
	fclose(f);
	if (!text)
		return -2;
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		size_t n = strcspn(line, "\t =");

		if (next)
			*next++ = 0;
		if (n == 16 && !strncasecmp(line, "Ed25519PublicKey", 16)) {
			char *v = line + n;

			v += strspn(v, "\t ");
			if (*v == '=')
				v++;
			r = sptps_key_parse_public_b64(k, v) ? 0 : -1;
			break;
		}
		line = next;
	}
	if (r < 0) {
		/* line ends were cut above: read the file again for the block */
		free(text);
		path = cli_path("%s/hosts/%s", cli_confbase, node);
		f = fopen(path, "r");
		free(path);
		text = f ? cli_read_all(f, &len) : NULL;
		if (f)
			fclose(f);
		if (text && sptps_key_parse_public_pem(k, text, len))
			r = 0;
	}
	free(text);
	return r;
}

int cli_write_ed25519_public(const char *name, const struct sptps_key *k) {
	char *path = cli_path("%s/hosts/%s", cli_confbase, name);
	char *line = sptps_key_format_host_line(k);
	FILE *f;
	int r = -1;

	if (!line || cli_disable_old_keys(path, "Ed25519") < 0)
		goto out;
	f = fopen(path, "a");
	if (!f) {
		fprintf(stderr, "Could not open %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (fputs(line, f) >= 0 && fclose(f) == 0)
		r = 0;
	else
		fprintf(stderr, "Could not write %s: %s\n", path, strerror(errno));
out:
	free(line);
	free(path);
	return r;
}

static void sodium_random(void *ctx, uint8_t *buf, size_t len) {
	(void)ctx;
	randombytes_buf(buf, len);
}

/* Why here and not through plexusd -K: tinc disables the old key in both
 * files first, which needs the CLI's file editing anyway. */
int cmd_generate_ed25519_keys(int argc, char **argv) {
	struct sptps_key k;
	char *name, *path, *priv = NULL;
	int fd, r = 1;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!sptps_crypto_init() || !sptps_key_generate(&k, sodium_random, NULL)) {
		fprintf(stderr, "Error during key generation!\n");
		return 1;
	}
	fprintf(stderr, "Generating Ed25519 key pair:\nDone.\n");
	name = cli_my_name(false);
	path = private_key_path();
	priv = sptps_key_format_private(&k);
	if (!priv || cli_disable_old_keys(path, "Ed25519") < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0 || write(fd, priv, strlen(priv)) != (ssize_t)strlen(priv)) {
		fprintf(stderr, "Error writing private key to %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (name) {
		if (cli_write_ed25519_public(name, &k) < 0)
			goto out;
	} else {
		char *pub = cli_path("%s/ed25519_key.pub", cli_confbase);
		char *line = sptps_key_format_host_line(&k);
		FILE *f = fopen(pub, "a");
		bool ok = f && line && fputs(line, f) >= 0;

		if (f && fclose(f))
			ok = false;
		if (!ok)
			fprintf(stderr, "Could not write %s: %s\n", pub, strerror(errno));
		free(line);
		free(pub);
		if (!ok)
			goto out;
	}
	r = 0;
out:
	if (priv) {
		sptps_wipe(priv, strlen(priv));
		free(priv);
	}
	sptps_key_wipe(&k);
	free(path);
	free(name);
	return r;
}

/* RSA keys come from the daemon's crypto-legacy plugin, with the SPTPS
 * plugin left out so that the Ed25519 key stays as it is. The plugin does
 * not overwrite a private key, so an old one is moved aside and put back,
 * commented out, in front of the new one (tinc keeps old keys that way). */
int cmd_generate_rsa_keys(int argc, char **argv) {
	char *path, *aside, *old = NULL, *fresh = NULL, *all = NULL;
	size_t oldlen = 0, freshlen = 0;
	FILE *f;
	int r;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	path = cli_path("%s/rsa_key.priv", cli_confbase);
	aside = cli_path("%s/rsa_key.priv.old", cli_confbase);
	if (access(path, F_OK) == 0) {
		if (cli_disable_old_keys(path, "RSA") < 0 || rename(path, aside) < 0) {
			fprintf(stderr, "Could not set the old key %s aside: %s\n", path, strerror(errno));
			r = 1;
			goto out;
		}
		f = fopen(aside, "r");
		old = f ? cli_read_all(f, &oldlen) : NULL;
		if (f)
			fclose(f);
	}
	r = cli_run_keygen(argc == 2 ? argv[1] : NULL, "DisablePlugin=crypto-sptps");
	if (!old)
		goto out;
	if (r) { /* no new key: the old one comes back as it was */
		if (rename(aside, path) < 0)
			fprintf(stderr, "Your old key is in %s\n", aside);
		goto out;
	}
	f = fopen(path, "r");
	fresh = f ? cli_read_all(f, &freshlen) : NULL;
	if (f)
		fclose(f);
	all = fresh ? malloc(oldlen + freshlen + 1) : NULL;
	if (!all) {
		fprintf(stderr, "Your old key is in %s\n", aside);
		goto out;
	}
	memcpy(all, old, oldlen);
	memcpy(all + oldlen, fresh, freshlen);
	if (cli_write_file_atomic(path, all, oldlen + freshlen, 0600) == 0)
		unlink(aside);
	else
		fprintf(stderr, "Your old key is in %s\n", aside);
out:
	if (old)
		sptps_wipe(old, oldlen);
	if (fresh)
		sptps_wipe(fresh, freshlen);
	if (all)
		sptps_wipe(all, oldlen + freshlen);
	free(old);
	free(fresh);
	free(all);
	free(path);
	free(aside);
	return r;
}

/* Now, or SOURCE_DATE_EPOCH when set: reproducible signed files (and a
 * known-answer test against a file tinc signed). */
static long signing_time(void) {
	const char *env = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long t;

	if (env && *env) {
		errno = 0;
		t = strtol(env, &end, 10);
		if (!*end && !errno && t > 0)
			return t;
		fprintf(stderr, "Warning: ignoring invalid SOURCE_DATE_EPOCH %s\n", env);
	}
	return (long)time(NULL);
}

int cmd_sign(int argc, char **argv) {
	struct sptps_key k;
	uint8_t sig[SPTPS_ED25519_SIG_LEN];
	char b64[SIG_B64_LEN + 2], *name, *data, *trailer = NULL;
	size_t len, tlen;
	FILE *in = stdin;
	long t;
	int r = 1;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	name = cli_my_name(true);
	if (!name)
		return 1;
	if (!sptps_crypto_init() || !cli_load_ed25519_private(&k, NULL, true)) {
		free(name);
		return 1;
	}
	if (argc == 2 && !(in = fopen(argv[1], "rb"))) {
		fprintf(stderr, "Could not open %s: %s\n", argv[1], strerror(errno));
		goto out_key;
	}
	data = cli_read_all(in, &len);
	if (in != stdin)
		fclose(in);
	if (!data) {
		fprintf(stderr, "Error reading %s: %s\n", argc == 2 ? argv[1] : "standard input",
		        strerror(errno));
		goto out_key;
	}
	t = signing_time();
	trailer = cli_path(" %s %ld", name, t);
	tlen = strlen(trailer);
	{
		char *all = realloc(data, len + tlen + 1);

		if (!all) {
			free(data);
			goto out_key;
		}
		data = all;
	}
	memcpy(data + len, trailer, tlen);
	if (!sptps_ed25519_sign(k.priv, k.pub, (uint8_t *)data, len + tlen, sig)) {
		fprintf(stderr, "Error generating signature\n");
		free(data);
		goto out_key;
	}
	sptps_b64_encode(b64, sig, sizeof(sig), false);
	printf("Signature = %s %ld %s\n", name, t, b64);
	fwrite(data, 1, len, stdout);
	r = fflush(stdout) ? 1 : 0;
	free(data);
out_key:
	sptps_key_wipe(&k);
	free(trailer);
	free(name);
	return r;
}

int cmd_verify(int argc, char **argv) {
	char signer[256], sigtext[256], *data, *nl, *node = NULL, *trailer = NULL, *body;
	uint8_t sig[SPTPS_ED25519_SIG_LEN + 2];
	struct sptps_key k;
	size_t len, tlen, skip, bodylen;
	FILE *in = stdin;
	long t = 0;
	int r = 1;

	if (argc < 2) {
		fprintf(stderr, "Not enough arguments!\n");
		return 1;
	}
	if (argc > 3) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!strcmp(argv[1], ".")) {
		node = cli_my_name(true);
		if (!node)
			return 1;
	} else if (strcmp(argv[1], "*")) {
		if (!cli_valid_name(argv[1])) {
			fprintf(stderr, "Invalid node name\n");
			return 1;
		}
		node = strdup(argv[1]);
		if (!node)
			return 1;
	}
	if (argc == 3 && !(in = fopen(argv[2], "rb"))) {
		fprintf(stderr, "Could not open %s: %s\n", argv[2], strerror(errno));
		free(node);
		return 1;
	}
	data = cli_read_all(in, &len);
	if (in != stdin)
		fclose(in);
	if (!data) {
		fprintf(stderr, "Error reading input: %s\n", strerror(errno));
		free(node);
		return 1;
	}
	nl = memchr(data, '\n', len);
	if (!nl || nl - data > 2048) {
		fprintf(stderr, "Invalid input\n");
		goto out;
	}
	*nl = 0;
	skip = (size_t)(nl + 1 - data);
	if (sscanf(data, "Signature = %255s %ld %255s", signer, &t, sigtext) != 3 ||
	    strlen(sigtext) != SIG_B64_LEN || !t || !cli_valid_name(signer)) {
		fprintf(stderr, "Invalid input\n");
		goto out;
	}
	if (node && strcmp(node, signer)) {
		fprintf(stderr, "Signature is not made by %s\n", node);
		goto out;
	}
	if (!sptps_crypto_init() || cli_load_ed25519_public(signer, &k) < 0) {
		fprintf(stderr, "Could not read public key from %s/hosts/%s\n", cli_confbase, signer);
		goto out;
	}
	trailer = cli_path(" %s %ld", signer, t);
	tlen = strlen(trailer);
	bodylen = len - skip;
	body = malloc(bodylen + tlen + 1);
	if (!body)
		goto out;
	memcpy(body, data + skip, bodylen);
	memcpy(body + bodylen, trailer, tlen);
	if (sptps_b64_decode(sig, sizeof(sig), sigtext, SIG_B64_LEN) != SPTPS_ED25519_SIG_LEN ||
	    !sptps_ed25519_verify(k.pub, (uint8_t *)body, bodylen + tlen, sig)) {
		fprintf(stderr, "Invalid signature\n");
		free(body);
		goto out;
	}
	fwrite(body, 1, bodylen, stdout);
	r = fflush(stdout) ? 1 : 0;
	free(body);
out:
	free(trailer);
	free(data);
	free(node);
	return r;
}
