/*
 * gRPC (PROTOCOL-HTTP2.md and PROTOCOL-WEB.md of grpc/grpc) as a body
 * format (core/body.h): it takes the bodies whose content type is
 * application/grpc* from whatever transport carries them — HTTP/2, and
 * gRPC-Web over HTTP/1.1 — frames their messages (src/proto/grpcmsg.c),
 * and after each delivery records a `grpc` layer holding what completed
 * (messages, the end of a side) on the packet that completed it.  The
 * layer's bytes are the messages (5-byte prefix and kept payload) one
 * after the other; what only the connection knows (the call's path,
 * status, counts) is read from the calls, found again by id through the
 * transport (ns_body_conn.find), and the events are lent to the layer
 * (ns_dctx.state).  Each message is decoded as protobuf (protobuf.c),
 * typed with the method's input or output type when the
 * --proto-descriptor set has the call's path; gzip messages are inflated
 * with zlib first.  Without events (unit tests, the fuzzer) the bytes are
 * parsed as messages one after another.
 *
 * An event names its call by HTTP/2 stream id (grpc.stream_id), or, over
 * HTTP/1.1, by a label (grpc.http1): the request and response are the
 * HTTP/1.1 messages of the layer before.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/body.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/txn.h"
#include "proto/grpcmsg.h"
#include "proto/pbschema.h"
#include "flow/stream.h"

enum {
	G_STREAMID,
	G_HTTP1,
	G_PATH,
	G_SERVICE,
	G_METHOD,
	G_FRAME_TYPE,
	G_COMPRESSED,
	G_LENGTH,
	G_INFLATED,
	G_STATUS,
	G_MESSAGE,
	G_TIMEOUT,
	G_REQ_MSGS,
	G_RESP_MSGS,
	G_REQ_BYTES,
	G_RESP_BYTES,
	G_LATENCY,
	G_FIRST_MSG,
	G_GAP_MAX,
	G_ERROR,
	G_LOST,
	G_COUNT
};

/* bit 7 of the flags byte: a gRPC-Web frame of trailers */
static const struct ns_valstr frame_types[] = {
    {0, "Data"},
    {1, "Trailers"},
    {0, NULL},
};

static struct ns_field gfields[] = {
    [G_STREAMID] = NS_F_UINT("grpc.stream_id", "HTTP/2 stream", 32),
    [G_HTTP1] = NS_F_NONE("grpc.http1", "gRPC-Web call over HTTP/1.1"),
    [G_PATH] = NS_F_STR("grpc.path", "Path"),
    [G_SERVICE] = NS_F_STR("grpc.service", "Service"),
    [G_METHOD] = NS_F_STR("grpc.method", "Method"),
    [G_FRAME_TYPE] =
	NS_F_VALS("grpc.frame_type", "Frame Type", 8, NS_BASE_DEC, frame_types),
    [G_COMPRESSED] = NS_F_UINT("grpc.compressed_flag", "Compressed Flag", 8),
    [G_LENGTH] = NS_F_UINT("grpc.message_length", "Message Length", 32),
    [G_INFLATED] =
	NS_F_UINT("grpc.uncompressed_length", "Uncompressed length", 32),
    [G_STATUS] = NS_F_VALS("grpc.status", "Status", 32, NS_BASE_DEC,
			   ns_grpc_status_names),
    [G_MESSAGE] = NS_F_STR("grpc.message", "Status message (decoded)"),
    [G_TIMEOUT] = NS_F_RELTIME("grpc.timeout", "Deadline (grpc-timeout)"),
    [G_REQ_MSGS] = NS_F_UINT("grpc.request_messages", "Request messages", 32),
    [G_RESP_MSGS] =
	NS_F_UINT("grpc.response_messages", "Response messages", 32),
    [G_REQ_BYTES] =
	NS_F_UINT("grpc.request_bytes", "Request message bytes", 64),
    [G_RESP_BYTES] =
	NS_F_UINT("grpc.response_bytes", "Response message bytes", 64),
    [G_LATENCY] = NS_F_RELTIME("grpc.latency", "Latency (request to trailers)"),
    [G_FIRST_MSG] = NS_F_RELTIME("grpc.first_message_time",
				 "Time to first response message"),
    [G_GAP_MAX] = NS_F_RELTIME("grpc.max_message_gap",
			       "Longest gap between response messages"),
    [G_ERROR] = NS_F_STR("grpc.error", "Problem"),
    [G_LOST] =
	NS_F_STR("grpc.headers_lost", "Known and unknown after lost headers"),
};

