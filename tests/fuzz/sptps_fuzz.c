/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * libFuzzer target for the SPTPS record parser and handshake state
 * machine, plus tinc base64 and the key file parsers.
 *
 * Input: one mode byte, then the bytes for the session under test.
 *   bit 0: datagram mode (else stream)
 *   bit 1: complete a real handshake with a peer first (encrypted records)
 *   bit 2: the session under test is the initiator
 *   bit 3: (datagram, established) the peer starts a renegotiation and the
 *          victim gets the peer's KEX, so the victim is mid-renegotiation
 *   bit 4: ...and the handshake goes one more round (SIG/ACK pending)
 *   bit 5: far-future records move the window at once (plugin setting)
 * Stream input is fed in one go, one record per call as the meta code does;
 * datagram input is cut into datagrams by 2-byte big-endian length prefixes;
 * a prefix of 0xff0i instead delivers the peer's queued genuine record i
 * (handshake or data; in any order, any number of times).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "fuzz_target.h"
#include "keys.h"
#include "sptps.h"

struct fuzz_side {
	sptps_t *s;
	uint8_t queue[8][256];
	size_t qlen[8];
	size_t nq;
	uint64_t rng;
};

static bool fz_send(void *ctx, uint8_t type, const uint8_t *wire, size_t len) {
	struct fuzz_side *f = ctx;

	(void)type;

	if (f->nq < 8 && len <= sizeof(f->queue[0])) {
		memcpy(f->queue[f->nq], wire, len);
		f->qlen[f->nq++] = len;
	}

	return true;
}

static bool fz_receive(void *ctx, uint8_t type, const uint8_t *data, size_t len) {
	(void)ctx;
	(void)type;
	(void)data;
	(void)len;
	return true;
}

/* Deterministic, so that crashes reproduce. */
static void fz_random(void *ctx, uint8_t *buf, size_t len) {
	struct fuzz_side *f = ctx;
	uint8_t in[8], digest[64];

	while (len) {
		memcpy(in, &f->rng, sizeof(in));
		f->rng++;
		crypto_hash_sha512(digest, in, sizeof(in));
		size_t n = len < sizeof(digest) ? len : sizeof(digest);
		memcpy(buf, digest, n);
		buf += n;
		len -= n;
	}
}

static struct sptps_key key_a, key_b;

static void deliver_queue(struct fuzz_side *from, struct fuzz_side *to) {
	for (size_t i = 0; i < from->nq; i++) {
		sptps_receive(to->s, from->queue[i], from->qlen[i]);
	}

	from->nq = 0;
}

static void fuzz_parsers(const uint8_t *data, size_t size) {
	uint8_t out[512];
	struct sptps_key k;
	size_t n = size < 600 ? size : 600;

	sptps_b64_decode(out, sizeof(out), (const char *)data, n);
	sptps_key_parse_private(&k, (const char *)data, size);
	sptps_key_parse_public_pem(&k, (const char *)data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static bool ready;
	static const char label[] = "tinc TCP key expansion alpha beta";

	if (!ready) {
		uint8_t seed[32];

		if (sodium_init() < 0) {
			abort();
		}

		memset(seed, 1, sizeof(seed));
		sptps_key_from_seed(&key_a, seed);
		memset(seed, 2, sizeof(seed));
		sptps_key_from_seed(&key_b, seed);
		ready = true;
	}

	if (size < 1) {
		return 0;
	}

	uint8_t mode = data[0];
	bool datagram = mode & 1, established = mode & 2, initiator = mode & 4;
	bool rekey = mode & 8, rekey_more = mode & 16;
	data++;
	size--;
	fuzz_parsers(data, size);

	struct fuzz_side *victim = calloc(1, sizeof(*victim)), *peer = calloc(1, sizeof(*peer));
	victim->rng = 1;
	peer->rng = 1u << 20;
	struct sptps_params p = {
	    .initiator = initiator,
	    .datagram = datagram,
	    .mykey = &key_a,
	    .hiskey = &key_b,
	    .label = label,
	    .labellen = sizeof(label),
	    .replaywin = SPTPS_DEFAULT_REPLAY_WINDOW,
	    .jump_at_once = (mode & 32) != 0,
	    .cb = {victim, fz_send, fz_receive, fz_random, NULL, NULL},
	};

	if (sptps_start(&victim->s, &p)) {
		abort();
	}

	if (established) {
		p.initiator = !initiator;
		p.mykey = &key_b;
		p.hiskey = &key_a;
		p.cb.ctx = peer;

		if (sptps_start(&peer->s, &p)) {
			abort();
		}

		for (int round = 0; round < 4; round++) {
			deliver_queue(victim, peer);
			deliver_queue(peer, victim);
		}

		if (!sptps_established(victim->s)) {
			abort(); /* the handshake between two honest sessions must work */
		}

		victim->nq = 0;
		peer->nq = 0;

		if (datagram && rekey && sptps_force_kex(peer->s) == SPTPS_OK) {
			sptps_send_record(peer->s, 0, "old", 3);
			deliver_queue(peer, victim);
			deliver_queue(victim, peer); /* the peer answers: SIG (initiator) or waits */

			if (rekey_more) {
				deliver_queue(peer, victim);
				deliver_queue(victim, peer);
			}
		}

		/* genuine records for the input to pick from */
		for (int i = 0; i < 3 && datagram; i++) {
			sptps_send_record(peer->s, (uint8_t)i, "data", 4);
		}
	}

	if (datagram) {
		while (size >= 2) {
			size_t len = (size_t)data[0] << 8 | data[1];
			data += 2;
			size -= 2;

			if ((len & 0xfff8) == 0xff00) {
				size_t i = len & 7;

				if (i < peer->nq) {
					sptps_receive(victim->s, peer->queue[i], peer->qlen[i]);
				}

				continue;
			}
			len = len < size ? len : size;
			sptps_verify_datagram(victim->s, data, len);
			sptps_receive(victim->s, data, len);
			data += len;
			size -= len;
		}
	} else {
		while (size) {
			ssize_t used = sptps_receive(victim->s, data, size);

			if (used <= 0) {
				break;
			}

			data += used;
			size -= (size_t)used;
		}
	}

	sptps_free(victim->s);
	sptps_free(peer->s);
	free(victim);
	free(peer);
	return 0;
}
