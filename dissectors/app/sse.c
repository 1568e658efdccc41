/*
 * SSE, Server-Sent Events (text/event-stream, the WHATWG HTML standard
 * §9.2) as a body format (core/body.h): it takes the responses whose
 * content type is text/event-stream from whatever transport carries them
 * — HTTP/1.1 chunked or delimited by the connection's end, HTTP/2, either
 * decrypted from TLS — parses their events (src/proto/ssemsg.c), and after
 * each delivery records an `sse` layer holding what completed (events,
 * comments, retry lines) on the packet that completed it.
 *
 * The layer's bytes are each item's bytes one after the other (an event's
 * type, id and data, a comment's text), so -x shows what the fields say;
 * the items are lent to the layer (ns_dctx.state).  Without them (a unit
 * test, a fuzzer) the layer's bytes are parsed as an event stream of
 * their own.
 *
 * Per stream the call (struct ns_call's sse block) keeps the counts and
 * times, and each event is published as NS_EV_HTTP_MESSAGE at the capture
 * time of the bytes that completed it, so a subscriber sees every gap.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/body.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/txn.h"
#include "proto/ssemsg.h"
#include "flow/stream.h"

enum { S_EVENT, S_STREAM, S_ID, S_DATA, S_RETRY, S_COMMENT, S_ERROR, S_COUNT };

static struct ns_field sfields[] = {
    [S_EVENT] = NS_F_STR("sse.event", "Event"),
    [S_STREAM] = NS_F_UINT("sse.stream",
			   "Stream (HTTP/2 stream id, HTTP/1.1 exchange)", 32),
    [S_ID] = NS_F_STR("sse.id", "Last event ID"),
    [S_DATA] = NS_F_STR("sse.data", "Data"),
    [S_RETRY] = NS_F_UINT("sse.retry", "Reconnection time (ms)", 64),
    [S_COMMENT] = NS_F_STR("sse.comment", "Comment"),
    [S_ERROR] = NS_F_STR("sse.error", "Problem"),
};

extern struct ns_dissector ns_diss_sse;

/* The event type a browser dispatches when the stream names none. */
static const uint8_t default_type[] = "message";

static void add_text(struct ns_packet *pkt, int f, const char *t)
{
	if (t)
		ns_add_bytes(pkt, &sfields[f], 0, 0, (const uint8_t *)t,
			     (uint32_t)strlen(t));
}

/* One item; its bytes are at base + it->off (hl: whether they are the
 * layer's, so their offsets are shown). */
static void record_item(struct ns_packet *pkt, const uint8_t *base, int hl,
			const struct ns_sse_item *it)
{
	uint32_t o = it->off;
	const uint8_t *b = base + o;
	if (it->kind == NS_SSE_RETRY) {
		ns_add_uint(pkt, &sfields[S_RETRY], 0, 0, it->retry);
		return;
	}
	if (it->kind == NS_SSE_COMMENT) {
		ns_add_bytes(pkt, &sfields[S_COMMENT], hl ? o : 0,
			     hl ? it->len : 0, b, it->len);
		return;
	}
	if (it->type_len)
		ns_add_bytes(pkt, &sfields[S_EVENT], hl ? o : 0,
			     hl ? it->type_len : 0, b, it->type_len);
	else
		ns_add_bytes(pkt, &sfields[S_EVENT], 0, 0, default_type,
			     sizeof(default_type) - 1);
	ns_tree_push(pkt);
	if (it->stream)
		ns_add_uint(pkt, &sfields[S_STREAM], 0, 0, it->stream);
	o += it->type_len;
	if (it->id_len)
		ns_add_bytes(pkt, &sfields[S_ID], hl ? o : 0,
			     hl ? it->id_len : 0, base + o, it->id_len);
	o += it->id_len;
	ns_add_bytes(pkt, &sfields[S_DATA], hl ? o : 0, hl ? it->len : 0,
		     base + o, it->len);
	if (it->truncated)
		add_text(pkt, S_ERROR,
			 ns_arena_printf(&pkt->arena,
					 "event of %llu bytes: only the first "
					 "64 KiB kept",
					 (unsigned long long)it->total));
	ns_tree_pop(pkt);
}

/* The bytes of the items, one after the other (each item's off set);
 * buf NULL: only their size. */
static size_t layout(struct ns_sse_events *evs, uint8_t *buf)
{
	size_t o = 0;
	for (unsigned i = 0; i < evs->n; i++) {
		struct ns_sse_item *it = &evs->it[i];
		size_t k = it->kind == NS_SSE_RETRY
			       ? 0
			       : (size_t)it->type_len + it->id_len + it->len;
		it->off = (uint32_t)o;
		if (buf && k)
			memcpy(buf + o, it->bytes, k);
		o += k;
	}
	return o;
}

