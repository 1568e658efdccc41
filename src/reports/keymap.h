/*
 * keymap — the statistics' rows by key: a hash map from a byte string (a
 * method and path, a DNS name, a call's connection and id) to a slot of
 * fixed size the report defines, with at most `max` entries so that an
 * endless live capture with ever new keys holds bounded memory (a report
 * folds what does not fit into a row of its own and says so).
 *
 * Slots are zeroed when made and stay where they are until deleted;
 * entries are numbered 0..ns_keymap_size()-1 for iteration, skipping
 * deleted ones (ns_keymap_slot() gives NULL for those).
 */
#ifndef NS_KEYMAP_H
#define NS_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

struct ns_keymap {
	size_t slot_size;
	uint32_t max;		 /* most live entries */
	uint32_t live;		 /* live entries */
	uint32_t n, cap;	 /* entries made (live or deleted), room */
	uint32_t nb;		 /* buckets, a power of two */
	uint32_t *bucket, *next; /* chains of entry index + 1 */
	uint32_t free_head;	 /* deleted entries to reuse, index + 1 */
	char **key;
	uint32_t *klen;
	uint8_t *slots;
};

void ns_keymap_init(struct ns_keymap *m, size_t slot_size, uint32_t max);
/* The slot of key; when absent, a new zeroed one if `add` (*made set to
 * 1), else NULL; NULL too when full or out of memory. */
void *ns_keymap_get(struct ns_keymap *m, const void *key, size_t klen, int add,
		    int *made);
void ns_keymap_del(struct ns_keymap *m, const void *key, size_t klen);
static inline uint32_t ns_keymap_size(const struct ns_keymap *m)
{
	return m->n;
}
/* Entry i's slot and key (NUL-terminated), or NULL when deleted. */
void *ns_keymap_slot(const struct ns_keymap *m, uint32_t i);
const char *ns_keymap_key(const struct ns_keymap *m, uint32_t i);
/* The live entries' numbers sorted by cmp (given the map as its third
 * argument), *n of them; NULL when out of memory (free() the result). */
uint32_t *ns_keymap_sorted(struct ns_keymap *m, uint32_t *n,
			   int (*cmp)(const void *, const void *, void *));
/* A cmp for ns_keymap_sorted(): by key, as strcmp. */
int ns_keymap_by_key(const void *a, const void *b, void *m);
/* Frees everything; fn (or NULL) frees what each live slot holds. */
void ns_keymap_free(struct ns_keymap *m, void (*fn)(void *slot));

#endif
