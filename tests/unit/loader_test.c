/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The loader's rules without loading anything: descriptor validation and the
 * registries behind the host table's register_* entries (which ids a plugin
 * may claim, conflicts, the provides summary, crypto selection by minor, the
 * operations a crypto protocol or transport must have).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "logger.h"
#include "loader_host.h"
#include "plugin_loader.h"

#define STR_(x)           #x
#define STR(x)            STR_(x)
#define CORE_ABI          STR(PX_ABI_MAJOR) "." STR(PX_ABI_MINOR)
#define PX_ABI_MINOR_NEXT 4 /* PX_ABI_MINOR + 1, spelled out for STR() */

static char last[1024];

static void tap_write(struct log_tap *tap, int level, const char *msg, size_t len) {
	if (len >= sizeof(last)) {
		len = sizeof(last) - 1;
	}
	memcpy(last, msg, len);
	last[len] = 0;
}

static struct log_tap tap = {.level = 10, .write = tap_write};

static int init_ok(px_plugin *self, const struct px_host *host) {
	return 0;
}

static int handle_nothing(px_plugin *self, px_conn *from, const char *line) {
	return 0;
}

_Static_assert(PX_ABI_MINOR_NEXT == PX_ABI_MINOR + 1, "update PX_ABI_MINOR_NEXT");

static struct px_plugin_desc good_desc(void) {
	struct px_plugin_desc d = {
	    .size = sizeof(d),
	    .abi_major = PX_ABI_MAJOR,
	    .abi_minor = PX_ABI_MINOR,
	    .name = "transport-udp",
	    .init = init_ok,
	};
	return d;
}

static void test_desc_check(void) {
	char err[512];
	struct px_plugin_desc d = good_desc();

	CHECK(plugin_desc_check(&d, "/lib/plexus/transport-udp.so", err, sizeof(err)) == 0);
	CHECK(plugin_desc_check(&d, "/lib/plexus/transport-udp.la", err, sizeof(err)) == 0);
	CHECK(plugin_desc_check(&d, NULL, err, sizeof(err)) == 0);

	CHECK(plugin_desc_check(NULL, "/x/foo.so", err, sizeof(err)) == -1);
	CHECK(strstr(err, "/x/foo.so") && strstr(err, "not loaded"));

	d.abi_major = 2;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == -1);
	CHECK_STR(err, "Plugin `transport-udp' (/p/transport-udp.so) was built for plugin ABI 2." STR(
	                   PX_ABI_MINOR) ", this plexusd provides " CORE_ABI ": not loaded");

	d = good_desc();
	d.abi_major = 0;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == -1);

	/* ABI minor policy: a plugin built against a newer minor is refused
	 * unless it declares (min_abi_minor) that it runs on this one. */
	d = good_desc();
	d.abi_minor = PX_ABI_MINOR + 1;
	d.min_abi_minor = PX_ABI_MINOR + 1;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == -1);
	CHECK(strstr(err, "needs a newer plexusd (ABI " STR(PX_ABI_MAJOR) "." STR(
	                      PX_ABI_MINOR_NEXT) " or later)") != NULL);
	d.min_abi_minor = PX_ABI_MINOR;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == 0);
	d.min_abi_minor = 0;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == 0);
	/* A descriptor without the field (ABI < 1.2): its abi_minor counts. */
	d.size = offsetof(struct px_plugin_desc, min_abi_minor);
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == -1);
	d.abi_minor = 1;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == 0);
	/* Older minors always load; min_abi_minor above abi_minor is ignored. */
	d = good_desc();
	d.abi_minor = 0;
	d.min_abi_minor = PX_ABI_MINOR + 5;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == 0);
	CHECK(plugin_desc_min_minor(&d) == 0);

	d = good_desc();
	d.size = 4;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == -1);
	d.size = offsetof(struct px_plugin_desc, init);
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == -1);
	CHECK(strstr(err, "bytes") && strstr(err, CORE_ABI));

	d = good_desc();
	d.name = NULL;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == -1);
	CHECK(strstr(err, "has no name") != NULL);

	d = good_desc();
	d.init = NULL;
	CHECK(plugin_desc_check(&d, "/p/transport-udp.so", err, sizeof(err)) == -1);
	CHECK(strstr(err, "has no init function") != NULL);

	d = good_desc();
	CHECK(plugin_desc_check(&d, "/p/transport-tcp.so", err, sizeof(err)) == -1);
	CHECK(strstr(err, "does not match its file name `transport-tcp'") != NULL);
}

