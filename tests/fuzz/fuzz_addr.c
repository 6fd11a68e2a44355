/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Fuzz target for the subnet and address string parsers (core/subnet.c,
 * core/netutl.c), the strings that arrive in ADD_SUBNET, ADD_EDGE and host
 * files. The input is split at its first NUL or space into a string and a
 * port. Checks the round trips the protocol relies on: a parsed subnet
 * formats (both syntaxes) into a string that parses to the same subnet, and a
 * parsed address formats into a host/port that parses to the same address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "netutl.h"
#include "subnet.h"

static void check_subnet(const char *str) {
	struct subnet s, again;
	char buf[SUBNET_MAXSTR + 64];

	memset(&s, 0, sizeof(s));
	if (!subnet_parse(str, &s))
		return;
	subnet_hostbits_clear(&s);
	subnet_format(&s, buf, sizeof(buf));
	memset(&again, 0, sizeof(again));
	if (!subnet_parse(buf, &again) || !subnet_equal(&s, &again)) {
		fprintf(stderr, "subnet '%s' formats as '%s', which does not parse back\n", str, buf);
		abort();
	}
	subnet_format_compact(&s, buf, sizeof(buf));
	memset(&again, 0, sizeof(again));
	if (!subnet_parse(buf, &again) || !subnet_equal(&s, &again)) {
		fprintf(stderr, "subnet '%s' formats (compact) as '%s', which does not parse back\n", str,
		        buf);
		abort();
	}
}

static void check_addr(const char *host, const char *port) {
	struct px_addr a, again;
	char h[128], p[16];

	memset(&a, 0, sizeof(a));
	if (addr_parse(host, port, &a) < 0)
		return;
	addr_str(&a);
	addr_hash(&a);
	addr_format(&a, h, sizeof(h), p, sizeof(p));
	memset(&again, 0, sizeof(again));
	if (addr_parse(h, p, &again) < 0 || !addr_equal(&a, &again)) {
		fprintf(stderr, "address '%s' port '%s' formats as '%s' '%s', which does not parse back\n",
		        host, port, h, p);
		abort();
	}
	addr_unmap(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > 256)
		return 0; /* the protocol's strings are short; keep runs fast */
	char str[257], *port;
	memcpy(str, data, size);
	str[size] = 0;

	check_subnet(str);

	port = strchr(str, ' ');
	if (port)
		*port++ = 0;
	check_addr(str, port ? port : "655");

	uint8_t bin[128];
	hex2bin(str, bin, sizeof(bin));
	return 0;
}
