/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexusd: the daemon. Takes tincd's command line (-c, -n, -D, -d, -K,
 * --pidfile, --logfile, ...) so that anything that drives tincd can drive
 * Plexus unchanged.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "control.h"
#include "daemon.h"
#include "event.h"
#include "logger.h"
#include "plugin_loader.h"
#include "plugin_vars.h"
#include "privdrop.h"
#include "protocol.h"
#include "service.h"
#include "net.h"
#include "outgoing.h"

static bool do_detach = true;
static int generate_keys_bits = -1; /* -K: >= 0 */
static char *pidfile;
static char *logfile;
static bool use_logfile;
static int kill_signal;
static bool debug_level_given; /* -d on the command line wins over LogLevel */
static bool use_syslog;        /* -s: syslog even with -D */
static char *switch_user;      /* -U */
static bool do_chroot;         /* -R */
static bool do_mlock;          /* -L */
static bool dump_variables;    /* --dump-variables */

static const struct option long_options[] = {
    {"config", required_argument, NULL, 'c'}, {"net", required_argument, NULL, 'n'},
    {"no-detach", no_argument, NULL, 'D'},    {"debug", optional_argument, NULL, 'd'},
    {"kill", optional_argument, NULL, 'k'},   {"generate-keys", optional_argument, NULL, 'K'},
    {"mlock", no_argument, NULL, 'L'},        {"chroot", no_argument, NULL, 'R'},
    {"user", required_argument, NULL, 'U'},   {"option", required_argument, NULL, 'o'},
    {"syslog", no_argument, NULL, 's'},       {"help", no_argument, NULL, 1},
    {"version", no_argument, NULL, 2},        {"pidfile", required_argument, NULL, 3},
    {"logfile", optional_argument, NULL, 4},  {"bypass-security", no_argument, NULL, 5},
    {"dump-variables", no_argument, NULL, 6}, {NULL, 0, NULL, 0},
};

static void usage(bool status) {
	if (status) {
		fprintf(stderr, "Try `plexusd --help' for more information.\n");
		return;
	}
	printf(
	    "Usage: plexusd [option]...\n\n"
	    "  -c, --config=DIR           Read configuration options from DIR.\n"
	    "  -D, --no-detach            Don't fork and detach.\n"
	    "  -d, --debug[=LEVEL]        Increase debug level or set it to LEVEL.\n"
	    "  -k, --kill[=SIGNAL]        Attempt to kill a running plexusd and exit.\n"
	    "  -n, --net=NETNAME          Connect to net NETNAME.\n"
	    "  -K, --generate-keys[=BITS] Generate public/private key pairs.\n"
	    "  -L, --mlock                Lock all of plexusd's memory into RAM.\n"
	    "  -o, --option=[HOST.]KEY=VALUE  Set a configuration option.\n"
	    "  -R, --chroot               chroot to the configuration directory after setup.\n"
	    "  -s, --syslog               Log to syslog even with --no-detach.\n"
	    "  -U, --user=USER            Switch to USER (and its groups) after setup.\n"
	    "      --logfile[=FILENAME]   Write log entries to a logfile.\n"
	    "      --pidfile=FILENAME     Write PID and control socket cookie to FILENAME.\n"
	    "      --help                 Display this help and exit.\n"
	    "      --version              Output version information and exit.\n"
	    "      --dump-variables       List the configuration variables the plugins register and exit.\n\n"
	    "Environment: PLEXUS_PLUGIN_PATH (colon-separated plugin directories).\n"
	    "Report bugs to %s.\n",
	    PACKAGE_BUGREPORT);
}

