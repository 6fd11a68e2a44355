/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Per-plugin private pointers on nodes and connections (see slots.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slots.h"
#include "xalloc.h"

/*
 * *slots is an array of plugin pointers (indexed by the plugin's index)
 * whose capacity is kept in a hidden word just before it, so that a node or a
 * connection needs one pointer for it. Grown on demand.
 */
void **slots_get(void ***slots, int index) {
	if (index < 0) {
		return NULL;
	}

	size_t cap = (*slots) ? (size_t)(uintptr_t)(*slots)[-1] : 0;

	if ((size_t)index >= cap) {
		size_t newcap = cap ? cap : 4;

		while (newcap <= (size_t)index) {
			newcap *= 2;
		}

		void **base = (*slots) ? (*slots) - 1 : NULL;
		void **grown = xrealloc(base, (newcap + 1) * sizeof(*grown));

		memset(grown + 1 + cap, 0, (newcap - cap) * sizeof(*grown));
		grown[0] = (void *)(uintptr_t)newcap;
		(*slots) = grown + 1;
	}

	return &(*slots)[index];
}

void slots_free(void **slots) {
	if (slots)
		free(slots - 1);
}
