/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Legacy data-key exchange (legacy-data.md §3, §6): REQ_KEY, ANS_KEY,
 * KEY_CHANGED and the KeyExpire renewal. Every node has its own inbound key
 * (made by us, handed out in ANS_KEY) and outbound key (made by the peer).
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/objects.h>

#include "legacy.h"

/* Every allocated node slot, so that fini and key renewal need no help from the core. */
static struct legacy_node *all_nodes;

struct legacy_node *legacy_node_get(px_node *n, bool create) {
	if (!n)
		return NULL;
	void **slot = lg.host->node_slot(n, lg.self);
	if (!slot)
		return NULL;
	if (*slot || !create)
		return *slot;

	struct legacy_node *ln = calloc(1, sizeof(*ln));
	if (!ln)
		return NULL;
	ln->node = n;
	ln->next = all_nodes;
	if (all_nodes)
		all_nodes->prev = ln;
	all_nodes = ln;
	*slot = ln;
	return ln;
}

static void node_free(struct legacy_node *ln) {
	if (ln->prev)
		ln->prev->next = ln->next;
	else
		all_nodes = ln->next;
	if (ln->next)
		ln->next->prev = ln->prev;
	legacy_key_free(ln->in);
	legacy_key_free(ln->in_old);
	legacy_key_free(ln->out);
	free(ln);
}

void legacy_nodes_free_all(void) {
	while (all_nodes)
		node_free(all_nodes);
}

bool legacy_errlog_allowed(struct legacy_node *ln) {
	uint64_t now = lg.host->now_ms();

	if (ln->last_errlog_ms && now - ln->last_errlog_ms < LEGACY_ERRLOG_MS)
		return false;
	ln->last_errlog_ms = now ? now : 1;
	return true;
}

static struct legacy_key *make_inbound_key(void) {
	uint8_t raw[LEGACY_MAX_KEY];
	size_t len =
	    lg.cipher ? (size_t)(EVP_CIPHER_get_key_length(lg.cipher) + EVP_CIPHER_get_iv_length(lg.cipher))
	              : 1;

	if (len > sizeof(raw))
		return NULL;
	lg.host->random_bytes(raw, len);
	struct legacy_key *k = legacy_key_new(lg.cipher, lg.digest, lg.maclen, raw, len, false, lg.replaywin);
	lg.host->memwipe(raw, sizeof(raw));
	return k;
}

/* Hand `to` a fresh key for sending to us. The previous key stays usable
 * for a grace period so that packets already in flight are not lost. */
int legacy_send_ans_key(px_node *to) {
	struct legacy_node *ln = legacy_node_get(to, true);
	struct legacy_key *k = ln ? make_inbound_key() : NULL;

	if (!k) {
		LOG(PX_LOG_ALWAYS, "Could not create a packet key for %s", lg.host->node_name(to));
		return -1;
	}
	if (ln->in) {
		legacy_key_free(ln->in_old);
		ln->in_old = ln->in;
		ln->in_old_until = lg.host->now_ms() + LEGACY_GRACE_MS;
	}
	ln->in = k;

	char hex[2 * LEGACY_MAX_KEY + 1];
	legacy_hex_encode(k->key, k->len, hex);
	int r = lg.host->send_to_node(to, "%d %s %s %s %d %d %d %d", PX_REQ_ANS_KEY, lg.host->self_name(),
	                              lg.host->node_name(to), hex, k->cipher_nid, k->digest_nid, k->maclen,
	                              lg.host->node_in_compression(to));
	lg.host->memwipe(hex, sizeof(hex));
	return r;
}

void legacy_key_request(px_plugin *self, px_node *to) {
	struct legacy_node *ln = legacy_node_get(to, true);
	uint64_t now = lg.host->now_ms();

	if (!ln || (ln->req_in_flight && now - ln->req_sent_ms < LEGACY_REQ_RETRY_MS))
		return;
	ln->req_in_flight = true;
	ln->req_sent_ms = now;
	LOG(PX_LOG_PROTOCOL, "Requesting packet key from %s", lg.host->node_name(to));
	lg.host->send_to_node(to, "%d %s %s", PX_REQ_REQ_KEY, lg.host->self_name(), lg.host->node_name(to));
}

