/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * plexus: the control CLI. Talks tinc 1.1's control protocol to a running
 * plexusd over its UNIX socket (cookie from the pid file), and starts the
 * daemon or its key generators by exec'ing plexusd. Works against a tinc
 * 1.1 daemon too, as far as tinc implements the requests.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"
#include "cli_ctl.h"
#include "control.h"
#include "control_format.h"
#include "subnet.h"
#include "xalloc.h"

#ifndef PLEXUS_SYSCONFDIR
#define PLEXUS_SYSCONFDIR "/usr/local/etc"
#endif

#define LINE_MAX_LEN 8192

const char *program = "plexus";
char *opt_confdir;        /* -c as given */
char *opt_netname;        /* -n as given (or $NETNAME) */
static char *opt_pidfile; /* --pidfile as given */
char *cli_confbase;       /* resolved configuration directory */
static char *cli_pidfile; /* resolved pid file */
bool cli_force;           /* --force */
bool cli_tty;             /* interactive: stdin and stdout are terminals, no -b */

/* ---- a connection to the daemon ---- */

static void die_oom(void) {
	fprintf(stderr, "%s: out of memory\n", program);
	exit(1);
}

static char *xasprintf(const char *fmt, ...) PX_PRINTF(1, 2);
static char *xasprintf(const char *fmt, ...) {
	va_list ap;
	char *out;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&out, fmt, ap);
	va_end(ap);
	if (r < 0)
		die_oom();
	return out;
}

/* Fill the buffer with at least `want` bytes; -1 on EOF or error. */
static int ctl_fill(struct ctl *c, size_t want) {
	while (c->len < want) {
		ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
	}
	return 0;
}

/* One line without its newline; -1 if the daemon went away. */
int ctl_recv_line(struct ctl *c, char *line, size_t max) {
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);

		if (nl) {
			size_t n = (size_t)(nl - c->buf);

			if (n >= max)
				n = max - 1;
			memcpy(line, c->buf, n);
			line[n] = 0;
			c->len -= (size_t)(nl - c->buf) + 1;
			memmove(c->buf, nl + 1, c->len);
			return 0;
		}
		if (c->len == sizeof(c->buf) || ctl_fill(c, c->len + 1) < 0)
			return -1;
	}
}

/* Exactly `len` bytes, written to `out`. */
int ctl_recv_bytes_to(struct ctl *c, size_t len, FILE *out) {
	while (len) {
		size_t n;

		if (!c->len && ctl_fill(c, 1) < 0)
			return -1;
		n = c->len < len ? c->len : len;
		fwrite(c->buf, 1, n, out);
		c->len -= n;
		memmove(c->buf, c->buf + n, c->len);
		len -= n;
	}
	return 0;
}

