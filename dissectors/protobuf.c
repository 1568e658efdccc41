/*
 * Protocol Buffers wire format, decoded without a schema (as `protoc
 * --decode_raw` does): field numbers, wire types, varints, fixed 32/64-bit
 * values, and length-delimited values shown as a nested message, a string
 * or bytes by a heuristic, with packed repeated fixed32/varint values
 * listed.  Groups (wire types 3 and 4) are shown as nesting.
 *
 * Not bound to any table: the gRPC decoder (http2.c) calls
 * ns_protobuf_raw() on each message, whose fields go into its layer.
 * The heuristic for length-delimited values: a nested message when the
 * whole value parses as fields (number ≥ 1, known wire types, lengths
 * inside the value); else a string when it is printable UTF-8; else packed
 * fixed32 when the length is a multiple of 4, packed varints when every
 * byte sequence is a varint; else bytes.  Nesting stops at depth 16.
 * Typed decoding from a FileDescriptorSet is not done yet.
 */
#include <string.h>

#include "dissect.h"

enum {
	F_FIELD,
	F_NUMBER,
	F_WIRETYPE,
	F_LENGTH,
	F_UINT64,
	F_SINT64,
	F_UINT32,
	F_DOUBLE,
	F_FLOAT,
	F_STRING,
	F_BYTES,
	F_MESSAGE,
	F_REPEATED,
	F_COUNT
};

static const struct ns_valstr wiretypes[] = {
	{0, "varint"}, {1, "64-bit"},	   {2, "length-delimited"},
	{3, "start group"}, {4, "end group"}, {5, "32-bit"},
	{0, NULL},
};

static struct ns_field fields[] = {
	[F_FIELD] = NS_F_NONE("protobuf.field", "Field"),
	[F_NUMBER] = NS_F_UINT("protobuf.field.number", "Field Number", 64),
	[F_WIRETYPE] = NS_F_VALS("protobuf.field.wiretype", "Wire Type", 8, NS_BASE_DEC, wiretypes),
	[F_LENGTH] = NS_F_UINT("protobuf.field.value.length", "Value Length", 64),
	[F_UINT64] = NS_F_UINT("protobuf.field.value.uint64", "Uint64", 64),
	[F_SINT64] = NS_F(("protobuf.field.value.sint64"), "Sint64 (zigzag)", NS_FT_INT, 64, NS_BASE_DEC, NULL),
	[F_UINT32] = NS_F_UINT("protobuf.field.value.uint32", "Uint32", 32),
	[F_DOUBLE] = NS_F_DOUBLE("protobuf.field.value.double", "Double"),
	[F_FLOAT] = NS_F_DOUBLE("protobuf.field.value.float", "Float"),
	[F_STRING] = NS_F_STR("protobuf.field.value.string", "String"),
	[F_BYTES] = NS_F_BYTES("protobuf.field.value", "Value"),
	[F_MESSAGE] = NS_F_NONE("protobuf.message", "Message"),
	[F_REPEATED] = NS_F_UINT("protobuf.field.value.repeated", "Packed repeated values", 32),
};

#define MAX_DEPTH 16
#define MAX_PACKED 64

/* A varint (at most 10 bytes); sets r->err when cut or too long. */
static uint64_t varint(struct ns_reader *r)
{
	uint64_t v = 0;
	for (int i = 0; i < 10; i++) {
		uint8_t b = ns_rd_u8(r);
		if (r->err)
			return 0;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return v;
	}
	r->err = NS_EMALFORMED;
	return 0;
}

/* Whether p[0..n) parses as a sequence of fields (lengths not entered). */
static int is_message(const uint8_t *p, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	int groups = 0;
	while (ns_rd_left(&r)) {
		uint64_t tag = varint(&r);
		if (r.err || tag >> 3 == 0 || tag >> 3 > 536870911)
			return 0;
		switch (tag & 7) {
		case 0:
			varint(&r);
			break;
		case 1:
			ns_rd_skip(&r, 8);
			break;
		case 2: {
			uint64_t len = varint(&r);
			if (r.err || len > ns_rd_left(&r))
				return 0;
			ns_rd_skip(&r, (size_t)len);
			break;
		}
		case 3:
			groups++;
			break;
		case 4:
			if (--groups < 0)
				return 0;
			break;
		case 5:
			ns_rd_skip(&r, 4);
			break;
		default:
			return 0;
		}
		if (r.err)
			return 0;
	}
	return groups == 0;
}

