/*
 * quic_conn — QUIC connections across their paths (RFC 9000 §5.1, §9).
 *
 * A connection is made by the first long header on a UDP flow and lives
 * apart from it, from the budget, counted by the flows (paths) that hold
 * it.  Each side is reached by connection IDs it chose: the Source
 * Connection ID of its long headers and those of its NEW_CONNECTION_ID
 * frames; they are kept in one table for the run (an engine slot, at most
 * MAX_CIDS entries).  When a short header arrives on a flow that has no
 * connection yet (the client moved to another address or port, or a NAT
 * rebound it), its Destination Connection ID is looked up there: the
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

#define MAX_CIDS 65536 /* connection IDs remembered, the whole run */

struct cid_ent {
	struct quic_flow *c;
	uint8_t cid[MAX_CID];
	uint8_t len, side;
};

struct quic_reg {
	struct ns_mem *mem;
	struct cid_ent *e;
	uint32_t n, cap;
	uint32_t conns; /* connections made: the next one's number */
};

static void reg_free(void *state)
{
	struct quic_reg *g = state;
	ns_mem_free(g->mem, g->e);
	g->e = NULL;
	g->n = g->cap = 0;
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
	for (uint32_t i = 0; i < g->n; i++)
		if (g->e[i].c == q && g->e[i].len == n &&
		    memcmp(g->e[i].cid, cid, n) == 0)
			return;
	if (g->n == g->cap) {
		uint32_t cap = g->cap ? g->cap * 2 : 64;
		struct cid_ent *e;
		if (cap > MAX_CIDS ||
		    !(e = ns_mem_realloc(g->mem, g->e, cap * sizeof(*e))))
			return;
		g->e = e;
		g->cap = cap;
	}
	struct cid_ent *e = &g->e[g->n++];
	e->c = q;
	e->len = (uint8_t)n;
	e->side = (uint8_t)side;
	struct ns_reader r;
	ns_rd_init(&r, cid, n);
	ns_rd_copy(&r, e->cid, n);
}

/* The connection whose ID a short header at r carries (its first byte,
 * then the DCID); *side the side it reaches. */
static struct quic_flow *by_cid(struct quic_reg *g, const struct ns_reader *r,
				int *side)
{
	for (uint32_t i = 0; g && i < g->n; i++) {
		struct ns_reader c = *r;
		ns_rd_skip(&c, 1);
		if (ns_rd_left(&c) <= g->e[i].len)
			continue;
		const uint8_t *p = ns_rd_ptr(&c, g->e[i].len);
		if (p && memcmp(p, g->e[i].cid, g->e[i].len) == 0) {
			*side = g->e[i].side;
			return g->e[i].c;
		}
	}
	return NULL;
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
			g->e[j] = g->e[--g->n];
		else
			j++;
	struct ns_mem *mem = q->mem;
	memset(q, 0, sizeof(*q)); /* secrets do not outlive it */
	ns_mem_free(mem, q);
}