int ctl_send(struct ctl *c, const char *fmt, ...) {
	char line[LINE_MAX_LEN];
	va_list ap;
	size_t off = 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -1;
	line[n++] = '\n';
	while (off < (size_t)n) {
		ssize_t w = write(c->fd, line + off, (size_t)n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

void ctl_close(struct ctl *c) {
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Read "<pid> <cookie> ..." from the pid file. */
static int read_pidfile(const char *path, int *pid, char cookie[static 256], bool quiet) {
	FILE *f = fopen(path, "r");
	int r;

	if (!f) {
		if (!quiet)
			fprintf(stderr, "Could not open pid file %s: %s\n", path, strerror(errno));
		return -1;
	}
	r = fscanf(f, "%d %255s", pid, cookie);
	fclose(f);
	if (r != 2) {
		if (!quiet)
			fprintf(stderr, "Could not parse pid file %s\n", path);
		return -1;
	}
	return 0;
}

/* Connect and authenticate. `quiet`: no messages (used to probe whether a
 * daemon is running). */
int ctl_open(struct ctl *c, bool quiet) {
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char cookie[256], line[LINE_MAX_LEN], name[256];
	char *path;
	int code, version, ack_pid;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (read_pidfile(cli_pidfile, &c->pid, cookie, quiet) < 0)
		return -1;

	path = control_socket_path(cli_pidfile);
	if (!path)
		die_oom();
	if (strlen(path) >= sizeof(sa.sun_path)) {
		if (!quiet)
			fprintf(stderr, "Control socket path %s is too long\n", path);
		free(path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (!quiet)
			fprintf(stderr, "Could not connect to control socket %s: %s (is plexusd running?)\n",
			        path, strerror(errno));
		free(path);
		ctl_close(c);
		return -1;
	}
	free(path);

	if (ctl_send(c, "%d ^%s %d", PX_REQ_ID, cookie, 0) < 0 || ctl_recv_line(c, line, sizeof(line)) < 0 ||
	    sscanf(line, "%d %255s", &code, name) != 2 || code != PX_REQ_ID ||
	    ctl_recv_line(c, line, sizeof(line)) < 0 ||
	    sscanf(line, "%d %d %d", &code, &version, &ack_pid) != 3 || code != PX_REQ_ACK || version != 0) {
		if (!quiet)
			fprintf(stderr, "Could not authenticate with plexusd (stale pid file %s?)\n",
			        cli_pidfile);
		ctl_close(c);
		return -1;
	}
	c->pid = ack_pid;
	return 0;
}

/* Send "18 <type> [arg]" and read "18 <type> <result>". */
int ctl_simple(struct ctl *c, int type, const char *arg, int *result) {
	char line[LINE_MAX_LEN];
	int code, rtype;

	if ((arg ? ctl_send(c, "%d %d %s", PX_REQ_CONTROL, type, arg)
	         : ctl_send(c, "%d %d", PX_REQ_CONTROL, type)) < 0)
		goto lost;
	if (ctl_recv_line(c, line, sizeof(line)) < 0)
		goto lost;
	if (sscanf(line, "%d %d %d", &code, &rtype, result) != 3 || code != PX_REQ_CONTROL || rtype != type) {
		if (sscanf(line, "%d %d", &code, &rtype) == 2 && rtype == -1)
			fprintf(stderr, "The daemon does not support this request\n");
		else
			fprintf(stderr, "Unexpected reply from plexusd: %s\n", line);
		return -1;
	}
	return 0;
lost:
	fprintf(stderr, "Lost connection to plexusd\n");
	return -1;
}

/*
 * Ask for a dump and hand each line to cb until the closing "18 <type>".
 * Returns 0, or -1 after printing why.
 */
int ctl_dump(struct ctl *c, int type, int (*cb)(const char *line, void *arg), void *arg) {
	char line[LINE_MAX_LEN];

	if (ctl_send(c, "%d %d", PX_REQ_CONTROL, type) < 0) {
		fprintf(stderr, "Lost connection to plexusd\n");
		return -1;
	}
	for (;;) {
		int code, rtype, used = 0;

		if (ctl_recv_line(c, line, sizeof(line)) < 0) {
			fprintf(stderr, "Lost connection to plexusd\n");
			return -1;
		}
		if (sscanf(line, "%d %d%n", &code, &rtype, &used) != 2 || code != PX_REQ_CONTROL) {
			fprintf(stderr, "Unexpected reply from plexusd: %s\n", line);
			return -1;
		}
		if (rtype == -1) {
			fprintf(stderr, "The daemon does not support this request\n");
			return -1;
		}
		if (rtype != type) {
			fprintf(stderr, "Unexpected reply from plexusd: %s\n", line);
			return -1;
		}
		if (line[used] == 0)
			return 0;
		if (cb(line, arg) < 0) {
			fprintf(stderr, "Could not parse a line from plexusd: %s\n", line);
			return -1;
		}
	}
}

/* ---- collected dumps ---- */

struct vec {
	void *v;
	size_t n, cap, size;
};

static void *vec_push(struct vec *v) {
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		void *p = realloc(v->v, cap * v->size);

		if (!p)
			die_oom();
		v->v = p;
		v->cap = cap;
	}
	return (char *)v->v + v->size * v->n++;
}

static int collect_node(const char *line, void *arg) {
	return ctl_parse_node(line, vec_push(arg));
}
static int collect_edge(const char *line, void *arg) {
	return ctl_parse_edge(line, vec_push(arg));
}
static int collect_subnet(const char *line, void *arg) {
	return ctl_parse_subnet(line, vec_push(arg));
}
static int collect_conn(const char *line, void *arg) {
	return ctl_parse_conn(line, vec_push(arg));
}
static int collect_plugin(const char *line, void *arg) {
	return ctl_parse_plugin(line, vec_push(arg));
}

/* ---- finding and running plexusd ---- */

static bool is_executable(const char *path) {
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * The daemon that belongs to this CLI: $PLEXUSD, else the plexusd next to
 * us (in the build tree both live in core/; libtool may run us from
 * core/.libs/), else the installed one, else whatever PATH has.
 */
static char *find_plexusd(void) {
	const char *env = getenv("PLEXUSD");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return xstrdup(env);

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash, *cand;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			cand = xasprintf("%s/plexusd", self);
			if (is_executable(cand))
				return cand;
			free(cand);
			slash = strrchr(self, '/');
			if (slash && !strcmp(slash + 1, ".libs")) {
				*slash = 0;
				cand = xasprintf("%s/plexusd", self);
				if (is_executable(cand))
					return cand;
				free(cand);
			} else {
				cand = xasprintf("%s/../sbin/plexusd", self);
				if (is_executable(cand))
					return cand;
				free(cand);
			}
		}
	}
#ifdef PLEXUS_SBINDIR
	if (is_executable(PLEXUS_SBINDIR "/plexusd"))
		return xstrdup(PLEXUS_SBINDIR "/plexusd");
#endif
	return xstrdup("plexusd");
}

char *cli_plexusd_path(void) {
	return find_plexusd();
}

/* argv for plexusd: our -c/-n/--pidfile, then `extra`. */
static char **daemon_argv(const char *plexusd, int extrac, char **extra, const char *more) {
	char **argv = calloc((size_t)extrac + 9, sizeof(*argv));
	int i = 0;

	if (!argv)
		die_oom();
	argv[i++] = (char *)plexusd;
	if (opt_confdir) {
		argv[i++] = "-c";
		argv[i++] = opt_confdir;
	}
	if (opt_netname) {
		argv[i++] = "-n";
		argv[i++] = opt_netname;
	}
	if (opt_pidfile) {
		argv[i++] = "--pidfile";
		argv[i++] = opt_pidfile;
	}
	if (more)
		argv[i++] = (char *)more;
	for (int j = 0; j < extrac; j++)
		argv[i++] = extra[j];
	argv[i] = NULL;
	return argv;
}

/* Run plexusd and wait for it; returns its exit status (or 1). */
static int run_plexusd(char **argv) {
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		fprintf(stderr, "Could not fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "Could not run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "Could not wait for %s: %s\n", argv[0], strerror(errno));
			return 1;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "%s was killed by signal %d\n", argv[0], WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return 1;
}

/* ---- commands ---- */

static bool valid_node_name(const char *name) {
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return false;
	return true;
}

int cli_run_keygen(const char *bits, const char *option) {
	char *plexusd, *opt, *args[7];
	int i = 0, r;

	if (bits && (strspn(bits, "0123456789") != strlen(bits) || !*bits)) {
		fprintf(stderr, "Invalid number of bits: %s\n", bits);
		return 1;
	}
	plexusd = find_plexusd();
	opt = xasprintf("-K%s", bits ? bits : "");
	args[i++] = plexusd;
	args[i++] = "-c";
	args[i++] = cli_confbase;
	if (option) {
		args[i++] = "-o";
		args[i++] = (char *)option;
	}
	args[i++] = opt;
	args[i] = NULL;
	r = run_plexusd(args);
	if (r)
		fprintf(stderr, "Key generation failed (%s exited with %d)\n", plexusd, r);
	free(opt);
	free(plexusd);
	return r ? 1 : 0;
}

static int cmd_generate_keys(int argc, char **argv) {
	if (argc > 2) {
		fprintf(stderr, "Usage: %s generate-keys [BITS]\n", program);
		return 1;
	}
	return cli_run_keygen(argc == 2 ? argv[1] : NULL, NULL);
}

static int write_new_file(const char *path, const char *text, mode_t mode) {
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t len = strlen(text);

	if (fd < 0) {
		fprintf(stderr, "Could not create %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (write(fd, text, len) != (ssize_t)len || close(fd) < 0) {
		fprintf(stderr, "Could not write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* mkdir -p; the last component gets `mode`. */
static int make_dirs(const char *path, mode_t mode) {
	char *copy = xstrdup(path);
	int r = 0;

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			r = -1;
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		r = -1;
	if (r < 0)
		fprintf(stderr, "Could not create directory %s: %s\n", path, strerror(errno));
	free(copy);
	return r;
}

static int cmd_init(int argc, char **argv) {
	char *conf, *tincconf, *hosts, *hostfile, *text;
	char *gen[] = {"generate-keys", NULL};
	int r = 1;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s init NAME\n", program);
		return 1;
	}
	if (!valid_node_name(argv[1])) {
		fprintf(stderr, "Invalid node name %s: only letters, digits and _ are allowed\n", argv[1]);
		return 1;
	}
	conf = xasprintf("%s/plexus.conf", cli_confbase);
	tincconf = xasprintf("%s/tinc.conf", cli_confbase);
	hosts = xasprintf("%s/hosts", cli_confbase);
	hostfile = xasprintf("%s/hosts/%s", cli_confbase, argv[1]);
	text = xasprintf("Name = %s\n", argv[1]);

	if (access(conf, F_OK) == 0 || access(tincconf, F_OK) == 0) {
		fprintf(stderr, "Configuration file %s already exists in %s\n",
		        access(conf, F_OK) == 0 ? "plexus.conf" : "tinc.conf", cli_confbase);
		goto out;
	}
	if (make_dirs(cli_confbase, 0755) < 0 || make_dirs(hosts, 0755) < 0)
		goto out;
	if (write_new_file(conf, text, 0644) < 0)
		goto out;
	if (access(hostfile, F_OK) != 0 && write_new_file(hostfile, "", 0644) < 0)
		goto out;
	r = cmd_generate_keys(1, gen);
	if (r)
		fprintf(stderr, "%s was created, but without keys: run `%s -c %s generate-keys` later\n",
		        conf, program, cli_confbase);
out:
	free(conf);
	free(tincconf);
	free(hosts);
	free(hostfile);
	free(text);
	return r;
}

static int cmd_start(int argc, char **argv) {
	struct ctl c;
	char *plexusd;
	char **args;

	if (ctl_open(&c, true) == 0) {
		fprintf(stderr, "plexusd is already running (pid %d)\n", c.pid);
		ctl_close(&c);
		return 1;
	}
	plexusd = find_plexusd();
	args = daemon_argv(plexusd, argc - 1, argv + 1, NULL);
	execvp(plexusd, args);
	fprintf(stderr, "Could not run %s: %s\n", plexusd, strerror(errno));
	free(args);
	free(plexusd);
	return 1;
}

/* Is the process still running? A zombie (a daemon started in the
 * foreground by a script that has not reaped it yet) counts as gone. */
static bool process_alive(int pid) {
	char path[64], stat[512], *paren;
	FILE *f;
	size_t n;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = 0;
	paren = strrchr(stat, ')');
	return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

/* Ask the daemon to stop and wait (up to ten seconds) until it is gone. */
static int stop_daemon(struct ctl *c) {
	char line[LINE_MAX_LEN];
	int code, type, result;

	if (ctl_send(c, "%d %d", PX_REQ_CONTROL, REQ_STOP) < 0 || ctl_recv_line(c, line, sizeof(line)) < 0 ||
	    sscanf(line, "%d %d %d", &code, &type, &result) != 3 || code != PX_REQ_CONTROL ||
	    type != REQ_STOP || result != 0) {
		fprintf(stderr, "Could not stop plexusd\n");
		return 1;
	}
	/* The daemon closes its control connections on the way out. */
	for (int i = 0; i < 100; i++) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		char junk[512];

		if (poll(&pfd, 1, 100) > 0 && read(c->fd, junk, sizeof(junk)) <= 0)
			break;
	}
	for (int i = 0; i < 100 && c->pid > 0; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		if (!process_alive(c->pid))
			return 0;
		nanosleep(&ts, NULL);
	}
	if (c->pid > 0 && process_alive(c->pid)) {
		fprintf(stderr, "plexusd (pid %d) did not exit in time\n", c->pid);
		return 1;
	}
	return 0;
}

static int cmd_stop(int argc, char **argv) {
	struct ctl c;
	int r;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "Usage: %s stop\n", program);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	r = stop_daemon(&c);
	ctl_close(&c);
	return r;
}

static int cmd_restart(int argc, char **argv) {
	struct ctl c;

	if (ctl_open(&c, true) == 0) {
		int r = stop_daemon(&c);

		ctl_close(&c);
		if (r)
			return r;
	}
	return cmd_start(argc, argv);
}

static int cmd_pid(int argc, char **argv) {
	struct ctl c;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "Usage: %s pid\n", program);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	printf("%d\n", c.pid);
	ctl_close(&c);
	return 0;
}

/* reload, retry, purge: no argument, result 0 means success. */
static int simple_command(int argc, const char *usage, int type, const char *failure) {
	struct ctl c;
	int result = -1;

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", program, usage);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	if (ctl_simple(&c, type, NULL, &result) < 0) {
		ctl_close(&c);
		return 1;
	}
	if (result != 0) {
		fprintf(stderr, "%s\n", failure);
		ctl_close(&c);
		return 1;
	}
	ctl_close(&c);
	return 0;
}

static int cmd_reload(int argc, char **argv) {
	(void)argv;
	return simple_command(argc, "reload", REQ_RELOAD, "Could not reload the configuration");
}
static int cmd_retry(int argc, char **argv) {
	(void)argv;
	return simple_command(argc, "retry", REQ_RETRY, "Could not retry outgoing connections");
}
static int cmd_purge(int argc, char **argv) {
	(void)argv;
	return simple_command(argc, "purge", REQ_PURGE, "Could not purge unreachable nodes");
}

void cli_reload_quietly(void) {
	struct ctl c;
	int result;

	if (ctl_open(&c, true) < 0)
		return;
	if (ctl_simple(&c, REQ_RELOAD, NULL, &result) == 0 && result != 0)
		fprintf(stderr, "The running daemon could not reload the new configuration\n");
	ctl_close(&c);
}

int cli_daemon_knows_node(const char *name) {
	struct ctl c;
	struct vec v = {.size = sizeof(struct ctl_node)};
	int r = 0;

	if (ctl_open(&c, true) < 0)
		return -1;
	if (ctl_dump(&c, REQ_DUMP_NODES, collect_node, &v) == 0) {
		const struct ctl_node *n = v.v;

		for (size_t i = 0; i < v.n; i++)
			if (!strcmp(n[i].name, name))
				r = 1;
	}
	free(v.v);
	ctl_close(&c);
	return r;
}

char *cli_daemon_port(void) {
	char port[64];
	FILE *f = fopen(cli_pidfile, "r");
	int n;

	if (!f)
		return NULL;
	n = fscanf(f, "%*d %*s %*s port %63s", port);
	fclose(f);
	return n == 1 ? xstrdup(port) : NULL;
}

static int cmd_debug(int argc, char **argv) {
	struct ctl c;
	int previous;
	char *end;
	long level;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s debug LEVEL\n", program);
		return 1;
	}
	level = strtol(argv[1], &end, 10);
	if (!*argv[1] || *end || level < -1 || level > 100) {
		fprintf(stderr, "Invalid debug level: %s\n", argv[1]);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	if (ctl_simple(&c, REQ_SET_DEBUG, argv[1], &previous) < 0) {
		ctl_close(&c);
		return 1;
	}
	if (level >= 0)
		printf("Old level %d, new level %ld.\n", previous, level);
	else
		printf("Current level %d.\n", previous);
	ctl_close(&c);
	return 0;
}

static int cmd_disconnect(int argc, char **argv) {
	struct ctl c;
	int result;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s disconnect NODE\n", program);
		return 1;
	}
	if (!valid_node_name(argv[1])) {
		fprintf(stderr, "Invalid node name: %s\n", argv[1]);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	if (ctl_simple(&c, REQ_DISCONNECT, argv[1], &result) < 0) {
		ctl_close(&c);
		return 1;
	}
	ctl_close(&c);
	if (result == -2) {
		fprintf(stderr, "No active connection to %s\n", argv[1]);
		return 1;
	}
	if (result != 0) {
		fprintf(stderr, "Could not disconnect %s\n", argv[1]);
		return 1;
	}
	return 0;
}

/* Graphviz colours: us, unreachable, relayed, direct with a working UDP
 * path, and everything else. */
static const char *graph_color(const struct ctl_node *n) {
	if (!strcmp(n->host, "MYSELF"))
		return "green";
	if (!(n->status & CTL_NODE_REACHABLE))
		return "red";
	if (strcmp(n->via, n->name))
		return "orange";
	if ((n->status & CTL_NODE_VALIDKEY) && n->minmtu > 0)
		return "green";
	return "black";
}

static bool edge_has_reverse(const struct vec *edges, const struct ctl_edge *e) {
	const struct ctl_edge *all = edges->v;

	for (size_t i = 0; i < edges->n; i++)
		if (!strcmp(all[i].from, e->to) && !strcmp(all[i].to, e->from))
			return true;
	return false;
}

static int dump_graph(struct ctl *c, bool directed) {
	struct vec nodes = {.size = sizeof(struct ctl_node)}, edges = {.size = sizeof(struct ctl_edge)};
	const struct ctl_node *n;
	const struct ctl_edge *e;
	int r = 1;

	if (ctl_dump(c, REQ_DUMP_NODES, collect_node, &nodes) < 0 ||
	    ctl_dump(c, REQ_DUMP_EDGES, collect_edge, &edges) < 0)
		goto out;
	printf("%s {\n", directed ? "digraph" : "graph");
	n = nodes.v;
	for (size_t i = 0; i < nodes.n; i++)
		printf("  \"%s\" [label = \"%s\", color = \"%s\"%s];\n", n[i].name, n[i].name,
		       graph_color(&n[i]), strcmp(n[i].host, "MYSELF") ? "" : ", style = \"filled\"");
	e = edges.v;
	for (size_t i = 0; i < edges.n; i++) {
		/* An undirected graph shows each pair once. */
		if (!directed && strcmp(e[i].from, e[i].to) > 0 && edge_has_reverse(&edges, &e[i]))
			continue;
		printf("  \"%s\" %s \"%s\" [weight = %d];\n", e[i].from, directed ? "->" : "--", e[i].to,
		       e[i].weight);
	}
	printf("}\n");
	r = 0;
out:
	free(nodes.v);
	free(edges.v);
	return r;
}

static int cmd_dump(int argc, char **argv) {
	char out[LINE_MAX_LEN];
	bool reachable = false;
	const char *what;
	struct ctl c;
	int r = 1;

	if (argc == 3 && !strcmp(argv[1], "reachable")) {
		reachable = true;
		what = argv[2];
	} else if (argc == 2) {
		what = argv[1];
	} else {
		fprintf(stderr, "Usage: %s dump [reachable] nodes|edges|subnets|connections|graph|digraph\n",
		        program);
		return 1;
	}
	if (!strcmp(what, "invitations") && !reachable)
		return cli_dump_invitations();
	if (reachable && strcmp(what, "nodes")) {
		fprintf(stderr, "`reachable' only applies to nodes\n");
		return 1;
	}
	if (strcmp(what, "nodes") && strcmp(what, "edges") && strcmp(what, "subnets") &&
	    strcmp(what, "connections") && strcmp(what, "graph") && strcmp(what, "digraph")) {
		fprintf(stderr, "Unknown dump type: %s\n", what);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;

	if (!strcmp(what, "graph") || !strcmp(what, "digraph")) {
		r = dump_graph(&c, !strcmp(what, "digraph"));
	} else if (!strcmp(what, "nodes")) {
		struct vec v = {.size = sizeof(struct ctl_node)};

		if (ctl_dump(&c, REQ_DUMP_NODES, collect_node, &v) == 0) {
			const struct ctl_node *n = v.v;

			for (size_t i = 0; i < v.n; i++) {
				if (reachable && !(n[i].status & CTL_NODE_REACHABLE))
					continue;
				if (ctl_node_human(out, sizeof(out), &n[i]) >= 0)
					puts(out);
			}
			r = 0;
		}
		free(v.v);
	} else if (!strcmp(what, "edges")) {
		struct vec v = {.size = sizeof(struct ctl_edge)};

		if (ctl_dump(&c, REQ_DUMP_EDGES, collect_edge, &v) == 0) {
			for (size_t i = 0; i < v.n; i++)
				if (ctl_edge_human(out, sizeof(out), (struct ctl_edge *)v.v + i) >= 0)
					puts(out);
			r = 0;
		}
		free(v.v);
	} else if (!strcmp(what, "subnets")) {
		struct vec v = {.size = sizeof(struct ctl_subnet)};

		if (ctl_dump(&c, REQ_DUMP_SUBNETS, collect_subnet, &v) == 0) {
			for (size_t i = 0; i < v.n; i++)
				if (ctl_subnet_human(out, sizeof(out), (struct ctl_subnet *)v.v + i) >= 0)
					puts(out);
			r = 0;
		}
		free(v.v);
	} else {
		struct vec v = {.size = sizeof(struct ctl_conn)};

		if (ctl_dump(&c, REQ_DUMP_CONNECTIONS, collect_conn, &v) == 0) {
			for (size_t i = 0; i < v.n; i++)
				if (ctl_conn_human(out, sizeof(out), (struct ctl_conn *)v.v + i) >= 0)
					puts(out);
			r = 0;
		}
		free(v.v);
	}
	ctl_close(&c);
	return r;
}

static void print_status_words(unsigned status) {
	static const struct {
		unsigned bit;
		const char *word;
	} words[] = {
	    {CTL_NODE_VALIDKEY, "validkey"},   {CTL_NODE_VISITED, "visited"},
	    {CTL_NODE_REACHABLE, "reachable"}, {CTL_NODE_INDIRECT, "indirect"},
	    {CTL_NODE_SPTPS, "sptps"},         {CTL_NODE_UDP_CONFIRMED, "udp_confirmed"},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (status & words[i].bit)
			printf(" %s", words[i].word);
}

/* A subnet as tinc's info prints it: without the default weight "#10". */
static int without_default_weight(const char *subnet) {
	size_t len = strlen(subnet);

	if (len >= 3 && !strcmp(subnet + len - 3, "#10"))
		len -= 3;
	return (int)len;
}

static int info_node(struct ctl *c, const char *name) {
	struct vec nodes = {.size = sizeof(struct ctl_node)}, edges = {.size = sizeof(struct ctl_edge)},
	           subnets = {.size = sizeof(struct ctl_subnet)};
	const struct ctl_node *n = NULL;
	int r = 1;

	if (ctl_dump(c, REQ_DUMP_NODES, collect_node, &nodes) < 0 ||
	    ctl_dump(c, REQ_DUMP_EDGES, collect_edge, &edges) < 0 ||
	    ctl_dump(c, REQ_DUMP_SUBNETS, collect_subnet, &subnets) < 0)
		goto out;
	for (size_t i = 0; i < nodes.n; i++)
		if (!strcmp(((struct ctl_node *)nodes.v)[i].name, name))
			n = (struct ctl_node *)nodes.v + i;
	if (!n) {
		fprintf(stderr, "Unknown node %s.\n", name);
		goto out;
	}

	printf("Node:         %s\n", n->name);
	printf("Node ID:      %s\n", n->id);
	printf("Address:      %s port %s\n", n->host, n->port);
	{
		char when[64] = "never";
		time_t t = (time_t)n->last_state_change;
		struct tm tm;

		if (t > 0 && localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%s%s\n", n->status & CTL_NODE_REACHABLE ? "Online since: " : "Last seen:    ", when);
	}
	printf("Status:      ");
	print_status_words(n->status);
	printf("\nOptions:     ");
	if (n->options & PX_OPTION_INDIRECT)
		printf(" indirect");
	if (n->options & PX_OPTION_TCPONLY)
		printf(" tcponly");
	if (n->options & PX_OPTION_PMTU_DISCOVERY)
		printf(" pmtu_discovery");
	if (n->options & PX_OPTION_CLAMP_MSS)
		printf(" clamp_mss");
	printf("\nProtocol:     %d.%u\n", PX_PROT_MAJOR, PX_OPTION_VERSION(n->options));
	if (strcmp(n->protocol, "-") || strcmp(n->describe, "-"))
		printf("Data channel: %s (%s)\n", n->protocol, n->describe);
	printf("Reachability: ");
	if (!strcmp(n->host, "MYSELF"))
		printf("can reach itself\n");
	else if (!(n->status & CTL_NODE_REACHABLE))
		printf("unreachable\n");
	else if (strcmp(n->via, n->name))
		printf("indirectly via %s\n", n->via);
	else if (!(n->status & CTL_NODE_VALIDKEY))
		printf("unknown\n");
	else if (n->minmtu > 0) {
		printf("directly with UDP\nPMTU:         %d\n", n->pmtu);
		if (n->udp_ping_rtt != -1)
			printf("RTT:          %ld.%03ld\n", n->udp_ping_rtt / 1000, n->udp_ping_rtt % 1000);
	} else if (!strcmp(n->nexthop, n->name))
		printf("directly with TCP\n");
	else
		printf("none, forwarded via %s\n", n->nexthop);
	printf("RX:           %llu packets  %llu bytes\n", (unsigned long long)n->in_packets,
	       (unsigned long long)n->in_bytes);
	printf("TX:           %llu packets  %llu bytes\n", (unsigned long long)n->out_packets,
	       (unsigned long long)n->out_bytes);
	printf("Edges:       ");
	for (size_t i = 0; i < edges.n; i++) {
		const struct ctl_edge *e = (struct ctl_edge *)edges.v + i;

		if (!strcmp(e->from, name))
			printf(" %s", e->to);
	}
	printf("\nSubnets:     ");
	for (size_t i = 0; i < subnets.n; i++) {
		const struct ctl_subnet *s = (struct ctl_subnet *)subnets.v + i;

		if (!strcmp(s->owner, name))
			printf(" %.*s", without_default_weight(s->subnet), s->subnet);
	}
	printf("\n");
	r = 0;
out:
	free(nodes.v);
	free(edges.v);
	free(subnets.v);
	return r;
}

/* An address: every subnet that contains it. A subnet: the ones equal to
 * it (the weight only counts if it was given). */
static int info_subnet(struct ctl *c, const char *item) {
	struct vec subnets = {.size = sizeof(struct ctl_subnet)};
	bool address = !strchr(item, '/') && !strchr(item, '#');
	bool weighted = strchr(item, '#') != NULL;
	struct subnet want;
	int found = 0;

	if (!subnet_parse(item, &want)) {
		fprintf(stderr, "Could not parse subnet or address '%s'.\n", item);
		return 1;
	}
	if (ctl_dump(c, REQ_DUMP_SUBNETS, collect_subnet, &subnets) < 0) {
		free(subnets.v);
		return 1;
	}
	for (size_t i = 0; i < subnets.n; i++) {
		const struct ctl_subnet *s = (struct ctl_subnet *)subnets.v + i;
		struct subnet have;
		bool match;

		if (!subnet_parse(s->subnet, &have))
			continue;
		if (address) {
			match = ctl_subnet_contains(&have, &want);
		} else {
			if (!weighted)
				want.weight = have.weight;
			match = subnet_equal(&have, &want);
		}
		if (match) {
			printf("Subnet: %.*s\nOwner:  %s\n", without_default_weight(s->subnet), s->subnet,
			       s->owner);
			found++;
		}
	}
	free(subnets.v);
	if (!found) {
		fprintf(stderr, "Unknown %s %s.\n", address ? "address" : "subnet", item);
		return 1;
	}
	return 0;
}

static int cmd_info(int argc, char **argv) {
	struct ctl c;
	int r;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s info NODE|SUBNET|ADDRESS\n", program);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	if (valid_node_name(argv[1])) {
		r = info_node(&c, argv[1]);
	} else if (strchr(argv[1], '.') || strchr(argv[1], ':')) {
		r = info_subnet(&c, argv[1]);
	} else {
		fprintf(stderr, "Argument is not a node name, subnet or address.\n");
		r = 1;
	}
	ctl_close(&c);
	return r;
}

static int cmd_log(int argc, char **argv) {
	char line[LINE_MAX_LEN];
	struct ctl c;
	long level = 10;
	char *end;

	if (argc > 2) {
		fprintf(stderr, "Usage: %s log [LEVEL]\n", program);
		return 1;
	}
	if (argc == 2) {
		level = strtol(argv[1], &end, 10);
		if (!*argv[1] || *end || level < -1 || level > 10) {
			fprintf(stderr, "Invalid log level: %s\n", argv[1]);
			return 1;
		}
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	if (ctl_send(&c, "%d %d %ld %d", PX_REQ_CONTROL, REQ_LOG, level, 0) < 0) {
		fprintf(stderr, "Lost connection to plexusd\n");
		ctl_close(&c);
		return 1;
	}
	/* Until the daemon goes away or we are interrupted. */
	while (ctl_recv_line(&c, line, sizeof(line)) == 0) {
		int code, type;
		unsigned long len;

		if (sscanf(line, "%d %d %lu", &code, &type, &len) != 3 || code != PX_REQ_CONTROL ||
		    type != REQ_LOG || len > (1u << 20)) {
			fprintf(stderr, "Unexpected reply from plexusd: %s\n", line);
			ctl_close(&c);
			return 1;
		}
		if (ctl_recv_bytes_to(&c, len, stdout) < 0)
			break;
		fputc('\n', stdout);
		fflush(stdout);
	}
	ctl_close(&c);
	return 0;
}

static int cmd_plugins(int argc, char **argv) {
	struct vec v = {.size = sizeof(struct ctl_plugin)};
	struct ctl c;
	int r = 1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "Usage: %s plugins\n", program);
		return 1;
	}
	if (ctl_open(&c, false) < 0)
		return 1;
	if (ctl_dump(&c, REQ_DUMP_PLUGINS, collect_plugin, &v) == 0) {
		const struct ctl_plugin *p = v.v;

		for (size_t i = 0; i < v.n; i++)
			printf("%s version %s ABI %s provides %s path %s\n", p[i].name, p[i].version,
			       p[i].abi, p[i].provides[0] ? p[i].provides : "-", p[i].path);
		r = 0;
	}
	free(v.v);
	ctl_close(&c);
	return r;
}

static void usage(FILE *out) {
	fprintf(out,
	        "Usage: %s [OPTION]... [COMMAND [ARGUMENT]...]\n"
	        "Control a running plexusd, or start one, and edit its configuration.\n"
	        "Without a command, commands are read from standard input.\n"
	        "\n"
	        "Options:\n"
	        "  -b, --batch             don't ask anything (fsck offers no fixes)\n"
	        "  -c, --config=DIR        configuration directory\n"
	        "  -n, --net=NETNAME       network name (configuration in %s/tinc/NETNAME)\n"
	        "      --pidfile=FILE      pid file of the daemon\n"
	        "      --force             do it despite warnings (unknown variables, overwriting\n"
	        "                          host files on import, fsck fixes)\n"
	        "      --help              show this help and exit\n"
	        "      --version           show the version and exit\n"
	        "\n"
	        "Commands:\n"
	        "  init NAME                  create a configuration for node NAME, with keys\n"
	        "  get VARIABLE               print the value(s) of [NODE.]VARIABLE\n"
	        "  set VARIABLE VALUE         set [NODE.]VARIABLE to VALUE\n"
	        "  add VARIABLE VALUE         add a value to [NODE.]VARIABLE\n"
	        "  del VARIABLE [VALUE]       remove [NODE.]VARIABLE [only with that VALUE]\n"
	        "  config get|set|add|del ... the same\n"
	        "  edit FILE                  edit a configuration file or script with $VISUAL/$EDITOR\n"
	        "  generate-keys [BITS]       create new key pairs (runs plexusd -K)\n"
	        "  generate-rsa-keys [BITS]   create a new RSA key pair\n"
	        "  generate-ed25519-keys      create a new Ed25519 key pair\n"
	        "  start [plexusd options]    start plexusd\n"
	        "  stop                       stop plexusd\n"
	        "  restart [plexusd options]  stop, then start plexusd\n"
	        "  reload                     re-read the configuration\n"
	        "  pid                        print the daemon's process id\n"
	        "  retry                      retry outgoing connections now\n"
	        "  purge                      forget unreachable nodes\n"
	        "  debug LEVEL                set the debug level (-1: show it)\n"
	        "  disconnect NODE            close the meta connection to NODE\n"
	        "  dump [reachable] nodes     list nodes\n"
	        "  dump edges|subnets|connections\n"
	        "  dump graph|digraph         the graph in Graphviz format\n"
	        "  info NODE|SUBNET|ADDRESS   details of a node, or who owns a subnet or address\n"
	        "  log [LEVEL]                show the daemon's log messages up to LEVEL (default 10)\n"
	        "  plugins                    list the loaded plugins\n"
	        "  export                     print our host file in tinc's export format\n"
	        "  export-all                 print all host files\n"
	        "  import                     create host files from exported ones on stdin\n"
	        "  exchange                   export, then import\n"
	        "  exchange-all               export-all, then import\n"
	        "  network [NETNAME]          list the networks, or switch to NETNAME\n"
	        "  fsck                       check the configuration and keys, offer fixes\n"
	        "  sign [FILE]                print FILE (or stdin) signed with our Ed25519 key\n"
	        "  verify NODE [FILE]         check a signed file (NODE: name, . for us, * for any)\n"
	        "  version                    show the version\n"
	        "  top                        live per-node traffic (curses)\n"
	        "  pcap [SNAPLEN]             routed frames as a pcap stream on stdout\n"
	        "  connect NODE               open a meta connection to NODE (until reload)\n"
	        "  invite NODE                create an invitation for NODE and print its URL\n"
	        "  join [URL]                 join a network with an invitation URL\n"
	        "  dump invitations           list the outstanding invitations\n",
	        program, PLEXUS_SYSCONFDIR);
}

static int cmd_help(int argc, char **argv) {
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static int cmd_version(int argc, char **argv) {
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	printf("plexus %s\n", PACKAGE_VERSION);
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
    {"init", cmd_init},
    {"generate-keys", cmd_generate_keys},
    {"start", cmd_start},
    {"stop", cmd_stop},
    {"restart", cmd_restart},
    {"reload", cmd_reload},
    {"pid", cmd_pid},
    {"retry", cmd_retry},
    {"purge", cmd_purge},
    {"debug", cmd_debug},
    {"disconnect", cmd_disconnect},
    {"dump", cmd_dump},
    {"list", cmd_dump},
    {"info", cmd_info},
    {"log", cmd_log},
    {"plugins", cmd_plugins},
    {"config", cmd_config},
    {"get", cmd_config},
    {"set", cmd_config},
    {"add", cmd_config},
    {"del", cmd_config},
    {"export", cmd_export},
    {"export-all", cmd_export_all},
    {"import", cmd_import},
    {"exchange", cmd_exchange},
    {"exchange-all", cmd_exchange_all},
    {"generate-rsa-keys", cmd_generate_rsa_keys},
    {"generate-ed25519-keys", cmd_generate_ed25519_keys},
    {"sign", cmd_sign},
    {"verify", cmd_verify},
    {"fsck", cmd_fsck},
    {"edit", cmd_edit},
    {"network", cmd_network},
    {"top", cmd_top},
    {"pcap", cmd_pcap},
    {"invite", cmd_invite},
    {"join", cmd_join},
    {"connect", cmd_connect},
    {"help", cmd_help},
    {"version", cmd_version},
};

const char *cli_command_name(size_t i) {
	return i < sizeof(commands) / sizeof(commands[0]) ? commands[i].name : NULL;
}

int cli_dispatch(int argc, char **argv) {
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcasecmp(argv[0], commands[i].name))
			return commands[i].run(argc, argv);
	return -1;
}

static bool valid_netname(const char *name) {
	return *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* Configuration directory and pid file from the options, like the daemon
 * computes them. A pid file that is not where we expect it but in the
 * configuration directory is used from there. */
static void resolve_paths(void) {
	free(cli_confbase);
	free(cli_pidfile);
	if (opt_confdir)
		cli_confbase = xstrdup(opt_confdir);
	else if (opt_netname)
		cli_confbase = xasprintf("%s/tinc/%s", PLEXUS_SYSCONFDIR, opt_netname);
	else
		cli_confbase = xasprintf("%s/tinc", PLEXUS_SYSCONFDIR);

	if (opt_pidfile) {
		cli_pidfile = xstrdup(opt_pidfile);
		return;
	}
	cli_pidfile = control_default_pidfile(cli_confbase, opt_netname);
	if (!cli_pidfile)
		die_oom();
	if (access(cli_pidfile, F_OK) != 0) {
		char *fallback = xasprintf("%s/pid", cli_confbase);

		if (access(fallback, F_OK) == 0) {
			free(cli_pidfile);
			cli_pidfile = fallback;
		} else {
			free(fallback);
		}
	}
}

int cli_switch_network(const char *netname) {
	static char *owned;

	if (strcmp(netname, ".") && !valid_netname(netname)) {
		fprintf(stderr, "Invalid character in netname!\n");
		return -1;
	}
	free(owned);
	owned = strcmp(netname, ".") ? xstrdup(netname) : NULL;
	opt_netname = owned;
	opt_confdir = NULL;
	resolve_paths();
	return 0;
}

int main(int argc, char **argv) {
	enum { OPT_PIDFILE = 256, OPT_HELP, OPT_VERSION, OPT_FORCE };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},          {"net", required_argument, NULL, 'n'},
	    {"pidfile", required_argument, NULL, OPT_PIDFILE}, {"help", no_argument, NULL, OPT_HELP},
	    {"version", no_argument, NULL, OPT_VERSION},       {"batch", no_argument, NULL, 'b'},
	    {"force", no_argument, NULL, OPT_FORCE},           {NULL, 0, NULL, 0},
	};
	const char *netenv = getenv("NETNAME");
	int opt, r;

	if (argv[0] && strrchr(argv[0], '/'))
		program = strrchr(argv[0], '/') + 1;
	else if (argv[0])
		program = argv[0];

	cli_tty = isatty(0) && isatty(1);
	/* '+': stop at the command, so `start -D` keeps its options. */
	while ((opt = getopt_long(argc, argv, "+bc:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			cli_tty = false;
			break;
		case OPT_FORCE:
			cli_force = true;
			break;
		case 'c':
			opt_confdir = optarg;
			break;
		case 'n':
			opt_netname = optarg;
			break;
		case OPT_PIDFILE:
			opt_pidfile = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("plexus %s (control protocol of tinc 1.1, protocol %d)\n", PACKAGE_VERSION,
			       PX_PROT_MAJOR);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (!opt_netname && netenv && *netenv)
		opt_netname = (char *)netenv;
	if (opt_netname && !valid_netname(opt_netname)) {
		fprintf(stderr, "Invalid network name: %s\n", opt_netname);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (optind >= argc) {
		resolve_paths();
		r = cli_shell();
		free(cli_confbase);
		free(cli_pidfile);
		return r;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[optind], "version")) {
		printf("plexus %s\n", PACKAGE_VERSION);
		return 0;
	}

	/* A daemon that goes away mid-write must not kill us silently. */
	signal(SIGPIPE, SIG_IGN);
	resolve_paths();

	r = cli_dispatch(argc - optind, argv + optind);
	if (r == -1) {
		fprintf(stderr, "Unknown command: %s (try %s --help)\n", argv[optind], program);
		r = 1;
	}
	free(cli_confbase);
	free(cli_pidfile);
	return r;
}
