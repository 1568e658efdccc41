/*
 * test_http2 — HTTP/2 frames, HPACK and gRPC (dissectors/app/http2.c).
 *
 * Under test: the stateless frame parser on every RFC 9113 frame type
 * (flags, padding, priority fields, every SETTINGS parameter, GOAWAY debug
 * data, an unknown type) and on malformed frames (fixed lengths, stream 0
 * where forbidden and non-zero where it must be 0, padding longer than the
 * frame, a frame cut short, a zero window increment); and, through the
 * stream operations as the engine drives them, detection (probe), HPACK
 * through libnghttp2 (header blocks made by nghttp2's own deflater, joined
 * across CONTINUATION), HPACK errors, the context-lost rule after a gap,
 * and gRPC messages split across DATA frames with percent-decoded status
 * messages; the lost-context walker (src/proto/hpackrec.c): every literal
 * form, static and dynamic indices (shifting as entries are added, unknown
 * past what was seen), Huffman strings, fields cut between fragments, and
 * malformed integers and lengths.
 */
#include <check.h>
#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/engine.h"
#include "core/arena.h"
#include "flow/stream.h"
#include "proto/hpackrec.h"

extern struct ns_dissector ns_diss_http2;
extern struct ns_dissector ns_diss_protobuf;

static uint8_t buf[65536];
static size_t blen;

static void put(const void *p, size_t n)
{
	memcpy(buf + blen, p, n);
	blen += n;
}

/* a frame header followed by its payload */
static void frame(uint8_t type, uint8_t flags, uint32_t sid, const void *p,
		  size_t n)
{
	uint8_t h[9] = {(uint8_t)(n >> 16),
			(uint8_t)(n >> 8),
			(uint8_t)n,
			type,
			flags,
			(uint8_t)(sid >> 24),
			(uint8_t)(sid >> 16),
			(uint8_t)(sid >> 8),
			(uint8_t)sid};
	put(h, 9);
	if (n)
		put(p, n);
}

/* Runs the stateless parser on buf as one http2 layer. */
static struct ns_packet *parse(void)
{
	ns_pkt_begin(&tu_pkt, 1, 0, 0, (uint32_t)blen, (uint32_t)blen, 1, buf);
	struct ns_reader r;
	ns_rd_init(&r, buf, blen);
	ns_dissect_layer(&tu_pkt, &ns_diss_http2, &r, buf, (uint32_t)blen,
			 NULL);
	return &tu_pkt;
}

/* The http2 layer's summary text (the layer is the packet's first here,
 * which the one-line summary would skip as the link layer). */
static const char *info_of(struct ns_packet *pkt)
{
	static struct ns_buf b;
	ns_buf_reset(&b);
	int li = tu_layer(pkt, "http2");
	ck_assert_int_ge(li, 0);
	ns_diss_http2.info(pkt, (unsigned)li, &b);
	ns_buf_putc(&b, 0);
	return b.p;
}

static void reset(void)
{
	blen = 0;
}

