/*
 * reasm — see reasm.h.
 *
 * Overlaps keep the bytes seen first, as a receiver that has already
 * acknowledged them would (and as Wireshark's follow does), so a
 * retransmission with different content cannot rewrite a delivered stream.
 * The same holds among out-of-order segments.  One exception: a segment
 * that arrives in order is taken whole, and out-of-order bytes it covers
 * are dropped when they are pulled (tests/test_reasm.c shows each case).
 */
#include "flow/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define TH_FIN 0x01
#define TH_SYN 0x02

/* the smallest pending buffer a drained-down one is shrunk to */
#define REASM_SHRINK_MIN 64
/* a pending buffer this size or smaller is not shrunk: the next segment
 * would grow it again (a realloc each way per segment, when a dissector
 * keeps a few bytes of each, as TLS looking for a record header does) */
#define REASM_SHRINK_FROM 4096

struct ns_reasm_seg {
	struct ns_reasm_seg *next;
	uint32_t seq, len;
	int64_t ts;
	uint64_t frame;
	uint8_t data[];
};

static inline int32_t seqdiff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void ns_reasm_init(struct ns_reasm_dir *d)
{
	memset(d, 0, sizeof(*d));
}

static void release(struct ns_reasm_limits *lim, uint64_t n)
{
	lim->in_use = lim->in_use >= n ? lim->in_use - n : 0;
}

void ns_reasm_free(struct ns_reasm_dir *d, struct ns_reasm_limits *lim)
{
	struct ns_reasm_seg *s = d->ooo;
	while (s) {
		struct ns_reasm_seg *n = s->next;
		free(s);
		s = n;
	}
	release(lim, (uint64_t)d->ooo_bytes + d->pcap);
	free(d->pending);
	free(d->marks);
	memset(d, 0, sizeof(*d));
}

static int fits(const struct ns_reasm_dir *d, const struct ns_reasm_limits *lim,
		uint64_t more)
{
	return (uint64_t)d->plen + d->ooo_bytes + more <= lim->per_dir &&
	       lim->in_use + more <= lim->global;
}

/* Room for one more mark: the ring grows (oldest first again) up to
 * NS_REASM_MARKS, then forgets its oldest.  0, or -1 without memory. */
static int mark_room(struct ns_reasm_dir *d)
{
	if (d->nmarks < d->mcap)
		return 0;
	if (d->mcap < NS_REASM_MARKS) {
		unsigned cap = d->mcap ? d->mcap * 2u : NS_REASM_MARKS_MIN;
		struct ns_reasm_mark *m = malloc(cap * sizeof(*m));
		if (m) {
			for (unsigned i = 0; i < d->nmarks; i++)
				m[i] = d->marks[(d->mhead + i) % d->mcap];
			free(d->marks);
			d->marks = m;
			d->mhead = 0;
			d->mcap = (uint8_t)cap;
			return 0;
		}
		if (!d->mcap)
			return -1; /* no times: consumers use the packet's */
	}
	d->mhead = (uint8_t)((d->mhead + 1) % d->mcap); /* forget the oldest */
	d->nmarks--;
	return 0;
}

static void mark(struct ns_reasm_dir *d, uint64_t off, int64_t ts,
		 uint64_t frame)
{
	if (mark_room(d) < 0)
		return;
	struct ns_reasm_mark *m = &d->marks[(d->mhead + d->nmarks) % d->mcap];
	m->off = off;
	m->ts = ts;
	m->frame = frame;
	d->nmarks++;
}

/* Appends in-order bytes to pending. */
static int append(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		  const uint8_t *p, uint32_t n, int64_t ts, uint64_t frame)
{
	if (n == 0)
		return 0;
	if (d->plen + n > d->pcap) {
		/* sized for what arrives (it is freed once drained, so it
		 * seldom grows): a segment, or a message in the making */
		uint32_t cap = d->pcap ? d->pcap : 256;
		while (cap < d->plen + n)
			cap *= 2;
		uint8_t *b = realloc(d->pending, cap);
		if (!b)
			return NS_ENOMEM;
		lim->in_use += cap - d->pcap;
		if (lim->in_use > lim->peak)
			lim->peak = lim->in_use;
		d->pending = b;
		d->pcap = cap;
	}
	memcpy(d->pending + d->plen, p, n);
	mark(d, d->offset + d->plen, ts, frame);
	d->plen += n;
	d->next += n;
	d->delivered += n;
	return 0;
}

