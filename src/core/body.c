/*
 * body — see body.h.  The formats are few (a handful at most), so finding
 * one is a walk over the registry; it happens once per exchange.
 */
#include "core/body.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/reader.h"
#include "core/txn.h"

static int prefix_ci(const uint8_t *s, size_t n, const char *pre)
{
	size_t m = strlen(pre);
	return n >= m && strncasecmp((const char *)s, pre, m) == 0;
}

const struct ns_body_format *ns_body_find(const uint8_t *ct, size_t n)
{
	for (unsigned i = 0; i < ns_nbody_formats; i++) {
		const char *const *t = ns_body_formats[i]->content_types;
		for (; t && *t; t++)
			if (prefix_ci(ct, n, *t))
				return ns_body_formats[i];
	}
	return NULL;
}

static unsigned index_of(const struct ns_body_format *f)
{
	for (unsigned i = 0; i < ns_nbody_formats; i++)
		if (ns_body_formats[i] == f)
			return i;
	return NS_BODY_MAX_FORMATS;
}

/* The context for a call of body's format; 0 when it has none (or no
 * memory for its collector). */
static int ctx_of(struct ns_body_ctx *b, struct ns_body *body,
		  struct ns_body_conn *conn, const struct ns_stream_ctx *ctx,
		  struct ns_call *call, int side, int64_t ts)
{
	if (!body->fmt)
		return 0;
	unsigned i = index_of(body->fmt);
	if (i >= NS_BODY_MAX_FORMATS)
		return 0;
	if (!conn->pending[i]) {
		size_t n = body->fmt->pending_size;
		conn->pending[i] = ns_mem_alloc(conn->mem, n ? n : 1);
		if (!conn->pending[i])
			return 0;
	}
	*b = (struct ns_body_ctx){
	    ctx, conn, call, body->state, conn->pending[i], side, ts};
	return 1;
}

/* The exchange's body goes to format f (its state zeroed, from the
 * budget; without memory, to none). */
static void take(struct ns_body *body, struct ns_body_conn *conn,
		 const struct ns_body_format *f)
{
	body->state =
	    ns_mem_alloc(conn->mem, f->state_size ? f->state_size : 1);
	if (body->state)
		body->fmt = f;
}

/* The content type is unknown (headers lost): the first format whose
 * guess claims the header block or the body bytes. */
static void guess(struct ns_body *body, struct ns_body_conn *conn,
		  struct ns_call *call, const struct ns_hdr *h, unsigned n,
		  const uint8_t *p, size_t len)
{
	if (body->fmt || !call->hpack_lost || call->content_type[0])
		return;
	for (unsigned i = 0; i < ns_nbody_formats; i++) {
		const struct ns_body_format *f = ns_body_formats[i];
		if (!f->guess || !f->guess(call, h, n, p, len))
			continue;
		take(body, conn, f);
		return;
	}
}

/* Chooses the format of the exchange from its content type. */
static void choose(struct ns_body *body, struct ns_body_conn *conn,
		   struct ns_call *call, const struct ns_hdr *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (h[i].nl != 12 ||
		    strncasecmp((const char *)h[i].name, "content-type", 12))
			continue;
		size_t k = h[i].vl < sizeof(call->content_type) - 1
			       ? h[i].vl
			       : sizeof(call->content_type) - 1;
		if (!call->content_type[0]) {
			memcpy(call->content_type, h[i].value, k);
			call->content_type[k] = 0;
		}
		if (body->fmt)
			return;
		const struct ns_body_format *f =
		    ns_body_find(h[i].value, h[i].vl);
		if (!f)
			return;
		take(body, conn, f);
		return;
	}
}

void ns_body_headers(struct ns_body *body, struct ns_body_conn *conn,
		     const struct ns_stream_ctx *ctx, struct ns_call *call,
		     int side, int64_t ts, const struct ns_hdr *h, unsigned n)
{
	choose(body, conn, call, h, n);
	guess(body, conn, call, h, n, NULL, 0);
	struct ns_body_ctx b;
	if (ctx_of(&b, body, conn, ctx, call, side, ts) && body->fmt->headers)
		body->fmt->headers(&b, h, n);
}

