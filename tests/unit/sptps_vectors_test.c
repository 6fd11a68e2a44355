/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Replays every SPTPS known-answer transcript in tests/data/sptps-vectors/
 * (recorded from tinc 1.1's own sptps.c) against our library and compares
 * every effect byte for byte: random draws, ephemeral keys, records on the
 * wire, signature inputs and signatures, ECDH secrets, PRF seeds and
 * outputs, installed keys, handshake completions, delivered records,
 * rejections and the replay window after each datagram.
 *
 * The vector directory comes from $SPTPS_VECTOR_DIR, else from the
 * SPTPS_VECTOR_DIR define (the source tree's copy).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "sptps.h"
#include "sptps_json.h"

#ifndef SPTPS_VECTOR_DIR
#define SPTPS_VECTOR_DIR "tests/data/sptps-vectors"
#endif

static const char *const vector_files[] = {
    "stream-meta.json",          "datagram-udp.json",           "datagram-replay-window.json",
    "renegotiation-stream.json", "renegotiation-datagram.json", "stream-invitation.json",
};

/* ---- small helpers ---- */

static char *hex(const uint8_t *data, size_t len) {
	static const char digits[] = "0123456789abcdef";
	char *out = malloc(2 * len + 1);

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}

	out[2 * len] = 0;
	return out;
}

/* Decode a hex string into a new buffer; *len gets the byte count. */
static uint8_t *unhex(const char *s, size_t *len) {
	size_t n = s ? strlen(s) / 2 : 0;
	uint8_t *out = malloc(n + 1);

	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}

	*len = n;
	return out;
}

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *strf(const char *fmt, ...) {
	static char buf[65536]; /* the longest event is a 1421-byte record in hex */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return strdup(buf);
}

/* ---- event log: what the implementation did during one step ---- */

struct event_log {
	char **items;
	size_t count;
};

static void log_add(struct event_log *log, char *event) {
	log->items = realloc(log->items, (log->count + 1) * sizeof(char *));
	log->items[log->count++] = event;
}

static void log_clear(struct event_log *log) {
	for (size_t i = 0; i < log->count; i++) {
		free(log->items[i]);
	}

	free(log->items);
	log->items = NULL;
	log->count = 0;
}

/* ---- the deterministic random stream of the README ---- */

struct rng {
	char seed[128];
	uint32_t block;
	uint8_t buf[64];
	size_t used; /* bytes of buf consumed */
};

static void rng_init(struct rng *r, const char *seed) {
	snprintf(r->seed, sizeof(r->seed), "%s", seed);
	r->block = 0;
	r->used = sizeof(r->buf);
}

static void rng_read(struct rng *r, uint8_t *out, size_t len) {
	while (len) {
		if (r->used == sizeof(r->buf)) {
			size_t slen = strlen(r->seed);
			uint8_t in[sizeof(r->seed) + 4];
			memcpy(in, r->seed, slen);
			in[slen] = r->block >> 24;
			in[slen + 1] = r->block >> 16;
			in[slen + 2] = r->block >> 8;
			in[slen + 3] = r->block;
			crypto_hash_sha512(r->buf, in, slen + 4);
			r->block++;
			r->used = 0;
		}

		size_t n = sizeof(r->buf) - r->used < len ? sizeof(r->buf) - r->used : len;
		memcpy(out, r->buf + r->used, n);
		r->used += n;
		out += n;
		len -= n;
	}
}

static void rng_callback(void *ctx, uint8_t *buf, size_t len) {
	rng_read(ctx, buf, len);
}

/* ---- one party of a transcript ---- */

struct party {
	const char *name;
	struct sptps_key key;
	sptps_t *s;
	struct rng rng;
	struct event_log *log;
	char *sign_input; /* hex, waiting for the signature */
	char *prf_seed;
	uint8_t consumed[4096]; /* every random byte handed out */
	size_t nconsumed;
	char *prf_outputs[8];
	size_t nprf;
	size_t nsent;
};

