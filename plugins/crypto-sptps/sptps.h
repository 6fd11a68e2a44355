/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * SPTPS, tinc 1.1's record protocol (docs/protocol/sptps.md), as a self-contained library.
 *
 * A session is driven entirely by its caller: bytes that arrive are handed to
 * sptps_receive(), and the session answers through callbacks (records to
 * send, application records received, handshake finished, random bytes, log
 * lines). It keeps no global state and allocates only when a session starts
 * and when a record larger than any before it passes through.
 *
 * Stream mode (meta connections) is fatal on the first error: the session
 * refuses all further input (SPTPS_E_FAILED). Datagram mode drops the bad
 * record and keeps going.
 *
 * Datagram renegotiation tolerates the handshake and the data travelling
 * on different paths (meta connection vs UDP): records under the peer's
 * next key are accepted as soon as that key is known (and switch to it
 * once the peer's SIG has been verified), records under its previous key
 * are accepted when they are older than the switch, and encrypted
 * handshake records are checked for replay by their own increasing
 * counter instead of the data window.
 *
 * Callbacks must not free the session nor call sptps_receive() on it;
 * sending records from inside a callback is fine.
 */
#ifndef PX_SPTPS_H
#define PX_SPTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "keys.h"
#include "sptps_crypto.h"

#define SPTPS_VERSION               0
#define SPTPS_HANDSHAKE             128 /* record type of KEX, SIG and ACK */
#define SPTPS_ALERT                 129 /* defined by tinc, never sent */
#define SPTPS_CLOSE                 130 /* defined by tinc, never sent */
#define SPTPS_KEX_LEN               65  /* version || nonce[32] || ephemeral public key[32] */
#define SPTPS_NONCE_LEN             32
#define SPTPS_MAX_BODY              65535 /* largest record body in either mode */
#define SPTPS_STREAM_HEADER         2     /* length, big-endian */
#define SPTPS_DATAGRAM_HEADER       4     /* sequence number, big-endian */
#define SPTPS_STREAM_OVERHEAD       (SPTPS_STREAM_HEADER + 1 + SPTPS_TAG_LEN)   /* 19 */
#define SPTPS_DATAGRAM_OVERHEAD     (SPTPS_DATAGRAM_HEADER + 1 + SPTPS_TAG_LEN) /* 21 */
#define SPTPS_DEFAULT_REPLAY_WINDOW 16 /* bytes of bitmap: 128 sequence numbers */

/* Why a call failed. Every rejection also produces one log line. */
enum sptps_error {
	SPTPS_OK = 0,
	SPTPS_E_INVALID = -1,    /* bad arguments from the caller */
	SPTPS_E_STATE = -2,      /* call not allowed now (e.g. send before the handshake) */
	SPTPS_E_FAILED = -3,     /* stream session already failed */
	SPTPS_E_TRUNCATED = -4,  /* datagram shorter than a record can be */
	SPTPS_E_OVERSIZE = -5,   /* record longer than SPTPS_MAX_BODY */
	SPTPS_E_AUTH = -6,       /* Poly1305 tag mismatch: forged, corrupted, replayed (stream) */
	SPTPS_E_REPLAY = -7,     /* datagram outside the replay window or seen before */
	SPTPS_E_SEQNO = -8,      /* plaintext datagram with an unexpected sequence number */
	SPTPS_E_UNEXPECTED = -9, /* record not allowed in this state (application data before keys...) */
	SPTPS_E_BAD_TYPE = -10,  /* record type above 128 */
	SPTPS_E_BAD_KEX = -11,   /* KEX of wrong length or version, or a second KEX */
	SPTPS_E_BAD_SIG = -12,   /* SIG of wrong length or not made by the expected key */
	SPTPS_E_BAD_ACK = -13,   /* ACK with a body */
	SPTPS_E_CRYPTO = -14,    /* a primitive failed (invalid peer point...) */
	SPTPS_E_CALLBACK = -15,  /* the send or receive callback reported failure */
	SPTPS_E_NOMEM = -16,
};

const char *sptps_strerror(int err);

enum sptps_log_level {
	SPTPS_LOG_ERROR = 0,   /* a record was rejected or a call failed */
	SPTPS_LOG_WARNING = 1, /* accepted, but something was lost (far-future jump) */
	SPTPS_LOG_DEBUG = 2,
};

/* Internal values reported to an optional trace callback (tests, debugging).
 * Secrets pass through it: leave it NULL in production. */
enum sptps_trace {
	SPTPS_TRACE_EPHEMERAL_PUBLIC, /* 32 bytes */
	SPTPS_TRACE_SIGN_INPUT,       /* the message we sign */
	SPTPS_TRACE_SIGNATURE,        /* 64 bytes */
	SPTPS_TRACE_VERIFY_INPUT,     /* the message the peer's SIG must cover */
	SPTPS_TRACE_SHARED_SECRET,    /* 32 bytes */
	SPTPS_TRACE_PRF_SEED,
	SPTPS_TRACE_PRF_OUTPUT,  /* 128 bytes */
	SPTPS_TRACE_KEY_OUT,     /* 64 bytes, installed for sending */
	SPTPS_TRACE_KEY_IN,      /* 64 bytes, installed for receiving */
	SPTPS_TRACE_AUTH_FAILED, /* 4 bytes: the sequence number tried, big-endian */
};

struct sptps_callbacks {
	void *ctx;
	/* One record for the peer: a whole datagram, or bytes to append to the
	 * stream. type tells handshake records (128) from application ones. */
	bool (*send)(void *ctx, uint8_t type, const uint8_t *wire, size_t len);
	/* An application record (type < 128), or type 128 with len 0 when a
	 * handshake (first or renegotiation) has completed. */
	bool (*receive)(void *ctx, uint8_t type, const uint8_t *data, size_t len);
	/* Fill buf with len random bytes (tests inject a deterministic stream). */
	void (*random)(void *ctx, uint8_t *buf, size_t len);
	/* One preformatted line without newline (may be NULL). */
	void (*log)(void *ctx, enum sptps_log_level level, const char *msg);
	/* May be NULL. */
	void (*trace)(void *ctx, enum sptps_trace what, const uint8_t *data, size_t len);
};

struct sptps_params {
	bool initiator;
	bool datagram;
	const struct sptps_key *mykey; /* needs the private half */
	const struct sptps_key *hiskey;
	const void *label;
	size_t labellen;
	unsigned replaywin; /* bytes of replay bitmap (datagram mode); 0 = no replay check */
	/* Datagram mode: an authentic record further ahead than the window
	 * (a burst of losses longer than the window) moves the window at once.
	 * false keeps tinc's rule of first dropping replaywin/4 such records,
	 * which turns every long burst of losses into a few more. */
	bool jump_at_once;
	struct sptps_callbacks cb;
};

typedef struct sptps sptps_t;

/* Create a session and send its first KEX. Returns SPTPS_OK and *out, or an
 * error (nothing to free then). */
int sptps_start(sptps_t **out, const struct sptps_params *params);
void sptps_free(sptps_t *s);

/*
 * Feed received bytes. Stream mode: consumes bytes up to the end of at most
 * one record and returns how many (the caller loops; this lets it take
 * bytes that follow a record out of band). Datagram mode: data is exactly
 * one datagram; returns len. Negative: enum sptps_error.
 */
ssize_t sptps_receive(sptps_t *s, const void *data, size_t len);

/* Send an application record (type < 128) once the first handshake is done. */
int sptps_send_record(sptps_t *s, uint8_t type, const void *data, size_t len);

/* Start a renegotiation on an established session. */
int sptps_force_kex(sptps_t *s);
/* Would sptps_force_kex() start one now (established, none under way)? */
bool sptps_can_renegotiate(const sptps_t *s);

/* Datagram mode: would this datagram be accepted now? Checks the tag and
 * the replay window without changing any state. */
int sptps_verify_datagram(const sptps_t *s, const void *data, size_t len);

/*
 * Datagram fast path, in place, no callbacks for data.
 * seal: rec has SPTPS_DATAGRAM_HEADER + 1 bytes before the body (body at
 * rec + 5, body_len bytes) and SPTPS_TAG_LEN bytes after it. Returns the
 * wire length or a negative error.
 * open: decrypts rec (one datagram of len bytes) in place; the body is at
 * rec + 5. A handshake record is processed internally and reported with
 * *type = 128. Returns SPTPS_OK or a negative error.
 */
ssize_t sptps_seal_datagram(sptps_t *s, uint8_t type, uint8_t *rec, size_t body_len);
int sptps_open_datagram(sptps_t *s, uint8_t *rec, size_t len, uint8_t *type, size_t *body_len);

/* State queries. */
bool sptps_established(const sptps_t *s); /* first handshake done (can send) */
bool sptps_is_initiator(const sptps_t *s);
/* First handshake: has the peer's KEX arrived yet? */
bool sptps_heard_peer(const sptps_t *s);

/* Replay state of the receive side (datagram tests); bitmap may be NULL,
 * else it receives replaywin bytes. */
void sptps_replay_state(const sptps_t *s, uint32_t *inseqno, uint32_t *farfuture, uint32_t *received,
                        uint8_t *bitmap);

#endif
