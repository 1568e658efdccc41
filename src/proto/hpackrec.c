/*
 * hpackrec — see hpackrec.h.  The representations are read straight-line
 * from a reader over the fragment (plus what the previous one left); a
 * representation whose bytes run out is "incomplete" (carried, or, at the
 * block's end, the block is cut), one that cannot be right is malformed.
 * Nothing is emitted and the table is not touched until a representation
 * was read whole, so a carried one is read again from its first byte.
 */
#include "proto/hpackrec.h"

#include <string.h>

#include "core/arena.h"
#include "core/mem.h"
#include "core/reader.h"

#define STATIC_ENTRIES 61 /* RFC 7541 Appendix A */
#define ENTRY_OVERHEAD 32 /* §4.1 */

struct ns_hpack_rec_entry {
	size_t nl, vl;
	uint8_t name_known;
	uint8_t b[]; /* the name, then the value */
};

/* the outcome of reading one piece */
enum { OK = 0, MORE = 1, BAD = -1 };

int ns_hpack_rec_init(struct ns_hpack_rec *h, struct ns_mem *mem,
		      nghttp2_mem *nmem)
{
	memset(h, 0, sizeof(*h));
	h->mem = mem;
	h->nmem = nmem;
	return nghttp2_hd_inflate_new2(&h->lib, nmem) == 0 ? 0 : -1;
}

void ns_hpack_rec_clear(struct ns_hpack_rec *h)
{
	for (unsigned i = 0; i < h->n; i++)
		ns_mem_free(h->mem, h->ring[(h->head + i) % h->cap]);
	h->n = h->head = 0;
	h->size = 0;
	h->carry_len = 0;
}

void ns_hpack_rec_free(struct ns_hpack_rec *h)
{
	ns_hpack_rec_clear(h);
	ns_mem_free(h->mem, h->ring);
	ns_mem_free(h->mem, h->carry);
	if (h->lib)
		nghttp2_hd_inflate_del(h->lib);
	memset(h, 0, sizeof(*h));
}

/* ---- the table of entries added since the loss ---------------------- */

static struct ns_hpack_rec_entry *entry_at(const struct ns_hpack_rec *h,
					   unsigned i)
{
	return h->ring[(h->head + i) % h->cap];
}

static size_t entry_size(const struct ns_hpack_rec_entry *e)
{
	return e->nl + e->vl + ENTRY_OVERHEAD;
}

static void evict_to(struct ns_hpack_rec *h, size_t max)
{
	while (h->n && h->size > max) {
		struct ns_hpack_rec_entry *e = entry_at(h, h->n - 1);
		h->size -= entry_size(e);
		ns_mem_free(h->mem, e);
		h->n--;
	}
}

/* Room for one more slot in the ring; 0, or -1 without memory. */
static int ring_room(struct ns_hpack_rec *h)
{
	if (h->n < h->cap)
		return 0;
	unsigned cap = h->cap ? h->cap * 2 : 16;
	struct ns_hpack_rec_entry **r =
	    ns_mem_alloc(h->mem, sizeof(*r) * (size_t)cap);
	if (!r)
		return -1;
	for (unsigned i = 0; i < h->n; i++)
		r[i] = entry_at(h, i);
	ns_mem_free(h->mem, h->ring);
	h->ring = r;
	h->cap = cap;
	h->head = 0;
	return 0;
}

/*
 * A field added with incremental indexing (§4.4): older entries go when
 * the table would pass NS_HPACK_REC_MAX; one larger than that empties it.
 * Without memory the table is emptied too: what it cannot keep is then
 * unknown, never misplaced.
 */
static void table_add(struct ns_hpack_rec *h, const struct ns_hpack_field *f)
{
	size_t nl = f->name_known ? f->nl : 0;
	size_t need = nl + f->vl + ENTRY_OVERHEAD;
	if (need > NS_HPACK_REC_MAX) {
		evict_to(h, 0);
		return;
	}
	evict_to(h, NS_HPACK_REC_MAX - need);
	struct ns_hpack_rec_entry *e = NULL;
	if (ring_room(h) == 0)
		e = ns_mem_alloc(h->mem, sizeof(*e) + nl + f->vl);
	if (!e) {
		evict_to(h, 0);
		return;
	}
	e->nl = nl;
	e->vl = f->vl;
	e->name_known = f->name_known;
	if (nl)
		memcpy(e->b, f->name, nl);
	if (f->vl)
		memcpy(e->b + nl, f->value, f->vl);
	h->head = (h->head + h->cap - 1) % h->cap;
	h->ring[h->head] = e;
	h->n++;
	h->size += need;
}

/* ---- integers and strings (§5) -------------------------------------- */

