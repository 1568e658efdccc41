/*
 * HTTP/3 (RFC 9114) and QPACK (RFC 9204) over the QUIC streams that
 * dissectors/app/quic.c reassembles (the interface is src/proto/h3.h).
 *
 * Each call hands the next in-order bytes of one stream in one direction.
 * A stream's first byte says what it is: client-initiated bidirectional
 * streams (id & 3 == 0) are requests; a unidirectional one (id & 2) starts
 * with a stream type (§6.2): control, push, QPACK encoder or decoder, or
 * one we skip.  Frames (§7: varint type and length) are parsed as their
 * bytes arrive; a frame whose bytes come in several pieces is kept per
 * stream and direction until it is whole (at most H3_BUF_MAX, from the
 * budget: past it the stream is said lost), except DATA and frame types we
 * skip, whose payload is taken as it comes, so a large body costs nothing
 * to hold.  The frames one call completed are one `http3` layer on that
 * packet, with Wireshark's field names (http3.*; the header fields as
 * Wireshark 4.2 names them, 4.0 does not decode QPACK).
 *
 * QPACK is libnghttp3's decoder, one per direction (q[d] decodes what side
 * d encodes), fed that side's encoder stream in order; the other side's
 * SETTINGS give its maximum table capacity (for the Required Insert Count
 * arithmetic, §4.5.1.1, exactly as advertised) and blocked streams.  A
 * header block whose Required Insert Count is not reached yet blocks its
 * stream (§2.1.2): the stream's later bytes wait with it (bounded as
 * above) and it is retried each time encoder-stream bytes of that side
 * arrive, on the packet that brought them.  A block that can never decode
 * (its side's encoder stream was lost, or the decoder failed) is shown as
 * `http3.qpack_context_lost`, like HTTP/2's lost HPACK context, the call
 * marked (`hpack_lost`), and the stream goes on after it.
 *
 * Memory: every allocation of a decoder goes through an account of its
 * own inside the engine's budget, at most QPACK_MAX_MEM per direction
 * (about what a 64 KiB table of the smallest entries takes in nghttp3),
 * so a peer that advertises a huge table and fills it cannot make netscope
 * keep it: past the account the direction's context is lost and said so
 * with the limit, and SETTINGS above 64 KiB are marked
 * (http3.qpack_table_limit).  At most H3_MAX_STREAMS streams are tracked
 * (the least recently seen request stream is ended and forgotten; the
 * control and QPACK streams are kept).
 *
 * Requests are struct ns_call (version 3) with the same events and body
 * interface as HTTP/2 streams (dissectors/app/http2.c): the body formats
 * (gRPC, SSE) record their layers after ours through ns_body_flush(),
 * given a struct ns_stream_ctx made here for the QUIC flow (no TCP stream:
 * `st` NULL, which the formats do not read).
 */
#include <nghttp3/nghttp3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/body.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/mem.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "proto/h3.h"

enum {
	F_STREAM_ID,
	F_STREAM_TYPE,
	F_UNKNOWN_STREAM,
	F_PUSH_ID,
	F_FRAME_TYPE,
	F_FRAME_LENGTH,
	F_FRAME_PAYLOAD,
	F_DATA,
	F_SETTINGS,
	F_SET_ID,
	F_SET_VALUE,
	F_SET_QPACK_MTC,
	F_SET_MFSS,
	F_SET_QPACK_BS,
	F_SET_CONNECT,
	F_SET_DATAGRAM,
	F_GOAWAY,
	F_HEADERS_COUNT,
	F_HEADER,
	F_HEADER_NAME,
	F_HEADER_VALUE,
	F_H_METHOD,
	F_H_PATH,
	F_H_AUTHORITY,
	F_H_SCHEME,
	F_H_STATUS,
	F_H_CONTENT_TYPE,
	F_H_CONTENT_LENGTH,
	F_H_USER_AGENT,
	F_H_SERVER,
	F_TRAILERS,
	F_TIME,
	F_QPACK_BLOCKED,
	F_QPACK_RIC,
	F_QPACK_ICNT,
	F_QPACK_LOST,
	F_QPACK_LIMIT,
	F_ENCODER,
	F_ENCODER_ICNT,
	F_ENCODER_ICNT_INC,
	F_ERROR,
	F_LOST,
	F_COUNT
};

#define T_DATA	       0x0
#define T_HEADERS      0x1
#define T_CANCEL_PUSH  0x3
#define T_SETTINGS     0x4
#define T_PUSH_PROMISE 0x5
#define T_GOAWAY       0x7
#define T_MAX_PUSH_ID  0xd

#define ST_CONTROL 0x0
#define ST_PUSH	   0x1
#define ST_QENC	   0x2
#define ST_QDEC	   0x3

static const struct ns_valstr stream_types[] = {
    {ST_CONTROL, "Control Stream"},
    {ST_PUSH, "Push Stream"},
    {ST_QENC, "QPACK Encoder Stream"},
    {ST_QDEC, "QPACK Decoder Stream"},
    {0, NULL},
};

static const struct ns_valstr frame_types[] = {
    {T_DATA, "DATA"},
    {T_HEADERS, "HEADERS"},
    {0x2, "Reserved"},
    {T_CANCEL_PUSH, "CANCEL_PUSH"},
    {T_SETTINGS, "SETTINGS"},
    {T_PUSH_PROMISE, "PUSH_PROMISE"},
    {0x6, "Reserved"},
    {T_GOAWAY, "GOAWAY"},
    {0x8, "Reserved"},
    {0x9, "Reserved"},
    {T_MAX_PUSH_ID, "MAX_PUSH_ID"},
    {0xf0700, "PRIORITY_UPDATE"},
    {0xf0701, "PRIORITY_UPDATE"},
    {0, NULL},
};

#define SET_QPACK_MTC 0x1
#define SET_MFSS      0x6
#define SET_QPACK_BS  0x7
#define SET_CONNECT   0x8
#define SET_DATAGRAM  0x33

static const struct ns_valstr setting_names[] = {
    {SET_QPACK_MTC, "Max Table Capacity"}, {SET_MFSS, "Max Field Section Size"},
    {SET_QPACK_BS, "Blocked Streams"},	   {SET_CONNECT, "Extended CONNECT"},
    {SET_DATAGRAM, "Enable Datagram"},	   {0, NULL},
};

