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
 * answering an `Upgrade:` hands the connection to the dissector the
 * upgrade token names (NS_TAB_UPGRADE: h2c is HTTP/2, RFC 7540 §3.2), and
 * bytes that are not HTTP on an HTTP port go to the stream dissector whose
 * heuristic claims them (HTTP/2 with prior knowledge).
 *
 * A response names its request (http.request_in, http.time); a request
 * names its response (http.response_in) only in two-pass analysis (-2),
 * from the note the response left in the first pass.
 *
 * Each request and its response are an exchange (struct ns_call,
 * core/txn.h), paired in order as http.request_in is; its header blocks
 * and body bytes, as they are counted, go to the body interface
 * (core/body.h), so a body format chosen by the content type (gRPC-Web,
 * …) decodes messages that span segments and chunks and records its own
 * layer after the http one; no format is named here.  The exchange's
 * transaction events (request, response, body, end) are published on the
 * engine's bus.  At most MAX_PENDING exchanges wait for their responses;
 * bodies are counted, never kept here.
 */
#include <stdlib.h>
#include <string.h>

#include "core/body.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/mem.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "flow/stream.h"

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
/* requests per block of the ring of pending requests: blocks are
 * allocated as requests wait and freed when none does, so an idle
 * connection keeps none */
#define REQ_CHUNK  8
#define MAX_FIELDS 256 /* header fields given to the body interface */

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
	int req_slot;	/* a request's entry in http_state.req, or -1 */
	int resp;	/* the message is a response */
	struct xchg *x; /* its exchange, or NULL */
	int feed;	/* give its body bytes to the exchange's body */
};

/* An exchange: the call and its body's state. */
struct xchg {
	struct ns_call call;
	struct ns_body body;
	uint8_t done; /* its end was told */
};

/* A request waiting for its response: HEAD?, time and frame. */
struct http_req {
	uint8_t head;
	uint8_t connect; /* a CONNECT: its 2xx opens a tunnel */
	uint8_t layer;	 /* of the request in its frame, for -2's note */
	int64_t ts;
	uint64_t frame;
	struct xchg *x; /* its exchange (owned here until paired) */
};

struct http_state {
	struct http_dir d[2];
	/* requests in order, a ring of MAX_PENDING: entry k is in block
	 * k / REQ_CHUNK (NULL while no request waits in it: req_at()) */
	struct http_req *req[MAX_PENDING / REQ_CHUNK];
	unsigned nreq, rhead;
	int dead;
	/* a 101 response switched to this dissector (NS_TAB_UPGRADE) */
	const struct ns_dissector *upgrade;
	/* a 2xx answered a CONNECT: what follows is the tunnel's */
	int tunnel;
	char up_req[256]; /* request line of the last request with Upgrade */
	/* what the message being recorded needs (set before its layer) */
	int64_t resp_time;
	uint64_t req_frame;
	uint8_t req_layer;
	uint64_t body_len;
	/* the connection, for events; the body formats' collectors */
	struct ns_engine *eng;
	const struct ns_flow *flow;
	uint32_t seq; /* exchanges so far */
	struct ns_body_conn body;
};

/* Entry k of the ring, or NULL when its block is not allocated (no
 * request waits there). */
static struct http_req *req_at(const struct http_state *st, unsigned k)
{
	struct http_req *b = st->req[k / REQ_CHUNK];
	return b ? &b[k % REQ_CHUNK] : NULL;
}

/* Entry k for a new request, its block allocated from the budget if
 * needed; NULL without memory. */
static struct http_req *req_new(struct http_state *st,
				const struct ns_stream_ctx *ctx, unsigned k)
{
	struct http_req **b = &st->req[k / REQ_CHUNK];
	if (!*b) {
		if (!st->body.mem && ctx->eng)
			st->body.mem = &ctx->eng->mem;
		*b = ns_mem_alloc(st->body.mem, REQ_CHUNK * sizeof(**b));
		if (!*b)
			return NULL;
	}
	return &(*b)[k % REQ_CHUNK];
}

