/*
 * fcache — a bounded cache of the fields a parse recorded, keyed by the
 * bytes it parsed, so that the same bytes seen again are shown by
 * replaying those fields instead of parsing them again.
 *
 * For inputs that repeat byte for byte and are dear to parse through a
 * library: a TLS server sends the same certificate chain on every full
 * handshake, and libcrypto's d2i_X509 costs about a million instructions
 * a certificate (most of it decoding the public key).  The parse records
 * its fields as always; ns_fcache_store() keeps a copy of them (field,
 * depth relative to where the parse began, value; bytes values copied)
 * with the key's bytes; ns_fcache_replay() records them again, their
 * bytes values copied into the packet arena, so a replayed packet is the
 * same as a parsed one and owes nothing to the cache afterwards.  Only
 * values, not offsets into the packet, are replayed: a parse whose
 * fields point at packet bytes (off/len) must not be cached.
 *
 * Bounded: at most `max` entries and keys of at most `max_key` bytes;
 * past `max` the least recently used entry goes.  Entries come from the
 * run's budget (core/mem.h), and one that the budget refuses is simply
 * not kept.  Lookups hash the key (FNV-1a), then compare length and
 * bytes.  One cache per engine (a dissector's engine slot): no globals.
 */
#ifndef NS_FCACHE_H
#define NS_FCACHE_H

#include <stddef.h>
#include <stdint.h>

struct ns_mem;
struct ns_packet;
struct ns_fcache_entry;

#define NS_FCACHE_MAX 64

struct ns_fcache {
	struct ns_mem *mem; /* the budget entries come from (NULL: none) */
	unsigned max;	    /* most entries, at most NS_FCACHE_MAX */
	size_t max_key;	    /* longer keys are not cached */
	unsigned n;
	struct ns_fcache_entry *e[NS_FCACHE_MAX];
	uint64_t tick; /* for least-recently-used eviction */
	uint64_t hits, misses, evicted;
};

void ns_fcache_init(struct ns_fcache *c, struct ns_mem *mem, unsigned max,
		    size_t max_key);
/* Gives every entry back to the budget. */
void ns_fcache_fini(struct ns_fcache *c);

/* Records into pkt, at its current depth, the fields kept for key[0..n)
 * and returns 1; 0 (a miss, counted) when none are kept. */
int ns_fcache_replay(struct ns_fcache *c, struct ns_packet *pkt,
		     const uint8_t *key, size_t n);

/* After a parse of key[0..n) that began at depth `depth` with field
 * pkt->fv[from]: keeps the fields it recorded.  The caller makes sure
 * the parse recorded everything it meant to (no field dropped). */
void ns_fcache_store(struct ns_fcache *c, const struct ns_packet *pkt,
		     uint32_t from, uint8_t depth, const uint8_t *key,
		     size_t n);

#endif