extern struct ns_dissector ns_diss_grpc;

/* What the grpc layer of a delivery is lent (ns_dctx.state). */
struct lend {
	const struct ns_grpc_events *evs;
	const struct ns_body_conn *conn;
	const struct ns_engine *eng;
};

static void split_path(const char *path, const char **svc, size_t *svcn,
		       const char **m)
{
	const char *p = path[0] == '/' ? path + 1 : path;
	const char *slash = strchr(p, '/');
	*svc = p;
	*svcn = slash ? (size_t)(slash - p) : strlen(p);
	*m = slash ? slash + 1 : "";
}

static void add_cstr(struct ns_packet *pkt, int f, const char *s)
{
	size_t n = strlen(s);
	char *c = ns_arena_strndup(&pkt->arena, s, n);
	if (c)
		ns_add_bytes(pkt, &gfields[f], 0, 0, (const uint8_t *)c,
			     (uint32_t)n);
}

/* Inflates a gzip message into the arena; NULL when it fails. */
static const uint8_t *gunzip(struct ns_packet *pkt, const uint8_t *p,
			     uint32_t n, uint32_t *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return NULL;
	uint32_t cap = NS_GRPC_MAX_KEEP;
	uint8_t *buf = ns_arena_alloc(&pkt->arena, cap);
	if (!buf) {
		inflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)p;
	z.avail_in = n;
	z.next_out = buf;
	z.avail_out = cap;
	int rc = inflate(&z, Z_FINISH);
	*out = cap - z.avail_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END ? buf : NULL;
}

/* One message event: prefix fields, then the payload as protobuf. */
static void message(struct ns_packet *pkt, const struct lend *cur,
		    const struct ns_reader *r, const struct ns_grpc_ev *e,
		    const struct ns_call *s)
{
	uint32_t o = e->off;
	int trailers = s && s->web && (e->flags & 0x80);
	ns_add_uint(pkt, &gfields[G_FRAME_TYPE], o, 1, trailers);
	ns_add_uint(pkt, &gfields[G_COMPRESSED], o, 1, e->flags & 1);
	ns_add_uint(pkt, &gfields[G_LENGTH], o + 1, 4, e->len);
	if (trailers) /* their status is told at the end */
		return;
	const uint8_t *body = r->base + o + 5;
	uint32_t bn = e->kept;
	if (e->kept < e->len)
		ns_add_bytes(
		    pkt, &gfields[G_ERROR], o, 5,
		    (const uint8_t
			 *)"message too long: only the first 1 MiB kept",
		    43);
	if ((e->flags & 1) && s && s->gzip[e->dir]) {
		uint32_t un = 0;
		body = gunzip(pkt, body, bn, &un);
		if (body) {
			ns_add_uint(pkt, &gfields[G_INFLATED], o, e->kept + 5,
				    un);
			bn = un;
		} else {
			ns_malformed(pkt, "gzip message does not inflate");
		}
	} else if (e->flags & 1) {
		body = NULL; /* an encoding we cannot undo */
	}
	/* protobuf (typed when the descriptor set has the method), unless it
	 * is JSON or another codec */
	const struct ns_pbmsg *type = NULL;
	if (s && s->path[0] && cur->eng && cur->eng->pbschema)
		type = ns_pbschema_method(cur->eng->pbschema, s->path,
					  strlen(s->path), e->dir);
	if (body && e->kept == e->len && !(s && s->json))
		ns_protobuf_typed(pkt, r->base, body, bn,
				  body == r->base + o + 5, o, type);
}

