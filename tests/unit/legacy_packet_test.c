/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * crypto-legacy packet format: the docs/protocol/test-vectors.md §6 vector, seal/open
 * round trips for several algorithm sets and frame sizes, and every way a
 * packet must be refused (forged MAC, truncation, bad padding, replay,
 * far future), plus the per-node batch API, identify() and key renewal.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "check.h"
#include "legacy_fake.h"

#define HEADROOM 64
#define STORE    2048

struct pkt {
	uint8_t store[STORE];
	struct px_buf b;
};

static void buf_fill(struct px_buf *b, uint8_t *store, const uint8_t *frame, size_t len) {
	memset(b, 0, sizeof(*b));
	b->base = store;
	b->cap = STORE;
	b->data = store + HEADROOM;
	b->len = (uint32_t)len;
	memcpy(b->data, frame, len);
}

static void pkt_fill(struct pkt *p, const uint8_t *frame, size_t len) {
	buf_fill(&p->b, p->store, frame, len);
}

/* Copy a sealed payload to a fresh buffer (as a receiver would get it). */
static void pkt_copy(struct pkt *dst, const struct pkt *src) {
	pkt_fill(dst, src->b.data, src->b.len);
}

static void hex2bin(const char *hex, uint8_t *out) {
	CHECK(legacy_hex_decode(hex, strlen(hex), out, strlen(hex) / 2) == (int)(strlen(hex) / 2));
}

static void test_vector(void) {
	px_node *beta = fake_node("beta");
	uint8_t frame[18], want[36];
	struct pkt p;

	CHECK(
	    legacy_key_on_ans(fake_self, beta,
	                      "16 beta alpha 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
	                      "202122232425262728292A2B2C2D2E2F 427 672 4 0") == 0);
	CHECK(legacy_key_valid(fake_self, beta));
	hex2bin("000000000000000000000000000001020304", frame);
	hex2bin("9c5048e8cb08b2b5aadb74a4b6da429c21d943ac383608b00709baaabca9d51730734367", want);
	pkt_fill(&p, frame, sizeof(frame));
	CHECK(legacy_seal(fake_self, beta, &p.b, 1) == 1);
	CHECK(p.b.len == 36);
	CHECK(p.b.data == p.store + HEADROOM - 4);
	CHECK(!memcmp(p.b.data, want, sizeof(want)));
	CHECK_STR(legacy_describe(fake_self, beta), "rsa:aes-256-cbc/sha256/4");
	legacy_node_down(fake_self, beta);
	CHECK(!legacy_key_valid(fake_self, beta));
}

struct algo {
	const char *cipher, *digest;
	int maclen;
};

/* A key pair sharing one key string, as ANS_KEY sets it up on both ends. */
static bool make_pair(const struct algo *a, struct legacy_key **out, struct legacy_key **in) {
	const EVP_CIPHER *c = a->cipher ? EVP_get_cipherbyname(a->cipher) : NULL;
	const EVP_MD *d = a->digest ? EVP_get_digestbyname(a->digest) : NULL;
	uint8_t raw[LEGACY_MAX_KEY];
	size_t len = c ? (size_t)(EVP_CIPHER_get_key_length(c) + EVP_CIPHER_get_iv_length(c)) : 1;

	RAND_bytes(raw, (int)len);
	*out = legacy_key_new(c, d, a->maclen, raw, len, true, 0);
	*in = legacy_key_new(c, d, a->maclen, raw, len, false, 16);
	return *out && *in;
}

