/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Fuzz target for legacy UDP packets: the crypto-legacy plugin's open() (and
 * identify(), the trial MAC check for datagrams from unknown addresses),
 * with inbound keys set for one node per algorithm set, through the
 * plugin's fake core (tests/unit/legacy_fake.c).
 *
 * Input: one mode byte, then datagrams, each with a 2-byte big-endian length.
 *   bits 0-2: algorithm set (see algos[])
 *   bit 3: the harness writes the correct MAC into each datagram, so the
 *          fuzzer reaches decryption, padding and the replay window
 *   bit 4: an older inbound key is in its grace period too
 *   bit 5: the clock moves one second between batches
 * Up to 8 datagrams form one batch, as the transport hands them over.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fuzz_target.h"
#include "legacy_fake.h"

struct algo {
	const char *cipher, *digest;
	int maclen;
};

static const struct algo algos[] = {
    {"aes-256-cbc", "sha256", 4}, /* tinc 1.0's default */
    {"aes-256-cbc", NULL, 0},     {NULL, NULL, 0},
    {NULL, "sha256", 32},         {"aes-128-cfb", "sha1", 20},
    {"aes-256-ofb", "md5", 16},   {"aes-128-ctr", "sha512", 8},
    {"aes-192-cbc", "sha1", 1},
};
#define NALGOS   (sizeof(algos) / sizeof(algos[0]))
#define HEADROOM 64
#define STORE    2048
#define BATCH    8

/* A key for `a`: inbound (decrypting, with a replay window) or its twin
 * with the same bytes (used only to compute MACs). */
static struct legacy_key *make_key(const struct algo *a, uint8_t fill, bool inbound) {
	const EVP_CIPHER *c = a->cipher ? EVP_get_cipherbyname(a->cipher) : NULL;
	const EVP_MD *d = a->digest ? EVP_get_digestbyname(a->digest) : NULL;
	uint8_t raw[LEGACY_MAX_KEY];
	size_t len = c ? (size_t)(EVP_CIPHER_get_key_length(c) + EVP_CIPHER_get_iv_length(c)) : 1;

	for (size_t i = 0; i < len; i++)
		raw[i] = (uint8_t)(fill + i * 7);
	return legacy_key_new(c, d, a->maclen, raw, len, !inbound, inbound ? 16 : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static bool ready;
	static px_node *nodes[NALGOS];
	static struct legacy_key *mac_keys[NALGOS];
	static uint8_t stores[BATCH][STORE];

	if (!ready) {
		static const char *const config[] = {"|PrivateKeyFile|/nonexistent/rsa_key.priv", NULL};
		strcpy(fake_confbase, "/nonexistent");
		if (fake_init(config) != 0)
			abort();
		for (size_t i = 0; i < NALGOS; i++) {
			char name[16];
			snprintf(name, sizeof(name), "node%zu", i);
			nodes[i] = fake_node(name);
			mac_keys[i] = make_key(&algos[i], 0x11, false);
			if (!nodes[i] || !mac_keys[i])
				abort(); /* every algorithm set must be available */
		}
		ready = true;
	}
	if (size < 1)
		return 0;

	uint8_t mode = data[0];
	size_t ai = mode % NALGOS;
	bool fix_mac = mode & 8, with_old = mode & 16, tick = mode & 32;
	data++;
	size--;

	/* Fresh keys every run, so that runs do not depend on each other. */
	px_node *n = nodes[ai];
	struct legacy_node *ln = legacy_node_get(n, true);
	if (!ln)
		abort();
	ln->in = make_key(&algos[ai], 0x11, true);
	if (with_old) {
		ln->in_old = make_key(&algos[(ai + 1) % NALGOS], 0x22, true);
		ln->in_old_until = fake_now + 500;
	}

	struct px_buf bufs[BATCH];
	unsigned nb = 0;
	while (size >= 2 || nb) {
		if (size >= 2 && nb < BATCH) {
			size_t len = (size_t)data[0] << 8 | data[1];
			data += 2;
			size -= 2;
			len = len < size ? len : size;
			len = len < STORE - HEADROOM ? len : STORE - HEADROOM;
			struct px_buf *b = &bufs[nb];
			memset(b, 0, sizeof(*b));
			b->base = stores[nb];
			b->cap = STORE;
			b->data = stores[nb] + HEADROOM;
			b->len = (uint32_t)len;
			memcpy(b->data, data, len);
			data += len;
			size -= len;
			struct legacy_key *mk = mac_keys[ai];
			if (fix_mac && mk->maclen && len >= (size_t)(LEGACY_SEQNO_LEN + mk->maclen))
				legacy_key_mac(mk, b->data, len - (size_t)mk->maclen,
				               b->data + len - mk->maclen);
			nb++;
			continue;
		}
		legacy_identify(fake_self, &bufs[0]);
		legacy_open(fake_self, n, bufs, nb);
		for (unsigned i = 0; i < nb; i++)
			if (bufs[i].len && (bufs[i].data < bufs[i].base ||
			                    bufs[i].data + bufs[i].len > bufs[i].base + STORE))
				abort(); /* an opened payload must lie inside its buffer */
		nb = 0;
		if (tick)
			fake_now += 1001;
	}

	legacy_node_down(fake_self, n);
	fake_reset_msgs();
	return 0;
}