/* Printable UTF-8 (tabs and line ends allowed). */
static int is_text(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return 0;
			if (c == 0x7f)
				return 0;
			i++;
			continue;
		}
		size_t k = c >= 0xf0 && c < 0xf5 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;
		if (!k || i + k >= n)
			return 0;
		for (size_t j = 1; j <= k; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

struct ctx {
	struct ns_packet *pkt;
	const uint8_t *base; /* what offsets are relative to */
	int offsets;	     /* 0: the bytes are not the layer's (inflated) */
	uint32_t at;	     /* offset used when !offsets */
};

static uint32_t off_of(const struct ctx *c, const uint8_t *p)
{
	return c->offsets ? (uint32_t)(p - c->base) : c->at;
}

static void add_u(const struct ctx *c, int f, const uint8_t *p, size_t n,
		  uint64_t v)
{
	ns_add_uint(c->pkt, &fields[f], off_of(c, p), c->offsets ? (uint32_t)n : 0, v);
}

static double f32(uint32_t v)
{
	float f;
	memcpy(&f, &v, 4);
	return f;
}

static double f64(uint64_t v)
{
	double d;
	memcpy(&d, &v, 8);
	return d;
}

static int walk(const struct ctx *c, const uint8_t *p, size_t n, int depth);

static void packed(const struct ctx *c, const uint8_t *p, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	int fixed = n % 4 == 0;
	if (!fixed) { /* all varints? */
		while (ns_rd_left(&r) && !r.err)
			varint(&r);
		if (r.err)
			return;
		ns_rd_init(&r, p, n);
	}
	unsigned k = 0;
	while (ns_rd_left(&r) && k < MAX_PACKED && !r.err) {
		const uint8_t *at = r.p;
		if (fixed) {
			uint32_t v = ns_rd_u32le(&r);
			add_u(c, F_UINT32, at, 4, v);
			ns_add_double(c->pkt, &fields[F_FLOAT], off_of(c, at),
				      c->offsets ? 4 : 0, f32(v));
		} else {
			uint64_t v = varint(&r);
			add_u(c, F_UINT64, at, (size_t)(r.p - at), v);
		}
		k++;
	}
	ns_add_uint(c->pkt, &fields[F_REPEATED], off_of(c, p), c->offsets ? (uint32_t)n : 0, k);
}

static int walk(const struct ctx *c, const uint8_t *p, size_t n, int depth)
{
	struct ns_packet *pkt = c->pkt;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	int pushed = 0;
	while (ns_rd_left(&r)) {
		const uint8_t *start = r.p;
		uint64_t tag = varint(&r);
		if (r.err || tag >> 3 == 0) {
			ns_malformed(pkt, "protobuf: bad field tag");
			break;
		}
		int wt = (int)(tag & 7);
		if (wt == 4) { /* end group: back out of the group's level */
			if (pushed) {
				ns_tree_pop(pkt);
				pushed--;
			}
			continue;
		}
		/* an index, not a pointer: the field array may grow */
		uint32_t label = pkt->nfv;
		ns_add_label(pkt, &fields[F_FIELD], off_of(c, start), 0);
		ns_tree_push(pkt);
		add_u(c, F_NUMBER, start, (size_t)(r.p - start), tag >> 3);
		add_u(c, F_WIRETYPE, start, (size_t)(r.p - start), (uint64_t)wt);
		const uint8_t *v = r.p;
		switch (wt) {
		case 0: {
			uint64_t x = varint(&r);
			if (r.err)
				break;
			add_u(c, F_UINT64, v, (size_t)(r.p - v), x);
			ns_add_int(pkt, &fields[F_SINT64], off_of(c, v),
				   c->offsets ? (uint32_t)(r.p - v) : 0,
				   (int64_t)(x >> 1) ^ -(int64_t)(x & 1));
			break;
		}
		case 1: {
			uint64_t lo = ns_rd_u32le(&r);
			uint64_t x = lo | (uint64_t)ns_rd_u32le(&r) << 32;
			if (r.err)
				break;
			add_u(c, F_UINT64, v, 8, x);
			ns_add_double(pkt, &fields[F_DOUBLE], off_of(c, v),
				      c->offsets ? 8 : 0, f64(x));
			break;
		}
		case 5: {
			uint32_t x = ns_rd_u32le(&r);
			if (r.err)
				break;
			add_u(c, F_UINT32, v, 4, x);
			ns_add_double(pkt, &fields[F_FLOAT], off_of(c, v),
				      c->offsets ? 4 : 0, f32(x));
			break;
		}
		case 2: {
			uint64_t len = varint(&r);
			if (r.err || len > ns_rd_left(&r)) {
				r.err = NS_EMALFORMED;
				break;
			}
			add_u(c, F_LENGTH, v, (size_t)(r.p - v), len);
			const uint8_t *d = ns_rd_ptr(&r, (size_t)len);
			if (len && depth < MAX_DEPTH && is_message(d, (size_t)len)) {
				ns_add_label(pkt, &fields[F_MESSAGE], off_of(c, d),
					     c->offsets ? (uint32_t)len : 0);
				ns_tree_push(pkt);
				walk(c, d, (size_t)len, depth + 1);
				ns_tree_pop(pkt);
			} else if (is_text(d, (size_t)len)) {
				ns_add_bytes(pkt, &fields[F_STRING], off_of(c, d),
					     c->offsets ? (uint32_t)len : 0, d,
					     (uint32_t)len);
			} else {
				ns_add_bytes(pkt, &fields[F_BYTES], off_of(c, d),
					     c->offsets ? (uint32_t)len : 0, d,
					     (uint32_t)len);
				packed(c, d, (size_t)len);
			}
			break;
		}
		case 3: /* start group: its fields nest under it until the
			 * end group */
			pushed++;
			continue;
		default:
			r.err = NS_EMALFORMED;
			break;
		}
		ns_tree_pop(pkt);
		if (label < pkt->nfv && c->offsets)
			pkt->fv[label].len = (uint32_t)(r.p - start);
		if (r.err) {
			ns_malformed(pkt, "protobuf: field %llu cut short or of "
					  "wire type %d",
				     (unsigned long long)(tag >> 3), wt);
			break;
		}
	}
	while (pushed--)
		ns_tree_pop(pkt);
	return 0;
}

/*
 * Records the raw decoding of the message p[0..n) into the current layer.
 * When `offsets` is set, p lies in the layer's bytes starting at `base`;
 * otherwise (an inflated copy) every field points at offset `at`.
 */
void ns_protobuf_raw(struct ns_packet *pkt, const uint8_t *base,
		     const uint8_t *p, size_t n, int offsets, uint32_t at);
void ns_protobuf_raw(struct ns_packet *pkt, const uint8_t *base,
		     const uint8_t *p, size_t n, int offsets, uint32_t at)
{
	struct ctx c = {pkt, base, offsets, at};
	uint8_t depth = pkt->depth;
	ns_add_label(pkt, &fields[F_MESSAGE], offsets ? (uint32_t)(p - base) : at,
		     offsets ? (uint32_t)n : 0);
	ns_tree_push(pkt);
	walk(&c, p, n, 0);
	pkt->depth = depth;
}

/* Stateless: the bytes at r as one message (unit tests, the fuzzer). */
static int dissect(struct ns_packet *pkt, struct ns_reader *r)
{
	size_t n = ns_rd_left(r);
	ns_protobuf_raw(pkt, r->base, r->p, n, 1, 0);
	ns_rd_skip(r, n);
	return 0;
}

struct ns_dissector ns_diss_protobuf = {
	.name = "protobuf",
	.column = "Protobuf",
	.title = "Protocol Buffers",
	.fields = fields,
	.nfields = F_COUNT,
	.dissect = dissect,
};