static struct px_request_ops request(int id, const char *name) {
	struct px_request_ops r = {.size = sizeof(r), .id = id, .name = name, .handle = handle_nothing};
	return r;
}

static void test_request_ids(void) {
	const struct px_host *h = loader_test_host();
	struct px_plugin a = {.index = 0, .name = "a"}, b = {.index = 1, .name = "b"};
	static struct px_request_ops ops[16];
	int n = 0;

	static const int allowed[] = {18, 23, 100, 149, 200, 254};
	for (size_t i = 0; i < sizeof(allowed) / sizeof(*allowed); i++) {
		ops[n] = request(allowed[i], "OK");
		ops[n].flags = PX_REQ_IS_BROADCAST(allowed[i]) ? PX_REQF_BROADCAST : 0;
		CHECK(h->register_request(&a, &ops[n]) == 0);
		CHECK(request_for_id(allowed[i]) && request_for_id(allowed[i])->plugin == &a);
		n++;
	}
	static const int refused[] = {-1, 0, 8, 17, 24, 99, 150, 199, 255, 256};
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		ops[n] = request(refused[i], "NO");
		CHECK(h->register_request(&a, &ops[n]) == -1);
		CHECK(request_for_id(refused[i]) == NULL);
	}

	ops[n] = request(200, "HELLO");
	CHECK(h->register_request(&b, &ops[n]) == -1);
	CHECK_STR(last, "Request id 200 claimed by both `a' and `b'");
	CHECK(request_for_id(200)->plugin == &a);

	struct px_request_ops noname = request(201, NULL);
	CHECK(h->register_request(&b, &noname) == -1);
	struct px_request_ops small = request(201, "SMALL");
	small.size = 8;
	CHECK(h->register_request(&b, &small) == -1);

	/* The number decides flooding; the core's copy follows it. */
	struct px_request_ops wrong = request(202, "WRONG");
	CHECK(h->register_request(&b, &wrong) == 0);
	CHECK(request_for_id(202)->ops->flags & PX_REQF_BROADCAST);

	CHECK(strncmp(a.provides, "request:OK(18) request:OK(23)", 29) == 0);
	CHECK_STR(b.provides, "request:WRONG(202)");

	plugins_unload();
	CHECK(request_for_id(18) == NULL && request_for_id(202) == NULL);
}

static int core_request(px_conn *c, const char *line) {
	return 0;
}

/* One request table: the core's handlers are entries like the plugins',
 * so a plugin cannot take the id of one (before, it registered and the
 * core's handler silently won), and unloading plugins leaves them. */
static void test_core_requests(void) {
	const struct px_host *h = loader_test_host();
	struct px_plugin a = {.index = 0, .name = "a"};
	CHECK(loader_register_core_request(PX_REQ_SPTPS_PACKET, "SPTPS_PACKET", core_request, true) == 0);
	CHECK(loader_register_core_request(PX_REQ_SPTPS_PACKET, "SPTPS_PACKET", core_request, true) == -1);
	CHECK(loader_register_core_request(PX_REQ_TINC_LAST + 1, "NO", core_request, true) == -1);
	const struct request_provider *rp = request_for_id(PX_REQ_SPTPS_PACKET);
	CHECK(rp && rp->plugin == NULL && rp->core_handle == core_request && rp->needs_graph);
	CHECK_STR(rp->ops->name, "SPTPS_PACKET");

	static struct px_request_ops ops;
	ops = request(PX_REQ_SPTPS_PACKET, "MINE");
	CHECK(h->register_request(&a, &ops) == -1);
	CHECK_STR(last, "Request id 21 claimed by both `the core' and `a'");
	CHECK(request_for_id(PX_REQ_SPTPS_PACKET)->core_handle == core_request);
	CHECK(strstr(a.provides, "MINE") == NULL);

	plugins_unload();
	CHECK(request_for_id(PX_REQ_SPTPS_PACKET) &&
	      request_for_id(PX_REQ_SPTPS_PACKET)->core_handle == core_request);
}

static unsigned seal_nothing(px_plugin *self, px_node *to, struct px_buf *bufs, unsigned n) {
	return n;
}

static int compress_copy(px_plugin *self, int level, const uint8_t *in, size_t inlen, uint8_t *out,
                         size_t outcap) {
	return -1;
}