/* The end of a call side: the call's counts, status and times. */
static void side_end(struct ns_packet *pkt, const struct ns_grpc_ev *e,
		     const struct ns_call *s)
{
	ns_add_uint(pkt, &gfields[G_REQ_MSGS], 0, 0, s->msgs[0]);
	ns_add_uint(pkt, &gfields[G_REQ_BYTES], 0, 0, s->msg_bytes[0]);
	if (e->kind != NS_GRPC_EV_RESP_END) {
		if (s->timeout >= 0)
			ns_add_int(pkt, &gfields[G_TIMEOUT], 0, 0, s->timeout);
		return;
	}
	ns_add_uint(pkt, &gfields[G_RESP_MSGS], 0, 0, s->msgs[1]);
	ns_add_uint(pkt, &gfields[G_RESP_BYTES], 0, 0, s->msg_bytes[1]);
	if (s->grpc_status >= 0)
		ns_add_uint(pkt, &gfields[G_STATUS], 0, 0,
			    (uint64_t)s->grpc_status);
	if (s->grpc_msg[0])
		add_cstr(pkt, G_MESSAGE, s->grpc_msg);
	if (s->t_req >= 0)
		ns_add_int(pkt, &gfields[G_LATENCY], 0, 0, pkt->ts - s->t_req);
	if (s->t_req >= 0 && s->t_first_msg >= 0)
		ns_add_int(pkt, &gfields[G_FIRST_MSG], 0, 0,
			   s->t_first_msg - s->t_req);
	if (s->msgs[1] > 1)
		ns_add_int(pkt, &gfields[G_GAP_MAX], 0, 0, s->gap_max);
	if (s->end_error[0])
		add_cstr(pkt, G_ERROR, s->end_error);
	char lost[128];
	if (ns_grpc_lost_text(s, lost, sizeof(lost)))
		add_cstr(pkt, G_LOST, lost);
}

static int grpc_dissect(struct ns_packet *pkt, struct ns_reader *r,
			const struct ns_dctx *cx)
{
	/* the events of the transport's delivery; none (unit tests, the
	 * fuzzer): the bytes are messages one after another */
	const struct lend *cur = cx->state;
	if (!cur) {
		while (ns_rd_left(r) >= 5) {
			ns_get_u8(pkt, r, &gfields[G_COMPRESSED]);
			uint32_t n = ns_get_u32(pkt, r, &gfields[G_LENGTH]);
			if (n > ns_rd_left(r))
				return ns_malformed(
				    pkt, "message of %u bytes cut short", n);
			ns_protobuf_raw(pkt, r->base, r->p, n, 1, 0);
			ns_rd_skip(r, n);
		}
		ns_rd_skip(r, ns_rd_left(r));
		return 0;
	}
	const struct ns_grpc_events *evs = cur->evs;
	for (unsigned i = 0; i < evs->nev; i++) {
		const struct ns_grpc_ev *e = &evs->ev[i];
		const struct ns_call *s =
		    cur->conn->find ? cur->conn->find(cur->conn->owner, e->call)
				    : NULL;
		if (e->version == 2)
			ns_add_uint(pkt, &gfields[G_STREAMID], e->off, 0,
				    e->call);
		else
			ns_add_label(pkt, &gfields[G_HTTP1], e->off, 0);
		ns_tree_push(pkt);
		if (s && s->path[0]) {
			const char *svc, *m;
			size_t sn;
			split_path(s->path, &svc, &sn, &m);
			add_cstr(pkt, G_PATH, s->path);
			char *sv = ns_arena_strndup(&pkt->arena, svc, sn);
			if (sv)
				ns_add_bytes(pkt, &gfields[G_SERVICE], 0, 0,
					     (const uint8_t *)sv, (uint32_t)sn);
			add_cstr(pkt, G_METHOD, m);
		}
		if (e->kind == NS_GRPC_EV_MSG)
			message(pkt, cur, r, e, s);
		else if (s)
			side_end(pkt, e, s);
		ns_tree_pop(pkt);
	}
	if (evs->lost) {
		char *t = ns_arena_printf(
		    &pkt->arena, "%u more gRPC events not shown", evs->lost);
		if (t)
			ns_add_bytes(pkt, &gfields[G_ERROR], 0, 0,
				     (const uint8_t *)t, (uint32_t)strlen(t));
	}
	ns_rd_skip(r, ns_rd_left(r));
	return 0;
}

static int is_marker(const struct ns_fv *fv)
{
	return fv->f == &gfields[G_STREAMID] || fv->f == &gfields[G_HTTP1];
}

/* Whether the event at fv[k] (a marker) ends a call side. */
static int is_end(const struct ns_packet *pkt, const struct ns_layer *l,
		  uint32_t k)
{
	for (uint32_t j = k + 1; j < l->fv_end; j++) {
		if (is_marker(&pkt->fv[j]))
			return 0;
		if (pkt->fv[j].f == &gfields[G_REQ_MSGS])
			return 1;
	}
	return 0;
}

