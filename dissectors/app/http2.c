/*
 * HTTP/2 (RFC 9113) and gRPC over it, through the stream interface.
 *
 * Detection needs no configuration: the client connection preface
 * (RFC 9113 §3.4) on any port, a server preface (a SETTINGS frame) as the
 * first bytes of the server side, the switch after `Upgrade: h2c`
 * (http.c hands the connection over, §3.2 of RFC 7540), or, for a capture
 * that starts mid-connection, a conservative frame heuristic: two chained
 * frame headers whose type, flags, length and stream id are all
 * consistent.  Framing found by the heuristic is said so on the line.
 *
 * Each delivery of contiguous bytes becomes one `http2` layer holding the
 * complete frames it finished (a frame across segments is shown on the
 * packet that completes it, as tshark does); the stateless frame parser
 * (dissect) is also what unit tests and the fuzzer drive.  The state that
 * only the connection knows — HPACK, streams, gRPC messages — is lent to
 * the layer by consume() (ns_dctx.state).
 *
 * HPACK (RFC 7541) is libnghttp2's inflater, one per direction, decoding
 * each fragment of a block (HEADERS/PUSH_PROMISE, CONTINUATION) as it
 * comes, as tshark does; SETTINGS_HEADER_TABLE_SIZE is applied when the
 * side that must honour it acknowledges it (§6.5.3).  When the decoding
 * context is lost (the capture started mid-connection, bytes were lost
 * where a header block may have been, or a block failed to decode) the
 * inflater is replaced by a fresh one with a large table: a table that
 * has seen every block since it was created holds the newest entries the
 * sender's holds, at the same indices, and a reference to an older entry
 * is out of its range and fails.  So what it decodes is right, and what it
 * cannot is shown as `headers unavailable (HPACK context lost)`, never
 * guessed; after a failure the rest of that block is not decoded.
 *
 * gRPC (PROTOCOL-HTTP2.md of grpc/grpc): a stream whose content-type is
 * application/grpc* carries length-prefixed messages, framed across DATA
 * frames by the code shared with gRPC-Web over HTTP/1.1 (src/proto/grpcmsg.c,
 * one struct ns_grpc_call per stream); the trailers give grpc-status and
 * the percent-encoded grpc-message.  Each message and the end of each
 * call side become a `grpc` layer after the http2 one (dissectors/app/grpc.c:
 * protobuf, typed with the --proto-descriptor set, gzip).  gRPC-Web
 * (PROTOCOL-WEB.md) is the same framing: a -text body is base64, decoded
 * across DATA frames; the frame with flag 0x80 holds the trailers.  Per-
 * connection memory is bounded: 128 tracked streams (the least recently
 * seen one is reported and forgotten), 1 MiB kept of a message.
 */
#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "reports/calls.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "flow/flow.h"
#include "proto/grpcmsg.h"
#include "proto/pbschema.h"
#include "flow/stream.h"

enum {
	F_MAGIC,
	F_STREAM,
	F_LENGTH,
	F_TYPE,
	F_FLAGS,
	F_FL_ES,
	F_FL_EH,
	F_FL_PADDED,
	F_FL_PRIORITY,
	F_FL_ACK_SETTINGS,
	F_FL_ACK_PING,
	F_R,
	F_STREAMID,
	F_PADDING,
	F_EXCLUSIVE,
	F_DEPENDENCY,
	F_WEIGHT,
	F_WEIGHT_REAL,
	F_DATA,
	F_DATA_PADDING,
	F_HEADERS,
	F_HEADERS_PADDING,
	F_HEADER,
	F_HEADER_NAME,
	F_HEADER_VALUE,
	F_HEADER_COUNT,
	F_H_METHOD,
	F_H_PATH,
	F_H_AUTHORITY,
	F_H_SCHEME,
	F_H_STATUS,
	F_H_CONTENT_TYPE,
	F_H_USER_AGENT,
	F_H_CONTENT_LENGTH,
	F_H_SERVER,
	F_HPACK_LOST,
	F_TRAILERS,
	F_RST_ERROR,
	F_SETTINGS,
	F_SET_ID,
	F_SET_HTS,
	F_SET_PUSH,
	F_SET_MCS,
	F_SET_IWS,
	F_SET_MFS,
	F_SET_MHLS,
	F_SET_CONNECT,
	F_SET_UNKNOWN,
	F_PP_R,
	F_PP_ID,
	F_PP_HEADER,
	F_PP_PADDING,
	F_PING,
	F_PONG,
	F_GOAWAY_R,
	F_GOAWAY_LAST,
	F_GOAWAY_ERROR,
	F_GOAWAY_DATA,
	F_WU_R,
	F_WU_INCR,
	F_CONT_HEADER,
	F_CONT_PADDING,
	F_UNKNOWN,
	F_TIME,
	F_HEURISTIC,
	F_COUNT
};

static const struct ns_valstr type_names[] = {
    {0, "DATA"},
    {1, "HEADERS"},
    {2, "PRIORITY"},
    {3, "RST_STREAM"},
    {4, "SETTINGS"},
    {5, "PUSH_PROMISE"},
    {6, "PING"},
    {7, "GOAWAY"},
    {8, "WINDOW_UPDATE"},
    {9, "CONTINUATION"},
    {10, "ALTSVC"},
    {12, "ORIGIN"},
    {16, "PRIORITY_UPDATE"},
    {0, NULL},
};

static const struct ns_valstr error_names[] = {
    {0, "NO_ERROR"},
    {1, "PROTOCOL_ERROR"},
    {2, "INTERNAL_ERROR"},
    {3, "FLOW_CONTROL_ERROR"},
    {4, "SETTINGS_TIMEOUT"},
    {5, "STREAM_CLOSED"},
    {6, "FRAME_SIZE_ERROR"},
    {7, "REFUSED_STREAM"},
    {8, "CANCEL"},
    {9, "COMPRESSION_ERROR"},
    {10, "CONNECT_ERROR"},
    {11, "ENHANCE_YOUR_CALM"},
    {12, "INADEQUATE_SECURITY"},
    {13, "HTTP_1_1_REQUIRED"},
    {0, NULL},
};