void ns_body_data(struct ns_body *body, struct ns_body_conn *conn,
		  const struct ns_stream_ctx *ctx, struct ns_call *call,
		  int side, int64_t ts, const uint8_t *p, size_t n)
{
	struct ns_body_ctx b;
	if (n)
		guess(body, conn, call, NULL, 0, p, n);
	if (n && ctx_of(&b, body, conn, ctx, call, side, ts) && body->fmt->data)
		body->fmt->data(&b, p, n);
}

void ns_body_end(struct ns_body *body, struct ns_body_conn *conn,
		 const struct ns_stream_ctx *ctx, struct ns_call *call,
		 int side, int64_t ts)
{
	struct ns_body_ctx b;
	if (ctx_of(&b, body, conn, ctx, call, side, ts) && body->fmt->end)
		body->fmt->end(&b);
}

void ns_body_lost(struct ns_body *body, struct ns_body_conn *conn,
		  struct ns_call *call, int side)
{
	struct ns_body_ctx b;
	if (ctx_of(&b, body, conn, NULL, call, side, -1) && body->fmt->lost)
		body->fmt->lost(&b);
}

void ns_body_free(struct ns_body *body, struct ns_body_conn *conn)
{
	if (body->fmt && body->fmt->free)
		body->fmt->free(body->state);
	ns_mem_free(conn->mem, body->state);
	body->fmt = NULL;
	body->state = NULL;
}

void ns_body_flush(struct ns_body_conn *conn, struct ns_stream_ctx *ctx)
{
	for (unsigned i = 0; i < ns_nbody_formats && i < NS_BODY_MAX_FORMATS;
	     i++)
		if (conn->pending[i] && ns_body_formats[i]->flush)
			ns_body_formats[i]->flush(conn->pending[i], conn, ctx);
}

void ns_body_conn_free(struct ns_body_conn *conn)
{
	for (unsigned i = 0; i < ns_nbody_formats && i < NS_BODY_MAX_FORMATS;
	     i++) {
		if (conn->pending[i] && ns_body_formats[i]->pending_free)
			ns_body_formats[i]->pending_free(conn->pending[i]);
		ns_mem_free(conn->mem, conn->pending[i]);
		conn->pending[i] = NULL;
	}
}

int ns_hdr_is(const uint8_t *a, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp((const char *)a, name, n) == 0;
}

static void copy_value(char *dst, size_t cap, const struct ns_hdr *h)
{
	size_t n = h->vl < cap ? h->vl : cap - 1;
	if (n)
		memcpy(dst, h->value, n);
	dst[n] = 0;
}

void ns_call_pseudo_headers(struct ns_call *c, const struct ns_hdr *h,
			    unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct ns_hdr *x = &h[i];
		if (ns_hdr_is(x->name, x->nl, ":method")) {
			copy_value(c->method, sizeof(c->method), x);
		} else if (ns_hdr_is(x->name, x->nl, ":path")) {
			copy_value(c->path, sizeof(c->path), x);
		} else if (ns_hdr_is(x->name, x->nl, ":authority")) {
			copy_value(c->authority, sizeof(c->authority), x);
		} else if (ns_hdr_is(x->name, x->nl, ":status")) {
			struct ns_reader r;
			ns_rd_init(&r, x->value, x->vl);
			c->status = (int)ns_rd_dec(&r, 3);
		}
	}
}

int ns_hdr_split(const uint8_t *line, size_t n, struct ns_hdr *h)
{
	struct ns_reader r;
	ns_rd_init(&r, line, n);
	long colon = ns_rd_find(&r, ':');
	if (colon < 0)
		return 0;
	h->name = ns_rd_ptr(&r, (size_t)colon);
	h->nl = (size_t)colon;
	ns_rd_skip(&r, 1);
	ns_rd_skip_ws(&r);
	ns_rd_trim_end(&r);
	h->value = r.p;
	h->vl = ns_rd_left(&r);
	return 1;
}
