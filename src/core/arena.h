/*
 * arena — a bump allocator for per-packet memory.
 *
 * Dissectors allocate decoded strings and scratch space here instead of with
 * malloc; the packet record resets the arena between packets, keeping its
 * first chunk, so steady-state dissection allocates nothing.  The arena has a
 * cap: past it, ns_arena_alloc() returns NULL and the caller records the
 * field as unavailable instead of growing without bound.
 */
#ifndef NS_ARENA_H
#define NS_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct ns_arena_chunk;

struct ns_arena {
	struct ns_arena_chunk *head; /* current chunk; older ones follow */
	size_t total;		     /* bytes held in all chunks */
	size_t cap;		     /* most bytes it may hold */
};

void ns_arena_init(struct ns_arena *a, size_t cap);
void *ns_arena_alloc(struct ns_arena *a, size_t n);
char *ns_arena_strndup(struct ns_arena *a, const char *s, size_t n);
char *ns_arena_printf(struct ns_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Frees every chunk but the first, which is kept for reuse. */
void ns_arena_reset(struct ns_arena *a);
void ns_arena_free(struct ns_arena *a);

#endif
