/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus fsck: tinc 1.1's configuration check. Looks at the main file and
 * our Name, the private keys (present, readable, not readable by others),
 * our public keys in hosts/NAME (present and matching the private ones),
 * scripts (executable, known names) and the variables of every file
 * (unknown, obsolete, in the wrong kind of file, repeated, or not
 * implemented by Plexus). Each fixable problem is offered a fix: asked on
 * a terminal, applied with --force. Exit status 1 while any problem that
 * makes the node unsafe or unable to run remains.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cli.h"
#include "cli_keys.h"
#include "conf.h"
#include "sptps_crypto.h"

static int problems; /* unfixed problems that make fsck fail */

static bool ask_fix(void) {
	char buf[64];

	if (cli_force)
		return true;
	if (!cli_tty)
		return false;
	for (;;) {
		fprintf(stderr, "Fix y/n? ");
		if (!fgets(buf, sizeof(buf), stdin)) {
			cli_tty = false;
			return false;
		}
		if (buf[0] == 'y' || buf[0] == 'Y')
			return true;
		if (buf[0] == 'n' || buf[0] == 'N')
			return false;
	}
}

/* "plexus -c DIR COMMAND" as the user would type it. */
static void suggest(const char *command) {
	if (opt_confdir)
		fprintf(stderr, "\n  %s -c %s %s\n\n", program, opt_confdir, command);
	else if (opt_netname)
		fprintf(stderr, "\n  %s -n %s %s\n\n", program, opt_netname, command);
	else
		fprintf(stderr, "\n  %s %s\n\n", program, command);
}

/* A private key file others can read: tell, and take their access away. */
static void check_key_mode(const char *path) {
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "ERROR: could not stat private key file %s: %s\n", path, strerror(errno));
		problems++;
		return;
	}
	if (!(st.st_mode & 077))
		return;
	fprintf(stderr, "WARNING: unsafe file permissions on %s.\n", path);
	if (st.st_uid != getuid()) {
		fprintf(stderr, "You are not running %s as the same uid as %s.\n", program, path);
		problems++;
	} else if (ask_fix() && chmod(path, st.st_mode & ~(mode_t)077) == 0) {
		fprintf(stderr, "Fixed permissions of %s.\n", path);
	} else {
		problems++;
	}
}

/* ---- Ed25519 ---- */

static bool check_ed25519(const char *name) {
	struct sptps_key priv, pub;
	char *path = NULL;
	bool have = false;
	int got;

	if (!sptps_crypto_init())
		return false;
	if (!cli_load_ed25519_private(&priv, &path, false)) {
		bool exists = access(path, F_OK) == 0;

		if (exists) {
			fprintf(stderr, "ERROR: cannot read the Ed25519 private key in %s.\n", path);
			check_key_mode(path);
		} else if (cli_load_ed25519_public(name, &pub) == 0) {
			fprintf(stderr,
			        "WARNING: A public Ed25519 key was found but no private key is known.\n");
		} else {
			free(path);
			return false; /* no Ed25519 at all: a legacy-only node */
		}
		/* The fix is a new key pair; the old public key is disabled. */
		free(path);
		if (ask_fix()) {
			char *gen[] = {"generate-ed25519-keys", NULL};

			if (!exists && cmd_generate_ed25519_keys(1, gen) == 0)
				return true;
			if (exists)
				fprintf(stderr, "Move the unreadable key away first, then run:\n");
		} else {
			fprintf(stderr, "You can generate a new Ed25519 keypair with:\n");
		}
		if (exists || !cli_force)
			suggest("generate-ed25519-keys");
		problems++;
		return false;
	}
	have = true;
	check_key_mode(path);
	free(path);

	got = cli_load_ed25519_public(name, &pub);
	if (got == 0 && !memcmp(pub.pub, priv.pub, sizeof(pub.pub))) {
		sptps_key_wipe(&priv);
		return have;
	}
	if (got == 0)
		fprintf(stderr, "ERROR: public and private Ed25519 keys do not match.\n");
	else
		fprintf(stderr, "WARNING: No (usable) public Ed25519 key found.\n");
	if (ask_fix() && cli_write_ed25519_public(name, &priv) == 0)
		fprintf(stderr, "Wrote Ed25519 public key to %s/hosts/%s.\n", cli_confbase, name);
	else
		problems++;
	sptps_key_wipe(&priv);
	return have;
}

