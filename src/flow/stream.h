/*
 * stream — application protocols over TCP: binding a dissector to a
 * connection and feeding it the reassembled bytes of each direction.
 *
 * An application dissector is an ordinary struct ns_dissector (fields,
 * info, dissect for one message) with `stream` operations.  It is bound to
 * a connection by the server port (NS_TAB_TCP_PORT, lower port first) or,
 * failing that, by a heuristic on the first bytes of either direction.  It
 * then receives contiguous bytes per direction (ns_stream_ops.consume),
 * consumes whole messages and leaves the rest for later; each message it
 * recognises becomes a layer on the packet that completed it, through
 * ns_stream_message().  A gap in the capture is announced (gap) so it can
 * resynchronise or give up; the end of a direction (FIN) too.
 *
 * Work is split in two so that message layers come after the TCP layer:
 * ns_stream_segment() (called by the TCP dissector, inside its layer) puts
 * the payload in order; ns_stream_deliver() (called by the layer loop once
 * the TCP layer is closed) runs the application dissector.
 */
#ifndef NS_STREAM_H
#define NS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/dissect.h"
#include "flow/flow.h"
#include "core/packet.h"
#include "flow/reasm.h"

struct ns_engine;
struct ns_bus;
struct ns_mem;

/*
 * What streams need of the run (the engine holds one): reassembly limits,
 * whether application dissectors are bound, the event bus (stream bytes
 * for -z follow, and what the dissectors publish), and the engine handed
 * to the dissectors in their context.
 */
struct ns_streams {
	struct ns_reasm_limits reasm;
	int dissection; /* bind application dissectors to streams */
	const struct ns_bus *bus;
	struct ns_engine *eng;
	/* the budget the dissectors' per-connection state is taken from */
	struct ns_mem *mem;
};
struct ns_dissector;
struct ns_buf;

struct ns_stream {
	const struct ns_dissector *app; /* bound dissector, or NULL */
	void *state;
	struct ns_reasm_dir rd[2];
	uint8_t decided; /* app binding settled (bound, or none found) */
	uint8_t stopped; /* the app gave up on this connection */
	uint8_t fin_told[2];
	uint8_t follow; /* a subscriber wants these bytes (-z follow) */
	uint32_t gaps[2];
	/* set by ns_stream_reprobe: after the current consume() returns,
	 * no dissector, and the heuristics look at what follows */
	uint8_t reprobe;
	/* set by ns_stream_switch: the dissector taking over after the
	 * current consume() returns */
	const struct ns_dissector *switch_to;
	char *switch_hint; /* malloc'd, or NULL */
};

/* Pending work for the packet being dissected (set by the TCP dissector). */
struct ns_stream_work {
	struct ns_flow *flow;
	int dir;
};

/* Called by the TCP dissector with the segment of pkt on flow f. */
void ns_stream_segment(struct ns_streams *e, struct ns_packet *pkt,
		       struct ns_flow *f, int dir, uint32_t seq, uint32_t ack,
		       uint16_t flags, const uint8_t *payload, uint32_t len,
		       uint16_t server_port, uint16_t client_port);

/* Run by the layer loop after the transport layer (ns_stream_segment
 * sets it as the packet's pkt->deliver): runs the bound application
 * dissector on what became contiguous.  Returns 1 when the payload was
 * taken by a stream consumer (no `data` layer then). */
int ns_stream_deliver(struct ns_packet *pkt);

/* End of the run for a flow: flushes holes and tells the dissector. */
void ns_stream_finish(struct ns_streams *e, struct ns_flow *f);
void ns_stream_free(struct ns_streams *e, struct ns_stream *st);

/*
 * For application dissectors: records one message of len bytes as a layer
 * of dissector d on ctx->pkt.  The bytes are copied into the packet arena;
 * d->dissect parses them through a reader whose offsets are relative to
 * the message, with `state` lent to it for the call (ns_dctx.state: the
 * caller's per-connection state, or what it wants the layer to see).
 * Returns the layer index, or -1 when it could not be recorded.
 */
int ns_stream_message(struct ns_stream_ctx *ctx, const struct ns_dissector *d,
		      const uint8_t *msg, size_t len, void *state);
/* The same for a message the caller built in ctx->pkt's arena (it lives
 * as long as the packet): recorded by reference, not copied again. */
int ns_stream_message_arena(struct ns_stream_ctx *ctx,
			    const struct ns_dissector *d, const uint8_t *msg,
			    size_t len, void *state);

/* Fields added right after ns_stream_message() belong to its layer; this
 * closes them in (what only the connection knows: times, counts). */
void ns_stream_message_end(struct ns_stream_ctx *ctx, int li);

/* For an application dissector inside consume(): from the bytes after
 * what this consume() returns, the connection belongs to d (HTTP/1.1
 * `Upgrade: h2c` → HTTP/2). */
/* A tunnel opens (HTTP CONNECT's 2xx): after the current consume()
 * returns, the bound dissector ends and the stream heuristics decide what
 * the following bytes are, each way from their start. */
void ns_stream_reprobe(struct ns_stream_ctx *ctx);
void ns_stream_switch(struct ns_stream_ctx *ctx, const struct ns_dissector *d,
		      const char *hint);

/* For an application dissector inside consume() whose protocol the bytes
 * p[0..n) are not: the first other stream dissector whose heuristic claims
 * them, or NULL (*more set when a heuristic needs more bytes to tell). */
const struct ns_dissector *
ns_stream_probe_other(const struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n, int *more);

/* Capture time of the segment that carried byte `off` of what consume()
 * was given (e.g. a request's first byte). */
int64_t ns_stream_time_at(const struct ns_stream_ctx *ctx, size_t off);

#endif