/* " s=N" for an HTTP/2 event, nothing over HTTP/1.1 */
static void sid_text(struct ns_buf *out, const struct ns_fv *fv)
{
	if (fv->f == &gfields[G_STREAMID])
		ns_buf_put_num(out, " s=", fv->v.u);
}

/* What one event of the layer recorded (its fields up to the next
 * event's marker). */
struct ev_sum {
	int trailers;
	const struct ns_fv *path, *len, *rq, *rs, *status, *msg, *lat, *err,
	    *rqb, *lost;
};

/* Reads the event's fields after its marker i; returns where the next
 * event begins. */
static uint32_t ev_read(const struct ns_packet *pkt, const struct ns_layer *l,
			uint32_t i, struct ev_sum *e)
{
	memset(e, 0, sizeof(*e));
	uint32_t j = i + 1;
	for (; j < l->fv_end && !is_marker(&pkt->fv[j]); j++) {
		const struct ns_fv *x = &pkt->fv[j];
		const struct ns_field *f = x->f;
		if (f == &gfields[G_FRAME_TYPE] && x->v.u)
			e->trailers = 1;
		else if (f == &gfields[G_PATH])
			e->path = x;
		else if (f == &gfields[G_LENGTH] && !e->len)
			e->len = x;
		else if (f == &gfields[G_REQ_MSGS])
			e->rq = x;
		else if (f == &gfields[G_RESP_MSGS])
			e->rs = x;
		else if (f == &gfields[G_REQ_BYTES])
			e->rqb = x;
		else if (f == &gfields[G_STATUS])
			e->status = x;
		else if (f == &gfields[G_MESSAGE])
			e->msg = x;
		else if (f == &gfields[G_LATENCY])
			e->lat = x;
		else if (f == &gfields[G_ERROR])
			e->err = x;
		else if (f == &gfields[G_LOST])
			e->lost = x;
	}
	return j;
}

/* "response s=1 NOT_FOUND \"model not found\" 1.29 ms 0 msg" */
static void put_response(struct ns_buf *out, const struct ns_fv *marker,
			 const struct ev_sum *e)
{
	ns_buf_puts(out, "response");
	sid_text(out, marker);
	const char *sn =
	    e->status ? ns_valstr_find(ns_grpc_status_names, e->status->v.u)
		      : NULL;
	if (sn) {
		ns_buf_putc(out, ' ');
		ns_buf_puts(out, sn);
	} else if (e->status) {
		ns_buf_put_num(out, " status ", e->status->v.u);
	} else if (e->err) {
		ns_buf_putc(out, ' ');
		ns_buf_escaped(out, e->err->v.b.p, e->err->v.b.n);
	} else {
		ns_buf_puts(out, " no status");
	}
	if (e->msg) {
		ns_buf_puts(out, " \"");
		ns_buf_escaped(out, e->msg->v.b.p, e->msg->v.b.n);
		ns_buf_putc(out, '"');
	}
	if (e->lat)
		ns_buf_ms(out, e->lat->v.i);
	ns_buf_put_num(out, " ", e->rs->v.u);
	ns_buf_puts(out, " msg");
	if (e->lost) {
		ns_buf_puts(out, " [");
		ns_buf_escaped(out, e->lost->v.b.p, e->lost->v.b.n);
		ns_buf_putc(out, ']');
	}
}

/* "request s=1 inference.InferenceService/Predict 1 msg 22 B" */
static void put_request(struct ns_buf *out, const struct ns_fv *marker,
			const struct ev_sum *e)
{
	ns_buf_puts(out, "request");
	sid_text(out, marker);
	if (e->path) {
		struct ns_reader pr;
		ns_rd_init(&pr, e->path->v.b.p, e->path->v.b.n);
		if (ns_rd_starts(&pr, "/", 1))
			ns_rd_skip(&pr, 1);
		ns_buf_putc(out, ' ');
		ns_buf_escaped(out, pr.p, ns_rd_left(&pr));
	}
	ns_buf_put_num(out, " ", e->rq->v.u);
	ns_buf_puts(out, " msg");
	if (e->rqb) {
		ns_buf_put_num(out, " ", e->rqb->v.u);
		ns_buf_puts(out, " B");
	}
}

