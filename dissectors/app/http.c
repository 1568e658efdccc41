/*
 * HTTP/1.x request and response messages over TCP (RFC 9112), through the
 * stream interface: the first consumer of reassembled bytes.
 *
 * Framing (RFC 9112 §6): a message is its header block (up to the empty
 * line) and a body delimited by Content-Length, by chunked transfer coding,
 * or — for a response without either — by the end of the connection.
 * Responses to HEAD, and 1xx/204/304 responses, have no body; requests are
 * paired with responses in order to know which were HEAD.  As tshark does,
 * a message is shown on the packet that completes it (its last body byte),
 * so a response spanning fifty segments appears once, at the end.  Header
 * blocks are limited to 64 KiB; a connection whose bytes are not HTTP, or
 * that loses bytes inside a header block, is given up (a gap inside a body
 * is skipped: the framing is still known).  A `101 Switching Protocols`
 * answering `Upgrade: h2c` hands the connection to HTTP/2 (RFC 7540 §3.2),
 * and so do bytes that are HTTP/2 from the start (prior knowledge on an
 * HTTP port).
 *
 * A response names its request (http.request_in, http.time); a request
 * names its response (http.response_in) only in two-pass analysis (-2),
 * from the note the response left in the first pass.
 *
 * gRPC-Web (PROTOCOL-WEB.md of grpc/grpc): the body of a message whose
 * content-type is application/grpc-web* is handed, as it is counted, to
 * the gRPC framing shared with HTTP/2 (src/proto/grpcmsg.c), so messages may
 * span segments and chunks; the messages and the end of each side become
 * a `grpc` layer (dissectors/app/grpc.c) on the packets that complete them.
 * A response gets its request's call (path, for typed protobuf) by the
 * same in-order pairing as http.request_in.  The calls live in state
 * made on the connection's first gRPC-Web message (at most GW_CALLS at a
 * time, NS_GRPC_MAX_KEEP bytes kept of a message); other bodies are
 * counted, never kept.
 */
#include <stdlib.h>
#include <string.h>

#include "reports/calls.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "flow/flow.h"
#include "proto/grpcmsg.h"
#include "flow/stream.h"

extern struct ns_dissector ns_diss_http2;
/* http2.c: an h2c upgrade's HTTP2-Settings value as settings fields */
void ns_http2_settings_b64(struct ns_packet *pkt, const uint8_t *v, size_t n,
			   uint32_t off);

enum {
	F_REQUEST,
	F_RESPONSE,
	F_METHOD,
	F_URI,
	F_REQ_VERSION,
	F_RESP_VERSION,
	F_CODE,
	F_PHRASE,
	F_REQ_LINE,
	F_RESP_LINE,
	F_HOST,
	F_USER_AGENT,
	F_CONTENT_TYPE,
	F_CONTENT_LENGTH_HDR,
	F_CONTENT_LENGTH,
	F_TRANSFER_ENCODING,
	F_CONNECTION,
	F_SERVER,
	F_LOCATION,
	F_TIME,
	F_REQUEST_IN,
	F_RESPONSE_IN,
	F_BODY_LEN,
	F_COUNT
};

static struct ns_field fields[] = {
    [F_REQUEST] = NS_F_BOOL("http.request", "Request"),
    [F_RESPONSE] = NS_F_BOOL("http.response", "Response"),
    [F_METHOD] = NS_F_STR("http.request.method", "Request Method"),
    [F_URI] = NS_F_STR("http.request.uri", "Request URI"),
    [F_REQ_VERSION] = NS_F_STR("http.request.version", "Request Version"),
    [F_RESP_VERSION] = NS_F_STR("http.response.version", "Response Version"),
    [F_CODE] = NS_F_UINT("http.response.code", "Status Code", 16),
    [F_PHRASE] = NS_F_STR("http.response.phrase", "Response Phrase"),
    [F_REQ_LINE] = NS_F_STR("http.request.line", "Request line"),
    [F_RESP_LINE] = NS_F_STR("http.response.line", "Response line"),
    [F_HOST] = NS_F_STR("http.host", "Host"),
    [F_USER_AGENT] = NS_F_STR("http.user_agent", "User-Agent"),
    [F_CONTENT_TYPE] = NS_F_STR("http.content_type", "Content-Type"),
    [F_CONTENT_LENGTH_HDR] =
	NS_F_STR("http.content_length_header", "Content-Length"),
    [F_CONTENT_LENGTH] = NS_F_UINT("http.content_length", "Content length", 64),
    [F_TRANSFER_ENCODING] =
	NS_F_STR("http.transfer_encoding", "Transfer-Encoding"),
    [F_CONNECTION] = NS_F_STR("http.connection", "Connection"),
    [F_SERVER] = NS_F_STR("http.server", "Server"),
    [F_LOCATION] = NS_F_STR("http.location", "Location"),
    [F_TIME] = NS_F_RELTIME("http.time", "Time since request"),
    [F_REQUEST_IN] = NS_F_UINT("http.request_in", "Request in frame", 32),
    [F_RESPONSE_IN] = NS_F_UINT("http.response_in", "Response in frame", 32),
    [F_BODY_LEN] = NS_F_UINT("http.body_len", "Body length", 64),
};