/* RFC 9114 §8.1 and RFC 9204 §6 */
static const struct ns_valstr error_names[] = {
    {0x100, "H3_NO_ERROR"},
    {0x101, "H3_GENERAL_PROTOCOL_ERROR"},
    {0x102, "H3_INTERNAL_ERROR"},
    {0x103, "H3_STREAM_CREATION_ERROR"},
    {0x104, "H3_CLOSED_CRITICAL_STREAM"},
    {0x105, "H3_FRAME_UNEXPECTED"},
    {0x106, "H3_FRAME_ERROR"},
    {0x107, "H3_EXCESSIVE_LOAD"},
    {0x108, "H3_ID_ERROR"},
    {0x109, "H3_SETTINGS_ERROR"},
    {0x10a, "H3_MISSING_SETTINGS"},
    {0x10b, "H3_REQUEST_REJECTED"},
    {0x10c, "H3_REQUEST_CANCELLED"},
    {0x10d, "H3_REQUEST_INCOMPLETE"},
    {0x10e, "H3_MESSAGE_ERROR"},
    {0x10f, "H3_CONNECT_ERROR"},
    {0x110, "H3_VERSION_FALLBACK"},
    {0x200, "QPACK_DECOMPRESSION_FAILED"},
    {0x201, "QPACK_ENCODER_STREAM_ERROR"},
    {0x202, "QPACK_DECODER_STREAM_ERROR"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_STREAM_ID] = NS_F_UINT("http3.stream_id", "Stream ID", 64),
    /* tshark's -T fields writes these three in decimal */
    [F_STREAM_TYPE] = NS_F_VALS("http3.stream_type", "Stream Type", 64,
				NS_BASE_DEC, stream_types),
    [F_UNKNOWN_STREAM] = NS_F_NONE("http3.unknown_stream_type",
				   "An unknown stream type was encountered"),
    [F_PUSH_ID] = NS_F_UINT("http3.push_id", "Push ID", 64),
    [F_FRAME_TYPE] =
	NS_F_VALS("http3.frame_type", "Type", 64, NS_BASE_DEC, frame_types),
    [F_FRAME_LENGTH] = NS_F_UINT("http3.frame_length", "Length", 64),
    [F_FRAME_PAYLOAD] = NS_F_BYTES("http3.frame_payload", "Frame Payload"),
    [F_DATA] = NS_F_BYTES("http3.data", "Data"),
    [F_SETTINGS] = NS_F_NONE("http3.settings", "Settings"),
    [F_SET_ID] = NS_F_VALS("http3.settings.id", "Settings Identifier", 64,
			   NS_BASE_DEC, setting_names),
    [F_SET_VALUE] = NS_F_UINT("http3.settings.value", "Settings Value", 64),
    [F_SET_QPACK_MTC] = NS_F_UINT("http3.settings.qpack.max_table_capacity",
				  "Max Table Capacity", 64),
    [F_SET_MFSS] = NS_F_UINT("http3.settings.max_field_section_size",
			     "Max header list size", 64),
    [F_SET_QPACK_BS] = NS_F_UINT("http3.settings.qpack.blocked_streams",
				 "Blocked Streams", 64),
    [F_SET_CONNECT] =
	NS_F_UINT("http3.settings.extended_connect", "Extended CONNECT", 64),
    [F_SET_DATAGRAM] =
	NS_F_UINT("http3.settings.h3_datagram", "Enable Datagram", 64),
    [F_GOAWAY] = NS_F_UINT("http3.goaway", "GOAWAY Stream or Push ID", 64),
    [F_HEADERS_COUNT] = NS_F_UINT("http3.headers.count", "Headers Count", 32),
    [F_HEADER] = NS_F_NONE("http3.headers.header", "Header"),
    /* sic: Wireshark registers the name under "http3.header." */
    [F_HEADER_NAME] = NS_F_STR("http3.header.header.name", "Name"),
    [F_HEADER_VALUE] = NS_F_STR("http3.headers.header.value", "Value"),
    [F_H_METHOD] = NS_F_STR("http3.headers.method", ":method"),
    [F_H_PATH] = NS_F_STR("http3.headers.path", ":path"),
    [F_H_AUTHORITY] = NS_F_STR("http3.headers.authority", ":authority"),
    [F_H_SCHEME] = NS_F_STR("http3.headers.scheme", ":scheme"),
    [F_H_STATUS] = NS_F_UINT("http3.headers.status", ":status", 16),
    [F_H_CONTENT_TYPE] = NS_F_STR("http3.headers.content_type", "content-type"),
    [F_H_CONTENT_LENGTH] =
	NS_F_UINT("http3.headers.content_length", "content-length", 64),
    [F_H_USER_AGENT] = NS_F_STR("http3.headers.user_agent", "user-agent"),
    [F_H_SERVER] = NS_F_STR("http3.headers.server", "server"),
    [F_TRAILERS] = NS_F_BOOL("http3.trailers", "Trailers"),
    [F_TIME] = NS_F_RELTIME("http3.time", "Time since request"),
    [F_QPACK_BLOCKED] =
	NS_F_BOOL("http3.header.qpack.blocked",
		  "HEADERS head-of-line-blocked on QPACK encoder stream"),
    [F_QPACK_RIC] = NS_F_UINT("http3.header.qpack.blocked.rcint",
			      "Required instruction count", 64),
    [F_QPACK_ICNT] = NS_F_UINT("http3.header.qpack.blocked.wcint",
			       "Available instruction count", 64),
    [F_QPACK_LOST] = NS_F_NONE("http3.qpack_context_lost",
			       "Headers unavailable (QPACK context lost)"),
    [F_QPACK_LIMIT] = NS_F_UINT("http3.qpack_table_limit",
				"QPACK decoder memory limited to (bytes)", 32),
    [F_ENCODER] = NS_F_BYTES("http3.qpack.encoder", "QPACK encoder"),
    [F_ENCODER_ICNT] = NS_F_UINT("http3.qpack.encoder.icnt",
				 "QPACK encoder instruction count", 64),
    [F_ENCODER_ICNT_INC] =
	NS_F_UINT("http3.qpack.encoder.icnt.inc",
		  "QPACK encoder instruction count increment", 32),
    [F_ERROR] = NS_F_VALS("http3.error_code", "Application Error Code", 64,
			  NS_BASE_HEX, error_names),
    [F_LOST] =
	NS_F_NONE("http3.stream_lost", "Stream bytes lost: decoding stopped"),
};

#define H3_MAX_STREAMS 128
#define H3_BUF_MAX     (64u * 1024) /* a frame in progress, a blocked stream */
#define MAX_HEADERS    256	    /* header fields shown per block */
/* QPACK tables above this are marked on the SETTINGS that allow them */
#define QPACK_MAX_TABLE (64u * 1024)
/* what one direction's decoder may allocate: a 64 KiB table of the
 * smallest entries (34 bytes each) takes about 600 KiB in nghttp3 */
#define QPACK_MAX_MEM	  (1024u * 1024)
#define QPACK_MAX_BLOCKED 100
#define MAX_PROMISES	  16 /* pushes promised and not yet matched */

enum kind {
	K_NONE,	   /* a unidirectional stream before its type */
	K_REQUEST, /* client-initiated bidirectional */
	K_CONTROL,
	K_PUSH,
	K_QENC,
	K_QDEC,
	K_SKIP, /* a type we do not decode, a server-initiated bidi */
};

/* One direction of a stream. */
struct half {
	uint8_t *buf; /* bytes not parsed yet (a frame in progress), or all
			 the bytes after a blocked header block */
	size_t len, cap;
	uint64_t left;	/* payload bytes to come of the frame being taken */
	uint64_t ftype; /* that frame's type (DATA, or one skipped) */
	uint8_t taking; /* in such a frame's payload */
	uint8_t typed;	/* the stream type (and push id) was read */
	uint8_t lost, fin, ended;
	uint8_t blocked;    /* a header block waits for encoder bytes */
	uint8_t drop_block; /* the blocked block can never decode */
	nghttp3_qpack_stream_context *sctx;
	size_t blk_used; /* bytes of the block the decoder has read */
	int64_t blk_ts;	 /* when the blocked block arrived */
};

struct h3s {
	uint64_t id;
	uint8_t used, kind, reported, pinned;
	uint8_t blocks[2]; /* header blocks each way */
	uint8_t has_push_id;
	uint64_t push_id; /* a push stream's */
	uint64_t seq;
	struct half half[2];
	struct ns_call call;
	struct ns_body body;
};

/* A decoder's allocations: counted against its own limit inside the
 * budget; each block carries its size. */
struct qmem {
	struct ns_mem *mem;
	size_t used, cap;
	uint8_t refused;
};

struct qdec {
	nghttp3_qpack_decoder *dec;
	struct qmem qm;
	nghttp3_mem nmem;
	uint64_t max_table, max_blocked; /* the other side's SETTINGS */
	uint8_t have_settings;
	uint8_t failed;	  /* the decoder refused the encoder stream */
	uint8_t enc_lost; /* bytes of the encoder stream were lost */
};