/* An integer with an n-bit prefix (§5.1): at most 4 continuation bytes
 * (values below 2^28, far above any length or index a block can hold). */
static int get_int(struct ns_reader *r, unsigned prefix, uint32_t *v)
{
	uint8_t b = ns_rd_u8(r);
	if (r->err)
		return MORE;
	uint32_t max = (1u << prefix) - 1;
	uint32_t x = b & max;
	for (unsigned shift = 0; x >= max && shift <= 21; shift += 7) {
		b = ns_rd_u8(r);
		if (r->err)
			return MORE;
		if (!(b & 0x80)) {
			*v = x + ((uint32_t)b << shift);
			return OK;
		}
		x += (uint32_t)(b & 0x7f) << shift;
		if (shift == 21)
			return BAD;
	}
	*v = x;
	return OK;
}

/* The inflater of strings failed: its state is unknown, a fresh one. */
static void lib_renew(struct ns_hpack_rec *h)
{
	if (h->lib)
		nghttp2_hd_inflate_del(h->lib);
	h->lib = NULL;
	if (nghttp2_hd_inflate_new2(&h->lib, h->nmem) != 0)
		h->lib = NULL;
}

/*
 * A Huffman string (§5.2) whose representation (flag, length, bytes) is
 * rep[0..n): decoded by libnghttp2 as the value of a one-field block (a
 * literal without indexing, name "x"), copied into the arena.
 */
static int huffman(struct ns_hpack_rec *h, struct ns_arena *a,
		   const uint8_t *rep, size_t n, const uint8_t **s, size_t *sl)
{
	static const uint8_t lead[3] = {0x00, 0x01, 'x'};
	uint8_t *blk = ns_arena_alloc(a, sizeof(lead) + n);
	if (!blk || !h->lib)
		return BAD;
	memcpy(blk, lead, sizeof(lead));
	memcpy(blk + sizeof(lead), rep, n);
	struct ns_reader in;
	ns_rd_init(&in, blk, sizeof(lead) + n);
	int got = 0;
	for (int step = 0; step < 4; step++) {
		nghttp2_nv nv;
		int fl = 0;
		size_t left = ns_rd_left(&in);
		ssize_t rv = nghttp2_hd_inflate_hd2(h->lib, &nv, &fl,
						    ns_rd_ptr(&in, 0), left, 1);
		if (rv < 0 || (size_t)rv > left)
			break;
		ns_rd_skip(&in, (size_t)rv);
		if (fl & NGHTTP2_HD_INFLATE_EMIT) {
			uint8_t *c = ns_arena_alloc(a, nv.valuelen + 1);
			if (!c)
				break;
			if (nv.valuelen)
				memcpy(c, nv.value, nv.valuelen);
			*s = c;
			*sl = nv.valuelen;
			got = 1;
		}
		if (fl & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(h->lib);
			return got ? OK : BAD;
		}
	}
	lib_renew(h);
	return BAD;
}

/* A string literal (§5.2) into s/sl (in the fragment, or the arena). */
static int get_str(struct ns_hpack_rec *h, struct ns_reader *r,
		   struct ns_arena *a, const uint8_t **s, size_t *sl,
		   const char **why)
{
	struct ns_reader at = *r;
	int huff = ns_rd_left(r) && (ns_rd_peek(r, 0) & 0x80);
	uint32_t len;
	int rc = get_int(r, 7, &len);
	if (rc != OK) {
		*why = "string length too large";
		return rc;
	}
	if (ns_rd_left(r) < len) {
		*why = len > NS_HPACK_REC_CARRY ? "string longer than 64 KiB"
						: NULL;
		return len > NS_HPACK_REC_CARRY ? BAD : MORE;
	}
	const uint8_t *p = ns_rd_ptr(r, len);
	if (!huff) {
		*s = p;
		*sl = len;
		return OK;
	}
	size_t n = ns_rd_off(r) - ns_rd_off(&at);
	if (huffman(h, a, ns_rd_ptr(&at, n), n, s, sl) == OK)
		return OK;
	*why = "Huffman string does not decode";
	return BAD;
}

/* ---- representations (§6) ------------------------------------------ */

/* Table index idx (§2.3.3) into f: static, an entry seen added, or
 * unknown; `whole`: the value too, else the name only. */
