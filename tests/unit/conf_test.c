/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* tinc configuration syntax, priorities, typed getters, host files, server config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "model_stubs.h"
#include "plugin_vars.h"

static char dir[64];

static char *path(const char *rel) {
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, rel);
	return p;
}

static void write_file(const char *rel, const char *content) {
	FILE *f = fopen(path(rel), "w");

	CHECK(f != NULL);

	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void test_syntax(void) {
	struct conf c;

	conf_init(&c);
	write_file("syntax.conf", "# a comment\n"
	                          "\n"
	                          "Name = alpha\n"
	                          "port 655   \t\n"
	                          "Mode=switch\n"
	                          "  Device\t=\t/dev/net/tun\r\n"
	                          "   \t\n"
	                          "   # indented comment\n"
	                          "ConnectTo = beta\n"
	                          "CONNECTTO gamma\n"
	                          "Proxy = socks5 198.18.0.1 1080 user pass\n"
	                          "Interface =tap0\n");
	stub_log_clear();
	CHECK(conf_read_file(&c, path("syntax.conf"), true) == 0);
	CHECK(!stub_log_contains("Unknown"));
	CHECK(c.n == 8);
	CHECK_STR(conf_get(&c, "Name", 0), "alpha");
	CHECK_STR(conf_get(&c, "name", 0), "alpha");
	CHECK_STR(conf_get(&c, "Port", 0), "655");
	CHECK_STR(conf_get(&c, "MODE", 0), "switch");
	CHECK_STR(conf_get(&c, "Device", 0), "/dev/net/tun");
	CHECK_STR(conf_get(&c, "ConnectTo", 0), "beta");
	CHECK_STR(conf_get(&c, "ConnectTo", 1), "gamma");
	CHECK(conf_get(&c, "ConnectTo", 2) == NULL);
	CHECK(conf_get(&c, "ConnectTo", -1) == NULL);
	CHECK_STR(conf_get(&c, "Proxy", 0), "socks5 198.18.0.1 1080 user pass");
	CHECK_STR(conf_get(&c, "Interface", 0), "tap0");
	CHECK(conf_get(&c, "Subnet", 0) == NULL);

	const struct conf_entry *e = conf_get_entry(&c, "port", 0);
	CHECK(e && e->line == 4);
	CHECK(e && e->file && !strcmp(e->file, path("syntax.conf")));
	CHECK(e && !strcmp(e->var, "port")); /* spelling kept */
	conf_free(&c);
	CHECK(c.n == 0 && c.v == NULL);
}

static void test_pem(void) {
	struct conf c;

	conf_init(&c);
	write_file("pem", "Address = 198.18.0.1\n"
	                  "-----BEGIN RSA PUBLIC KEY-----\n"
	                  "Subnet = 10.9.9.9\n"
	                  "MIIBCgKCAQEAx\n"
	                  "=abc\n"
	                  "-----END RSA PUBLIC KEY-----\n"
	                  "Subnet = 10.0.0.0/8\n"
	                  "-----BEGIN ED25519 PUBLIC KEY-----\n"
	                  "xyz\n"
	                  "-----END ED25519 PUBLIC KEY-----\n"
	                  "Port = 655\n");
	CHECK(conf_read_file(&c, path("pem"), true) == 0);
	CHECK_STR(conf_get(&c, "Subnet", 0), "10.0.0.0/8");
	CHECK(conf_get(&c, "Subnet", 1) == NULL);
	CHECK_STR(conf_get(&c, "Port", 0), "655");
	CHECK(c.n == 3);
	conf_free(&c);

	/* Unterminated PEM: the rest of the file is ignored, with a warning. */
	write_file("pem2", "Address = 198.18.0.1\n"
	                   "-----BEGIN RSA PUBLIC KEY-----\n"
	                   "MIIBCgKCAQEAx\n"
	                   "Subnet = 10.0.0.0/8\n");
	stub_log_clear();
	CHECK(conf_read_file(&c, path("pem2"), true) == 0);
	CHECK(stub_log_contains(":2: PEM block without -----END"));
	CHECK_STR(conf_get(&c, "Address", 0), "198.18.0.1");
	CHECK(conf_get(&c, "Subnet", 0) == NULL);
	conf_free(&c);
}

static void test_errors(void) {
	struct conf c;
	char expect[300];

	conf_init(&c);

	/* A variable without a value is an error reported as file:line. */
	write_file("novalue", "Name = a\n# x\nPort =\n");
	stub_log_clear();
	CHECK(conf_read_file(&c, path("novalue"), true) == -1);
	snprintf(expect, sizeof(expect), "%s:3: no value for variable `Port'", path("novalue"));
	CHECK(stub_log_contains(expect));
	conf_free(&c);

	write_file("novalue2", "Port\n");
	stub_log_clear();
	CHECK(conf_read_file(&c, path("novalue2"), true) == -1);
	CHECK(stub_log_contains(":1: no value for variable `Port'"));
	conf_free(&c);

	write_file("novalue3", "Port = \t \n");
	CHECK(conf_read_file(&c, path("novalue3"), true) == -1);
	conf_free(&c);

	write_file("novar", "= 655\n");
	stub_log_clear();
	CHECK(conf_read_file(&c, path("novar"), true) == -1);
	CHECK(stub_log_contains(":1: missing variable name"));
	conf_free(&c);

	/* Unknown variables warn with file:line but are kept. */
	write_file("unknown", "Name = a\nFrobnicate = yes\n");
	stub_log_clear();
	CHECK(conf_read_file(&c, path("unknown"), true) == 0);
	snprintf(expect, sizeof(expect), "Unknown variable `Frobnicate' in %s:2", path("unknown"));
	CHECK(stub_log_contains(expect));
	CHECK_STR(conf_get(&c, "Frobnicate", 0), "yes");
	conf_free(&c);

	/* Missing files. */
	stub_log_clear();
	CHECK(conf_read_file(&c, path("does-not-exist"), false) == 0);
	CHECK(c.n == 0);
	CHECK(conf_read_file(&c, path("does-not-exist"), true) == -1);
	CHECK(stub_log_contains("does-not-exist"));
	/* A directory is not a config file. */
	CHECK(conf_read_file(&c, dir, false) == -1 || c.n == 0);

	/* Command-line lines. */
	stub_log_clear();
	CHECK(conf_add_line(&c, "", NULL, 0) == -1);
	CHECK(conf_add_line(&c, "   ", NULL, 0) == -1);
	CHECK(conf_add_line(&c, "Port", NULL, 0) == -1);
	CHECK(stub_log_contains("command line: no value for variable `Port'"));
	CHECK(conf_add_line(&c, "=1", NULL, 0) == -1);
	CHECK(conf_add_line(&c, NULL, NULL, 0) == -1);
	CHECK(conf_add_line(&c, "bad/name.Port=1", NULL, 0) == -1);
	CHECK(conf_add_line(&c, "..Port=1", NULL, 0) == -1);
	CHECK(c.n == 0);
	CHECK(conf_add_line(&c, "Port=1", NULL, 0) == 0);
	CHECK(conf_add_line(&c, "beta.Port 2", NULL, 0) == 0);
	CHECK_STR(conf_get(&c, "Port", 0), "1");
	CHECK_STR(conf_get(&c, "beta.Port", 0), "2");
	CHECK(conf_get(&c, "Port", 1) == NULL);
	conf_free(&c);
}

static void test_priority(void) {
	struct conf c;

	conf_init(&c);
	/* tinc.conf has Port on line 3, the host file on line 1: the host file wins. */
	write_file("prio-main", "Name = a\nMode = router\nPort = 1000\nConnectTo = x\n");
	write_file("prio-host", "Port = 2000\nConnectTo = y\n");
	CHECK(conf_read_file(&c, path("prio-main"), true) == 0);
	CHECK(conf_read_file(&c, path("prio-host"), true) == 0);
	CHECK_STR(conf_get(&c, "Port", 0), "2000");
	CHECK_STR(conf_get(&c, "Port", 1), "1000");
	CHECK_STR(conf_get(&c, "ConnectTo", 0), "y"); /* line 2 before line 4 */
	CHECK_STR(conf_get(&c, "ConnectTo", 1), "x");

	/* Same line: file name decides ("prio-host" < "prio-main"). */
	write_file("prio-z", "Mode = hub\n");
	write_file("prio-a", "x = 1\nMode = switch\n");
	CHECK(conf_read_file(&c, path("prio-z"), true) == 0);
	CHECK(conf_read_file(&c, path("prio-a"), true) == 0);
	CHECK_STR(conf_get(&c, "Mode", 0), "hub");    /* line 1 beats line 2 */
	CHECK_STR(conf_get(&c, "Mode", 1), "switch"); /* prio-a:2 < prio-main:2 */
	CHECK_STR(conf_get(&c, "Mode", 2), "router");

	/* Command line beats everything, in the order given. */
	CHECK(conf_add_line(&c, "Port = 3000", NULL, 0) == 0);
	CHECK(conf_add_line(&c, "Port = 4000", NULL, 0) == 0);
	CHECK_STR(conf_get(&c, "Port", 0), "3000");
	CHECK_STR(conf_get(&c, "Port", 1), "4000");
	CHECK_STR(conf_get(&c, "Port", 2), "2000");
	CHECK_STR(conf_get(&c, "Port", 3), "1000");
	CHECK(conf_get(&c, "Port", 4) == NULL);
	conf_free(&c);
}

static void test_typed(void) {
	struct conf c;
	bool b = false;
	int i = 0;

	conf_init(&c);
	write_file("typed", "TCPOnly = yes\n"
	                    "IndirectData = NO\n"
	                    "PMTUDiscovery = maybe\n"
	                    "Port = 655\n"
	                    "PingTimeout = -5\n"
	                    "MACLength = 4x\n"
	                    "KeyExpire = 99999999999\n"
	                    "Weight = 1 2\n");
	CHECK(conf_read_file(&c, path("typed"), true) == 0);

	CHECK(conf_get_bool(&c, "TCPOnly", &b) == 1 && b == true);
	CHECK(conf_get_bool(&c, "IndirectData", &b) == 1 && b == false);
	stub_log_clear();
	b = true;
	CHECK(conf_get_bool(&c, "PMTUDiscovery", &b) == -1);
	CHECK(b == true);
	CHECK(stub_log_contains("typed:3:"));
	CHECK(conf_get_bool(&c, "DirectOnly", &b) == 0);

	CHECK(conf_get_int(&c, "Port", &i) == 1 && i == 655);
	CHECK(conf_get_int(&c, "PingTimeout", &i) == 1 && i == -5);
	stub_log_clear();
	i = 42;
	CHECK(conf_get_int(&c, "MACLength", &i) == -1);
	CHECK(stub_log_contains("typed:6:"));
	CHECK(conf_get_int(&c, "KeyExpire", &i) == -1);
	CHECK(conf_get_int(&c, "Weight", &i) == -1);
	CHECK(conf_get_int(&c, "TCPOnly", &i) == -1);
	CHECK(i == 42);
	CHECK(conf_get_int(&c, "MaxTimeout", &i) == 0);
	conf_free(&c);
}

static void test_flags_and_names(void) {
	CHECK(conf_var_flags("Name") == CONF_SERVER);
	CHECK(conf_var_flags("name") == CONF_SERVER);
	CHECK(conf_var_flags("ConnectTo") == (CONF_SERVER | CONF_MULTIPLE));
	CHECK(conf_var_flags("Subnet") == (CONF_HOST | CONF_MULTIPLE));
	CHECK(conf_var_flags("Address") == (CONF_HOST | CONF_MULTIPLE));
	CHECK(conf_var_flags("Cipher") == (CONF_SERVER | CONF_HOST));
	CHECK(conf_var_flags("Ed25519PublicKey") == CONF_HOST);
	CHECK(conf_var_flags("Ed25519PrivateKeyFile") == CONF_SERVER);
	CHECK(conf_var_flags("ExperimentalProtocol") == CONF_SERVER);
	CHECK(conf_var_flags("PluginDir") == CONF_SERVER);
	CHECK(conf_var_flags("DisablePlugin") == (CONF_SERVER | CONF_MULTIPLE));
	CHECK(conf_var_flags("RequirePlugin") == (CONF_SERVER | CONF_MULTIPLE));
	CHECK(conf_var_flags("HostsFilesMaster") == (CONF_SERVER | CONF_HOST));
	CHECK(conf_var_flags("ConfFileMaster") == (CONF_SERVER | CONF_HOST));
	CHECK(conf_var_flags("GraphDumpFile") == CONF_SERVER);
	CHECK(conf_var_flags("UDPDiscoveryKeepaliveInterval") == CONF_SERVER);
	CHECK(conf_var_flags("beta.Subnet") == (CONF_HOST | CONF_MULTIPLE));
	CHECK(conf_var_flags("Frobnicate") == 0);
	CHECK(conf_var_flags("") == 0);
	CHECK(conf_var_flags(NULL) == 0);

	CHECK(check_node_name("alpha"));
	CHECK(check_node_name("Node_01"));
	CHECK(check_node_name("_"));
	CHECK(!check_node_name(""));
	CHECK(!check_node_name(NULL));
	CHECK(!check_node_name("a-b"));
	CHECK(!check_node_name("a.b"));
	CHECK(!check_node_name("a b"));
	CHECK(!check_node_name("../etc"));
	CHECK(!check_node_name(".."));
	CHECK(!check_node_name("a/b"));
	CHECK(!check_node_name("/etc/passwd"));
	CHECK(!check_node_name("a\n"));
	CHECK(!check_node_name("\xc3\xa9t\xc3\xa9"));
}

static void setup_confbase(void) {
	char hosts[300];

	snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
	mkdir(hosts, 0700);
	free(confbase);
	confbase = strdup(dir);
}

static void test_host_conf(void) {
	setup_confbase();
	write_file("hosts/beta", "Address = 198.18.0.2 655\nAddress = 198.18.0.3\nSubnet = 10.2.0.0/16\n");
	write_file("secret", "Address = 1.1.1.1\n");

	const struct conf *h = host_conf("beta");
	CHECK(h != NULL);
	CHECK_STR(conf_get(h, "Address", 0), "198.18.0.2 655");
	CHECK_STR(conf_get(h, "Address", 1), "198.18.0.3");
	CHECK_STR(conf_get(h, "Subnet", 0), "10.2.0.0/16");
	/* Parsed once, then cached. */
	write_file("hosts/beta", "Address = 198.18.9.9\n");
	CHECK(host_conf("beta") == h);
	CHECK_STR(conf_get(host_conf("beta"), "Address", 0), "198.18.0.2 655");
	host_conf_flush();
	CHECK_STR(conf_get(host_conf("beta"), "Address", 0), "198.18.9.9");

	/* Invalid names never touch the file system. */
	CHECK(host_conf("../secret") == NULL);
	CHECK(host_conf("hosts/../../secret") == NULL);
	CHECK(host_conf("/etc/passwd") == NULL);
	CHECK(host_conf("") == NULL);
	CHECK(host_conf(NULL) == NULL);
	CHECK(host_conf("a.b") == NULL);
	/* Absent or broken host files give NULL. */
	CHECK(host_conf("nosuchnode") == NULL);
	CHECK(host_conf("nosuchnode") == NULL);
	write_file("hosts/broken", "Address = 198.18.0.4\nPort\n");
	stub_log_clear();
	CHECK(host_conf("broken") == NULL);
	CHECK(stub_log_contains("broken:2: no value"));
	host_conf_flush();
}

static void test_server_config(void) {
	setup_confbase();
	conf_free(&server_conf);
	unlink(path("plexus.conf"));

	/* No tinc.conf at all. */
	unlink(path("tinc.conf"));
	CHECK(read_server_config() == -1);

	write_file("tinc.conf", "Name = alpha\nMode = switch\nPort = 1000\nConnectTo = beta\n");
	write_file("hosts/alpha", "Port = 2000\nSubnet = 10.1.0.0/16\n");
	CHECK(read_server_config() == 0);
	CHECK(main_conf_path && strstr(main_conf_path, "/tinc.conf"));
	CHECK_STR(conf_get(&server_conf, "Name", 0), "alpha");
	CHECK_STR(conf_get(&server_conf, "Mode", 0), "switch");
	CHECK_STR(conf_get(&server_conf, "Port", 0), "2000"); /* host file line 1 < tinc.conf line 3 */
	CHECK_STR(conf_get(&server_conf, "Subnet", 0), "10.1.0.0/16");

	/* plexus.conf takes precedence over tinc.conf. */
	write_file("plexus.conf", "Name = alpha\nMode = hub\n");
	CHECK(read_server_config() == 0);
	CHECK(main_conf_path && strstr(main_conf_path, "/plexus.conf"));
	CHECK_STR(conf_get(&server_conf, "Mode", 0), "hub");
	CHECK(conf_get(&server_conf, "ConnectTo", 0) == NULL);
	unlink(path("plexus.conf"));

	/* conf.d/<*>.conf is read after the main file. */
	char confd[300];
	snprintf(confd, sizeof(confd), "%s/conf.d", dir);
	mkdir(confd, 0700);
	write_file("conf.d/b.conf", "ConnectTo = delta\n");
	write_file("conf.d/a.conf", "x = 1\nConnectTo = gamma\n");
	write_file("conf.d/ignored.txt", "ConnectTo = nope\n");
	CHECK(read_server_config() == 0);
	CHECK_STR(conf_get(&server_conf, "ConnectTo", 0), "delta");
	CHECK_STR(conf_get(&server_conf, "ConnectTo", 1), "gamma");
	CHECK_STR(conf_get(&server_conf, "ConnectTo", 2), "beta");
	CHECK(conf_get(&server_conf, "ConnectTo", 3) == NULL);
	unlink(path("conf.d/a.conf"));
	unlink(path("conf.d/b.conf"));
	unlink(path("conf.d/ignored.txt"));
	rmdir(confd);

	/* Command-line options win and survive a reload; NAME.Var applies to that host. */
	conf_free(&server_conf);
	CHECK(conf_add_line(&server_conf, "Port=3000", NULL, 0) == 0);
	CHECK(conf_add_line(&server_conf, "alpha.Subnet=10.9.0.0/16", NULL, 0) == 0);
	CHECK(conf_add_line(&server_conf, "beta.Port=4000", NULL, 0) == 0);
	CHECK(read_server_config() == 0);
	CHECK(read_server_config() == 0); /* reload */
	CHECK_STR(conf_get(&server_conf, "Port", 0), "3000");
	CHECK_STR(conf_get(&server_conf, "Subnet", 0), "10.9.0.0/16");
	CHECK_STR(conf_get(&server_conf, "Subnet", 1), "10.1.0.0/16");
	CHECK(conf_get(&server_conf, "Subnet", 2) == NULL);
	write_file("hosts/beta", "Port = 655\nAddress = 198.18.0.2\n");
	const struct conf *beta = host_conf("beta");
	CHECK(beta != NULL);
	CHECK_STR(conf_get(beta, "Port", 0), "4000");
	CHECK_STR(conf_get(beta, "Address", 0), "198.18.0.2");
	conf_free(&server_conf);
	host_conf_flush();

	/* A missing own host file is only a warning (plexusd -K is about to create it). */
	write_file("tinc.conf", "Name = nohostfile\n");
	stub_log_clear();
	CHECK(read_server_config() == 0);
	CHECK(stub_log_contains("hosts/nohostfile for ourselves"));
	/* A broken one is an error. */
	write_file("hosts/nohostfile", "Subnet\n");
	CHECK(read_server_config() == -1);
	unlink(path("hosts/nohostfile"));

	/* Missing or invalid Name. */
	write_file("tinc.conf", "Mode = router\n");
	CHECK(read_server_config() == -1);
	write_file("tinc.conf", "Name = bad-name\n");
	stub_log_clear();
	CHECK(read_server_config() == -1);
	CHECK(stub_log_contains("tinc.conf:1: invalid Name"));
	write_file("tinc.conf", "Name = ../alpha\n");
	CHECK(read_server_config() == -1);

	/* $VAR from the environment, with non-alphanumerics replaced by '_'. */
	write_file("hosts/node_7", "Port = 7\n");
	setenv("PX_TEST_NAME", "node-7", 1);
	write_file("tinc.conf", "Name = $PX_TEST_NAME\n");
	CHECK(read_server_config() == 0);
	CHECK_STR(conf_get(&server_conf, "Name", 0), "node_7");
	CHECK_STR(conf_get(&server_conf, "Port", 0), "7");
	write_file("tinc.conf", "Name = $PX_TEST_UNSET_VARIABLE\n");
	unsetenv("PX_TEST_UNSET_VARIABLE");
	CHECK(read_server_config() == -1);

	/* $HOST: the hostname, sanitised. */
	char host[256] = "";
	gethostname(host, sizeof(host));
	unsetenv("HOST");

	for (char *p = host; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) {
			*p = '_';
		}
	}

	char hostfile[300];
	snprintf(hostfile, sizeof(hostfile), "hosts/%s", host);
	write_file(hostfile, "Port = 8\n");
	write_file("tinc.conf", "Name = $HOST\n");
	CHECK(read_server_config() == 0);
	CHECK_STR(conf_get(&server_conf, "Name", 0), host);
	unlink(path(hostfile));

	conf_free(&server_conf);
	host_conf_flush();
	free(main_conf_path);
	main_conf_path = NULL;
	free(confbase);
	confbase = NULL;
}