struct ns_h3 {
	struct ns_engine *eng;
	struct ns_mem *mem;
	struct ns_flow *flow;
	struct h3s *s[H3_MAX_STREAMS];
	uint64_t seq;
	struct qdec q[2]; /* q[d] decodes the blocks side d encodes */
	uint64_t goaway[2];
	uint8_t goaway_seen[2];
	uint8_t pinned[2][4]; /* control, push (unused), encoder, decoder */
	/* the requests PUSH_PROMISE frames made, for their push streams (a
	 * ring: the oldest goes) */
	struct promise {
		uint8_t used;
		uint64_t push_id;
		char method[16], path[200], authority[128];
	} promise[MAX_PROMISES];
	unsigned next_promise;
	struct ns_body_conn body;
};

extern struct ns_dissector ns_diss_http3;

/* One call's work: what the layer's dissect() is lent. */
struct run {
	struct ns_h3 *h;
	struct h3s *s;
	struct half *hf;
	struct ns_packet *pkt;
	struct ns_stream_ctx ctx; /* for the body formats */
	int dir;
	int rec;      /* fields are recorded (a layer is open) */
	size_t used;  /* bytes of the work buffer parsed */
	int enc;      /* encoder-stream bytes were fed: retry blocked */
	int stop;     /* the half blocked or was lost */
	uint32_t off; /* the frame being parsed: where, how long */
	uint32_t len;
	uint64_t push_id; /* of the PUSH_PROMISE being parsed */
};

/* ---- recording (nothing when no layer could be opened) --------------- */

static void add_u(struct run *k, int f, uint32_t off, uint32_t len, uint64_t v)
{
	if (k->rec)
		ns_add_uint(k->pkt, &fields[f], off, len, v);
}

static void add_b(struct run *k, int f, uint32_t off, uint32_t len,
		  const uint8_t *p, size_t n)
{
	if (k->rec)
		ns_add_bytes(k->pkt, &fields[f], off, len, p, (uint32_t)n);
}

static void add_l(struct run *k, int f, uint32_t off, uint32_t len)
{
	if (k->rec)
		ns_add_label(k->pkt, &fields[f], off, len);
}

static void push(struct run *k)
{
	if (k->rec)
		ns_tree_push(k->pkt);
}

static void pop(struct run *k)
{
	if (k->rec)
		ns_tree_pop(k->pkt);
}

#define bad(k, ...)                                                            \
	do {                                                                   \
		if ((k)->rec)                                                  \
			ns_malformed((k)->pkt, __VA_ARGS__);                   \
	} while (0)

/* A varint recorded as field f. */
static uint64_t vfield(struct run *k, struct ns_reader *r, int f)
{
	uint32_t off = ns_rd_off(r);
	uint64_t v = ns_rd_varint(r);
	if (!r->err)
		add_u(k, f, off, ns_rd_off(r) - off, v);
	return v;
}

/* ---- the decoders' memory ---------------------------------------------- */

#define QHDR 16 /* the block's size, keeping the alignment malloc gives */

static void *q_realloc(void *p, size_t n, void *u)
{
	struct qmem *m = u;
	size_t old = 0;
	uint8_t *base = p ? (uint8_t *)p - QHDR : NULL;
	if (base)
		memcpy(&old, base, sizeof(old));
	if (n > SIZE_MAX - QHDR || (n > old && n - old > m->cap - m->used)) {
		m->refused = 1;
		return NULL;
	}
	uint8_t *b = ns_mem_realloc(m->mem, base, n + QHDR);
	if (!b)
		return NULL;
	memcpy(b, &n, sizeof(n));
	m->used = m->used - old + n;
	return b + QHDR;
}

static void *q_malloc(size_t n, void *u)
{
	void *p = q_realloc(NULL, n, u);
	if (p)
		memset(p, 0, n);
	return p;
}

static void *q_calloc(size_t k, size_t n, void *u)
{
	return n && k > SIZE_MAX / n ? NULL : q_malloc(k * n, u);
}

static void q_free(void *p, void *u)
{
	struct qmem *m = u;
	if (!p)
		return;
	uint8_t *base = (uint8_t *)p - QHDR;
	size_t n;
	memcpy(&n, base, sizeof(n));
	m->used -= n;
	ns_mem_free(m->mem, base);
}

/* Side d's decoder, made with what the other side's SETTINGS said (or the
 * defaults, 0, before them); NULL without memory. */
static nghttp3_qpack_decoder *decoder(struct ns_h3 *h, int d)
{
	struct qdec *q = &h->q[d];
	if (q->dec)
		return q->dec;
	uint64_t blocked = q->max_blocked < QPACK_MAX_BLOCKED
			       ? q->max_blocked
			       : QPACK_MAX_BLOCKED;
	size_t cap =
	    q->max_table > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)q->max_table;
	if (nghttp3_qpack_decoder_new(&q->dec, cap, (size_t)blocked,
				      &q->nmem) != 0)
		q->dec = NULL;
	return q->dec;
}

/* ---- streams ------------------------------------------------------------ */

static void call_sync(struct ns_h3 *h, struct h3s *s)
{
	if (!h->flow)
		return;
	s->call.conn_uid = ns_flow_uid(h->flow);
	s->call.conn_index = h->flow->index;
	s->call.client = h->flow->client;
}

static void publish_block(struct ns_h3 *h, struct h3s *s, enum ns_ev_type t,
			  const struct ns_packet *pkt, int role,
			  const struct ns_hdr *hd, unsigned n)
{
	call_sync(h, s);
	ns_call_publish(h->eng ? &h->eng->bus : NULL, t, pkt, h->flow, role,
			&s->call, hd, n);
}

static void publish(struct ns_h3 *h, struct h3s *s, enum ns_ev_type t,
		    const struct ns_packet *pkt, int role)
{
	publish_block(h, s, t, pkt, role, NULL, 0);
}

/* The call is over for netscope: its final event, once.  One the server's
 * GOAWAY did not cover (§5.2: it names the first request stream it did not
 * process) was refused by it. */
static void stream_done(struct ns_h3 *h, struct h3s *s,
			const struct ns_packet *pkt)
{
	if (s->reported || !s->used ||
	    (s->kind != K_REQUEST && s->kind != K_PUSH))
		return;
	s->reported = 1;
	if (s->call.end == NS_CALL_OPEN && !s->call.closed[1] &&
	    h->goaway_seen[1] && s->id >= h->goaway[1])
		s->call.end = NS_CALL_GOAWAY;
	publish(h, s, NS_EV_HTTP_END, pkt, 1);
}

static void half_free(struct ns_h3 *h, struct h3s *s, int d)
{
	struct half *hf = &s->half[d];
	ns_mem_free(h->mem, hf->buf);
	if (hf->sctx)
		nghttp3_qpack_stream_context_del(hf->sctx);
	if (hf->blocked && h->q[d].dec)
		nghttp3_qpack_decoder_cancel_stream(h->q[d].dec,
						    (int64_t)s->id);
	memset(hf, 0, sizeof(*hf));
}

static void stream_forget(struct ns_h3 *h, struct h3s *s)
{
	ns_body_free(&s->body, &h->body);
	half_free(h, s, 0);
	half_free(h, s, 1);
	s->used = 0;
}

static enum kind kind_of(uint64_t id)
{
	if (id & 2)
		return K_NONE; /* its type comes first */
	return id & 1 ? K_SKIP : K_REQUEST;
}

