/*
 * quic_conn — QUIC connections across their paths (RFC 9000 §5.1, §9).
 *
 * A connection is made by the first long header on a UDP flow and lives
 * apart from it, from the budget, counted by the flows (paths) that hold
 * it.  Each side is reached by connection IDs it chose: the Source
 * Connection ID of its long headers and those of its NEW_CONNECTION_ID
 * frames; they are kept in one table for the run (an engine slot, at most
 * MAX_CIDS entries, chained by a hash of their first HASH_PREFIX bytes;
 * shorter IDs on a list of their own).  When a short header arrives on a flow
 * that has no connection yet (the client moved to another address or port, or a
 * NAT rebound it), its Destination Connection ID is looked up there: the
 * connection found is the flow's too, with its keys, streams and
 * numbering, and the side the ID belongs to receives the packet.  A
 * connection ends when its last path's flow does; its IDs leave the
 * table then.
 *
 * Connections are numbered in order of their first packet, as tshark's
 * quic.connection.number.
 */
#include <string.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/mem.h"
#include "core/packet.h"
#include "flow/flow.h"
#include "proto/h3.h"
#include "quic_int.h"

#define MAX_CIDS    65536 /* connection IDs remembered, the whole run */
#define HASH_PREFIX 4	  /* bytes of an ID its chain is chosen by */

struct cid_ent {
	struct quic_flow *c;
	uint32_t next; /* the next entry of its chain, + 1; 0: none */
	uint8_t cid[MAX_CID];
	uint8_t len, side;
};

struct quic_reg {
	struct ns_mem *mem;
	struct cid_ent *e;
	uint32_t n, cap; /* cap: a power of 2 */
	uint32_t *head;	 /* cap chains of IDs (entry + 1), by hash */
	uint32_t shorts; /* the chain of IDs shorter than HASH_PREFIX */
	uint32_t conns;	 /* connections made: the next one's number */
};

static void reg_free(void *state)
{
	struct quic_reg *g = state;
	ns_mem_free(g->mem, g->e);
	ns_mem_free(g->mem, g->head);
	g->e = NULL;
	g->head = NULL;
	g->n = g->cap = 0;
}

/* The chain an ID of n bytes at p belongs in (n >= HASH_PREFIX: the
 * chain of its first bytes). */
static uint32_t *chain_of(struct quic_reg *g, const uint8_t *p, size_t n)
{
	if (n < HASH_PREFIX)
		return &g->shorts;
	uint32_t k;
	memcpy(&k, p, HASH_PREFIX);
	return &g->head[(k * 2654435761u) >> 16 & (g->cap - 1)];
}

static void link_ent(struct quic_reg *g, uint32_t i)
{
	uint32_t *h = chain_of(g, g->e[i].cid, g->e[i].len);
	g->e[i].next = *h;
	*h = i + 1;
}

/* The chains again, after the table grew. */
static void relink(struct quic_reg *g)
{
	memset(g->head, 0, g->cap * sizeof(*g->head));
	g->shorts = 0;
	for (uint32_t i = 0; i < g->n; i++)
		link_ent(g, i);
}

/* The link in entry i's chain that leads to it. */
static uint32_t *link_to(struct quic_reg *g, uint32_t i)
{
	uint32_t *p = chain_of(g, g->e[i].cid, g->e[i].len);
	while (*p != i + 1)
		p = &g->e[*p - 1].next;
	return p;
}

/* Takes entry i out; the last entry moves into its place. */
static void reg_remove(struct quic_reg *g, uint32_t i)
{
	uint32_t last = g->n - 1;
	*link_to(g, i) = g->e[i].next;
	if (i != last) {
		*link_to(g, last) = i + 1;
		g->e[i] = g->e[last];
	}
	g->n--;
}

/* Room for one more entry; 0, or -1 at the cap or out of budget. */
static int reg_grow(struct quic_reg *g)
{
	if (g->n < g->cap)
		return 0;
	uint32_t cap = g->cap ? g->cap * 2 : 64;
	struct cid_ent *e;
	uint32_t *head;
	if (cap > MAX_CIDS ||
	    !(e = ns_mem_realloc(g->mem, g->e, cap * sizeof(*e))))
		return -1;
	g->e = e;
	if (!(head = ns_mem_realloc(g->mem, g->head, cap * sizeof(*head))))
		return -1; /* the entries' room grew, the chains stay */
	g->head = head;
	g->cap = cap;
	relink(g);
	return 0;
}

static struct quic_reg *reg_of(struct ns_engine *eng)
{
	extern struct ns_dissector ns_diss_quic;
	struct quic_reg *g =
	    ns_engine_slot(eng, &ns_diss_quic, sizeof(*g), reg_free);
	if (g && !g->mem)
		g->mem = &eng->mem;
	return g;
}

void ns_quic_cid_add(struct quic_flow *q, const uint8_t *cid, size_t n,
		     int side)
{
	struct quic_reg *g = q->eng ? reg_of(q->eng) : NULL;
	if (!g || !n || n > MAX_CID)
		return;
	if (g->cap)
		for (uint32_t i = *chain_of(g, cid, n); i; i = g->e[i - 1].next)
			if (g->e[i - 1].c == q && g->e[i - 1].len == n &&
			    memcmp(g->e[i - 1].cid, cid, n) == 0)
				return;
	if (reg_grow(g) < 0)
		return;
	struct cid_ent *e = &g->e[g->n];
	e->c = q;
	e->len = (uint8_t)n;
	e->side = (uint8_t)side;
	struct ns_reader r;
	ns_rd_init(&r, cid, n);
	ns_rd_copy(&r, e->cid, n);
	link_ent(g, g->n++);
}