#define MAX_HEADER  (64 * 1024)
#define MAX_PENDING 64 /* requests awaiting their response */
#define GW_CALLS    4  /* gRPC-Web calls decoded at once (pipelining) */

enum body { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };

struct http_dir {
	int in_body;	   /* header block seen, body in progress */
	int body;	   /* enum body */
	uint64_t left;	   /* BODY_LENGTH: bytes to go; chunked: of chunk */
	int chunk_state;   /* 0 size line, 1 data, 2 CRLF after data, 3 trailers
			    */
	uint64_t body_len; /* body bytes so far */
	uint8_t *hdr;	   /* the header block, kept until the body ends */
	size_t hdr_len;
	int64_t start_ts;
	uint64_t start_frame;
	int req_slot; /* a request's entry in http_state.req, or -1 */
	int resp;     /* the message is a response */
	int gcall;    /* its gRPC-Web call in http_state.gw, or -1 */
	int gfeed;    /* its body is gRPC-Web: decode it */
};

/* gRPC-Web over HTTP/1.1, made on the connection's first gRPC-Web
 * message so that other HTTP pays nothing for it. */
struct gw_call {
	struct ns_grpc_call c;
	uint8_t used, req_open, resp_open;
	int http_status;
	int64_t t_first_resp, t_end;
	uint32_t seq; /* the call's number on the connection */
	char method[16];
};

struct gw_state {
	struct gw_call call[GW_CALLS];
	struct ns_grpc_events ev; /* of the delivery, all of call `cur` */
	int cur;
	uint32_t seq;
	uint64_t dropped; /* calls not decoded: GW_CALLS were open */
	struct ns_engine *eng;
	uint32_t conn_index;
	char ends[2][56]; /* endpoints, the client first */
};

struct http_state {
	struct http_dir d[2];
	/* requests in order: HEAD?, time and frame, for their responses */
	struct {
		uint8_t head;
		int8_t gcall;  /* its gRPC-Web call, or -1 */
		uint8_t layer; /* of the request in its frame, for -2's note */
		int64_t ts;
		uint64_t frame;
	} req[MAX_PENDING];
	unsigned nreq, rhead;
	int dead;
	int h2c;	  /* a 101 response with Upgrade: h2c was framed */
	char up_req[256]; /* request line of the last request with Upgrade */
	/* what the message being recorded needs (set before its layer) */
	int64_t resp_time;
	uint64_t req_frame;
	uint8_t req_layer;
	uint64_t body_len;
	struct gw_state *gw;
};

static int is_token_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* "METHOD SP" or "HTTP/1." at the start: 1 yes, 0 no, -1 too short */
static int probe(const uint8_t *p, size_t n, int dir)
{
	(void)dir;
	static const char resp[] = "HTTP/1.";
	size_t m = n < 7 ? n : 7;
	if (memcmp(p, resp, m) == 0)
		return n >= 7 ? 1 : -1;
	static const char *const methods[] = {
	    "GET ",	"POST ",  "PUT ",     "HEAD ",	"DELETE ",
	    "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ",
	};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t l = strlen(methods[i]);
		size_t k = n < l ? n : l;
		if (memcmp(p, methods[i], k) == 0)
			return n >= l ? 1 : -1;
	}
	return 0;
}

/* Finds the end of the header block: the offset after its empty line. */
static size_t header_end(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static int ieq(const uint8_t *a, size_t n, const char *b)
{
	size_t m = strlen(b);
	if (n != m)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = a[i];
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c != (uint8_t)b[i])
			return 0;
	}
	return 1;
}

static int contains_ci(const uint8_t *p, size_t n, const char *word)
{
	size_t m = strlen(word);
	for (size_t i = 0; i + m <= n; i++)
		if (ieq(p + i, m, word))
			return 1;
	return 0;
}

/* ---- gRPC-Web (PROTOCOL-WEB.md of grpc/grpc) ---------------------------- */