static void record_all(struct ns_packet *pkt, const uint8_t *base, int hl,
		       const struct ns_sse_events *evs)
{
	for (unsigned i = 0; i < evs->n; i++)
		record_item(pkt, base, hl, &evs->it[i]);
	if (evs->lost)
		add_text(pkt, S_ERROR,
			 ns_arena_printf(&pkt->arena,
					 "%u more SSE items not shown",
					 evs->lost));
}

/* No items lent: the layer's bytes are a stream of their own. */
static void stateless(struct ns_packet *pkt, struct ns_reader *r)
{
	struct ns_call c;
	struct ns_sse_dec d;
	struct ns_sse_events *evs = calloc(1, sizeof(*evs));
	if (!evs)
		return;
	ns_call_init(&c);
	memset(&d, 0, sizeof(d));
	size_t n = ns_rd_left(r);
	ns_sse_body(&c, &d, evs, pkt->ts, ns_rd_ptr(r, n), n, NULL, NULL);
	ns_sse_dec_reset(&d);
	uint8_t *buf = ns_arena_alloc(&pkt->arena, layout(evs, NULL) + 1);
	if (buf) {
		layout(evs, buf);
		record_all(pkt, buf, 0, evs);
	}
	ns_sse_events_free(evs);
	free(evs);
}

static int sse_dissect(struct ns_packet *pkt, struct ns_reader *r,
		       const struct ns_dctx *cx)
{
	const struct ns_sse_events *evs = cx->state;
	if (!evs)
		stateless(pkt, r);
	else
		record_all(pkt, r->base, 1, evs);
	ns_rd_skip(r, ns_rd_left(r));
	return 0;
}

/* The first event's data as the summary quotes it: at most 40 bytes, not
 * cut inside a UTF-8 sequence. */
static void put_short(struct ns_buf *out, const struct ns_fv *data)
{
	struct ns_reader r;
	ns_rd_init(&r, data->v.b.p, data->v.b.n);
	size_t n = data->v.b.n;
	if (n > 40) {
		n = 40;
		while (n && (ns_rd_peek(&r, n) & 0xc0) == 0x80)
			n--;
	}
	ns_buf_puts(out, "\"data: ");
	ns_buf_escaped(out, ns_rd_ptr(&r, n), n);
	ns_buf_puts(out, n < data->v.b.n ? "\xe2\x80\xa6\"" : "\"");
}

/* What the layer holds, for the summary. */
struct sum {
	unsigned events, comments, done, truncated, lost;
	const struct ns_fv *id, *data, *comment, *retry;
};

static void summarise(const struct ns_packet *pkt, const struct ns_layer *l,
		      struct sum *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (fv->f == &sfields[S_EVENT]) {
			s->events++;
		} else if (fv->f == &sfields[S_ID]) {
			s->id = fv;
		} else if (fv->f == &sfields[S_DATA]) {
			if (!s->data)
				s->data = fv;
			s->done |= fv->v.b.n == 6 &&
				   memcmp(fv->v.b.p, "[DONE]", 6) == 0;
		} else if (fv->f == &sfields[S_COMMENT]) {
			if (!s->comments++)
				s->comment = fv;
		} else if (fv->f == &sfields[S_RETRY]) {
			s->retry = fv;
		} else if (fv->f == &sfields[S_ERROR]) {
			/* an event cut at the cap, or items not shown */
			if (fv->v.b.n > 5 && memcmp(fv->v.b.p, "event", 5) == 0)
				s->truncated++;
			else
				s->lost = 1;
		}
	}
}

/* "3 events (id 7) \"data: {…}\" [DONE], comment \"ping\", retry 3000" */
static void sse_info(const struct ns_packet *pkt, unsigned li,
		     struct ns_buf *out)
{
	struct sum s;
	summarise(pkt, &pkt->layers[li], &s);
	const char *sep = "";
	if (s.events) {
		ns_buf_u64(out, s.events);
		ns_buf_puts(out, s.events == 1 ? " event" : " events");
		if (s.id) {
			ns_buf_puts(out, " (id ");
			ns_buf_escaped(out, s.id->v.b.p, s.id->v.b.n);
			ns_buf_putc(out, ')');
		}
		if (s.data) {
			ns_buf_putc(out, ' ');
			put_short(out, s.data);
		}
		if (s.done)
			ns_buf_puts(out, " [DONE]");
		sep = ", ";
	}
	if (s.comments == 1) {
		ns_buf_printf(out, "%scomment \"", sep);
		ns_buf_escaped(out, s.comment->v.b.p, s.comment->v.b.n);
		ns_buf_putc(out, '"');
		sep = ", ";
	} else if (s.comments) {
		ns_buf_printf(out, "%s%u comments", sep, s.comments);
		sep = ", ";
	}
	if (s.retry) {
		ns_buf_printf(out, "%sretry %llu", sep,
			      (unsigned long long)s.retry->v.u);
	}
	if (s.truncated)
		ns_buf_puts(out, " [event cut at 64 KiB]");
	if (s.lost)
		ns_buf_puts(out, " [more not shown]");
}