static void cleanup(void) {
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);

	if (system(cmd)) {
		fprintf(stderr, "could not remove %s\n", dir);
	}
}

/* Random lines and files: never crash, never leak, errors are clean. */
static void test_random(void) {
	static const char alphabet[] = "aPo=# \t-BEGINEND.x/$\r";
	unsigned seed = 777;
	struct conf c;

	conf_init(&c);

	for (int i = 0; i < 5000; i++) {
		char line[48];
		int len = (int)((seed = seed * 1103515245 + 12345) >> 16) % 40;

		for (int j = 0; j < len; j++) {
			seed = seed * 1103515245 + 12345;
			line[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}

		line[len] = '\0';
		size_t before = c.n;
		int r = conf_add_line(&c, line, NULL, 0);
		CHECK(r == 0 ? c.n == before + 1 : c.n == before);
	}

	for (size_t i = 0; i < c.n; i++) {
		CHECK(c.v[i].var[0] && c.v[i].value[0]);
		CHECK(!strpbrk(c.v[i].var, " \t="));
	}

	conf_free(&c);

	/* The same alphabet as whole files, with newlines. */
	for (int i = 0; i < 200; i++) {
		char text[400];
		int len = (int)((seed = seed * 1103515245 + 12345) >> 16) % 390;

		for (int j = 0; j < len; j++) {
			seed = seed * 1103515245 + 12345;
			unsigned r = (seed >> 16) % (sizeof(alphabet) + 4);
			text[j] = r >= sizeof(alphabet) - 1 ? '\n' : alphabet[r];
		}

		text[len] = '\0';
		write_file("random", text);
		conf_read_file(&c, path("random"), true);
		conf_free(&c);
	}
}

/* Every variable the table marks as not implemented is reported when set:
 * refused ones make read_server_config() (start-up and reload) fail, the
 * others are logged; values that mean "off" and implemented variables are
 * not reported. */
static void test_unimplemented_vars(void) {
	char text[256], msg[160];
	size_t warned = 0, refused = 0, obsolete = 0;

	setup_confbase();
	conf_free(&server_conf);
	unlink(path("plexus.conf"));
	write_file("hosts/alpha", "Port = 655\n");

	for (size_t i = 0; i < conf_known_var_count(); i++) {
		const char *name = conf_known_var_name(i);
		enum conf_support support = conf_var_support(name);

		snprintf(text, sizeof(text), "Name = alpha\n%s = plexus-test-value\n", name);
		write_file("tinc.conf", text);
		stub_log_clear();
		int rc = read_server_config();

		switch (support) {
		case CONF_REFUSE:
			refused++;
			CHECK(rc == -1);
			snprintf(msg, sizeof(msg),
			         "tinc.conf:2: Variable %s is not implemented by Plexus; refusing", name);
			break;
		case CONF_WARN:
			warned++;
			CHECK(rc == 0);
			snprintf(msg, sizeof(msg),
			         "tinc.conf:2: Variable %s is not implemented by Plexus and has no effect",
			         name);
			break;
		case CONF_TOOL_ONLY:
			CHECK(rc == 0);
			snprintf(msg, sizeof(msg),
			         "tinc.conf:2: Variable %s is only used by tinc's invitation tools", name);
			break;
		case CONF_OBSOLETE:
			obsolete++;
			CHECK(rc == 0);
			CHECK(conf_var_replacement(name) && *conf_var_replacement(name));
			snprintf(msg, sizeof(msg),
			         "tinc.conf:2: Variable %s is obsolete and has no effect: %s", name,
			         conf_var_replacement(name));
			break;
		default:
			CHECK(rc == 0);
			snprintf(msg, sizeof(msg), "Variable %s is", name);
			CHECK(!stub_log_contains(msg));
			continue;
		}

		if (!stub_log_contains(msg)) {
			fprintf(stderr, "no report for %s: expected \"%s\"\n", name, msg);
		}

		CHECK(stub_log_contains(msg));
	}

	CHECK(conf_known_var_count() > 90);
	CHECK(warned == 0); /* every variable is implemented, refused, tool-only or obsolete */
	CHECK(obsolete == 7);
	CHECK(refused >= 1);
	CHECK(conf_var_support("Sandbox") == CONF_REFUSE);
	CHECK(conf_var_support("Proxy") == CONF_IMPLEMENTED);
	CHECK(conf_var_support("DisableBuggyPeers") == CONF_IMPLEMENTED);
	CHECK(conf_var_support("MTUInfoInterval") == CONF_IMPLEMENTED);
	CHECK(conf_var_support("UDPInfoInterval") == CONF_IMPLEMENTED);
	CHECK(conf_var_support("ECDSAPublicKey") == CONF_OBSOLETE);
	CHECK(conf_var_replacement("ECDSAPublicKey") != NULL);
	CHECK(conf_var_replacement("Name") == NULL);
	CHECK(conf_var_support("UPnP") == CONF_IMPLEMENTED);
	CHECK(conf_var_support("Name") == CONF_IMPLEMENTED);
	CHECK(conf_var_support("Frobnicate") == CONF_IMPLEMENTED); /* unknown: warned by the parser */

	/* Values that mean the same as leaving the variable out. */
	CHECK(conf_var_value_inert("Sandbox", "OFF"));
	CHECK(conf_var_value_inert("Sandbox", "none"));
	CHECK(!conf_var_value_inert("Sandbox", "normal"));
	CHECK(!conf_var_value_inert("Sandbox", "of"));
	CHECK(!conf_var_value_inert("Sandbox", "offf"));
	CHECK(!conf_var_value_inert("Sandbox", NULL));
	CHECK(!conf_var_value_inert("Name", "alpha"));
	write_file("tinc.conf", "Name = alpha\nSandbox = off\nProxy = none\nFWMark = 0\n"
	                        "DisableBuggyPeers = no\nAutoConnect = no\n");
	stub_log_clear();
	CHECK(read_server_config() == 0);
	CHECK(!stub_log_contains("not implemented"));
	write_file("tinc.conf", "Name = alpha\nSandbox = high\n");
	CHECK(read_server_config() == -1);
	CHECK(stub_log_contains("(remove it or set it to off|none)"));

	/* -o, and a list variable set twice is reported once. */
	conf_free(&server_conf);
	write_file(
	    "tinc.conf",
	    "Name = alpha\nLocalDiscoveryAddress = 198.18.0.255\nLocalDiscoveryAddress = 198.18.1.255\n");
	CHECK(conf_add_line(&server_conf, "Sandbox = normal", NULL, 0) == 0);
	stub_log_clear();
	CHECK(read_server_config() == -1);
	CHECK(stub_log_contains("command line: Variable Sandbox is not implemented by Plexus; refusing"));
	CHECK(stub_log_contains("tinc.conf:2: Variable LocalDiscoveryAddress"));
	CHECK(!stub_log_contains("tinc.conf:3: Variable LocalDiscoveryAddress"));
	conf_free(&server_conf);

	/* In our own host file; and a peer's host file, once per variable until
	 * the next reload, whatever the number of re-reads. */
	write_file("tinc.conf", "Name = alpha\n");
	write_file("hosts/alpha", "Port = 655\nLogFile = /tmp/x.log\n");
	stub_log_clear();
	CHECK(read_server_config() == 0);
	CHECK(stub_log_contains("hosts/alpha:2: Variable LogFile is obsolete and has no effect: choose "
	                        "the log file with plexusd --logfile"));
	write_file("hosts/alpha", "Port = 655\n");
	write_file("hosts/beta",
	           "ECDSAPublicKey = abc\nRoute = 198.18.5.0/24\nAddress = 198.18.0.2\nUPnP = yes\n");
	stub_log_clear();
	CHECK(host_conf("beta") != NULL);
	CHECK(stub_log_contains("hosts/beta:1: Variable ECDSAPublicKey is obsolete"));
	CHECK(stub_log_contains("hosts/beta:2: Variable Route is only used by tinc's invitation tools"));
	CHECK(!stub_log_contains("UPnP")); /* a server variable in a peer's file: not ours to use */
	host_conf_forget("beta");
	stub_log_clear();
	CHECK(host_conf("beta") != NULL);
	CHECK(!stub_log_contains("ECDSAPublicKey"));
	CHECK(read_server_config() == 0); /* reload */
	stub_log_clear();
	CHECK(host_conf("beta") != NULL);
	CHECK(stub_log_contains("hosts/beta:1: Variable ECDSAPublicKey is obsolete"));

	conf_free(&server_conf);
	host_conf_flush();
	unlink(path("hosts/beta"));
	unlink(path("hosts/alpha"));
	unlink(path("tinc.conf"));
}

/* Plugin variables (ABI 1.2): registered names are known to the parser;
 * names met before plugins ran wait, and only unregistered ones warn. */
static void test_plugin_vars(void) {
	struct conf c;
	char expect[512];
	const struct px_var key = {sizeof(struct px_var), "DemoKey", PX_VAR_SERVER, PX_VAR_STRING, "a key"};
	const struct px_var proto = {sizeof(struct px_var), "DemoProtocol", PX_VAR_HOST, PX_VAR_BOOL,
	                             "speaks it"};
	const struct px_var core_var = {sizeof(struct px_var), "Port", PX_VAR_SERVER, PX_VAR_INT, "x"};
	const struct px_var bad_name = {sizeof(struct px_var), "Demo-Key", PX_VAR_SERVER, PX_VAR_STRING, "x"};
	const struct px_var no_scope = {sizeof(struct px_var), "DemoNoScope", 0, PX_VAR_STRING, "x"};
	const struct px_var short_size = {8, "DemoShort", PX_VAR_SERVER, PX_VAR_STRING, "x"};

	plugin_vars_clear();
	conf_set_unknown_filter(plugin_vars_filter); /* as plexusd's wiring does */
	conf_init(&c);
	write_file("pvars", "Name = a\nDemoKey = 00\nDemoProtocol = yes\nDemoOther = 1\n");
	stub_log_clear();
	plugin_vars_defer(true);
	CHECK(conf_read_file(&c, path("pvars"), true) == 0);
	CHECK(!stub_log_contains("Unknown variable"));

	CHECK(plugin_var_register("crypto-demo", &key) == 0);
	CHECK(plugin_var_register("crypto-demo", &proto) == 0);
	CHECK(plugin_var_register("other", &key) == -1);
	CHECK(stub_log_contains(
	    "Configuration variable `DemoKey' registered by both `crypto-demo' and `other'"));
	CHECK(plugin_var_register("p", &core_var) == -1);
	CHECK(stub_log_contains("`Port', a variable of the core"));
	CHECK(plugin_var_register("p", &bad_name) == -1);
	CHECK(plugin_var_register("p", &no_scope) == -1);
	CHECK(plugin_var_register("p", &short_size) == -1);
	CHECK(plugin_var_known("demokey") && plugin_var_known("DemoProtocol") &&
	      !plugin_var_known("DemoOther"));

	stub_log_clear();
	plugin_vars_settle();
	snprintf(expect, sizeof(expect), "Unknown variable `DemoOther' in %s:4", path("pvars"));
	CHECK(stub_log_contains(expect));
	CHECK(!stub_log_contains("`DemoKey'") && !stub_log_contains("`DemoProtocol'"));
	CHECK(!plugin_vars_deferring());
	conf_free(&c);

	/* After settling (a reload, host files): registered names stay quiet. */
	conf_init(&c);
	stub_log_clear();
	CHECK(conf_read_file(&c, path("pvars"), true) == 0);
	CHECK(stub_log_contains("Unknown variable `DemoOther'"));
	CHECK(!stub_log_contains("`DemoKey'"));
	CHECK_STR(conf_get(&c, "DemoKey", 0), "00");
	conf_free(&c);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	plugin_vars_dump(f);
	fclose(f);
	CHECK(strstr(buf, "DemoKey server single string crypto-demo a key\n") != NULL);
	CHECK(strstr(buf, "DemoProtocol host single bool crypto-demo speaks it\n") != NULL);
	free(buf);
	plugin_vars_clear();
	CHECK(!plugin_var_known("DemoKey"));
	conf_set_unknown_filter(NULL);
}

int main(void) {
	snprintf(dir, sizeof(dir), "/tmp/px-conf-test.XXXXXX");

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}

	test_syntax();
	test_pem();
	test_errors();
	test_priority();
	test_typed();
	test_flags_and_names();
	test_host_conf();
	test_server_config();
	test_unimplemented_vars();
	test_random();
	test_plugin_vars();
	cleanup();
	return check_done("conf_test");
}