static void test_round_trips(void) {
	static const struct algo algos[] = {
	    {"aes-256-cbc", "sha256", 4}, {"aes-256-cbc", "sha256", 32}, {NULL, "sha256", 4},
	    {"aes-256-cbc", NULL, 0},     {"aes-128-cfb", "sha1", 20},   {"bf-cbc", "sha1", 4},
	};
	static const size_t sizes[] = {0, 1, 15, 16, 100, 1518};

	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
		struct legacy_key *out, *in;
		if (!make_pair(&algos[i], &out, &in)) {
			CHECK(!strcmp(algos[i].cipher, "bf-cbc")); /* only Blowfish may be missing */
			fprintf(stderr, "  %s not available, skipped\n", algos[i].cipher);
			legacy_key_free(out);
			legacy_key_free(in);
			continue;
		}
		int block = out->cipher ? EVP_CIPHER_get_block_size(out->cipher) : 1;
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			uint8_t frame[1518];
			struct pkt p;
			uint32_t seqno = 0;
			RAND_bytes(frame, sizeof(frame));
			pkt_fill(&p, frame, sizes[j]);
			CHECK(legacy_seal_one(out, &p.b));
			size_t plain = 4 + sizes[j];
			size_t want =
			    (block > 1 ? (plain / block + 1) * block : plain) + (size_t)algos[i].maclen;
			CHECK(p.b.len == want);
			if (out->cipher) /* the frame must not appear in clear */
				CHECK(sizes[j] < 16 || !memmem(p.b.data, p.b.len, frame, 16));
			CHECK(legacy_open_one(in, &p.b, &seqno) == OPEN_OK);
			CHECK(seqno == out->seqno);
			CHECK(p.b.len == sizes[j]);
			CHECK(!memcmp(p.b.data, frame, sizes[j]));
		}
		legacy_key_free(out);
		legacy_key_free(in);
	}
}

static void test_refusals(void) {
	const struct algo def = {"aes-256-cbc", "sha256", 4};
	struct legacy_key *out, *in;
	uint8_t frame[100];
	struct pkt p, copy;
	uint32_t seqno;

	CHECK(make_pair(&def, &out, &in));
	RAND_bytes(frame, sizeof(frame));

	/* Forged ciphertext and forged MAC. */
	pkt_fill(&p, frame, sizeof(frame));
	CHECK(legacy_seal_one(out, &p.b));
	pkt_copy(&copy, &p);
	copy.b.data[5] ^= 1;
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_BAD_MAC);
	pkt_copy(&copy, &p);
	copy.b.data[copy.b.len - 1] ^= 0x80;
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_BAD_MAC);

	/* Truncated below seqno + MAC, and a cut that breaks the MAC. */
	pkt_copy(&copy, &p);
	copy.b.len = 7;
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_SHORT);
	pkt_copy(&copy, &p);
	copy.b.len -= 16;
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_BAD_MAC);

	/* The intact packet still opens; then again is a replay. */
	pkt_copy(&copy, &p);
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_OK);
	pkt_copy(&copy, &p);
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_REPLAY);

	/* Authentic ciphertext with broken padding (last plaintext byte 0). */
	uint8_t plain[32] = {0, 0, 0, 9}, ct[32 + 4];
	int outl = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	CHECK(EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, in->key, in->key + 32));
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	CHECK(EVP_EncryptUpdate(ctx, ct, &outl, plain, sizeof(plain)) && outl == 32);
	EVP_CIPHER_CTX_free(ctx);
	CHECK(legacy_key_mac(in, ct, 32, ct + 32));
	pkt_fill(&copy, ct, sizeof(ct));
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_BAD_DECRYPT);
	/* Same, but with a length that is not a whole number of blocks. */
	CHECK(legacy_key_mac(in, ct, 31, ct + 31));
	pkt_fill(&copy, ct, 35);
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_BAD_DECRYPT);

	/* Reordering inside the window is fine, each seqno once. */
	struct pkt seq[6];
	for (int i = 0; i < 6; i++) {
		pkt_fill(&seq[i], frame, 20);
		CHECK(legacy_seal_one(out, &seq[i].b));
	}
	static const int order[] = {1, 0, 3, 5, 2, 4};
	for (int i = 0; i < 6; i++) {
		pkt_copy(&copy, &seq[order[i]]);
		CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_OK);
	}
	pkt_copy(&copy, &seq[3]);
	CHECK(legacy_open_one(in, &copy.b, &seqno) == OPEN_REPLAY);

	/* Far future: win/4 = 4 dropped in a row, the 5th accepted. */
	out->seqno += 200;
	for (int i = 0; i < 5; i++) {
		pkt_fill(&copy, frame, 20);
		CHECK(legacy_seal_one(out, &copy.b));
		CHECK(legacy_open_one(in, &copy.b, &seqno) == (i < 4 ? OPEN_FAR_FUTURE : OPEN_OK));
	}
	legacy_key_free(out);
	legacy_key_free(in);
}