static void party_random(void *ctx, uint8_t *buf, size_t len) {
	struct party *p = ctx;

	rng_read(&p->rng, buf, len);

	if (p->nconsumed + len <= sizeof(p->consumed)) {
		memcpy(p->consumed + p->nconsumed, buf, len);
		p->nconsumed += len;
	}

	char *h = hex(buf, len);
	log_add(p->log, strf("%s random %s", p->name, h));
	free(h);
}

static bool party_send(void *ctx, uint8_t type, const uint8_t *wire, size_t len) {
	struct party *p = ctx;
	char *h = hex(wire, len);

	log_add(p->log, strf("%s send %u %s", p->name, type, h));
	free(h);
	p->nsent++;
	return true;
}

static bool party_receive(void *ctx, uint8_t type, const uint8_t *data, size_t len) {
	struct party *p = ctx;

	if (type == SPTPS_HANDSHAKE) {
		log_add(p->log, strf("%s complete", p->name));
	} else {
		char *h = hex(data, len);
		log_add(p->log, strf("%s receive %u %s", p->name, type, h));
		free(h);
	}

	return true;
}

static void party_log(void *ctx, enum sptps_log_level level, const char *msg) {
	struct party *p = ctx;

	if (level == SPTPS_LOG_WARNING) {
		log_add(p->log, strf("%s warning", p->name));
	}

	if (getenv("SPTPS_TEST_VERBOSE")) {
		fprintf(stderr, "  [%s] %s\n", p->name, msg);
	}
}

static void party_trace(void *ctx, enum sptps_trace what, const uint8_t *data, size_t len) {
	struct party *p = ctx;
	char *h = hex(data, len);

	switch (what) {
	case SPTPS_TRACE_EPHEMERAL_PUBLIC:
		log_add(p->log, strf("%s ephemeral %s", p->name, h));
		break;

	case SPTPS_TRACE_SIGN_INPUT:
		free(p->sign_input);
		p->sign_input = h;
		return;

	case SPTPS_TRACE_SIGNATURE:
		log_add(p->log, strf("%s sign %s %s", p->name, p->sign_input ? p->sign_input : "?", h));
		break;

	case SPTPS_TRACE_VERIFY_INPUT:
		log_add(p->log, strf("%s verify %s", p->name, h));
		break;

	case SPTPS_TRACE_SHARED_SECRET:
		log_add(p->log, strf("%s ecdh %s", p->name, h));
		break;

	case SPTPS_TRACE_PRF_SEED:
		free(p->prf_seed);
		p->prf_seed = h;
		return;

	case SPTPS_TRACE_PRF_OUTPUT:
		log_add(p->log, strf("%s prf %s %s", p->name, p->prf_seed ? p->prf_seed : "?", h));

		if (p->nprf < 8) {
			p->prf_outputs[p->nprf++] = strdup(h);
		}

		break;

	case SPTPS_TRACE_KEY_OUT:
		log_add(p->log, strf("%s key out %s", p->name, h));
		break;

	case SPTPS_TRACE_KEY_IN:
		log_add(p->log, strf("%s key in %s", p->name, h));
		break;

	case SPTPS_TRACE_AUTH_FAILED:
		log_add(p->log, strf("%s authfail %u", p->name,
		                     (unsigned)data[0] << 24 | (unsigned)data[1] << 16 |
		                         (unsigned)data[2] << 8 | data[3]));
		break;
	}

	free(h);
}

/* The expected event line for one effect of the transcript, or NULL for
 * effects we do not observe. */
