/*
 * toy — a dissector and a body format that exist only to show what adding
 * one takes: this file, and one line in Makefile.am (TOY_SOURCES), which
 * builds tests/netscope-toy with them registered.  No other file names
 * them.  tests/toy.sh checks that they decode what tshark sees.
 *
 * `toy` takes UDP port 20100 (the datagrams of tests/pcaps/udp-flows.pcap,
 * "flow 40100->20100 message 1"): its first word and its length.
 * `toybody` takes HTTP bodies of type text/plain from any transport
 * (HTTP/1.1 here, HTTP/2 alike): its lines and bytes, as a layer after the
 * transport's on the packet that ends the body.
 */
#include <stdlib.h>
#include <string.h>

#include "core/body.h"
#include "core/dissect.h"
#include "core/txn.h"
#include "flow/stream.h"

enum { T_WORD, T_LEN, T_COUNT };

static struct ns_field toy_fields[] = {
    [T_WORD] = NS_F_STR("toy.word", "First word"),
    [T_LEN] = NS_F_UINT("toy.len", "Length", 32),
};

static int toy_dissect(struct ns_packet *pkt, struct ns_reader *r,
		       const struct ns_dctx *cx)
{
	(void)cx;
	ns_add_uint(pkt, &toy_fields[T_LEN], ns_rd_off(r),
		    (uint32_t)ns_rd_left(r), ns_rd_left(r));
	uint32_t off = ns_rd_off(r);
	size_t n;
	const uint8_t *w = ns_rd_token(r, ' ', &n);
	ns_add_bytes(pkt, &toy_fields[T_WORD], off, (uint32_t)n, w,
		     (uint32_t)n);
	ns_rd_skip(r, ns_rd_left(r));
	return 0;
}

static const struct ns_binding toy_bindings[] = {
    {NS_TAB_UDP_PORT, 20100},
    {0, 0},
};

struct ns_dissector ns_diss_toy = {
    .name = "toy",
    .column = "TOY",
    .title = "Toy protocol",
    .fields = toy_fields,
    .nfields = T_COUNT,
    .dissect = toy_dissect,
    .bindings = toy_bindings,
};

/* ---- the body format ---------------------------------------------------- */

enum { B_BYTES, B_LINES, B_COUNT };

static struct ns_field body_fields[] = {
    [B_BYTES] = NS_F_UINT("toybody.bytes", "Body bytes", 64),
    [B_LINES] = NS_F_UINT("toybody.lines", "Lines", 64),
};

struct counts {
	uint64_t bytes, lines;
};

/* per connection: the bodies that ended in this delivery */
struct pending {
	struct counts done[8];
	unsigned n;
};

/* The layer: what the lender (the flush) says. */
static int body_dissect(struct ns_packet *pkt, struct ns_reader *r,
			const struct ns_dctx *cx)
{
	const struct counts *c = cx->state;
	if (c) {
		ns_add_uint(pkt, &body_fields[B_BYTES], 0, 0, c->bytes);
		ns_add_uint(pkt, &body_fields[B_LINES], 0, 0, c->lines);
	}
	ns_rd_skip(r, ns_rd_left(r));
	return 0;
}

struct ns_dissector ns_diss_toybody = {
    .name = "toybody",
    .column = NULL,
    .title = "Toy body",
    .fields = body_fields,
    .nfields = B_COUNT,
    .dissect = body_dissect,
};

static void data(struct ns_body_ctx *b, const uint8_t *p, size_t n)
{
	struct counts *c = b->state;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	c->bytes += n;
	size_t len;
	while (ns_rd_line(&r, &len))
		c->lines++;
}

static void end(struct ns_body_ctx *b)
{
	struct pending *pd = b->pending;
	if (b->side == 1 && pd->n < 8)
		pd->done[pd->n++] = *(struct counts *)b->state;
}

static void flush(void *pending, struct ns_body_conn *conn,
		  struct ns_stream_ctx *ctx)
{
	(void)conn;
	struct pending *pd = pending;
	for (unsigned i = 0; i < pd->n && ctx->pkt; i++) {
		int li =
		    ns_stream_message(ctx, &ns_diss_toybody,
				      (const uint8_t *)"", 0, &pd->done[i]);
		if (li >= 0)
			ns_stream_message_end(ctx, li);
	}
	pd->n = 0;
}

static const char *const types[] = {"text/plain", NULL};

const struct ns_body_format ns_body_toy = {
    .name = "toy",
    .content_types = types,
    .state_size = sizeof(struct counts),
    .pending_size = sizeof(struct pending),
    .data = data,
    .end = end,
    .flush = flush,
};