static const struct ns_valstr setting_names[] = {
    {1, "HEADER_TABLE_SIZE"},
    {2, "ENABLE_PUSH"},
    {3, "MAX_CONCURRENT_STREAMS"},
    {4, "INITIAL_WINDOW_SIZE"},
    {5, "MAX_FRAME_SIZE"},
    {6, "MAX_HEADER_LIST_SIZE"},
    {8, "ENABLE_CONNECT_PROTOCOL"},
    {9, "NO_RFC7540_PRIORITIES"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_MAGIC] = NS_F_STR("http2.magic", "Magic"),
    [F_STREAM] = NS_F_NONE("http2.stream", "Stream"),
    [F_LENGTH] = NS_F_UINT("http2.length", "Length", 24),
    [F_TYPE] = NS_F_VALS("http2.type", "Type", 8, NS_BASE_DEC, type_names),
    [F_FLAGS] = NS_F_HEX("http2.flags", "Flags", 8),
    [F_FL_ES] = NS_F_BOOL("http2.flags.end_stream", "End Stream"),
    [F_FL_EH] = NS_F_BOOL("http2.flags.eh", "End Headers"),
    [F_FL_PADDED] = NS_F_BOOL("http2.flags.padded", "Padded"),
    [F_FL_PRIORITY] = NS_F_BOOL("http2.flags.priority", "Priority"),
    [F_FL_ACK_SETTINGS] = NS_F_BOOL("http2.flags.ack.settings", "ACK"),
    [F_FL_ACK_PING] = NS_F_BOOL("http2.flags.ack.ping", "ACK"),
    [F_R] = NS_F_HEX("http2.r", "Reserved", 32),
    [F_STREAMID] = NS_F_UINT("http2.streamid", "Stream Identifier", 32),
    [F_PADDING] = NS_F_UINT("http2.padding", "Pad Length", 8),
    [F_EXCLUSIVE] = NS_F_BOOL("http2.exclusive", "Exclusive"),
    [F_DEPENDENCY] =
	NS_F_UINT("http2.stream_dependency", "Stream Dependency", 32),
    [F_WEIGHT] = NS_F_UINT("http2.headers.weight", "Weight", 8),
    [F_WEIGHT_REAL] = NS_F_UINT("http2.headers.weight_real", "Weight real", 8),
    [F_DATA] = NS_F_BYTES("http2.data.data", "Data"),
    [F_DATA_PADDING] = NS_F_BYTES("http2.data.padding", "Padding"),
    [F_HEADERS] = NS_F_BYTES("http2.headers", "Header Block Fragment"),
    [F_HEADERS_PADDING] = NS_F_BYTES("http2.headers.padding", "Padding"),
    [F_HEADER] = NS_F_NONE("http2.header", "Header"),
    [F_HEADER_NAME] = NS_F_STR("http2.header.name", "Name"),
    [F_HEADER_VALUE] = NS_F_STR("http2.header.value", "Value"),
    [F_HEADER_COUNT] = NS_F_UINT("http2.header.count", "Header Count", 32),
    [F_H_METHOD] = NS_F_STR("http2.headers.method", "Method"),
    [F_H_PATH] = NS_F_STR("http2.headers.path", "Path"),
    [F_H_AUTHORITY] = NS_F_STR("http2.headers.authority", "Authority"),
    [F_H_SCHEME] = NS_F_STR("http2.headers.scheme", "Scheme"),
    [F_H_STATUS] = NS_F_UINT("http2.headers.status", "Status", 16),
    [F_H_CONTENT_TYPE] = NS_F_STR("http2.headers.content_type", "Content-Type"),
    [F_H_USER_AGENT] = NS_F_STR("http2.headers.user_agent", "User-Agent"),
    [F_H_CONTENT_LENGTH] =
	NS_F_UINT("http2.headers.content_length", "Content-Length", 64),
    [F_H_SERVER] = NS_F_STR("http2.headers.server", "Server"),
    [F_HPACK_LOST] = NS_F_NONE("http2.hpack_context_lost",
			       "Headers unavailable (HPACK context lost)"),
    [F_TRAILERS] = NS_F_BOOL("http2.trailers", "Trailers"),
    [F_RST_ERROR] = NS_F_VALS("http2.rst_stream.error", "Error", 32,
			      NS_BASE_DEC, error_names),
    [F_SETTINGS] = NS_F_NONE("http2.settings", "Settings"),
    [F_SET_ID] = NS_F_VALS("http2.settings.id", "Settings Identifier", 16,
			   NS_BASE_DEC, setting_names),
    [F_SET_HTS] =
	NS_F_UINT("http2.settings.header_table_size", "Header table size", 32),
    [F_SET_PUSH] = NS_F_UINT("http2.settings.enable_push", "Enable PUSH", 32),
    [F_SET_MCS] = NS_F_UINT("http2.settings.max_concurrent_streams",
			    "Max concurrent streams", 32),
    [F_SET_IWS] = NS_F_UINT("http2.settings.initial_window_size",
			    "Initial Windows size", 32),
    [F_SET_MFS] =
	NS_F_UINT("http2.settings.max_frame_size", "Max frame size", 32),
    [F_SET_MHLS] = NS_F_UINT("http2.settings.max_header_list_size",
			     "Max header list size", 32),
    [F_SET_CONNECT] =
	NS_F_UINT("http2.settings.extended_connect", "Extended CONNECT", 32),
    [F_SET_UNKNOWN] =
	NS_F_UINT("http2.settings.unknown", "Unknown Settings", 32),
    [F_PP_R] = NS_F_HEX("http2.push_promise.r", "Reserved", 32),
    [F_PP_ID] = NS_F_UINT("http2.push_promise.promised_stream_id",
			  "Promised-Stream-ID", 32),
    [F_PP_HEADER] =
	NS_F_BYTES("http2.push_promise.header", "Header Block Fragment"),
    [F_PP_PADDING] = NS_F_BYTES("http2.push_promise.padding", "Padding"),
    [F_PING] = NS_F_BYTES("http2.ping", "Ping"),
    [F_PONG] = NS_F_BYTES("http2.pong", "Pong"),
    [F_GOAWAY_R] = NS_F_HEX("http2.goway.r", "Reserved", 32),
    [F_GOAWAY_LAST] =
	NS_F_UINT("http2.goaway.last_stream_id", "Last-Stream-ID", 32),
    [F_GOAWAY_ERROR] =
	NS_F_VALS("http2.goaway.error", "Error", 32, NS_BASE_DEC, error_names),
    [F_GOAWAY_DATA] =
	NS_F_BYTES("http2.goaway.addata", "Additional Debug Data"),
    [F_WU_R] = NS_F_HEX("http2.window_update.r", "Reserved", 32),
    [F_WU_INCR] = NS_F_UINT("http2.window_update.window_size_increment",
			    "Window Size Increment", 32),
    [F_CONT_HEADER] =
	NS_F_BYTES("http2.continuation.header", "Continuation Header"),
    [F_CONT_PADDING] = NS_F_BYTES("http2.continuation.padding", "Padding"),
    [F_UNKNOWN] = NS_F_BYTES("http2.unknown", "Unknown"),
    [F_TIME] = NS_F_RELTIME("http2.time", "Time since request"),
    [F_HEURISTIC] =
	NS_F_NONE("http2.heuristic", "Framing found by heuristic (capture "
				     "started mid-connection or lost bytes)"),
};

#define T_DATA	   0
#define T_HEADERS  1
#define T_PRIORITY 2
#define T_RST	   3
#define T_SETTINGS 4
#define T_PUSH	   5
#define T_PING	   6
#define T_GOAWAY   7
#define T_WINDOW   8
#define T_CONT	   9

#define FL_ES	    0x01
#define FL_ACK	    0x01
#define FL_EH	    0x04
#define FL_PADDED   0x08
#define FL_PRIORITY 0x20

#define MAX_STREAMS 128
#define MAX_HEADERS 256	       /* header fields shown per block */
#define SCAN_MAX    8192       /* bytes searched for a frame boundary */
#define LOST_TABLE  (1u << 20) /* table size when the real one is unknown */

static const char magic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define MAGIC_LEN 24

enum end_how { END_OPEN, END_STREAM, END_RST, END_GOAWAY, END_CONN };

struct h2s {
	uint32_t id;
	uint8_t used, reported, hpack_lost;
	uint8_t closed[2]; /* END_STREAM seen each way */
	uint8_t blocks[2]; /* header blocks seen each way */
	uint8_t how;	   /* enum end_how */
	uint32_t rst_error;
	uint8_t rst_by; /* role that sent RST_STREAM */
	int status;	/* :status, -1 */
	int64_t t_first_resp, t_end;
	uint64_t bytes[2]; /* DATA payload each way */
	char method[16];
	struct ns_grpc_call c; /* path, gRPC state, messages in progress */
	uint64_t seq;	       /* for LRU eviction */
};