/* ---- RSA ---- */

static char *rsa_private_path(void) {
	char *conf = cli_main_conf();
	FILE *f = fopen(conf, "r");
	char *buf = NULL, *path = NULL;
	size_t cap = 0;

	while (f && getline(&buf, &cap, f) >= 0) {
		char *value, *var = cli_split_var(buf + strspn(buf, "\t "), &value);

		if (!strcasecmp(var, "PrivateKeyFile") && *value) {
			path = strdup(value);
			break;
		}
	}
	if (f)
		fclose(f);
	free(buf);
	free(conf);
	return path ? path : cli_path("%s/rsa_key.priv", cli_confbase);
}

/* The first "-----BEGIN <label>-----" block at the start of a line. */
static EVP_PKEY *rsa_public_from_host(const char *name) {
	char *path = cli_path("%s/hosts/%s", cli_confbase, name);
	FILE *f = fopen(path, "r");
	char *text, *b = NULL;
	size_t len;
	EVP_PKEY *pkey = NULL;
	static const char *const labels[] = {"-----BEGIN RSA PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----"};

	free(path);
	if (!f)
		return NULL;
	text = cli_read_all(f, &len);
	fclose(f);
	for (size_t i = 0; text && !b && i < 2; i++)
		for (b = strstr(text, labels[i]); b && b != text && b[-1] != '\n';
		     b = strstr(b + 1, labels[i]))
			;
	if (b) {
		const unsigned char *p = (const unsigned char *)b;
		size_t left = len - (size_t)(b - text);
		OSSL_DECODER_CTX *dctx =
		    OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, "RSA", EVP_PKEY_PUBLIC_KEY, NULL, NULL);

		if (dctx && !OSSL_DECODER_from_data(dctx, &p, &left)) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		OSSL_DECODER_CTX_free(dctx);
	}
	free(text);
	return pkey;
}