/* No request waits: the ring's blocks go. */
static void req_release(struct http_state *st)
{
	for (size_t i = 0; i < NS_NELEM(st->req); i++) {
		ns_mem_free(st->body.mem, st->req[i]);
		st->req[i] = NULL;
	}
}

static int is_token_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* Whether the bytes at r's cursor are `s` or a prefix of it: 1 whole, -1
 * a prefix (too short to tell), 0 no. */
static int starts(const struct ns_reader *r, const char *s)
{
	size_t n = strlen(s), k = ns_rd_left(r);
	if (k >= n)
		return ns_rd_starts(r, s, n);
	return ns_rd_starts(r, s, k) ? -1 : 0;
}

/* "METHOD SP" or "HTTP/1." at the start: 1 yes, 0 no, -1 too short */
static int probe(const uint8_t *p, size_t n, int dir, int from_start)
{
	(void)dir;
	(void)from_start;
	static const char *const starts_of[] = {
	    "HTTP/1.", "GET ",	   "POST ",  "PUT ",	 "HEAD ",
	    "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ",
	};
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	for (size_t i = 0; i < NS_NELEM(starts_of); i++) {
		int m = starts(&r, starts_of[i]);
		if (m)
			return m;
	}
	return 0;
}

/* Finds the end of the header block: the offset after its empty line, 0
 * when it has not come yet. */
static size_t header_end(const uint8_t *p, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	size_t len;
	while (ns_rd_line(&r, &len))
		if (len == 0)
			return ns_rd_off(&r);
	return 0;
}

/* Whether p[0..n) holds `word`, ignoring ASCII case. */
static int contains_ci(const uint8_t *p, size_t n, const char *word)
{
	size_t m = strlen(word);
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (ns_rd_left(&r) >= m) {
		struct ns_reader at = r;
		if (strncasecmp((const char *)ns_rd_ptr(&at, m), word, m) == 0)
			return 1;
		ns_rd_skip(&r, 1);
	}
	return 0;
}

/* ---- exchanges ------------------------------------------------------------
 */

/* Calls fn for each "name: value" line of a header block (value trimmed). */
static void each_header(const uint8_t *h, size_t n,
			void (*fn)(void *arg, const uint8_t *name, size_t nl,
				   const uint8_t *v, size_t vl),
			void *arg)
{
	struct ns_reader r;
	ns_rd_init(&r, h, n);
	size_t len;
	const uint8_t *line = ns_rd_line(&r, &len); /* the start line */
	while (line && (line = ns_rd_line(&r, &len)) != NULL && len) {
		struct ns_hdr f;
		if (ns_hdr_split(line, len, &f))
			fn(arg, f.name, f.nl, f.value, f.vl);
	}
}

struct fields_arg {
	struct ns_hdr h[MAX_FIELDS];
	unsigned n;
};

static void field_of(void *arg, const uint8_t *name, size_t nl,
		     const uint8_t *v, size_t vl)
{
	struct fields_arg *a = arg;
	if (a->n < MAX_FIELDS)
		a->h[a->n++] = (struct ns_hdr){name, v, nl, vl};
}

static void publish(struct http_state *st, struct xchg *x, enum ns_ev_type t,
		    const struct ns_packet *pkt, int side,
		    const struct fields_arg *fa)
{
	if (!st->eng || !ns_bus_wants(&st->eng->bus, t))
		return;
	struct ns_event ev = {.type = t,
			      .pkt = pkt,
			      .flow = st->flow,
			      .dir = side,
			      .u.call = &x->call,
			      .hdr = fa ? fa->h : NULL,
			      .nhdr = fa ? fa->n : 0};
	ev.ts = pkt ? pkt->ts : st->flow ? st->flow->last_ts : 0;
	ns_bus_publish(&st->eng->bus, &ev);
}

/* For the body formats: an exchange by id (NULL once it is gone). */
static const struct ns_call *call_of(void *owner, uint32_t id)
{
	struct http_state *st = owner;
	for (int i = 0; i < 2; i++)
		if (st->d[i].x && st->d[i].x->call.id == id)
			return &st->d[i].x->call;
	for (unsigned k = 0; k < st->nreq; k++) {
		struct xchg *x = req_at(st, (st->rhead + k) % MAX_PENDING)->x;
		if (x && x->call.id == id)
			return &x->call;
	}
	return NULL;
}