/* Calls fn for each "name: value" line of a header block (value trimmed). */
static void each_header(const uint8_t *h, size_t n,
			void (*fn)(void *arg, const uint8_t *name, size_t nl,
				   const uint8_t *v, size_t vl),
			void *arg)
{
	size_t i = 0;
	while (i < n && h[i] != '\n')
		i++;
	while (++i < n) {
		size_t e = i;
		while (e < n && h[e] != '\n')
			e++;
		size_t colon = i;
		while (colon < e && h[colon] != ':')
			colon++;
		if (colon < e) {
			const uint8_t *v = h + colon + 1;
			size_t vn = e - colon - 1;
			while (vn && (*v == ' ' || *v == '\t'))
				v++, vn--;
			while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t' ||
				      v[vn - 1] == '\r'))
				vn--;
			fn(arg, h + i, colon - i, v, vn);
		}
		i = e;
	}
}

static void is_web_hdr(void *arg, const uint8_t *name, size_t nl,
		       const uint8_t *v, size_t vl)
{
	static const char web[] = "application/grpc-web";
	if (ieq(name, nl, "content-type") && vl >= sizeof(web) - 1 &&
	    ieq(v, sizeof(web) - 1, web))
		*(int *)arg = 1;
}

struct gw_hdr_arg {
	struct ns_grpc_call *c;
	int role;
};

static void gw_hdr(void *arg, const uint8_t *name, size_t nl, const uint8_t *v,
		   size_t vl)
{
	struct gw_hdr_arg *a = arg;
	ns_grpc_header(a->c, a->role, name, nl, v, vl);
}

static struct gw_state *gw_get(struct http_state *st, struct ns_stream_ctx *ctx)
{
	if (st->gw)
		return st->gw;
	struct gw_state *gw = calloc(1, sizeof(*gw));
	if (!gw)
		return NULL;
	gw->eng = ctx->pkt ? ctx->pkt->eng : NULL;
	for (int i = 0; ctx->flow && i < 2; i++) {
		struct ns_buf b = {0};
		ns_flow_endpoint(&b, ctx->flow,
				 i ? !ctx->flow->client : ctx->flow->client);
		size_t k = b.len < sizeof(gw->ends[i])
			       ? b.len
			       : sizeof(gw->ends[i]) - 1;
		if (b.p)
			memcpy(gw->ends[i], b.p, k);
		gw->ends[i][k] = 0;
		ns_buf_free(&b);
		gw->conn_index = ctx->flow->index;
	}
	st->gw = gw;
	return gw;
}

/* A new call for a gRPC-Web message; -1 when GW_CALLS are open. */
static int gw_call_new(struct gw_state *gw)
{
	for (int i = 0; i < GW_CALLS; i++) {
		struct gw_call *g = &gw->call[i];
		if (g->used)
			continue;
		memset(g, 0, sizeof(*g));
		ns_grpc_call_init(&g->c);
		g->used = 1;
		g->http_status = -1;
		g->t_first_resp = g->t_end = -1;
		g->seq = ++gw->seq;
		return i;
	}
	gw->dropped++;
	return -1;
}

/* One line of --calls for call g (kind gRPC-Web, as http2.c's lines). */
static void gw_report(struct gw_state *gw, struct gw_call *g)
{
	if (!gw->eng || !gw->eng->calls)
		return;
	struct ns_buf b = {0};
	ns_buf_printf(&b, "%-6u %s \xe2\x86\x92 %s s=-    gRPC-Web %s ",
		      gw->conn_index, gw->ends[0], gw->ends[1],
		      g->method[0] ? g->method : "-");
	if (g->c.path[0])
		ns_buf_escaped(&b, (const uint8_t *)g->c.path,
			       strlen(g->c.path));
	else
		ns_buf_putc(&b, '-');
	const char *sn = ns_grpc_status_name(g->c.grpc_status);
	ns_buf_printf(&b, " %s", sn ? sn : "-");
	if (g->http_status >= 0)
		ns_buf_printf(&b, " %d", g->http_status);
	else
		ns_buf_puts(&b, " -");
	ns_grpc_report_times(&b, &g->c, g->t_end, g->t_first_resp);
	ns_grpc_report_msgs(&b, &g->c);
	ns_buf_puts(&b, g->t_end >= 0 ? " end" : " open");
	ns_grpc_report_message(&b, &g->c);
	ns_calls_add(gw->eng->calls, gw->conn_index, g->seq, b.p, b.len);
	ns_buf_free(&b);
}

static void gw_call_done(struct gw_state *gw, int i)
{
	struct gw_call *g = &gw->call[i];
	if (g->req_open || g->resp_open)
		return;
	gw_report(gw, g);
	ns_grpc_call_free(&g->c);
	g->used = 0;
}