/* Whether the call side of the event marked at i ends later in the
 * layer (from j on). */
static int ends_later(const struct ns_packet *pkt, const struct ns_layer *l,
		      uint32_t i, uint32_t j)
{
	const struct ns_fv *fv = &pkt->fv[i];
	for (uint32_t k = j; k < l->fv_end; k++)
		if (pkt->fv[k].f == fv->f && pkt->fv[k].v.u == fv->v.u &&
		    is_end(pkt, l, k))
			return 1;
	return 0;
}

static void grpc_info(const struct ns_packet *pkt, unsigned li,
		      struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	size_t start = out->len;
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (!is_marker(fv))
			continue;
		struct ev_sum e;
		uint32_t j = ev_read(pkt, l, i, &e);
		/* a message whose call side ends in this packet is told by
		 * the end; a lone message is listed */
		if (e.len && ends_later(pkt, l, i, j))
			continue;
		if (out->len > start)
			ns_buf_puts(out, ", ");
		if (e.trailers) { /* a trailers frame before the side's end */
			ns_buf_puts(out, "trailers");
			sid_text(out, fv);
		} else if (e.len) {
			ns_buf_puts(out, "message");
			sid_text(out, fv);
			ns_buf_put_num(out, " ", e.len->v.u);
			ns_buf_puts(out, " B");
		} else if (e.rs) {
			put_response(out, fv, &e);
		} else if (e.rq) {
			put_request(out, fv, &e);
		}
	}
}

/* ---- the body format ------------------------------------------------------
 */

/* Per call: each side's message in progress. */
struct grpc_call {
	struct ns_grpc_dec dec[2];
};

static void body_headers(struct ns_body_ctx *b, const struct ns_hdr *h,
			 unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ns_grpc_header(b->call, b->side, h[i].name, h[i].nl, h[i].value,
			       h[i].vl);
}

/* msg: the message's event (its kept bytes), or NULL */
static void publish(struct ns_body_ctx *b, enum ns_ev_type t,
		    const struct ns_grpc_ev *msg)
{
	const struct ns_stream_ctx *ctx = b->stream;
	if (!ctx || !ctx->eng || !ns_bus_wants(&ctx->eng->bus, t))
		return;
	struct ns_event ev = {.type = t,
			      .pkt = ctx->pkt,
			      .flow = ctx->flow,
			      .ts = b->ts,
			      .dir = b->side,
			      .u.call = b->call};
	if (msg) {
		ev.msg.p = msg->bytes;
		ev.msg.n = msg->kept;
		ev.msg.len = msg->len;
	}
	ns_bus_publish(&ctx->eng->bus, &ev);
}

/* The next message event of pending from *at on (gRPC-Web trailers are
 * framed as messages but are none), or NULL. */
static const struct ns_grpc_ev *next_msg(const struct ns_grpc_events *evs,
					 unsigned *at)
{
	for (; *at < evs->nev; (*at)++) {
		const struct ns_grpc_ev *e = &evs->ev[*at];
		if (e->kind == NS_GRPC_EV_MSG && !(e->flags & 0x80)) {
			(*at)++;
			return e;
		}
	}
	return NULL;
}

static void body_data(struct ns_body_ctx *b, const uint8_t *p, size_t n)
{
	struct grpc_call *g = b->state;
	struct ns_grpc_events *evs = b->pending;
	uint32_t before = b->call->msgs[b->side];
	unsigned at = evs->nev;
	evs->mem = b->conn->mem;
	ns_grpc_body(b->call, &g->dec[b->side], evs, b->side, b->ts, p, n);
	for (uint32_t k = before; k < b->call->msgs[b->side]; k++)
		publish(b, NS_EV_HTTP_MESSAGE, next_msg(evs, &at));
}

/* How a reset ended a call, for its grpc layer: the status the reset
 * means when the call has none, and the HTTP/2 error. */
static void reset_text(struct ns_call *c)
{
	const struct ns_field *f = ns_field_by_name("http2.rst_stream.error");
	const char *en = f ? ns_valstr_find(f->vals, c->rst_error) : NULL;
	const char *gn = c->grpc_status < 0
			     ? ns_grpc_status_name(ns_grpc_call_status(c))
			     : NULL;
	snprintf(c->end_error, sizeof(c->end_error), "%s%s(RST_STREAM %s)",
		 gn ? gn : "", gn ? " " : "", en ? en : "?");
}