struct h2dir {
	nghttp2_hd_inflater *inf;
	uint8_t started, aligned, heuristic, trusted, note;
	uint32_t skipped;     /* bytes skipped to find a frame boundary */
	uint32_t pending_hts; /* HEADER_TABLE_SIZE the peer asked, until ACK */
	uint8_t has_pending_hts;
	uint8_t blk_active, blk_lost, blk_type, blk_es;
	uint32_t blk_stream, blk_promised;
};

struct h2_state {
	struct h2dir d[2];
	struct h2s s[MAX_STREAMS];
	uint64_t seq;
	uint32_t goaway_last[2]; /* by the role that sent it */
	uint8_t goaway[2];
	uint8_t upgraded;
	/* roles: dir ^ swap is 0 for the client's side.  Set when the
	 * connection's start is seen (the preface), else guessed from the
	 * ports when the first frames are found by the heuristic (the
	 * lower port is the server's) */
	uint8_t roles_set, swap;
	struct ns_engine *eng;
	uint32_t conn_index;
	char ends[2][56];	  /* endpoints, the flow's client first */
	struct ns_grpc_events ev; /* gRPC events of the delivery */
};

extern struct ns_dissector ns_diss_http2;

/* the connection whose layer is being dissected (see the top comment) */

/* ---- frame-header heuristics ------------------------------------------- */

