/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Ed25519 key handling shared by the CLI's sign/verify, key generation and
 * fsck. The file formats are those of plugins/crypto-sptps/keys.c, which
 * is linked into the CLI.
 */
#ifndef PX_CLI_KEYS_H
#define PX_CLI_KEYS_H

#include <stdbool.h>

#include "keys.h"

/* Comment out (with '#') old keys of `what` ("Ed25519" or "RSA") in a file:
 * PEM blocks of that type and, for Ed25519, Ed25519PublicKey lines.
 * Returns 1 if something was disabled, 0 if nothing, -1 on error. */
int cli_disable_old_keys(const char *path, const char *what);
/* Our Ed25519 private key (Ed25519PrivateKeyFile or ed25519_key.priv).
 * *path_out (if given) gets the file name, to free. */
bool cli_load_ed25519_private(struct sptps_key *k, char **path_out, bool verbose);
/* A node's Ed25519 public key from its host file: the Ed25519PublicKey
 * line, else an ED25519 PUBLIC KEY block. 0 found, -1 none, -2 unreadable. */
int cli_load_ed25519_public(const char *node, struct sptps_key *k);
/* Append our public key line to hosts/NAME after disabling old ones. */
int cli_write_ed25519_public(const char *name, const struct sptps_key *k);

#endif