static struct h3s *stream_get(struct ns_h3 *h, uint64_t id, int create,
			      const struct ns_packet *pkt)
{
	int free_slot = -1, lru = -1;
	for (unsigned i = 0; i < H3_MAX_STREAMS; i++) {
		struct h3s *s = h->s[i];
		if (!s) {
			if (free_slot < 0)
				free_slot = (int)i;
			continue;
		}
		if (s->id == id) {
			s->seq = ++h->seq;
			if (pkt && create)
				s->call.last_frame = pkt->num;
			return s;
		}
		if (!s->pinned && (lru < 0 || s->seq < h->s[lru]->seq))
			lru = (int)i;
	}
	if (!create)
		return NULL;
	struct h3s *v;
	if (free_slot >= 0) {
		v = ns_mem_alloc(h->mem, sizeof(*v));
		if (!v)
			return NULL;
		h->s[free_slot] = v;
	} else if (lru >= 0) { /* the least recently seen stream goes */
		v = h->s[lru];
		stream_done(h, v, pkt);
		stream_forget(h, v);
	} else {
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->used = 1;
	v->id = id;
	v->kind = (uint8_t)kind_of(id);
	ns_call_init(&v->call);
	v->call.version = 3;
	v->call.id = (uint32_t)id;
	call_sync(h, v);
	if (pkt)
		v->call.first_frame = v->call.last_frame = pkt->num;
	v->seq = ++h->seq;
	return v;
}

/* For the body formats: a call by id (NULL once forgotten). */
static const struct ns_call *call_of(void *owner, uint32_t id)
{
	struct h3s *s = stream_get(owner, id, 0, NULL);
	return s ? &s->call : NULL;
}

/* A promised request becomes the push stream's call's request. */
static void promise_to_call(const struct promise *pr, struct ns_call *c)
{
	memcpy(c->method, pr->method, sizeof(c->method));
	memcpy(c->path, pr->path, sizeof(c->path));
	memcpy(c->authority, pr->authority, sizeof(c->authority));
}

/* A PUSH_PROMISE's request (its block hd[0..n)): kept for the push stream
 * that will carry the response, or given to it when it came first. */
static void promised(struct ns_h3 *h, uint64_t push_id, const struct ns_hdr *hd,
		     unsigned n)
{
	struct ns_call tmp;
	ns_call_init(&tmp);
	ns_call_pseudo_headers(&tmp, hd, n);
	struct promise pr = {.used = 1, .push_id = push_id};
	memcpy(pr.method, tmp.method, sizeof(pr.method));
	memcpy(pr.path, tmp.path, sizeof(pr.path));
	memcpy(pr.authority, tmp.authority, sizeof(pr.authority));
	for (unsigned i = 0; i < H3_MAX_STREAMS; i++) {
		struct h3s *s = h->s[i];
		if (s && s->used && s->kind == K_PUSH && s->has_push_id &&
		    s->push_id == push_id && !s->call.method[0]) {
			promise_to_call(&pr, &s->call);
			return;
		}
	}
	h->promise[h->next_promise++ % MAX_PROMISES] = pr;
}

/* A push stream's id is known: the request promised for it, if seen. */
static void push_begins(struct ns_h3 *h, struct h3s *s)
{
	for (unsigned i = 0; i < MAX_PROMISES; i++) {
		struct promise *pr = &h->promise[i];
		if (pr->used && pr->push_id == s->push_id) {
			promise_to_call(pr, &s->call);
			pr->used = 0;
			return;
		}
	}
}

/* ---- calls ---------------------------------------------------------------
 */

/* Side `role` of request stream s ended (its FIN). */
static void end_side(struct run *k, int role)
{
	struct h3s *s = k->s;
	struct ns_call *c = &s->call;
	if (c->closed[role])
		return;
	c->closed[role] = 1;
	if (role == 1 || c->closed[1])
		c->t_end = k->pkt->ts;
	if (c->closed[0] && c->closed[1])
		c->end = NS_CALL_ENDED;
	ns_body_end(&s->body, &k->h->body, &k->ctx, c, role, k->pkt->ts);
	if (c->closed[0] && c->closed[1])
		stream_done(k->h, s, k->pkt);
}

static void body_bytes(struct run *k, const uint8_t *p, size_t n)
{
	struct h3s *s = k->s;
	struct ns_call *c = &s->call;
	int role = k->dir;
	c->body_bytes[role] += n;
	if (role == 1 && c->t_first_resp < 0)
		c->t_first_resp = k->pkt->ts;
	if (!n)
		return;
	/* the side's headers are unknown: the body formats may guess */
	if (!s->blocks[role])
		c->hpack_lost = 1;
	ns_body_data(&s->body, &k->h->body, &k->ctx, c, role, k->pkt->ts, p, n);
	call_sync(k->h, s);
	ns_call_publish_body(k->h->eng ? &k->h->eng->bus : NULL, k->pkt,
			     k->h->flow, role, c, p, n);
}

static uint64_t dec_of(const uint8_t *v, size_t n, unsigned max)
{
	struct ns_reader r;
	ns_rd_init(&r, v, n);
	return ns_rd_dec(&r, max);
}

static void record_header(struct run *k, const struct ns_hdr *x)
{
	uint32_t off = k->off, len = k->len;
	add_l(k, F_HEADER, off, len);
	push(k);
	add_b(k, F_HEADER_NAME, off, len, x->name, x->nl);
	add_b(k, F_HEADER_VALUE, off, len, x->value, x->vl);
	static const struct {
		const char *name;
		int f;
	} known[] = {
	    {":method", F_H_METHOD},
	    {":path", F_H_PATH},
	    {":authority", F_H_AUTHORITY},
	    {":scheme", F_H_SCHEME},
	    {"content-type", F_H_CONTENT_TYPE},
	    {"user-agent", F_H_USER_AGENT},
	    {"server", F_H_SERVER},
	};
	for (size_t i = 0; i < NS_NELEM(known); i++)
		if (ns_hdr_is(x->name, x->nl, known[i].name))
			add_b(k, known[i].f, off, len, x->value, x->vl);
	if (ns_hdr_is(x->name, x->nl, ":status"))
		add_u(k, F_H_STATUS, off, len, dec_of(x->value, x->vl, 3));
	else if (ns_hdr_is(x->name, x->nl, "content-length"))
		add_u(k, F_H_CONTENT_LENGTH, off, len,
		      dec_of(x->value, x->vl, 19));
	pop(k);
}

/* A header block of the call is decoded (hd[0..n), n 0 when lost): the
 * call learns its pseudo-headers, the body interface gets the block and
 * its event is told; a PUSH_PROMISE's block only shows. */
static void block_done(struct run *k, const struct ns_hdr *hd, unsigned n)
{
	struct h3s *s = k->s;
	struct ns_call *c = &s->call;
	int role = k->dir;
	int st1xx = c->status >= 100 && c->status < 200;
	int trailer = s->blocks[role] > 0 && !(role == 1 && st1xx);
	if (s->blocks[role] < 255)
		s->blocks[role]++;
	int64_t ts = k->hf->blk_ts;
	if (trailer)
		add_u(k, F_TRAILERS, k->off, k->len, 1);
	if (role == 0 && c->t_req < 0)
		c->t_req = ts;
	if (role == 1 && c->t_first_resp < 0)
		c->t_first_resp = ts;
	if (role == 1 && c->t_req >= 0 && k->rec)
		ns_add_int(k->pkt, &fields[F_TIME], k->off, k->len,
			   ts - c->t_req);
	ns_call_pseudo_headers(c, hd, n);
	ns_body_headers(&s->body, &k->h->body, &k->ctx, c, role, k->pkt->ts, hd,
			n);
	publish_block(k->h, s,
		      trailer	  ? NS_EV_HTTP_TRAILERS
		      : role == 0 ? NS_EV_HTTP_REQUEST
				  : NS_EV_HTTP_RESPONSE,
		      k->pkt, role, hd, n);
}

/* ---- QPACK ---------------------------------------------------------------
 */

struct fields_out {
	struct ns_hdr *h;
	unsigned n;
};

static void keep_field(struct run *k, struct fields_out *o,
		       const nghttp3_qpack_nv *nv)
{
	nghttp3_vec nm = nghttp3_rcbuf_get_buf(nv->name);
	nghttp3_vec v = nghttp3_rcbuf_get_buf(nv->value);
	if (!o->h || o->n >= MAX_HEADERS)
		return;
	uint8_t *a = ns_arena_alloc(&k->pkt->arena, nm.len + 1);
	uint8_t *b = ns_arena_alloc(&k->pkt->arena, v.len + 1);
	if (!a || !b)
		return;
	if (nm.len)
		memcpy(a, nm.base, nm.len);
	if (v.len)
		memcpy(b, v.base, v.len);
	o->h[o->n++] = (struct ns_hdr){a, b, nm.len, v.len};
}

/*
 * Decodes the header block b[0..n) with side k->dir's decoder, from where
 * an earlier blocked attempt stopped.  1 decoded, 0 blocked (the decoder
 * keeps its place), -1 failed with *why.
 */
static int qpack_block(struct run *k, const uint8_t *b, size_t n,
		       struct fields_out *o, const char **why)
{
	struct half *hf = k->hf;
	nghttp3_qpack_decoder *dec = decoder(k->h, k->dir);
	struct qdec *q = &k->h->q[k->dir];
	if (!dec ||
	    (!hf->sctx && nghttp3_qpack_stream_context_new(
			      &hf->sctx, (int64_t)k->s->id, &q->nmem) != 0)) {
		*why = "no memory for the QPACK decoder";
		return -1;
	}
	struct ns_reader r;
	ns_rd_init(&r, b, n);
	ns_rd_skip(&r, hf->blk_used);
	for (;;) {
		nghttp3_qpack_nv nv;
		uint8_t fl = 0;
		size_t left = ns_rd_left(&r);
		nghttp3_ssize rv = nghttp3_qpack_decoder_read_request(
		    dec, hf->sctx, &nv, &fl, left ? r.p : NULL, left, 1);
		if (rv < 0) {
			*why = nghttp3_strerror((int)rv);
			return -1;
		}
		ns_rd_skip(&r, (size_t)rv);
		hf->blk_used += (size_t)rv;
		if (fl & NGHTTP3_QPACK_DECODE_FLAG_EMIT) {
			keep_field(k, o, &nv);
			nghttp3_rcbuf_decref(nv.name);
			nghttp3_rcbuf_decref(nv.value);
		}
		if (fl & NGHTTP3_QPACK_DECODE_FLAG_FINAL)
			return 1;
		if (fl & NGHTTP3_QPACK_DECODE_FLAG_BLOCKED)
			return 0;
		if (!rv && !(fl & NGHTTP3_QPACK_DECODE_FLAG_EMIT)) {
			*why = "header block ends inside a field";
			return -1;
		}
	}
}

/* What the decoder would send on its decoder stream (section
 * acknowledgements, cancellations, insert count increments: RFC 9204
 * §4.4) piles up in it until written: netscope has no peer to send it to,
 * so it is written and dropped. */
static void drain(struct qdec *q)
{
	size_t n =
	    q->dec ? nghttp3_qpack_decoder_get_decoder_streamlen(q->dec) : 0;
	if (!n)
		return;
	uint8_t stack[256];
	uint8_t *b = n <= sizeof(stack) ? stack : ns_mem_alloc(q->qm.mem, n);
	if (!b)
		return;
	nghttp3_buf buf = {b, b + n, b, b};
	nghttp3_qpack_decoder_write_decoder(q->dec, &buf);
	if (b != stack)
		ns_mem_free(q->qm.mem, b);
}

/* The block is done with (decoded or given up): the stream's decoding
 * context starts afresh for its next block. */
static void block_reset(struct run *k)
{
	struct half *hf = k->hf;
	/* deleted and made again on the next block, not reset: libnghttp3
	 * 0.8's reset keeps the buffer of a field it was in the middle of
	 * (found by fuzz_h3: the budget did not come back to 0) */
	if (hf->sctx) {
		nghttp3_qpack_stream_context_del(hf->sctx);
		hf->sctx = NULL;
	}
	if (hf->blocked && k->h->q[k->dir].dec)
		nghttp3_qpack_decoder_cancel_stream(k->h->q[k->dir].dec,
						    (int64_t)k->s->id);
	hf->blk_used = 0;
	hf->blocked = 0;
	hf->drop_block = 0;
	drain(&k->h->q[k->dir]);
}

/* A block that cannot be decoded: said, and the call marked. */
static void block_lost(struct run *k, const char *why)
{
	struct qdec *q = &k->h->q[k->dir];
	add_l(k, F_QPACK_LOST, k->off, k->len);
	k->s->call.hpack_lost = 1;
	if (!why)
		return;
	if (q->qm.refused)
		bad(k,
		    "QPACK: %s (the table is over netscope's %u-byte "
		    "limit)",
		    why, QPACK_MAX_MEM);
	else
		bad(k, "QPACK: %s", why);
}

/*
 * A HEADERS (or PUSH_PROMISE) block at b[0..n): 1 done, 0 blocked (the
 * frame is kept and tried again).
 */
static int header_block(struct run *k, const uint8_t *b, size_t n, int promise)
{
	struct half *hf = k->hf;
	struct qdec *q = &k->h->q[k->dir];
	if (!hf->blocked)
		hf->blk_ts = k->pkt->ts;
	struct fields_out o = {
	    ns_arena_alloc(&k->pkt->arena, sizeof(*o.h) * MAX_HEADERS), 0};
	const char *why = NULL;
	/* a failed decoder was said when it failed: its blocks are lost */
	int rc =
	    hf->drop_block || q->failed ? -1 : qpack_block(k, b, n, &o, &why);
	if (rc == 0 && (q->enc_lost || q->failed))
		rc = -1; /* the entries it waits for will never come */
	if (rc == 0) {
		add_u(k, F_QPACK_BLOCKED, k->off, k->len, 1);
		add_u(k, F_QPACK_RIC, k->off, k->len,
		      nghttp3_qpack_stream_context_get_ricnt(hf->sctx));
		add_u(k, F_QPACK_ICNT, k->off, k->len,
		      nghttp3_qpack_decoder_get_icnt(q->dec));
		hf->blocked = 1;
		return 0;
	}
	add_u(k, F_HEADERS_COUNT, k->off, k->len, o.n);
	for (unsigned i = 0; i < o.n; i++)
		record_header(k, &o.h[i]);
	if (rc < 0)
		block_lost(k, why);
	block_reset(k);
	if (promise && rc > 0)
		promised(k->h, k->push_id, o.h, o.n);
	else if (!promise && (k->s->kind == K_REQUEST || k->s->kind == K_PUSH))
		block_done(k, o.h, rc < 0 ? 0 : o.n);
	return 1;
}

/* Side d's encoder-stream bytes. */
static void encoder_bytes(struct run *k, struct ns_reader *r)
{
	struct qdec *q = &k->h->q[k->dir];
	size_t n = ns_rd_left(r);
	uint32_t off = ns_rd_off(r);
	const uint8_t *p = ns_rd_ptr(r, n);
	add_b(k, F_ENCODER, off, (uint32_t)n, p, n);
	nghttp3_qpack_decoder *dec = decoder(k->h, k->dir);
	if (q->failed || q->enc_lost || !dec)
		return;
	uint64_t before = nghttp3_qpack_decoder_get_icnt(dec);
	nghttp3_ssize rv = nghttp3_qpack_decoder_read_encoder(dec, p, n);
	if (rv < 0) {
		q->failed = 1;
		bad(k, "QPACK encoder stream: %s%s", nghttp3_strerror((int)rv),
		    q->qm.refused ? " (the table is over netscope's limit)"
				  : "");
		return;
	}
	uint64_t icnt = nghttp3_qpack_decoder_get_icnt(dec);
	drain(q);
	add_u(k, F_ENCODER_ICNT, off, (uint32_t)n, icnt);
	add_u(k, F_ENCODER_ICNT_INC, off, (uint32_t)n, icnt - before);
	k->enc = 1;
}

/* ---- frames ----------------------------------------------------------- */

static void setting(struct run *k, struct ns_reader *r)
{
	uint32_t off = ns_rd_off(r);
	struct ns_reader t = *r;
	ns_rd_varint(&t);
	ns_rd_varint(&t);
	uint32_t len = ns_rd_off(&t) - off;
	add_l(k, F_SETTINGS, off, len);
	push(k);
	uint64_t id = vfield(k, r, F_SET_ID);
	uint32_t voff = ns_rd_off(r);
	uint64_t v = ns_rd_varint(r);
	uint32_t vlen = ns_rd_off(r) - voff;
	if (r->err) {
		pop(k);
		return;
	}
	add_u(k, F_SET_VALUE, voff, vlen, v);
	static const struct {
		uint64_t id;
		int f;
	} known[] = {{SET_QPACK_MTC, F_SET_QPACK_MTC},
		     {SET_MFSS, F_SET_MFSS},
		     {SET_QPACK_BS, F_SET_QPACK_BS},
		     {SET_CONNECT, F_SET_CONNECT},
		     {SET_DATAGRAM, F_SET_DATAGRAM}};
	for (size_t i = 0; i < NS_NELEM(known); i++)
		if (known[i].id == id)
			add_u(k, known[i].f, voff, vlen, v);
	/* our side's decoder limits are what the other side's decoder
	 * advertised: SETTINGS from dir configure q[!dir] */
	struct qdec *q = &k->h->q[!k->dir];
	if (id == SET_QPACK_MTC) {
		q->max_table = v;
		if (v > QPACK_MAX_TABLE)
			add_u(k, F_QPACK_LIMIT, voff, vlen, QPACK_MAX_MEM);
	} else if (id == SET_QPACK_BS) {
		q->max_blocked = v;
	}
	pop(k);
}

static void frame_settings(struct run *k, struct ns_reader *r)
{
	struct qdec *q = &k->h->q[!k->dir];
	while (ns_rd_left(r) && !r->err)
		setting(k, r);
	if (r->err)
		bad(k, "SETTINGS cut inside a parameter");
	/* a decoder made before them (nothing inserted yet) is made again
	 * with them */
	if (q->dec && !q->have_settings &&
	    nghttp3_qpack_decoder_get_icnt(q->dec) == 0) {
		nghttp3_qpack_decoder_del(q->dec);
		q->dec = NULL;
	}
	q->have_settings = 1;
}

/* What a frame of this type may do on this kind of stream (§7.2). */
static int frame_allowed(uint8_t kind, uint64_t type)
{
	switch (type) {
	case T_DATA:
	case T_HEADERS:
		return kind == K_REQUEST || kind == K_PUSH;
	case T_PUSH_PROMISE:
		return kind == K_REQUEST;
	case T_SETTINGS:
	case T_GOAWAY:
	case T_MAX_PUSH_ID:
	case T_CANCEL_PUSH:
		return kind == K_CONTROL;
	}
	return 1;
}

/* One whole frame (not DATA) of type `type`, payload p.  Returns 0, or 1
 * when its header block blocked (nothing consumed). */
static int frame(struct run *k, uint64_t type, struct ns_reader *p)
{
	struct ns_h3 *h = k->h;
	if (!frame_allowed(k->s->kind, type)) {
		bad(k, "%s frame on a %s stream",
		    ns_valstr_find(frame_types, type),
		    k->s->kind == K_CONTROL ? "control" : "request");
		return 0;
	}
	switch (type) {
	case T_HEADERS: {
		size_t n = ns_rd_left(p);
		return !header_block(k, ns_rd_ptr(p, n), n, 0);
	}
	case T_PUSH_PROMISE: {
		k->push_id = vfield(k, p, F_PUSH_ID);
		if (p->err) { /* no room for the push id */
			bad(k, "PUSH_PROMISE frame of the wrong length");
			return 0;
		}
		size_t n = ns_rd_left(p);
		return !header_block(k, ns_rd_ptr(p, n), n, 1);
	}
	case T_SETTINGS:
		frame_settings(k, p);
		return 0;
	case T_GOAWAY: {
		uint64_t id = vfield(k, p, F_GOAWAY);
		if (!p->err) {
			h->goaway[k->dir] = id;
			h->goaway_seen[k->dir] = 1;
		}
		break;
	}
	case T_MAX_PUSH_ID:
	case T_CANCEL_PUSH:
		vfield(k, p, F_PUSH_ID);
		break;
	default:
		return 0;
	}
	if (p->err || ns_rd_left(p))
		bad(k, "%s frame of the wrong length",
		    ns_valstr_find(frame_types, type));
	return 0;
}

/* The half's bytes can no longer be followed: its call is incomplete. */
static void lose_half(struct ns_h3 *h, struct h3s *s, int dir)
{
	struct half *hf = &s->half[dir];
	hf->lost = 1;
	hf->len = 0;
	hf->taking = 0;
	if (s->kind != K_REQUEST && s->kind != K_PUSH)
		return;
	ns_body_lost(&s->body, &h->body, &s->call, dir);
	if (!s->call.end_error[0])
		snprintf(s->call.end_error, sizeof(s->call.end_error),
			 "%s bytes lost", dir ? "response" : "request");
}

/* The payload of a DATA frame (or one skipped) as it comes. */
static void take_payload(struct run *k, struct ns_reader *r)
{
	struct half *hf = k->hf;
	size_t n = ns_rd_left(r);
	if (n > hf->left)
		n = (size_t)hf->left;
	uint32_t off = ns_rd_off(r);
	const uint8_t *p = ns_rd_ptr(r, n);
	hf->left -= n;
	if (hf->ftype != T_DATA) {
		add_b(k, F_FRAME_PAYLOAD, off, (uint32_t)n, p, n);
	} else {
		add_b(k, F_DATA, off, (uint32_t)n, p, n);
		if (k->s->kind == K_REQUEST || k->s->kind == K_PUSH)
			body_bytes(k, p, n);
	}
	if (!hf->left)
		hf->taking = 0;
}

/* A unidirectional stream's type (and a push stream's id): 0 when more
 * bytes are needed. */
static int stream_type(struct run *k, struct ns_reader *r)
{
	struct ns_reader t = *r;
	uint64_t type = ns_rd_varint(&t);
	if (type == ST_PUSH)
		ns_rd_varint(&t);
	if (t.err)
		return 0;
	struct h3s *s = k->s;
	type = vfield(k, r, F_STREAM_TYPE);
	static const uint8_t kinds[] = {K_CONTROL, K_PUSH, K_QENC, K_QDEC};
	s->kind = type < 4 ? kinds[type] : K_SKIP;
	if (type == ST_PUSH) {
		s->push_id = vfield(k, r, F_PUSH_ID);
		s->has_push_id = 1;
		s->call.pushed = 1;
		s->call.closed[0] = 1; /* its request was the promise */
		push_begins(k->h, s);
	} else if (type >= 4) {
		add_l(k, F_UNKNOWN_STREAM, 0, 0);
	} else if (!k->h->pinned[k->dir][type]) {
		/* the connection's own streams are kept as long as it is */
		k->h->pinned[k->dir][type] = 1;
		s->pinned = 1;
	}
	k->hf->typed = 1;
	return 1;
}

/* The next frame at r: 0 when more bytes are needed or it blocked. */
static int next_frame(struct run *k, struct ns_reader *r)
{
	struct half *hf = k->hf;
	struct ns_reader t = *r;
	uint32_t off = ns_rd_off(r);
	uint64_t type = ns_rd_varint(&t);
	uint64_t len = ns_rd_varint(&t);
	if (t.err)
		return 0;
	size_t hl = ns_rd_off(&t) - off;
	int take = type == T_DATA || !ns_valstr_find(frame_types, type) ||
		   !strcmp(ns_valstr_find(frame_types, type), "Reserved") ||
		   type > T_MAX_PUSH_ID;
	if (!take && len > H3_BUF_MAX) {
		k->stop = 1;
		add_u(k, F_FRAME_TYPE, off, (uint32_t)hl, type);
		add_u(k, F_FRAME_LENGTH, off, (uint32_t)hl, len);
		add_l(k, F_LOST, off, (uint32_t)ns_rd_left(r));
		bad(k, "%s frame of %llu bytes (netscope keeps %u)",
		    ns_valstr_find(frame_types, type), (unsigned long long)len,
		    H3_BUF_MAX);
		lose_half(k->h, k->s, k->dir);
		ns_rd_skip(r, ns_rd_left(r));
		return 0;
	}
	if (!take && ns_rd_left(&t) < len)
		return 0; /* the rest of it in later bytes */
	uint32_t flen = (uint32_t)(hl + (take ? 0 : len));
	k->off = off;
	k->len = flen;
	/* a blocked block shows its frame again when it decodes */
	if (take) {
		add_u(k, F_FRAME_TYPE, off, (uint32_t)hl, type);
		add_u(k, F_FRAME_LENGTH, off, (uint32_t)hl, len);
		*r = t;
		hf->taking = len > 0;
		hf->left = len;
		hf->ftype = type;
		return 1;
	}
	struct ns_reader p = ns_rd_sub(&t, (size_t)len);
	add_u(k, F_FRAME_TYPE, off, (uint32_t)hl, type);
	add_u(k, F_FRAME_LENGTH, off, (uint32_t)hl, len);
	if (frame(k, type, &p)) { /* blocked: tried again later */
		k->stop = 1;
		return 0;
	}
	*r = t;
	return 1;
}

/* Parses what r holds for k's stream half. */
static void parse(struct run *k, struct ns_reader *r)
{
	struct half *hf = k->hf;
	add_u(k, F_STREAM_ID, 0, 0, k->s->id);
	while (ns_rd_left(r) && !k->stop && !hf->lost) {
		if (hf->taking) {
			take_payload(k, r);
		} else if (!hf->typed && k->s->kind == K_NONE) {
			if (!stream_type(k, r))
				break;
		} else if (k->s->kind == K_QENC) {
			encoder_bytes(k, r);
		} else if (k->s->kind == K_QDEC || k->s->kind == K_SKIP) {
			size_t n = ns_rd_left(r);
			uint32_t off = ns_rd_off(r);
			add_b(k, F_FRAME_PAYLOAD, off, (uint32_t)n,
			      ns_rd_ptr(r, n), n);
		} else if (!next_frame(k, r)) {
			break;
		}
	}
	k->used = ns_rd_off(r);
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	struct run *k = cx->state;
	if (!k)
		return ns_malformed(pkt, "HTTP/3 is reached through QUIC only");
	k->rec = 1;
	struct ns_reader own = *r;
	parse(k, &own);
	struct half *hf = k->hf;
	if (hf->fin && !hf->blocked && !hf->lost) {
		if (ns_rd_left(&own) || hf->taking)
			bad(k, "stream ends inside a frame");
		if (k->s->kind == K_CONTROL)
			bad(k, "the control stream was closed");
	}
	ns_rd_skip(r, ns_rd_left(r));
	return 0;
}

/* ---- feeding a stream ---------------------------------------------------
 */

static void retry_blocked(struct ns_h3 *h, struct ns_packet *pkt, int dir);

/* Keeps the unparsed bytes of the half (what follows k->used in w). */
static void keep_rest(struct run *k, const uint8_t *w, size_t n)
{
	struct half *hf = k->hf;
	size_t rest = n - k->used;
	hf->len = 0;
	if (!rest || hf->lost)
		return;
	if (rest > H3_BUF_MAX + 16) { /* a blocked stream's bytes pile up */
		lose_half(k->h, k->s, k->dir);
		return;
	}
	if (rest > hf->cap) {
		uint8_t *b = ns_mem_realloc(k->h->mem, hf->buf, rest);
		if (!b) { /* refused by the budget: the stream is lost */
			lose_half(k->h, k->s, k->dir);
			return;
		}
		hf->buf = b;
		hf->cap = rest;
	}
	memcpy(hf->buf, w + k->used, rest);
	hf->len = rest;
}

static void run_half(struct ns_h3 *h, struct h3s *s, int dir,
		     struct ns_packet *pkt, const uint8_t *p, size_t n)
{
	struct half *hf = &s->half[dir];
	size_t total = hf->len + n;
	uint8_t *w = ns_arena_alloc(&pkt->arena, total ? total : 1);
	if (!w)
		return; /* the packet's arena is full: the bytes stay lost */
	if (hf->len)
		memcpy(w, hf->buf, hf->len);
	if (n)
		memcpy(w + hf->len, p, n);
	struct run k = {.h = h, .s = s, .hf = hf, .pkt = pkt, .dir = dir};
	k.ctx = (struct ns_stream_ctx){pkt, h->flow, NULL, dir, h->eng};
	struct ns_reader r;
	ns_rd_init(&r, w, total);
	struct ns_dctx cx = {.d = &ns_diss_http3, .state = &k};
	if (ns_dissect_layer(pkt, &ns_diss_http3, &r, w, (uint32_t)total, &cx) <
	    0) {
		ns_rd_init(&r, w, total); /* no room for a layer: no fields */
		parse(&k, &r);
	}
	keep_rest(&k, w, total);
	k.rec = 0; /* the layer is closed */
	/* the half's last byte was parsed: its side of the call ends */
	if (hf->fin && !hf->blocked && !hf->lost && !hf->ended) {
		hf->ended = 1;
		if (s->kind == K_REQUEST || s->kind == K_PUSH)
			end_side(&k, dir);
	}
	ns_body_flush(&h->body, &k.ctx); /* the body formats' layers */
	if (k.enc)
		retry_blocked(h, pkt, dir);
}

/* Whether the blocked block of s's half dir can be tried again: its
 * entries arrived, or they never will. */
static int block_ready(const struct ns_h3 *h, const struct h3s *s, int dir)
{
	const struct qdec *q = &h->q[dir];
	const struct half *hf = &s->half[dir];
	if (q->enc_lost || q->failed || !q->dec || !hf->sctx)
		return 1;
	return nghttp3_qpack_stream_context_get_ricnt(hf->sctx) <=
	       nghttp3_qpack_decoder_get_icnt(q->dec);
}

/* Bytes of a blocked half: they wait behind its block (bounded). */
static void wait_blocked(struct ns_h3 *h, struct h3s *s, int dir,
			 const uint8_t *p, size_t n)
{
	struct half *hf = &s->half[dir];
	if (hf->len + n > H3_BUF_MAX + 16) {
		lose_half(h, s, dir);
		return;
	}
	if (hf->len + n > hf->cap) {
		uint8_t *b = ns_mem_realloc(h->mem, hf->buf, hf->len + n);
		if (!b) {
			lose_half(h, s, dir);
			return;
		}
		hf->buf = b;
		hf->cap = hf->len + n;
	}
	memcpy(hf->buf + hf->len, p, n);
	hf->len += n;
}

/* Side dir's encoder stream moved on (or was lost): the blocks of that
 * side waiting for it try again. */
static void retry_blocked(struct ns_h3 *h, struct ns_packet *pkt, int dir)
{
	struct qdec *q = &h->q[dir];
	for (unsigned i = 0; i < H3_MAX_STREAMS; i++) {
		struct h3s *s = h->s[i];
		if (!s || !s->used || !s->half[dir].blocked)
			continue;
		struct half *hf = &s->half[dir];
		if (!block_ready(h, s, dir))
			continue;
		if (q->enc_lost || q->failed)
			hf->drop_block = 1;
		run_half(h, s, dir, pkt, NULL, 0);
	}
}

/* ---- the interface (proto/h3.h) ---------------------------------------- */

struct ns_h3 *ns_h3_new(struct ns_packet *pkt)
{
	struct ns_mem *mem = pkt && pkt->eng ? &pkt->eng->mem : NULL;
	struct ns_h3 *h = ns_mem_alloc(mem, sizeof(*h));
	if (!h)
		return NULL;
	h->eng = pkt ? pkt->eng : NULL;
	h->mem = mem;
	h->flow = pkt ? pkt->flow : NULL;
	h->body.find = call_of;
	h->body.owner = h;
	h->body.mem = mem;
	for (int d = 0; d < 2; d++) {
		h->q[d].qm = (struct qmem){mem, 0, QPACK_MAX_MEM, 0};
		h->q[d].nmem = (nghttp3_mem){&h->q[d].qm, q_malloc, q_free,
					     q_calloc, q_realloc};
	}
	return h;
}

void ns_h3_rebind(struct ns_h3 *h, struct ns_flow *flow)
{
	if (h)
		h->flow = flow;
}

void ns_h3_stream(struct ns_h3 *h, struct ns_packet *pkt, uint64_t id, int dir,
		  const uint8_t *p, size_t n, int fin)
{
	if (!h || !pkt || (dir != 0 && dir != 1))
		return;
	struct h3s *s = stream_get(h, id, 1, pkt);
	if (!s)
		return;
	struct half *hf = &s->half[dir];
	if (hf->lost || hf->ended)
		return;
	if (fin)
		hf->fin = 1;
	if (hf->blocked && !block_ready(h, s, dir)) {
		if (n)
			wait_blocked(h, s, dir, p, n);
		return; /* decoded with its block, on a later packet */
	}
	run_half(h, s, dir, pkt, p, n);
}

void ns_h3_stream_lost(struct ns_h3 *h, struct ns_packet *pkt, uint64_t id,
		       int dir)
{
	if (!h || (dir != 0 && dir != 1))
		return;
	struct h3s *s = stream_get(h, id, 1, pkt);
	if (!s)
		return;
	if (s->half[dir].lost)
		return;
	lose_half(h, s, dir);
	if (s->kind == K_QENC) {
		h->q[dir].enc_lost = 1;
		if (pkt)
			retry_blocked(h, pkt, dir);
	}
}

void ns_h3_stream_reset(struct ns_h3 *h, struct ns_packet *pkt, uint64_t id,
			int dir, uint64_t error)
{
	if (!h || (dir != 0 && dir != 1))
		return;
	struct h3s *s = stream_get(h, id, 0, pkt);
	if (!s)
		return;
	s->half[dir].ended = 1;
	struct ns_call *c = &s->call;
	if ((s->kind != K_REQUEST && s->kind != K_PUSH) ||
	    (c->closed[0] && c->closed[1]))
		return;
	c->end = NS_CALL_RESET;
	c->rst_error = (uint32_t)error;
	c->rst_by = (uint8_t)dir;
	int64_t ts = pkt ? pkt->ts : h->flow ? h->flow->last_ts : 0;
	c->t_end = ts;
	publish(h, s, NS_EV_HTTP_RESET, pkt, dir);
	struct ns_stream_ctx ctx = {pkt, h->flow, NULL, dir, h->eng};
	ns_body_end(&s->body, &h->body, &ctx, c, 1, ts);
	c->closed[0] = c->closed[1] = 1;
	stream_done(h, s, pkt);
	if (pkt)
		ns_body_flush(&h->body, &ctx);
}

void ns_h3_free(struct ns_h3 *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < H3_MAX_STREAMS; i++)
		if (h->s[i] && h->s[i]->used)
			stream_done(h, h->s[i], NULL);
	for (unsigned i = 0; i < H3_MAX_STREAMS; i++) {
		if (!h->s[i])
			continue;
		if (h->s[i]->used)
			stream_forget(h, h->s[i]);
		ns_mem_free(h->mem, h->s[i]);
	}
	ns_body_conn_free(&h->body);
	for (int d = 0; d < 2; d++)
		if (h->q[d].dec)
			nghttp3_qpack_decoder_del(h->q[d].dec);
	ns_mem_free(h->mem, h);
}