START_TEST(every_frame_type)
{
	reset();
	static const uint8_t data[] = {3, 'a', 'b', 'c', 0, 0, 0}; /* pad 3 */
	frame(0, 0x09, 1, data, sizeof(data));
	static const uint8_t hdr[] = {2, 0x80, 0, 0, 3, 15, 0x82, 0x84, 0, 0};
	frame(1, 0x2c, 1, hdr, sizeof(hdr)); /* PADDED|PRIORITY|EH */
	static const uint8_t prio[] = {0, 0, 0, 1, 200};
	frame(2, 0, 3, prio, 5);
	static const uint8_t rst[] = {0, 0, 0, 8};
	frame(3, 0, 3, rst, 4);
	static const uint8_t set[] = {
	    0, 1,   0,	  0, 0x10, 0, 0, 2, 0, 0, 0,	0, 0,	 3, 0, 0,
	    0, 100, 0,	  4, 0,	   1, 0, 0, 0, 5, 0,	0, 0x40, 0, 0, 6,
	    0, 0,   0x20, 0, 0,	   8, 0, 0, 0, 1, 0xfe, 3, 0,	 0, 0, 1};
	frame(4, 0, 0, set, sizeof(set));
	frame(4, 1, 0, NULL, 0);
	static const uint8_t pp[] = {0, 0, 0, 2, 0x82};
	frame(5, 0x04, 1, pp, sizeof(pp));
	static const uint8_t ping[] = {1, 2, 3, 4, 5, 6, 7, 8};
	frame(6, 0, 0, ping, 8);
	frame(6, 1, 0, ping, 8);
	static const uint8_t ga[] = {0, 0, 0, 5, 0, 0, 0, 0, 'b', 'y', 'e'};
	frame(7, 0, 0, ga, sizeof(ga));
	static const uint8_t wu[] = {0, 1, 0, 0};
	frame(8, 0, 0, wu, 4);
	static const uint8_t cont[] = {0x86};
	frame(9, 0x04, 1, cont, 1);
	frame(0x20, 0, 0, "xy", 2);
	struct ns_packet *pkt = parse();
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_count(pkt, "http2.type"), 13);
	ck_assert_str_eq(tu_value(pkt, "http2.data.data"), "616263");
	ck_assert_uint_eq(tu_uint(pkt, "http2.padding"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "http2.flags.end_stream"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "http2.stream_dependency"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "http2.headers.weight_real"), 16);
	ck_assert_uint_eq(tu_uint(pkt, "http2.exclusive"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "http2.rst_stream.error"), 8);
	ck_assert_uint_eq(tu_uint(pkt, "http2.settings.header_table_size"),
			  4096);
	ck_assert_uint_eq(tu_uint(pkt, "http2.settings.enable_push"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "http2.settings.max_concurrent_streams"),
			  100);
	ck_assert_uint_eq(tu_uint(pkt, "http2.settings.initial_window_size"),
			  65536);
	ck_assert_uint_eq(tu_uint(pkt, "http2.settings.max_frame_size"), 16384);
	ck_assert_uint_eq(tu_uint(pkt, "http2.settings.max_header_list_size"),
			  8192);
	ck_assert_uint_eq(tu_uint(pkt, "http2.settings.extended_connect"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "http2.settings.unknown"), 1);
	ck_assert_uint_eq(tu_count(pkt, "http2.settings.id"), 8);
	ck_assert_uint_eq(tu_uint(pkt, "http2.push_promise.promised_stream_id"),
			  2);
	ck_assert_uint_eq(tu_count(pkt, "http2.ping"), 1);
	ck_assert_uint_eq(tu_count(pkt, "http2.pong"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "http2.goaway.last_stream_id"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "http2.goaway.error"), 0);
	ck_assert_str_eq(tu_value(pkt, "http2.goaway.addata"), "627965");
	ck_assert_uint_eq(
	    tu_uint(pkt, "http2.window_update.window_size_increment"), 65536);
	ck_assert_uint_eq(tu_count(pkt, "http2.continuation.header"), 1);
	ck_assert_str_eq(tu_value(pkt, "http2.unknown"), "7879");
	const char *s = info_of(pkt);
	ck_assert_msg(strstr(s, "DATA s=1 7 B ES"), "%s", s);
	ck_assert_ptr_nonnull(strstr(s, "RST_STREAM s=3 CANCEL"));
	ck_assert_ptr_nonnull(strstr(s, "SETTINGS ACK"));
	ck_assert_ptr_nonnull(strstr(s, "GOAWAY NO_ERROR last=5 \"bye\""));
	ck_assert_ptr_nonnull(strstr(s, "type 0x20"));
}
END_TEST

static void bad(void (*build)(void), const char *why)
{
	reset();
	build();
	struct ns_packet *pkt = parse();
	tu_assert_malformed(pkt, why);
}

static void b_prio(void)
{
	frame(2, 0, 1, "abcd", 4);
}
static void b_rst(void)
{
	frame(3, 0, 1, "abc", 3);
}
static void b_ping(void)
{
	frame(6, 0, 0, "1234567", 7);
}
static void b_set(void)
{
	frame(4, 0, 0, "1234567", 7);
}
static void b_setack(void)
{
	frame(4, 1, 0, "123456", 6);
}
static void b_wu(void)
{
	frame(8, 0, 0, "abc", 3);
}
static void b_wu0(void)
{
	frame(8, 0, 0, "\0\0\0\0", 4);
}
static void b_ga(void)
{
	frame(7, 0, 0, "12345", 5);
}
static void b_data0(void)
{
	frame(0, 0, 0, "x", 1);
}
static void b_set1(void)
{
	frame(4, 0, 1, NULL, 0);
}
static void b_pad(void)
{
	frame(0, 0x08, 1,
	      "\x09"
	      "ab",
	      3);
}
static void b_cut(void)
{
	frame(0, 0, 1, "abcdef", 6);
	blen -= 2; /* the frame says 6 bytes, 4 follow */
}

START_TEST(malformed_frames)
{
	bad(b_prio, "HTTP/2: PRIORITY of 4 bytes (must be 5)");
	bad(b_rst, "HTTP/2: RST_STREAM of 3 bytes (must be 4)");
	bad(b_ping, "HTTP/2: PING of 7 bytes (must be 8)");
	bad(b_set, "HTTP/2: SETTINGS of 7 bytes (not a multiple of 6)");
	bad(b_setack, "HTTP/2: SETTINGS ACK with 6 bytes");
	bad(b_wu, "HTTP/2: WINDOW_UPDATE of 3 bytes (must be 4)");
	bad(b_wu0, "HTTP/2: WINDOW_UPDATE increment 0");
	bad(b_ga, "HTTP/2: GOAWAY of 5 bytes (at least 8)");
	bad(b_data0, "HTTP/2: DATA on stream 0");
	bad(b_set1, "HTTP/2: SETTINGS on stream 1 (must be 0)");
	bad(b_pad, "HTTP/2: padding (9) longer than the frame");
	bad(b_cut, "HTTP/2: frame of 6 bytes cut short");
}
END_TEST