static int dgram_open(px_plugin *self, const struct px_addr *bind, void **sock) {
	return -1;
}
static unsigned dgram_send(px_plugin *self, void *sock, struct px_buf *bufs, unsigned n) {
	return 0;
}
static void dgram_close(px_plugin *self, void *sock) {
}
static int stream_listen(px_plugin *self, const struct px_addr *bind, void **listener) {
	return -1;
}
static int stream_connect(px_plugin *self, px_conn *c, const struct px_addr *to, const struct px_addr *from,
                          void **stream) {
	return -1;
}
static ssize_t stream_write(px_plugin *self, void *stream, const void *data, size_t len) {
	return -1;
}

static int meta_start_nothing(px_plugin *self, px_conn *c, void **state) {
	return -1;
}
static void key_request_nothing(px_plugin *self, px_node *to) {
}
static bool key_valid_never(px_plugin *self, px_node *to) {
	return false;
}
static unsigned open_nothing(px_plugin *self, px_node *from, struct px_buf *bufs, unsigned n) {
	return 0;
}

/* A crypto protocol with every operation the core calls unconditionally. */
static struct px_crypto_ops complete_crypto(const char *name, uint8_t minor_min, uint8_t minor_max) {
	struct px_crypto_ops ops = {.size = sizeof(ops),
	                            .name = name,
	                            .minor_min = minor_min,
	                            .minor_max = minor_max,
	                            .meta_start = meta_start_nothing,
	                            .key_request = key_request_nothing,
	                            .key_valid = key_valid_never,
	                            .seal = seal_nothing,
	                            .open = open_nothing};
	return ops;
}

static void test_other_registries(void) {
	const struct px_host *h = loader_test_host();
	struct px_plugin a = {.index = 0, .name = "crypto-legacy"}, b = {.index = 1, .name = "crypto-sptps"};
	struct px_plugin z = {.index = 2, .name = "compress"}, y = {.index = 3, .name = "compress2"};

	static struct px_crypto_ops legacy, sptps, legacy2;
	legacy = complete_crypto("legacy", 0, 1);
	sptps = complete_crypto("sptps", 2, 7);
	legacy2 = complete_crypto("legacy", 0, 0);
	CHECK(h->register_crypto(&a, &legacy) == 0);
	CHECK(h->register_crypto(&b, &sptps) == 0);
	CHECK(h->register_crypto(&b, &legacy2) == -1);
	CHECK_STR(last, "Crypto protocol `legacy' claimed by both `crypto-legacy' and `crypto-sptps'");
	CHECK(crypto_provider_count() == 2);
	CHECK(crypto_provider_at(0) && crypto_provider_at(0)->plugin == &b); /* highest minor first */
	CHECK(crypto_for_minor(0) && crypto_for_minor(0)->plugin == &a);
	CHECK(crypto_for_minor(7) && crypto_for_minor(7)->plugin == &b);
	CHECK(crypto_for_minor(8) == NULL);
	CHECK(crypto_by_name("sptps") && crypto_by_name("sptps")->plugin == &b);
	CHECK(crypto_by_name("legacy")->ops->seal == seal_nothing); /* the core's copy keeps the functions */
	CHECK_STR(a.provides, "crypto:legacy");

	static const struct px_compress_ops zlib = {.size = sizeof(zlib),
	                                            .name = "zlib",
	                                            .level_min = 1,
	                                            .level_max = 9,
	                                            .compress = compress_copy,
	                                            .decompress = compress_copy};
	static const struct px_compress_ops lzo = {.size = sizeof(lzo),
	                                           .name = "lzo",
	                                           .level_min = 10,
	                                           .level_max = 11,
	                                           .compress = compress_copy,
	                                           .decompress = compress_copy};
	static const struct px_compress_ops overlap = {.size = sizeof(overlap),
	                                               .name = "zstd",
	                                               .level_min = 9,
	                                               .level_max = 12,
	                                               .compress = compress_copy,
	                                               .decompress = compress_copy};
	static const struct px_compress_ops none = {.size = sizeof(none),
	                                            .name = "none",
	                                            .level_min = 0,
	                                            .level_max = 0,
	                                            .compress = compress_copy,
	                                            .decompress = compress_copy};
	CHECK(h->register_compress(&z, &zlib) == 0);
	CHECK(h->register_compress(&z, &lzo) == 0);
	CHECK(h->register_compress(&y, &overlap) == -1);
	CHECK_STR(last, "Compression level 9 claimed by both `compress' and `compress2'");
	CHECK(h->register_compress(&y, &none) == -1);
	CHECK(compress_for_level(5) && compress_for_level(5)->ops->level_max == 9);
	CHECK(compress_for_level(11) && compress_for_level(11)->plugin == &z);
	CHECK(compress_for_level(12) == NULL);
	CHECK(compress_for_level(0) == NULL);
	CHECK_STR(z.provides, "compress:1-9 compress:10-11");

	static const struct px_dgram_ops udp = {
	    .size = sizeof(udp), .name = "udp", .open = dgram_open, .send = dgram_send, .close = dgram_close};
	CHECK(h->register_dgram(&a, &udp) == 0);
	CHECK(h->register_dgram(&b, &udp) == -1);
	CHECK_STR(last, "Datagram transport claimed by both `crypto-legacy' and `crypto-sptps'");
	CHECK(dgram_provider() && dgram_provider()->plugin == &a);
	CHECK(stream_provider() == NULL);
	CHECK_STR(a.provides, "crypto:legacy transport:udp");

	plugins_unload();
	CHECK(crypto_provider_count() == 0 && crypto_for_minor(0) == NULL);
	CHECK(compress_for_level(5) == NULL && dgram_provider() == NULL);
}