static int parse_options(int argc, char **argv) {
	int r;
	int idx = 0;
	while ((r = getopt_long(argc, argv, "c:DLd::k::n:o:K::RU:s", long_options, &idx)) != EOF) {
		switch (r) {
		case 'c':
			free(confbase);
			confbase = strdup(optarg);
			break;
		case 'D':
			do_detach = false;
			break;
		case 'd':
			debug_level_given = true;
			if (optarg)
				debug_level = atoi(optarg);
			else if (optind < argc && argv[optind][0] >= '0' && argv[optind][0] <= '9' &&
			         !argv[optind][1])
				debug_level = atoi(argv[optind++]);
			else
				debug_level++;
			break;
		case 'k':
			kill_signal = SIGTERM;
			if (optarg) {
				if (!strcasecmp(optarg, "HUP"))
					kill_signal = SIGHUP;
				else if (!strcasecmp(optarg, "TERM"))
					kill_signal = SIGTERM;
				else if (!strcasecmp(optarg, "ALRM"))
					kill_signal = SIGALRM;
				else if (!strcasecmp(optarg, "INT"))
					kill_signal = SIGINT;
				else
					kill_signal = atoi(optarg);
				if (kill_signal <= 0) {
					fprintf(stderr, "Invalid argument `%s' to --kill\n", optarg);
					return -1;
				}
			}
			break;
		case 'n':
			free(netname);
			netname = strdup(optarg);
			break;
		case 'o':
			if (conf_add_line(&server_conf, optarg, NULL, 0) < 0)
				return -1;
			break;
		case 'K':
			generate_keys_bits = optarg ? atoi(optarg) : 0;
			if (generate_keys_bits < 0 || (generate_keys_bits && generate_keys_bits < 512)) {
				fprintf(stderr, "Invalid argument `%s' to --generate-keys\n", optarg);
				return -1;
			}
			break;
		case 'L':
			do_mlock = true;
			break;
		case 'R':
			do_chroot = true;
			break;
		case 'U':
			free(switch_user);
			switch_user = strdup(optarg);
			break;
		case 's':
			use_syslog = true;
			break;
		case 1:
			usage(false);
			exit(0);
		case 2:
			printf("plexusd %s (speaks tinc protocol %d)\nPlugin ABI %d.%d\n"
			       "This is free software: GPL-2.0-or-later with an OpenSSL linking exception.\n",
			       PACKAGE_VERSION, PX_PROT_MAJOR, PX_ABI_MAJOR, PX_ABI_MINOR);
			exit(0);
		case 3:
			free(pidfile);
			pidfile = strdup(optarg);
			break;
		case 4:
			use_logfile = true;
			free(logfile);
			logfile = optarg ? strdup(optarg) : NULL;
			break;
		case 5:
			fprintf(stderr, "--bypass-security is not supported by plexusd\n");
			return -1;
		case 6:
			dump_variables = true;
			break;
		default:
			usage(true);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unrecognized argument '%s'\n", argv[0], argv[optind]);
		usage(true);
		return -1;
	}
	return 0;
}

static void make_names(void) {
	if (netname && (strchr(netname, '/') || !strcmp(netname, "..") || !*netname)) {
		fprintf(stderr, "Invalid character in netname!\n");
		exit(1);
	}
	if (!confbase) {
		char buf[4096];
		if (netname)
			snprintf(buf, sizeof(buf), "%s/tinc/%s", PLEXUS_SYSCONFDIR, netname);
		else
			snprintf(buf, sizeof(buf), "%s/tinc", PLEXUS_SYSCONFDIR);
		confbase = strdup(buf);
	}
	if (!pidfile)
		pidfile = control_default_pidfile(confbase, netname);
	if (use_logfile && !logfile) {
		char buf[4096];
		snprintf(buf, sizeof(buf), "%s/log/plexus%s%s.log", PLEXUS_LOCALSTATEDIR, netname ? "." : "",
		         netname ? netname : "");
		logfile = strdup(buf);
	}
}

/* -K: every crypto plugin makes its key pair. */
static int generate_keys(void) {
	const char *name = conf_get(&server_conf, "Name", 0);
	int made = 0;
	for (int i = 0; i < crypto_provider_count(); i++) {
		const struct crypto_provider *p = crypto_provider_at(i);
		if (!p->ops->generate_keys)
			continue;
		if (p->ops->generate_keys(p->plugin, confbase, name, generate_keys_bits) < 0)
			return -1;
		made++;
	}
	if (!made) {
		fprintf(stderr, "No crypto plugin that can generate keys is loaded (searched: %s)\n",
		        plugins_search_path());
		return -1;
	}
	return 0;
}

static int kill_daemon(void) {
	FILE *f = fopen(pidfile, "r");
	if (!f) {
		fprintf(stderr, "Could not open pid file %s: %s\n", pidfile, strerror(errno));
		return 1;
	}
	long pid = 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
		fclose(f);
		fprintf(stderr, "Invalid pid file %s\n", pidfile);
		return 1;
	}
	fclose(f);
	if (kill((pid_t)pid, kill_signal) < 0) {
		fprintf(stderr, "Could not send signal %d to process %ld: %s\n", kill_signal, pid,
		        strerror(errno));
		return 1;
	}
	return 0;
}