static void body_end(struct ns_body_ctx *b)
{
	struct grpc_call *g = b->state;
	ns_grpc_dec_reset(&g->dec[b->side]);
	if (!b->call->grpc)
		return;
	if (b->call->end == NS_CALL_RESET)
		reset_text(b->call);
	ns_grpc_event(b->pending,
		      b->side ? NS_GRPC_EV_RESP_END : NS_GRPC_EV_REQ_END,
		      b->side, b->call);
}

static void body_lost(struct ns_body_ctx *b)
{
	struct grpc_call *g = b->state;
	ns_grpc_dec_reset(&g->dec[b->side]);
}

static void body_free(void *state)
{
	struct grpc_call *g = state;
	ns_grpc_dec_reset(&g->dec[0]);
	ns_grpc_dec_reset(&g->dec[1]);
}

/* The grpc layer of the delivery's events (if any) on ctx's packet. */
static void body_flush(void *pending, struct ns_body_conn *conn,
		       struct ns_stream_ctx *ctx)
{
	struct ns_grpc_events *evs = pending;
	if (!evs->nev && !evs->lost)
		return;
	size_t total = 0;
	for (unsigned i = 0; i < evs->nev; i++)
		if (evs->ev[i].kind == NS_GRPC_EV_MSG)
			total += 5 + evs->ev[i].kept;
	/* built where the layer's bytes must live: the packet's arena */
	uint8_t *buf = ctx->pkt
			   ? ns_arena_alloc(&ctx->pkt->arena, total ? total : 1)
			   : NULL;
	if (!buf) {
		ns_grpc_events_free(evs);
		return;
	}
	size_t o = 0;
	for (unsigned i = 0; i < evs->nev; i++) {
		struct ns_grpc_ev *e = &evs->ev[i];
		e->off = (uint32_t)o;
		if (e->kind != NS_GRPC_EV_MSG)
			continue;
		uint8_t pre[5] = {e->flags, (uint8_t)(e->len >> 24),
				  (uint8_t)(e->len >> 16),
				  (uint8_t)(e->len >> 8), (uint8_t)e->len};
		memcpy(buf + o, pre, 5);
		if (e->kept)
			memcpy(buf + o + 5, e->bytes, e->kept);
		o += 5 + e->kept;
	}
	struct lend lend = {evs, conn, ctx->eng};
	int li = ns_stream_message_arena(ctx, &ns_diss_grpc, buf, total, &lend);
	if (li >= 0)
		ns_stream_message_end(ctx, li);
	ns_grpc_events_free(evs);
}

static void pending_free(void *pending)
{
	ns_grpc_events_free(pending);
}

/* The content type is unknown (headers lost): gRPC when a header block
 * names grpc-status or grpc-message (only gRPC's trailers do), or a
 * side's first DATA is framed as gRPC messages. */
static int body_guess(struct ns_call *c, const struct ns_hdr *h, unsigned n,
		      const uint8_t *p, size_t len)
{
	int yes = 0;
	for (unsigned i = 0; i < n && !yes; i++)
		yes =
		    (h[i].nl == 11 && !memcmp(h[i].name, "grpc-status", 11)) ||
		    (h[i].nl == 12 && !memcmp(h[i].name, "grpc-message", 12));
	if (!h && p)
		yes = ns_grpc_looks_framed(p, len);
	if (yes)
		c->grpc = c->guessed = 1;
	return yes;
}

static const char *const content_types[] = {"application/grpc", NULL};

const struct ns_body_format ns_body_grpc = {
    .name = "grpc",
    .content_types = content_types,
    .state_size = sizeof(struct grpc_call),
    .pending_size = sizeof(struct ns_grpc_events),
    .headers = body_headers,
    .data = body_data,
    .end = body_end,
    .lost = body_lost,
    .free = body_free,
    .flush = body_flush,
    .pending_free = pending_free,
    .guess = body_guess,
};

struct ns_dissector ns_diss_grpc = {
    .name = "grpc",
    .column = "gRPC",
    .title = "gRPC Remote Procedure Calls",
    .fields = gfields,
    .nfields = G_COUNT,
    .dissect = grpc_dissect,
    .info = grpc_info,
};