static char *expected_event(const struct json *e) {
	const char *kind = json_get_string(e, "effect");
	const char *side = json_get_string(e, "side");

	if (!kind) {
		return NULL;
	}

	if (!strcmp(kind, "random")) {
		return strf("%s random %s", side, json_get_string(e, "hex"));
	}

	if (!strcmp(kind, "ephemeral_keypair")) {
		return strf("%s ephemeral %s", side, json_get_string(e, "public_hex"));
	}

	if (!strcmp(kind, "send")) {
		return strf("%s send %ld %s", json_get_string(e, "from"), json_get_int(e, "type", -1),
		            json_get_string(e, "wire_hex"));
	}

	if (!strcmp(kind, "sign")) {
		return strf("%s sign %s %s", side, json_get_string(e, "signed_message_hex"),
		            json_get_string(e, "signature_hex"));
	}

	if (!strcmp(kind, "verify_signature")) {
		return strf("%s verify %s", side, json_get_string(e, "signed_message_hex"));
	}

	if (!strcmp(kind, "ecdh_shared_secret")) {
		return strf("%s ecdh %s", side, json_get_string(e, "shared_secret_hex"));
	}

	if (!strcmp(kind, "prf")) {
		return strf("%s prf %s %s", side, json_get_string(e, "seed_hex"),
		            json_get_string(e, "output_hex"));
	}

	if (!strcmp(kind, "install_key")) {
		return strf("%s key %s %s", side, json_get_string(e, "direction"),
		            json_get_string(e, "key_hex"));
	}

	if (!strcmp(kind, "handshake_complete")) {
		return strf("%s complete", side);
	}

	if (!strcmp(kind, "receive_record")) {
		return strf("%s receive %ld %s", side, json_get_int(e, "type", -1),
		            json_get_string(e, "data_hex"));
	}

	if (!strcmp(kind, "authentication_failed")) {
		return strf("%s authfail %ld", side, json_get_int(e, "seqno", -1));
	}

	if (!strcmp(kind, "warning")) {
		return strf("%s warning", side);
	}

	return strf("unknown effect %s", kind);
}

/* Compare what happened during a step with the transcript's effects. */
static void compare_effects(const char *file, long step, const struct json *effects, struct event_log *log) {
	size_t n = effects ? effects->count : 0;
	size_t i;
	bool ok = true;

	for (i = 0; i < n || i < log->count; i++) {
		char *want = i < n ? expected_event(effects->items[i]) : NULL;
		const char *got = i < log->count ? log->items[i] : NULL;

		if (!want || !got || strcmp(want, got)) {
			fprintf(stderr, "%s step %ld effect %zu:\n  want %.300s\n  got  %.300s\n", file, step,
			        i, want ? want : "(nothing)", got ? got : "(nothing)");
			ok = false;
		}

		free(want);

		if (!ok) {
			break;
		}
	}

	CHECK(ok);
	log_clear(log);
}

static struct party *party_by_name(struct party *parties, const char *name) {
	return name && !strcmp(name, "alpha") ? &parties[0] : &parties[1];
}

/* Long-term keys: every representation in the file must match ours. */
static void check_longterm_key(const char *file, struct party *p, const struct json *lt) {
	size_t len;
	uint8_t *priv = unhex(json_get_string(lt, "expanded_private_hex"), &len);
	CHECK(len == 64);
	uint8_t *pub = unhex(json_get_string(lt, "public_hex"), &len);
	CHECK(len == 32);
	const char *keyfile = json_get_string(lt, "private_key_file");

	CHECK(sptps_key_parse_private(&p->key, keyfile, strlen(keyfile)));
	CHECK(!memcmp(p->key.priv, priv, 64));
	CHECK(!memcmp(p->key.pub, pub, 32));

	/* the seed from the long-term random stream gives the same key */
	struct rng r;
	struct sptps_key gen;
	uint8_t seed[32];
	rng_init(&r, json_get_string(lt, "random_stream_seed"));
	rng_read(&r, seed, 32);
	char *seedhex = hex(seed, 32);
	CHECK_STR(seedhex, json_get_string(lt, "ed25519_seed_hex"));
	free(seedhex);
	rng_init(&r, json_get_string(lt, "random_stream_seed"));
	CHECK(sptps_key_generate(&gen, rng_callback, &r));
	CHECK(!memcmp(gen.priv, priv, 64) && !memcmp(gen.pub, pub, 32));

	char b64[44];
	sptps_key_public_b64(&p->key, b64);
	CHECK_STR(b64, json_get_string(lt, "public_base64_tinc"));
	char *text = sptps_key_format_private(&gen);
	CHECK_STR(text, keyfile);
	free(text);
	text = sptps_key_format_public_pem(&gen);
	CHECK_STR(text, json_get_string(lt, "public_key_pem_file"));
	free(text);
	text = sptps_key_format_host_line(&gen);
	CHECK_STR(text, json_get_string(lt, "hosts_file_line"));
	free(text);

	struct sptps_key pk;
	const char *pem = json_get_string(lt, "public_key_pem_file");
	CHECK(sptps_key_parse_public_pem(&pk, pem, strlen(pem)) && !memcmp(pk.pub, pub, 32));
	CHECK(sptps_key_parse_public_b64(&pk, json_get_string(lt, "public_base64_tinc")) &&
	      !memcmp(pk.pub, pub, 32));
	CHECK(!pk.has_private);
	free(priv);
	free(pub);
	(void)file;
}