static void on_stop(int signo) {
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "Got %s signal", strsignal(signo));
	service_stopping();
	event_loop_stop();
}

static void on_hup(int signo) {
	service_reloading();
	logger_reopen();
	net_reload();
	service_reloaded();
}

static void on_alrm(int signo) {
	net_retry();
}

static int old_debug_level = -1;
static void on_int(int signo) {
	/* tinc 1.0: SIGINT toggles debug level 5. */
	if (old_debug_level < 0) {
		old_debug_level = debug_level;
		debug_level = 5;
	} else {
		debug_level = old_debug_level;
		old_debug_level = -1;
	}
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "Debug level set to %d", debug_level);
}

int main(int argc, char **argv) {
	daemon_wire();
	conf_init(&server_conf);
	/* Plugins register their variables in init(): until then, unknown
	 * names wait (plugin_vars.c) instead of drawing a warning. */
	conf_set_unknown_filter(plugin_vars_filter);
	plugin_vars_defer(true);
	if (parse_options(argc, argv) < 0)
		return 1;
	make_names();
	if (kill_signal)
		return kill_daemon();
	if (sodium_init() < 0) {
		fprintf(stderr, "Could not initialise libsodium\n");
		return 1;
	}

	enum log_mode mode = LOGMODE_STDERR;
	if (use_logfile)
		mode = LOGMODE_FILE;
	else if (do_detach || use_syslog)
		mode = LOGMODE_SYSLOG;
	logger_open("plexusd", mode, logfile);
	if (read_server_config() < 0)
		return 1;
	if (!debug_level_given && conf_get_int(&server_conf, "LogLevel", &debug_level) < 0)
		return 1;
	if (event_init() < 0)
		return 1;
	int loaded = plugins_load();
	plugin_vars_settle();
	if (dump_variables) {
		/* What registered before a plugin failed still counts: the CLI
		 * needs DemoKey known to fix the very line that makes init fail. */
		plugin_vars_dump(stdout);
		plugins_unload();
		return loaded < 0 ? 1 : 0;
	}
	if (loaded < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Plugin errors: not starting");
		plugins_unload();
		return 1;
	}
	if (generate_keys_bits >= 0) {
		int r = generate_keys();
		plugins_unload();
		return r < 0 ? 1 : 0;
	}

	if (privdrop_configure(switch_user, do_chroot, do_mlock) < 0) {
		plugins_unload();
		return 1;
	}

	if (do_detach && daemon(1, 0) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not detach: %s", strerror(errno));
		return 1;
	}
	/* After daemon(): memory locks are not inherited across fork. */
	if (privdrop_lock_memory() < 0) {
		plugins_unload();
		return 1;
	}
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "plexusd %s starting, debug level %d", PACKAGE_VERSION,
	       debug_level);
	service_init();

	signal(SIGPIPE, SIG_IGN);
	signal_watch(SIGTERM, on_stop);
	signal_watch(SIGQUIT, on_stop);
	signal_watch(SIGINT, do_detach ? on_int : on_stop);
	signal_watch(SIGHUP, on_hup);
	signal_watch(SIGALRM, on_alrm);

	int status = 1;
	if (plugins_start() < 0)
		goto out;
	if (net_setup() < 0)
		goto out;
	if (control_init(pidfile) < 0)
		goto out;
	/* Everything that needs root is open now; scripts from here on run as the new user. */
	if (privdrop_apply() < 0) {
		control_exit();
		goto out;
	}
	service_ready();
	status = event_loop_run() < 0 ? 1 : 0;
	logger(PX_LOG_ALWAYS, LOG_NOTICE, "Terminating");
	control_exit();
out:
	net_shutdown();
	plugins_stop();
	plugins_unload();
	node_free_all();
	seen_request_flush();
	service_exit();
	event_exit();
	conf_free(&server_conf);
	logger_close();
	return status;
}
