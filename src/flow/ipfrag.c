/*
 * ipfrag — see ipfrag.h.
 *
 * The datagrams live in a fixed array of slots (made on the first
 * fragment), found through hash chains and kept on one list in order of
 * their first fragment, so the oldest is the first to time out and the
 * first evicted.  Each holds its bytes in one buffer grown to the furthest
 * byte seen, the list of its fragments (for the completing packet to show)
 * and the merged ranges of bytes held (`spans`, sorted, disjoint, adjacent
 * ones joined), so a new fragment's bytes are copied where nothing is
 * held yet and compared where something is, in one walk.  Every list is
 * bounded by NS_IPFRAG_MAX_PIECES, so a flood of tiny or duplicate
 * fragments costs linear time per fragment at most.
 */
#include "flow/ipfrag.h"

#include <string.h>

#include "core/mem.h"

struct span {
	uint32_t a, b; /* bytes [a, b) of the datagram are held */
};

struct ns_ipfrag_dgram {
	struct ns_ipfrag_key key;
	int64_t first_ts;
	uint32_t hnext;	       /* hash chain, slot index + 1 */
	uint32_t older, newer; /* age list, slot index + 1 */
	uint32_t total;	       /* the datagram's length, once known */
	uint8_t has_total;
	uint8_t *buf;
	uint32_t bufcap;
	struct ns_ipfrag_piece *pieces;
	uint32_t npieces, piececap;
	struct span *spans;
	uint32_t nspans, spancap;
};

void ns_ipfrag_init(struct ns_ipfrag *t, struct ns_mem *mem)
{
	memset(t, 0, sizeof(*t));
	t->mem = mem;
	t->max_dgrams = NS_IPFRAG_MAX_DGRAMS;
	t->max_pieces = NS_IPFRAG_MAX_PIECES;
	t->max_bytes = NS_IPFRAG_MAX_BYTES;
	t->timeout[0] = NS_IPFRAG_TIMEOUT_V4;
	t->timeout[1] = NS_IPFRAG_TIMEOUT_V6;
}

static int key_eq(const struct ns_ipfrag_key *x, const struct ns_ipfrag_key *y)
{
	size_t n = x->v6 ? 16 : 4;
	return x->v6 == y->v6 && x->proto == y->proto && x->id == y->id &&
	       memcmp(x->src, y->src, n) == 0 && memcmp(x->dst, y->dst, n) == 0;
}

static uint32_t key_hash(const struct ns_ipfrag_key *k)
{
	/* FNV-1a over what tells datagrams apart */
	uint32_t h = 2166136261u;
	size_t n = k->v6 ? 16 : 4;
	uint8_t head[6] = {k->v6,
			   k->proto,
			   (uint8_t)(k->id >> 24),
			   (uint8_t)(k->id >> 16),
			   (uint8_t)(k->id >> 8),
			   (uint8_t)k->id};
	for (size_t i = 0; i < sizeof(head); i++)
		h = (h ^ head[i]) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = ((h ^ k->src[i]) * 16777619u ^ k->dst[i]) * 16777619u;
	return h;
}

static struct ns_ipfrag_dgram *slot(struct ns_ipfrag *t, uint32_t ref)
{
	return ref ? &t->d[ref - 1] : NULL;
}

/* The slots and the chains, on the first fragment.  0 or -1. */
static int table_make(struct ns_ipfrag *t)
{
	if (t->d)
		return 0;
	uint32_t nb = 1;
	while (nb < t->max_dgrams)
		nb <<= 1;
	t->d = ns_mem_alloc(t->mem, (size_t)t->max_dgrams * sizeof(*t->d));
	t->bucket = ns_mem_alloc(t->mem, (size_t)nb * sizeof(*t->bucket));
	if (!t->d || !t->bucket) {
		ns_mem_free(t->mem, t->d);
		ns_mem_free(t->mem, t->bucket);
		t->d = NULL;
		t->bucket = NULL;
		return -1;
	}
	t->nbuckets = nb;
	for (uint32_t i = 0; i < t->max_dgrams; i++)
		t->d[i].hnext = i + 1 < t->max_dgrams ? i + 2 : 0;
	t->free_head = 1;
	return 0;
}