/* Frame header at p plausible on its own: 1 yes, 0 no. */
static int header_ok(const uint8_t *p)
{
	uint32_t len = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	uint8_t type = p[3], fl = p[4];
	uint32_t sid = ((uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 |
			(uint32_t)p[7] << 8 | p[8]);
	if (sid & 0x80000000u || len > 16384)
		return 0;
	switch (type) {
	case T_DATA:
		return sid && !(fl & ~(FL_ES | FL_PADDED));
	case T_HEADERS:
		return sid && len &&
		       !(fl & ~(FL_ES | FL_EH | FL_PADDED | FL_PRIORITY));
	case T_PRIORITY:
		return sid && len == 5 && !fl;
	case T_RST:
		return sid && len == 4 && !fl;
	case T_SETTINGS:
		return !sid && len % 6 == 0 && !(fl & ~FL_ACK) &&
		       (!(fl & FL_ACK) || !len);
	case T_PUSH:
		return sid && len >= 4 && !(fl & ~(FL_EH | FL_PADDED));
	case T_PING:
		return !sid && len == 8 && !(fl & ~FL_ACK);
	case T_GOAWAY:
		return !sid && len >= 8 && !fl;
	case T_WINDOW:
		return len == 4 && !fl;
	case T_CONT:
		return sid && !(fl & ~FL_EH);
	}
	return 0;
}

/* A boundary at p[0]: two chained valid frame headers, or one valid frame
 * of a fixed-size type ending exactly at n.  1 yes, 0 no, -1 need more. */
static int chain_at(const uint8_t *p, size_t n)
{
	if (n < 9)
		return -1;
	if (!header_ok(p))
		return 0;
	size_t len = (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
	if (n < 9 + len + 9) {
		if (n == 9 + len && (p[3] == T_SETTINGS || p[3] == T_PING ||
				     p[3] == T_WINDOW || p[3] == T_GOAWAY))
			return 1;
		return -1;
	}
	return header_ok(p + 9 + len);
}

/* The first offset below SCAN_MAX where frames chain; -1 when none yet. */
static long scan(const uint8_t *p, size_t n, int *more)
{
	*more = 0;
	for (size_t i = 0; i < n && i < SCAN_MAX; i++) {
		int r = chain_at(p + i, n - i);
		if (r > 0)
			return (long)i;
		if (r < 0)
			*more = 1;
	}
	if (n < SCAN_MAX)
		*more = 1;
	return -1;
}

static int probe(const uint8_t *p, size_t n, int dir)
{
	size_t m = n < MAGIC_LEN ? n : MAGIC_LEN;
	if (memcmp(p, magic, m) == 0)
		return n >= MAGIC_LEN ? 1 : -1;
	if (n >= 9 && dir == 1 && p[3] == T_SETTINGS && header_ok(p) &&
	    !(p[4] & FL_ACK)) /* a server preface */
		return 1;
	/* mid-connection: frames at the start, or after a cut frame */
	int more;
	if (scan(p, n, &more) >= 0)
		return 1;
	return more ? -1 : 0;
}

/* ---- streams ------------------------------------------------------------ */

static void stream_report(struct h2_state *st, struct h2s *s);
static void rst_error_text(struct h2s *s);

static struct h2s *stream_get(struct h2_state *st, uint32_t id, int create)
{
	struct h2s *victim = NULL;
	for (unsigned i = 0; i < MAX_STREAMS; i++) {
		struct h2s *s = &st->s[i];
		if (s->used && s->id == id) {
			s->seq = ++st->seq;
			return s;
		}
		if (!s->used)
			victim = victim && !victim->used ? victim : s;
		else if (!victim || (victim->used && s->seq < victim->seq))
			victim = s;
	}
	if (!create || !id)
		return NULL;
	if (victim->used) { /* the least recently seen stream goes */
		stream_report(st, victim);
		ns_grpc_call_free(&victim->c);
	}
	memset(victim, 0, sizeof(*victim));
	victim->used = 1;
	victim->id = id;
	victim->status = -1;
	victim->t_first_resp = victim->t_end = -1;
	ns_grpc_call_init(&victim->c);
	victim->seq = ++st->seq;
	return victim;
}

static void dir_reset_hpack(struct h2dir *d, int lost)
{
	if (d->inf)
		nghttp2_hd_inflate_del(d->inf);
	d->inf = NULL;
	if (nghttp2_hd_inflate_new(&d->inf) != 0)
		d->inf = NULL;
	else if (lost)
		nghttp2_hd_inflate_change_table_size(d->inf, LOST_TABLE);
	d->trusted = !lost;
}

/* ---- per-frame state ---------------------------------------------------- */

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

static void copy_str(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = 0;
}

/* One header field of a decoded block: the stream learns what it needs. */
static void stream_header(struct h2s *s, int dir, const uint8_t *n, size_t nl,
			  const uint8_t *v, size_t vl)
{
	if (ieq(n, nl, ":method"))
		copy_str(s->method, sizeof(s->method), v, vl);
	else if (ieq(n, nl, ":path"))
		copy_str(s->c.path, sizeof(s->c.path), v, vl);
	else if (ieq(n, nl, ":status")) {
		int x = 0;
		for (size_t i = 0; i < vl && i < 3; i++)
			x = x * 10 +
			    (v[i] >= '0' && v[i] <= '9' ? v[i] - '0' : 0);
		s->status = x;
	} else {
		ns_grpc_header(&s->c, dir, n, nl, v, vl);
	}
}

static void record_header(struct ns_packet *pkt, uint32_t off, uint32_t len,
			  const uint8_t *n, size_t nl, const uint8_t *v,
			  size_t vl)
{
	ns_add_label(pkt, &fields[F_HEADER], off, len);
	ns_tree_push(pkt);
	ns_add_bytes(pkt, &fields[F_HEADER_NAME], off, len, n, (uint32_t)nl);
	ns_add_bytes(pkt, &fields[F_HEADER_VALUE], off, len, v, (uint32_t)vl);
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
		if (ieq(n, nl, known[i].name))
			ns_add_bytes(pkt, &fields[known[i].f], off, len, v,
				     (uint32_t)vl);
	if (ieq(n, nl, ":status") || ieq(n, nl, "content-length")) {
		uint64_t x = 0;
		for (size_t i = 0;
		     i < vl && i < 19 && v[i] >= '0' && v[i] <= '9'; i++)
			x = x * 10 + (uint64_t)(v[i] - '0');
		ns_add_uint(pkt,
			    &fields[nl == 7 ? F_H_STATUS : F_H_CONTENT_LENGTH],
			    off, len, x);
	}
	ns_tree_pop(pkt);
}

/*
 * Decodes one fragment of the header block in progress in direction dir
 * (HEADERS or PUSH_PROMISE, then CONTINUATIONs; `final` on END_HEADERS)
 * and records the header fields it completes under its frame (off/len),
 * as tshark does.  HPACK decodes as a stream, so a field split between
 * fragments is shown with the fragment that ends it.  After a failure the
 * rest of the block is not decoded: its fields are unknowable.
 */
static void decode_fragment(struct ns_packet *pkt, struct h2_state *st, int dir,
			    const uint8_t *in, size_t left, uint32_t off,
			    uint32_t len, int final)
{
	struct h2dir *d = &st->d[dir];
	int role = dir ^ st->swap;
	uint32_t sid = d->blk_type == T_PUSH ? d->blk_promised : d->blk_stream;
	struct h2s *s = stream_get(st, sid, 1);
	struct {
		const uint8_t *n, *v;
		size_t nl, vl;
	} *hv = ns_arena_alloc(&pkt->arena, sizeof(*hv) * MAX_HEADERS);
	unsigned nh = 0;
	const char *why = NULL;
	int ok = !d->blk_lost && d->inf;
	while (ok) {
		nghttp2_nv nv;
		int fl = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(d->inf, &nv, &fl,
						    (uint8_t *)in, left, final);
		if (rv < 0) {
			why = nghttp2_strerror((int)rv);
			ok = 0;
			break;
		}
		in += rv;
		left -= (size_t)rv;
		if (fl & NGHTTP2_HD_INFLATE_EMIT) {
			if (hv && nh < MAX_HEADERS) {
				uint8_t *n =
				    ns_arena_alloc(&pkt->arena, nv.namelen + 1);
				uint8_t *v = ns_arena_alloc(&pkt->arena,
							    nv.valuelen + 1);
				if (n && v) {
					memcpy(n, nv.name, nv.namelen);
					memcpy(v, nv.value, nv.valuelen);
					hv[nh].n = n;
					hv[nh].nl = nv.namelen;
					hv[nh].v = v;
					hv[nh].vl = nv.valuelen;
					nh++;
				}
			}
			if (s && d->blk_type != T_PUSH)
				stream_header(s, role, nv.name, nv.namelen,
					      nv.value, nv.valuelen);
			else if (s && ieq(nv.name, nv.namelen, ":method"))
				copy_str(s->method, sizeof(s->method), nv.value,
					 nv.valuelen);
			else if (s && ieq(nv.name, nv.namelen, ":path"))
				copy_str(s->c.path, sizeof(s->c.path), nv.value,
					 nv.valuelen);
		}
		if (fl & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(d->inf);
			break;
		}
		if (!left && !(fl & NGHTTP2_HD_INFLATE_EMIT)) {
			if (final) {
				why = "header block ends inside a field";
				ok = 0;
			}
			break;
		}
	}
	/* fields decoded before a failure are right: every entry they
	 * used was seen being added */
	ns_add_uint(pkt, &fields[F_HEADER_COUNT], off, len, nh);
	for (unsigned i = 0; i < nh; i++)
		record_header(pkt, off, len, hv[i].n, hv[i].nl, hv[i].v,
			      hv[i].vl);
	if (!ok) {
		if (!d->blk_lost) {
			/* a failed inflater's table is no longer the sender's
			 */
			int was_trusted = d->trusted;
			dir_reset_hpack(d, 1);
			if (was_trusted && why)
				ns_malformed(pkt, "HPACK: %s", why);
		}
		d->blk_lost = 1;
		ns_add_label(pkt, &fields[F_HPACK_LOST], off, len);
		if (s)
			s->hpack_lost = 1;
	}
	if (!final)
		return;
	d->blk_active = 0;
	d->blk_lost = 0;
	if (s && role == 1 && s->c.t_req >= 0 && d->blk_type != T_PUSH)
		ns_add_int(pkt, &fields[F_TIME], off, len,
			   pkt->ts - s->c.t_req);
}

/* The first fragment of a header block: what the stream learns from its
 * start (request time, whether these are trailers). */
static void block_start(struct ns_packet *pkt, struct h2_state *st, int dir,
			uint32_t off, uint32_t len)
{
	struct h2dir *d = &st->d[dir];
	if (d->blk_type == T_PUSH)
		return;
	struct h2s *s = stream_get(st, d->blk_stream, 1);
	if (!s)
		return;
	int role = dir ^ st->swap;
	int is_trailer = s->blocks[role] > 0 &&
			 !(role == 1 && s->status >= 100 && s->status < 200);
	if (s->blocks[role] < 255)
		s->blocks[role]++;
	if (is_trailer)
		ns_add_uint(pkt, &fields[F_TRAILERS], off, len, 1);
	if (role == 0 && s->c.t_req < 0)
		s->c.t_req = pkt->ts;
	if (role == 1 && s->t_first_resp < 0)
		s->t_first_resp = pkt->ts;
}

static void end_side(struct ns_packet *pkt, struct h2_state *st, struct h2s *s,
		     int dir)
{
	if (s->closed[dir])
		return;
	s->closed[dir] = 1;
	if (dir == 1 || s->closed[1])
		s->t_end = pkt->ts; /* the response's end ends the call */
	if (s->closed[0] && s->closed[1])
		s->how = END_STREAM;
	if (s->c.grpc)
		ns_grpc_event(&st->ev,
			      dir ? NS_GRPC_EV_RESP_END : NS_GRPC_EV_REQ_END,
			      dir, s->id);
	if (s->closed[0] && s->closed[1])
		stream_report(st, s);
}

/* ---- frames ---------------------------------------------------------------
 */

static void flag(struct ns_packet *pkt, uint32_t off, int f, uint8_t fl,
		 uint8_t bit)
{
	ns_add_uint(pkt, &fields[f], off + 4, 1, !!(fl & bit));
}

/* Reads the pad length of a PADDED frame; returns the payload size
 * without padding, or -1 when the padding does not fit. */
static long padding(struct ns_packet *pkt, struct ns_reader *p, uint8_t fl,
		    uint32_t len, uint8_t *pad)
{
	*pad = 0;
	if (!(fl & FL_PADDED))
		return len;
	*pad = ns_get_u8(pkt, p, &fields[F_PADDING]);
	if (p->err || (uint32_t)*pad + 1 > len) {
		ns_malformed(pkt, "padding (%u) longer than the frame", *pad);
		return -1;
	}
	return (long)len - 1 - *pad;
}

/* A reserved bit and a 31-bit value (stream ids, increments); returns
 * the value. */
static uint32_t get_r31(struct ns_packet *pkt, struct ns_reader *p, int fr,
			int fv)
{
	uint32_t off = ns_rd_off(p);
	uint32_t v = ns_rd_u32(p);
	if (p->err)
		return 0;
	ns_add_uint(pkt, &fields[fr], off, 4, v & 0x80000000u);
	ns_add_uint(pkt, &fields[fv], off, 4, v & 0x7fffffffu);
	return v & 0x7fffffffu;
}

/* One SETTINGS parameter (RFC 9113 §6.5.2) as fields at off/len. */
static void setting(struct ns_packet *pkt, uint16_t id, uint32_t v,
		    uint32_t off, uint32_t len)
{
	static const int by_id[] = {0,		F_SET_HTS, F_SET_PUSH,
				    F_SET_MCS,	F_SET_IWS, F_SET_MFS,
				    F_SET_MHLS, 0,	   F_SET_CONNECT};
	int f = id < NS_NELEM(by_id) && by_id[id] ? by_id[id] : F_SET_UNKNOWN;
	ns_add_label(pkt, &fields[F_SETTINGS], off, len);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_SET_ID], off, len < 6 ? len : 2, id);
	ns_add_uint(pkt, &fields[f], len < 6 ? off : off + 2, len < 6 ? len : 4,
		    v);
	ns_tree_pop(pkt);
}

