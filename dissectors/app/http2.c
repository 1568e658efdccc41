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
 * blocks are read by proto/hpackrec.c instead: a table that has seen
 * every block since the loss holds the newest entries the sender's holds,
 * at the same indices, so each field that needs only those, the static
 * table or literals is decoded, and one that refers to an older entry is
 * shown unknown (`<unknown>`, http2.header.unknown_index), never guessed;
 * the walk goes on with the next field.  A block that cannot be read on
 * (malformed) is `headers unavailable (HPACK context lost)` from there.
 *
 * Each stream is an exchange (struct ns_call, core/txn.h): its header
 * blocks, once complete, go to the body interface (core/body.h) whole,
 * and its DATA to the body format its content type chose (gRPC, …), which
 * records its own layer after the http2 one; no format is named here.  The
 * exchange's transaction events (request, response, trailers, body,
 * reset, end) are published on the engine's bus (core/event.h) for the
 * reports and the TUI.  Per-connection memory is bounded: 128 tracked
 * streams (the least recently seen one is ended and forgotten), 64 KiB of
 * a header block in progress, and what the body formats cap.
 */
#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/body.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/mem.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "flow/stream.h"
#include "proto/hpackrec.h"

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
	F_HPACK_UNKNOWN,
	F_HPACK_UNKNOWN_IDX,
	F_HPACK_LIMIT,
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
    [F_HPACK_UNKNOWN] =
	NS_F_UINT("http2.hpack_unknown",
		  "Header fields unavailable (HPACK context lost)", 32),
    [F_HPACK_UNKNOWN_IDX] =
	NS_F_UINT("http2.header.unknown_index",
		  "Unavailable: dynamic table index (HPACK context lost)", 32),
    [F_HPACK_LIMIT] = NS_F_UINT("http2.hpack_table_limit",
				"HPACK table limited to (bytes)", 32),
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
#define MAX_HEADERS 256	 /* header fields shown per block */
#define SCAN_MAX    8192 /* bytes searched for a frame boundary */
/* HPACK tables are held to 64 KiB (16 times the default; real peers
 * advertise 4096, browsers up to 65536), so a peer that advertises more and
 * fills it cannot make netscope keep it all: headers that need entries
 * beyond are shown unavailable, never guessed.  The lost-context walker
 * keeps as much (NS_HPACK_REC_MAX). */
#define HPACK_MAX_TABLE (64u * 1024)

static const char magic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define MAGIC_LEN 24

#define HDR_STORE (64 * 1024) /* bytes kept of a header block in progress */

struct h2s {
	struct ns_mem *mem; /* the budget it was taken from */
	uint32_t id;
	uint8_t used, reported;
	uint8_t blocks[2]; /* header blocks seen each way */
	uint64_t seq;	   /* for LRU eviction */
	struct ns_call call;
	struct ns_body body;
};

struct h2dir {
	nghttp2_hd_inflater *inf; /* while the context is known (trusted) */
	struct ns_hpack_rec rec;  /* after it was lost (proto/hpackrec.h) */
	nghttp2_mem nmem;	  /* its allocator: the run's budget (mem.h) */
	uint8_t aligned, heuristic, trusted, note;
	uint32_t skipped; /* bytes skipped to find a frame boundary */
	/* the first offsets of what waits to be aligned that were ruled out
	 * as a frame's start: the search goes on after them when more
	 * bytes come */
	uint32_t scanned;
	uint32_t pending_hts; /* HEADER_TABLE_SIZE the peer asked, until ACK */
	uint8_t has_pending_hts;
	uint8_t blk_active, blk_lost, blk_type, blk_es, blk_trailer;
	uint8_t over_limit; /* the peer allowed a table over HPACK_MAX_TABLE */
	uint32_t blk_stream, blk_promised;
	/* the header fields of the block in progress, for the body
	 * interface when it ends: records of (u16 name length, u32 value
	 * length, name, value), at most HDR_STORE bytes */
	uint8_t *hb;
	size_t hb_len, hb_cap;
	unsigned hb_n;
};

struct h2_state {
	struct h2dir d[2];
	/* the streams, each made when first seen (from the budget) and
	 * kept until evicted by a newer one; the array (scap slots, from
	 * the budget too) grows with them up to MAX_STREAMS */
	struct h2s **s;
	unsigned scap;
	struct ns_mem *smem; /* the budget s came from (as h2s.mem) */
	/* slots are filled in order and never emptied before the end:
	 * s[0 .. nslots) are the streams; `hint` the slot found last (the
	 * next frame is most often on the same stream) */
	unsigned nslots, hint;
	/* the streams by id: open addressing with linear probing, each
	 * entry a slot + 1 (0: empty); at most half full */
	uint8_t by_id[2 * MAX_STREAMS];
	uint64_t seq;
	uint32_t goaway_last[2]; /* by the role that sent it */
	uint8_t goaway[2];
	uint8_t upgraded;
	/* roles: dir ^ swap is 0 for the client's side.  Set when the
	 * connection's start is seen (the preface), else guessed from the
	 * ports when the first frames are found by the heuristic (the
	 * lower port is the server's) */
	uint8_t roles_set, swap;
	uint8_t roles_guessed; /* by the ports, until a stream tells */
	/* the connection (the state lives as long as its flow) */
	struct ns_engine *eng;
	const struct ns_flow *flow;
	struct ns_body_conn body;
};

extern struct ns_dissector ns_diss_http2;

/* the connection whose layer is being dissected (see the top comment) */

/* ---- frame-header heuristics ------------------------------------------- */

/* A frame header as read from the bytes (RFC 9113 §4.1). */
struct fhdr {
	uint32_t len, sid;
	uint8_t type, fl;
};

/* Reads the frame header at r's cursor; 0, or -1 when fewer than 9 bytes
 * are there. */
static int fhdr_read(struct ns_reader r, struct fhdr *h)
{
	uint8_t b[9];
	ns_rd_copy(&r, b, 9); /* one bounds check: this runs per offset */
	h->len = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	h->type = b[3];
	h->fl = b[4];
	h->sid = (uint32_t)b[5] << 24 | (uint32_t)b[6] << 16 |
		 (uint32_t)b[7] << 8 | b[8];
	return r.err ? -1 : 0;
}

