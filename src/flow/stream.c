/*
 * stream — see stream.h.
 *
 * A connection gets stream state only when something will read its bytes:
 * an application dissector bound by port, heuristics that have not yet
 * decided, or a subscriber of its bytes (-z follow).  A connection whose first
 * bytes no heuristic claims is let go, so unknown protocols cost no buffering.
 */
#include "flow/stream.h"

#include <stdlib.h>
#include <string.h>

#include "core/dissect.h"
#include "core/event.h"
#include "core/mem.h"
#include "core/error.h"
#include "flow/tcpconn.h"

#define TH_SYN 0x02
#define TH_ACK 0x10
/* bytes a heuristic may ask for before the connection is let go */
#define PROBE_MAX 4096

static const struct ns_dissector *by_port(uint16_t server, uint16_t client)
{
	uint16_t lo = server < client ? server : client;
	uint16_t hi = server < client ? client : server;
	const struct ns_dissector *d = ns_table_lookup(NS_TAB_TCP_PORT, lo);
	if (d && d->stream)
		return d;
	d = ns_table_lookup(NS_TAB_TCP_PORT, hi);
	return d && d->stream ? d : NULL;
}

static void bind(struct ns_stream *st, const struct ns_dissector *d)
{
	st->app = d;
	st->decided = 1;
}

/* The bound dissector's state, allocated when it first has something to
 * do, so that connections that never carry a byte (a flood of SYNs to its
 * port) cost none; NULL (out of memory) stops the dissector. */
static void *app_state(struct ns_streams *e, struct ns_stream *st)
{
	if (!st->state) {
		size_t n = st->app->stream->state_size;
		st->state = ns_mem_alloc(e->mem, n ? n : 1);
		if (!st->state)
			st->stopped = 1;
	}
	return st->state;
}

void ns_stream_free(struct ns_streams *e, struct ns_stream *st)
{
	if (!st)
		return;
	if (st->app && st->state && st->app->stream->destroy)
		st->app->stream->destroy(st->state);
	ns_mem_free(e->mem, st->state);
	ns_reasm_free(&st->rd[0], &e->reasm);
	ns_reasm_free(&st->rd[1], &e->reasm);
	free(st->switch_hint);
	free(st);
}

/* New contiguous bytes of direction dir, for their subscribers. */
static void bytes(struct ns_streams *e, struct ns_packet *pkt,
		  struct ns_flow *f, int dir, const uint8_t *p, uint32_t n)
{
	if (!n)
		return;
	struct ns_event ev = {.type = NS_EV_STREAM_DATA,
			      .pkt = pkt,
			      .flow = f,
			      .dir = dir,
			      .u.data = {p, n}};
	ev.ts = pkt ? pkt->ts : f->last_ts;
	ns_bus_publish(e->bus, &ev);
}

/* Skips a hole in direction dir, telling the consumers; returns the bytes
 * skipped. */
static uint32_t skip(struct ns_streams *e, struct ns_packet *pkt,
		     struct ns_flow *f, struct ns_stream *st, int dir,
		     uint32_t to, int to_buffered)
{
	struct ns_reasm_dir *rd = &st->rd[dir];
	uint32_t n = ns_reasm_skip(rd, &e->reasm, to, to_buffered);
	if (!n)
		return 0;
	st->gaps[dir] += n;
	if (st->app && !st->stopped && st->app->stream->gap &&
	    app_state(e, st)) {
		struct ns_stream_ctx ctx = {pkt, f, st, dir, e->eng};
		if (!st->app->stream->gap(st->state, &ctx, n))
			st->stopped = 1;
	}
	if (st->follow) {
		struct ns_event ev = {.type = NS_EV_STREAM_GAP,
				      .pkt = pkt,
				      .flow = f,
				      .dir = dir,
				      .u.gap = n};
		ev.ts = pkt ? pkt->ts : f->last_ts;
		ns_bus_publish(e->bus, &ev);
		/* what became contiguous behind the hole */
		bytes(e, pkt, f, dir, rd->pending, rd->plen);
	}
	return n;
}

static int wanted(const struct ns_stream *st)
{
	return st->follow || (st->app && !st->stopped) || !st->decided;
}

