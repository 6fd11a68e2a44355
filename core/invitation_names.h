/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * The names an invitation is known by (docs/invitations.md): the key hash
 * in the URL, the cookie, and the invitation file name derived from both.
 * Shared by plexusd (accepting), `plexus invite` and `plexus join`.
 */
#ifndef PX_INVITATION_NAMES_H
#define PX_INVITATION_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INVITATION_COOKIE_LEN     18     /* raw bytes */
#define INVITATION_HASH_LEN       18     /* raw bytes of SHA-512 kept */
#define INVITATION_B64_LEN        24     /* url-safe tinc base64 of 18 bytes */
#define INVITATION_DEFAULT_EXPIRE 604800 /* one week, in seconds */

/* URL-safe base64 of the first 18 bytes of SHA-512 over the invitation
 * key's 43-character public key text. */
void invitation_key_hash(const char *pubkey_b64, char out[INVITATION_B64_LEN + 1]);
/* Raw form of the same hash (what a joiner compares with the URL). */
void invitation_key_hash_raw(const char *pubkey_b64, uint8_t out[INVITATION_HASH_LEN]);
/* File name under invitations/: URL-safe base64 of the first 18 bytes of
 * SHA-512(cookie || public key text), so the file does not reveal the
 * cookie. */
void invitation_file_name(const uint8_t cookie[INVITATION_COOKIE_LEN], const char *pubkey_b64,
                          char out[INVITATION_B64_LEN + 1]);

/* Split an invitation URL "host[:port]/HASHCOOKIE" ("[v6]:port" too) into
 * its parts; host and port are newly allocated (port "655" if absent).
 * false if it is not of that form. */
bool invitation_parse_url(const char *url, char **host, char **port, uint8_t hash[INVITATION_HASH_LEN],
                          uint8_t cookie[INVITATION_COOKIE_LEN]);

#endif
