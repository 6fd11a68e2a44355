/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Hook scripts: environment, exit status, absent and non-executable scripts,
 * and a clean signal mask in the child. */
#define _GNU_SOURCE /* mkdtemp */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "script.h"

/* script.c only needs confbase from conf.c. */
char *confbase;

static char dir[] = "/tmp/plexus-script-test-XXXXXX";

static void write_script(const char *name, const char *body, mode_t mode) {
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(body, f);
	fclose(f);
	chmod(path, mode);
}

static char *slurp(const char *name) {
	static char buf[65536]; /* the whole environment of make check fits */
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return "";
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int main(void) {
	CHECK(mkdtemp(dir) != NULL);
	confbase = dir;
	setenv("NETNAME", "stale", 1); /* overridden, not duplicated */
	setenv("PLEXUS_TEST_INHERITED", "yes", 1);
	script_set_common("vpn", "/dev/net/tun", "vpn0", "alpha");

	write_script("tinc-up",
	             "#!/bin/sh\n"
	             "cd \"$(dirname \"$0\")\"\n"
	             "env > env.out\n"
	             "grep SigBlk /proc/self/status > sig.out\n"
	             "exit 0\n",
	             0755);
	/* Blocked in the daemon (signalfd); must not stay blocked in the script. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

	char *extra[] = {"NODE=beta", "REMOTEADDRESS=198.18.0.2", NULL};
	CHECK(script_run("tinc-up", extra) == 0);
	char *env = slurp("env.out");
	CHECK(strstr(env, "NETNAME=vpn\n") != NULL);
	CHECK(strstr(env, "NETNAME=stale") == NULL);
	CHECK(strstr(env, "DEVICE=/dev/net/tun\n") != NULL);
	CHECK(strstr(env, "INTERFACE=vpn0\n") != NULL);
	CHECK(strstr(env, "NAME=alpha\n") != NULL);
	CHECK(strstr(env, "NODE=beta\n") != NULL);
	CHECK(strstr(env, "REMOTEADDRESS=198.18.0.2\n") != NULL);
	CHECK(strstr(env, "PLEXUS_TEST_INHERITED=yes\n") != NULL);
	CHECK(strstr(slurp("sig.out"), "0000000000000000") != NULL);

	write_script("host-down", "#!/bin/sh\nexit 3\n", 0755);
	CHECK(script_run("host-down", NULL) == 3);

	write_script("subnet-up", "#!/bin/sh\nexit 0\n", 0644);
	CHECK(script_run("subnet-up", NULL) == -1);

	CHECK(script_run("host-up", NULL) == 0); /* absent */

	/* ScriptsInterpreter: `<interpreter> "<script>"`, so the script need not
	 * be executable and the interpreter may carry options; a path with a
	 * space stays one argument. */
	write_script("host-up", "echo \"interpreted $0\" > \"$(dirname \"$0\")/interp.out\"\n", 0644);
	script_set_options("/bin/sh -e", NULL);
	CHECK(script_run("host-up", NULL) == 0);
	CHECK(strstr(slurp("interp.out"), "interpreted ") != NULL);
	CHECK(strstr(slurp("interp.out"), "/host-up") != NULL);
	/* ScriptsExtension: appended to the name; the bare name is not run. */
	write_script("tinc-down.sh", "echo extension > \"$(dirname \"$0\")/ext.out\"\nexit 4\n", 0644);
	script_set_options("/bin/sh", ".sh");
	CHECK(script_run("tinc-down", NULL) == 4);
	CHECK(strcmp(slurp("ext.out"), "extension\n") == 0);
	CHECK(script_run("host-up", NULL) == 0); /* host-up.sh is absent */
	/* Back to direct execution: a non-executable script is refused again. */
	script_set_options(NULL, NULL);
	CHECK(script_run("host-up", NULL) == -1);

	const char *names[] = {"tinc-up", "host-down",  "subnet-up",    "env.out", "sig.out",
	                       "host-up", "interp.out", "tinc-down.sh", "ext.out"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	script_set_common(NULL, NULL, NULL, NULL);
	return check_done("script_test");
}