/* A new exchange on the connection (NULL without memory). */
static struct xchg *xchg_new(struct http_state *st,
			     const struct ns_stream_ctx *ctx)
{
	if (!st->eng) {
		st->eng = ctx->eng;
		st->flow = ctx->flow;
		st->body.find = call_of;
		st->body.owner = st;
		st->body.mem = ctx->eng ? &ctx->eng->mem : NULL;
	}
	struct xchg *x = ns_mem_alloc(st->body.mem, sizeof(*x));
	if (!x)
		return NULL;
	ns_call_init(&x->call);
	x->call.version = 1;
	x->call.id = ++st->seq;
	if (st->flow) {
		x->call.conn_uid = ns_flow_uid(st->flow);
		x->call.conn_index = st->flow->index;
		x->call.client = st->flow->client;
	}
	return x;
}

/* The exchange's end, told once, then it is freed. */
static void xchg_done(struct http_state *st, struct xchg *x,
		      const struct ns_packet *pkt)
{
	if (!x->done) {
		x->done = 1;
		publish(st, x, NS_EV_HTTP_END, pkt, 1, NULL);
	}
	ns_body_free(&x->body, &st->body);
	ns_mem_free(st->body.mem, x);
}

/* A start line, in three parts separated by spaces: method, URI and
 * version of a request; version, code and phrase of a response. */
struct sline {
	const uint8_t *a, *b, *c;
	size_t an, bn, cn;
	int spaced;    /* a space follows the first part */
	int has_c;     /* a space follows the second part */
	unsigned code; /* the second part's leading digits (3 at most) */
	size_t len;    /* the line's length without its end */
};

static void start_line(const uint8_t *h, size_t n, struct sline *sl)
{
	struct ns_reader r, l;
	ns_rd_init(&r, h, n);
	size_t len;
	const uint8_t *line = ns_rd_line(&r, &len);
	if (!line) {
		line = h;
		len = n;
	}
	ns_rd_init(&l, line, len);
	sl->len = len;
	sl->a = ns_rd_token(&l, ' ', &sl->an);
	sl->spaced = sl->an < len;
	sl->b = ns_rd_token(&l, ' ', &sl->bn);
	sl->has_c = sl->spaced && (size_t)(sl->b - line) + sl->bn < len;
	sl->c = l.p;
	sl->cn = ns_rd_left(&l);
	struct ns_reader d;
	ns_rd_init(&d, sl->b, sl->bn);
	sl->code = (unsigned)ns_rd_dec(&d, 3);
}

static void copy_cut(char *dst, size_t size, const uint8_t *p, size_t n)
{
	n = n < size ? n : size - 1;
	memcpy(dst, p, n);
	dst[n] = 0;
}

/* The method and path of a request's start line. */
static void request_line(struct ns_call *c, const uint8_t *h, size_t n)
{
	struct sline sl;
	start_line(h, n, &sl);
	copy_cut(c->method, sizeof(c->method), sl.a, sl.an);
	if (sl.bn)
		copy_cut(c->path, sizeof(c->path), sl.b, sl.bn);
}

/* A header block of message d was framed: its exchange learns it, the
 * body interface gets its fields, and the event is told. */
static void xchg_headers(struct http_state *st, struct http_dir *d,
			 struct ns_stream_ctx *ctx, const uint8_t *h, size_t n,
			 unsigned code)
{
	struct xchg *x = d->x;
	d->feed = x != NULL;
	if (!x)
		return;
	if (d->resp) {
		x->call.status = (int)code;
		x->call.t_first_resp = d->start_ts;
	} else {
		request_line(&x->call, h, n);
		x->call.t_req = d->start_ts;
		x->call.first_frame = d->start_frame;
	}
	x->call.last_frame = d->start_frame;
	struct fields_arg *fa = malloc(sizeof(*fa));
	if (fa) {
		fa->n = 0;
		each_header(h, n, field_of, fa);
		for (unsigned i = 0; !d->resp && i < fa->n; i++)
			if (ns_hdr_is(fa->h[i].name, fa->h[i].nl, "host"))
				copy_cut(x->call.authority,
					 sizeof(x->call.authority),
					 fa->h[i].value, fa->h[i].vl);
		ns_body_headers(&x->body, &st->body, ctx, &x->call, d->resp,
				d->start_ts, fa->h, fa->n);
	}
	publish(st, x, d->resp ? NS_EV_HTTP_RESPONSE : NS_EV_HTTP_REQUEST,
		ctx->pkt, d->resp, fa);
	free(fa);
}