static const struct ns_grpc_call *gw_call_of(void *owner, uint32_t stream)
{
	struct gw_state *gw = owner;
	(void)stream; /* HTTP/1.1: the delivery's events are all of `cur` */
	return gw->cur >= 0 && gw->call[gw->cur].used ? &gw->call[gw->cur].c
						      : NULL;
}

/* The grpc layer of the events so far (of message d's call). */
static void gw_flush(struct http_state *st, struct ns_stream_ctx *ctx, int call)
{
	struct gw_state *gw = st->gw;
	if (!gw || (!gw->ev.nev && !gw->ev.lost))
		return;
	gw->cur = call;
	gw->ev.call = gw_call_of;
	gw->ev.owner = gw;
	gw->ev.eng = gw->eng;
	ns_grpc_layer(ctx, &gw->ev);
}

/* A request or response header block was framed: a gRPC-Web message gets
 * (or, a response, finds) its call; `paired` is the call of the request
 * a response answers, or -1. */
static void gw_start(struct http_state *st, struct http_dir *d,
		     struct ns_stream_ctx *ctx, const uint8_t *h, size_t n,
		     unsigned code, int paired)
{
	int web = 0;
	each_header(h, n, is_web_hdr, &web);
	d->gcall = -1;
	d->gfeed = web;
	if (!web && paired < 0)
		return;
	struct gw_state *gw = gw_get(st, ctx);
	if (!gw)
		return;
	int i = paired >= 0 ? paired : gw_call_new(gw);
	if (i < 0)
		return;
	struct gw_call *g = &gw->call[i];
	struct gw_hdr_arg a = {&g->c, d->resp};
	each_header(h, n, gw_hdr, &a);
	d->gcall = i;
	if (d->resp) {
		g->resp_open = 1;
		g->http_status = (int)code;
		g->t_first_resp = d->start_ts;
		return;
	}
	/* the request line: method and path */
	size_t s1 = 0;
	while (s1 < n && h[s1] != ' ' && h[s1] != '\r' && h[s1] != '\n')
		s1++;
	size_t s2 = s1 + 1;
	while (s2 < n && h[s2] != ' ' && h[s2] != '\r' && h[s2] != '\n')
		s2++;
	size_t ml = s1 < sizeof(g->method) ? s1 : sizeof(g->method) - 1;
	memcpy(g->method, h, ml);
	g->method[ml] = 0;
	if (s2 <= n && s2 > s1 + 1) {
		size_t pl = s2 - s1 - 1;
		pl = pl < sizeof(g->c.path) ? pl : sizeof(g->c.path) - 1;
		memcpy(g->c.path, h + s1 + 1, pl);
		g->c.path[pl] = 0;
	}
	g->req_open = 1;
	g->c.t_req = d->start_ts;
}

/* Body bytes of message d. */
static void gw_body(struct http_state *st, struct http_dir *d,
		    struct ns_stream_ctx *ctx, const uint8_t *p, size_t n)
{
	if (!d->gfeed || d->gcall < 0 || !st->gw || !n)
		return;
	struct gw_call *g = &st->gw->call[d->gcall];
	ns_grpc_body(&g->c, &st->gw->ev, 0, d->resp,
		     ctx->pkt ? ctx->pkt->ts : 0, p, n);
}

/* Message d ended (its http layer is recorded): the end of the call's
 * side, the grpc layer, and the call's end when both sides are over. */
static void gw_end(struct http_state *st, struct http_dir *d,
		   struct ns_stream_ctx *ctx)
{
	struct gw_state *gw = st->gw;
	int i = d->gcall;
	d->gcall = -1;
	d->gfeed = 0;
	if (!gw || i < 0)
		return;
	struct gw_call *g = &gw->call[i];
	if (d->resp) {
		/* answered: the request is over too, even if its body is not */
		struct http_dir *o = &st->d[!ctx->dir];
		if (o->gcall == i)
			o->gcall = -1, o->gfeed = 0;
		g->t_end = ctx->pkt ? ctx->pkt->ts : g->t_end;
		g->resp_open = 0;
		g->req_open = 0;
	} else {
		g->req_open = 0;
	}
	ns_grpc_dec_reset(&g->c.dec[d->resp]);
	if (g->c.grpc)
		ns_grpc_event(
		    &gw->ev, d->resp ? NS_GRPC_EV_RESP_END : NS_GRPC_EV_REQ_END,
		    d->resp, 0);
	gw_flush(st, ctx, i);
	/* a request stays for its response */
	if (d->resp)
		gw_call_done(gw, i);
}

