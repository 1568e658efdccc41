/*
 * mem — see mem.h.  A 16-byte header before each block keeps its size
 * (16 keeps the block's alignment what malloc's is).
 */
#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

#define HDR 16

static int admit(struct ns_mem *m, size_t n)
{
	if (!m)
		return 1;
	if (m->cap && (n > m->cap || m->used > m->cap - n)) {
		m->refused++;
		m->refused_bytes += n;
		return 0;
	}
	return 1;
}

static void account(struct ns_mem *m, size_t add, size_t sub)
{
	if (!m)
		return;
	m->used = m->used + add - sub;
	if (m->used > m->peak)
		m->peak = m->used;
}

void *ns_mem_alloc(struct ns_mem *m, size_t n)
{
	if (n > SIZE_MAX - HDR || !admit(m, n + HDR))
		return NULL;
	unsigned char *b = calloc(1, n + HDR);
	if (!b)
		return NULL;
	memcpy(b, &n, sizeof(n));
	account(m, n + HDR, 0);
	return b + HDR;
}

void *ns_mem_realloc(struct ns_mem *m, void *p, size_t n)
{
	if (!p)
		return ns_mem_alloc(m, n);
	unsigned char *b = (unsigned char *)p - HDR;
	size_t old;
	memcpy(&old, b, sizeof(old));
	if (n > SIZE_MAX - HDR || (n > old && !admit(m, n - old)))
		return NULL;
	unsigned char *nb = realloc(b, n + HDR);
	if (!nb)
		return NULL;
	memcpy(nb, &n, sizeof(n));
	account(m, n + HDR, old + HDR);
	return nb + HDR;
}

void ns_mem_free(struct ns_mem *m, void *p)
{
	if (!p)
		return;
	unsigned char *b = (unsigned char *)p - HDR;
	size_t n;
	memcpy(&n, b, sizeof(n));
	account(m, 0, n + HDR);
	free(b);
}