START_TEST(next_frame_after_bad_one)
{
	reset();
	frame(2, 0, 1, "abcd", 4);
	frame(8, 0, 0, "\0\0\0\x07", 4);
	struct ns_packet *pkt = parse();
	ck_assert_int_eq(pkt->status, NS_LAYER_MALFORMED);
	ck_assert_uint_eq(
	    tu_uint(pkt, "http2.window_update.window_size_increment"), 7);
}
END_TEST

/* ---- through the stream operations ------------------------------------- */

static struct ns_stream st;
static void *state;

static void conn_open(void)
{
	memset(&st, 0, sizeof(st));
	st.app = &ns_diss_http2;
	state = calloc(1, ns_diss_http2.stream->state_size);
	st.state = state;
}

static void conn_close(void)
{
	ns_diss_http2.stream->destroy(state);
	free(state);
}

/* Feeds buf to direction dir on a fresh packet; returns bytes consumed. */
static size_t feed(int dir)
{
	static uint8_t dummy[1];
	ns_pkt_begin(&tu_pkt, 1, 1000000, 0, 1, 1, 1, dummy);
	struct ns_stream_ctx ctx = {&tu_pkt, NULL, &st, dir, NULL};
	return ns_diss_http2.stream->consume(state, &ctx, buf, blen);
}

static void lose(int dir, uint32_t n)
{
	struct ns_stream_ctx ctx = {&tu_pkt, NULL, &st, dir, NULL};
	ns_diss_http2.stream->gap(state, &ctx, n);
}

static nghttp2_hd_deflater *defl;

/* a header block for the given name/value pairs */
static size_t block(uint8_t *out, size_t cap, const char *const *nv, size_t n)
{
	nghttp2_nv v[16];
	for (size_t i = 0; i < n; i++) {
		v[i].name = (uint8_t *)nv[2 * i];
		v[i].namelen = strlen(nv[2 * i]);
		v[i].value = (uint8_t *)nv[2 * i + 1];
		v[i].valuelen = strlen(nv[2 * i + 1]);
		v[i].flags = NGHTTP2_NV_FLAG_NONE;
	}
	ssize_t r = nghttp2_hd_deflate_hd(defl, out, cap, v, n);
	ck_assert_int_gt(r, 0);
	return (size_t)r;
}

static const char magic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