static void gw_free(struct http_state *st)
{
	struct gw_state *gw = st->gw;
	if (!gw)
		return;
	for (int i = 0; i < GW_CALLS; i++) {
		if (!gw->call[i].used)
			continue;
		gw->call[i].req_open = gw->call[i].resp_open = 0;
		gw_call_done(gw, i);
	}
	ns_grpc_events_free(&gw->ev);
	free(gw);
	st->gw = NULL;
}

struct framing_arg {
	struct http_state *st;
	struct http_dir *d;
	const uint8_t *h; /* the whole header block */
	size_t n;
	int is_resp;
	unsigned code;
};

/* One header line's part in the framing: body length, chunking, h2c. */
static void framing_header(void *arg, const uint8_t *name, size_t nl,
			   const uint8_t *v, size_t vn)
{
	struct framing_arg *a = arg;
	struct http_dir *d = a->d;
	struct http_state *st = a->st;
	if (ieq(name, nl, "content-length") && d->body != BODY_CHUNKED) {
		uint64_t len = 0;
		for (size_t k = 0; k < vn; k++)
			if (v[k] >= '0' && v[k] <= '9' && len < (1ull << 59))
				len = len * 10 + (v[k] - '0');
		d->body = BODY_LENGTH;
		d->left = len;
	} else if (ieq(name, nl, "upgrade") && contains_ci(v, vn, "h2c")) {
		if (a->is_resp && a->code == 101) {
			st->h2c = 1;
		} else if (!a->is_resp) {
			/* the request HTTP/2 stream 1 answers */
			size_t k = 0;
			while (k < a->n && k + 1 < sizeof(st->up_req) &&
			       a->h[k] != '\r' && a->h[k] != '\n')
				k++;
			memcpy(st->up_req, a->h, k);
			st->up_req[k] = 0;
		}
	} else if (ieq(name, nl, "transfer-encoding") &&
		   contains_ci(v, vn, "chunked")) {
		d->body = BODY_CHUNKED;
		d->chunk_state = 0;
	}
}

/* Framing from the header block (no fields recorded). */
static void framing(struct http_state *st, struct http_dir *d,
		    struct ns_stream_ctx *ctx, const uint8_t *h, size_t n)
{
	int is_resp = n >= 5 && memcmp(h, "HTTP/", 5) == 0;
	d->resp = is_resp;
	unsigned code = 0;
	if (is_resp && n >= 12)
		code = (unsigned)(h[9] - '0') * 100 +
		       (unsigned)(h[10] - '0') * 10 + (unsigned)(h[11] - '0');
	d->body = is_resp ? BODY_CLOSE : BODY_NONE;
	d->left = 0;
	struct framing_arg fa = {st, d, h, n, is_resp, code};
	each_header(h, n, framing_header, &fa);
	d->req_slot = -1;
	if (!is_resp) {
		if (st->nreq < MAX_PENDING) {
			unsigned k = (st->rhead + st->nreq++) % MAX_PENDING;
			st->req[k].head = n >= 5 && memcmp(h, "HEAD ", 5) == 0;
			st->req[k].ts = d->start_ts;
			st->req[k].frame = d->start_frame;
			st->req[k].layer = 0xff; /* none until it is shown */
			d->req_slot = (int)k;
			gw_start(st, d, ctx, h, n, 0, -1);
			st->req[k].gcall = (int8_t)d->gcall;
		} else {
			d->gcall = -1;
			d->gfeed = 0;
		}
		return;
	}
	/* responses: 1xx, 204, 304 and answers to HEAD have no body */
	int head = 0, paired = -1;
	st->resp_time = -1;
	st->req_frame = 0;
	/* 101 Switching Protocols is the final answer to its request */
	if ((code >= 200 || code == 101) && st->nreq) {
		unsigned k = st->rhead;
		head = st->req[k].head;
		st->resp_time = st->req[k].ts; /* made relative at the end */
		st->req_frame = st->req[k].frame;
		st->req_layer = st->req[k].layer;
		paired = st->req[k].gcall;
		st->rhead = (st->rhead + 1) % MAX_PENDING;
		st->nreq--;
	}
	if (code < 200 || code == 204 || code == 304 || head)
		d->body = BODY_NONE;
	gw_start(st, d, ctx, h, n, code, paired);
}