static void account(struct ns_ipfrag *t, size_t add, size_t sub)
{
	t->used = t->used + add - sub;
	if (t->used > t->peak)
		t->peak = t->used;
}

static size_t dgram_bytes(const struct ns_ipfrag_dgram *d)
{
	return d->bufcap + (size_t)d->piececap * sizeof(*d->pieces) +
	       (size_t)d->spancap * sizeof(*d->spans);
}

/* Takes slot ref off its chain and the age list (it can no longer be
 * found, expired or evicted). */
static void unlink_dgram(struct ns_ipfrag *t, uint32_t ref)
{
	struct ns_ipfrag_dgram *d = slot(t, ref);
	uint32_t *pp = &t->bucket[key_hash(&d->key) & (t->nbuckets - 1)];
	while (*pp && *pp != ref)
		pp = &slot(t, *pp)->hnext;
	if (*pp)
		*pp = d->hnext;
	if (d->older)
		slot(t, d->older)->newer = d->newer;
	else
		t->age_head = d->newer;
	if (d->newer)
		slot(t, d->newer)->older = d->older;
	else
		t->age_tail = d->older;
	d->older = d->newer = d->hnext = 0;
	t->count--;
}

/* Frees an unlinked slot's memory and returns it to the free list. */
static void release(struct ns_ipfrag *t, uint32_t ref)
{
	struct ns_ipfrag_dgram *d = slot(t, ref);
	account(t, 0, dgram_bytes(d));
	ns_mem_free(t->mem, d->buf);
	ns_mem_free(t->mem, d->pieces);
	ns_mem_free(t->mem, d->spans);
	memset(d, 0, sizeof(*d));
	d->hnext = t->free_head;
	t->free_head = ref;
}

static void drop(struct ns_ipfrag *t, uint32_t ref)
{
	unlink_dgram(t, ref);
	release(t, ref);
}

static void expire(struct ns_ipfrag *t, int64_t now)
{
	struct ns_ipfrag_dgram *d;
	while ((d = slot(t, t->age_head)) != NULL &&
	       now - d->first_ts > t->timeout[d->key.v6 ? 1 : 0]) {
		drop(t, t->age_head);
		t->st.expired++;
	}
}

/* Evicts the oldest datagram other than `keep`; 0 when there is none. */
static int evict_one(struct ns_ipfrag *t, uint32_t keep)
{
	uint32_t ref = t->age_head;
	if (ref == keep && ref)
		ref = slot(t, ref)->newer;
	if (!ref)
		return 0;
	drop(t, ref);
	t->st.evicted++;
	return 1;
}

static uint32_t find(const struct ns_ipfrag *t, const struct ns_ipfrag_key *k)
{
	uint32_t ref = t->bucket[key_hash(k) & (t->nbuckets - 1)];
	while (ref && !key_eq(&t->d[ref - 1].key, k))
		ref = t->d[ref - 1].hnext;
	return ref;
}

static uint32_t dgram_new(struct ns_ipfrag *t, const struct ns_ipfrag_key *k,
			  int64_t ts)
{
	if (t->count >= t->max_dgrams || !t->free_head)
		evict_one(t, 0);
	uint32_t ref = t->free_head;
	if (!ref)
		return 0;
	struct ns_ipfrag_dgram *d = slot(t, ref);
	t->free_head = d->hnext;
	memset(d, 0, sizeof(*d));
	d->key = *k;
	d->first_ts = ts;
	uint32_t *b = &t->bucket[key_hash(k) & (t->nbuckets - 1)];
	d->hnext = *b;
	*b = ref;
	d->older = t->age_tail;
	if (t->age_tail)
		slot(t, t->age_tail)->newer = ref;
	else
		t->age_head = ref;
	t->age_tail = ref;
	t->count++;
	return ref;
}

