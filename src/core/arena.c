/*
 * arena — see arena.h.  Chunks double in size up to 1 MiB; a request larger
 * than a chunk gets a chunk of its own.  Reset frees all chunks except the
 * oldest (the first allocated), so a packet that needed much memory does not
 * keep it for the rest of the run.
 */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ns_arena_chunk {
	struct ns_arena_chunk *next; /* older chunk */
	size_t size, used;
	_Alignas(16) unsigned char mem[];
};

enum { FIRST_CHUNK = 16384, MAX_CHUNK = 1 << 20 };

void ns_arena_init(struct ns_arena *a, size_t cap)
{
	a->head = NULL;
	a->total = 0;
	a->cap = cap;
}

static struct ns_arena_chunk *chunk_new(struct ns_arena *a, size_t need)
{
	size_t size = a->head ? a->head->size * 2 : FIRST_CHUNK;
	if (size > MAX_CHUNK)
		size = MAX_CHUNK;
	if (size < need)
		size = need;
	if (a->total + size > a->cap)
		return NULL;
	struct ns_arena_chunk *c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	c->used = 0;
	c->next = a->head;
	a->head = c;
	a->total += size;
	return c;
}

void *ns_arena_alloc(struct ns_arena *a, size_t n)
{
	if (n > a->cap)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	struct ns_arena_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		c = chunk_new(a, n);
		if (!c)
			return NULL;
	}
	void *p = c->mem + c->used;
	c->used += n;
	return p;
}

char *ns_arena_strndup(struct ns_arena *a, const char *s, size_t n)
{
	char *d = ns_arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *ns_arena_printf(struct ns_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *d = ns_arena_alloc(a, (size_t)n + 1);
	if (!d)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}

void ns_arena_reset(struct ns_arena *a)
{
	struct ns_arena_chunk *c = a->head;
	if (!c)
		return;
	while (c->next) {
		struct ns_arena_chunk *older = c->next;
		a->total -= c->size;
		free(c);
		c = older;
	}
	c->used = 0;
	a->head = c;
}

void ns_arena_free(struct ns_arena *a)
{
	while (a->head) {
		struct ns_arena_chunk *older = a->head->next;
		free(a->head);
		a->head = older;
	}
	a->total = 0;
}