/* The first entry of chain i whose ID the bytes at c begin with (and go
 * on past: a short header has a payload after its DCID), or NULL. */
static const struct cid_ent *chain_match(const struct quic_reg *g, uint32_t i,
					 const struct ns_reader *c)
{
	for (; i; i = g->e[i - 1].next) {
		const struct cid_ent *e = &g->e[i - 1];
		struct ns_reader at = *c;
		if (ns_rd_left(&at) <= e->len)
			continue;
		const uint8_t *p = ns_rd_ptr(&at, e->len);
		if (p && memcmp(p, e->cid, e->len) == 0)
			return e;
	}
	return NULL;
}

/* The connection whose ID a short header at r carries (its first byte,
 * then the DCID); *side the side it reaches. */
static struct quic_flow *by_cid(struct quic_reg *g, const struct ns_reader *r,
				int *side)
{
	if (!g || !g->cap)
		return NULL;
	struct ns_reader c = *r;
	ns_rd_skip(&c, 1);
	const struct cid_ent *e = NULL;
	if (ns_rd_left(&c) >= HASH_PREFIX) {
		struct ns_reader k = c;
		e = chain_match(
		    g, *chain_of(g, ns_rd_ptr(&k, HASH_PREFIX), HASH_PREFIX),
		    &c);
	}
	if (!e)
		e = chain_match(g, g->shorts, &c);
	if (!e)
		return NULL;
	*side = e->side;
	return e->c;
}

int ns_quic_known_cid(const struct ns_packet *pkt, const uint8_t *p, size_t n)
{
	if (!pkt->eng)
		return 0;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	int side;
	return by_cid(reg_of(pkt->eng), &r, &side) != NULL;
}

static void endpoint(char *dst, size_t cap, const struct ns_flow *f, int side)
{
	struct ns_buf b = {0};
	ns_flow_endpoint(&b, f, side);
	snprintf(dst, cap, "%.*s", (int)b.len, b.p ? b.p : "");
	ns_buf_free(&b);
}

static int attach(struct quic_flow *q, struct quic_path *path)
{
	if (q->refs >= MAX_PATHS)
		return -1;
	q->paths[q->refs++] = path->flow;
	q->qi.paths++;
	path->c = q;
	return 0;
}

static struct quic_flow *conn_new(struct ns_packet *pkt, struct quic_path *path)
{
	struct quic_reg *g = reg_of(pkt->eng);
	struct quic_flow *q =
	    g ? ns_mem_alloc(&pkt->eng->mem, sizeof(*q)) : NULL;
	if (!q)
		return NULL;
	memset(q, 0, sizeof(*q));
	q->mem = &pkt->eng->mem;
	q->eng = pkt->eng;
	q->bus = &pkt->eng->bus;
	q->flow = path->flow;
	q->qi.number = g->conns++;
	q->info.quic = 1;
	q->qi.first_ts = q->qi.last_ts = pkt->ts;
	q->qi.first_index = path->flow->index;
	/* its first path's ends, for its summary (the flow may be gone when
	 * the connection ends) */
	const struct ns_flow *f = path->flow;
	endpoint(q->qi.client, sizeof(q->qi.client), f, f->client);
	endpoint(q->qi.server, sizeof(q->qi.server), f, !f->client);
	attach(q, path);
	return q;
}

struct quic_flow *ns_quic_conn_of(struct ns_packet *pkt, struct quic_path *path,
				  const struct ns_reader *r)
{
	if (!path || !pkt->eng || !pkt->flow)
		return NULL;
	path->flow = pkt->flow;
	struct ns_reader c = *r;
	if (path->c || !ns_rd_left(&c))
		return path->c;
	if (ns_rd_peek(&c, 0) & 0x80)
		return conn_new(pkt, path);
	int side = 0;
	struct quic_flow *q = by_cid(reg_of(pkt->eng), r, &side);
	if (!q || attach(q, path) < 0)
		return NULL;
	/* the packet goes to `side`: its sender is the other one */
	path->have_client = 1;
	path->client_port = side ? pkt->sport : pkt->dport;
	return q;
}

void ns_quic_path_free(void *state)
{
	struct quic_path *path = state;
	struct quic_flow *q = path->c;
	if (!q)
		return;
	path->c = NULL;
	uint32_t i = 0;
	while (i < q->refs && q->paths[i] != path->flow)
		i++;
	if (i < q->refs) {
		q->paths[i] = q->paths[q->refs - 1];
		q->refs--;
	}
	if (q->refs) {
		/* events name a flow that is still there */
		if (q->flow == path->flow)
			q->flow = q->paths[q->refs - 1];
		if (q->h3)
			ns_h3_rebind(q->h3, q->paths[q->refs - 1]);
		return;
	}
	q->flow = path->flow; /* valid while it is freed */
	ns_quic_conn_end(q);
	struct quic_reg *g = reg_of(q->eng);
	for (uint32_t j = 0; g && j < g->n;)
		if (g->e[j].c == q)
			reg_remove(g, j);
		else
			j++;
	struct ns_mem *mem = q->mem;
	memset(q, 0, sizeof(*q)); /* secrets do not outlive it */
	ns_mem_free(mem, q);
}
