/*
 * grpcmsg — the gRPC wire format, for the gRPC body format
 * (dissectors/app/grpc.c) whatever transport carries it (HTTP/2, gRPC-Web
 * over HTTP/1.1): the length-prefixed message framing (a flag byte
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
 * dropped).  Whoever owns a struct ns_grpc_dec frees its buffer with
 * ns_grpc_dec_reset().
 */
#ifndef NS_GRPCMSG_H
#define NS_GRPCMSG_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"

#define NS_GRPC_MAX_KEEP   (1024 * 1024) /* bytes kept of one message */
#define NS_GRPC_MAX_EVENTS 64		 /* events in one grpc layer */

struct ns_call;
struct ns_mem;

/* One direction's message in progress. */
struct ns_grpc_dec {
	uint8_t hdr[5];
	uint8_t hlen;	 /* header bytes seen (5: in the payload) */
	uint8_t b64bits; /* -text: bits held in b64acc */
	uint32_t b64acc;
	uint32_t len, got;
	uint8_t *buf;	    /* the first NS_GRPC_MAX_KEEP bytes */
	struct ns_mem *mem; /* what buf was taken from */
};

enum ns_grpc_ev_kind {
	NS_GRPC_EV_MSG,
	NS_GRPC_EV_REQ_END,
	NS_GRPC_EV_RESP_END
};

struct ns_grpc_ev {
	uint8_t kind, dir, flags;
	uint8_t version;    /* the call's HTTP version: 1 gRPC-Web over 1.1 */
	uint32_t call;	    /* the call's id (HTTP/2 stream id) */
	uint32_t len;	    /* message length */
	uint32_t off, kept; /* where its bytes are in the grpc layer */
	uint8_t *bytes;	    /* owned until the layer is recorded */
};

/* The events of one delivery of a connection. */
struct ns_grpc_events {
	struct ns_grpc_ev ev[NS_GRPC_MAX_EVENTS];
	unsigned nev;
	uint32_t lost;
	/* the budget messages in progress are kept in (mem.h), or NULL */
	struct ns_mem *mem;
};

/* Bytes were lost in direction dir: the message in progress is dropped. */
void ns_grpc_dec_reset(struct ns_grpc_dec *d);

/* One header (or trailer) of call c, side dir: content-type,
 * grpc-encoding, grpc-status, grpc-message (percent-decoded),
 * grpc-timeout. */
void ns_grpc_header(struct ns_call *c, int dir, const uint8_t *n, size_t nl,
		    const uint8_t *v, size_t vl);

/* Body bytes of side dir of call c at capture time ts (dec: that side's
 * message in progress): base64 for -text, then the framing; each message
 * completed becomes an event, and counts in c. */
void ns_grpc_body(struct ns_call *c, struct ns_grpc_dec *dec,
		  struct ns_grpc_events *evs, int dir, int64_t ts,
		  const uint8_t *p, size_t n);

/* Whether p[0..n), a side's first body bytes as one transport frame
 * carried them, are gRPC messages: each a flag byte 0 or 1 and a length
 * that ends at or before n, the last ending exactly at n; or one message
 * longer than a frame of at least 1 KiB (and under 4 MiB, gRPC's default
 * limit), continued in the next frames. */
int ns_grpc_looks_framed(const uint8_t *p, size_t n);

/* An event of call c that is not a message (a side's end). */
void ns_grpc_event(struct ns_grpc_events *evs, int kind, int dir,
		   const struct ns_call *c);
void ns_grpc_events_free(struct ns_grpc_events *evs);

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
/* A call's status: its grpc-status, else what its reset means to the
 * client (a CANCEL from the client once 90% of its grpc-timeout has
 * passed is DEADLINE_EXCEEDED), else -1. */
int ns_grpc_call_status(const struct ns_call *c);
/*
 * What a call's lost headers (call->hpack_lost: an HPACK context lost, or
 * headers before the capture) left known and unknown, for --calls and the
 * grpc layer: "status from trailers; gRPC by its framing; method, :status
 * unknown: HPACK context lost" into dst (NUL-terminated, "" when nothing
 * was lost); returns its length.
 */
size_t ns_grpc_lost_text(const struct ns_call *c, char *dst, size_t cap);

/* The names of the gRPC status codes (also the grpc.status field's), and
 * one's name, or NULL. */
extern const struct ns_valstr ns_grpc_status_names[];
const char *ns_grpc_status_name(int status);

#endif
