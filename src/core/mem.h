/*
 * mem — the budget of per-flow application state.
 *
 * What dissectors keep about a connection between packets, beyond the flow
 * table and reassembly (which have caps of their own): stream dissectors'
 * per-connection state, HPACK tables, header blocks in progress, HTTP
 * exchanges waiting for their responses, gRPC messages and SSE events in
 * progress, DNS queries waiting for answers, TLS handshake messages in
 * progress (and later QPACK tables, secrets) is allocated through the run's
 * one struct ns_mem.  Past its cap an allocation fails as if memory were
 * exhausted — every caller already copes with that by dropping what it
 * could not keep — and is counted, so one hostile connection cannot take
 * the machine, and the end of the run says what was refused (invariant 2).
 *
 * Each block carries its size in a small header so frees are accounted
 * exactly.  A NULL budget means "not accounted" (unit tests of one
 * dissector), never "refuse".
 */
#ifndef NS_MEM_H
#define NS_MEM_H

#include <stddef.h>
#include <stdint.h>

#define NS_MEM_DEFAULT_CAP ((size_t)256 << 20)

struct ns_mem {
	size_t cap;	   /* 0: unlimited */
	size_t used, peak; /* bytes handed out (headers included) */
	uint64_t refused;  /* allocations refused at the cap */
	uint64_t refused_bytes;
};

/* n zeroed bytes, or NULL (the cap, or no memory). */
void *ns_mem_alloc(struct ns_mem *m, size_t n);
/* Grows or shrinks p (NULL: a new block) to n bytes; the new bytes are
 * not zeroed.  NULL leaves p as it was. */
void *ns_mem_realloc(struct ns_mem *m, void *p, size_t n);
void ns_mem_free(struct ns_mem *m, void *p);

#endif