int legacy_key_on_req(px_plugin *self, px_node *from, const char *line) {
	char fromname[LEGACY_MAX_STRING + 1], toname[LEGACY_MAX_STRING + 1];
	int reqno, subtype;
	int fields = sscanf(line, "%d %2048s %2048s %d", &reqno, fromname, toname, &subtype);

	if (fields < 3) {
		LOG(PX_LOG_ERROR, "Got bad REQ_KEY from %s", lg.host->node_name(from));
		return 0;
	}
	if (fields == 4) {
		LOG(PX_LOG_ERROR, "Ignoring extended REQ_KEY (type %d) from %s: not a legacy request",
		    subtype, lg.host->node_name(from));
		return 0;
	}
	legacy_send_ans_key(from);
	return 0;
}

static bool parse_numeric_addr(const char *host, const char *port, struct px_addr *out) {
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;

	if (getaddrinfo(host, port, &hints, &ai) || !ai)
		return false;
	bool ok = ai->ai_addrlen <= sizeof(out->ss);
	if (ok) {
		memset(out, 0, sizeof(*out));
		memcpy(&out->ss, ai->ai_addr, ai->ai_addrlen);
		out->len = ai->ai_addrlen;
	}
	freeaddrinfo(ai);
	return ok;
}

/* Look up an ANS_KEY's algorithms and check the fields against them;
 * logs and returns false on anything we cannot or must not use. */
static bool check_ans_key(const char *name, int cipher_nid, int digest_nid, int maclen, int compression,
                          size_t hexlen, const EVP_CIPHER **cipher, const EVP_MD **digest) {
	*cipher = NULL;
	*digest = NULL;
	if (cipher_nid) {
		*cipher = EVP_get_cipherbynid(cipher_nid);
		if (!*cipher) {
			LOG(PX_LOG_ERROR, "Node %s uses unknown cipher (nid %d)", name, cipher_nid);
			return false;
		}
		if (EVP_CIPHER_get_block_size(*cipher) > LEGACY_MAX_BLOCK ||
		    EVP_CIPHER_get_flags(*cipher) & EVP_CIPH_FLAG_AEAD_CIPHER) {
			LOG(PX_LOG_ERROR, "Node %s uses unsupported cipher %s", name, OBJ_nid2ln(cipher_nid));
			return false;
		}
	}
	if (digest_nid) {
		*digest = EVP_get_digestbynid(digest_nid);
		if (!*digest || EVP_MD_get_size(*digest) > LEGACY_MAX_MAC) {
			LOG(PX_LOG_ERROR, "Node %s uses unknown or unsupported digest (nid %d)", name,
			    digest_nid);
			return false;
		}
	}
	size_t want =
	    *cipher ? (size_t)(EVP_CIPHER_get_key_length(*cipher) + EVP_CIPHER_get_iv_length(*cipher)) : 1;
	if (hexlen != 2 * want) {
		LOG(PX_LOG_ERROR, "Node %s sent a key of wrong length (%zu hex digits, expected %zu)", name,
		    hexlen, 2 * want);
		return false;
	}
	if (maclen < 0 || (*digest && maclen > EVP_MD_get_size(*digest))) {
		LOG(PX_LOG_ERROR, "Node %s uses bogus MAC length %d", name, maclen);
		return false;
	}
	if (compression < 0 || compression > PX_COMPRESS_MAX) {
		LOG(PX_LOG_ERROR, "Node %s uses bogus compression level %d", name, compression);
		return false;
	}
	return true;
}

