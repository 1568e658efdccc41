/*
 * ssemsg — the text/event-stream format (Server-Sent Events, the WHATWG
 * HTML standard, "Server-sent events", §9.2.6 "Interpreting an event
 * stream"), for the SSE body format (dissectors/app/sse.c) whatever
 * transport carries it: HTTP/1.1 chunked or delimited by the connection's
 * end, HTTP/2, either decrypted from TLS.
 *
 * The parser is fed the response body in pieces of any size.  Lines end in
 * CRLF, LF or CR (a CR at the end of a piece may be followed by the LF of
 * the next piece: that LF ends nothing); one leading UTF-8 BOM is skipped.
 * A line "field: value" (one space after the colon removed) sets the event
 * type (event), appends to the data buffer (data, lines joined with LF),
 * sets the last event ID (id, unless the value holds a NUL; it outlives
 * the event, as the standard's last event ID buffer does) or the
 * reconnection time (retry, only when all ASCII digits); a line starting
 * with a colon is a comment; other fields are ignored.  A blank line
 * dispatches the event, unless its data buffer is empty.  What is pending
 * when the body ends is dropped, as the standard says.
 *
 * Each dispatched event, comment and retry line becomes an item of the
 * delivery's collector (struct ns_sse_events), and the call's counts and
 * times (struct ns_call's sse block) are updated; an event whose data is
 * exactly "[DONE]" is OpenAI's end of stream (call->sse.done).
 *
 * Memory: one event in progress keeps at most NS_SSE_MAX_EVENT bytes (its
 * data and the line being read together); past that it is marked
 * truncated, the rest is counted, and call->sse.truncated counts such
 * events.  The buffers come from the budget the collector names (mem.h).
 * A collector holds at most NS_SSE_MAX_ITEMS items per delivery (more are
 * counted in `lost`).  Whoever owns a struct ns_sse_dec frees its buffers
 * with ns_sse_dec_reset(); ns_sse_events_free() empties a collector.
 */
#ifndef NS_SSEMSG_H
#define NS_SSEMSG_H

#include <stddef.h>
#include <stdint.h>

#define NS_SSE_MAX_EVENT (64 * 1024) /* bytes kept of an event in progress */
#define NS_SSE_MAX_ITEMS 64	     /* items in one sse layer */
#define NS_SSE_MAX_TYPE	 64	     /* bytes kept of an event type */
#define NS_SSE_MAX_ID	 128	     /* bytes kept of an event id */
#define NS_SSE_MAX_NOTE	 256	     /* bytes kept of a comment */

struct ns_call;
struct ns_mem;

/* The response body's parser state. */
struct ns_sse_dec {
	uint8_t *line; /* the line in progress (its first bytes) */
	uint32_t line_len;
	uint64_t line_total; /* its length, cut bytes included */
	uint8_t *data;	     /* the event's data buffer, LF after each line */
	uint32_t data_len;
	uint64_t data_total;
	uint32_t line_cap, data_cap; /* bytes allocated */
	uint8_t truncated;	     /* the event in progress lost bytes */
	uint8_t skip_lf;	     /* the last piece ended in CR */
	uint8_t bom;	  /* bytes of a leading BOM seen; 3 past it */
	uint8_t resync;	  /* bytes were lost: skip to a blank line */
	uint8_t type_len; /* event type buffer */
	uint8_t id_len;	  /* last event ID buffer */
	char type[NS_SSE_MAX_TYPE];
	char id[NS_SSE_MAX_ID];
	struct ns_mem *mem; /* what line and data were taken from */
};

enum ns_sse_item_kind { NS_SSE_EVENT, NS_SSE_COMMENT, NS_SSE_RETRY };

/* What one delivery completed: an event, a comment, a retry line. */
struct ns_sse_item {
	uint8_t kind;
	uint8_t truncated; /* an event cut at NS_SSE_MAX_EVENT */
	uint8_t done;	   /* data "[DONE]" */
	uint8_t type_len, id_len;
	uint32_t len;	 /* data (event) or text (comment) bytes kept */
	uint64_t total;	 /* their length before any cut */
	uint64_t retry;	 /* NS_SSE_RETRY: milliseconds */
	uint8_t *bytes;	 /* type, id, then data; owned until recorded */
	uint32_t off;	 /* where bytes are in the sse layer */
	uint32_t number; /* the event's number in its stream, from 1 */
	uint32_t stream; /* its call's id: HTTP/2 stream, HTTP/1.1 number */
};

/* The items of one delivery of a connection. */
struct ns_sse_events {
	struct ns_sse_item it[NS_SSE_MAX_ITEMS];
	unsigned n;
	uint32_t lost;
	/* the budget items and events in progress are kept in, or NULL */
	struct ns_mem *mem;
};

/* Called after each event is dispatched (the call's counts include it). */
typedef void (*ns_sse_event_fn)(void *arg);

/* Response body bytes of call c at capture time ts; each event dispatched
 * becomes an item of evs, counts in c and calls fn(arg) (fn may be NULL). */
void ns_sse_body(struct ns_call *c, struct ns_sse_dec *d,
		 struct ns_sse_events *evs, int64_t ts, const uint8_t *p,
		 size_t n, ns_sse_event_fn fn, void *arg);

/* The body ended: what is pending is dropped, buffers freed. */
void ns_sse_dec_reset(struct ns_sse_dec *d);
/* Bytes were lost: the event in progress is dropped, and lines are skipped
 * until a blank line (the next event's start). */
void ns_sse_dec_lost(struct ns_sse_dec *d);

void ns_sse_events_free(struct ns_sse_events *evs);

/* Whether a content type is text/event-stream (parameters allowed). */
int ns_sse_content_type(const uint8_t *v, size_t n);

#endif