static void test_replay_window(void) {
	struct legacy_replay r;

	CHECK(legacy_replay_init(&r, 16) == 0);
	CHECK(legacy_replay_check(&r, 0) == REPLAY_LATE); /* seqnos start at 1 */
	CHECK(legacy_replay_check(&r, 1) == REPLAY_OK);
	CHECK(legacy_replay_check(&r, 1) == REPLAY_LATE);
	CHECK(legacy_replay_check(&r, 10) == REPLAY_OK); /* gap 2..9 now late */
	CHECK(legacy_replay_check(&r, 5) == REPLAY_OK);
	CHECK(legacy_replay_check(&r, 5) == REPLAY_LATE);
	CHECK(legacy_replay_check(&r, 128) == REPLAY_OK); /* 118 ahead: still inside */
	CHECK(r.received == 128);
	CHECK(legacy_replay_check(&r, 9) == REPLAY_OK);           /* 128-9 < 128, still marked late */
	CHECK(legacy_replay_check(&r, 256) == REPLAY_FAR_FUTURE); /* 128 + 8*16 */
	CHECK(legacy_replay_check(&r, 255) == REPLAY_OK);
	CHECK(legacy_replay_check(&r, 127) == REPLAY_LATE); /* 255 - 8*16: just outside the window */
	CHECK(legacy_replay_check(&r, 129) == REPLAY_OK);   /* just inside, still missing */
	CHECK(r.farfuture == 0);
	for (int i = 0; i < 4; i++)
		CHECK(legacy_replay_check(&r, 1000 + (uint32_t)i) == REPLAY_FAR_FUTURE);
	CHECK(legacy_replay_check(&r, 2000) == REPLAY_OK);
	CHECK(r.received == 2000);
	CHECK(legacy_replay_check(&r, 1999) == REPLAY_LATE); /* bitmap cleared: gap counts as lost */
	legacy_replay_free(&r);

	/* ReplayWindow = 0: no protection at all. */
	CHECK(legacy_replay_init(&r, 0) == 0);
	CHECK(legacy_replay_check(&r, 5) == REPLAY_OK);
	CHECK(legacy_replay_check(&r, 5) == REPLAY_OK);
	legacy_replay_free(&r);
}

/* Take the ANS_KEY we just sent to `n` and install it as n's key for us:
 * a loopback so that seal(n) output can be open(n)ed. */
static bool loop_key(px_node *n) {
	if (!fake_nmsgs)
		return false;
	char line[FAKE_LINE];
	strcpy(line, fake_msgs[fake_nmsgs - 1].line);
	fake_reset_msgs();
	return legacy_key_on_ans(fake_self, n, line) == 0 && legacy_key_valid(fake_self, n);
}

