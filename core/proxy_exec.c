/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Proxy = exec COMMAND, as tinc 1.1 runs it: /bin/sh -c COMMAND with one
 * end of a socketpair as stdin and stdout, and REMOTEADDRESS, REMOTEPORT,
 * NAME, NODE and NETNAME in its environment. The other end is the meta
 * connection's stream, driven by a small stream provider of the core's own
 * (the transport plugins only know sockets they opened themselves).
 *
 * The child gets a clean signal mask (the event loop blocks the signals it
 * reads through signalfd). Children are reaped by pid from a timer; a
 * non-zero exit is logged.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "event.h"
#include "logger.h"
#include "meta.h"
#include "netutl.h"
#include "node.h"
#include "plugin_loader.h"
#include "proxy_exec.h"
#include "xalloc.h"

extern char **environ;

#define EXEC_READ_BUF      65536
#define EXEC_MAX_CHILDREN  256
#define EXEC_REAP_INTERVAL 1000 /* ms */

struct exec_stream {
	int fd;
	px_watch *watch;
	conn_t *conn;
	int busy; /* callbacks on the stack; free only when 0 */
	bool closed, connecting, want_write, dead;
	uint8_t buf[EXEC_READ_BUF];
};

static struct {
	pid_t pid;
	char *command;
} children[EXEC_MAX_CHILDREN];
static int nchildren;
static px_timer *reap_timer;

static void reap_children(void *arg) {
	(void)arg;
	for (int i = 0; i < nchildren;) {
		int status;
		pid_t r = waitpid(children[i].pid, &status, WNOHANG);
		if (r == 0) {
			i++;
			continue;
		}
		if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status))
			logger(PX_LOG_ALWAYS, LOG_ERR, "Proxy command %s exited with non-zero status %d",
			       children[i].command, WEXITSTATUS(status));
		else if (r > 0 && WIFSIGNALED(status))
			logger(PX_LOG_CONNECTIONS, LOG_NOTICE, "Proxy command %s was killed by signal %d",
			       children[i].command, WTERMSIG(status));
		free(children[i].command);
		children[i] = children[--nchildren];
	}
	if (nchildren)
		timer_arm(reap_timer, EXEC_REAP_INTERVAL);
}

static void remember_child(pid_t pid, const char *command) {
	if (!reap_timer)
		reap_timer = timer_new(reap_children, NULL);
	if (nchildren == EXEC_MAX_CHILDREN) {
		/* Should not happen (one child per outgoing connection attempt);
		 * block on the oldest rather than leave zombies behind. */
		waitpid(children[0].pid, NULL, 0);
		free(children[0].command);
		children[0] = children[--nchildren];
	}
	children[nchildren].pid = pid;
	children[nchildren].command = xstrdup(command);
	nchildren++;
	if (!timer_armed(reap_timer))
		timer_arm(reap_timer, EXEC_REAP_INTERVAL);
}

/* ---- the stream ---- */

static void exec_release(struct exec_stream *s) {
	if (s->watch) {
		watch_free(s->watch);
		s->watch = NULL;
	}
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	s->closed = true;
	if (!s->busy)
		free(s);
}

static void exec_update_watch(struct exec_stream *s) {
	if (!s->watch || s->closed)
		return;
	uint32_t ev = 0;
	if (s->connecting)
		ev = PX_EV_WRITE;
	else if (!s->dead)
		ev = PX_EV_READ | (s->want_write ? PX_EV_WRITE : 0);
	watch_set(s->watch, ev);
}

static void exec_report_closed(struct exec_stream *s, int err) {
	if (s->dead || s->closed)
		return;
	s->dead = true;
	exec_update_watch(s);
	stream_closed(s->conn, err);
}

