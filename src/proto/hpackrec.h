/*
 * hpackrec — HPACK (RFC 7541) header blocks read without their decoding
 * context: what a capture that starts mid-connection, or after lost bytes,
 * can still know of each header field.
 *
 * A sender's dynamic table was built from blocks netscope never saw, so an
 * indexed reference into it cannot be resolved.  libnghttp2's inflater
 * stops the whole block at the first such reference; this walker goes on
 * representation by representation (§6), and each field is decoded on its
 * own when it does not depend on the lost entries: static-table
 * references and names (§2.3.1), literal names, literal values (raw or
 * Huffman), and the entries added with incremental indexing since the loss
 * (kept here, newest first, so later references to them resolve: each
 * addition shifts the older entries' indices by one, §2.3.3).  A
 * reference past what was seen added is that field's name and/or value
 * unknown — never guessed — and the walk goes on with the next field.
 *
 * No Huffman code or static table is written here: libnghttp2 does not
 * export its Huffman decoder, so a string is decoded by handing a fresh
 * inflater of its own a one-field block (a literal without indexing, its
 * name "x", the string's own bytes as the value), which never touches that
 * inflater's table; static entries come from
 * nghttp2_hd_inflate_get_table_entry().
 *
 * Bounds: every byte is read through the reader (core/reader.h);
 * integers (§5.1) of more than 4 continuation bytes or above 2^28 and
 * strings longer than what the block holds are malformed; each step
 * consumes at least one byte, so a walk ends.  The table keeps at most
 * NS_HPACK_REC_MAX bytes (entries counted as §4.1 does, older ones
 * dropped past it: a reference to them is then unknown), a representation
 * split between fragments is carried to the next one up to
 * NS_HPACK_REC_CARRY bytes; both from the caller's budget (core/mem.h).
 */
#ifndef NS_HPACKREC_H
#define NS_HPACKREC_H

#include <nghttp2/nghttp2.h>
#include <stddef.h>
#include <stdint.h>

struct ns_mem;
struct ns_arena;

#define NS_HPACK_REC_MAX   (64u * 1024) /* table bytes kept (§4.1 sizes) */
#define NS_HPACK_REC_CARRY (64u * 1024) /* a field cut between fragments */

struct ns_hpack_rec_entry;

/* One direction's decoder after a loss.  Zeroed, then ns_hpack_rec_init(). */
struct ns_hpack_rec {
	struct ns_mem *mem;
	nghttp2_mem *nmem;	  /* the allocator given to libnghttp2 */
	nghttp2_hd_inflater *lib; /* strings and the static table */
	struct ns_hpack_rec_entry **ring; /* cap slots; newest at head */
	unsigned cap, head, n;
	size_t size; /* §4.1 size of the kept entries */
	uint8_t *carry;
	size_t carry_len;
};

/* One header field as far as it could be decoded.  Pointers are valid
 * during the emit call only. */
struct ns_hpack_field {
	const uint8_t *name, *value;
	size_t nl, vl;
	uint8_t name_known, value_known;
	uint8_t kind;	/* the representation: NS_HPACK_REP_* */
	uint32_t index; /* the table index it referred to, 0 none */
};

enum {
	NS_HPACK_REP_INDEXED,	  /* §6.1 */
	NS_HPACK_REP_INCREMENTAL, /* §6.2.1 */
	NS_HPACK_REP_WITHOUT,	  /* §6.2.2 */
	NS_HPACK_REP_NEVER,	  /* §6.2.3 */
};

typedef void (*ns_hpack_emit)(void *u, const struct ns_hpack_field *f);

/* Sets h up with the budget mem and the allocator nmem (which must outlive
 * h; NULL: libnghttp2's default); 0, or -1 without memory. */
int ns_hpack_rec_init(struct ns_hpack_rec *h, struct ns_mem *mem,
		      nghttp2_mem *nmem);
/* Frees what h holds (h may be zeroed and never initialised). */
void ns_hpack_rec_free(struct ns_hpack_rec *h);
/* Forgets the entries and any carried bytes: a new loss. */
void ns_hpack_rec_clear(struct ns_hpack_rec *h);

/*
 * Walks one fragment of a header block (`final`: its last), calling emit
 * for each field it completes; a field cut at a non-final fragment's end
 * is carried to the next call.  Decoded strings are put in the arena a.
 * Returns NULL, or why the rest of the block cannot be read (malformed,
 * or cut at its end): the caller then clears h, whose table may no longer
 * be the sender's.
 */
const char *ns_hpack_rec_fragment(struct ns_hpack_rec *h, const uint8_t *in,
				  size_t n, int final, struct ns_arena *a,
				  ns_hpack_emit emit, void *u);

#endif