void ns_stream_segment(struct ns_streams *e, struct ns_packet *pkt,
		       struct ns_flow *f, int dir, uint32_t seq, uint32_t ack,
		       uint16_t flags, const uint8_t *payload, uint32_t len,
		       uint16_t server_port, uint16_t client_port)
{
	struct ns_stream *st = f->stream;
	if (!st) {
		int follow = ns_bus_wants_stream(e->bus, f);
		const struct ns_dissector *d =
		    e->dissection ? by_port(server_port, client_port) : NULL;
		unsigned nheur;
		ns_stream_heuristics(&nheur);
		int heur = e->dissection && !d && nheur > 0;
		if (!follow && !d && !heur)
			return;
		if (f->tcp == NULL)
			return;
		st = calloc(1, sizeof(*st));
		if (!st)
			return;
		f->stream = st;
		st->follow = (uint8_t)follow;
		if (d)
			bind(st, d);
	}
	if (!wanted(st))
		return;
	struct ns_reasm_dir *rd = &st->rd[dir];
	struct ns_reasm_result res;
	ns_reasm_add(rd, &e->reasm, seq, flags, payload, len, pkt->ts, pkt->num,
		     &res);
	pkt->stream_flow = f;
	pkt->stream_dir = dir;
	pkt->streams = e;
	pkt->deliver = ns_stream_deliver;
	if (st->follow && res.new_bytes)
		bytes(e, pkt, f, dir, rd->pending + rd->plen - res.new_bytes,
		      res.new_bytes);
	/* a cap was reached: what is buffered is all there will be */
	if (res.dropped)
		skip(e, pkt, f, st, dir, 0, 1);
	/* the peer acknowledged bytes of the other direction never seen, and
	 * later bytes wait behind them: the hole is a loss in the capture.
	 * (Without waiting bytes the hole may yet be filled: captures put an
	 * ACK before the data it acknowledges when clocks or queues differ.) */
	if (flags & TH_ACK) {
		struct ns_reasm_dir *o = &st->rd[!dir];
		for (int i = 0; i < 64 && ns_reasm_has_buffered(o) &&
				ns_reasm_missing(o, ack);
		     i++) {
			int to_buf = ns_reasm_buffered_before(o, ack);
			if (!skip(e, pkt, f, st, !dir, ack, to_buf))
				break;
		}
	}
}

static void probe(const struct ns_flow *f, struct ns_stream *st, int dir)
{
	const struct ns_reasm_dir *rd = &st->rd[dir];
	if (st->decided || rd->plen == 0)
		return;
	/* the direction's first bytes, after a handshake that was seen */
	int from_start = f->tcp && !f->tcp->midstream && !st->gaps[dir];
	unsigned n;
	const struct ns_dissector *const *h = ns_stream_heuristics(&n);
	int undecided = 0;
	for (unsigned i = 0; i < n; i++) {
		int r =
		    h[i]->stream->probe(rd->pending, rd->plen, dir, from_start);
		if (r > 0) {
			bind(st, h[i]);
			return;
		}
		if (r < 0)
			undecided = 1;
	}
	if (!undecided || rd->plen >= PROBE_MAX)
		st->decided = 1; /* nobody claims it */
}

/* The bound dissector's part ends (a switch or a tunnel): its end()
 * says what is still to be told, its state goes. */
static void app_end(struct ns_streams *e, struct ns_packet *pkt,
		    struct ns_flow *f, struct ns_stream *st, int dir)
{
	if (st->state && st->app->stream->end) {
		struct ns_stream_ctx ctx = {pkt, f, st, dir, e->eng};
		st->app->stream->end(st->state, &ctx);
	}
	if (st->state && st->app->stream->destroy)
		st->app->stream->destroy(st->state);
	ns_mem_free(e->mem, st->state);
	st->state = NULL;
}

static void feed(struct ns_streams *e, struct ns_packet *pkt, struct ns_flow *f,
		 struct ns_stream *st, int dir)
{
	struct ns_reasm_dir *rd = &st->rd[dir];
	probe(f, st, dir);
	uint32_t used = rd->plen;
	if (st->app && !st->stopped && rd->plen && app_state(e, st)) {
		struct ns_stream_ctx ctx = {pkt, f, st, dir, e->eng};
		size_t n = st->app->stream->consume(st->state, &ctx,
						    rd->pending, rd->plen);
		used = (uint32_t)(n > rd->plen ? rd->plen : n);
	} else if (!st->decided) {
		used = 0; /* keep it for the heuristics */
	}
	ns_reasm_consume(rd, &e->reasm, used);
	if (st->reprobe && !st->stopped) {
		/* a tunnel opened (CONNECT): the dissector goes, and the
		 * heuristics look at what follows, each way from its start */
		st->reprobe = 0;
		app_end(e, pkt, f, st, dir);
		st->app = NULL;
		st->decided = 0;
		probe(f, st, dir);
	}
	if (st->switch_to && !st->stopped) {
		/* the protocol changed (Upgrade): the new dissector takes
		 * what is left of both directions */
		const struct ns_dissector *d = st->switch_to;
		st->switch_to = NULL;
		app_end(e, pkt, f, st, dir);
		bind(st, d);
		if (app_state(e, st)) {
			if (d->stream->upgraded)
				d->stream->upgraded(st->state, st->switch_hint);
			free(st->switch_hint);
			st->switch_hint = NULL;
			if (rd->plen) {
				struct ns_stream_ctx ctx = {pkt, f, st, dir,
							    e->eng};
				size_t n = d->stream->consume(
				    st->state, &ctx, rd->pending, rd->plen);
				ns_reasm_consume(
				    rd, &e->reasm,
				    (uint32_t)(n > rd->plen ? rd->plen : n));
			}
		}
	}
	if (rd->fin && !st->fin_told[dir]) {
		st->fin_told[dir] = 1;
		if (st->app && !st->stopped && st->state &&
		    st->app->stream->fin) {
			struct ns_stream_ctx ctx = {pkt, f, st, dir, e->eng};
			st->app->stream->fin(st->state, &ctx);
		}
	}
	/* the direction ended in order and its dissector was told: what it
	 * left unconsumed can never be completed, so it is not kept for the
	 * 60 s a closed connection waits */
	if (rd->fin && st->fin_told[dir] && rd->plen &&
	    !ns_reasm_has_buffered(rd))
		ns_reasm_consume(rd, &e->reasm, rd->plen);
}

