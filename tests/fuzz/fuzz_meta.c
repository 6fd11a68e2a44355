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
 *   bit 6: (before authentication) the shipped crypto-legacy plugin does
 *          the handshake instead of the fake (RSA keys for alice and bob),
 *          so the input meets its METAKEY/CHALLENGE/CHAL_REPLY parsing
 * Every run starts from a fresh core and configuration directory.
 */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>

#include "conf.h"
#include "fuzz_target.h"
#include "net_fixture.h"
#include "plugin_host.h"
#include "plugin_loader.h"

extern const struct px_plugin_desc update_hosts_LTX_plexus_plugin;
extern const struct px_plugin_desc crypto_legacy_LTX_plexus_plugin;

/* A plugin linked into this program, registered as the loader would after
 * loading it (the fixture's fake plugin has index 0). */
static void add_plugin(const struct px_plugin_desc *desc, int index) {
	struct px_plugin *p = calloc(1, sizeof(*p));
	if (!p || !(p->name = strdup(desc->name)) || !(p->path = strdup("(linked in)")))
		abort();
	p->desc = desc;
	p->index = index;
	list_init(&p->link);
	list_add_tail(&p->link, &plugin_list);
	if (p->desc->init(p, host_table()) != 0)
		abort();
	p->initialised = true;
}

/* PEM text of a fresh 1024-bit RSA key (small: the handshake must be cheap). */
static char *rsa_pem(bool private_key) {
	static EVP_PKEY *keys[2];
	EVP_PKEY **k = &keys[private_key];
	if (!*k) {
		EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
		if (!kc || EVP_PKEY_keygen_init(kc) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 1024) <= 0 ||
		    EVP_PKEY_keygen(kc, k) <= 0)
			abort();
		EVP_PKEY_CTX_free(kc);
	}
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || !(private_key ? PEM_write_bio_PrivateKey_traditional(b, *k, NULL, NULL, 0, NULL, NULL)
	                        : PEM_write_bio_PUBKEY(b, *k)))
		abort();
	char *text;
	long n = BIO_get_mem_data(b, &text);
	char *copy = strndup(text, (size_t)n);
	BIO_free(b);
	return copy;
}

/* alice's private key and bob's public key, for the real RSA handshake. */
static void add_legacy_keys(void) {
	static char *priv, *bob;
	if (!priv) {
		priv = rsa_pem(true);
		char *pub = rsa_pem(false);
		if (asprintf(&bob, "Weight = 20\nSubnet = 198.19.1.0/24\n%s", pub) < 0)
			abort();
		free(pub);
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/rsa_key.priv", confbase);
	FILE *f = fopen(path, "w");
	if (!f || fputs(priv, f) < 0 || fclose(f) || chmod(path, 0600))
		abort();
	fx_add_host("bob", bob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static const size_t chunks[] = {0, 1, 7, 61};
	if (size < 1 || size > 65536)
		return 0;
	uint8_t mode = data[0];
	bool authed = mode & 1, wait_metakey = mode & 2, neighbour = mode & 4, strict = mode & 8;
	bool legacy = !authed && (mode & 64);
	size_t chunk = chunks[(mode >> 4) & 3];
	data++;
	size--;

	fx_without_fake_crypto = legacy;
	fx_init("alice", strict ? "StrictSubnets = yes\nTunnelServer = yes\n" : NULL);
	fx_add_host("bob", "Weight = 20\nSubnet = 198.19.1.0/24\n");
	fx_add_host("carol", "Weight = 20\nSubnet = 198.19.2.0/24\n");
	if (legacy)
		add_legacy_keys();
	add_plugin(&update_hosts_LTX_plexus_plugin, 1);
	if (legacy)
		add_plugin(&crypto_legacy_LTX_plexus_plugin, 2);
	struct fx_stream *other = neighbour && !legacy ? fx_activate("carol", NULL) : NULL;
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