START_TEST(probe)
{
	const struct ns_stream_ops *o = ns_diss_http2.stream;
	ck_assert_int_eq(o->probe((const uint8_t *)magic, 24, 0, 0), 1);
	ck_assert_int_eq(o->probe((const uint8_t *)magic, 10, 0, 0), -1);
	reset();
	frame(4, 0, 0, "\0\x03\0\0\0\x64", 6);
	ck_assert_int_eq(o->probe(buf, blen, 1, 0), 1); /* a server preface */
	static const uint8_t text[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	ck_assert_int_eq(o->probe(text, sizeof(text) - 1, 0, 0), -1);
	static uint8_t junk[9000];
	memset(junk, 'a', sizeof(junk));
	ck_assert_int_eq(o->probe(junk, sizeof(junk), 0, 0), 0);
	/* mid-connection: the tail of a frame, then two whole ones */
	reset();
	put("tail-of-a-frame", 15);
	frame(8, 0, 1, "\0\0\x01\0", 4);
	frame(6, 0, 0, "12345678", 8);
	ck_assert_int_eq(o->probe(buf, blen, 0, 0), 1);
	/* the same bytes as a connection's first: no preface, no HTTP/2 */
	ck_assert_int_eq(o->probe(buf, blen, 0, 1), 0);
	ck_assert_int_eq(o->probe((const uint8_t *)magic, 24, 0, 1), 1);
}
END_TEST

START_TEST(hpack_and_continuation)
{
	conn_open();
	nghttp2_hd_deflate_new(&defl, 4096);
	uint8_t hb[1024];
	static const char *const req[] = {":method",	  "POST",
					  ":path",	  "/pkg.Svc/Call",
					  ":scheme",	  "http",
					  ":authority",	  "x",
					  "content-type", "application/grpc",
					  "grpc-timeout", "250m"};
	size_t n = block(hb, sizeof(hb), req, 6);
	reset();
	put(magic, 24);
	frame(4, 0, 0, NULL, 0);
	frame(1, 0, 1, hb, 10); /* HEADERS without END_HEADERS */
	frame(9, 0x04, 1, hb + 10, n - 10);
	ck_assert_uint_eq(feed(0), blen);
	struct ns_packet *pkt = &tu_pkt;
	ck_assert_str_eq(tu_layers(pkt), "http2");
	ck_assert_str_eq(tu_value(pkt, "http2.headers.method"), "POST");
	ck_assert_str_eq(tu_value(pkt, "http2.headers.path"), "/pkg.Svc/Call");
	ck_assert_uint_eq(tu_count(pkt, "http2.header.name"), 6);
	/* the same request again: now from the dynamic table */
	n = block(hb, sizeof(hb), req, 6);
	reset();
	frame(1, 0x04, 3, hb, n);
	/* a gRPC message split over two DATA frames, the second ending
	 * the request */
	static const uint8_t msg[] = {0, 0, 0, 0, 3, 0x08, 0x96, 0x01};
	frame(0, 0, 3, msg, 4);
	frame(0, 0x01, 3, msg + 4, 4);
	ck_assert_uint_eq(feed(0), blen);
	ck_assert_str_eq(tu_layers(pkt), "http2 grpc");
	ck_assert_str_eq(tu_value(pkt, "http2.headers.path"), "/pkg.Svc/Call");
	ck_assert_uint_eq(tu_uint(pkt, "grpc.message_length"), 3);
	ck_assert_str_eq(tu_value(pkt, "grpc.method"), "Call");
	ck_assert_str_eq(tu_value(pkt, "grpc.service"), "pkg.Svc");
	ck_assert_int_eq(tu_find(pkt, "grpc.timeout")->v.i, 250000000);
	ck_assert_ptr_nonnull(
	    strstr(tu_summary(pkt), "request s=3 pkg.Svc/Call 1 msg 3 B"));
	/* the server side: response, then trailers-only status */
	nghttp2_hd_deflater *cdefl = defl;
	nghttp2_hd_deflate_new(&defl, 4096);
	static const char *const resp[] = {
	    ":status",	   "200", "content-type", "application/grpc",
	    "grpc-status", "5",	  "grpc-message", "not%20found%3A%20x"};
	n = block(hb, sizeof(hb), resp, 4);
	reset();
	frame(4, 0, 0, NULL, 0);
	frame(1, 0x05, 3, hb, n);
	ck_assert_uint_eq(feed(1), blen);
	ck_assert_str_eq(tu_layers(pkt), "http2 grpc");
	ck_assert_uint_eq(tu_uint(pkt, "grpc.status"), 5);
	ck_assert_str_eq(tu_value(pkt, "grpc.message"), "not found: x");
	ck_assert_ptr_nonnull(
	    strstr(tu_summary(pkt), "response s=3 NOT_FOUND \"not found: x\""));
	nghttp2_hd_deflate_del(defl);
	nghttp2_hd_deflate_del(cdefl);
	conn_close();
}
END_TEST

/* For the stream tests: a connection with its preface, streams opened
 * with a gRPC request's HEADERS, and whether a DATA frame on a stream
 * finds its call (the method). */
static void grpc_conn_open(void)
{
	conn_open();
	nghttp2_hd_deflate_new(&defl, 4096);
	reset();
	put(magic, 24);
	frame(4, 0, 0, NULL, 0);
	ck_assert_uint_eq(feed(0), blen);
}

static void grpc_conn_close(void)
{
	nghttp2_hd_deflate_del(defl);
	conn_close();
}

static void grpc_stream_open(uint32_t sid)
{
	static const char *const req[] = {
	    ":method", "POST", ":path",	       "/pkg.Svc/Call",
	    ":scheme", "http", "content-type", "application/grpc"};
	uint8_t hb[1024];
	size_t n = block(hb, sizeof(hb), req, 4);
	reset();
	frame(1, 0x04, sid, hb, n);
	ck_assert_uint_eq(feed(0), blen);
}

static int grpc_stream_known(uint32_t sid)
{
	static const uint8_t msg[] = {0, 0, 0, 0, 1, 0x08};
	reset();
	frame(0, 0, sid, msg, sizeof(msg));
	ck_assert_uint_eq(feed(0), blen);
	const char *m = tu_find(&tu_pkt, "grpc.method")
			    ? tu_value(&tu_pkt, "grpc.method")
			    : NULL;
	return m && strcmp(m, "Call") == 0;
}

/* More streams than the connection keeps (128): the least recently seen
 * one goes, whichever slot it is in. */
START_TEST(streams_past_the_cap)
{
	grpc_conn_open();
	for (uint32_t sid = 1; sid <= 259; sid += 2) { /* 130 streams */
		if (sid == 257) /* stream 1 seen again: 3 is the oldest */
			ck_assert(grpc_stream_known(1));
		grpc_stream_open(sid);
	}
	/* 1 and the newest are kept; 3 and 5 went for 257 and 259 */
	static const uint32_t kept[] = {1, 7, 255, 259};
	for (size_t i = 0; i < NS_NELEM(kept); i++)
		ck_assert(grpc_stream_known(kept[i]));
	static const uint32_t gone[] = {3, 5};
	for (size_t i = 0; i < NS_NELEM(gone); i++)
		ck_assert(!grpc_stream_known(gone[i]));
	grpc_conn_close();
}
END_TEST

/* Streams are found by id (an index that evictions take entries out
 * of): after 600 streams on one connection each of the newest 128 is
 * still found, in any order, and older ones are not. */
START_TEST(stream_index_after_evictions)
{
	grpc_conn_open();
	for (uint32_t sid = 1; sid <= 1199; sid += 2)
		grpc_stream_open(sid);
	/* the newest 128 (945 .. 1199), newest first, then oldest first */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t k = 0; k < 128; k++)
			ck_assert(grpc_stream_known(pass ? 945 + 2 * k
							 : 1199 - 2 * k));
	static const uint32_t gone[] = {943, 501, 1};
	for (size_t i = 0; i < NS_NELEM(gone); i++)
		ck_assert(!grpc_stream_known(gone[i]));
	grpc_conn_close();
}
END_TEST

