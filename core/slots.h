/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* The one mechanism for per-plugin state on nodes and connections: a
 * growable array of pointers, one per plugin index. */
#ifndef PX_SLOTS_H
#define PX_SLOTS_H

/* The slot for plugin `index` in *slots (NULL: none yet), grown as needed;
 * NULL for a negative index. */
void **slots_get(void ***slots, int index);
/* Free an array slots_get() made (NULL is fine). */
void slots_free(void **slots);

#endif