int legacy_key_on_ans(px_plugin *self, px_node *from, const char *line) {
	char fromname[LEGACY_MAX_STRING + 1], toname[LEGACY_MAX_STRING + 1], hex[LEGACY_MAX_STRING + 1];
	char addr[LEGACY_MAX_STRING + 1], port[LEGACY_MAX_STRING + 1];
	int cipher_nid, digest_nid, maclen, compression;
	const char *name = lg.host->node_name(from);

	int fields = sscanf(line, "%*d %2048s %2048s %2048s %d %d %d %d %2048s %2048s", fromname, toname, hex,
	                    &cipher_nid, &digest_nid, &maclen, &compression, addr, port);
	if (fields < 7) {
		LOG(PX_LOG_ERROR, "Got bad ANS_KEY from %s", name);
		return 0;
	}
	if (cipher_nid == -1 && digest_nid == -1) {
		LOG(PX_LOG_ERROR, "Ignoring SPTPS ANS_KEY from %s: not a legacy key", name);
		return 0;
	}

	/* A new ANS_KEY means the peer replaced its key: the old one is dead. */
	struct legacy_node *ln = legacy_node_get(from, true);
	if (!ln)
		return 0;
	ln->req_in_flight = false;
	if (ln->out) {
		legacy_key_free(ln->out);
		ln->out = NULL;
		lg.host->node_key_changed(from, false);
	}

	const EVP_CIPHER *cipher;
	const EVP_MD *digest;
	uint8_t key[LEGACY_MAX_KEY];
	if (!check_ans_key(name, cipher_nid, digest_nid, maclen, compression, strlen(hex), &cipher, &digest))
		return 0;
	int keylen = legacy_hex_decode(hex, strlen(hex), key, sizeof(key));
	if (keylen < 0) {
		LOG(PX_LOG_ERROR, "Node %s sent a key that is not valid hex", name);
		return 0;
	}
	ln->out = legacy_key_new(cipher, digest, maclen, key, (size_t)keylen, true, 0);
	lg.host->memwipe(key, sizeof(key));
	lg.host->memwipe(hex, sizeof(hex));
	if (!ln->out) {
		LOG(PX_LOG_ERROR, "Cannot use the key of %s (%s/%s not available here)", name,
		    cipher ? OBJ_nid2ln(cipher_nid) : "none", digest ? OBJ_nid2ln(digest_nid) : "none");
		return 0;
	}

	lg.host->node_set_out_compression(from, compression);
	if (fields >= 9) {
		struct px_addr udp;
		if (parse_numeric_addr(addr, port, &udp))
			lg.host->node_set_udp_addr(from, &udp);
		else
			LOG(PX_LOG_PROTOCOL, "Ignoring non-numeric address %s port %s for %s in ANS_KEY",
			    addr, port, name);
	}
	LOG(PX_LOG_PROTOCOL, "Got packet key from %s (%s)", name, legacy_describe(self, from));
	lg.host->node_key_changed(from, true);
	return 0;
}

void legacy_key_on_changed(px_plugin *self, px_node *n) {
	struct legacy_node *ln = legacy_node_get(n, false);

	if (ln) {
		legacy_key_free(ln->out);
		ln->out = NULL;
		ln->req_in_flight = false;
	}
	lg.host->node_key_changed(n, false);
}

bool legacy_key_valid(px_plugin *self, px_node *to) {
	struct legacy_node *ln = legacy_node_get(to, false);
	return ln && ln->out;
}

void legacy_node_up(px_plugin *self, px_node *n) {
	legacy_send_ans_key(n);
}

void legacy_node_down(px_plugin *self, px_node *n) {
	void **slot = lg.host->node_slot(n, lg.self);

	if (slot && *slot) {
		node_free(*slot);
		*slot = NULL;
	}
}

const char *legacy_describe(px_plugin *self, px_node *n) {
	struct legacy_node *ln = legacy_node_get(n, false);

	if (!ln || !ln->out)
		return "-";
	snprintf(ln->desc, sizeof(ln->desc), "%s/%s/%d",
	         ln->out->cipher ? OBJ_nid2ln(ln->out->cipher_nid) : "none",
	         ln->out->digest ? OBJ_nid2ln(ln->out->digest_nid) : "none", ln->out->maclen);
	return ln->desc;
}

/* KeyExpire: tell everyone our keys changed and hand fresh ones to every
 * reachable node that holds one of ours (also keeps NAT mappings alive). */
void legacy_expire_keys(void *arg) {
	uint32_t nonce;

	lg.host->random_bytes(&nonce, sizeof(nonce));
	LOG(PX_LOG_PROTOCOL, "Expiring packet keys");
	lg.host->broadcast(NULL, "%d %x %s", PX_REQ_KEY_CHANGED, nonce, lg.host->self_name());
	for (struct legacy_node *ln = all_nodes; ln; ln = ln->next) {
		if (ln->in && lg.host->node_reachable(ln->node))
			legacy_send_ans_key(ln->node);
	}
	if (lg.expire_timer)
		lg.host->timer_arm(lg.expire_timer, (uint32_t)lg.keyexpire_s * 1000u);
}