static void finish_message(struct http_state *st, struct http_dir *d,
			   struct ns_stream_ctx *ctx)
{
	if (ctx->pkt && d->hdr) {
		struct ns_packet *pkt = ctx->pkt;
		int li = ns_stream_message(ctx, ctx->st->app, d->hdr,
					   d->hdr_len, st);
		if (li >= 0) {
			/* what only the connection knows */
			int resp =
			    d->hdr_len >= 5 && memcmp(d->hdr, "HTTP/", 5) == 0;
			/* times as tshark's: from the packet that completed
			 * the request to the one that completes the response */
			if (!resp && d->req_slot >= 0) {
				st->req[d->req_slot].ts = pkt->ts;
				st->req[d->req_slot].frame = pkt->num;
				st->req[d->req_slot].layer = (uint8_t)li;
			}
			uint64_t rep;
			if (!resp &&
			    ns_engine_noted(pkt->eng, pkt->num, (unsigned)li,
					    &fields[F_RESPONSE_IN], &rep))
				ns_add_uint(pkt, &fields[F_RESPONSE_IN], 0, 0,
					    rep);
			if (resp && st->req_frame) {
				ns_add_int(pkt, &fields[F_TIME], 0, 0,
					   pkt->ts - st->resp_time);
				ns_add_uint(pkt, &fields[F_REQUEST_IN], 0, 0,
					    st->req_frame);
				if (st->req_layer != 0xff)
					ns_engine_note(pkt->eng, st->req_frame,
						       st->req_layer,
						       &fields[F_RESPONSE_IN],
						       pkt->num);
			}
			ns_add_uint(pkt, &fields[F_BODY_LEN], 0, 0,
				    d->body_len);
			ns_stream_message_end(ctx, li);
		}
	}
	gw_end(st, d, ctx);
	free(d->hdr);
	d->hdr = NULL;
	d->hdr_len = 0;
	d->in_body = 0;
	d->body_len = 0;
}

/* Consumes body bytes; returns how many, and whether the body ended. */
static size_t body(struct http_state *st, struct http_dir *d,
		   struct ns_stream_ctx *ctx, const uint8_t *p, size_t n,
		   int *done)
{
	size_t used = 0;
	*done = 0;
	switch (d->body) {
	case BODY_NONE:
		*done = 1;
		return 0;
	case BODY_LENGTH: {
		uint64_t k = d->left < n ? d->left : n;
		d->left -= k;
		d->body_len += k;
		*done = d->left == 0;
		gw_body(st, d, ctx, p, (size_t)k);
		return (size_t)k;
	}
	case BODY_CLOSE:
		d->body_len += n;
		gw_body(st, d, ctx, p, n);
		return n;
	default:
		break;
	}
	/* chunked (RFC 9112 §7.1) */
	while (used < n && !*done) {
		if (d->chunk_state == 1) {
			uint64_t k = d->left < n - used ? d->left : n - used;
			d->left -= k;
			d->body_len += k;
			gw_body(st, d, ctx, p + used, (size_t)k);
			used += (size_t)k;
			if (d->left == 0)
				d->chunk_state = 2;
			continue;
		}
		/* a line: size line, the CRLF after data, or a trailer */
		size_t e = used;
		while (e < n && p[e] != '\n')
			e++;
		if (e == n) {
			if (n - used > 4096) { /* no line that long */
				*done = 1;
				return n;
			}
			return used; /* wait for the rest of the line */
		}
		const uint8_t *line = p + used;
		size_t ln = e - used;
		used = e + 1;
		if (d->chunk_state == 2) {
			d->chunk_state = 0;
		} else if (d->chunk_state == 0) {
			uint64_t size = 0;
			size_t k = 0;
			for (; k < ln; k++) {
				uint8_t c = line[k];
				int v = ns_hexval(c);
				if (v < 0 || size > (1ull << 56))
					break;
				size = size * 16 + (uint64_t)v;
			}
			d->left = size;
			d->chunk_state = size ? 1 : 3;
		} else if (ln == 0 || (ln == 1 && line[0] == '\r')) {
			*done = 1; /* the empty line after the trailers */
		}
	}
	return used;
}

static size_t messages(struct http_state *st, struct ns_stream_ctx *ctx,
		       const uint8_t *p, size_t n)
{
	struct http_dir *d = &st->d[ctx->dir];
	size_t used = 0;
	while (used < n && !st->dead) {
		if (!d->in_body) {
			if (probe(p + used, n - used, ctx->dir) == 0) {
				/* h2c with prior knowledge on an HTTP port
				 * (gRPC on 8080): HTTP/2 takes over */
				int h2 = ns_diss_http2.stream->probe(
				    p + used, n - used, ctx->dir);
				if (h2 > 0) {
					ns_stream_switch(ctx, &ns_diss_http2,
							 NULL);
					return used;
				}
				if (h2 < 0 && n - used < 4096)
					return used;
				st->dead = 1; /* not HTTP (any more) */
				return n;
			}
			size_t end = header_end(p + used, n - used);
			if (!end) {
				if (n - used > MAX_HEADER) {
					st->dead = 1;
					return n;
				}
				return used; /* wait for the whole header */
			}
			d->hdr = malloc(end);
			if (!d->hdr) {
				st->dead = 1;
				return n;
			}
			memcpy(d->hdr, p + used, end);
			d->hdr_len = end;
			d->start_ts = ns_stream_time_at(ctx, used);
			d->start_frame = ctx->pkt ? ctx->pkt->num : 0;
			d->in_body = 1;
			d->body_len = 0;
			framing(st, d, ctx, d->hdr, d->hdr_len);
			used += end;
		}
		int done;
		used += body(st, d, ctx, p + used, n - used, &done);
		if (!done)
			break;
		finish_message(st, d, ctx);
		if (st->h2c) {
			/* what follows the 101 is HTTP/2 */
			ns_stream_switch(ctx, &ns_diss_http2, st->up_req);
			return used;
		}
	}
	return st->dead ? n : used;
}