/* ---- the one-line summary ---------------------------------------------- */

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	int sep = 0;
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		const struct ns_field *f = fv->f;
		uint64_t v = fv->v.u;
		if (f == &fields[F_STREAM_ID]) {
			ns_buf_printf(out, "s=%llu", (unsigned long long)v);
			continue;
		}
		if (f == &fields[F_STREAM_TYPE] || f == &fields[F_FRAME_TYPE]) {
			const char *name = ns_valstr_find(f->vals, v);
			ns_buf_puts(out, sep ? ", " : " ");
			if (name)
				ns_buf_puts(out, name);
			else
				ns_buf_printf(out, "0x%llx",
					      (unsigned long long)v);
			sep = 1;
		} else if (f == &fields[F_H_METHOD] || f == &fields[F_H_PATH]) {
			ns_buf_putc(out, ' ');
			ns_buf_escaped(out, fv->v.b.p,
				       fv->v.b.n < 128 ? fv->v.b.n : 128);
		} else if (f == &fields[F_H_STATUS]) {
			ns_buf_printf(out, " %llu", (unsigned long long)v);
		} else if (f == &fields[F_GOAWAY]) {
			ns_buf_printf(out, " id=%llu", (unsigned long long)v);
		} else if (f == &fields[F_ENCODER_ICNT_INC]) {
			ns_buf_printf(out, " +%llu inserts",
				      (unsigned long long)v);
		} else if (f == &fields[F_QPACK_BLOCKED]) {
			ns_buf_puts(out, " [blocked on QPACK]");
		} else if (f == &fields[F_QPACK_LOST]) {
			ns_buf_puts(out, " [headers unavailable: QPACK "
					 "context lost]");
		} else if (f == &fields[F_LOST]) {
			ns_buf_puts(out, " [stream lost]");
		} else if (f == &fields[F_TRAILERS]) {
			ns_buf_puts(out, " trailers");
		}
	}
}

struct ns_dissector ns_diss_http3 = {
    .name = "http3",
    .column = "HTTP/3",
    .title = "Hypertext Transfer Protocol Version 3",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
};