static void test_node_api(void) {
	px_node *gamma = fake_node("gamma"), *delta = fake_node("delta");
	static uint8_t stores[3][STORE];
	struct px_buf p[3];
	struct pkt copy;
	uint8_t frame[60];

	RAND_bytes(frame, sizeof(frame));
	fake_reset_msgs();

	/* No key yet: seal drops, the core then asks key_request. */
	buf_fill(&p[0], stores[0], frame, sizeof(frame));
	CHECK(legacy_seal(fake_self, gamma, &p[0], 1) == 0);
	CHECK(p[0].len == 0);

	legacy_node_up(fake_self, gamma);
	CHECK(fake_nmsgs == 1 && !strcmp(fake_msgs[0].to, "gamma"));
	CHECK(!strncmp(fake_msgs[0].line, "16 alpha gamma ", 15));
	CHECK(loop_key(gamma));

	for (int i = 0; i < 3; i++)
		buf_fill(&p[i], stores[i], frame, sizeof(frame) - (size_t)i);
	CHECK(legacy_seal(fake_self, gamma, p, 3) == 3);
	p[1].data[0] ^= 1; /* forge the middle one */
	int logs = fake_nlogs;
	CHECK(legacy_open(fake_self, gamma, p, 3) == 2);
	CHECK(p[0].len == 60 && p[1].len == 0 && p[2].len == 58);
	CHECK(!memcmp(p[2].data, frame, 58));
	CHECK(fake_nlogs == logs + 1);
	CHECK(strstr(fake_last_log, "unauthenticated packet from gamma") != NULL);

	/* identify() finds gamma by MAC, nobody for garbage. */
	pkt_fill(&copy, frame, 30);
	CHECK(legacy_seal(fake_self, gamma, &copy.b, 1) == 1);
	CHECK(legacy_identify(fake_self, &copy.b) == gamma);
	copy.b.data[0] ^= 1;
	CHECK(legacy_identify(fake_self, &copy.b) == NULL);
	(void)delta;

	/* Errors are logged at most once per second per node. */
	logs = fake_nlogs;
	for (int i = 0; i < 3; i++) {
		pkt_fill(&copy, frame, 30);
		CHECK(legacy_open(fake_self, gamma, &copy.b, 1) == 0);
	}
	CHECK(fake_nlogs == logs);
	fake_now += 1001;
	pkt_fill(&copy, frame, 30);
	CHECK(legacy_open(fake_self, gamma, &copy.b, 1) == 0);
	CHECK(fake_nlogs == logs + 1);

	/* A renewed key: packets under the old one open during the grace period only. */
	struct pkt old1, old2;
	pkt_fill(&old1, frame, 40);
	pkt_fill(&old2, frame, 41);
	CHECK(legacy_seal(fake_self, gamma, &old1.b, 1) == 1);
	CHECK(legacy_seal(fake_self, gamma, &old2.b, 1) == 1);
	CHECK(legacy_send_ans_key(gamma) == 0);
	CHECK(legacy_open(fake_self, gamma, &old1.b, 1) == 1);
	fake_now += LEGACY_GRACE_MS + 1;
	CHECK(legacy_open(fake_self, gamma, &old2.b, 1) == 0);
	CHECK(loop_key(gamma));
	pkt_fill(&copy, frame, 30);
	CHECK(legacy_seal(fake_self, gamma, &copy.b, 1) == 1);
	CHECK(legacy_open(fake_self, gamma, &copy.b, 1) == 1);

	/* Near seqno wrap-around the receiver hands out a new key. */
	struct legacy_node *ln = legacy_node_get(gamma, false);
	ln->out->seqno = LEGACY_REKEY_SEQNO;
	ln->in->replay.received = LEGACY_REKEY_SEQNO;
	pkt_fill(&copy, frame, 30);
	CHECK(legacy_seal(fake_self, gamma, &copy.b, 1) == 1);
	fake_reset_msgs();
	CHECK(legacy_open(fake_self, gamma, &copy.b, 1) == 1);
	CHECK(fake_nmsgs == 1 && !strncmp(fake_msgs[0].line, "16 alpha gamma ", 15));

	/* Too little headroom is refused, not overrun. */
	pkt_fill(&copy, frame, 30);
	copy.b.data = copy.b.base + 2;
	CHECK(legacy_seal(fake_self, gamma, &copy.b, 1) == 0 && copy.b.len == 0);

	legacy_node_down(fake_self, gamma);
	CHECK(!legacy_key_valid(fake_self, gamma));
	pkt_fill(&copy, frame, 30);
	CHECK(legacy_open(fake_self, gamma, &copy.b, 1) == 0);
}

int main(void) {
	static const char *const config[] = {"|PrivateKeyFile|/nonexistent/rsa_key.priv", NULL};

	strcpy(fake_confbase, "/nonexistent");
	CHECK(fake_init(config) == 0);
	CHECK(lg.cipher == EVP_get_cipherbyname("aes-256-cbc"));
	CHECK(lg.maclen == 4 && lg.replaywin == 16);
	test_vector();
	test_round_trips();
	test_refusals();
	test_replay_window();
	test_node_api();
	fake_fini();
	return check_done("legacy_packet_test");
}
