/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/* Intrusive doubly linked lists, in the style of the Linux kernel's. */
#ifndef PX_LIST_H
#define PX_LIST_H

#include <stddef.h>
#include <stdbool.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)                                                                                 \
	{ &(name), &(name) }
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static inline void list_init(struct list_head *h) {
	h->next = h->prev = h;
}
static inline bool list_empty(const struct list_head *h) {
	return h->next == h;
}
static inline void list_insert_(struct list_head *n, struct list_head *prev, struct list_head *next) {
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add_tail(struct list_head *n, struct list_head *h) {
	list_insert_(n, h->prev, h);
}
static inline void list_add(struct list_head *n, struct list_head *h) {
	list_insert_(n, h, h->next);
}
static inline void list_del(struct list_head *n) {
	n->next->prev = n->prev;
	n->prev->next = n->next;
	n->next = n->prev = n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_entry(pos, head, member)                                                               \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head);               \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
/* Safe against removal of `pos` inside the loop body. */
#define list_for_each_entry_safe(pos, tmp, head, member)                                                     \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),                                       \
	    tmp = list_entry(pos->member.next, __typeof__(*pos), member);                                    \
	     &pos->member != (head);                                                                         \
	     pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*tmp), member))

#endif