static int rejection_code(const char *cause) {
	if (cause && !strcmp(cause, "authentication_tag_mismatch")) {
		return SPTPS_E_AUTH;
	}

	if (cause && !strcmp(cause, "sequence_number_check")) {
		return SPTPS_E_REPLAY;
	}

	return 1; /* matches no error code */
}

static void check_receiver_state(const char *file, long step, struct party *to, const struct json *st) {
	uint32_t inseqno, farfuture, received;
	uint8_t bitmap[256] = {0};

	sptps_replay_state(to->s, &inseqno, &farfuture, &received, bitmap);
	size_t blen;
	uint8_t *want = unhex(json_get_string(st, "late_bitmap_hex"), &blen);
	bool ok = inseqno == (uint32_t)json_get_int(st, "inseqno", -1) &&
	          farfuture == (uint32_t)json_get_int(st, "farfuture", -1) &&
	          received == (uint32_t)json_get_int(st, "received", -1) && !memcmp(bitmap, want, blen);

	if (!ok) {
		char *h = hex(bitmap, blen);
		fprintf(stderr, "%s step %ld: state inseqno %u farfuture %u received %u bitmap %s\n", file,
		        step, (unsigned)inseqno, (unsigned)farfuture, (unsigned)received, h);
		free(h);
	}

	CHECK(ok);
	free(want);
}

