/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * DeviceType = vde (as in tinc 1.1): Plexus plugs into a port of a VDE
 * switch through libvdeplug and exchanges Ethernet frames with it, so it
 * behaves like a TAP device in every Mode. Device is the switch's control
 * socket, VDEPort the switch port (0: any), VDEGroup the group owning our
 * port's socket. Without libvdeplug at build time the type is refused.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device.h"
#include "logger.h"

#ifdef HAVE_VDE
#include <libvdeplug.h>

#ifndef PLEXUS_LOCALSTATEDIR
#define PLEXUS_LOCALSTATEDIR "/usr/local/var"
#endif
#define DEFAULT_VDE_CTL PLEXUS_LOCALSTATEDIR "/run/vde.ctl"

int device_open_vde(struct device *d, const char *path, const char *ifname, int port, const char *group,
                    const char *descr) {
	memset(d, 0, sizeof *d);
	d->fd = -1;
	d->kind = DEVICE_VDE;
	d->tap = true;
	if (ifname && strlen(ifname) >= IFNAMSIZ) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Interface name %s is too long (at most %d characters)",
		       ifname, IFNAMSIZ - 1);
		return -1;
	}
	d->path = strdup(path ? path : DEFAULT_VDE_CTL);
	char *grp = group ? strdup(group) : NULL;
	char *desc = strdup(descr ? descr : "plexusd");
	if (!d->path || (group && !grp) || !desc) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Out of memory opening the VDE device");
		goto err;
	}
	/* libvdeplug's arguments are not const; 0700 keeps our port's
	 * socket to its owner (and VDEGroup), as tinc 1.1 does */
	struct vde_open_args args = {.port = port, .group = grp, .mode = 0700};
	VDECONN *conn = vde_open(d->path, desc, &args);
	if (!conn) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "Could not open VDE socket %s (VDEPort %d): %s", d->path, port,
		       strerror(errno));
		goto err;
	}
	d->vde = conn;
	d->fd = vde_datafd(conn);
	/* device.c reads until EAGAIN, so the data descriptor must not block */
	int fl = d->fd >= 0 ? fcntl(d->fd, F_GETFL) : -1;
	if (fl < 0 || fcntl(d->fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(d->fd, F_SETFD, FD_CLOEXEC) < 0) {
		logger(PX_LOG_ALWAYS, LOG_ERR, "VDE socket %s: cannot use its data descriptor: %s", d->path,
		       strerror(errno));
		vde_close(conn);
		d->vde = NULL;
		d->fd = -1;
		goto err;
	}
	free(grp);
	free(desc);
	snprintf(d->ifname, sizeof d->ifname, "%s", ifname ? ifname : "vde");
	if (port)
		logger(PX_LOG_ALWAYS, LOG_NOTICE, "%s is a VDE socket (port %d, Ethernet frames)", d->path,
		       port);
	else
		logger(PX_LOG_ALWAYS, LOG_NOTICE, "%s is a VDE socket (Ethernet frames)", d->path);
	return 0;

err:
	free(grp);
	free(desc);
	free(d->path);
	d->path = NULL;
	return -1;
}

ssize_t device_vde_recv(struct device *d, void *buf, size_t len) {
	return vde_recv(d->vde, buf, len, 0);
}

ssize_t device_vde_send(struct device *d, const void *buf, size_t len) {
	return vde_send(d->vde, buf, len, 0);
}

void device_vde_close(struct device *d) {
	if (d->vde)
		vde_close(d->vde);
	d->vde = NULL;
	d->fd = -1;
}

#else /* !HAVE_VDE */

int device_open_vde(struct device *d, const char *path, const char *ifname, int port, const char *group,
                    const char *descr) {
	memset(d, 0, sizeof *d);
	d->fd = -1;
	logger(PX_LOG_ALWAYS, LOG_ERR,
	       "DeviceType vde: Plexus was built without libvdeplug (install libvdeplug-dev and "
	       "configure --with-vde)");
	return -1;
}

ssize_t device_vde_recv(struct device *d, void *buf, size_t len) {
	errno = EBADF;
	return -1;
}

ssize_t device_vde_send(struct device *d, const void *buf, size_t len) {
	errno = EBADF;
	return -1;
}

void device_vde_close(struct device *d) {
	d->fd = -1;
}

#endif