/* Moves out-of-order segments that have become contiguous into pending. */
static void pull(struct ns_reasm_dir *d, struct ns_reasm_limits *lim)
{
	while (d->ooo && seqdiff(d->ooo->seq, d->next) <= 0) {
		struct ns_reasm_seg *s = d->ooo;
		d->ooo = s->next;
		if (!d->ooo)
			d->ooo_tail = NULL;
		d->ooo_bytes -= s->len;
		release(lim, s->len);
		int32_t skip = seqdiff(d->next, s->seq);
		if ((uint32_t)skip < s->len)
			append(d, lim, s->data + skip, s->len - (uint32_t)skip,
			       s->ts, s->frame);
		free(s);
	}
	if (d->has_fin && d->next == d->fin_seq)
		d->fin = 1;
}

/* Links a copy of p[0..n) in at *link. */
static int insert(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		  struct ns_reasm_seg **link, uint32_t seq, const uint8_t *p,
		  uint32_t n, int64_t ts, uint64_t frame)
{
	if (!fits(d, lim, n))
		return NS_ELIMIT;
	struct ns_reasm_seg *s = malloc(sizeof(*s) + n);
	if (!s)
		return NS_ENOMEM;
	s->seq = seq;
	s->len = n;
	s->ts = ts;
	s->frame = frame;
	memcpy(s->data, p, n);
	s->next = *link;
	*link = s;
	if (!s->next)
		d->ooo_tail = s;
	d->ooo_bytes += n;
	lim->in_use += n;
	if (lim->in_use > lim->peak)
		lim->peak = lim->in_use;
	return 0;
}

static int buffer(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		  uint32_t seq, const uint8_t *p, uint32_t n, int64_t ts,
		  uint64_t frame)
{
	/* trim against segments already held: the first copy wins.  One
	 * insertion passes at most NS_REASM_MAX_WALK segments, so a flood of
	 * tiny out-of-order segments costs linear time, not quadratic: past
	 * that the data is dropped as over a cap (and a gap follows). */
	struct ns_reasm_seg *t = d->ooo_tail;
	if (t && seqdiff(seq, t->seq + t->len) >= 0)
		return insert(d, lim, &t->next, seq, p, n, ts, frame);
	struct ns_reasm_seg **link = &d->ooo;
	unsigned walked = 0;
	while (*link && n) {
		if (++walked > NS_REASM_MAX_WALK)
			return NS_ELIMIT;
		struct ns_reasm_seg *s = *link;
		uint32_t s_end = s->seq + s->len;
		if (seqdiff(seq + n, s->seq) <= 0)
			break; /* ends before s: insert here */
		if (seqdiff(seq, s_end) >= 0) {
			link = &s->next; /* starts after s */
			continue;
		}
		if (seqdiff(seq, s->seq) < 0) {
			/* the part before s goes in just before it; the rest
			 * is handled against s and the segments after it */
			uint32_t head = (uint32_t)seqdiff(s->seq, seq);
			int rc = insert(d, lim, link, seq, p, head, ts, frame);
			if (rc)
				return rc;
			link = &(*link)->next; /* s again */
			p += head;
			seq += head;
			n -= head;
			continue;
		}
		/* starts inside s */
		uint32_t covered = (uint32_t)seqdiff(s_end, seq);
		if (covered >= n)
			return 0;
		p += covered;
		seq += covered;
		n -= covered;
		link = &s->next;
	}
	if (!n)
		return 0;
	return insert(d, lim, link, seq, p, n, ts, frame);
}

int ns_reasm_add(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		 uint32_t seq, uint16_t flags, const uint8_t *data,
		 uint32_t len, int64_t ts, uint64_t frame,
		 struct ns_reasm_result *res)
{
	memset(res, 0, sizeof(*res));
	if (flags & TH_SYN) {
		if (!d->started) {
			d->next = seq + 1;
			d->started = 1;
		}
		seq += 1; /* the SYN takes one sequence number */
	} else if (!d->started) {
		d->next = seq; /* mid-stream: start where the capture does */
		d->started = 1;
	}
	if (flags & TH_FIN && !d->has_fin) {
		d->has_fin = 1;
		d->fin_seq = seq + len;
	}
	if (len == 0) {
		if (d->has_fin && d->next == d->fin_seq)
			d->fin = 1;
		return 0;
	}
	int32_t ahead = seqdiff(seq, d->next);
	if (ahead > 0) {
		int rc = buffer(d, lim, seq, data, len, ts, frame);
		if (rc) {
			lim->dropped += len;
			res->dropped = 1;
			return rc == NS_ELIMIT ? 0 : rc;
		}
		res->buffered = 1;
		return 0;
	}
	/* bytes of it already delivered (unsigned: 2^31 behind is a
	 * distance too, where negating ahead would overflow) */
	uint32_t old = d->next - seq;
	if (old >= len) {
		res->retransmit = 1;
		return 0;
	}
	uint32_t before = d->plen;
	if (!fits(d, lim, len - old) ||
	    append(d, lim, data + old, len - old, ts, frame) < 0) {
		lim->dropped += len - old;
		res->dropped = 1;
		return 0;
	}
	pull(d, lim);
	res->new_bytes = d->plen - before;
	return 0;
}