/*
 * For http.c: the HTTP2-Settings header of an h2c upgrade request, a
 * SETTINGS payload in base64url (RFC 7540 §3.2.1), recorded as settings
 * fields pointing at the header value (off/len).
 */
void ns_http2_settings_b64(struct ns_packet *pkt, const uint8_t *v, size_t n,
			   uint32_t off);
void ns_http2_settings_b64(struct ns_packet *pkt, const uint8_t *v, size_t n,
			   uint32_t off)
{
	uint8_t out[6];
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n && v[i] != '='; i++) {
		int x = ns_b64digit(v[i]);
		if (x < 0)
			return;
		acc = acc << 6 | (uint32_t)x;
		bits += 6;
		if (bits < 8)
			continue;
		bits -= 8;
		out[k++] = (uint8_t)(acc >> bits);
		if (k == 6) {
			setting(pkt, (uint16_t)(out[0] << 8 | out[1]),
				(uint32_t)out[2] << 24 |
				    (uint32_t)out[3] << 16 |
				    (uint32_t)out[4] << 8 | out[5],
				off, (uint32_t)n);
			k = 0;
		}
	}
}

static int frame(struct ns_packet *pkt, struct ns_reader *r,
		 struct h2_state *st, int dir)
{
	int role = st ? dir ^ st->swap : dir; /* 0: the client's side */
	uint32_t off = ns_rd_off(r);
	uint32_t len = (uint32_t)ns_rd_peek(r, 0) << 16 |
		       (uint32_t)ns_rd_peek(r, 1) << 8 | ns_rd_peek(r, 2);
	if (r->err || ns_rd_left(r) < 9 + (size_t)len) {
		r->err = 0;
		ns_rd_skip(r, ns_rd_left(r));
		return ns_malformed(pkt, "frame of %u bytes cut short", len);
	}
	ns_add_label(pkt, &fields[F_STREAM], off, 9 + len);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_LENGTH], off, 3, len);
	ns_rd_skip(r, 3);
	uint8_t type = ns_get_u8(pkt, r, &fields[F_TYPE]);
	uint8_t fl = ns_get_u8(pkt, r, &fields[F_FLAGS]);
	ns_tree_push(pkt);
	switch (type) {
	case T_DATA:
		flag(pkt, off, F_FL_ES, fl, FL_ES);
		flag(pkt, off, F_FL_PADDED, fl, FL_PADDED);
		break;
	case T_HEADERS:
		flag(pkt, off, F_FL_ES, fl, FL_ES);
		flag(pkt, off, F_FL_EH, fl, FL_EH);
		flag(pkt, off, F_FL_PADDED, fl, FL_PADDED);
		flag(pkt, off, F_FL_PRIORITY, fl, FL_PRIORITY);
		break;
	case T_SETTINGS:
		flag(pkt, off, F_FL_ACK_SETTINGS, fl, FL_ACK);
		break;
	case T_PING:
		flag(pkt, off, F_FL_ACK_PING, fl, FL_ACK);
		break;
	case T_PUSH:
	case T_CONT:
		flag(pkt, off, F_FL_EH, fl, FL_EH);
		if (type == T_PUSH)
			flag(pkt, off, F_FL_PADDED, fl, FL_PADDED);
		break;
	}
	ns_tree_pop(pkt);
	uint32_t sid = get_r31(pkt, r, F_R, F_STREAMID);
	struct ns_reader p = ns_rd_sub(r, len);
	struct h2dir *d = st ? &st->d[dir] : NULL;
	uint8_t pad;
	long body;
	int stream0 = type == T_SETTINGS || type == T_PING || type == T_GOAWAY;
	int need_sid = type <= T_RST || type == T_PUSH || type == T_CONT;
	if (stream0 && sid)
		ns_malformed(pkt, "%s on stream %u (must be 0)",
			     ns_valstr_find(type_names, type), sid);
	if (need_sid && !sid)
		ns_malformed(pkt, "%s on stream 0",
			     ns_valstr_find(type_names, type));
	/* a header block must be followed by its CONTINUATIONs only */
	if (d && d->blk_active && type != T_CONT) {
		ns_malformed(pkt, "header block of stream %u not continued",
			     d->blk_stream);
		d->blk_active = 0;
		dir_reset_hpack(d, 1);
	}
	switch (type) {
	case T_DATA: {
		body = padding(pkt, &p, fl, len, &pad);
		if (body < 0)
			break;
		uint32_t doff = ns_rd_off(&p);
		const uint8_t *data =
		    ns_get_bytes(pkt, &p, &fields[F_DATA], (uint32_t)body);
		if (pad)
			ns_get_bytes(pkt, &p, &fields[F_DATA_PADDING], pad);
		struct h2s *s = st && sid ? stream_get(st, sid, 1) : NULL;
		if (!s)
			break;
		s->bytes[role] += (uint64_t)body;
		if (role == 1 && s->t_first_resp < 0)
			s->t_first_resp = pkt->ts;
		if (s->c.grpc && data)
			ns_grpc_body(&s->c, &st->ev, s->id, role, pkt->ts, data,
				     (size_t)body);
		if (s->c.t_req >= 0 && role == 1 && (fl & FL_ES))
			ns_add_int(pkt, &fields[F_TIME], doff, 0,
				   pkt->ts - s->c.t_req);
		if (fl & FL_ES)
			end_side(pkt, st, s, role);
		break;
	}
	case T_HEADERS:
	case T_PUSH: {
		body = padding(pkt, &p, fl, len, &pad);
		if (body < 0)
			break;
		uint32_t promised = 0;
		if (type == T_HEADERS && (fl & FL_PRIORITY)) {
			uint32_t o = ns_rd_off(&p);
			uint32_t v = ns_rd_u32(&p);
			ns_add_uint(pkt, &fields[F_EXCLUSIVE], o, 4, v >> 31);
			ns_add_uint(pkt, &fields[F_DEPENDENCY], o, 4,
				    v & 0x7fffffffu);
			uint8_t w = ns_get_u8(pkt, &p, &fields[F_WEIGHT]);
			ns_add_uint(pkt, &fields[F_WEIGHT_REAL], o + 4, 1,
				    w + 1u);
			body -= 5;
		} else if (type == T_PUSH) {
			promised = get_r31(pkt, &p, F_PP_R, F_PP_ID);
			body -= 4;
		}
		if (body < 0 || p.err) {
			ns_malformed(pkt, "%s too short for its fields",
				     ns_valstr_find(type_names, type));
			break;
		}
		uint32_t boff = ns_rd_off(&p);
		const uint8_t *frag = ns_get_bytes(
		    pkt, &p, &fields[type == T_PUSH ? F_PP_HEADER : F_HEADERS],
		    (uint32_t)body);
		if (pad)
			ns_get_bytes(
			    pkt, &p,
			    &fields[type == T_PUSH ? F_PP_PADDING
						   : F_HEADERS_PADDING],
			    pad);
		if (!d || !sid)
			break;
		d->blk_active = 1;
		d->blk_lost = 0;
		d->blk_type = type;
		d->blk_stream = sid;
		d->blk_promised = promised;
		d->blk_es = type == T_HEADERS && (fl & FL_ES);
		if (type == T_PUSH && promised) {
			/* a pushed response: its request is the promise */
			struct h2s *ps = stream_get(st, promised, 1);
			if (ps) {
				ps->closed[0] = 1;
				ps->c.t_req = pkt->ts;
			}
		}
		block_start(pkt, st, dir, boff, (uint32_t)body);
		decode_fragment(pkt, st, dir, frag, (size_t)body, boff,
				(uint32_t)body, !!(fl & FL_EH));
		if (!(fl & FL_EH) || !d->blk_es)
			break;
		struct h2s *s = stream_get(st, sid, 1);
		if (s)
			end_side(pkt, st, s, role);
		break;
	}
	case T_PRIORITY:
		if (len != 5) {
			ns_malformed(pkt, "PRIORITY of %u bytes (must be 5)",
				     len);
			break;
		}
		{
			uint32_t o = ns_rd_off(&p);
			uint32_t v = ns_rd_u32(&p);
			ns_add_uint(pkt, &fields[F_EXCLUSIVE], o, 4, v >> 31);
			ns_add_uint(pkt, &fields[F_DEPENDENCY], o, 4,
				    v & 0x7fffffffu);
			uint8_t w = ns_get_u8(pkt, &p, &fields[F_WEIGHT]);
			ns_add_uint(pkt, &fields[F_WEIGHT_REAL], o + 4, 1,
				    w + 1u);
		}
		break;
	case T_RST: {
		if (len != 4) {
			ns_malformed(pkt, "RST_STREAM of %u bytes (must be 4)",
				     len);
			break;
		}
		uint32_t e = ns_get_u32(pkt, &p, &fields[F_RST_ERROR]);
		struct h2s *s = st && sid ? stream_get(st, sid, 1) : NULL;
		if (s && !(s->closed[0] && s->closed[1])) {
			s->how = END_RST;
			s->rst_error = e;
			s->rst_by = (uint8_t)role;
			s->t_end = pkt->ts;
			if (s->c.grpc) {
				rst_error_text(s);
				ns_grpc_event(&st->ev, NS_GRPC_EV_RESP_END,
					      role, s->id);
			}
			s->closed[0] = s->closed[1] = 1;
			stream_report(st, s);
		}
		break;
	}
	case T_SETTINGS:
		if ((fl & FL_ACK) && len) {
			ns_malformed(pkt, "SETTINGS ACK with %u bytes", len);
			break;
		}
		if (len % 6) {
			ns_malformed(
			    pkt, "SETTINGS of %u bytes (not a multiple of 6)",
			    len);
			break;
		}
		if ((fl & FL_ACK) && d && d->has_pending_hts) {
			/* the peer asked, we acknowledged: our encoder's
			 * table may now be that big (RFC 9113 §6.5.3) */
			if (d->inf && d->trusted)
				nghttp2_hd_inflate_change_table_size(
				    d->inf, d->pending_hts);
			d->has_pending_hts = 0;
		}
		while (ns_rd_left(&p) >= 6) {
			uint32_t o = ns_rd_off(&p);
			uint16_t id = ns_rd_u16(&p);
			uint32_t v = ns_rd_u32(&p);
			setting(pkt, id, v, o, 6);
			if (id == 1 && st) {
				/* our decoder of the other side */
				st->d[!dir].pending_hts = v;
				st->d[!dir].has_pending_hts = 1;
			}
		}
		break;
	case T_PING:
		if (len != 8) {
			ns_malformed(pkt, "PING of %u bytes (must be 8)", len);
			break;
		}
		ns_get_bytes(pkt, &p, &fields[fl & FL_ACK ? F_PONG : F_PING],
			     8);
		break;
	case T_GOAWAY:
		if (len < 8) {
			ns_malformed(pkt, "GOAWAY of %u bytes (at least 8)",
				     len);
			break;
		}
		{
			uint32_t last =
			    get_r31(pkt, &p, F_GOAWAY_R, F_GOAWAY_LAST);
			ns_get_u32(pkt, &p, &fields[F_GOAWAY_ERROR]);
			if (ns_rd_left(&p))
				ns_get_bytes(pkt, &p, &fields[F_GOAWAY_DATA],
					     (uint32_t)ns_rd_left(&p));
			if (st) {
				st->goaway[role] = 1;
				st->goaway_last[role] = last;
			}
		}
		break;
	case T_WINDOW:
		if (len != 4) {
			ns_malformed(
			    pkt, "WINDOW_UPDATE of %u bytes (must be 4)", len);
			break;
		}
		if (get_r31(pkt, &p, F_WU_R, F_WU_INCR) == 0 && !p.err)
			ns_malformed(pkt, "WINDOW_UPDATE increment 0");
		break;
	case T_CONT: {
		const uint8_t *frag =
		    ns_get_bytes(pkt, &p, &fields[F_CONT_HEADER], len);
		if (!d)
			break;
		if (!d->blk_active && !d->trusted) {
			/* its HEADERS was before the capture or in lost bytes
			 */
			ns_add_label(pkt, &fields[F_HPACK_LOST], off + 9, len);
			break;
		}
		if (!d->blk_active || d->blk_stream != sid) {
			ns_malformed(pkt,
				     "CONTINUATION without a header block");
			break;
		}
		decode_fragment(pkt, st, dir, frag, len, off + 9, len,
				!!(fl & FL_EH));
		if (!(fl & FL_EH))
			break;
		struct h2s *s = d->blk_es ? stream_get(st, sid, 1) : NULL;
		if (s)
			end_side(pkt, st, s, role);
		break;
	}
	default:
		if (len)
			ns_get_bytes(pkt, &p, &fields[F_UNKNOWN], len);
		break;
	}
	ns_tree_pop(pkt);
	return 0;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	if (ns_rd_left(r) >= MAGIC_LEN && memcmp(r->p, magic, MAGIC_LEN) == 0)
		ns_add_bytes(pkt, &fields[F_MAGIC], 0, MAGIC_LEN,
			     ns_rd_ptr(r, MAGIC_LEN), MAGIC_LEN);
	/* from a connection: its state; alone (unit tests): none */
	struct h2_state *st = cx->stream ? cx->state : NULL;
	int dir = cx->stream ? cx->stream->dir : 0;
	if (st && st->d[dir].note) {
		ns_add_label(pkt, &fields[F_HEURISTIC], ns_rd_off(r), 0);
		st->d[dir].note = 0;
	}
	while (ns_rd_left(r) && !r->err)
		frame(pkt, r, st, dir);
	return 0;
}

