/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * Serving invitations (docs/invitations.md): a connection whose ID names
 * "?<joiner's throw-away key>" is answered with our ID and the invitation
 * key, then runs an SPTPS stream session in which the joiner presents its
 * cookie, receives the invitation file and sends its new public key.
 */
#ifndef PX_INVITATION_H
#define PX_INVITATION_H

#include "connection.h"

/* Take over connection c after the ID line "0 ?KEY ..." (key_b64 = KEY).
 * Returns -1 (after logging why) to close the connection. */
int invitation_start(conn_t *c, const char *key_b64);

#endif