static void exec_readable(struct exec_stream *s) {
	for (int i = 0; i < 4 && !s->closed && !s->dead; i++) {
		ssize_t got = recv(s->fd, s->buf, sizeof(s->buf), MSG_DONTWAIT);
		if (got > 0) {
			stream_recv(s->conn, s->buf, (size_t)got);
			if ((size_t)got < sizeof(s->buf))
				return;
			continue;
		}
		if (got == 0) {
			exec_report_closed(s, 0);
			return;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			exec_report_closed(s, errno);
		return;
	}
}

static void exec_event(void *arg, uint32_t revents) {
	struct exec_stream *s = arg;
	s->busy++;
	if (s->connecting) {
		/* Nothing to wait for; reported from the loop like a TCP connect. */
		s->connecting = false;
		exec_update_watch(s);
		stream_connected(s->conn);
	} else if ((revents & PX_EV_WRITE) && s->want_write && !s->dead && !s->closed) {
		stream_writable(s->conn);
	}
	if ((revents & PX_EV_READ) && !s->connecting && !s->closed && !s->dead)
		exec_readable(s);
	s->busy--;
	if (s->closed && !s->busy)
		free(s);
}

static ssize_t exec_write(px_plugin *self, void *stream, const void *data, size_t len) {
	(void)self;
	struct exec_stream *s = stream;
	if (!s || s->closed || s->dead)
		return -1;
	if (!len)
		return 0;
	ssize_t put = send(s->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (put >= 0)
		return put;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	logger(PX_LOG_ERROR, LOG_ERR, "Error writing to proxy command of %s: %s", s->conn->name,
	       strerror(errno));
	return -1;
}

static void exec_want_write(px_plugin *self, void *stream, bool on) {
	(void)self;
	struct exec_stream *s = stream;
	if (!s || s->closed || s->want_write == on)
		return;
	s->want_write = on;
	exec_update_watch(s);
}

static void exec_close(px_plugin *self, void *stream) {
	(void)self;
	struct exec_stream *s = stream;
	if (s && !s->closed)
		exec_release(s);
}

/* A socketpair has no IP address: the edge gets no local address. */
static int exec_no_addr(px_plugin *self, void *stream, struct px_addr *out) {
	(void)self;
	(void)stream;
	(void)out;
	return -1;
}

static const struct px_stream_ops exec_ops = {
    .size = sizeof(struct px_stream_ops),
    .name = "proxy-exec",
    .write = exec_write,
    .want_write = exec_want_write,
    .close = exec_close,
    .local_addr = exec_no_addr,
    .peer_addr = exec_no_addr,
};
static const struct stream_provider exec_provider = {&exec_ops, NULL};

/* ---- spawning ---- */

static bool same_key(const char *entry, const char *key) {
	size_t n = strlen(key);
	return !strncmp(entry, key, n) && entry[n] == '=';
}

/* environ without the keys in `ours`, then `ours`. Strings are borrowed. */
static char **child_env(char **ours, int nours) {
	size_t n = 0, m = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	char **env = xcalloc(n + (size_t)nours + 1, sizeof(*env));
	for (char **e = environ; e && *e; e++) {
		bool skip = false;
		for (int i = 0; i < nours && !skip; i++) {
			size_t klen = (size_t)(strchr(ours[i], '=') - ours[i]);
			char key[32];
			snprintf(key, sizeof(key), "%.*s", (int)klen, ours[i]);
			skip = same_key(*e, key);
		}
		if (!skip)
			env[m++] = *e;
	}
	for (int i = 0; i < nours; i++)
		env[m++] = ours[i];
	env[m] = NULL;
	return env;
}

static char *make_var(const char *key, const char *value) {
	char *s;
	if (asprintf(&s, "%s=%s", key, value) < 0)
		xalloc_fail();
	return s;
}

static pid_t spawn_command(conn_t *c, const char *command, int child_fd) {
	char host[64] = "", port[16] = "";
	addr_format(&c->address, host, sizeof(host), port, sizeof(port));
	char *vars[5];
	int nvars = 0;
	vars[nvars++] = make_var("REMOTEADDRESS", host);
	vars[nvars++] = make_var("REMOTEPORT", port);
	vars[nvars++] = make_var("NAME", myself ? myself->name : "");
	if (c->name)
		vars[nvars++] = make_var("NODE", c->name);
	if (netname)
		vars[nvars++] = make_var("NETNAME", netname);
	char **env = child_env(vars, nvars);
	pid_t pid = -1;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_init(&fa);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_adddup2(&fa, child_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, child_fd, 1);
	char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
	int err = posix_spawn(&pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not execute proxy command %s: %s", command,
		       strerror(err));
		pid = -1;
	}
	free(env);
	for (int i = 0; i < nvars; i++)
		free(vars[i]);
	return pid;
}

int proxy_exec_connect(conn_t *c, const char *command) {
	int fd[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not create socketpair for proxy command: %s",
		       strerror(errno));
		return -1;
	}
	/* Only our end is non-blocking; the command gets ordinary stdin/stdout. */
	int fl = fcntl(fd[0], F_GETFL);
	if (fl < 0 || fcntl(fd[0], F_SETFL, fl | O_NONBLOCK) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not set up socketpair for proxy command: %s",
		       strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	pid_t pid = spawn_command(c, command, fd[1]);
	close(fd[1]);
	if (pid < 0) {
		close(fd[0]);
		return -1;
	}
	remember_child(pid, command);
	logger(PX_LOG_CONNECTIONS, LOG_INFO, "Using proxy command %s for %s", command, c->name);
	struct exec_stream *s = xcalloc(1, sizeof(*s));
	s->fd = fd[0];
	s->conn = c;
	s->connecting = true;
	s->watch = watch_new(s->fd, PX_EV_WRITE, exec_event, s);
	if (!s->watch) {
		exec_release(s);
		return -1;
	}
	c->tp = &exec_provider;
	c->stream = s;
	return 0;
}