/* An Upgrade makes stream 1 before the connection's budget is known (no
 * frame yet); frames then come with the engine: whatever was taken from
 * the budget goes back to it, the stream array included. */
START_TEST(upgrade_then_budget_balances)
{
	struct ns_engine eng;
	ck_assert_int_eq(ns_engine_init(&eng, 16), 0);
	conn_open();
	ns_diss_http2.stream->upgraded(state, "GET /up HTTP/1.1");
	nghttp2_hd_deflate_new(&defl, 4096);
	uint8_t hb[256];
	static const char *const resp[] = {":status", "200"};
	size_t n = block(hb, sizeof(hb), resp, 1);
	reset();
	frame(4, 0, 0, NULL, 0);
	frame(1, 0x05, 1, hb, n);
	frame(1, 0x04, 3, hb, n); /* a second stream: allocated with it */
	static uint8_t dummy[1];
	ns_pkt_begin(&tu_pkt, 1, 1000000, 0, 1, 1, 1, dummy);
	struct ns_stream_ctx ctx = {&tu_pkt, NULL, &st, 1, &eng};
	ck_assert_uint_eq(ns_diss_http2.stream->consume(state, &ctx, buf, blen),
			  blen);
	ck_assert_uint_gt(eng.mem.used, 0);
	nghttp2_hd_deflate_del(defl);
	conn_close();
	ck_assert_uint_eq(eng.mem.used, 0);
	ck_assert_uint_eq(eng.mem.refused, 0);
	ns_engine_finish(&eng);
}
END_TEST

START_TEST(hpack_error_and_lost_context)
{
	conn_open();
	nghttp2_hd_deflate_new(&defl, 4096);
	uint8_t hb[1024];
	static const char *const req[] = {":method", "GET",	 ":path",
					  "/a",	     "x-custom", "value-one"};
	size_t n = block(hb, sizeof(hb), req, 3);
	reset();
	put(magic, 24);
	frame(1, 0x05, 1, hb, n);
	feed(0);
	ck_assert_str_eq(tu_value(&tu_pkt, "http2.headers.path"), "/a");
	/* bytes lost: the next block refers to the dynamic table */
	lose(0, 100);
	n = block(hb, sizeof(hb), req, 3);
	reset();
	frame(8, 0, 0, "\0\0\x10\0", 4); /* where frames begin again */
	frame(1, 0x05, 3, hb, n);
	feed(0);
	ck_assert_ptr_nonnull(tu_find(&tu_pkt, "http2.heuristic"));
	ck_assert_ptr_null(tu_find(&tu_pkt, "http2.hpack_context_lost"));
	/* x-custom comes from the table the loss made unknown: that one
	 * field is unknown (shown as tshark shows it), the others are right */
	ck_assert_str_eq(tu_value(&tu_pkt, "http2.headers.path"), "/a");
	ck_assert_uint_eq(tu_count(&tu_pkt, "http2.header.name"), 3);
	ck_assert_str_eq(tu_value(&tu_pkt, "http2.hpack_unknown"), "1");
	ck_assert_ptr_nonnull(tu_find(&tu_pkt, "http2.header.unknown_index"));
	const char *sum = info_of(&tu_pkt);
	ck_assert_msg(
	    strstr(sum, "(1 header unavailable: HPACK context lost)") &&
		strstr(sum, "[mid-connection: framing by heuristic]"),
	    "%s", sum);
	/* a block of literals only decodes again with the fresh table */
	static const uint8_t lit[] = {0x00, 1, 'k', 1, 'v'};
	reset();
	frame(1, 0x05, 5, lit, sizeof(lit));
	feed(0);
	ck_assert_str_eq(tu_value(&tu_pkt, "http2.header.name"), "k");
	nghttp2_hd_deflate_del(defl);
	conn_close();

	/* on a connection seen from its start, a bad block is malformed */
	conn_open();
	static const uint8_t badidx[] = {0xff, 0x7f}; /* index 254: none */
	reset();
	put(magic, 24);
	frame(1, 0x05, 1, badidx, 2);
	feed(0);
	ck_assert_int_eq(tu_pkt.status, NS_LAYER_MALFORMED);
	ck_assert_ptr_nonnull(strstr(tu_pkt.reason, "HPACK"));
	ck_assert_ptr_nonnull(tu_find(&tu_pkt, "http2.hpack_context_lost"));
	conn_close();
}
END_TEST

/* A connection whose first event is a loss (the engine reports a gap
 * before any bytes): the HPACK decoder is still made with the
 * connection's allocator (found by fuzz/fuzz_http2: a NULL call). */