/* ---- gRPC calls ended by the transport ------------------------------------
 */

/* The gRPC status a reset stream means to the client (PROTOCOL-HTTP2.md,
 * "Errors"); -1 when the spec names none.  A client that resets with
 * CANCEL when 90% or more of its grpc-timeout has passed since the request
 * reached the wire is taken to have hit its deadline (its clock started
 * a little before the request was sent). */
static int reset_status(const struct h2s *s)
{
	if (s->rst_by == 0 && s->rst_error == 8 && s->c.timeout > 0 &&
	    s->c.t_req >= 0 && s->t_end >= 0 &&
	    (s->t_end - s->c.t_req) * 10 >= s->c.timeout * 9)
		return 4; /* DEADLINE_EXCEEDED */
	return ns_grpc_rst_status(s->rst_error);
}

/* How a reset ended a gRPC call, for its grpc layer: the status the
 * reset means when the call has none, and the HTTP/2 error. */
static void rst_error_text(struct h2s *s)
{
	const char *en = ns_valstr_find(error_names, s->rst_error);
	int gs = s->c.grpc_status < 0 ? reset_status(s) : -1;
	const char *gn = ns_grpc_status_name(gs);
	snprintf(s->c.end_error, sizeof(s->c.end_error), "%s%s(RST_STREAM %s)",
		 gn ? gn : "", gn ? " " : "", en ? en : "?");
}

