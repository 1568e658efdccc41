/*
 * h3 — HTTP/3 (RFC 9114) over the streams of one QUIC connection, with
 * QPACK (RFC 9204) decoded by libnghttp3.
 *
 * The QUIC dissector (dissectors/app/quic.c) reassembles each STREAM in
 * order and hands its bytes here; this module (dissectors/app/http3.c)
 * parses the HTTP/3 frames, feeds the QPACK encoder streams to one decoder
 * per direction, records an `http3` layer (Wireshark's http3.* names) on
 * the packet whose bytes completed something, turns each request stream
 * into a struct ns_call (core/txn.h, version 3) with the HTTP events, and
 * gives bodies to the body formats (core/body.h) as HTTP/2 does.
 *
 * Ownership: the caller (quic.c's per-flow state) owns the struct ns_h3
 * and frees it with ns_h3_free() when the connection's flow is freed; all
 * memory comes from the engine's budget (pkt->eng->mem), bounded per
 * stream and per connection (see the top of http3.c).  Directions: 0 is
 * the client's, 1 the server's.
 */
#ifndef NS_PROTO_H3_H
#define NS_PROTO_H3_H

#include <stddef.h>
#include <stdint.h>

struct ns_packet;
struct ns_flow;
struct ns_h3; /* one QUIC connection's HTTP/3 state (both directions) */

/* A connection's state, memory from the engine's budget (pkt->eng->mem),
 * events to pkt->eng->bus; NULL when refused by the budget.  pkt is the
 * first packet: it gives the engine and the flow (pkt->flow), which must
 * outlive the state. */
struct ns_h3 *ns_h3_new(struct ns_packet *pkt);

/* Stream bytes at the stream's next offset, in order, for stream id `id`
 * sent by `dir` (0 client, 1 server); fin: the stream's last byte is in
 * p.  Records an "http3" layer in pkt for the frames it parsed, and
 * publishes the HTTP events.  h NULL: nothing. */
void ns_h3_stream(struct ns_h3 *h, struct ns_packet *pkt, uint64_t id, int dir,
		  const uint8_t *p, size_t n, int fin);

/* Bytes of stream id lost (reassembly cap, or a gap that never filled):
 * the stream's decoding stops that way, its call is marked incomplete;
 * on a QPACK encoder stream the direction's QPACK context is lost. */
void ns_h3_stream_lost(struct ns_h3 *h, struct ns_packet *pkt, uint64_t id,
		       int dir);

/* RESET_STREAM for id from dir, with its application error code. */
void ns_h3_stream_reset(struct ns_h3 *h, struct ns_packet *pkt, uint64_t id,
			int dir, uint64_t error);

/* The connection's flow is now flow: the one it was made with (or last
 * given) is about to be freed while the connection goes on over another
 * path (QUIC migration).  Calls made so far keep their connection ids. */
void ns_h3_rebind(struct ns_h3 *h, struct ns_flow *flow);

/* The connection ended (flow freed; no packet): unfinished calls end
 * (HTTP_END), everything is freed.  h NULL: nothing. */
void ns_h3_free(struct ns_h3 *h);

#endif