START_TEST(loss_before_first_bytes)
{
	conn_open();
	lose(0, 100);
	nghttp2_hd_deflate_new(&defl, 4096);
	uint8_t hb[256];
	static const char *const req[] = {":method", "GET", ":path", "/b"};
	size_t n = block(hb, sizeof(hb), req, 2);
	reset();
	frame(8, 0, 0, "\0\0\x10\0", 4);
	frame(1, 0x05, 1, hb, n);
	feed(0);
	ck_assert_ptr_nonnull(tu_find(&tu_pkt, "http2.heuristic"));
	ck_assert_str_eq(tu_value(&tu_pkt, "http2.headers.path"), "/b");
	nghttp2_hd_deflate_del(defl);
	conn_close();
}
END_TEST

START_TEST(grpc_web_trailers_in_body)
{
	conn_open();
	nghttp2_hd_deflate_new(&defl, 4096);
	uint8_t hb[512];
	static const char *const req[] = {
	    ":method", "POST",	       ":path",
	    "/s.S/M",  "content-type", "application/grpc-web+proto"};
	size_t n = block(hb, sizeof(hb), req, 3);
	reset();
	put(magic, 24);
	frame(1, 0x05, 1, hb, n);
	feed(0);
	nghttp2_hd_deflate_del(defl);
	nghttp2_hd_deflate_new(&defl, 4096);
	static const char *const resp[] = {":status", "200", "content-type",
					   "application/grpc-web+proto"};
	n = block(hb, sizeof(hb), resp, 2);
	reset();
	frame(1, 0x04, 1, hb, n);
	/* a message, then the trailers as a body frame with flag 0x80 */
	uint8_t body[64] = {0, 0, 0, 0, 2, 0x08, 0x01, 0x80, 0, 0, 0, 0};
	static const char tr[] = "grpc-status: 7\r\ngrpc-message: no%20way\r\n";
	body[11] = (uint8_t)(sizeof(tr) - 1);
	memcpy(body + 12, tr, sizeof(tr) - 1);
	frame(0, 0x01, 1, body, 12 + sizeof(tr) - 1);
	feed(1);
	ck_assert_uint_eq(tu_uint(&tu_pkt, "grpc.status"), 7);
	ck_assert_str_eq(tu_value(&tu_pkt, "grpc.message"), "no way");
	ck_assert_uint_eq(tu_uint(&tu_pkt, "grpc.response_messages"), 1);
	nghttp2_hd_deflate_del(defl);
	conn_close();
}
END_TEST

START_TEST(frames_across_deliveries)
{
	conn_open();
	reset();
	put(magic, 24);
	frame(4, 0, 0, "\0\x04\0\0\xff\xff", 6);
	frame(6, 0, 0, "12345678", 8);
	size_t whole = blen;
	blen -= 5; /* the PING arrives in two pieces */
	ck_assert_uint_eq(feed(0), whole - 17);
	ck_assert_uint_eq(tu_count(&tu_pkt, "http2.type"), 1);
	memmove(buf, buf + whole - 17, 17);
	blen = 17;
	ck_assert_uint_eq(feed(0), 17);
	ck_assert_uint_eq(tu_uint(&tu_pkt, "http2.type"), 6);
	conn_close();
}
END_TEST

/* Mid-connection, the bytes before a frame boundary come first with only
 * part of the frame: nothing is taken yet, and when the rest comes the
 * search goes on from the offsets it had not ruled out and finds the
 * boundary after the junk. */
START_TEST(alignment_across_deliveries)
{
	conn_open();
	lose(0, 100);
	reset();
	put("junk-junk-junk!", 15);
	frame(8, 0, 1, "\0\0\x01\0", 4);
	frame(6, 0, 0, "12345678", 8);
	size_t whole = blen;
	blen = 20; /* the junk and 5 bytes of the WINDOW_UPDATE's header */
	ck_assert_uint_eq(feed(0), 0);
	ck_assert_uint_eq(tu_count(&tu_pkt, "http2.type"), 0);
	blen = whole;
	ck_assert_uint_eq(feed(0), whole);
	ck_assert_ptr_nonnull(tu_find(&tu_pkt, "http2.heuristic"));
	ck_assert_uint_eq(tu_count(&tu_pkt, "http2.type"), 2);
	ck_assert_uint_eq(tu_uint(&tu_pkt, "http2.type"), 8);
	conn_close();
}
END_TEST

/* ---- protobuf raw decoding -------------------------------------------- */

static struct ns_packet *pb(const uint8_t *p, size_t n)
{
	memcpy(buf, p, n);
	blen = n;
	ns_pkt_begin(&tu_pkt, 1, 0, 0, (uint32_t)n, (uint32_t)n, 1, buf);
	struct ns_reader r;
	ns_rd_init(&r, buf, n);
	ns_dissect_layer(&tu_pkt, &ns_diss_protobuf, &r, buf, (uint32_t)n,
			 NULL);
	return &tu_pkt;
}

