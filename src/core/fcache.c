/*
 * fcache — see fcache.h.  An entry is one block from the budget: the
 * header, its values, then the key's bytes and the bytes values.
 */
#include "core/fcache.h"

#include <string.h>

#include "core/mem.h"
#include "core/packet.h"

struct fc_val {
	const struct ns_field *f;
	uint64_t u;	  /* a number (v.u or v.i), or the offset of the
			     bytes value in the entry's bytes */
	uint32_t n;	  /* length of a bytes value */
	uint8_t depth;	  /* below the depth the parse began at */
	uint8_t hidden;	  /* as recorded */
	uint8_t is_bytes; /* v.b, else v.u */
};

struct ns_fcache_entry {
	uint64_t hash, used;
	size_t key_len;
	uint32_t nval;
	struct fc_val *val;
	uint8_t *key;	/* key_len bytes, then the bytes values */
	uint8_t data[]; /* the values, then the bytes */
};

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static int has_bytes(const struct ns_field *f)
{
	return f->type >= NS_FT_ETHER && f->type <= NS_FT_BYTES;
}

void ns_fcache_init(struct ns_fcache *c, struct ns_mem *mem, unsigned max,
		    size_t max_key)
{
	memset(c, 0, sizeof(*c));
	c->mem = mem;
	c->max = max < NS_FCACHE_MAX ? max : NS_FCACHE_MAX;
	c->max_key = max_key;
}

void ns_fcache_fini(struct ns_fcache *c)
{
	for (unsigned i = 0; i < c->n; i++)
		ns_mem_free(c->mem, c->e[i]);
	c->n = 0;
}

static struct ns_fcache_entry *find(const struct ns_fcache *c, uint64_t h,
				    const uint8_t *key, size_t n)
{
	for (unsigned i = 0; i < c->n; i++) {
		struct ns_fcache_entry *e = c->e[i];
		if (e->hash == h && e->key_len == n &&
		    memcmp(e->key, key, n) == 0)
			return e;
	}
	return NULL;
}

int ns_fcache_replay(struct ns_fcache *c, struct ns_packet *pkt,
		     const uint8_t *key, size_t n)
{
	struct ns_fcache_entry *e =
	    n <= c->max_key ? find(c, fnv1a(key, n), key, n) : NULL;
	if (!e) {
		c->misses++;
		return 0;
	}
	c->hits++;
	e->used = ++c->tick;
	uint8_t depth = pkt->depth;
	const uint8_t *bytes = e->key + e->key_len;
	for (uint32_t i = 0; i < e->nval; i++) {
		const struct fc_val *v = &e->val[i];
		const uint8_t *p = NULL;
		if (v->is_bytes) {
			/* the packet's own copy: the entry may go before the
			 * packet does */
			uint8_t *copy =
			    ns_arena_alloc(&pkt->arena, v->n ? v->n : 1);
			if (!copy)
				continue; /* as a parse without memory */
			memcpy(copy, bytes + v->u, v->n);
			p = copy;
		}
		struct ns_fv *fv = ns_pkt_add(pkt, v->f, 0, 0);
		if (!fv)
			break;
		fv->depth = (uint8_t)(depth + v->depth);
		fv->hidden = v->hidden;
		if (p) {
			fv->v.b.p = p;
			fv->v.b.n = v->n;
		} else {
			fv->v.u = v->u;
		}
	}
	return 1;
}

/* The entry to reuse when the cache is full: the least recently used. */
static unsigned victim(const struct ns_fcache *c)
{
	unsigned lru = 0;
	for (unsigned i = 1; i < c->n; i++)
		if (c->e[i]->used < c->e[lru]->used)
			lru = i;
	return lru;
}

/* Bytes of an entry for fields fv[from..to) and an n-byte key; 0 when
 * one of them cannot be replayed (it points at the packet's bytes). */
static size_t entry_size(const struct ns_packet *pkt, uint32_t from,
			 uint32_t to, size_t n)
{
	size_t size = sizeof(struct ns_fcache_entry) + n;
	for (uint32_t i = from; i < to; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (fv->off || fv->len)
			return 0;
		size += sizeof(struct fc_val);
		if (has_bytes(fv->f))
			size += fv->v.b.n;
	}
	return size;
}

static void fill(struct ns_fcache_entry *e, const struct ns_packet *pkt,
		 uint32_t from, uint8_t depth, const uint8_t *key, size_t n)
{
	e->key_len = n;
	e->nval = pkt->nfv - from;
	e->val = (struct fc_val *)(void *)e->data;
	e->key = e->data + e->nval * sizeof(struct fc_val);
	memcpy(e->key, key, n);
	uint8_t *bytes = e->key + n;
	uint64_t at = 0;
	for (uint32_t i = 0; i < e->nval; i++) {
		const struct ns_fv *fv = &pkt->fv[from + i];
		struct fc_val *v = &e->val[i];
		v->f = fv->f;
		v->depth = (uint8_t)(fv->depth - depth);
		v->hidden = fv->hidden;
		v->is_bytes = (uint8_t)has_bytes(fv->f);
		v->n = 0;
		v->u = fv->v.u;
		if (v->is_bytes) {
			v->u = at;
			v->n = fv->v.b.n;
			if (v->n)
				memcpy(bytes + at, fv->v.b.p, v->n);
			at += v->n;
		}
	}
}

void ns_fcache_store(struct ns_fcache *c, const struct ns_packet *pkt,
		     uint32_t from, uint8_t depth, const uint8_t *key, size_t n)
{
	if (!c->max || n > c->max_key || from > pkt->nfv)
		return;
	size_t size = entry_size(pkt, from, pkt->nfv, n);
	if (!size)
		return;
	struct ns_fcache_entry *e = ns_mem_alloc(c->mem, size);
	if (!e)
		return; /* the budget said no: not kept */
	e->hash = fnv1a(key, n);
	e->used = ++c->tick;
	fill(e, pkt, from, depth, key, n);
	if (c->n < c->max) {
		c->e[c->n++] = e;
		return;
	}
	unsigned i = victim(c);
	ns_mem_free(c->mem, c->e[i]);
	c->e[i] = e;
	c->evicted++;
}