/* A frame header plausible on its own: 1 yes, 0 no. */
static int header_ok(const struct fhdr *h)
{
	uint32_t len = h->len, sid = h->sid;
	uint8_t fl = h->fl;
	if (sid & 0x80000000u || len > 16384)
		return 0;
	switch (h->type) {
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

/* A boundary at r's cursor: two chained valid frame headers, or one valid
 * frame of a fixed-size type ending exactly at the end.  1 yes, 0 no, -1
 * need more. */
static int chain_at(struct ns_reader r)
{
	struct fhdr h, next;
	if (fhdr_read(r, &h) < 0)
		return -1;
	if (!header_ok(&h))
		return 0;
	size_t n = ns_rd_left(&r);
	if (n < 9 + (size_t)h.len + 9) {
		if (n == 9 + (size_t)h.len &&
		    (h.type == T_SETTINGS || h.type == T_PING ||
		     h.type == T_WINDOW || h.type == T_GOAWAY))
			return 1;
		return -1;
	}
	ns_rd_skip(&r, 9 + (size_t)h.len);
	return fhdr_read(r, &next) == 0 && header_ok(&next);
}

/* The first offset from `from` and below SCAN_MAX where frames chain; -1
 * when none yet, *ruled then the offsets from the start that never can
 * (what comes later cannot change: each was told by the bytes there). */
static long scan(const struct ns_reader *r, size_t from, int *more,
		 size_t *ruled)
{
	*more = 0;
	size_t n = ns_rd_left(r);
	*ruled = from;
	struct ns_reader at = *r;
	ns_rd_skip(&at, from);
	for (size_t i = from; i < n && i < SCAN_MAX; i++, ns_rd_skip(&at, 1)) {
		/* a length of at most 16384 is a 0 byte then one of at most
		 * 0x40, and a known type is at most 9: skip to the next such
		 * pair the offsets that cannot start a frame (and can tell
		 * it: 9 bytes left) */
		if (n - i >= 9 &&
		    (ns_rd_peek(&at, 0) != 0 || ns_rd_peek(&at, 1) > 0x40 ||
		     ns_rd_peek(&at, 3) > T_CONT)) {
			struct ns_reader past = at;
			ns_rd_skip(&past, 1);
			long z = ns_rd_find_pair(&past, 0, 0, 0, 0x40);
			size_t step = z < 0 ? n - i : (size_t)z + 1;
			if (step > n - 8 - i) /* where a check needs more */
				step = n - 8 - i;
			if (!*more)
				*ruled = i + step;
			i += step - 1;
			ns_rd_skip(&at, step - 1);
			continue;
		}
		int c = chain_at(at);
		if (c > 0)
			return (long)i;
		if (c < 0)
			*more = 1;
		else if (!*more)
			*ruled = i + 1;
	}
	if (!*more)
		*ruled = n < SCAN_MAX ? n : SCAN_MAX;
	if (n < SCAN_MAX)
		*more = 1;
	return -1;
}

/* A server preface at r's cursor: a SETTINGS frame that is no ACK. */
static int server_preface(const struct ns_reader *r)
{
	struct fhdr h;
	return fhdr_read(*r, &h) == 0 && h.type == T_SETTINGS &&
	       !(h.fl & FL_ACK) && header_ok(&h);
}

/* The client preface (or as much of it as there is) at r's cursor: 1
 * whole, -1 a prefix of it, 0 not it. */
static int client_preface(const struct ns_reader *r)
{
	size_t n = ns_rd_left(r);
	if (n >= MAGIC_LEN)
		return ns_rd_starts(r, magic, MAGIC_LEN);
	return ns_rd_starts(r, magic, n) ? -1 : 0;
}

static int probe(const uint8_t *p, size_t n, int dir, int from_start)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	int c = client_preface(&r);
	if (c)
		return c;
	if (dir == 1 && server_preface(&r))
		return 1;
	/* a connection seen from its start opens with a preface: frames
	 * without one are something else (DNS over TCP chains like them) */
	if (from_start)
		return dir == 1 && n < 9 ? -1 : 0;
	/* mid-connection: frames at the start, or after a cut frame */
	int more;
	size_t ruled;
	if (scan(&r, 0, &more, &ruled) >= 0)
		return 1;
	return more ? -1 : 0;
}

/* ---- streams ------------------------------------------------------------ */

/* The exchange's connection facts, as of now (roles may be settled after
 * the stream was made). */
static void call_sync(struct h2_state *st, struct h2s *s)
{
	if (!st->flow)
		return;
	s->call.conn_uid = ns_flow_uid(st->flow);
	s->call.conn_index = st->flow->index;
	s->call.client = (uint8_t)(st->flow->client ^ st->swap);
}

/* Publishes event t of stream s (role: the side it concerns). */
static void publish_block(struct h2_state *st, struct h2s *s, enum ns_ev_type t,
			  const struct ns_packet *pkt, int role,
			  const struct ns_hdr *h, unsigned n)
{
	call_sync(st, s);
	ns_call_publish(st->eng ? &st->eng->bus : NULL, t, pkt, st->flow, role,
			&s->call, h, n);
}

static void publish(struct h2_state *st, struct h2s *s, enum ns_ev_type t,
		    const struct ns_packet *pkt, int role)
{
	publish_block(st, s, t, pkt, role, NULL, 0);
}

/* The exchange is over for netscope (ended, reset, forgotten, or the
 * connection ends): its final event, once.  A stream never ended that a
 * GOAWAY did not cover was refused by it (RFC 9113 §6.8: it names the
 * last stream its sender processed of those the other side began, and
 * odd ones are the client's). */
static void stream_done(struct h2_state *st, struct h2s *s,
			const struct ns_packet *pkt)
{
	if (s->reported || !s->used)
		return;
	s->reported = 1;
	int by = s->id & 1 ? 1 : 0;
	if (s->call.end == NS_CALL_OPEN && !s->call.closed[1] &&
	    st->goaway[by] && s->id > st->goaway_last[by])
		s->call.end = NS_CALL_GOAWAY;
	publish(st, s, NS_EV_HTTP_END, pkt, 1);
}

static void stream_forget(struct h2_state *st, struct h2s *s)
{
	ns_body_free(&s->body, &st->body);
	s->used = 0;
}

#define BY_ID_MASK (2 * MAX_STREAMS - 1)

static unsigned id_home(uint32_t id)
{
	return (id * 2654435761u) >> 24 & BY_ID_MASK; /* Fibonacci hashing */
}

/* The by_id position of stream id, or of the empty entry where it would
 * go. */
static unsigned id_pos(const struct h2_state *st, uint32_t id)
{
	unsigned h = id_home(id);
	while (st->by_id[h] && st->s[st->by_id[h] - 1]->id != id)
		h = (h + 1) & BY_ID_MASK;
	return h;
}

/* Takes stream id out of by_id, moving back the entries after it that
 * could not sit at their home while it was there. */
static void id_remove(struct h2_state *st, uint32_t id)
{
	unsigned h = id_pos(st, id);
	if (!st->by_id[h])
		return;
	st->by_id[h] = 0;
	for (unsigned j = (h + 1) & BY_ID_MASK; st->by_id[j];
	     j = (j + 1) & BY_ID_MASK) {
		unsigned home = id_home(st->s[st->by_id[j] - 1]->id);
		/* j's entry may move to the hole h unless its home lies
		 * cyclically in (h, j] */
		if (((j - home) & BY_ID_MASK) >= ((j - h) & BY_ID_MASK)) {
			st->by_id[h] = st->by_id[j];
			st->by_id[j] = 0;
			h = j;
		}
	}
}

/* The least recently seen stream's slot (all slots are in use). */
static unsigned lru_slot(const struct h2_state *st)
{
	unsigned lru = 0;
	for (unsigned i = 1; i < st->nslots; i++)
		if (st->s[i]->seq < st->s[lru]->seq)
			lru = i;
	return lru;
}

/* Room for more stream slots: 4, then twice as many, up to MAX_STREAMS.
 * 0, or -1 without memory. */
static int slots_grow(struct h2_state *st)
{
	unsigned cap = st->scap ? st->scap * 2 : 4;
	if (cap > MAX_STREAMS)
		cap = MAX_STREAMS;
	/* the array may be made before the connection's budget is known
	 * (an Upgrade's first stream): it goes back where it came from */
	if (!st->s)
		st->smem = st->body.mem;
	struct h2s **n = ns_mem_realloc(st->smem, st->s, cap * sizeof(*n));
	if (!n)
		return -1;
	st->s = n;
	st->scap = cap;
	return 0;
}

static struct h2s *stream_get(struct h2_state *st, uint32_t id, int create,
			      const struct ns_packet *pkt)
{
	struct h2s *s = st->hint < st->nslots ? st->s[st->hint] : NULL;
	unsigned pos = 0;
	if (!s || s->id != id) { /* the hint first, then the index */
		pos = id_pos(st, id);
		s = st->by_id[pos] ? st->s[st->by_id[pos] - 1] : NULL;
		if (s)
			st->hint = st->by_id[pos] - 1u;
	}
	if (s) {
		s->seq = ++st->seq;
		if (pkt && create)
			s->call.last_frame = pkt->num;
		return s;
	}
	if (!create || !id)
		return NULL;
	struct h2s *victim;
	if (st->nslots < MAX_STREAMS) {
		if (st->nslots == st->scap && slots_grow(st) < 0)
			return NULL;
		victim = ns_mem_alloc(st->body.mem, sizeof(*victim));
		if (!victim)
			return NULL;
		victim->mem = st->body.mem;
		st->hint = st->nslots;
		st->s[st->nslots++] = victim;
	} else { /* the least recently seen stream goes; its memory is
		    the new one's */
		st->hint = lru_slot(st);
		victim = st->s[st->hint];
		stream_done(st, victim, pkt);
		stream_forget(st, victim);
		id_remove(st, victim->id);
		pos = id_pos(st, id); /* the removal may have moved it */
	}
	struct ns_mem *mem = victim->mem;
	memset(victim, 0, sizeof(*victim));
	victim->mem = mem;
	victim->used = 1;
	victim->id = id;
	ns_call_init(&victim->call);
	victim->call.version = 2;
	victim->call.id = id;
	call_sync(st, victim); /* every event names its connection */
	if (pkt)
		victim->call.first_frame = victim->call.last_frame = pkt->num;
	victim->seq = ++st->seq;
	st->by_id[pos] = (uint8_t)(st->hint + 1);
	return victim;
}

/* For the body formats: an exchange by id (NULL once it is forgotten). */
static const struct ns_call *call_of(void *owner, uint32_t id)
{
	struct h2s *s = stream_get(owner, id, 0, NULL);
	return s ? &s->call : NULL;
}

/* libnghttp2's allocator, taking from the budget in its user data */
static void *h2_malloc(size_t n, void *m)
{
	return ns_mem_alloc(m, n);
}

static void h2_free(void *p, void *m)
{
	ns_mem_free(m, p);
}

static void *h2_calloc(size_t k, size_t n, void *m)
{
	return n && k > SIZE_MAX / n ? NULL : ns_mem_alloc(m, k * n);
}

static void *h2_realloc(void *p, size_t n, void *m)
{
	return ns_mem_realloc(m, p, n);
}

static void dir_reset_hpack(struct h2dir *d, int lost)
{
	if (d->inf)
		nghttp2_hd_inflate_del(d->inf);
	d->inf = NULL;
	d->trusted = !lost;
	if (!lost) {
		if (nghttp2_hd_inflate_new2(&d->inf, &d->nmem) != 0)
			d->inf = NULL;
		return;
	}
	/* the sender's table is unknown: read what does not depend on it */
	if (d->rec.lib)
		ns_hpack_rec_clear(&d->rec);
	else if (ns_hpack_rec_init(&d->rec, d->nmem.mem_user_data, &d->nmem) !=
		 0)
		ns_hpack_rec_free(&d->rec);
}

/* ---- per-frame state ---------------------------------------------------- */

static void copy_str(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = 0;
}

/* Keeps a decoded header field of the block in progress (hb). */
static void hb_add(struct h2dir *d, const uint8_t *n, size_t nl,
		   const uint8_t *v, size_t vl)
{
	size_t need = 6 + nl + vl;
	if (nl > 0xffff || d->hb_len + need > HDR_STORE)
		return; /* the block's rest is not kept: formats see less */
	if (d->hb_len + need > d->hb_cap) {
		size_t cap = d->hb_cap ? d->hb_cap * 2 : 1024;
		while (cap < d->hb_len + need)
			cap *= 2;
		uint8_t *b = ns_mem_realloc(d->nmem.mem_user_data, d->hb, cap);
		if (!b)
			return;
		d->hb = b;
		d->hb_cap = cap;
	}
	uint8_t lens[6] = {(uint8_t)(nl >> 8),	(uint8_t)nl,
			   (uint8_t)(vl >> 24), (uint8_t)(vl >> 16),
			   (uint8_t)(vl >> 8),	(uint8_t)vl};
	memcpy(d->hb + d->hb_len, lens, 6);
	memcpy(d->hb + d->hb_len + 6, n, nl);
	memcpy(d->hb + d->hb_len + 6 + nl, v, vl);
	d->hb_len += need;
	d->hb_n++;
}

/* The kept fields of the block as an array in the packet arena. */
static struct ns_hdr *hb_fields(struct h2dir *d, struct ns_packet *pkt)
{
	struct ns_hdr *h =
	    ns_arena_alloc(&pkt->arena, sizeof(*h) * (d->hb_n ? d->hb_n : 1));
	if (!h)
		return NULL;
	struct ns_reader r;
	ns_rd_init(&r, d->hb, d->hb_len);
	for (unsigned i = 0; i < d->hb_n; i++) {
		h[i].nl = ns_rd_u16(&r);
		h[i].vl = ns_rd_u32(&r);
		h[i].name = ns_rd_ptr(&r, h[i].nl);
		h[i].value = ns_rd_ptr(&r, h[i].vl);
	}
	return r.err ? NULL : h;
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
		if (ns_hdr_is(n, nl, known[i].name))
			ns_add_bytes(pkt, &fields[known[i].f], off, len, v,
				     (uint32_t)vl);
	if (ns_hdr_is(n, nl, ":status") || ns_hdr_is(n, nl, "content-length")) {
		struct ns_reader d;
		ns_rd_init(&d, v, vl);
		uint64_t x = ns_rd_dec(&d, 19);
		ns_add_uint(pkt,
			    &fields[nl == 7 ? F_H_STATUS : F_H_CONTENT_LENGTH],
			    off, len, x);
	}
	ns_tree_pop(pkt);
}

/*
 * A header block is complete: the exchange learns its pseudo-headers, the
 * body interface gets the whole block (a pushed request's block only
 * names the promised stream's request), and the block's event is told.
 */
static void block_done(struct ns_packet *pkt, struct h2_state *st,
		       struct h2s *s, int dir, const struct ns_stream_ctx *ctx)
{
	struct h2dir *d = &st->d[dir];
	int role = dir ^ st->swap;
	struct ns_hdr *h = hb_fields(d, pkt);
	unsigned n = h ? d->hb_n : 0;
	d->hb_len = d->hb_n = 0;
	ns_call_pseudo_headers(&s->call, h, n);
	if (d->blk_type == T_PUSH) {
		s->call.pushed = 1;
		return;
	}
	ns_body_headers(&s->body, &st->body, ctx, &s->call, role, pkt->ts, h,
			n);
	publish_block(st, s,
		      d->blk_trailer ? NS_EV_HTTP_TRAILERS
		      : role == 0    ? NS_EV_HTTP_REQUEST
				     : NS_EV_HTTP_RESPONSE,
		      pkt, role, h, n);
}

/*
 * Decodes one fragment of the header block in progress in direction dir
 * (HEADERS or PUSH_PROMISE, then CONTINUATIONs; `final` on END_HEADERS)
 * and records the header fields it completes under its frame (off/len),
 * as tshark does.  HPACK decodes as a stream, so a field split between
 * fragments is shown with the fragment that ends it.  After a failure the
 * rest of the block is not decoded: its fields are unknowable.
 */
/* The header fields one fragment completed, copied into the packet's
 * arena (they live as long as the packet's fields). */
struct frag_fields {
	struct ns_hdr *h;
	/* per field, after a lost context: the dynamic table index it
	 * needed and could not resolve (0: decoded), and whether its name
	 * (1) or value (2) is unknown */
	uint32_t *idx;
	uint16_t *unk; /* not bytes of the packet */
	unsigned n, unknown;
	struct ns_packet *pkt;
	struct h2dir *d;
};

static void keep_field(struct ns_packet *pkt, struct frag_fields *ff,
		       const uint8_t *name, size_t nl, const uint8_t *value,
		       size_t vl, uint32_t idx, uint8_t unk)
{
	if (!ff->h || ff->n >= MAX_HEADERS)
		return;
	uint8_t *n = ns_arena_alloc(&pkt->arena, nl + 1);
	uint8_t *v = ns_arena_alloc(&pkt->arena, vl + 1);
	if (!n || !v)
		return;
	if (nl) /* an unknown part is NULL, 0 */
		memcpy(n, name, nl);
	if (vl)
		memcpy(v, value, vl);
	ff->idx[ff->n] = idx;
	ff->unk[ff->n] = unk;
	ff->h[ff->n++] = (struct ns_hdr){n, v, nl, vl};
}

/* A field the lost-context walker read (proto/hpackrec.h): a whole one
 * goes to the block like an inflated one; one with an unknown part is
 * shown, and counted, but not given to the body formats. */
static void rec_field(void *u, const struct ns_hpack_field *f)
{
	struct frag_fields *ff = u;
	uint8_t unk =
	    (uint8_t)((f->name_known ? 0 : 1) | (f->value_known ? 0 : 2));
	keep_field(ff->pkt, ff, f->name_known ? f->name : NULL,
		   f->name_known ? f->nl : 0, f->value_known ? f->value : NULL,
		   f->value_known ? f->vl : 0, unk ? f->index : 0, unk);
	if (unk)
		ff->unknown++;
	else
		hb_add(ff->d, f->name, f->nl, f->value, f->vl);
}

/* Field i of a fragment: whole, or what is known of it. */
static void record_field(struct ns_packet *pkt, uint32_t off, uint32_t len,
			 const struct frag_fields *ff, unsigned i)
{
	const struct ns_hdr *h = &ff->h[i];
	if (!ff->unk[i]) {
		record_header(pkt, off, len, h->name, h->nl, h->value, h->vl);
		return;
	}
	/* what is unknown is shown as tshark shows it: "<unknown>", "" */
	static const uint8_t unknown[] = "<unknown>";
	int nk = !(ff->unk[i] & 1), vk = !(ff->unk[i] & 2);
	ns_add_label(pkt, &fields[F_HEADER], off, len);
	ns_tree_push(pkt);
	ns_add_bytes(pkt, &fields[F_HEADER_NAME], off, len,
		     nk ? h->name : unknown,
		     nk ? (uint32_t)h->nl : (uint32_t)sizeof(unknown) - 1);
	ns_add_bytes(pkt, &fields[F_HEADER_VALUE], off, len, h->value,
		     vk ? (uint32_t)h->vl : 0);
	ns_add_uint(pkt, &fields[F_HPACK_UNKNOWN_IDX], off, len, ff->idx[i]);
	ns_tree_pop(pkt);
}

/* Inflates one fragment with d's decoder (HPACK decodes as a stream);
 * 1 when it decoded, 0 with *why when it failed. */
static int inflate_fragment(struct ns_packet *pkt, struct h2dir *d,
			    const uint8_t *in, size_t left, int final,
			    struct frag_fields *ff, const char **why)
{
	for (;;) {
		nghttp2_nv nv;
		int fl = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(d->inf, &nv, &fl,
						    (uint8_t *)in, left, final);
		if (rv < 0) {
			*why = nghttp2_strerror((int)rv);
			return 0;
		}
		in += rv;
		left -= (size_t)rv;
		if (fl & NGHTTP2_HD_INFLATE_EMIT) {
			keep_field(pkt, ff, nv.name, nv.namelen, nv.value,
				   nv.valuelen, 0, 0);
			hb_add(d, nv.name, nv.namelen, nv.value, nv.valuelen);
		}
		if (fl & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(d->inf);
			return 1;
		}
		if (!left && !(fl & NGHTTP2_HD_INFLATE_EMIT)) {
			if (!final)
				return 1;
			*why = "header block ends inside a field";
			return 0;
		}
	}
}

/* The block could not be decoded: the rest of it is unknowable, and a
 * failed inflater's table is no longer the sender's. */
static void block_lost(struct ns_packet *pkt, struct h2dir *d, struct h2s *s,
		       const char *why, uint32_t off, uint32_t len)
{
	if (!d->blk_lost) {
		int was_trusted = d->trusted;
		dir_reset_hpack(d, 1);
		if (was_trusted && why && d->over_limit)
			ns_malformed(pkt,
				     "HPACK: %s (the peer allowed a table "
				     "over netscope's %u-byte limit)",
				     why, HPACK_MAX_TABLE);
		else if (why)
			ns_malformed(pkt, "HPACK: %s", why);
	}
	d->blk_lost = 1;
	ns_add_label(pkt, &fields[F_HPACK_LOST], off, len);
	if (s)
		s->call.hpack_lost = 1;
}

static void decode_fragment(struct ns_packet *pkt, struct h2_state *st, int dir,
			    const uint8_t *in, size_t left, uint32_t off,
			    uint32_t len, int final,
			    const struct ns_stream_ctx *ctx)
{
	struct h2dir *d = &st->d[dir];
	int role = dir ^ st->swap;
	uint32_t sid = d->blk_type == T_PUSH ? d->blk_promised : d->blk_stream;
	struct h2s *s = stream_get(st, sid, 1, pkt);
	struct frag_fields ff = {
	    ns_arena_alloc(&pkt->arena, sizeof(*ff.h) * MAX_HEADERS),
	    ns_arena_alloc(&pkt->arena, sizeof(*ff.idx) * MAX_HEADERS),
	    ns_arena_alloc(&pkt->arena, sizeof(*ff.unk) * MAX_HEADERS),
	    0,
	    0,
	    pkt,
	    d};
	if (!ff.idx || !ff.unk)
		ff.h = NULL;
	const char *why = NULL;
	int ok = 0;
	if (d->blk_lost)
		ok = 0;
	else if (d->trusted)
		ok = d->inf &&
		     inflate_fragment(pkt, d, in, left, final, &ff, &why);
	else if (d->rec.lib)
		ok =
		    !(why = ns_hpack_rec_fragment(&d->rec, in, left, final,
						  &pkt->arena, rec_field, &ff));
	/* fields decoded before a failure are right: every entry they
	 * used was seen being added */
	ns_add_uint(pkt, &fields[F_HEADER_COUNT], off, len, ff.n);
	for (unsigned i = 0; i < ff.n; i++)
		record_field(pkt, off, len, &ff, i);
	if (ff.unknown) {
		ns_add_uint(pkt, &fields[F_HPACK_UNKNOWN], off, len,
			    ff.unknown);
		if (s) {
			s->call.hpack_lost = 1;
			s->call.hdr_unknown += ff.unknown;
		}
	}
	if (!ok)
		block_lost(pkt, d, s, why, off, len);
	if (!final)
		return;
	d->blk_active = 0;
	d->blk_lost = 0;
	if (s && role == 1 && s->call.t_req >= 0 && d->blk_type != T_PUSH)
		ns_add_int(pkt, &fields[F_TIME], off, len,
			   pkt->ts - s->call.t_req);
	if (s)
		block_done(pkt, st, s, dir, ctx);
}

/* The first fragment of a header block: what the stream learns from its
 * start (request time, whether these are trailers). */
static void block_start(struct ns_packet *pkt, struct h2_state *st, int dir,
			uint32_t off, uint32_t len)
{
	struct h2dir *d = &st->d[dir];
	d->hb_len = d->hb_n = 0;
	d->blk_trailer = 0;
	if (d->blk_type == T_PUSH)
		return;
	struct h2s *s = stream_get(st, d->blk_stream, 1, pkt);
	if (!s)
		return;
	int role = dir ^ st->swap;
	int st1xx = s->call.status >= 100 && s->call.status < 200;
	int is_trailer = s->blocks[role] > 0 && !(role == 1 && st1xx);
	if (s->blocks[role] < 255)
		s->blocks[role]++;
	d->blk_trailer = (uint8_t)is_trailer;
	if (is_trailer)
		ns_add_uint(pkt, &fields[F_TRAILERS], off, len, 1);
	if (role == 0 && s->call.t_req < 0)
		s->call.t_req = pkt->ts;
	if (role == 1 && s->call.t_first_resp < 0)
		s->call.t_first_resp = pkt->ts;
}

/* Side `role` of stream s ended (END_STREAM). */
static void end_side(struct ns_packet *pkt, struct h2_state *st, struct h2s *s,
		     int role, const struct ns_stream_ctx *ctx)
{
	struct ns_call *c = &s->call;
	if (c->closed[role])
		return;
	c->closed[role] = 1;
	if (role == 1 || c->closed[1])
		c->t_end = pkt->ts; /* the response's end ends the call */
	if (c->closed[0] && c->closed[1])
		c->end = NS_CALL_ENDED;
	ns_body_end(&s->body, &st->body, ctx, c, role, pkt->ts);
	if (c->closed[0] && c->closed[1])
		stream_done(st, s, pkt);
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
	uint8_t n = ns_get_u8(pkt, p, &fields[F_PADDING]);
	*pad = n;
	if (p->err || (uint32_t)n + 1 > len) {
		ns_malformed(pkt, "padding (%u) longer than the frame", n);
		return -1;
	}
	return (long)len - 1 - n;
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
	if (f == F_SET_HTS && v > HPACK_MAX_TABLE)
		ns_add_uint(pkt, &fields[F_HPACK_LIMIT], off, len,
			    HPACK_MAX_TABLE);
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
	struct ns_reader r;
	ns_rd_init(&r, v, n);
	while (ns_rd_left(&r) && !ns_rd_starts(&r, "=", 1)) {
		int x = ns_b64digit(ns_rd_u8(&r));
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

/* DATA of stream s from side `role`: counted, and given to the body. */
static void data_frame(struct ns_packet *pkt, struct h2_state *st,
		       struct h2s *s, int role, const uint8_t *data, size_t n,
		       const struct ns_stream_ctx *ctx)
{
	struct ns_call *c = &s->call;
	c->body_bytes[role] += n;
	if (role == 1 && c->t_first_resp < 0)
		c->t_first_resp = pkt->ts;
	if (!data || !n)
		return;
	/* the side's headers were before the capture or in lost bytes: its
	 * content type is unknown (the body formats may guess it) */
	if (!s->blocks[role] && !st->d[role ^ st->swap].trusted)
		c->hpack_lost = 1;
	ns_body_data(&s->body, &st->body, ctx, c, role, pkt->ts, data, n);
	call_sync(st, s);
	ns_call_publish_body(st->eng ? &st->eng->bus : NULL, pkt, st->flow,
			     role, c, data, n);
}

/* RST_STREAM from side `role` with error e: the exchange ends there. */
static void reset(struct ns_packet *pkt, struct h2_state *st, struct h2s *s,
		  int role, uint32_t e, const struct ns_stream_ctx *ctx)
{
	struct ns_call *c = &s->call;
	if (c->closed[0] && c->closed[1])
		return;
	c->end = NS_CALL_RESET;
	c->rst_error = e;
	c->rst_by = (uint8_t)role;
	c->t_end = pkt->ts;
	publish(st, s, NS_EV_HTTP_RESET, pkt, role);
	ns_body_end(&s->body, &st->body, ctx, c, 1, pkt->ts);
	c->closed[0] = c->closed[1] = 1;
	stream_done(st, s, pkt);
}

/* One frame being dissected: its header, its payload, and the
 * connection's state (st and d NULL when parsed alone). */
struct fctx {
	struct ns_packet *pkt;
	struct h2_state *st;
	struct h2dir *d;
	const struct ns_stream_ctx *ctx;
	struct ns_reader p; /* the payload */
	int dir, role;	    /* role 0: the client's side */
	uint32_t off, len, sid;
	uint8_t type, fl;
};

/* The flags the frame's type defines, as fields. */
static void frame_flags(const struct fctx *f)
{
	struct ns_packet *pkt = f->pkt;
	uint32_t off = f->off;
	uint8_t fl = f->fl;
	switch (f->type) {
	case T_HEADERS:
		flag(pkt, off, F_FL_ES, fl, FL_ES);
		flag(pkt, off, F_FL_EH, fl, FL_EH);
		flag(pkt, off, F_FL_PADDED, fl, FL_PADDED);
		flag(pkt, off, F_FL_PRIORITY, fl, FL_PRIORITY);
		break;
	case T_DATA:
		flag(pkt, off, F_FL_ES, fl, FL_ES);
		flag(pkt, off, F_FL_PADDED, fl, FL_PADDED);
		break;
	case T_SETTINGS:
	case T_PING:
		flag(pkt, off,
		     f->type == T_PING ? F_FL_ACK_PING : F_FL_ACK_SETTINGS, fl,
		     FL_ACK);
		break;
	case T_PUSH:
	case T_CONT:
		flag(pkt, off, F_FL_EH, fl, FL_EH);
		if (f->type == T_PUSH)
			flag(pkt, off, F_FL_PADDED, fl, FL_PADDED);
		break;
	}
}

/* What RFC 9113 forbids whatever the payload: the wrong stream, a header
 * block interrupted. */
static void frame_rules(const struct fctx *f)
{
	struct ns_packet *pkt = f->pkt;
	uint8_t type = f->type;
	int stream0 = type == T_SETTINGS || type == T_PING || type == T_GOAWAY;
	int need_sid = type <= T_RST || type == T_PUSH || type == T_CONT;
	if (stream0 && f->sid)
		ns_malformed(pkt, "%s on stream %u (must be 0)",
			     ns_valstr_find(type_names, type), f->sid);
	if (need_sid && !f->sid)
		ns_malformed(pkt, "%s on stream 0",
			     ns_valstr_find(type_names, type));
	/* a header block must be followed by its CONTINUATIONs only */
	struct h2dir *d = f->d;
	if (d && d->blk_active && type != T_CONT) {
		ns_malformed(pkt, "header block of stream %u not continued",
			     d->blk_stream);
		d->blk_active = 0;
		dir_reset_hpack(d, 1);
	}
}

static void frame_data(struct fctx *f)
{
	struct ns_packet *pkt = f->pkt;
	uint8_t pad;
	long body = padding(pkt, &f->p, f->fl, f->len, &pad);
	if (body < 0)
		return;
	uint32_t doff = ns_rd_off(&f->p);
	const uint8_t *data =
	    ns_get_bytes(pkt, &f->p, &fields[F_DATA], (uint32_t)body);
	if (pad)
		ns_get_bytes(pkt, &f->p, &fields[F_DATA_PADDING], pad);
	struct h2s *s =
	    f->st && f->sid ? stream_get(f->st, f->sid, 1, pkt) : NULL;
	if (!s)
		return;
	data_frame(pkt, f->st, s, f->role, data, (size_t)body, f->ctx);
	if (s->call.t_req >= 0 && f->role == 1 && (f->fl & FL_ES))
		ns_add_int(pkt, &fields[F_TIME], doff, 0,
			   pkt->ts - s->call.t_req);
	if (f->fl & FL_ES)
		end_side(pkt, f->st, s, f->role, f->ctx);
}

/* PRIORITY, or a HEADERS frame's priority fields (RFC 9113 §6.3). */
static void priority(struct ns_packet *pkt, struct ns_reader *p)
{
	uint32_t o = ns_rd_off(p);
	uint32_t v = ns_rd_u32(p);
	ns_add_uint(pkt, &fields[F_EXCLUSIVE], o, 4, v >> 31);
	ns_add_uint(pkt, &fields[F_DEPENDENCY], o, 4, v & 0x7fffffffu);
	uint8_t w = ns_get_u8(pkt, p, &fields[F_WEIGHT]);
	ns_add_uint(pkt, &fields[F_WEIGHT_REAL], o + 4, 1, w + 1u);
}

/* A header block begins (HEADERS or PUSH_PROMISE with its fragment). */
static void block_begin(struct fctx *f, uint32_t promised, uint32_t boff,
			const uint8_t *frag, uint32_t n)
{
	struct ns_packet *pkt = f->pkt;
	struct h2dir *d = f->d;
	d->blk_active = 1;
	d->blk_lost = 0;
	d->blk_type = f->type;
	d->blk_stream = f->sid;
	d->blk_promised = promised;
	d->blk_es = f->type == T_HEADERS && (f->fl & FL_ES);
	if (f->type == T_PUSH && promised) {
		/* a pushed response: its request is the promise */
		struct h2s *ps = stream_get(f->st, promised, 1, pkt);
		if (ps) {
			ps->call.closed[0] = 1;
			ps->call.t_req = pkt->ts;
		}
	}
	block_start(pkt, f->st, f->dir, boff, n);
	decode_fragment(pkt, f->st, f->dir, frag, n, boff, n, !!(f->fl & FL_EH),
			f->ctx);
	if (!(f->fl & FL_EH) || !d->blk_es)
		return;
	struct h2s *s = stream_get(f->st, f->sid, 1, pkt);
	if (s)
		end_side(pkt, f->st, s, f->role, f->ctx);
}

static void frame_headers(struct fctx *f)
{
	struct ns_packet *pkt = f->pkt;
	int push = f->type == T_PUSH;
	uint8_t pad;
	long body = padding(pkt, &f->p, f->fl, f->len, &pad);
	if (body < 0)
		return;
	uint32_t promised = 0;
	if (!push && (f->fl & FL_PRIORITY)) {
		priority(pkt, &f->p);
		body -= 5;
	} else if (push) {
		promised = get_r31(pkt, &f->p, F_PP_R, F_PP_ID);
		body -= 4;
	}
	if (body < 0 || f->p.err) {
		ns_malformed(pkt, "%s too short for its fields",
			     ns_valstr_find(type_names, f->type));
		return;
	}
	uint32_t boff = ns_rd_off(&f->p);
	const uint8_t *frag =
	    ns_get_bytes(pkt, &f->p, &fields[push ? F_PP_HEADER : F_HEADERS],
			 (uint32_t)body);
	if (pad)
		ns_get_bytes(pkt, &f->p,
			     &fields[push ? F_PP_PADDING : F_HEADERS_PADDING],
			     pad);
	if (f->d && f->sid)
		block_begin(f, promised, boff, frag, (uint32_t)body);
}

static void frame_rst(struct fctx *f)
{
	if (f->len != 4) {
		ns_malformed(f->pkt, "RST_STREAM of %u bytes (must be 4)",
			     f->len);
		return;
	}
	uint32_t e = ns_get_u32(f->pkt, &f->p, &fields[F_RST_ERROR]);
	struct h2s *s =
	    f->st && f->sid ? stream_get(f->st, f->sid, 1, f->pkt) : NULL;
	if (s)
		reset(f->pkt, f->st, s, f->role, e, f->ctx);
}

static void frame_settings(struct fctx *f)
{
	struct ns_packet *pkt = f->pkt;
	struct h2dir *d = f->d;
	if ((f->fl & FL_ACK) && f->len) {
		ns_malformed(pkt, "SETTINGS ACK with %u bytes", f->len);
		return;
	}
	if (f->len % 6) {
		ns_malformed(pkt, "SETTINGS of %u bytes (not a multiple of 6)",
			     f->len);
		return;
	}
	if ((f->fl & FL_ACK) && d && d->has_pending_hts) {
		/* the peer asked, we acknowledged: our encoder's table may
		 * now be that big (RFC 9113 §6.5.3) */
		if (d->inf && d->trusted)
			nghttp2_hd_inflate_change_table_size(
			    d->inf, d->pending_hts < HPACK_MAX_TABLE
					? d->pending_hts
					: HPACK_MAX_TABLE);
		d->over_limit = d->pending_hts > HPACK_MAX_TABLE;
		d->has_pending_hts = 0;
	}
	while (ns_rd_left(&f->p) >= 6) {
		uint32_t o = ns_rd_off(&f->p);
		uint16_t id = ns_rd_u16(&f->p);
		uint32_t v = ns_rd_u32(&f->p);
		setting(pkt, id, v, o, 6);
		if (id == 1 && f->st) {
			/* our decoder of the other side */
			f->st->d[!f->dir].pending_hts = v;
			f->st->d[!f->dir].has_pending_hts = 1;
		}
	}
}

static void frame_goaway(struct fctx *f)
{
	struct ns_packet *pkt = f->pkt;
	if (f->len < 8) {
		ns_malformed(pkt, "GOAWAY of %u bytes (at least 8)", f->len);
		return;
	}
	uint32_t last = get_r31(pkt, &f->p, F_GOAWAY_R, F_GOAWAY_LAST);
	ns_get_u32(pkt, &f->p, &fields[F_GOAWAY_ERROR]);
	if (ns_rd_left(&f->p))
		ns_get_bytes(pkt, &f->p, &fields[F_GOAWAY_DATA],
			     (uint32_t)ns_rd_left(&f->p));
	if (f->st) {
		f->st->goaway[f->role] = 1;
		f->st->goaway_last[f->role] = last;
	}
}

static void frame_cont(struct fctx *f)
{
	struct ns_packet *pkt = f->pkt;
	struct h2dir *d = f->d;
	const uint8_t *frag =
	    ns_get_bytes(pkt, &f->p, &fields[F_CONT_HEADER], f->len);
	if (!d)
		return;
	if (!d->blk_active && !d->trusted) {
		/* its HEADERS was before the capture or in lost bytes */
		ns_add_label(pkt, &fields[F_HPACK_LOST], f->off + 9, f->len);
		return;
	}
	if (!d->blk_active || d->blk_stream != f->sid) {
		ns_malformed(pkt, "CONTINUATION without a header block");
		return;
	}
	decode_fragment(pkt, f->st, f->dir, frag, f->len, f->off + 9, f->len,
			!!(f->fl & FL_EH), f->ctx);
	if (!(f->fl & FL_EH))
		return;
	struct h2s *s = d->blk_es ? stream_get(f->st, f->sid, 1, pkt) : NULL;
	if (s)
		end_side(pkt, f->st, s, f->role, f->ctx);
}

/* A frame whose payload has a fixed size (PRIORITY 5, PING 8, WINDOW_UPDATE
 * 4): 1 when it has it, else it is said malformed. */
static int fixed_len(const struct fctx *f, uint32_t want)
{
	if (f->len == want)
		return 1;
	ns_malformed(f->pkt, "%s of %u bytes (must be %u)",
		     ns_valstr_find(type_names, f->type), f->len, want);
	return 0;
}

/* The payload, by the frame's type. */
static void frame_payload(struct fctx *f)
{
	struct ns_packet *pkt = f->pkt;
	switch (f->type) {
	case T_DATA:
		frame_data(f);
		break;
	case T_HEADERS:
	case T_PUSH:
		frame_headers(f);
		break;
	case T_PRIORITY:
		if (fixed_len(f, 5))
			priority(pkt, &f->p);
		break;
	case T_RST:
		frame_rst(f);
		break;
	case T_SETTINGS:
		frame_settings(f);
		break;
	case T_PING:
		if (fixed_len(f, 8))
			ns_get_bytes(pkt, &f->p,
				     &fields[f->fl & FL_ACK ? F_PONG : F_PING],
				     8);
		break;
	case T_GOAWAY:
		frame_goaway(f);
		break;
	case T_WINDOW:
		if (fixed_len(f, 4) &&
		    get_r31(pkt, &f->p, F_WU_R, F_WU_INCR) == 0 && !f->p.err)
			ns_malformed(pkt, "WINDOW_UPDATE increment 0");
		break;
	case T_CONT:
		frame_cont(f);
		break;
	default:
		if (f->len)
			ns_get_bytes(pkt, &f->p, &fields[F_UNKNOWN], f->len);
		break;
	}
}

/*
 * Mid-connection, the roles guessed from the ports are replaced by what
 * the first HEADERS on a stream not seen before says: its sender opened
 * the stream (RFC 9113 §5.1.1), so it is the client when the id is odd.
 * (A server's trailers on a stream opened before the capture would look
 * the same; requests are far more common as a capture's first HEADERS.)
 */
static void roles_by_stream(struct h2_state *st, int dir, const struct fhdr *h)
{
	if (!st->roles_guessed || h->type != T_HEADERS || !(h->sid & 1) ||
	    stream_get(st, h->sid, 0, NULL))
		return;
	st->swap = (uint8_t)dir;
	st->roles_guessed = 0;
}

static int frame(struct ns_packet *pkt, struct ns_reader *r,
		 struct h2_state *st, int dir, const struct ns_stream_ctx *ctx)
{
	struct fctx f = {.pkt = pkt, .st = st, .ctx = ctx, .dir = dir};
	f.d = st ? &st->d[dir] : NULL;
	f.off = ns_rd_off(r);
	struct fhdr h;
	int cut = fhdr_read(*r, &h) < 0 || ns_rd_left(r) < 9 + (size_t)h.len;
	if (!cut && st)
		roles_by_stream(st, dir, &h);
	f.role = st ? dir ^ st->swap : dir;
	if (cut) {
		uint32_t len = (uint32_t)ns_rd_peek(r, 0) << 16 |
			       (uint32_t)ns_rd_peek(r, 1) << 8 |
			       ns_rd_peek(r, 2);
		r->err = 0;
		ns_rd_skip(r, ns_rd_left(r));
		return ns_malformed(pkt, "frame of %u bytes cut short", len);
	}
	f.len = h.len;
	ns_add_label(pkt, &fields[F_STREAM], f.off, 9 + f.len);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_LENGTH], f.off, 3, f.len);
	ns_rd_skip(r, 3);
	f.type = ns_get_u8(pkt, r, &fields[F_TYPE]);
	f.fl = ns_get_u8(pkt, r, &fields[F_FLAGS]);
	ns_tree_push(pkt);
	frame_flags(&f);
	ns_tree_pop(pkt);
	f.sid = get_r31(pkt, r, F_R, F_STREAMID);
	f.p = ns_rd_sub(r, f.len);
	frame_rules(&f);
	frame_payload(&f);
	ns_tree_pop(pkt);
	return 0;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	if (ns_rd_starts(r, magic, MAGIC_LEN))
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
		frame(pkt, r, st, dir, cx->stream);
	return 0;
}

/* ---- the HTTP/2 summary ------------------------------------------------- */

/* The summary of an http2 layer, built in one pass over its fields. */
struct sum {
	const struct ns_packet *pkt;
	const struct ns_layer *l;
	struct ns_buf *out;
	unsigned nframes;
	uint64_t len, type;
	int shown, es;
	const struct ns_fv *path; /* a :path waiting for its :method */
};

static void put_error(struct ns_buf *out, uint64_t e)
{
	const char *n = ns_valstr_find(error_names, e);
	if (n)
		ns_buf_printf(out, " %s", n);
	else
		ns_buf_printf(out, " error 0x%llx", (unsigned long long)e);
}

/* A frame begins: its type's name (the 17th and later are counted). */
static void sum_type(struct sum *s, const struct ns_fv *fv)
{
	s->type = fv->v.u;
	if (s->es)
		ns_buf_puts(s->out, " ES");
	s->es = 0;
	if (++s->nframes > 16)
		return;
	if (s->shown)
		ns_buf_puts(s->out, ", ");
	s->shown = 1;
	const char *n = ns_valstr_find(type_names, s->type);
	if (n)
		ns_buf_puts(s->out, n);
	else
		ns_buf_printf(s->out, "type 0x%02llx",
			      (unsigned long long)s->type);
}

/* A :path is shown after the :method of its block ("GET /"). */
static void sum_path(struct sum *s, uint32_t i)
{
	const struct ns_fv *fv = &s->pkt->fv[i];
	for (uint32_t k = i + 1; k < s->l->fv_end; k++) {
		const struct ns_field *f = s->pkt->fv[k].f;
		if (f == &fields[F_HEADER_COUNT] || f == &fields[F_STREAM])
			break;
		if (f == &fields[F_H_METHOD]) {
			s->path = fv;
			return;
		}
	}
	ns_buf_putc(s->out, ' ');
	ns_buf_escaped(s->out, fv->v.b.p, fv->v.b.n);
}

static void sum_method(struct sum *s, const struct ns_fv *fv)
{
	ns_buf_putc(s->out, ' ');
	ns_buf_escaped(s->out, fv->v.b.p, fv->v.b.n);
	if (s->path) { /* :path came first; shown after the method */
		ns_buf_putc(s->out, ' ');
		ns_buf_escaped(s->out, s->path->v.b.p, s->path->v.b.n);
		s->path = NULL;
	}
}

/* GOAWAY: "GOAWAY NO_ERROR last=5" (the error follows last's field);
 * returns the fields used after i. */
static uint32_t sum_goaway(struct sum *s, uint32_t i)
{
	const struct ns_fv *fv = &s->pkt->fv[i];
	const struct ns_fv *e =
	    i + 1 < s->l->fv_end ? &s->pkt->fv[i + 1] : NULL;
	uint32_t used = 0;
	if (e && e->f == &fields[F_GOAWAY_ERROR]) {
		put_error(s->out, e->v.u);
		used = 1;
	}
	ns_buf_printf(s->out, " last=%llu", (unsigned long long)fv->v.u);
	return used;
}

/* What a frame's other fields add; returns the fields used after i. */
static uint32_t sum_field(struct sum *s, uint32_t i)
{
	const struct ns_fv *fv = &s->pkt->fv[i];
	const struct ns_field *f = fv->f;
	struct ns_buf *out = s->out;
	unsigned long long v = (unsigned long long)fv->v.u;
	if (f == &fields[F_STREAMID]) {
		if (v)
			ns_buf_put_num(out, " s=", v);
		if (s->type == T_DATA) {
			ns_buf_put_num(out, " ", s->len);
			ns_buf_puts(out, " B");
		}
	} else if (f == &fields[F_FL_ES] && v) {
		s->es = 1; /* shown at the end of the frame */
	} else if ((f == &fields[F_FL_ACK_SETTINGS] ||
		    f == &fields[F_FL_ACK_PING]) &&
		   v) {
		ns_buf_puts(out, " ACK");
	} else if (f == &fields[F_H_METHOD]) {
		sum_method(s, fv);
	} else if (f == &fields[F_H_PATH]) {
		sum_path(s, i);
	} else if (f == &fields[F_H_STATUS]) {
		ns_buf_put_num(out, " ", v);
	} else if (f == &fields[F_TRAILERS]) {
		ns_buf_puts(out, " trailers");
	} else if (f == &fields[F_HPACK_UNKNOWN]) {
		ns_buf_printf(out,
			      " (%llu header%s unavailable: HPACK context "
			      "lost)",
			      v, v == 1 ? "" : "s");
	} else if (f == &fields[F_HPACK_LOST]) {
		ns_buf_puts(out, " headers unavailable (HPACK context lost)");
	} else if (f == &fields[F_HPACK_LIMIT]) {
		ns_buf_printf(out, " (over netscope's %llu-byte HPACK limit)",
			      v);
	} else if (f == &fields[F_SET_ID]) {
		const char *n = ns_valstr_find(setting_names, v);
		if (n)
			ns_buf_printf(out, " %s", n);
		else
			ns_buf_printf(out, " 0x%llx", v);
	} else if (strncmp(f->name, "http2.settings.", 15) == 0) {
		ns_buf_put_num(out, "=", v);
	} else if (f == &fields[F_RST_ERROR] || f == &fields[F_GOAWAY_ERROR]) {
		put_error(out, v);
	} else if (f == &fields[F_GOAWAY_LAST]) {
		return sum_goaway(s, i);
	} else if (f == &fields[F_GOAWAY_DATA]) {
		ns_buf_puts(out, " \"");
		ns_buf_escaped(out, fv->v.b.p, fv->v.b.n < 64 ? fv->v.b.n : 64);
		ns_buf_putc(out, '"');
	} else if (f == &fields[F_WU_INCR]) {
		ns_buf_put_num(out, " +", v);
	} else if (f == &fields[F_PP_ID]) {
		ns_buf_put_num(out, " promised=", v);
	}
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	struct sum s = {.pkt = pkt, .l = &pkt->layers[li], .out = out};
	for (uint32_t i = s.l->fv_first; i < s.l->fv_end; i++) {
		const struct ns_field *f = pkt->fv[i].f;
		if (f == &fields[F_HEURISTIC]) {
			ns_buf_puts(out,
				    "[mid-connection: framing by heuristic] ");
		} else if (f == &fields[F_MAGIC]) {
			ns_buf_puts(out, "Magic");
			s.shown = 1;
		} else if (f == &fields[F_LENGTH]) {
			s.len = pkt->fv[i].v.u;
		} else if (f == &fields[F_TYPE]) {
			sum_type(&s, &pkt->fv[i]);
		} else if (s.nframes <= 16) {
			i += sum_field(&s, i);
		}
	}
	if (s.es && s.nframes <= 16)
		ns_buf_puts(out, " ES");
	if (s.nframes > 16)
		ns_buf_printf(out, ", … (%u frames)", s.nframes);
}

/* ---- stream interface -------------------------------------------------- */

/* The connection's setup, at its first delivery in either direction:
 * bytes, or a gap (the engine may report a loss first). */
static void first_bytes(struct h2_state *st, struct ns_stream_ctx *ctx)
{
	if (st->body.find)
		return;
	st->eng = ctx->eng;
	st->flow = ctx->flow;
	st->body.find = call_of;
	st->body.owner = st;
	st->body.mem = ctx->eng ? &ctx->eng->mem : NULL;
	for (int i = 0; i < 2; i++)
		st->d[i].nmem = (nghttp2_mem){st->body.mem, h2_malloc, h2_free,
					      h2_calloc, h2_realloc};
}

/*
 * Finds where frames begin in direction ctx->dir (the preface, the server
 * preface, or by the heuristic mid-connection).  Returns the bytes to skip
 * before the first frame, or -1 when more bytes are needed; *skip_all is
 * set when none of r's bytes can begin frames.
 */
static long align(struct h2_state *st, struct ns_stream_ctx *ctx,
		  const struct ns_reader *r, int *skip_all)
{
	int dir = ctx->dir;
	struct h2dir *d = &st->d[dir];
	*skip_all = 0;
	int c = dir == 0 ? client_preface(r) : 0;
	if (c < 0)
		return -1;
	if (c > 0 || st->upgraded ||
	    (dir == 1 && server_preface(r) && !st->d[0].heuristic)) {
		d->aligned = 1; /* a preface: the connection's start */
		st->roles_set = 1;
		if (c > 0)
			st->swap = 0;
		dir_reset_hpack(d, 0);
		return 0;
	}
	int more;
	size_t ruled;
	long at = scan(r, d->scanned, &more, &ruled);
	if (at < 0) {
		*skip_all = !more;
		d->scanned = more ? (uint32_t)ruled : 0;
		return -1;
	}
	d->scanned = 0;
	d->aligned = d->heuristic = d->note = 1;
	if (!st->roles_set && ctx->flow) {
		/* the lower port is the server's */
		const struct ns_flow *f = ctx->flow;
		st->swap = f->key.port[f->client] < f->key.port[!f->client];
		st->roles_guessed = 1;
	}
	st->roles_set = 1;
	dir_reset_hpack(d, 1);
	return at;
}

/* The end of the whole frames (and the preface) from r's cursor. */
static size_t whole_frames(struct ns_reader r, int dir)
{
	size_t end = 0;
	if (dir == 0 && client_preface(&r) > 0) {
		ns_rd_skip(&r, MAGIC_LEN);
		end = MAGIC_LEN;
	}
	struct fhdr h;
	while (fhdr_read(r, &h) == 0 && ns_rd_left(&r) >= 9 + (size_t)h.len) {
		ns_rd_skip(&r, 9 + (size_t)h.len);
		end += 9 + (size_t)h.len;
	}
	return end;
}

static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct h2_state *st = state;
	struct h2dir *d = &st->d[ctx->dir];
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	first_bytes(st, ctx);
	size_t used = 0;
	if (!d->aligned) {
		int skip_all;
		long at = align(st, ctx, &r, &skip_all);
		if (at < 0) {
			if (skip_all)
				d->skipped += (uint32_t)n;
			return skip_all ? n : 0;
		}
		d->skipped += (uint32_t)at;
		used = (size_t)at;
		ns_rd_skip(&r, used);
	}
	size_t end = used + whole_frames(r, ctx->dir);
	if (end == used)
		return used;
	if (!ctx->pkt)
		return used; /* nothing can be recorded at the end of the run */
	int li = ns_stream_message(ctx, &ns_diss_http2,
				   ns_rd_ptr(&r, end - used), end - used, st);
	if (li >= 0)
		ns_stream_message_end(ctx, li);
	else
		dir_reset_hpack(d, 1); /* frames we could not parse */
	ns_body_flush(&st->body, ctx); /* the body formats' layers */
	return end;
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct h2_state *st = state;
	struct h2dir *d = &st->d[ctx->dir];
	(void)n;
	first_bytes(st, ctx);
	/* where frames begin again is unknown: find it by the heuristic,
	 * and distrust the HPACK table (a lost block may have changed it) */
	d->aligned = 0;
	d->scanned = 0;
	if (d->blk_active)
		d->blk_lost = 1;
	d->blk_active = 0;
	/* body messages in progress that way are lost too */
	int role = ctx->dir ^ st->swap;
	for (unsigned i = 0; i < st->nslots; i++) {
		struct h2s *s = st->s[i];
		if (s)
			ns_body_lost(&s->body, &st->body, &s->call, role);
	}
	return 1;
}