int ns_stream_deliver(struct ns_packet *pkt)
{
	struct ns_streams *e = pkt->streams;
	struct ns_flow *f = pkt->stream_flow;
	struct ns_stream *st = f ? f->stream : NULL;
	if (!st)
		return 0;
	feed(e, pkt, f, st, pkt->stream_dir);
	/* a gap skipped in the other direction may have made its buffered
	 * bytes contiguous */
	if (st->rd[!pkt->stream_dir].plen)
		feed(e, pkt, f, st, !pkt->stream_dir);
	return st->app != NULL && !st->stopped;
}

void ns_stream_finish(struct ns_streams *e, struct ns_flow *f)
{
	struct ns_stream *st = f->stream;
	if (!st)
		return;
	for (int dir = 0; dir < 2; dir++) {
		struct ns_reasm_dir *rd = &st->rd[dir];
		for (int i = 0; i < 100000 && ns_reasm_has_buffered(rd); i++)
			if (!skip(e, NULL, f, st, dir, 0, 1))
				break;
		if (!st->fin_told[dir] && st->app && !st->stopped &&
		    st->state && st->app->stream->fin) {
			st->fin_told[dir] = 1;
			struct ns_stream_ctx ctx = {NULL, f, st, dir, e->eng};
			st->app->stream->fin(st->state, &ctx);
		}
	}
	/* the connection ends: the dissector's last events */
	if (st->app && st->state && st->app->stream->end) {
		struct ns_stream_ctx ctx = {NULL, f, st, 0, e->eng};
		st->app->stream->end(st->state, &ctx);
	}
}

int ns_stream_message(struct ns_stream_ctx *ctx, const struct ns_dissector *d,
		      const uint8_t *msg, size_t len, void *state)
{
	struct ns_packet *pkt = ctx->pkt;
	uint8_t *copy = ns_arena_alloc(&pkt->arena, len ? len : 1);
	if (!copy)
		return -1;
	memcpy(copy, msg, len);
	return ns_stream_message_arena(ctx, d, copy, len, state);
}

int ns_stream_message_arena(struct ns_stream_ctx *ctx,
			    const struct ns_dissector *d, const uint8_t *msg,
			    size_t len, void *state)
{
	struct ns_reader r;
	ns_rd_init(&r, msg, len);
	struct ns_dctx cx = {.d = d, .stream = ctx, .state = state};
	return ns_dissect_layer(ctx->pkt, d, &r, msg, (uint32_t)len, &cx);
}

void ns_stream_message_end(struct ns_stream_ctx *ctx, int li)
{
	struct ns_packet *pkt = ctx->pkt;
	if (li >= 0 && (unsigned)li + 1 == pkt->nlayers)
		pkt->layers[li].fv_end = pkt->nfv;
}

void ns_stream_reprobe(struct ns_stream_ctx *ctx)
{
	ctx->st->reprobe = 1;
}

void ns_stream_switch(struct ns_stream_ctx *ctx, const struct ns_dissector *d,
		      const char *hint)
{
	if (!d || !d->stream)
		return;
	ctx->st->switch_to = d;
	free(ctx->st->switch_hint);
	ctx->st->switch_hint = hint ? strdup(hint) : NULL;
}

int64_t ns_stream_time_at(const struct ns_stream_ctx *ctx, size_t off)
{
	const struct ns_reasm_mark *m =
	    ns_reasm_mark_at(&ctx->st->rd[ctx->dir], (uint32_t)off);
	return m ? m->ts : ctx->pkt->ts;
}

const struct ns_dissector *
ns_stream_probe_other(const struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n, int *more)
{
	unsigned nh;
	const struct ns_dissector *const *h = ns_stream_heuristics(&nh);
	*more = 0;
	for (unsigned i = 0; i < nh; i++) {
		if (h[i] == ctx->st->app)
			continue;
		int r = h[i]->stream->probe(p, n, ctx->dir, 0);
		if (r > 0)
			return h[i];
		if (r < 0)
			*more = 1;
	}
	return NULL;
}