/* Grows *pp (cap elements of size elem) to at least need elements under
 * the caps, evicting older datagrams than `ref` for room.  0 or -1. */
static int grow(struct ns_ipfrag *t, uint32_t ref, void **pp, uint32_t *cap,
		uint32_t need, size_t elem, uint32_t most)
{
	if (need <= *cap)
		return 0;
	if (need > most)
		return -1;
	uint32_t n = *cap ? *cap : 8;
	while (n < need)
		n = n > most / 2 ? most : n * 2;
	size_t add = (size_t)(n - *cap) * elem;
	while (t->used + add > t->max_bytes)
		if (!evict_one(t, ref))
			return -1;
	void *np = ns_mem_realloc(t->mem, *pp, (size_t)n * elem);
	if (!np)
		return -1;
	*pp = np;
	*cap = n;
	account(t, add, 0);
	return 0;
}

/* Copies p (bytes [a, b) of the datagram) where nothing is held, compares
 * it where something is (flags in *pc), and merges [a, b) into the held
 * ranges.  The buffer holds b bytes and the span list one more entry. */
static void place(struct ns_ipfrag_dgram *d, uint32_t a, uint32_t b,
		  const uint8_t *p, struct ns_ipfrag_piece *pc)
{
	uint32_t i = 0, pos = a;
	while (i < d->nspans && d->spans[i].b < a)
		i++;
	uint32_t first = i;
	for (; i < d->nspans && d->spans[i].a <= b; i++) {
		struct span s = d->spans[i];
		if (s.a > pos)
			memcpy(d->buf + pos, p + (pos - a), s.a - pos);
		uint32_t oa = s.a > pos ? s.a : pos;
		uint32_t ob = s.b < b ? s.b : b;
		if (ob > oa) {
			pc->overlap = 1;
			if (memcmp(d->buf + oa, p + (oa - a), ob - oa) != 0)
				pc->conflict = 1;
		}
		if (s.b > pos)
			pos = s.b;
	}
	if (pos < b)
		memcpy(d->buf + pos, p + (pos - a), b - pos);
	uint32_t last = i;
	struct span m = {a, b};
	if (last > first) {
		if (d->spans[first].a < m.a)
			m.a = d->spans[first].a;
		if (d->spans[last - 1].b > m.b)
			m.b = d->spans[last - 1].b;
	}
	/* spans [first, last) become the one span m */
	uint32_t after = first + 1;
	memmove(&d->spans[after], &d->spans[last],
		(d->nspans - last) * sizeof(*d->spans));
	d->nspans = d->nspans - (last - first) + 1;
	d->spans[first] = m;
}

/* The fragments in offset order (arrival order among equals), each told
 * whether it went past the datagram's end. */
static void order_pieces(struct ns_ipfrag_dgram *d)
{
	for (uint32_t i = 1; i < d->npieces; i++) {
		struct ns_ipfrag_piece x = d->pieces[i];
		uint32_t j = i;
		while (j > 0 && d->pieces[j - 1].off > x.off) {
			d->pieces[j] = d->pieces[j - 1];
			j--;
		}
		d->pieces[j] = x;
	}
	for (uint32_t i = 0; i < d->npieces; i++)
		if (d->pieces[i].off + d->pieces[i].len > d->total)
			d->pieces[i].toolong = 1;
}

static int complete(const struct ns_ipfrag_dgram *d)
{
	return d->has_total && d->total > 0 && d->nspans > 0 &&
	       d->spans[0].a == 0 && d->spans[0].b >= d->total;
}

/* The last fragment says how long the datagram is; another one that says
 * otherwise is a second tail, and bytes past the end are too long. */