static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct http_state *st = state;
	size_t used = messages(st, ctx, p, n);
	/* gRPC-Web messages of a body still in progress (server streaming) */
	struct http_dir *d = &st->d[ctx->dir];
	if (st->gw)
		gw_flush(st, ctx, d->in_body ? d->gcall : -1);
	return used;
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct http_state *st = state;
	struct http_dir *d = &st->d[ctx->dir];
	/* gRPC-Web framing cannot be found again inside this body */
	if (d->gfeed && d->gcall >= 0 && st->gw)
		ns_grpc_dec_reset(&st->gw->call[d->gcall].c.dec[d->resp]);
	d->gfeed = 0;
	if (d->in_body && d->body == BODY_LENGTH && d->left >= n) {
		d->left -= n; /* lost body bytes: the framing survives */
		d->body_len += n;
		return 1;
	}
	if (d->in_body && d->body == BODY_CLOSE)
		return 1;
	return 0; /* lost inside a header or a chunk line: give up */
}

static void fin(void *state, struct ns_stream_ctx *ctx)
{
	struct http_state *st = state;
	struct http_dir *d = &st->d[ctx->dir];
	/* a body delimited by the connection's end is complete now */
	if (d->in_body && d->body == BODY_CLOSE)
		finish_message(st, d, ctx);
}

static void destroy(void *state)
{
	struct http_state *st = state;
	free(st->d[0].hdr);
	free(st->d[1].hdr);
	gw_free(st);
}

static void add_str(struct ns_packet *pkt, int f, const uint8_t *base,
		    const uint8_t *p, size_t n)
{
	ns_add_bytes(pkt, &fields[f], (uint32_t)(p - base), (uint32_t)n, p,
		     (uint32_t)n);
}

static void trim(const uint8_t **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t'))
		(*p)++, (*n)--;
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' ||
		      (*p)[*n - 1] == '\r'))
		(*n)--;
}

