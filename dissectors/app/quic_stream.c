/*
 * quic_stream — QUIC STREAM data put in order per stream and direction (a
 * bidirectional stream is two byte streams, RFC 9000 §2.2)
 * and handed to HTTP/3 (src/proto/h3.h) when the connection's ALPN is h3.
 *
 * A stream's bytes are delivered from offset 0 on; bytes that come early
 * are held, sorted by offset, until the gap before them fills; bytes
 * already delivered are dropped (retransmissions).  What is held is
 * bounded per connection (MAX_PENDING, from the budget); past it, or when
 * the budget refuses, the stream is said lost to HTTP/3 and its later
 * bytes ignored.  At most MAX_STREAMS streams a connection are followed;
 * the ones past it are not decoded, and both are counted in the budget's
 * refusals.
 */
#include <string.h>

#include "core/engine.h"
#include "core/mem.h"
#include "core/packet.h"
#include "proto/h3.h"
#include "quic_int.h"

#define MAX_STREAMS 1024       /* streams followed, a connection */
#define MAX_PENDING (1u << 20) /* early bytes held, a connection */

/* The connection speaks HTTP/3: its ALPN (the server's choice, else the
 * client's only offer) is h3 or one of its drafts. */
static int is_h3(const struct quic_flow *q)
{
	const char *a = q->info.alpn[0] ? q->info.alpn : q->info.offered_alpn;
	return a[0] == 'h' && a[1] == '3' && (!a[2] || a[2] == '-');
}

void ns_quic_dropped(struct ns_packet *pkt, size_t n)
{
	if (pkt && pkt->eng)
		pkt->eng->streams.reasm.dropped += n;
}

static struct qstream *stream_of(struct quic_flow *q, uint64_t id, int dir)
{
	for (uint32_t i = 0; i < q->nst; i++)
		if (q->st[i].id == id && q->st[i].dir == dir)
			return &q->st[i];
	if (q->nst >= MAX_STREAMS)
		return NULL;
	if (q->nst == q->cap_st) {
		uint32_t cap = q->cap_st ? q->cap_st * 2 : 8;
		struct qstream *n =
		    ns_mem_realloc(q->mem, q->st, cap * sizeof(*n));
		if (!n)
			return NULL;
		q->st = n;
		q->cap_st = cap;
	}
	struct qstream *s = &q->st[q->nst++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->dir = (uint8_t)dir;
	return s;
}

static void pend_free(struct quic_flow *q, struct qstream *s)
{
	while (s->pend) {
		struct qpend *p = s->pend;
		s->pend = p->next;
		q->pending -= p->n;
		ns_mem_free(q->mem, p);
	}
}

/* The stream's bytes go no further: HTTP/3 is told once. */
static void lose(struct quic_flow *q, struct ns_packet *pkt, struct qstream *s)
{
	pend_free(q, s);
	if (s->lost)
		return;
	s->lost = 1;
	if (q->h3)
		ns_h3_stream_lost(q->h3, pkt, s->id, s->dir);
}

static void deliver(struct quic_flow *q, struct ns_packet *pkt,
		    struct qstream *s, const uint8_t *p, size_t n, int fin)
{
	s->next += n;
	if (fin)
		s->done = 1;
	if (!q->h3 && is_h3(q))
		q->h3 = ns_h3_new(pkt);
	if (q->h3)
		ns_h3_stream(q->h3, pkt, s->id, s->dir, p, n, fin);
}

/* Early bytes kept, in offset order; -1 when past the bound. */
static int hold(struct quic_flow *q, struct qstream *s, uint64_t off,
		const uint8_t *p, size_t n, int fin)
{
	if (n > MAX_PENDING - q->pending)
		return -1;
	struct qpend *e = ns_mem_alloc(q->mem, sizeof(*e) + n);
	if (!e)
		return -1;
	e->off = off;
	e->n = n;
	e->fin = (uint8_t)fin;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	ns_rd_copy(&r, e->data, n);
	struct qpend **at = &s->pend;
	while (*at && (*at)->off <= off)
		at = &(*at)->next;
	e->next = *at;
	*at = e;
	q->pending += n;
	return 0;
}

/* Bytes at off: what of them is new, once in order. */
static void in_order(struct quic_flow *q, struct ns_packet *pkt,
		     struct qstream *s, uint64_t off, const uint8_t *p,
		     size_t n, int fin)
{
	uint64_t end = off + n;
	if (end < s->next || (end == s->next && (!fin || s->done)))
		return; /* all delivered already */
	size_t skip = (size_t)(s->next - off);
	deliver(q, pkt, s, p + skip, n - skip, fin);
}

/* Held bytes that the stream has reached. */
static void drain(struct quic_flow *q, struct ns_packet *pkt, struct qstream *s)
{
	while (s->pend && s->pend->off <= s->next && !s->done && !s->lost) {
		struct qpend *e = s->pend;
		s->pend = e->next;
		q->pending -= e->n;
		in_order(q, pkt, s, e->off, e->data, e->n, e->fin);
		ns_mem_free(q->mem, e);
	}
}

void ns_quic_stream_data(struct quic_flow *q, struct ns_packet *pkt, int dir,
			 uint64_t id, uint64_t off, const uint8_t *p, size_t n,
			 int fin)
{
	if (!q->mem || off > UINT64_MAX - n)
		return;
	struct qstream *s = stream_of(q, id, dir);
	if (!s || s->lost) {
		ns_quic_dropped(pkt, n);
		return;
	}
	if (s->done)
		return;
	if (off > s->next) {
		if (hold(q, s, off, p, n, fin) < 0) {
			ns_quic_dropped(pkt, n);
			lose(q, pkt, s);
		}
		return;
	}
	in_order(q, pkt, s, off, p, n, fin);
	drain(q, pkt, s);
}

void ns_quic_stream_reset(struct quic_flow *q, struct ns_packet *pkt, int dir,
			  uint64_t id, uint64_t error)
{
	if (!q->mem)
		return;
	struct qstream *s = stream_of(q, id, dir);
	if (!s || s->done)
		return;
	pend_free(q, s);
	s->done = 1;
	if (q->h3)
		ns_h3_stream_reset(q->h3, pkt, id, dir, error);
}

void ns_quic_streams_free(struct quic_flow *q)
{
	for (uint32_t i = 0; i < q->nst; i++)
		pend_free(q, &q->st[i]);
	ns_mem_free(q->mem, q->st);
	q->st = NULL;
	q->nst = q->cap_st = 0;
	if (q->h3)
		ns_h3_free(q->h3);
	q->h3 = NULL;
}