static void tail(struct ns_ipfrag_dgram *d, struct ns_ipfrag_piece *pc,
		 int more)
{
	uint32_t end = pc->off + pc->len;
	if (!more) {
		if (!d->has_total) {
			d->has_total = 1;
			d->total = end;
		} else if (end != d->total) {
			pc->multipletail = 1;
		}
	}
	if (d->has_total && end > d->total)
		pc->toolong = 1;
}

/* Keeps fragment *pc (bytes p) in datagram ref.  0, or -1 at a cap. */
static int keep(struct ns_ipfrag *t, uint32_t ref, struct ns_ipfrag_piece *pc,
		const uint8_t *p, int more)
{
	struct ns_ipfrag_dgram *d = slot(t, ref);
	uint32_t end = pc->off + pc->len;
	if (grow(t, ref, (void **)&d->pieces, &d->piececap, d->npieces + 1,
		 sizeof(*d->pieces), t->max_pieces) ||
	    grow(t, ref, (void **)&d->spans, &d->spancap, d->nspans + 1,
		 sizeof(*d->spans), t->max_pieces + 1) ||
	    grow(t, ref, (void **)&d->buf, &d->bufcap, end, 1, 65536))
		return -1;
	tail(d, pc, more);
	if (pc->len)
		place(d, pc->off, end, p, pc);
	d->pieces[d->npieces++] = *pc;
	return 0;
}

static void free_done(struct ns_ipfrag *t)
{
	if (t->done) {
		release(t, t->done);
		t->done = 0;
	}
}

static int refuse(struct ns_ipfrag *t, uint32_t ref, int too_long,
		  struct ns_ipfrag_result *res)
{
	if (ref)
		drop(t, ref);
	if (too_long)
		t->st.too_long++;
	else
		t->st.dropped++;
	res->status = NS_IPFRAG_REFUSED;
	return res->status;
}

int ns_ipfrag_add(struct ns_ipfrag *t, const struct ns_ipfrag_key *k,
		  int64_t ts, uint64_t frame, uint8_t layer, uint32_t off,
		  int more, const uint8_t *p, uint32_t n, uint32_t max,
		  struct ns_ipfrag_result *res)
{
	memset(res, 0, sizeof(*res));
	struct ns_ipfrag_piece *pc = &res->this_one;
	pc->frame = frame;
	pc->off = off;
	pc->len = n;
	pc->layer = layer;
	free_done(t);
	if (table_make(t))
		return refuse(t, 0, 0, res);
	expire(t, ts);
	uint32_t ref = find(t, k);
	if ((uint64_t)off + n > max) {
		pc->toolong = 1;
		return refuse(t, ref, 1, res);
	}
	if (!n && more) /* says nothing */
		return refuse(t, 0, 0, res);
	if (!ref)
		ref = dgram_new(t, k, ts);
	if (!ref || keep(t, ref, pc, p, more))
		return refuse(t, ref, 0, res);
	t->st.fragments++;
	t->st.overlaps += pc->overlap;
	t->st.conflicts += pc->conflict;
	struct ns_ipfrag_dgram *d = slot(t, ref);
	if (!complete(d)) {
		res->status = NS_IPFRAG_WAIT;
		return res->status;
	}
	order_pieces(d);
	unlink_dgram(t, ref);
	t->done = ref;
	t->st.reassembled++;
	res->status = NS_IPFRAG_COMPLETE;
	res->data = d->buf;
	res->len = d->total;
	res->pieces = d->pieces;
	res->npieces = d->npieces;
	return res->status;
}

void ns_ipfrag_free(struct ns_ipfrag *t)
{
	if (!t->d)
		return;
	free_done(t);
	while (t->age_head) {
		drop(t, t->age_head);
		t->st.incomplete++;
	}
	ns_mem_free(t->mem, t->d);
	ns_mem_free(t->mem, t->bucket);
	t->d = NULL;
	t->bucket = NULL;
}