/* ---- the HTTP/2 summary ------------------------------------------------- */

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	unsigned nframes = 0;
	uint64_t len = 0, type = 0;
	int shown = 0, es = 0;
	const struct ns_fv *path = NULL;
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		const struct ns_field *f = fv->f;
		if (f == &fields[F_HEURISTIC]) {
			ns_buf_puts(out,
				    "[mid-connection: framing by heuristic] ");
		} else if (f == &fields[F_MAGIC]) {
			ns_buf_puts(out, "Magic");
			shown = 1;
		} else if (f == &fields[F_LENGTH]) {
			len = fv->v.u;
		} else if (f == &fields[F_TYPE]) {
			type = fv->v.u;
			if (es)
				ns_buf_puts(out, " ES");
			es = 0;
			if (++nframes > 16)
				continue;
			if (shown)
				ns_buf_puts(out, ", ");
			shown = 1;
			const char *n = ns_valstr_find(type_names, type);
			if (n)
				ns_buf_puts(out, n);
			else
				ns_buf_printf(out, "type 0x%02llx",
					      (unsigned long long)type);
		} else if (nframes > 16) {
			continue;
		} else if (f == &fields[F_STREAMID]) {
			if (fv->v.u)
				ns_buf_printf(out, " s=%llu",
					      (unsigned long long)fv->v.u);
			if (type == T_DATA)
				ns_buf_printf(out, " %llu B",
					      (unsigned long long)len);
		} else if (f == &fields[F_FL_ES] && fv->v.u) {
			es = 1; /* shown at the end of the frame */
		} else if ((f == &fields[F_FL_ACK_SETTINGS] ||
			    f == &fields[F_FL_ACK_PING]) &&
			   fv->v.u) {
			ns_buf_puts(out, " ACK");
		} else if (f == &fields[F_H_METHOD]) {
			ns_buf_putc(out, ' ');
			ns_buf_escaped(out, fv->v.b.p, fv->v.b.n);
			if (path) { /* :path came first; shown after the method
				     */
				ns_buf_putc(out, ' ');
				ns_buf_escaped(out, path->v.b.p, path->v.b.n);
				path = NULL;
			}
		} else if (f == &fields[F_H_PATH]) {
			const struct ns_fv *m = NULL;
			for (uint32_t k = i + 1; k < l->fv_end && !m; k++) {
				if (pkt->fv[k].f == &fields[F_HEADER_COUNT] ||
				    pkt->fv[k].f == &fields[F_STREAM])
					break;
				if (pkt->fv[k].f == &fields[F_H_METHOD])
					m = &pkt->fv[k];
			}
			if (m) {
				path = fv;
				continue;
			}
			ns_buf_putc(out, ' ');
			ns_buf_escaped(out, fv->v.b.p, fv->v.b.n);
		} else if (f == &fields[F_H_STATUS]) {
			ns_buf_printf(out, " %llu",
				      (unsigned long long)fv->v.u);
		} else if (f == &fields[F_TRAILERS]) {
			ns_buf_puts(out, " trailers");
		} else if (f == &fields[F_HPACK_LOST]) {
			ns_buf_puts(
			    out, " headers unavailable (HPACK context lost)");
		} else if (f == &fields[F_SET_ID]) {
			const char *n = ns_valstr_find(setting_names, fv->v.u);
			if (n)
				ns_buf_printf(out, " %s", n);
			else
				ns_buf_printf(out, " 0x%llx",
					      (unsigned long long)fv->v.u);
		} else if (strncmp(f->name, "http2.settings.", 15) == 0) {
			ns_buf_printf(out, "=%llu",
				      (unsigned long long)fv->v.u);
		} else if (f == &fields[F_RST_ERROR] ||
			   f == &fields[F_GOAWAY_ERROR]) {
			const char *n = ns_valstr_find(error_names, fv->v.u);
			if (n)
				ns_buf_printf(out, " %s", n);
			else
				ns_buf_printf(out, " error 0x%llx",
					      (unsigned long long)fv->v.u);
		} else if (f == &fields[F_GOAWAY_LAST]) {
			/* printed after the error: "GOAWAY NO_ERROR last=5" */
			const struct ns_fv *e =
			    i + 1 < l->fv_end ? &pkt->fv[i + 1] : NULL;
			if (e && e->f == &fields[F_GOAWAY_ERROR]) {
				const char *n =
				    ns_valstr_find(error_names, e->v.u);
				if (n)
					ns_buf_printf(out, " %s", n);
				else
					ns_buf_printf(
					    out, " error 0x%llx",
					    (unsigned long long)e->v.u);
				i++;
			}
			ns_buf_printf(out, " last=%llu",
				      (unsigned long long)fv->v.u);
		} else if (f == &fields[F_GOAWAY_DATA]) {
			ns_buf_puts(out, " \"");
			ns_buf_escaped(out, fv->v.b.p,
				       fv->v.b.n < 64 ? fv->v.b.n : 64);
			ns_buf_putc(out, '"');
		} else if (f == &fields[F_WU_INCR]) {
			ns_buf_printf(out, " +%llu",
				      (unsigned long long)fv->v.u);
		} else if (f == &fields[F_PP_ID]) {
			ns_buf_printf(out, " promised=%llu",
				      (unsigned long long)fv->v.u);
		}
	}
	if (es && nframes <= 16)
		ns_buf_puts(out, " ES");
	if (nframes > 16)
		ns_buf_printf(out, ", … (%u frames)", nframes);
}

/* ---- stream interface -------------------------------------------------- */

/* The grpc layer's view of a stream's call (NULL once it is forgotten). */
static const struct ns_grpc_call *call_of(void *owner, uint32_t id)
{
	struct h2s *s = stream_get(owner, id, 0);
	return s ? &s->c : NULL;
}

static void first_bytes(struct h2_state *st, struct ns_stream_ctx *ctx)
{
	struct h2dir *d = &st->d[ctx->dir];
	if (d->started)
		return;
	d->started = 1;
	if (!st->eng && ctx->pkt) {
		st->eng = ctx->pkt->eng;
		for (int i = 0; ctx->flow && i < 2; i++) {
			struct ns_buf b = {0};
			ns_flow_endpoint(&b, ctx->flow,
					 i ? !ctx->flow->client
					   : ctx->flow->client);
			if (b.p)
				copy_str(st->ends[i], sizeof(st->ends[i]),
					 (const uint8_t *)b.p, b.len);
			ns_buf_free(&b);
			st->conn_index = ctx->flow->index;
		}
	}
}

