/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The crypto-legacy plugin: descriptor, settings and the provider table of
 * tinc 1.0's protocol (RSA meta authentication, per-node UDP keys, the
 * seqno/CBC/HMAC packet format), plus the ECDH data-key exchange that
 * Plexus nodes negotiate among themselves. Served for protocol minors 0 and 1.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/provider.h>

#include "legacy.h"

struct legacy_globals lg;

/* Blowfish (pre-1.0.30 peers) lives in OpenSSL 3's legacy provider. */
static OSSL_PROVIDER *legacy_provider;

static const struct px_crypto_ops legacy_ops = {
    .size = sizeof(struct px_crypto_ops),
    .name = "legacy",
    .minor_min = PX_PROT_MINOR_LEGACY,
    .minor_max = PX_PROT_MINOR_UPGRADE,
    .headroom = LEGACY_SEQNO_LEN,
    .overhead = LEGACY_SEQNO_LEN + LEGACY_MAX_BLOCK + LEGACY_MAX_MAC,
    .usable = legacy_usable,
    .meta_start = legacy_meta_start,
    .meta_request = legacy_meta_request,
    .meta_free = legacy_meta_free,
    .key_request = legacy_key_request,
    .key_on_req = legacy_key_on_req,
    .key_on_ans = legacy_key_on_ans,
    .key_on_changed = legacy_key_on_changed,
    .key_valid = legacy_key_valid,
    .node_up = legacy_node_up,
    .node_down = legacy_node_down,
    .seal = legacy_seal,
    .open = legacy_open,
    .identify = legacy_identify,
    .generate_keys = legacy_generate_keys,
    .describe = legacy_describe,
};

static bool is_none(const char *s) {
	return !strcasecmp(s, "none");
}

static const EVP_CIPHER *cipher_by_name(const char *name) {
	char lower[64];
	size_t i;

	const EVP_CIPHER *c = EVP_get_cipherbyname(name);
	if (c)
		return c;
	for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	return EVP_get_cipherbyname(lower);
}

/* Read Cipher, Digest, MACLength, ReplayWindow and KeyExpire from the
 * server configuration and derive the meta cipher we announce. */
int legacy_load_settings(void) {
	const char *v = lg.host->conf_get(NULL, "Cipher", 0);

	lg.cipher = NULL;
	if (!v)
		v = "aes-256-cbc";
	if (!is_none(v)) {
		lg.cipher = cipher_by_name(v);
		if (!lg.cipher) {
			LOG(PX_LOG_ALWAYS, "Unrecognized cipher type %s", v);
			return -1;
		}
		if (EVP_CIPHER_get_block_size(lg.cipher) > LEGACY_MAX_BLOCK ||
		    EVP_CIPHER_get_flags(lg.cipher) & EVP_CIPH_FLAG_AEAD_CIPHER ||
		    EVP_CIPHER_get_key_length(lg.cipher) + EVP_CIPHER_get_iv_length(lg.cipher) >
		        LEGACY_MAX_KEY) {
			LOG(PX_LOG_ALWAYS, "Cipher %s cannot be used for legacy packets", v);
			return -1;
		}
	}

	v = lg.host->conf_get(NULL, "Digest", 0);
	lg.digest = NULL;
	if (!v)
		v = "sha256";
	if (!is_none(v)) {
		lg.digest = EVP_get_digestbyname(v);
		if (!lg.digest || EVP_MD_get_size(lg.digest) > LEGACY_MAX_MAC) {
			LOG(PX_LOG_ALWAYS, "Unrecognized or unsuitable digest type %s", v);
			return -1;
		}
	}

	lg.maclen = lg.host->conf_int(NULL, "MACLength", 4);
	if (lg.maclen < 0 || (lg.digest && lg.maclen > EVP_MD_get_size(lg.digest))) {
		LOG(PX_LOG_ALWAYS, "MACLength %d is out of range for the digest", lg.maclen);
		return -1;
	}
	if (!lg.digest)
		lg.maclen = 0;

	lg.replaywin = lg.host->conf_int(NULL, "ReplayWindow", 16);
	if (lg.replaywin < 0 || lg.replaywin > 1 << 20) {
		LOG(PX_LOG_ALWAYS, "ReplayWindow %d is out of range", lg.replaywin);
		return -1;
	}

	v = lg.host->conf_get(NULL, "LegacyECDH", 0);
	int mode = v ? legacy_parse_ecdh_mode(v) : ECDH_ON;
	if (mode < 0) {
		LOG(PX_LOG_ALWAYS, "LegacyECDH must be no, yes or required, not %s", v);
		return -1;
	}
	lg.ecdh_mode = (enum legacy_ecdh_mode)mode;

	lg.keyexpire_s = lg.host->conf_int(NULL, "KeyExpire", 3600);
	if (lg.keyexpire_s <= 0 || lg.keyexpire_s > 2000000) {
		LOG(PX_LOG_ALWAYS, "KeyExpire %d is out of range", lg.keyexpire_s);
		return -1;
	}

	/* tinc 1.0.36: AES-CFB sized like the packet cipher's key. */
	int keylen = lg.cipher ? EVP_CIPHER_get_key_length(lg.cipher) : 0;
	lg.meta_cipher = keylen <= 16   ? EVP_aes_128_cfb128()
	                 : keylen <= 24 ? EVP_aes_192_cfb128()
	                                : EVP_aes_256_cfb128();
	return 0;
}

