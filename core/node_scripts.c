/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The host-up/down and subnet-up/down scripts with their environment. */
#include <stdio.h>
#include <string.h>

#include "netutl.h"
#include "node_scripts.h"
#include "script.h"
#include "subnet.h"

static void addr_env(node_t *n, char *addr, size_t alen, char *port, size_t plen) {
	if (n->has_udp_addr) {
		char h[64], p[16];
		addr_format(&n->udp_addr, h, sizeof(h), p, sizeof(p));
		snprintf(addr, alen, "REMOTEADDRESS=%s", h);
		snprintf(port, plen, "REMOTEPORT=%s", p);
	} else {
		snprintf(addr, alen, "REMOTEADDRESS=");
		snprintf(port, plen, "REMOTEPORT=");
	}
}

void run_host_script(node_t *n, bool up) {
	char node[300], addr[100], port[40];
	snprintf(node, sizeof(node), "NODE=%s", n->name);
	addr_env(n, addr, sizeof(addr), port, sizeof(port));
	char *env[] = {node, addr, port, NULL};
	script_run(up ? "host-up" : "host-down", env);
	char name[300];
	snprintf(name, sizeof(name), "hosts/%s-%s", n->name, up ? "up" : "down");
	script_run(name, env);
}

void run_subnet_script(node_t *owner, const struct subnet *s, bool up) {
	char node[300], addr[100], port[40], sub[100], weight[40];
	char str[SUBNET_MAXSTR];
	subnet_format(s, str, sizeof(str));
	char *hash = strchr(str, '#');
	if (hash)
		*hash = 0;
	snprintf(node, sizeof(node), "NODE=%s", owner->name);
	snprintf(sub, sizeof(sub), "SUBNET=%s", str);
	snprintf(weight, sizeof(weight), "WEIGHT=%d", s->weight);
	char *env[6] = {node, sub, weight, NULL, NULL, NULL};
	if (owner != myself) {
		addr_env(owner, addr, sizeof(addr), port, sizeof(port));
		env[3] = addr;
		env[4] = port;
	}
	script_run(up ? "subnet-up" : "subnet-down", env);
}