/* Body bytes of message d. */
static void xchg_body(struct http_state *st, struct http_dir *d,
		      struct ns_stream_ctx *ctx, const uint8_t *p, size_t n)
{
	struct xchg *x = d->x;
	if (!x || !n)
		return;
	x->call.body_bytes[d->resp] += n;
	if (!d->feed)
		return;
	int64_t ts = ctx->pkt ? ctx->pkt->ts : 0;
	ns_body_data(&x->body, &st->body, ctx, &x->call, d->resp, ts, p, n);
	if (st->eng && ns_bus_wants(&st->eng->bus, NS_EV_HTTP_BODY)) {
		struct ns_event ev = {.type = NS_EV_HTTP_BODY,
				      .pkt = ctx->pkt,
				      .flow = st->flow,
				      .ts = ts,
				      .dir = d->resp,
				      .u.data = {p, n},
				      .call = &x->call};
		ns_bus_publish(&st->eng->bus, &ev);
	}
}

/* Message d ended (its http layer is recorded): the end of its side, the
 * body formats' layers, and the exchange's end with its response. */
static void xchg_end(struct http_state *st, struct http_dir *d,
		     struct ns_stream_ctx *ctx)
{
	struct xchg *x = d->x;
	d->feed = 0;
	if (!x)
		return;
	struct ns_call *c = &x->call;
	int64_t ts = ctx->pkt ? ctx->pkt->ts : c->t_end;
	c->closed[d->resp] = 1;
	if (ctx->pkt)
		c->last_frame = ctx->pkt->num;
	if (d->resp) {
		/* answered: the request is over too, even if its body is not */
		struct http_dir *o = &st->d[!ctx->dir];
		if (o->x == x)
			o->x = NULL, o->feed = 0;
		c->t_end = ts;
		c->closed[0] = 1;
		c->end = NS_CALL_ENDED;
	}
	ns_body_end(&x->body, &st->body, ctx, c, d->resp, ts);
	ns_body_flush(&st->body, ctx); /* finds x through d->x */
	d->x = NULL;
	/* a request stays (in st->req) for its response */
	if (d->resp)
		xchg_done(st, x, ctx->pkt);
}

/* The connection ends (or is handed over): exchanges still waiting end
 * with it. */
static void xchg_all_done(struct http_state *st, const struct ns_packet *pkt)
{
	for (int i = 0; i < 2; i++) {
		struct xchg *x = st->d[i].x;
		st->d[i].x = NULL;
		if (x && st->d[i].resp) /* a request is in st->req too */
			xchg_done(st, x, pkt);
	}
	for (; st->nreq; st->nreq--) {
		struct http_req *r = req_at(st, st->rhead);
		struct xchg *x = r->x;
		r->x = NULL;
		st->rhead = (st->rhead + 1) % MAX_PENDING;
		if (x)
			xchg_done(st, x, pkt);
	}
	req_release(st);
}

struct framing_arg {
	struct http_state *st;
	struct http_dir *d;
	const uint8_t *h; /* the whole header block */
	size_t n;
	int is_resp;
	unsigned code;
};

/* The dissector an Upgrade value's first token names, or NULL. */
static const struct ns_dissector *upgrade_to(const uint8_t *v, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, v, n);
	size_t k = 0;
	while (ns_rd_left(&r) && !strchr(", /", ns_rd_peek(&r, 0))) {
		ns_rd_skip(&r, 1);
		k++;
	}
	return ns_table_lookup_name(NS_TAB_UPGRADE, v, k);
}

