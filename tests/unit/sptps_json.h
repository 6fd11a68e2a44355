/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * A tiny JSON reader for the SPTPS known-answer tests: parses a whole
 * document into a tree (objects keep key order), nothing more.
 */
#ifndef PX_TEST_SPTPS_JSON_H
#define PX_TEST_SPTPS_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	bool boolean;
	double number;
	char *string; /* NUL-terminated; may contain NULs, see length */
	size_t length;
	size_t count; /* array/object members */
	struct json **items;
	char **keys; /* objects only */
};

/* Parse text (len bytes). Returns NULL on a syntax error. */
struct json *json_parse(const char *text, size_t len);
struct json *json_load_file(const char *path);
void json_free(struct json *j);

/* Member of an object, or NULL (also when j is not an object). */
const struct json *json_get(const struct json *j, const char *key);
const char *json_get_string(const struct json *j, const char *key); /* NULL if absent */
long json_get_int(const struct json *j, const char *key, long dflt);
bool json_get_bool(const struct json *j, const char *key, bool dflt);

#endif