static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct h2_state *st = state;
	int dir = ctx->dir;
	struct h2dir *d = &st->d[dir];
	size_t used = 0;
	first_bytes(st, ctx);
	if (!d->aligned) {
		size_t m = n < MAGIC_LEN ? n : MAGIC_LEN;
		if (dir == 0 && memcmp(p, magic, m) == 0) {
			if (n < MAGIC_LEN)
				return 0;
			d->aligned = 1;
			st->roles_set = 1;
			st->swap = 0;
			dir_reset_hpack(d, 0);
		} else if (st->upgraded ||
			   (dir == 1 && n >= 9 && p[3] == T_SETTINGS &&
			    !(p[4] & FL_ACK) && header_ok(p) &&
			    !st->d[0].heuristic)) {
			d->aligned = 1; /* the server preface */
			st->roles_set = 1;
			dir_reset_hpack(d, 0);
		} else {
			int more;
			long at = scan(p, n, &more);
			if (at < 0) {
				if (more)
					return 0;
				d->skipped += (uint32_t)n;
				return n;
			}
			d->aligned = 1;
			d->heuristic = 1;
			d->note = 1;
			if (!st->roles_set && ctx->flow) {
				const struct ns_flow *f = ctx->flow;
				st->swap = f->key.port[f->client] <
					   f->key.port[!f->client];
			}
			st->roles_set = 1;
			d->skipped += (uint32_t)at;
			used = (size_t)at;
			dir_reset_hpack(d, 1);
		}
	}
	/* whole frames from here */
	size_t end = used;
	if (end == 0 && n >= MAGIC_LEN && memcmp(p, magic, MAGIC_LEN) == 0 &&
	    dir == 0)
		end = MAGIC_LEN;
	while (n - end >= 9) {
		size_t len =
		    (size_t)p[end] << 16 | (size_t)p[end + 1] << 8 | p[end + 2];
		if (n - end < 9 + len)
			break;
		end += 9 + len;
	}
	if (end == used)
		return used;
	if (!ctx->pkt)
		return used; /* nothing can be recorded at the end of the run */
	int li =
	    ns_stream_message(ctx, &ns_diss_http2, p + used, end - used, st);
	if (li >= 0)
		ns_stream_message_end(ctx, li);
	else
		dir_reset_hpack(d, 1); /* frames we could not parse */
	st->ev.call = call_of;
	st->ev.owner = st;
	st->ev.eng = st->eng;
	ns_grpc_layer(ctx, &st->ev);
	return end;
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct h2_state *st = state;
	struct h2dir *d = &st->d[ctx->dir];
	(void)n;
	/* where frames begin again is unknown: find it by the heuristic,
	 * and distrust the HPACK table (a lost block may have changed it) */
	d->aligned = 0;
	d->started = 1;
	if (d->blk_active)
		d->blk_lost = 1;
	d->blk_active = 0;
	/* gRPC messages in progress that way are lost too */
	int role = ctx->dir ^ st->swap;
	for (unsigned i = 0; i < MAX_STREAMS; i++) {
		struct h2s *s = &st->s[i];
		ns_grpc_dec_reset(&s->c.dec[role]);
	}
	return 1;
}

static const char *how_name(const struct h2s *s, const struct h2_state *st)
{
	switch (s->how) {
	case END_STREAM:
		return "END_STREAM";
	case END_RST:
		return "RST_STREAM";
	default:
		break;
	}
	if (s->closed[1])
		return "END_STREAM"; /* the response ended; its request was
				      * before the capture */
	/* a GOAWAY names the last stream its sender processed of those the
	 * other side began: odd ones are the client's (RFC 9113 §6.8) */
	int by = s->id & 1 ? 1 : 0;
	if (st->goaway[by] && s->id > st->goaway_last[by])
		return "GOAWAY";
	return "open";
}

/* One line of the --calls report for stream s (once). */
static void stream_report(struct h2_state *st, struct h2s *s)
{
	if (s->reported || !s->used)
		return;
	s->reported = 1;
	if (!st->eng || !st->eng->calls)
		return;
	struct ns_buf b = {0};
	ns_buf_printf(&b, "%-6u %s \xe2\x86\x92 %s s=%-4u ", st->conn_index,
		      st->ends[st->swap], st->ends[!st->swap], s->id);
	ns_buf_puts(&b, !s->c.grpc ? "HTTP/2 "
			: s->c.web ? "gRPC-Web "
				   : "gRPC ");
	ns_buf_puts(&b, s->method[0] ? s->method : "-");
	ns_buf_putc(&b, ' ');
	if (s->c.path[0])
		ns_buf_escaped(&b, (const uint8_t *)s->c.path,
			       strlen(s->c.path));
	else
		ns_buf_putc(&b, '-');
	if (s->c.grpc && s->c.grpc_status >= 0) {
		const char *n = ns_grpc_status_name(s->c.grpc_status);
		ns_buf_printf(&b, " %s", n ? n : "?");
	} else if (s->c.grpc && s->how == END_RST && reset_status(s) >= 0) {
		/* no status on the wire: what the reset means to the client */
		ns_buf_printf(&b, " %s", ns_grpc_status_name(reset_status(s)));
	} else if (s->c.grpc) {
		ns_buf_puts(&b, " -");
	}
	if (s->status >= 0)
		ns_buf_printf(&b, " %d", s->status);
	else
		ns_buf_puts(&b, " -");
	if (s->hpack_lost)
		ns_buf_puts(&b, " [headers lost]");
	ns_grpc_report_times(&b, &s->c, s->t_end, s->t_first_resp);
	if (s->c.grpc) {
		ns_grpc_report_msgs(&b, &s->c);
	} else {
		ns_buf_printf(&b, " req %llu B resp %llu B",
			      (unsigned long long)s->bytes[0],
			      (unsigned long long)s->bytes[1]);
	}
	ns_buf_printf(&b, " %s", how_name(s, st));
	if (s->how == END_RST) {
		const char *en = ns_valstr_find(error_names, s->rst_error);
		if (en)
			ns_buf_printf(&b, " %s", en);
		else
			ns_buf_printf(&b, " 0x%x", s->rst_error);
	}
	if (s->c.grpc)
		ns_grpc_report_message(&b, &s->c);
	ns_calls_add(st->eng->calls, st->conn_index, s->id, b.p, b.len);
	ns_buf_free(&b);
}

static void destroy(void *state)
{
	struct h2_state *st = state;
	for (unsigned i = 0; i < MAX_STREAMS; i++) {
		struct h2s *s = &st->s[i];
		if (!s->used)
			continue;
		stream_report(st, s);
		ns_grpc_call_free(&s->c);
	}
	ns_grpc_events_free(&st->ev);
	for (int d = 0; d < 2; d++) {
		if (st->d[d].inf)
			nghttp2_hd_inflate_del(st->d[d].inf);
	}
}

/* The connection was handed over by http.c: after `Upgrade: h2c` (hint
 * is the upgraded request line) the server speaks frames from its first
 * byte after the 101; without a hint the bytes were HTTP/2 from the
 * start. */
static void upgraded(void *state, const char *hint)
{
	struct h2_state *st = state;
	if (!hint)
		return; /* HTTP/2 from the start (prior knowledge) */
	st->upgraded = 1;
	st->roles_set = 1;
	/* stream 1 is the upgraded request, complete (RFC 7540 §3.2) */
	struct h2s *s = stream_get(st, 1, 1);
	if (!s)
		return;
	s->closed[0] = 1;
	s->blocks[0] = 1;
	const char *sp = strchr(hint, ' ');
	if (!sp)
		return;
	copy_str(s->method, sizeof(s->method), (const uint8_t *)hint,
		 (size_t)(sp - hint));
	const char *e = strchr(sp + 1, ' ');
	copy_str(s->c.path, sizeof(s->c.path), (const uint8_t *)sp + 1,
		 e ? (size_t)(e - sp - 1) : strlen(sp + 1));
}

static const struct ns_stream_ops ops = {
    .probe = probe,
    .state_size = sizeof(struct h2_state),
    .consume = consume,
    .gap = gap,
    .destroy = destroy,
    .upgraded = upgraded,
};

struct ns_dissector ns_diss_http2 = {
    .name = "http2",
    .column = "HTTP/2",
    .title = "HyperText Transfer Protocol 2",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .stream = &ops,
};
