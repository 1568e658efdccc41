/*
 * keymap — see keymap.h.  Chained hashing (FNV-1a) over entry indexes;
 * the bucket array doubles when the entries outnumber it.
 */
#include "reports/keymap.h"

#include <stdlib.h>
#include <string.h>

void ns_keymap_init(struct ns_keymap *m, size_t slot_size, uint32_t max)
{
	memset(m, 0, sizeof(*m));
	m->slot_size = slot_size;
	m->max = max;
}

static uint32_t hash(const void *key, size_t n)
{
	const uint8_t *p = key;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int rehash(struct ns_keymap *m, uint32_t nb)
{
	uint32_t *b = calloc(nb, sizeof(*b));
	if (!b)
		return -1;
	for (uint32_t i = 0; i < m->n; i++) {
		if (!m->key[i])
			continue;
		uint32_t h = hash(m->key[i], m->klen[i]) & (nb - 1);
		m->next[i] = b[h];
		b[h] = i + 1;
	}
	free(m->bucket);
	m->bucket = b;
	m->nb = nb;
	return 0;
}

static int grow(struct ns_keymap *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : 64;
	char **k = realloc(m->key, cap * sizeof(*k));
	if (k)
		m->key = k;
	uint32_t *l = realloc(m->klen, cap * sizeof(*l));
	if (l)
		m->klen = l;
	uint32_t *nx = realloc(m->next, cap * sizeof(*nx));
	if (nx)
		m->next = nx;
	uint8_t *s = realloc(m->slots, cap * m->slot_size);
	if (s)
		m->slots = s;
	if (!k || !l || !nx || !s)
		return -1;
	m->cap = cap;
	return 0;
}

/* A new entry's index: a deleted one reused, or the next. */
static int64_t new_entry(struct ns_keymap *m)
{
	if (m->free_head) {
		uint32_t i = m->free_head - 1;
		m->free_head = m->next[i];
		return i;
	}
	if (m->n == m->cap && grow(m) < 0)
		return -1;
	return m->n++;
}

void *ns_keymap_get(struct ns_keymap *m, const void *key, size_t klen, int add,
		    int *made)
{
	if (made)
		*made = 0;
	uint32_t h = hash(key, klen);
	if (m->nb) {
		for (uint32_t e = m->bucket[h & (m->nb - 1)]; e;
		     e = m->next[e - 1])
			if (m->klen[e - 1] == klen &&
			    memcmp(m->key[e - 1], key, klen) == 0)
				return m->slots +
				       (size_t)(e - 1) * m->slot_size;
	}
	if (!add || m->live >= m->max)
		return NULL;
	if (m->live + 1 > m->nb && rehash(m, m->nb ? m->nb * 2 : 64) < 0)
		return NULL;
	char *k = malloc(klen + 1);
	if (!k)
		return NULL;
	int64_t i = new_entry(m);
	if (i < 0) {
		free(k);
		return NULL;
	}
	memcpy(k, key, klen);
	k[klen] = 0;
	m->key[i] = k;
	m->klen[i] = (uint32_t)klen;
	uint32_t b = h & (m->nb - 1);
	m->next[i] = m->bucket[b];
	m->bucket[b] = (uint32_t)i + 1;
	m->live++;
	void *slot = m->slots + (size_t)i * m->slot_size;
	memset(slot, 0, m->slot_size);
	if (made)
		*made = 1;
	return slot;
}

void ns_keymap_del(struct ns_keymap *m, const void *key, size_t klen)
{
	if (!m->nb)
		return;
	uint32_t *link = &m->bucket[hash(key, klen) & (m->nb - 1)];
	while (*link) {
		uint32_t i = *link - 1;
		if (m->klen[i] == klen && memcmp(m->key[i], key, klen) == 0) {
			*link = m->next[i];
			free(m->key[i]);
			m->key[i] = NULL;
			m->next[i] = m->free_head;
			m->free_head = i + 1;
			m->live--;
			return;
		}
		link = &m->next[i];
	}
}

void *ns_keymap_slot(const struct ns_keymap *m, uint32_t i)
{
	return i < m->n && m->key[i] ? m->slots + (size_t)i * m->slot_size
				     : NULL;
}

const char *ns_keymap_key(const struct ns_keymap *m, uint32_t i)
{
	return i < m->n ? m->key[i] : NULL;
}

uint32_t *ns_keymap_sorted(struct ns_keymap *m, uint32_t *n,
			   int (*cmp)(const void *, const void *, void *))
{
	uint32_t *ix = calloc(m->n + 1, sizeof(*ix));
	*n = 0;
	if (!ix)
		return NULL;
	for (uint32_t i = 0; i < m->n; i++)
		if (m->key[i])
			ix[(*n)++] = i;
	qsort_r(ix, *n, sizeof(*ix), cmp, m);
	return ix;
}

int ns_keymap_by_key(const void *a, const void *b, void *m)
{
	return strcmp(ns_keymap_key(m, *(const uint32_t *)a),
		      ns_keymap_key(m, *(const uint32_t *)b));
}

void ns_keymap_free(struct ns_keymap *m, void (*fn)(void *slot))
{
	for (uint32_t i = 0; i < m->n; i++) {
		if (m->key[i] && fn)
			fn(m->slots + (size_t)i * m->slot_size);
		free(m->key[i]);
	}
	free(m->key);
	free(m->klen);
	free(m->next);
	free(m->slots);
	free(m->bucket);
	ns_keymap_init(m, m->slot_size, m->max);
}
