/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Minimal recursive-descent JSON parser for test vectors (see sptps_json.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sptps_json.h"

struct parser {
	const char *p, *end;
	int depth;
};

static struct json *parse_value(struct parser *ps);

static void skip_ws(struct parser *ps) {
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
		ps->p++;
	}
}

static bool literal(struct parser *ps, const char *word) {
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n)) {
		return false;
	}

	ps->p += n;
	return true;
}

static int hexval(char c) {
	if (c >= '0' && c <= '9') {
		return c - '0';
	}

	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}

	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}

	return -1;
}

/* Append code point cp as UTF-8. */
static size_t put_utf8(char *out, unsigned cp) {
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}

	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}

	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

static char *parse_string(struct parser *ps, size_t *lenp) {
	if (ps->p >= ps->end || *ps->p != '"') {
		return NULL;
	}

	ps->p++;
	const char *start = ps->p;

	while (ps->p < ps->end && *ps->p != '"') {
		ps->p += *ps->p == '\\' ? 2 : 1;
	}

	if (ps->p >= ps->end) {
		return NULL;
	}

	char *out = malloc((size_t)(ps->p - start) + 1);
	size_t n = 0;

	for (const char *q = start; q < ps->p; q++) {
		if (*q != '\\') {
			out[n++] = *q;
			continue;
		}

		q++;

		switch (*q) {
		case 'n':
			out[n++] = '\n';
			break;

		case 't':
			out[n++] = '\t';
			break;

		case 'r':
			out[n++] = '\r';
			break;

		case 'b':
			out[n++] = '\b';
			break;

		case 'f':
			out[n++] = '\f';
			break;

		case 'u': {
			unsigned cp = 0;

			for (int i = 1; i <= 4; i++) {
				int v = q + i < ps->p ? hexval(q[i]) : -1;

				if (v < 0) {
					free(out);
					return NULL;
				}

				cp = cp << 4 | (unsigned)v;
			}

			q += 4;
			n += put_utf8(out + n, cp);
			break;
		}

		default:
			out[n++] = *q;
		}
	}

	ps->p++;
	out[n] = 0;
	*lenp = n;
	return out;
}

static bool add_item(struct json *j, struct json *item, char *key) {
	struct json **items = realloc(j->items, (j->count + 1) * sizeof(*items));

	if (!items) {
		return false;
	}

	j->items = items;

	if (j->type == JSON_OBJECT) {
		char **keys = realloc(j->keys, (j->count + 1) * sizeof(*keys));

		if (!keys) {
			return false;
		}

		j->keys = keys;
		j->keys[j->count] = key;
	}

	j->items[j->count++] = item;
	return true;
}

static struct json *parse_container(struct parser *ps, enum json_type type) {
	char close = type == JSON_OBJECT ? '}' : ']';
	struct json *j = calloc(1, sizeof(*j));
	j->type = type;
	ps->p++;
	skip_ws(ps);

	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return j;
	}

	for (;;) {
		char *key = NULL;

		skip_ws(ps);

		if (type == JSON_OBJECT) {
			size_t klen;
			key = parse_string(ps, &klen);
			skip_ws(ps);

			if (!key || ps->p >= ps->end || *ps->p != ':') {
				free(key);
				goto fail;
			}

			ps->p++;
		}

		struct json *item = parse_value(ps);

		if (!item || !add_item(j, item, key)) {
			free(key);
			json_free(item);
			goto fail;
		}

		skip_ws(ps);

		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}

		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return j;
		}

		goto fail;
	}

fail:
	json_free(j);
	return NULL;
}

static struct json *parse_value(struct parser *ps) {
	struct json *j = NULL;

	skip_ws(ps);

	if (ps->p >= ps->end || ++ps->depth > 64) {
		return NULL;
	}

	char c = *ps->p;

	if (c == '{') {
		j = parse_container(ps, JSON_OBJECT);
	} else if (c == '[') {
		j = parse_container(ps, JSON_ARRAY);
	} else if (c == '"') {
		j = calloc(1, sizeof(*j));
		j->type = JSON_STRING;
		j->string = parse_string(ps, &j->length);

		if (!j->string) {
			free(j);
			j = NULL;
		}
	} else if (literal(ps, "true") || literal(ps, "false")) {
		j = calloc(1, sizeof(*j));
		j->type = JSON_BOOL;
		j->boolean = ps->p[-1] == 'e' && ps->p[-2] == 'u';
	} else if (literal(ps, "null")) {
		j = calloc(1, sizeof(*j));
	} else {
		char *endp;
		double v = strtod(ps->p, &endp);

		if (endp != ps->p && endp <= ps->end) {
			ps->p = endp;
			j = calloc(1, sizeof(*j));
			j->type = JSON_NUMBER;
			j->number = v;
		}
	}

	ps->depth--;
	return j;
}

struct json *json_parse(const char *text, size_t len) {
	struct parser ps = {text, text + len, 0};
	struct json *j = parse_value(&ps);

	skip_ws(&ps);

	if (j && ps.p != ps.end) {
		json_free(j);
		return NULL;
	}

	return j;
}

struct json *json_load_file(const char *path) {
	FILE *f = fopen(path, "rb");

	if (!f) {
		return NULL;
	}

	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = malloc((size_t)size + 1);
	size_t got = fread(text, 1, (size_t)size, f);
	fclose(f);
	text[got] = 0; /* strtod must stop at the end */
	struct json *j = json_parse(text, got);
	free(text);
	return j;
}

void json_free(struct json *j) {
	if (!j) {
		return;
	}

	for (size_t i = 0; i < j->count; i++) {
		json_free(j->items[i]);

		if (j->keys) {
			free(j->keys[i]);
		}
	}

	free(j->items);
	free(j->keys);
	free(j->string);
	free(j);
}

const struct json *json_get(const struct json *j, const char *key) {
	if (!j || j->type != JSON_OBJECT) {
		return NULL;
	}

	for (size_t i = 0; i < j->count; i++) {
		if (!strcmp(j->keys[i], key)) {
			return j->items[i];
		}
	}

	return NULL;
}

const char *json_get_string(const struct json *j, const char *key) {
	const struct json *v = json_get(j, key);
	return v && v->type == JSON_STRING ? v->string : NULL;
}

long json_get_int(const struct json *j, const char *key, long dflt) {
	const struct json *v = json_get(j, key);
	return v && v->type == JSON_NUMBER ? (long)v->number : dflt;
}

bool json_get_bool(const struct json *j, const char *key, bool dflt) {
	const struct json *v = json_get(j, key);
	return v && v->type == JSON_BOOL ? v->boolean : dflt;
}