/* Each operation the core calls without a NULL check: a registration
 * without it is refused, naming the plugin and the operation. */
static void test_mandatory_ops(void) {
	const struct px_host *h = loader_test_host();
	struct px_plugin p = {.index = 0, .name = "crypto-partial"};
	static const char *const crypto_ops_needed[] = {"meta_start", "key_request", "key_valid", "seal",
	                                                "open"};
	for (size_t i = 0; i < sizeof(crypto_ops_needed) / sizeof(*crypto_ops_needed); i++) {
		static struct px_crypto_ops ops;
		ops = complete_crypto("partial", 0, 1);
		switch (i) {
		case 0:
			ops.meta_start = NULL;
			break;
		case 1:
			ops.key_request = NULL;
			break;
		case 2:
			ops.key_valid = NULL;
			break;
		case 3:
			ops.seal = NULL;
			break;
		case 4:
			ops.open = NULL;
			break;
		}
		CHECK(h->register_crypto(&p, &ops) == -1);
		char want[200];
		snprintf(want, sizeof(want),
		         "Plugin `crypto-partial': crypto protocol `partial' lacks the mandatory %s "
		         "operation: not registered",
		         crypto_ops_needed[i]);
		CHECK_STR(last, want);
		CHECK(crypto_provider_count() == 0 && crypto_by_name("partial") == NULL);
	}
	/* Optional operations may be missing. */
	static struct px_crypto_ops minimal;
	minimal = complete_crypto("partial", 0, 1);
	CHECK(h->register_crypto(&p, &minimal) == 0);
	plugins_unload();

	struct px_plugin t = {.index = 1, .name = "transport-partial"};
	static const struct px_dgram_ops no_send = {
	    .size = sizeof(no_send), .name = "udp", .open = dgram_open, .close = dgram_close};
	CHECK(h->register_dgram(&t, &no_send) == -1);
	CHECK_STR(last,
	          "Plugin `transport-partial': datagram transport `udp' lacks the mandatory send operation: "
	          "not registered");
	CHECK(dgram_provider() == NULL);

	static struct px_stream_ops no_unlisten = {.size = sizeof(no_unlisten), .name = "tcp"};
	no_unlisten.listen = stream_listen;
	no_unlisten.connect = stream_connect;
	no_unlisten.write = stream_write;
	no_unlisten.close = dgram_close;
	CHECK(h->register_stream(&t, &no_unlisten) == -1);
	CHECK_STR(
	    last,
	    "Plugin `transport-partial': stream transport `tcp' lacks the mandatory unlisten operation: "
	    "not registered");
	CHECK(stream_provider() == NULL);
	no_unlisten.unlisten = dgram_close;
	CHECK(h->register_stream(&t, &no_unlisten) == 0);
	plugins_unload();
}

int main(void) {
	plugins_set_host(loader_test_host());
	conf_init(&server_conf);
	logger_tap_add(&tap);

	test_desc_check();
	test_request_ids();
	test_core_requests();
	test_other_registries();
	test_mandatory_ops();

	logger_tap_remove(&tap);
	conf_free(&server_conf);
	return check_done("loader_test");
}
