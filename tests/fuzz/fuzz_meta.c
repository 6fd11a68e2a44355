/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Fuzz target for meta-protocol lines, before and after authentication: the
 * real core (meta.c, protocol*.c, connection.c, graph, subnets) with the
 * unit tests' network fixture (tests/unit/net_fixture.c: a fake stream
 * transport and a fake crypto protocol registered through the host table),
 * plus the shipped update-hosts plugin registered the same way, so that its
 * request ids are dispatched as in the daemon.
 *
 * Input: one mode byte, then the bytes a peer sends on one connection.
 *   bit 0: authenticated: ID and ACK of peer "bob" are exchanged first, the
 *          input is what bob sends afterwards
 *   bit 1: (before authentication) the fake crypto protocol waits for a
 *          METAKEY line ("1 <hex>") instead of authenticating at once
 *   bit 2: a second authenticated neighbour (carol) is connected, so that
 *          requests are forwarded and flooded
 *   bit 3: StrictSubnets = yes and TunnelServer = yes
 *   bits 4-5: how the bytes arrive: all at once, 1 byte, 7 bytes or 61
 *          bytes per read
 * Every run starts from a fresh core and configuration directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "net_fixture.h"
#include "plugin_loader.h"

extern const struct px_plugin_desc update_hosts_LTX_plexus_plugin;

/* update-hosts registered as the loader would after loading it. */
static void add_update_hosts(void) {
	struct px_plugin *p = calloc(1, sizeof(*p));
	if (!p || !(p->name = strdup("update-hosts")) || !(p->path = strdup("(linked in)")))
		abort();
	p->desc = &update_hosts_LTX_plexus_plugin;
	p->index = 1;
	list_init(&p->link);
	list_add_tail(&p->link, &plugin_list);
	if (p->desc->init(p, host_table()) != 0)
		abort();
	p->initialised = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static const size_t chunks[] = {0, 1, 7, 61};
	if (size < 1 || size > 65536)
		return 0;
	uint8_t mode = data[0];
	bool authed = mode & 1, wait_metakey = mode & 2, neighbour = mode & 4, strict = mode & 8;
	size_t chunk = chunks[(mode >> 4) & 3];
	data++;
	size--;

	fx_init("alice", strict ? "StrictSubnets = yes\nTunnelServer = yes\n" : NULL);
	add_update_hosts();
	fx_add_host("bob", "Weight = 20\nSubnet = 198.19.1.0/24\n");
	fx_add_host("carol", "Weight = 20\nSubnet = 198.19.2.0/24\n");
	struct fx_stream *other = neighbour ? fx_activate("carol", NULL) : NULL;
	if (other)
		fx_recv(other, "12 1 carol alice 127.0.0.1 655 c 20\n");
	if (!authed && wait_metakey)
		fx.auth_mode = FX_AUTH_XOR_ON_REQUEST;
	struct fx_stream *s = authed ? fx_activate("bob", NULL) : fx_accept();
	if (authed)
		fx_recv(s, "12 2 bob alice 127.0.0.1 655 c 20\n");

	while (size) {
		size_t n = chunk && chunk < size ? chunk : size;
		fx_recvn(s, data, n);
		data += n;
		size -= n;
	}
	fx_drain();
	fx_fini();
	return 0;
}