START_TEST(protobuf_wire_types)
{
	static const uint8_t m[] = {
	    0x08, 0x96, 0x01,			      /* 1: varint 150 */
	    0x11, 1,	0,    0,    0,	  0, 0, 0, 0, /* 2: fixed64 1 */
	    0x1a, 3,	'a',  'b',  'c',	      /* 3: string */
	    0x22, 2,	0x08, 0x01,		      /* 4: message {1: 1} */
	    0x2d, 0,	0,    0x80, 0x3f,	      /* 5: fixed32 1.0f */
	    0x32, 3,	0x01, 0x96, 0x01,	      /* 6: packed varints? */
	    0x3a, 2,	0xff, 0x00,		      /* 7: bytes */
	    0x43, 0x48, 0x05, 0x44,		      /* 8: group {9: 5} */
	};
	struct ns_packet *pkt = pb(m, sizeof(m));
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_count(pkt, "protobuf.field.number"), 10);
	ck_assert_uint_eq(tu_uint(pkt, "protobuf.field.value.uint64"), 150);
	ck_assert_str_eq(tu_value(pkt, "protobuf.field.value.string"), "abc");
	ck_assert_uint_eq(tu_uint(pkt, "protobuf.field.value.uint32"),
			  0x3f800000);
	ck_assert(tu_find(pkt, "protobuf.field.value.float")->v.d == 1.0);
	ck_assert_uint_eq(tu_count(pkt, "protobuf.message"), 2); /* top, 4 */
	ck_assert_uint_eq(tu_count(pkt, "protobuf.field.value.repeated"), 2);
}
END_TEST

START_TEST(protobuf_malformed)
{
	static const uint8_t longvar[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	tu_assert_malformed(
	    pb(longvar, sizeof(longvar)),
	    "Protobuf: protobuf: field 1 cut short or of wire type 0");
	static const uint8_t cut[] = {0x08, 0x96};
	tu_assert_malformed(
	    pb(cut, sizeof(cut)),
	    "Protobuf: protobuf: field 1 cut short or of wire type 0");
	static const uint8_t badlen[] = {0x0a, 0x05, 'a'};
	tu_assert_malformed(
	    pb(badlen, sizeof(badlen)),
	    "Protobuf: protobuf: field 1 cut short or of wire type 2");
	static const uint8_t wt7[] = {0x0f, 0x00};
	tu_assert_malformed(
	    pb(wt7, sizeof(wt7)),
	    "Protobuf: protobuf: field 1 cut short or of wire type 7");
	static const uint8_t zero[] = {0x00, 0x01};
	tu_assert_malformed(pb(zero, sizeof(zero)),
			    "Protobuf: protobuf: bad field tag");
}
END_TEST

/* ---- the lost-context walker (src/proto/hpackrec.c) ---------------------
 */

struct got {
	unsigned n;
	char name[16][64], value[16][64];
	uint8_t nk[16], vk[16];
	uint32_t index[16];
};

static void got_field(void *u, const struct ns_hpack_field *f)
{
	struct got *g = u;
	if (g->n >= 16)
		return;
	unsigned i = g->n++;
	snprintf(g->name[i], 64, "%.*s", f->name_known ? (int)f->nl : 0,
		 f->name_known ? (const char *)f->name : "");
	snprintf(g->value[i], 64, "%.*s", f->value_known ? (int)f->vl : 0,
		 f->value_known ? (const char *)f->value : "");
	g->nk[i] = f->name_known;
	g->vk[i] = f->value_known;
	g->index[i] = f->index;
}

static struct ns_hpack_rec rec;
static struct ns_arena rec_arena;

static const char *walk(struct got *g, const void *p, size_t n, int final)
{
	return ns_hpack_rec_fragment(&rec, p, n, final, &rec_arena, got_field,
				     g);
}

static void rec_open(void)
{
	ns_arena_init(&rec_arena, 1 << 20);
	ck_assert_int_eq(ns_hpack_rec_init(&rec, NULL, NULL), 0);
}

static void rec_close(void)
{
	ns_hpack_rec_free(&rec);
	ns_arena_free(&rec_arena);
}

START_TEST(rec_literal_forms)
{
	rec_open();
	struct got g = {0};
	static const uint8_t blk[] = {
	    0x00, 1,	'k', 1,	  'v', /* without indexing, literal name */
	    0x14, 2,	'/', 'x',      /* never indexed, :path (4) */
	    0x40, 1,	'a', 1,	  '1', /* incremental, literal name */
	    0x7a, 2,	'u', 'a',      /* incremental, user-agent (58) */
	    0x82,		       /* static: :method GET */
	    0xbe, 0xbf,		       /* 62, 63: the two just added */
	    0xc0,		       /* 64: before the loss: unknown */
	    0x0f, 0x2f, 1,   'z',      /* without, dynamic name 62 */
	    0x0f, 0x31, 1,   'w',      /* without, name 64: unknown */
	};
	ck_assert_ptr_null(walk(&g, blk, sizeof(blk), 1));
	ck_assert_uint_eq(g.n, 10);
	ck_assert_str_eq(g.name[0], "k");
	ck_assert_str_eq(g.value[0], "v");
	ck_assert_str_eq(g.name[1], ":path");
	ck_assert_str_eq(g.value[1], "/x");
	ck_assert_str_eq(g.name[4], ":method");
	ck_assert_str_eq(g.value[4], "GET");
	/* newest first: user-agent is 62, a is 63 (indexes shift) */
	ck_assert_str_eq(g.name[5], "user-agent");
	ck_assert_str_eq(g.value[5], "ua");
	ck_assert_str_eq(g.name[6], "a");
	ck_assert_str_eq(g.value[6], "1");
	ck_assert(!g.nk[7] && !g.vk[7]);
	ck_assert_uint_eq(g.index[7], 64);
	ck_assert_str_eq(g.name[8], "user-agent");
	ck_assert_str_eq(g.value[8], "z");
	ck_assert(!g.nk[9] && g.vk[9]);
	ck_assert_str_eq(g.value[9], "w");
	/* a size update to 0 empties the table: 62 is unknown again */
	memset(&g, 0, sizeof(g));
	static const uint8_t upd[] = {0x20, 0xbe};
	ck_assert_ptr_null(walk(&g, upd, sizeof(upd), 1));
	ck_assert_uint_eq(g.n, 1);
	ck_assert(!g.nk[0] && !g.vk[0]);
	rec_close();
}
END_TEST

START_TEST(rec_huffman)
{
	rec_open();
	struct got g = {0};
	/* RFC 7541 C.4.1: :authority www.example.com, Huffman */
	static const uint8_t blk[] = {0x01, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5, 0xf2,
				      0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff};
	ck_assert_ptr_null(walk(&g, blk, sizeof(blk), 1));
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.name[0], ":authority");
	ck_assert_str_eq(g.value[0], "www.example.com");
	/* padding of zeros (must be EOS's ones, §5.2): refused, then the
	 * next block decodes again */
	static const uint8_t bad[] = {0x00, 0x01, 'x', 0x81, 0x00};
	ck_assert_ptr_nonnull(walk(&g, bad, sizeof(bad), 1));
	memset(&g, 0, sizeof(g));
	ck_assert_ptr_null(walk(&g, blk, sizeof(blk), 1));
	ck_assert_str_eq(g.value[0], "www.example.com");
	rec_close();
}
END_TEST