/* The connection ends: the exchanges still open end with it (the body
 * formats record nothing more: there is no packet). */
static void conn_end(void *state, struct ns_stream_ctx *ctx)
{
	struct h2_state *st = state;
	if (!st->eng) {
		st->eng = ctx->eng;
		st->flow = ctx->flow;
	}
	for (unsigned i = 0; i < st->nslots; i++)
		if (st->s[i])
			stream_done(st, st->s[i], NULL);
}

static void destroy(void *state)
{
	struct h2_state *st = state;
	for (unsigned i = 0; i < st->nslots; i++)
		if (st->s[i]) {
			stream_forget(st, st->s[i]);
			ns_mem_free(st->s[i]->mem, st->s[i]);
		}
	ns_mem_free(st->smem, st->s);
	ns_body_conn_free(&st->body);
	for (int d = 0; d < 2; d++) {
		if (st->d[d].inf)
			nghttp2_hd_inflate_del(st->d[d].inf);
		ns_mem_free(st->d[d].nmem.mem_user_data, st->d[d].hb);
		ns_hpack_rec_free(&st->d[d].rec);
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
	struct h2s *s = stream_get(st, 1, 1, NULL);
	if (!s)
		return;
	s->call.closed[0] = 1;
	s->blocks[0] = 1;
	const char *sp = strchr(hint, ' ');
	if (!sp)
		return;
	copy_str(s->call.method, sizeof(s->call.method), (const uint8_t *)hint,
		 (size_t)(sp - hint));
	const char *e = strchr(sp + 1, ' ');
	copy_str(s->call.path, sizeof(s->call.path), (const uint8_t *)sp + 1,
		 e ? (size_t)(e - sp - 1) : strlen(sp + 1));
}

static const struct ns_stream_ops ops = {
    .probe = probe,
    .state_size = sizeof(struct h2_state),
    .consume = consume,
    .gap = gap,
    .end = conn_end,
    .destroy = destroy,
    .upgraded = upgraded,
};

static const struct ns_name_binding names[] = {
    {NS_TAB_ALPN, "h2"},
    {NS_TAB_UPGRADE, "h2c"},
    {0, NULL},
};

struct ns_dissector ns_diss_http2 = {
    .name = "http2",
    .column = "HTTP/2",
    .title = "HyperText Transfer Protocol 2",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .names = names,
    .stream = &ops,
};
