/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* BroadcastSubnet: ownerless entries in the subnet table. */
#ifndef PX_BROADCAST_SUBNETS_H
#define PX_BROADCAST_SUBNETS_H

/* Replace the broadcast subnets in the table by the BroadcastSubnet lines
 * of server_conf (start-up and reload). A bad one is logged and skipped. */
void broadcast_subnets_read(void);
/* Remove them all (shut-down). */
void broadcast_subnets_free(void);

#endif