/* One message's header block, recorded as fields. */
static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	const uint8_t *base = r->base, *h = r->p;
	size_t n = ns_rd_left(r);
	size_t e = 0;
	while (e < n && h[e] != '\n')
		e++;
	size_t ln = e;
	if (ln && h[ln - 1] == '\r')
		ln--;
	int resp = n >= 5 && memcmp(h, "HTTP/", 5) == 0;
	ns_add_uint(pkt, &fields[resp ? F_RESPONSE : F_REQUEST], 0, 0, 1);
	/* start line: three parts separated by spaces */
	size_t s1 = 0;
	while (s1 < ln && h[s1] != ' ')
		s1++;
	size_t s2 = s1 + 1;
	while (s2 < ln && h[s2] != ' ')
		s2++;
	if (s1 >= ln)
		return ns_malformed(pkt, "bad start line");
	if (resp) {
		add_str(pkt, F_RESP_VERSION, base, h, s1);
		unsigned code = 0;
		for (size_t k = s1 + 1; k < s2 && k < s1 + 4; k++)
			code = code * 10 + (unsigned)(h[k] >= '0' && h[k] <= '9'
							  ? h[k] - '0'
							  : 0);
		ns_add_uint(pkt, &fields[F_CODE], (uint32_t)(s1 + 1), 3, code);
		if (s2 < ln)
			add_str(pkt, F_PHRASE, base, h + s2 + 1, ln - s2 - 1);
	} else {
		for (size_t k = 0; k < s1; k++)
			if (!is_token_char(h[k]))
				return ns_malformed(pkt, "bad method");
		add_str(pkt, F_METHOD, base, h, s1);
		if (s2 <= ln)
			add_str(pkt, F_URI, base, h + s1 + 1,
				(s2 < ln ? s2 : ln) - s1 - 1);
		if (s2 < ln)
			add_str(pkt, F_REQ_VERSION, base, h + s2 + 1,
				ln - s2 - 1);
	}
	/* header lines */
	size_t i = e + 1;
	while (i < n) {
		size_t le = i;
		while (le < n && h[le] != '\n')
			le++;
		size_t l = le - i;
		if (l && h[i + l - 1] == '\r')
			l--;
		if (l == 0)
			break;
		add_str(pkt, resp ? F_RESP_LINE : F_REQ_LINE, base, h + i, l);
		size_t colon = i;
		while (colon < i + l && h[colon] != ':')
			colon++;
		if (colon < i + l) {
			const uint8_t *v = h + colon + 1;
			size_t vn = i + l - colon - 1;
			trim(&v, &vn);
			const uint8_t *name = h + i;
			size_t nn = colon - i;
			ns_tree_push(pkt);
			if (ieq(name, nn, "host"))
				add_str(pkt, F_HOST, base, v, vn);
			else if (ieq(name, nn, "user-agent"))
				add_str(pkt, F_USER_AGENT, base, v, vn);
			else if (ieq(name, nn, "content-type"))
				add_str(pkt, F_CONTENT_TYPE, base, v, vn);
			else if (ieq(name, nn, "content-length")) {
				add_str(pkt, F_CONTENT_LENGTH_HDR, base, v, vn);
				uint64_t len = 0;
				for (size_t k = 0;
				     k < vn && v[k] >= '0' && v[k] <= '9' &&
				     len < (1ull << 59);
				     k++)
					len = len * 10 + (uint64_t)(v[k] - '0');
				ns_add_uint(pkt, &fields[F_CONTENT_LENGTH],
					    (uint32_t)(v - base), (uint32_t)vn,
					    len);
			} else if (ieq(name, nn, "transfer-encoding"))
				add_str(pkt, F_TRANSFER_ENCODING, base, v, vn);
			else if (ieq(name, nn, "connection"))
				add_str(pkt, F_CONNECTION, base, v, vn);
			else if (ieq(name, nn, "server"))
				add_str(pkt, F_SERVER, base, v, vn);
			else if (ieq(name, nn, "location"))
				add_str(pkt, F_LOCATION, base, v, vn);
			else if (ieq(name, nn, "http2-settings"))
				ns_http2_settings_b64(pkt, v, vn,
						      (uint32_t)(v - base));
			ns_tree_pop(pkt);
		}
		i = le + 1;
	}
	ns_rd_skip(r, n);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *m = ns_pkt_find(pkt, (int)li, &fields[F_METHOD]);
	const struct ns_fv *u = ns_pkt_find(pkt, (int)li, &fields[F_URI]);
	const struct ns_fv *v =
	    ns_pkt_find(pkt, (int)li, &fields[F_REQ_VERSION]);
	const struct ns_fv *rv =
	    ns_pkt_find(pkt, (int)li, &fields[F_RESP_VERSION]);
	const struct ns_fv *c = ns_pkt_find(pkt, (int)li, &fields[F_CODE]);
	const struct ns_fv *ph = ns_pkt_find(pkt, (int)li, &fields[F_PHRASE]);
	const struct ns_fv *ct =
	    ns_pkt_find(pkt, (int)li, &fields[F_CONTENT_TYPE]);
	if (m) {
		ns_buf_escaped(out, m->v.b.p, m->v.b.n);
		if (u) {
			ns_buf_putc(out, ' ');
			ns_buf_escaped(out, u->v.b.p, u->v.b.n);
		}
		if (v) {
			ns_buf_putc(out, ' ');
			ns_buf_escaped(out, v->v.b.p, v->v.b.n);
		}
	} else if (rv && c) {
		ns_buf_escaped(out, rv->v.b.p, rv->v.b.n);
		ns_buf_putc(out, ' ');
		ns_buf_u64(out, c->v.u);
		if (ph) {
			ns_buf_putc(out, ' ');
			ns_buf_escaped(out, ph->v.b.p, ph->v.b.n);
		}
		if (ct) {
			ns_buf_puts(out, " (");
			ns_buf_escaped(out, ct->v.b.p, ct->v.b.n);
			ns_buf_putc(out, ')');
		}
	}
}

static const struct ns_stream_ops ops = {
    .probe = probe,
    .state_size = sizeof(struct http_state),
    .consume = consume,
    .gap = gap,
    .fin = fin,
    .destroy = destroy,
};

static const struct ns_binding bindings[] = {
    {NS_TAB_TCP_PORT, 80},
    {NS_TAB_TCP_PORT, 8000},
    {NS_TAB_TCP_PORT, 8080},
    {0, 0},
};

struct ns_dissector ns_diss_http = {
    .name = "http",
    .column = "HTTP",
    .title = "Hypertext Transfer Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
    .stream = &ops,
};