static void run_file(const char *dir, const char *file) {
	char *path = strf("%s/%s", dir, file);
	struct json *doc = json_load_file(path);
	struct event_log log = {0};
	struct party parties[2] = {{.name = "alpha"}, {.name = "beta"}};

	if (!doc) {
		fprintf(stderr, "cannot read %s\n", path);
		CHECK(doc != NULL);
		free(path);
		return;
	}

	CHECK_STR(json_get_string(doc, "format"), "sptps-kat-1");
	bool datagram = !strcmp(json_get_string(doc, "mode"), "datagram");
	unsigned replaywin = (unsigned)json_get_int(doc, "replay_window_bytes", SPTPS_DEFAULT_REPLAY_WINDOW);
	const struct json *jparties = json_get(doc, "parties");

	for (int i = 0; i < 2; i++) {
		const struct json *jp = json_get(jparties, parties[i].name);
		parties[i].log = &log;
		rng_init(&parties[i].rng, json_get_string(jp, "random_stream_seed"));
		check_longterm_key(file, &parties[i], json_get(jp, "longterm_key"));
	}

	const struct json *steps = json_get(doc, "steps");
	CHECK(steps && steps->count > 0);

	for (size_t i = 0; steps && i < steps->count; i++) {
		const struct json *st = steps->items[i];
		long stepno = json_get_int(st, "step", -1);
		const char *op = json_get_string(st, "op");
		int err = 0;

		if (!strcmp(op, "start")) {
			struct party *p = party_by_name(parties, json_get_string(st, "side"));
			struct party *peer = p == &parties[0] ? &parties[1] : &parties[0];
			size_t labellen;
			uint8_t *label = unhex(json_get_string(st, "label_hex"), &labellen);
			struct sptps_params params = {
			    .initiator = json_get_bool(st, "initiator", false),
			    .datagram = json_get_bool(st, "datagram", false),
			    .mykey = &p->key,
			    .hiskey = &peer->key,
			    .label = label,
			    .labellen = labellen,
			    .replaywin = replaywin,
			    .cb = {p, party_send, party_receive, party_random, party_log, party_trace},
			};
			CHECK(params.datagram == datagram);
			err = sptps_start(&p->s, &params);
			free(label);
			CHECK((err == 0) == json_get_bool(st, "return", false));
		} else if (!strcmp(op, "send_record")) {
			struct party *p = party_by_name(parties, json_get_string(st, "side"));
			size_t len;
			uint8_t *data = unhex(json_get_string(st, "data_hex"), &len);
			CHECK((long)len == json_get_int(st, "length", -1));
			err = sptps_send_record(p->s, (uint8_t)json_get_int(st, "type", 0), data, len);
			free(data);
			CHECK((err == 0) == json_get_bool(st, "return", false));
		} else if (!strcmp(op, "force_kex")) {
			struct party *p = party_by_name(parties, json_get_string(st, "side"));
			err = sptps_force_kex(p->s);
			CHECK((err == 0) == json_get_bool(st, "return", false));
		} else if (!strcmp(op, "deliver")) {
			struct party *to = party_by_name(parties, json_get_string(st, "to"));
			size_t len;
			uint8_t *wire = unhex(json_get_string(st, "wire_hex"), &len);
			const struct json *vr = json_get(st, "verify_datagram_result");

			if (vr) {
				int v = sptps_verify_datagram(to->s, wire, len);
				CHECK((v == 0) == vr->boolean);
			}

			ssize_t r = sptps_receive(to->s, wire, len);
			bool accepted = json_get_bool(st, "accepted", false);

			if (accepted) {
				CHECK(r == (ssize_t)len && r == json_get_int(st, "return_value", -1));
			} else {
				CHECK(r < 0 && json_get_int(st, "return_value", -1) == 0);
				CHECK(r == rejection_code(json_get_string(st, "rejection_cause")));
			}

			if (json_get(st, "receiver_state_after")) {
				check_receiver_state(file, stepno, to, json_get(st, "receiver_state_after"));
			}

			free(wire);
		} else {
			fprintf(stderr, "%s: unknown op %s\n", file, op);
			CHECK(false);
		}

		compare_effects(file, stepno, json_get(st, "effects"), &log);
	}

	/* every record of the flat list was sent, and all random bytes match */
	const struct json *records = json_get(doc, "records");
	CHECK(records && records->count == parties[0].nsent + parties[1].nsent);
	const struct json *consumed = json_get(doc, "random_consumed");

	for (int i = 0; i < 2; i++) {
		const struct json *c = json_get(consumed, parties[i].name);
		char *h = hex(parties[i].consumed, parties[i].nconsumed);
		CHECK_STR(h, json_get_string(c, "hex"));
		free(h);
	}

	/* the handshake summaries agree with the PRF outputs we produced */
	const struct json *hs = json_get(doc, "handshakes");
	CHECK(hs && hs->count == parties[0].nprf && hs->count == parties[1].nprf);

	for (size_t i = 0; hs && i < hs->count && i < parties[0].nprf; i++) {
		CHECK_STR(parties[0].prf_outputs[i], json_get_string(hs->items[i], "key_material_hex"));
		CHECK_STR(parties[1].prf_outputs[i], json_get_string(hs->items[i], "key_material_hex"));
	}

	for (int i = 0; i < 2; i++) {
		sptps_free(parties[i].s);
		free(parties[i].sign_input);
		free(parties[i].prf_seed);

		for (size_t k = 0; k < parties[i].nprf; k++) {
			free(parties[i].prf_outputs[k]);
		}
	}

	fprintf(stderr, "%s: %zu steps replayed\n", file, steps ? steps->count : 0);
	log_clear(&log);
	json_free(doc);
	free(path);
}

int main(void) {
	const char *dir = getenv("SPTPS_VECTOR_DIR");

	if (!dir || !*dir) {
		dir = SPTPS_VECTOR_DIR;
	}

	CHECK(sodium_init() >= 0);

	for (size_t i = 0; i < sizeof(vector_files) / sizeof(vector_files[0]); i++) {
		run_file(dir, vector_files[i]);
	}

	return check_done("sptps_vectors_test");
}