static int lookup(struct ns_hpack_rec *h, uint32_t idx, int whole,
		  struct ns_hpack_field *f)
{
	f->index = idx;
	if (idx == 0)
		return BAD;
	if (idx <= STATIC_ENTRIES) {
		const nghttp2_nv *nv =
		    h->lib ? nghttp2_hd_inflate_get_table_entry(h->lib, idx)
			   : NULL;
		if (!nv)
			return BAD;
		f->name = nv->name;
		f->nl = nv->namelen;
		f->name_known = 1;
		if (whole) {
			f->value = nv->value;
			f->vl = nv->valuelen;
			f->value_known = 1;
		}
		return OK;
	}
	uint32_t i = idx - STATIC_ENTRIES - 1;
	if (i >= h->n)
		return OK; /* before the loss, or dropped: unknown */
	const struct ns_hpack_rec_entry *e = entry_at(h, i);
	f->name = e->b;
	f->nl = e->nl;
	f->name_known = e->name_known;
	if (whole) {
		f->value = e->b + e->nl;
		f->vl = e->vl;
		f->value_known = 1;
	}
	return OK;
}

/* A literal field (§6.2): name index with a prefix of `prefix` bits (0:
 * a literal name follows), then the value. */
static int literal(struct ns_hpack_rec *h, struct ns_reader *r,
		   struct ns_arena *a, unsigned prefix,
		   struct ns_hpack_field *f, const char **why)
{
	uint32_t idx;
	int rc = get_int(r, prefix, &idx);
	if (rc != OK) {
		*why = "name index too large";
		return rc;
	}
	if (idx) {
		if (lookup(h, idx, 0, f) != OK) {
			*why = "name index 0 or out of the static table";
			return BAD;
		}
	} else {
		rc = get_str(h, r, a, &f->name, &f->nl, why);
		if (rc != OK)
			return rc;
		f->name_known = 1;
	}
	rc = get_str(h, r, a, &f->value, &f->vl, why);
	if (rc == OK)
		f->value_known = 1;
	return rc;
}

/* One representation; OK (emitted), MORE or BAD (*why). */
static int one(struct ns_hpack_rec *h, struct ns_reader *r, struct ns_arena *a,
	       ns_hpack_emit emit, void *u, const char **why)
{
	uint8_t b = ns_rd_peek(r, 0);
	struct ns_hpack_field f;
	memset(&f, 0, sizeof(f));
	int rc;
	if (b & 0x80) {
		uint32_t idx;
		f.kind = NS_HPACK_REP_INDEXED;
		rc = get_int(r, 7, &idx);
		if (rc == BAD)
			*why = "index too large";
		if (rc == OK && lookup(h, idx, 1, &f) != OK) {
			*why = "index 0";
			rc = BAD;
		}
	} else if ((b & 0xe0) == 0x20) { /* dynamic table size update */
		uint32_t size;
		rc = get_int(r, 5, &size);
		if (rc == BAD)
			*why = "table size too large";
		if (rc == OK)
			evict_to(h, size);
		return rc;
	} else {
		f.kind = b & 0x40   ? NS_HPACK_REP_INCREMENTAL
			 : b & 0x10 ? NS_HPACK_REP_NEVER
				    : NS_HPACK_REP_WITHOUT;
		rc = literal(h, r, a, b & 0x40 ? 6 : 4, &f, why);
	}
	if (rc != OK)
		return rc;
	emit(u, &f);
	if (f.kind == NS_HPACK_REP_INCREMENTAL)
		table_add(h, &f);
	return OK;
}

/* Keeps the n bytes at r's cursor for the next fragment. */
static const char *carry(struct ns_hpack_rec *h, struct ns_reader *r)
{
	size_t n = ns_rd_left(r);
	if (n > NS_HPACK_REC_CARRY)
		return "header field over 64 KiB cut between fragments";
	uint8_t *c = ns_mem_realloc(h->mem, h->carry, n ? n : 1);
	if (!c)
		return "no memory for a header field cut between fragments";
	h->carry = c;
	memcpy(c, ns_rd_ptr(r, n), n);
	h->carry_len = n;
	return NULL;
}

const char *ns_hpack_rec_fragment(struct ns_hpack_rec *h, const uint8_t *in,
				  size_t n, int final, struct ns_arena *a,
				  ns_hpack_emit emit, void *u)
{
	struct ns_reader r;
	ns_rd_init(&r, in, n);
	if (h->carry_len) {
		uint8_t *c = ns_arena_alloc(a, h->carry_len + n);
		if (!c) {
			h->carry_len = 0;
			return "no memory for a header field cut between "
			       "fragments";
		}
		memcpy(c, h->carry, h->carry_len);
		if (n)
			memcpy(c + h->carry_len, in, n);
		ns_rd_init(&r, c, h->carry_len + n);
		h->carry_len = 0;
	}
	while (ns_rd_left(&r)) {
		struct ns_reader at = r;
		const char *why = NULL;
		int rc = one(h, &r, a, emit, u, &why);
		if (rc == OK)
			continue;
		if (rc == BAD)
			return why ? why : "malformed header field";
		if (final)
			return "header block ends inside a field";
		return carry(h, &at);
	}
	return NULL;
}