START_TEST(rec_fragments_and_malformed)
{
	rec_open();
	struct got g = {0};
	/* a field cut between fragments is carried to the next */
	static const uint8_t blk[] = {0x40, 1, 'a', 1, '1', 0x82};
	ck_assert_ptr_null(walk(&g, blk, 2, 0));
	ck_assert_uint_eq(g.n, 0);
	ck_assert_ptr_null(walk(&g, blk + 2, sizeof(blk) - 2, 1));
	ck_assert_uint_eq(g.n, 2);
	ck_assert_str_eq(g.value[0], "1");
	/* the block's end inside a field */
	static const uint8_t cut[] = {0x00, 0x05, 'a'};
	ck_assert_ptr_nonnull(walk(&g, cut, sizeof(cut), 1));
	/* an integer of 5 continuation bytes, index 0, a length over what
	 * can be carried: malformed, never read past the block */
	static const uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	ck_assert_ptr_nonnull(walk(&g, big, sizeof(big), 0));
	static const uint8_t zero[] = {0x80};
	ck_assert_ptr_nonnull(walk(&g, zero, sizeof(zero), 1));
	static const uint8_t len[] = {0x00, 0x7f, 0xff, 0xff, 0x03};
	ck_assert_ptr_nonnull(walk(&g, len, sizeof(len), 0));
	/* any bytes end (each step takes a byte or stops) */
	uint8_t junk[64];
	unsigned x = 12345;
	for (int k = 0; k < 2000; k++) {
		for (size_t i = 0; i < sizeof(junk); i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (uint8_t)(x >> 16);
		}
		memset(&g, 0, sizeof(g));
		walk(&g, junk, (size_t)(k % 64), k & 1);
		ns_arena_reset(&rec_arena);
	}
	rec_close();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("http2");
	TCase *tc = tu_tcase("frames");
	tcase_add_test(tc, every_frame_type);
	tcase_add_test(tc, malformed_frames);
	tcase_add_test(tc, next_frame_after_bad_one);
	suite_add_tcase(s, tc);
	tc = tu_tcase("stream");
	tcase_add_test(tc, probe);
	tcase_add_test(tc, hpack_and_continuation);
	tcase_add_test(tc, streams_past_the_cap);
	tcase_add_test(tc, stream_index_after_evictions);
	tcase_add_test(tc, upgrade_then_budget_balances);
	tcase_add_test(tc, hpack_error_and_lost_context);
	tcase_add_test(tc, loss_before_first_bytes);
	tcase_add_test(tc, frames_across_deliveries);
	tcase_add_test(tc, alignment_across_deliveries);
	tcase_add_test(tc, grpc_web_trailers_in_body);
	suite_add_tcase(s, tc);
	tc = tu_tcase("hpackrec");
	tcase_add_test(tc, rec_literal_forms);
	tcase_add_test(tc, rec_huffman);
	tcase_add_test(tc, rec_fragments_and_malformed);
	suite_add_tcase(s, tc);
	tc = tu_tcase("protobuf");
	tcase_add_test(tc, protobuf_wire_types);
	tcase_add_test(tc, protobuf_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