/* One header line's part in the framing: body length, chunking, Upgrade. */
static void framing_header(void *arg, const uint8_t *name, size_t nl,
			   const uint8_t *v, size_t vn)
{
	struct framing_arg *a = arg;
	struct http_dir *d = a->d;
	struct http_state *st = a->st;
	if (ns_hdr_is(name, nl, "content-length") && d->body != BODY_CHUNKED) {
		struct ns_reader r;
		ns_rd_init(&r, v, vn);
		d->body = BODY_LENGTH;
		d->left = ns_rd_dec(&r, 19);
	} else if (ns_hdr_is(name, nl, "upgrade") && upgrade_to(v, vn)) {
		if (a->is_resp && a->code == 101) {
			st->upgrade = upgrade_to(v, vn);
		} else if (!a->is_resp) {
			/* the request HTTP/2 stream 1 answers */
			struct sline sl;
			start_line(a->h, a->n, &sl);
			copy_cut(st->up_req, sizeof(st->up_req), a->h, sl.len);
		}
	} else if (ns_hdr_is(name, nl, "transfer-encoding") &&
		   contains_ci(v, vn, "chunked")) {
		d->body = BODY_CHUNKED;
		d->chunk_state = 0;
	}
}

/* Framing from the header block (no fields recorded). */
static void framing(struct http_state *st, struct http_dir *d,
		    struct ns_stream_ctx *ctx, const uint8_t *h, size_t n)
{
	struct ns_reader hr;
	ns_rd_init(&hr, h, n);
	int is_resp = ns_rd_starts(&hr, "HTTP/", 5);
	d->resp = is_resp;
	struct sline sl;
	start_line(h, n, &sl);
	unsigned code = is_resp ? sl.code : 0;
	d->body = is_resp ? BODY_CLOSE : BODY_NONE;
	d->left = 0;
	struct framing_arg fa = {st, d, h, n, is_resp, code};
	each_header(h, n, framing_header, &fa);
	d->req_slot = -1;
	d->x = NULL;
	if (!is_resp) {
		unsigned k = (st->rhead + st->nreq) % MAX_PENDING;
		struct http_req *r =
		    st->nreq < MAX_PENDING ? req_new(st, ctx, k) : NULL;
		if (r) {
			st->nreq++;
			r->head = ns_rd_starts(&hr, "HEAD ", 5);
			r->connect = ns_rd_starts(&hr, "CONNECT ", 8);
			r->ts = d->start_ts;
			r->frame = d->start_frame;
			r->layer = 0xff; /* none until it is shown */
			r->x = d->x = xchg_new(st, ctx);
			d->req_slot = (int)k;
		}
		xchg_headers(st, d, ctx, h, n, 0);
		return;
	}
	/* responses: 1xx, 204, 304 and answers to HEAD have no body */
	int head = 0;
	st->resp_time = -1;
	st->req_frame = 0;
	/* 101 Switching Protocols is the final answer to its request */
	if ((code >= 200 || code == 101) && st->nreq) {
		struct http_req *r = req_at(st, st->rhead);
		head = r->head;
		/* a 2xx to CONNECT has no body: the tunnel follows */
		if (r->connect && code >= 200 && code < 300) {
			head = 1;
			st->tunnel = 1;
		}
		st->resp_time = r->ts; /* made relative at the end */
		st->req_frame = r->frame;
		st->req_layer = r->layer;
		d->x = r->x;
		r->x = NULL;
		st->rhead = (st->rhead + 1) % MAX_PENDING;
		if (!--st->nreq)
			req_release(st);
	} else if (code >= 200) { /* its request was before the capture */
		d->x = xchg_new(st, ctx);
	}
	if (code < 200 || code == 204 || code == 304 || head)
		d->body = BODY_NONE;
	xchg_headers(st, d, ctx, h, n, code);
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
			int resp = d->resp;
			/* times as tshark's: from the packet that completed
			 * the request to the one that completes the response */
			/* (NULL: no request waits, this one was answered
			 * before its body ended) */
			struct http_req *r =
			    !resp && d->req_slot >= 0
				? req_at(st, (unsigned)d->req_slot)
				: NULL;
			if (r) {
				r->ts = pkt->ts;
				r->frame = pkt->num;
				r->layer = (uint8_t)li;
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
	xchg_end(st, d, ctx);
	ns_mem_free(st->body.mem, d->hdr);
	d->hdr = NULL;
	d->hdr_len = 0;
	d->in_body = 0;
	d->body_len = 0;
}

/* The size on a chunk's line (hex digits; an extension after them is
 * left out). */
static uint64_t chunk_size(const uint8_t *line, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, line, n);
	uint64_t size = 0;
	int v;
	while (ns_rd_left(&r) && (v = ns_hexval(ns_rd_peek(&r, 0))) >= 0 &&
	       size <= (1ull << 56)) {
		size = size * 16 + (uint64_t)v;
		ns_rd_skip(&r, 1);
	}
	return size;
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
		xchg_body(st, d, ctx, p, (size_t)k);
		return (size_t)k;
	}
	case BODY_CLOSE:
		d->body_len += n;
		xchg_body(st, d, ctx, p, n);
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
			xchg_body(st, d, ctx, p + used, (size_t)k);
			used += (size_t)k;
			if (d->left == 0)
				d->chunk_state = 2;
			continue;
		}
		/* a line: size line, the CRLF after data, or a trailer */
		struct ns_reader r;
		ns_rd_init(&r, p, n);
		ns_rd_skip(&r, used);
		size_t ln;
		const uint8_t *line = ns_rd_line(&r, &ln);
		if (!line) {
			if (n - used > 4096) { /* no line that long */
				*done = 1;
				return n;
			}
			return used; /* wait for the rest of the line */
		}
		used = ns_rd_off(&r);
		if (d->chunk_state == 2) {
			d->chunk_state = 0;
		} else if (d->chunk_state == 0) {
			d->left = chunk_size(line, ln);
			d->chunk_state = d->left ? 1 : 3;
		} else if (ln == 0) {
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
			if (probe(p + used, n - used, ctx->dir, 0) == 0) {
				/* another protocol on an HTTP port (HTTP/2
				 * with prior knowledge, gRPC on 8080): the
				 * dissector whose heuristic claims it */
				int more;
				const struct ns_dissector *o =
				    ns_stream_probe_other(ctx, p + used,
							  n - used, &more);
				if (o) {
					ns_stream_switch(ctx, o, NULL);
					return used;
				}
				if (more && n - used < 4096)
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
			if (!st->body.mem && ctx->eng)
				st->body.mem = &ctx->eng->mem;
			d->hdr = ns_mem_alloc(st->body.mem, end);
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
		if (st->upgrade) {
			/* what follows the 101 is the upgraded protocol */
			ns_stream_switch(ctx, st->upgrade, st->up_req);
			return used;
		}
		if (st->tunnel && d->resp) {
			/* CONNECT's tunnel (a proxy): whatever protocol the
			 * heuristics find in the bytes that follow, both ways
			 */
			ns_stream_reprobe(ctx);
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
	/* what the body formats completed of a body still in progress
	 * (server streaming) */
	ns_body_flush(&st->body, ctx);
	return used;
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct http_state *st = state;
	struct http_dir *d = &st->d[ctx->dir];
	/* a body format cannot find its framing again inside this body */
	if (d->feed && d->x)
		ns_body_lost(&d->x->body, &st->body, &d->x->call, d->resp);
	d->feed = 0;
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

/* The connection ends (or HTTP/2 takes it over). */
static void conn_end(void *state, struct ns_stream_ctx *ctx)
{
	(void)ctx;
	xchg_all_done(state, NULL);
}

static void destroy(void *state)
{
	struct http_state *st = state;
	ns_mem_free(st->body.mem, st->d[0].hdr);
	ns_mem_free(st->body.mem, st->d[1].hdr);
	xchg_all_done(st, NULL); /* frees; their ends were told by conn_end() */
	ns_body_conn_free(&st->body);
}

static void add_str(struct ns_packet *pkt, int f, const uint8_t *base,
		    const uint8_t *p, size_t n)
{
	ns_add_bytes(pkt, &fields[f], (uint32_t)(p - base), (uint32_t)n, p,
		     (uint32_t)n);
}

/* The start line's fields; -1 (malformed) when it is not one. */
static int start_fields(struct ns_packet *pkt, const uint8_t *base,
			const uint8_t *h, size_t n, int resp)
{
	struct sline sl;
	start_line(h, n, &sl);
	if (!sl.spaced)
		return ns_malformed(pkt, "bad start line");
	if (resp) {
		add_str(pkt, F_RESP_VERSION, base, sl.a, sl.an);
		ns_add_uint(pkt, &fields[F_CODE], (uint32_t)(sl.b - base), 3,
			    sl.code);
		if (sl.has_c)
			add_str(pkt, F_PHRASE, base, sl.c, sl.cn);
		return 0;
	}
	struct ns_reader m;
	ns_rd_init(&m, sl.a, sl.an);
	while (ns_rd_left(&m))
		if (!is_token_char(ns_rd_u8(&m)))
			return ns_malformed(pkt, "bad method");
	add_str(pkt, F_METHOD, base, sl.a, sl.an);
	add_str(pkt, F_URI, base, sl.b, sl.bn);
	if (sl.has_c)
		add_str(pkt, F_REQ_VERSION, base, sl.c, sl.cn);
	return 0;
}

/* The fields of one header line's value, under its line. */
static void header_fields(struct ns_packet *pkt, const uint8_t *base,
			  const struct ns_hdr *f)
{
	static const struct {
		const char *name;
		int f;
	} known[] = {
	    {"host", F_HOST},
	    {"user-agent", F_USER_AGENT},
	    {"content-type", F_CONTENT_TYPE},
	    {"content-length", F_CONTENT_LENGTH_HDR},
	    {"transfer-encoding", F_TRANSFER_ENCODING},
	    {"connection", F_CONNECTION},
	    {"server", F_SERVER},
	    {"location", F_LOCATION},
	};
	uint32_t voff = (uint32_t)(f->value - base);
	for (size_t i = 0; i < NS_NELEM(known); i++)
		if (ns_hdr_is(f->name, f->nl, known[i].name))
			add_str(pkt, known[i].f, base, f->value, f->vl);
	if (ns_hdr_is(f->name, f->nl, "content-length")) {
		struct ns_reader d;
		ns_rd_init(&d, f->value, f->vl);
		ns_add_uint(pkt, &fields[F_CONTENT_LENGTH], voff,
			    (uint32_t)f->vl, ns_rd_dec(&d, 19));
	} else if (ns_hdr_is(f->name, f->nl, "http2-settings")) {
		ns_http2_settings_b64(pkt, f->value, f->vl, voff);
	}
}

/* One message's header block, recorded as fields. */
static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	(void)cx;
	const uint8_t *base = r->base;
	int resp = ns_rd_starts(r, "HTTP/", 5);
	ns_add_uint(pkt, &fields[resp ? F_RESPONSE : F_REQUEST], 0, 0, 1);
	if (start_fields(pkt, base, r->p, ns_rd_left(r), resp) < 0)
		return NS_EMALFORMED;
	size_t len;
	ns_rd_line(r, &len);
	const uint8_t *line;
	while ((line = ns_rd_line(r, &len)) != NULL && len) {
		add_str(pkt, resp ? F_RESP_LINE : F_REQ_LINE, base, line, len);
		struct ns_hdr f;
		if (!ns_hdr_split(line, len, &f))
			continue;
		ns_tree_push(pkt);
		header_fields(pkt, base, &f);
		ns_tree_pop(pkt);
	}
	ns_rd_skip(r, ns_rd_left(r));
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
    .end = conn_end,
    .destroy = destroy,
};

static const struct ns_binding bindings[] = {
    {NS_TAB_TCP_PORT, 80},
    {NS_TAB_TCP_PORT, 8000},
    {NS_TAB_TCP_PORT, 8080},
    {0, 0},
};

static const struct ns_name_binding names[] = {
    {NS_TAB_ALPN, "http/1.1"},
    {NS_TAB_ALPN, "http/1.0"},
    {0, NULL},
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
    .names = names,
    .stream = &ops,
};