/* ---- the body format ------------------------------------------------------
 */

/* Per stream: the response body's parser. */
struct sse_call {
	struct ns_sse_dec dec;
};

static void body_headers(struct ns_body_ctx *b, const struct ns_hdr *h,
			 unsigned n)
{
	if (b->side != 1)
		return; /* events flow from the server */
	for (unsigned i = 0; i < n; i++)
		if (h[i].nl == 12 &&
		    strncasecmp((const char *)h[i].name, "content-type", 12) ==
			0 &&
		    ns_sse_content_type(h[i].value, h[i].vl))
			b->call->sse.on = 1;
}

/* After each event: NS_EV_HTTP_MESSAGE at the time of the bytes that
 * completed it. */
static void published(void *arg)
{
	const struct ns_body_ctx *b = arg;
	const struct ns_stream_ctx *ctx = b->stream;
	if (!ctx || !ctx->eng ||
	    !ns_bus_wants(&ctx->eng->bus, NS_EV_HTTP_MESSAGE))
		return;
	struct ns_event ev = {.type = NS_EV_HTTP_MESSAGE,
			      .pkt = ctx->pkt,
			      .flow = ctx->flow,
			      .ts = b->ts,
			      .dir = b->side,
			      .u.call = b->call};
	ns_bus_publish(&ctx->eng->bus, &ev);
}

static void body_data(struct ns_body_ctx *b, const uint8_t *p, size_t n)
{
	struct sse_call *s = b->state;
	if (b->side != 1 || !b->call->sse.on)
		return;
	struct ns_sse_events *evs = b->pending;
	evs->mem = b->conn->mem;
	ns_sse_body(b->call, &s->dec, evs, b->ts, p, n, published, b);
}

static void body_end(struct ns_body_ctx *b)
{
	struct sse_call *s = b->state;
	if (b->side == 1) /* an event not ended by a blank line is dropped */
		ns_sse_dec_reset(&s->dec);
}

static void body_lost(struct ns_body_ctx *b)
{
	struct sse_call *s = b->state;
	if (b->side == 1)
		ns_sse_dec_lost(&s->dec);
}

static void body_free(void *state)
{
	struct sse_call *s = state;
	ns_sse_dec_reset(&s->dec);
}

/* The sse layer of the delivery's items (if any) on ctx's packet. */
static void body_flush(void *pending, struct ns_body_conn *conn,
		       struct ns_stream_ctx *ctx)
{
	(void)conn;
	struct ns_sse_events *evs = pending;
	if (!evs->n && !evs->lost)
		return;
	size_t total = layout(evs, NULL);
	/* built where the layer's bytes must live: the packet's arena */
	uint8_t *buf = ctx->pkt
			   ? ns_arena_alloc(&ctx->pkt->arena, total ? total : 1)
			   : NULL;
	if (buf) {
		layout(evs, buf);
		int li =
		    ns_stream_message_arena(ctx, &ns_diss_sse, buf, total, evs);
		if (li >= 0)
			ns_stream_message_end(ctx, li);
	}
	ns_sse_events_free(evs);
}

static void pending_free(void *pending)
{
	ns_sse_events_free(pending);
}

static const char *const content_types[] = {"text/event-stream", NULL};

const struct ns_body_format ns_body_sse = {
    .name = "sse",
    .content_types = content_types,
    .state_size = sizeof(struct sse_call),
    .pending_size = sizeof(struct ns_sse_events),
    .headers = body_headers,
    .data = body_data,
    .end = body_end,
    .lost = body_lost,
    .free = body_free,
    .flush = body_flush,
    .pending_free = pending_free,
};

struct ns_dissector ns_diss_sse = {
    .name = "sse",
    .column = "SSE",
    .title = "Server-Sent Events",
    .fields = sfields,
    .nfields = S_COUNT,
    .dissect = sse_dissect,
    .info = sse_info,
};
