/*
 * grpcmsg — what a gRPC call's transport hands to the gRPC layer, shared by
 * HTTP/2 (dissectors/app/http2.c) and gRPC-Web over HTTP/1.1
 * (dissectors/app/http.c): the length-prefixed message framing (a flag byte
 * and a 4-byte big-endian length before each message, PROTOCOL-HTTP2.md of
 * grpc/grpc) fed in pieces of any size, the base64 of
 * application/grpc-web-text decoded in pieces (PROTOCOL-WEB.md; padding
 * may come in the middle of a body), the gRPC-Web trailers frame (flag
 * 0x80, "name: value\r\n" lines), the grpc-* headers, the call's counts
 * and timings, and the events (a message, the end of a side) that become
 * the `grpc` layer of the packet that completed them.
 *
 * Memory: a message keeps at most its first NS_GRPC_MAX_KEEP bytes (the
 * rest is counted, and the layer says so); a transport's events are at
 * most NS_GRPC_MAX_EVENTS per layer (more are counted in `lost` and
 * dropped).  Whoever owns a struct ns_grpc_call frees it with
 * ns_grpc_call_free().
 *
 * The gRPC layer itself (fields, dissect, summary) is dissectors/app/grpc.c;
 * its entry points for the transports are declared here too.
 */
#ifndef NS_GRPCMSG_H
#define NS_GRPCMSG_H

#include <stddef.h>
#include <stdint.h>

#define NS_GRPC_MAX_KEEP   (1024 * 1024) /* bytes kept of one message */
#define NS_GRPC_MAX_EVENTS 64		 /* events in one grpc layer */

struct ns_buf;
struct ns_engine;
struct ns_packet;
struct ns_stream_ctx;

/* One direction's message in progress. */
struct ns_grpc_dec {
	uint8_t hdr[5];
	uint8_t hlen;	 /* header bytes seen (5: in the payload) */
	uint8_t b64bits; /* -text: bits held in b64acc */
	uint32_t b64acc;
	uint32_t len, got;
	uint8_t *buf; /* the first NS_GRPC_MAX_KEEP bytes, malloc'd */
};

/* What a call knows; dir 0 is the request (client) side. */
struct ns_grpc_call {
	uint8_t grpc;	  /* content-type application/grpc* */
	uint8_t web;	  /* application/grpc-web*: 0x80 frames are trailers */
	uint8_t web_text; /* application/grpc-web-text*: base64 bodies */
	uint8_t json;	  /* +json: not protobuf */
	uint8_t gzip[2];  /* grpc-encoding: gzip each way */
	int grpc_status;  /* -1 when none */
	int64_t t_req, t_first_msg, t_last_msg, gap_max, gap_sum;
	int64_t timeout; /* grpc-timeout in ns, -1 */
	uint32_t msgs[2];
	uint64_t msg_bytes[2];
	char path[200], grpc_msg[160];
	char end_error[64]; /* how the transport ended the call, or "" */
	struct ns_grpc_dec dec[2];
};

enum ns_grpc_ev_kind {
	NS_GRPC_EV_MSG,
	NS_GRPC_EV_REQ_END,
	NS_GRPC_EV_RESP_END
};

struct ns_grpc_ev {
	uint8_t kind, dir, flags;
	uint32_t stream;    /* HTTP/2 stream id; 0 over HTTP/1.1 */
	uint32_t len;	    /* message length */
	uint32_t off, kept; /* where its bytes are in the grpc layer */
	uint8_t *bytes;	    /* owned until the layer is recorded */
};

/* The events of one delivery, and how the layer finds each one's call
 * (by stream id) when it is recorded. */
struct ns_grpc_events {
	struct ns_grpc_ev ev[NS_GRPC_MAX_EVENTS];
	unsigned nev;
	uint32_t lost;
	const struct ns_grpc_call *(*call)(void *owner, uint32_t stream);
	void *owner;
	const struct ns_engine *eng;
};

/* A fresh call (no status, no times). */
void ns_grpc_call_init(struct ns_grpc_call *c);
/* Frees the messages in progress; c may be reused after ns_grpc_call_init. */
void ns_grpc_call_free(struct ns_grpc_call *c);
/* Bytes were lost in direction dir: the message in progress is dropped. */
void ns_grpc_dec_reset(struct ns_grpc_dec *d);

/* One header (or trailer) of the call: content-type, grpc-encoding,
 * grpc-status, grpc-message (percent-decoded), grpc-timeout. */
void ns_grpc_header(struct ns_grpc_call *c, int dir, const uint8_t *n,
		    size_t nl, const uint8_t *v, size_t vl);

/* Body bytes of direction dir at capture time ts: base64 for -text, then
 * the framing; each message completed becomes an event. */
void ns_grpc_body(struct ns_grpc_call *c, struct ns_grpc_events *evs,
		  uint32_t stream, int dir, int64_t ts, const uint8_t *p,
		  size_t n);

/* The end of one side of the call (NS_GRPC_EV_REQ_END / _RESP_END). */
void ns_grpc_event(struct ns_grpc_events *evs, int kind, int dir,
		   uint32_t stream);

/* Lower-level pieces, for the above and the unit tests. */
/* Decodes base64 (or base64url) of a -text body, state in d; out holds at
 * least n * 3 / 4 + 3 bytes.  Returns the bytes written. */
size_t ns_grpc_b64(struct ns_grpc_dec *d, const uint8_t *p, size_t n,
		   uint8_t *out);
/* Percent-decodes grpc-message into dst (NUL-terminated); returns its
 * length. */
size_t ns_grpc_pct_decode(char *dst, size_t cap, const uint8_t *v, size_t n);

/* The gRPC status an HTTP/2 RST_STREAM error code means to the client
 * (gRPC's PROTOCOL-HTTP2.md, "Errors"), or -1 when it names none. */
int ns_grpc_rst_status(uint32_t err);
/* The name of a gRPC status code, or NULL. */
const char *ns_grpc_status_name(int status);
/* For --calls, from the request's start (c->t_req): " LAT ms [ttfb X ms]"
 * (" - ms" without both ends); " [first X ms] req N msg B resp N msg B
 * [gaps mean X ms max Y ms]"; and ` "grpc-message"` when there is one. */
void ns_grpc_report_times(struct ns_buf *b, const struct ns_grpc_call *c,
			  int64_t t_end, int64_t t_first_resp);
void ns_grpc_report_msgs(struct ns_buf *b, const struct ns_grpc_call *c);
void ns_grpc_report_message(struct ns_buf *b, const struct ns_grpc_call *c);
/* " 1.23 ms" */
void ns_grpc_ms(struct ns_buf *out, int64_t ns);

/* dissectors/app/grpc.c: the grpc layer of evs (if any) on ctx's packet;
 * frees the events' bytes and empties evs. */
void ns_grpc_layer(struct ns_stream_ctx *ctx, struct ns_grpc_events *evs);
void ns_grpc_events_free(struct ns_grpc_events *evs);

#endif