uint32_t ns_reasm_missing(const struct ns_reasm_dir *d, uint32_t ack)
{
	if (!d->started)
		return 0;
	int32_t n = seqdiff(ack, d->next);
	/* an ACK of our FIN counts it; anything beyond that is data the
	 * capture missed (bounded: a wild ACK is not a 2 GB gap) */
	if (d->has_fin && ack == d->fin_seq + 1 && d->next == d->fin_seq)
		return 0;
	return n > 0 && n < (1 << 30) ? (uint32_t)n : 0;
}

int ns_reasm_buffered_before(const struct ns_reasm_dir *d, uint32_t seq)
{
	return d->ooo && seqdiff(d->ooo->seq, seq) < 0;
}

uint32_t ns_reasm_skip(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		       uint32_t to, int to_first_buffered)
{
	ns_reasm_consume(d, lim, d->plen);
	if (to_first_buffered) {
		if (!d->ooo)
			return 0;
		to = d->ooo->seq;
	}
	int32_t n = seqdiff(to, d->next);
	if (n <= 0)
		return 0;
	d->next = to;
	d->offset += (uint32_t)n;
	d->delivered += (uint32_t)n;
	lim->gaps++;
	lim->gap_bytes += (uint32_t)n;
	pull(d, lim);
	return (uint32_t)n;
}

/* Gives back pending and its marks once the consumer has taken all: most
 * connections sit idle between messages, and closed ones wait for their
 * timeout, so none of them keeps a buffer. */
static void drained(struct ns_reasm_dir *d, struct ns_reasm_limits *lim)
{
	free(d->pending);
	release(lim, d->pcap);
	d->pending = NULL;
	d->pcap = 0;
	free(d->marks);
	d->marks = NULL;
	d->mhead = d->nmarks = d->mcap = 0;
}

/* Reallocates pending to the smallest power of two (at least
 * REASM_SHRINK_MIN) that holds what it has. */
static void shrink(struct ns_reasm_dir *d, struct ns_reasm_limits *lim)
{
	uint32_t cap = REASM_SHRINK_MIN;
	while (cap < d->plen)
		cap *= 2;
	uint8_t *b = realloc(d->pending, cap);
	if (!b)
		return; /* keeps the larger one */
	release(lim, d->pcap - cap);
	d->pending = b;
	d->pcap = cap;
}

void ns_reasm_consume(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		      uint32_t n)
{
	if (n > d->plen)
		n = d->plen;
	if (n == d->plen) {
		d->offset += n;
		d->plen = 0;
		if (d->pending || d->marks)
			drained(d, lim);
		return;
	}
	if (n == 0)
		return;
	memmove(d->pending, d->pending + n, d->plen - n);
	d->plen -= n;
	d->offset += n;
	/* drop marks wholly before the new front, keeping the one covering it
	 */
	while (d->nmarks > 1) {
		const struct ns_reasm_mark *second =
		    &d->marks[(d->mhead + 1) % d->mcap];
		if (second->off > d->offset)
			break;
		d->mhead = (uint8_t)((d->mhead + 1) % d->mcap);
		d->nmarks--;
	}
	/* a few bytes left of a large buffer (a header cut by the segment's
	 * end, or bytes the dissector waits to make sense of): they may wait
	 * long, so they wait in a buffer their size */
	if (d->pcap > REASM_SHRINK_FROM && d->plen <= d->pcap / 8)
		shrink(d, lim);
}

const struct ns_reasm_mark *ns_reasm_mark_at(const struct ns_reasm_dir *d,
					     uint32_t off)
{
	if (!d->nmarks)
		return NULL;
	uint64_t want = d->offset + off;
	const struct ns_reasm_mark *best = &d->marks[d->mhead];
	for (unsigned i = 1; i < d->nmarks; i++) {
		const struct ns_reasm_mark *m =
		    &d->marks[(d->mhead + i) % d->mcap];
		if (m->off > want)
			break;
		best = m;
	}
	return best;
}