/* Append the public half as tinc writes it (PKCS#1 "RSA PUBLIC KEY"). */
static int write_rsa_public(const char *name, EVP_PKEY *priv) {
	char *path = cli_path("%s/hosts/%s", cli_confbase, name);
	OSSL_ENCODER_CTX *ectx = NULL;
	FILE *f = NULL;
	int r = -1;

	if (cli_disable_old_keys(path, "RSA") < 0)
		goto out;
	f = fopen(path, "a");
	ectx = OSSL_ENCODER_CTX_new_for_pkey(priv, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", NULL);
	if (f && ectx && OSSL_ENCODER_to_fp(ectx, f))
		r = 0;
out:
	if (f && fclose(f))
		r = -1;
	if (r < 0)
		fprintf(stderr, "ERROR: could not write RSA public key to %s.\n", path);
	OSSL_ENCODER_CTX_free(ectx);
	free(path);
	return r;
}

static bool check_rsa(const char *name) {
	char *path = rsa_private_path();
	FILE *f = fopen(path, "r");
	EVP_PKEY *priv = NULL, *pub;

	if (!f) {
		if (errno != ENOENT) {
			fprintf(stderr, "ERROR: cannot read %s: %s\n", path, strerror(errno));
			problems++;
		}
		free(path);
		return false;
	}
	priv = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	check_key_mode(path);
	if (!priv) {
		fprintf(stderr, "ERROR: %s holds no usable RSA private key.\n", path);
		problems++;
		free(path);
		return false;
	}
	free(path);
	pub = rsa_public_from_host(name);
	if (pub && EVP_PKEY_eq(priv, pub) == 1) {
		EVP_PKEY_free(pub);
		EVP_PKEY_free(priv);
		return true;
	}
	if (pub)
		fprintf(stderr, "ERROR: public and private RSA keys do not match.\n");
	else
		fprintf(stderr, "WARNING: No (usable) public RSA key found.\n");
	if (ask_fix() && write_rsa_public(name, priv) == 0)
		fprintf(stderr, "Wrote RSA public key to %s/hosts/%s.\n", cli_confbase, name);
	else
		problems++;
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	return true;
}

/* ---- scripts ---- */

static bool ends_with(const char *s, const char *tail) {
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

static void check_script(const char *path) {
	if (access(path, R_OK | X_OK) == 0)
		return;
	fprintf(stderr, "WARNING: cannot read and execute %s: %s\n", path, strerror(errno));
	if (ask_fix() && chmod(path, 0755) == 0)
		fprintf(stderr, "Fixed permissions of %s.\n", path);
	else
		problems++;
}

static void check_scripts(const char *dir, bool hosts) {
	DIR *d = opendir(dir);
	struct dirent *e;
	bool explained = false;

	if (!d) {
		fprintf(stderr, "ERROR: cannot read directory %s: %s\n", dir, strerror(errno));
		problems++;
		return;
	}
	while ((e = readdir(d))) {
		char *path;

		if (!ends_with(e->d_name, "-up") && !ends_with(e->d_name, "-down"))
			continue;
		if (!hosts && strcmp(e->d_name, "tinc-up") && strcmp(e->d_name, "tinc-down") &&
		    strcmp(e->d_name, "host-up") && strcmp(e->d_name, "host-down") &&
		    strcmp(e->d_name, "subnet-up") && strcmp(e->d_name, "subnet-down")) {
			fprintf(stderr, "WARNING: Unknown script %s/%s found.\n", dir, e->d_name);
			if (!explained)
				fprintf(
				    stderr,
				    "The only scripts in %s executed by plexusd are:\n"
				    "tinc-up, tinc-down, host-up, host-down, subnet-up and subnet-down.\n",
				    dir);
			explained = true;
			continue;
		}
		path = cli_path("%s/%s", dir, e->d_name);
		check_script(path);
		free(path);
	}
	closedir(d);
}

/* ---- variables ---- */

static bool obsolete(const char *var) {
	return !strcasecmp(var, "GraphDumpFile") || !strcasecmp(var, "PrivateKey") ||
	       !strcasecmp(var, "PublicKey") || !strcasecmp(var, "PublicKeyFile");
}

static void check_variables(const char *path, bool server) {
	FILE *f = fopen(path, "r");
	size_t nvars = conf_known_var_count(), cap = 0;
	int *count = calloc(nvars, sizeof(*count));
	char *buf = NULL;
	int lineno = 0;
	bool pem = false;

	if (!f || !count) {
		if (f)
			fclose(f);
		free(count);
		return;
	}
	while (getline(&buf, &cap, f) >= 0) {
		char *line = buf + strspn(buf, "\t "), *value, *var;
		int flags;

		lineno++;
		if (pem) {
			pem = strncmp(line, "-----END", 8) != 0;
			continue;
		}
		if (!strncmp(line, "-----BEGIN", 10)) {
			pem = true;
			continue;
		}
		if (!*line || *line == '#' || *line == '\n' || *line == '\r')
			continue;
		var = cli_split_var(line, &value);
		flags = conf_var_flags(var);
		if (!flags)
			flags = cli_plugin_var_flags(var, NULL, 0); /* registered by a plugin */
		if (!flags) {
			fprintf(stderr, "WARNING: unknown variable %s in %s line %d\n", var, path, lineno);
			continue;
		}
		for (size_t i = 0; i < nvars; i++)
			if (!strcasecmp(conf_known_var_name(i), var))
				count[i]++;
		if (obsolete(var))
			fprintf(stderr, "WARNING: obsolete variable %s in %s line %d\n", var, path, lineno);
		if (server && !(flags & CONF_SERVER))
			fprintf(stderr, "WARNING: host variable %s found in server config %s line %d \n", var,
			        path, lineno);
		if (!server && !(flags & CONF_HOST))
			fprintf(stderr, "WARNING: server variable %s found in host config %s line %d \n", var,
			        path, lineno);
		if (conf_var_value_inert(var, value))
			continue;
		switch (conf_var_support(var)) {
		case CONF_REFUSE:
			if (server) {
				fprintf(stderr, "ERROR: plexusd refuses to run with %s set (%s line %d)\n",
				        var, path, lineno);
				problems++;
			}
			break;
		case CONF_WARN:
			fprintf(stderr, "WARNING: variable %s is not implemented by Plexus (%s line %d)\n",
			        var, path, lineno);
			break;
		case CONF_OBSOLETE:
			fprintf(stderr,
			        "WARNING: variable %s is obsolete and has no effect (%s line %d): %s\n", var,
			        path, lineno, conf_var_replacement(var));
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < nvars; i++)
		if (count[i] > 1 && !(conf_var_flags(conf_known_var_name(i)) & CONF_MULTIPLE))
			fprintf(stderr, "WARNING: multiple instances of variable %s in %s\n",
			        conf_known_var_name(i), path);
	free(buf);
	free(count);
	fclose(f);
}

/* conf.d/NAME.conf: more server configuration, read after the main file. */
static void check_conf_d(void) {
	char *dir = cli_path("%s/conf.d", cli_confbase);
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *f = list[i]->d_name;

		if (f[0] != '.' && strlen(f) > 5 && ends_with(f, ".conf")) {
			char *path = cli_path("%s/%s", dir, f);

			check_variables(path, true);
			free(path);
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	free(dir);
}

static void check_all_variables(void) {
	char *conf = cli_main_conf(), *hosts = cli_path("%s/hosts", cli_confbase);
	DIR *d = opendir(hosts);
	struct dirent *e;

	check_variables(conf, true);
	check_conf_d();
	while (d && (e = readdir(d))) {
		if (cli_valid_name(e->d_name)) {
			char *path = cli_path("%s/%s", hosts, e->d_name);

			check_variables(path, false);
			free(path);
		}
	}
	if (d)
		closedir(d);
	free(conf);
	free(hosts);
}

/* Why one function: the order of the checks is tinc's, so the messages
 * come out in the order a tinc user expects. */
int cmd_fsck(int argc, char **argv) {
	char *conf, *name, *hosts;
	bool ed, rsa;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	problems = 0;
	conf = cli_main_conf();
	if (access(conf, R_OK) < 0) {
		fprintf(stderr, "ERROR: cannot read %s: %s\n", conf, strerror(errno));
		if (errno == ENOENT) {
			fprintf(stderr, "No configuration found. Create a new one with:\n");
			suggest("init NAME");
		}
		free(conf);
		return 1;
	}
	free(conf);
	name = cli_my_name(true);
	if (!name) {
		fprintf(stderr, "ERROR: plexusd cannot run without a valid Name.\n");
		return 1;
	}
	hosts = cli_path("%s/hosts/%s", cli_confbase, name);
	if (access(hosts, R_OK) < 0)
		fprintf(stderr, "WARNING: cannot read %s\n", hosts);
	free(hosts);

	ed = check_ed25519(name);
	rsa = check_rsa(name);
	if (!ed && !rsa) {
		fprintf(stderr, "ERROR: Neither RSA or Ed25519 private key found.\n\n"
		                "You can generate new keys with:\n");
		suggest("generate-keys");
		problems++;
	}
	check_scripts(cli_confbase, false);
	hosts = cli_path("%s/hosts", cli_confbase);
	check_scripts(hosts, true);
	free(hosts);
	check_all_variables();
	free(name);
	if (problems)
		fprintf(stderr, "%d problem%s remain%s.\n", problems, problems == 1 ? "" : "s",
		        problems == 1 ? "s" : "");
	return problems ? 1 : 0;
}