int legacy_parse_ecdh_mode(const char *v) {
	if (!strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcasecmp(v, "false"))
		return ECDH_OFF;
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcasecmp(v, "true"))
		return ECDH_ON;
	if (!strcasecmp(v, "required"))
		return ECDH_REQUIRED;
	return -1;
}

/* The core asks this both for meta connections and for the data channel of
 * any node. Legacy UDP keys need no RSA key of the peer (tinc 1.0 nodes
 * only have host files for the nodes they connect to), so only our own
 * private key is required; a meta connection to a peer without a public
 * key fails in meta_start() with its own clear log line. */
bool legacy_usable(px_plugin *self, px_node *peer) {
	return lg.privkey != NULL && peer != NULL;
}

static int legacy_init(px_plugin *self, const struct px_host *host) {
	if (!host || host->abi_major != PX_ABI_MAJOR || host->size < sizeof(struct px_host))
		return -1;
	memset(&lg, 0, sizeof(lg));
	lg.host = host;
	lg.self = self;

	if (!OSSL_PROVIDER_available(NULL, "legacy"))
		legacy_provider = OSSL_PROVIDER_try_load(NULL, "legacy", 1);

	if (legacy_load_settings())
		return -1;
	lg.privkey = legacy_load_private_key();
	return host->register_crypto(self, &legacy_ops);
}

static int legacy_start(px_plugin *self) {
	lg.expire_timer = lg.host->timer_new(legacy_expire_keys, NULL);
	if (!lg.expire_timer)
		return -1;
	lg.host->timer_arm(lg.expire_timer, (uint32_t)lg.keyexpire_s * 1000u);
	return 0;
}

static void legacy_stop(px_plugin *self) {
	if (lg.expire_timer)
		lg.host->timer_free(lg.expire_timer);
	lg.expire_timer = NULL;
}

static void legacy_fini(px_plugin *self) {
	legacy_stop(self);
	legacy_nodes_free_all();
	EVP_PKEY_free(lg.privkey);
	lg.privkey = NULL;
	EVP_MAC_free(lg.hmac);
	lg.hmac = NULL;
	if (legacy_provider)
		OSSL_PROVIDER_unload(legacy_provider);
	legacy_provider = NULL;
}

PX_PLUGIN_DEFINE(crypto_legacy, .name = "crypto-legacy", .version = "0.1.0",
                 .description = "tinc 1.0 legacy protocol: RSA meta authentication, UDP packet keys",
                 .license = "GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception", .init = legacy_init,
                 .start = legacy_start, .stop = legacy_stop, .fini = legacy_fini);
