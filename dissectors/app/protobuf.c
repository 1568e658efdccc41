/*
 * Protocol Buffers wire format, decoded with a schema when one is known
 * and without one (as `protoc --decode_raw` does) otherwise.
 *
 * Not bound to any table: the gRPC decoder (http2.c) calls
 * ns_protobuf_typed() on each message with the request or response type
 * of the call's method from the --proto-descriptor set (src/proto/pbschema.c),
 * or ns_protobuf_raw() when no set was given or the set lacks the method.
 * The fields go into the caller's layer.
 *
 * Raw: field numbers, wire types, varints, fixed 32/64-bit values, and
 * length-delimited values shown as a nested message, a string or bytes by
 * a heuristic, with packed repeated fixed32/varint values listed.  Groups
 * (wire types 3 and 4) are shown as nesting.  The heuristic for
 * length-delimited values: a nested message when the whole value parses
 * as fields (number >= 1, known wire types, lengths inside the value);
 * else a string when it is printable UTF-8; else packed fixed32 when the
 * length is a multiple of 4, packed varints when every byte sequence is a
 * varint; else bytes.
 *
 * Typed: each field the type declares is recorded as Wireshark records it
 * — protobuf.field.name, then, hidden from the verbose tree because the
 * field's one line (`name = value`, drawn by field_line()) tells them,
 * its type, number, wire type, length, raw value bytes and typed value
 * (protobuf.field.value.int32, .int64, .uint32, .uint64, .bool, .float,
 * .double, .string; bytes as protobuf.field.value) — plus our own
 * protobuf.field.value.enum (the value's name, when the enum names it)
 * and protobuf.field.oneof.  sint32/sint64 are zigzag-decoded, an int32
 * sent as a 10-byte negative varint is cut to 32 bits as protobuf does.
 * A nested message is its protobuf.message.name (hidden) with its fields
 * under the field; a map is its entries (key = 1, value = 2), one line
 * each, `name: key → value`.  A repeated scalar is accepted packed (one
 * length-delimited value, one line `name = [a, b]`) and unpacked (one
 * line per value) whatever the declaration says, as protobuf parsers do.
 * A field number the type does not declare, or a declared field sent
 * with a wire type its type cannot have, is decoded raw (the latter with
 * a protobuf.problem line).
 *
 * Bounds: nesting stops at depth 16 (deeper values are shown as bytes, with
 * a problem line), a packed field lists at most 1024 values, and a varint
 * cut short, a length past the end of its message or a stray end-group
 * marks the layer malformed and ends that message's decoding.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "output/output.h"
#include "proto/pbschema.h"

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
	F_MSG_NAME,
	F_FIELD_NAME,
	F_FIELD_TYPE,
	F_INT32,
	F_INT64,
	F_BOOL,
	F_ENUM,
	F_ONEOF,
	F_PROBLEM,
	F_COUNT
};

static const struct ns_valstr types[] = {
    {1, "double"},  {2, "float"},   {3, "int64"},     {4, "uint64"},
    {5, "int32"},   {6, "fixed64"}, {7, "fixed32"},   {8, "bool"},
    {9, "string"},  {10, "group"},  {11, "message"},  {12, "bytes"},
    {13, "uint32"}, {14, "enum"},   {15, "sfixed32"}, {16, "sfixed64"},
    {17, "sint32"}, {18, "sint64"}, {0, NULL},
};

static void msg_line(struct ns_buf *b, const struct ns_packet *pkt, uint32_t i);
static void field_line(struct ns_buf *b, const struct ns_packet *pkt,
		       uint32_t i);

static const struct ns_valstr wiretypes[] = {
    {0, "varint"},	{1, "64-bit"},	  {2, "length-delimited"},
    {3, "start group"}, {4, "end group"}, {5, "32-bit"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_FIELD] = NS_F_NONE("protobuf.field", "Field"),
    [F_NUMBER] = NS_F_UINT("protobuf.field.number", "Field Number", 64),
    [F_WIRETYPE] = NS_F_VALS("protobuf.field.wiretype", "Wire Type", 8,
			     NS_BASE_DEC, wiretypes),
    [F_LENGTH] = NS_F_UINT("protobuf.field.value.length", "Value Length", 64),
    [F_UINT64] = NS_F_UINT("protobuf.field.value.uint64", "Uint64", 64),
    [F_SINT64] = NS_F(("protobuf.field.value.sint64"), "Sint64 (zigzag)",
		      NS_FT_INT, 64, NS_BASE_DEC, NULL),
    [F_UINT32] = NS_F_UINT("protobuf.field.value.uint32", "Uint32", 32),
    [F_DOUBLE] = NS_F_DOUBLE("protobuf.field.value.double", "Double"),
    [F_FLOAT] = NS_F_DOUBLE("protobuf.field.value.float", "Float"),
    [F_STRING] = NS_F_STR("protobuf.field.value.string", "String"),
    [F_BYTES] = NS_F_BYTES("protobuf.field.value", "Value"),
    [F_MESSAGE] = NS_F_NONE("protobuf.message", "Message"),
    [F_REPEATED] = NS_F_UINT("protobuf.field.value.repeated",
			     "Packed repeated values", 32),
    [F_MSG_NAME] = {.name = "protobuf.message.name",
		    .title = "Message Name",
		    .type = NS_FT_STRING,
		    .tree_line = msg_line},
    [F_FIELD_NAME] = {.name = "protobuf.field.name",
		      .title = "Field Name",
		      .type = NS_FT_STRING,
		      .tree_line = field_line},
    [F_FIELD_TYPE] =
	NS_F_VALS("protobuf.field.type", "Field Type", 32, NS_BASE_DEC, types),
    [F_INT32] = NS_F("protobuf.field.value.int32", "Int32", NS_FT_INT, 32,
		     NS_BASE_DEC, NULL),
    [F_INT64] = NS_F("protobuf.field.value.int64", "Int64", NS_FT_INT, 64,
		     NS_BASE_DEC, NULL),
    [F_BOOL] = NS_F_BOOL("protobuf.field.value.bool", "Bool"),
    [F_ENUM] = NS_F_STR("protobuf.field.value.enum", "Enum value name"),
    [F_ONEOF] = NS_F_STR("protobuf.field.oneof", "Member of oneof"),
    [F_PROBLEM] = NS_F_STR("protobuf.problem", "Problem"),
};

#define MAX_DEPTH	 16
#define MAX_PACKED	 64   /* values listed by the raw heuristic */
#define MAX_PACKED_TYPED 1024 /* values listed of a typed packed field */

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

/* The value after a field's tag skipped; sets r->err as raw_value()
 * does. */
static void skip_value(struct ns_reader *r, int wt)
{
	switch (wt) {
	case 0:
		varint(r);
		break;
	case 1:
		ns_rd_skip(r, 8);
		break;
	case 5:
		ns_rd_skip(r, 4);
		break;
	case 2: {
		uint64_t len = varint(r);
		if (r->err || len > ns_rd_left(r))
			r->err = NS_EMALFORMED;
		else
			ns_rd_skip(r, (size_t)len);
		break;
	}
	default:
		r->err = NS_EMALFORMED;
		break;
	}
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
		case 3:
			groups++;
			break;
		case 4:
			if (--groups < 0)
				return 0;
			break;
		default:
			skip_value(&r, (int)(tag & 7));
		}
		if (r.err)
			return 0;
	}
	return groups == 0;
}

/* Printable UTF-8 (tabs and line ends allowed). */
static int is_text(const uint8_t *p, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (ns_rd_left(&r)) {
		uint8_t c = ns_rd_u8(&r);
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			    c == 0x7f)
				return 0;
			continue;
		}
		size_t k = c >= 0xf0 && c < 0xf5 ? 3
			   : c >= 0xe0		 ? 2
			   : c >= 0xc2		 ? 1
						 : 0;
		if (!k || ns_rd_left(&r) < k)
			return 0;
		while (k--)
			if ((ns_rd_u8(&r) & 0xc0) != 0x80)
				return 0;
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
	ns_add_uint(c->pkt, &fields[f], off_of(c, p),
		    c->offsets ? (uint32_t)n : 0, v);
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
	ns_add_uint(c->pkt, &fields[F_REPEATED], off_of(c, p),
		    c->offsets ? (uint32_t)n : 0, k);
}

/* A length-delimited value d[0..len) shown raw: a nested message, a
 * string, or bytes (with the packed values they might be). */
static void raw_len_value(const struct ctx *c, const uint8_t *d, size_t len,
			  int depth)
{
	struct ns_packet *pkt = c->pkt;
	uint32_t shown = c->offsets ? (uint32_t)len : 0;
	if (len && depth < MAX_DEPTH && is_message(d, len)) {
		ns_add_label(pkt, &fields[F_MESSAGE], off_of(c, d), shown);
		ns_tree_push(pkt);
		walk(c, d, len, depth + 1);
		ns_tree_pop(pkt);
	} else if (is_text(d, len)) {
		ns_add_bytes(pkt, &fields[F_STRING], off_of(c, d), shown, d,
			     (uint32_t)len);
	} else {
		ns_add_bytes(pkt, &fields[F_BYTES], off_of(c, d), shown, d,
			     (uint32_t)len);
		packed(c, d, len);
	}
}

/* The value after a raw field's tag, of wire type wt (not a group's
 * start or end); sets r->err when it is cut short or the wire type is
 * impossible. */
static void raw_value(const struct ctx *c, struct ns_reader *r, int wt,
		      int depth)
{
	struct ns_packet *pkt = c->pkt;
	const uint8_t *v = r->p;
	switch (wt) {
	case 0: {
		uint64_t x = varint(r);
		if (r->err)
			break;
		add_u(c, F_UINT64, v, (size_t)(r->p - v), x);
		ns_add_int(pkt, &fields[F_SINT64], off_of(c, v),
			   c->offsets ? (uint32_t)(r->p - v) : 0,
			   (int64_t)(x >> 1) ^ -(int64_t)(x & 1));
		break;
	}
	case 1: {
		uint64_t lo = ns_rd_u32le(r);
		uint64_t x = lo | (uint64_t)ns_rd_u32le(r) << 32;
		if (r->err)
			break;
		add_u(c, F_UINT64, v, 8, x);
		ns_add_double(pkt, &fields[F_DOUBLE], off_of(c, v),
			      c->offsets ? 8 : 0, f64(x));
		break;
	}
	case 5: {
		uint32_t x = ns_rd_u32le(r);
		if (r->err)
			break;
		add_u(c, F_UINT32, v, 4, x);
		ns_add_double(pkt, &fields[F_FLOAT], off_of(c, v),
			      c->offsets ? 4 : 0, f32(x));
		break;
	}
	case 2: {
		uint64_t len = varint(r);
		if (r->err || len > ns_rd_left(r)) {
			r->err = NS_EMALFORMED;
			break;
		}
		add_u(c, F_LENGTH, v, (size_t)(r->p - v), len);
		const uint8_t *d = ns_rd_ptr(r, (size_t)len);
		raw_len_value(c, d, (size_t)len, depth);
		break;
	}
	default:
		r->err = NS_EMALFORMED;
		break;
	}
}

/* A raw field that ends the message's decoding: cut short, or of a wire
 * type that cannot be. */
static void bad_field(struct ns_packet *pkt, uint64_t tag)
{
	ns_malformed(pkt, "protobuf: field %llu cut short or of wire type %d",
		     (unsigned long long)(tag >> 3), (int)(tag & 7));
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
		add_u(c, F_WIRETYPE, start, (size_t)(r.p - start),
		      (uint64_t)wt);
		if (wt == 3) { /* start group: its fields nest under it until
				* the end group */
			pushed++;
			continue;
		}
		raw_value(c, &r, wt, depth);
		ns_tree_pop(pkt);
		if (label < pkt->nfv && c->offsets)
			pkt->fv[label].len = (uint32_t)(r.p - start);
		if (r.err) {
			bad_field(pkt, tag);
			break;
		}
	}
	while (pushed--)
		ns_tree_pop(pkt);
	return 0;
}

/* What walk() would say of p[0..n) when nothing but the packet's outcome
 * is read (ns_engine.summary_only): only its top level can be malformed,
 * as a nested value is walked only when is_message() accepted all of it. */
static void check(struct ns_packet *pkt, const uint8_t *p, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (ns_rd_left(&r)) {
		uint64_t tag = varint(&r);
		if (r.err || tag >> 3 == 0) {
			ns_malformed(pkt, "protobuf: bad field tag");
			return;
		}
		int wt = (int)(tag & 7);
		if (wt == 3 || wt == 4) /* a group's start or end */
			continue;
		skip_value(&r, wt);
		if (r.err) {
			bad_field(pkt, tag);
			return;
		}
	}
}

/* ---- typed decoding ------------------------------------------------------ */

/* Marks the values recorded since index `from` hidden from the tree. */
static void hide(struct ns_packet *pkt, uint32_t from)
{
	for (uint32_t i = from; i < pkt->nfv; i++)
		pkt->fv[i].hidden = 1;
}

static void add_str(const struct ctx *c, int f, const uint8_t *p, size_t n,
		    const char *s)
{
	ns_add_bytes(c->pkt, &fields[f], off_of(c, p),
		     c->offsets ? (uint32_t)n : 0, (const uint8_t *)s,
		     (uint32_t)strlen(s));
}

static void problem(const struct ctx *c, const uint8_t *p, size_t n,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void problem(const struct ctx *c, const uint8_t *p, size_t n,
		    const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	char *s = ns_arena_strndup(&c->pkt->arena, tmp, strlen(tmp));
	if (s)
		add_str(c, F_PROBLEM, p, n, s);
}

/* The wire type a value of this type is sent with on its own. */
static int wire_of(int type)
{
	switch (type) {
	case NS_PB_DOUBLE:
	case NS_PB_FIXED64:
	case NS_PB_SFIXED64:
		return 1;
	case NS_PB_FLOAT:
	case NS_PB_FIXED32:
	case NS_PB_SFIXED32:
		return 5;
	case NS_PB_STRING:
	case NS_PB_BYTES:
	case NS_PB_MESSAGE:
		return 2;
	case NS_PB_GROUP:
		return 3;
	case 0:
		return -1; /* a field without a type: never matches */
	default:
		return 0; /* the varint types */
	}
}

/* One scalar of a typed field, from its wire value x (hidden). */
static void scalar(const struct ctx *c, const struct ns_pbfield *f,
		   const uint8_t *v, size_t n, uint64_t x)
{
	struct ns_packet *pkt = c->pkt;
	uint32_t off = off_of(c, v), len = c->offsets ? (uint32_t)n : 0;
	switch (f->type) {
	case NS_PB_DOUBLE:
		ns_add_double(pkt, &fields[F_DOUBLE], off, len, f64(x));
		break;
	case NS_PB_FLOAT:
		ns_add_double(pkt, &fields[F_FLOAT], off, len,
			      f32((uint32_t)x));
		break;
	case NS_PB_INT64:
	case NS_PB_SFIXED64:
		ns_add_int(pkt, &fields[F_INT64], off, len, (int64_t)x);
		break;
	case NS_PB_SINT64:
		ns_add_int(pkt, &fields[F_INT64], off, len,
			   (int64_t)(x >> 1) ^ -(int64_t)(x & 1));
		break;
	case NS_PB_INT32:
	case NS_PB_SFIXED32:
		ns_add_int(pkt, &fields[F_INT32], off, len,
			   (int32_t)(uint32_t)x);
		break;
	case NS_PB_SINT32: {
		uint32_t u = (uint32_t)x;
		ns_add_int(pkt, &fields[F_INT32], off, len,
			   (int32_t)(u >> 1) ^ -(int32_t)(u & 1));
		break;
	}
	case NS_PB_UINT32:
	case NS_PB_FIXED32:
		ns_add_uint(pkt, &fields[F_UINT32], off, len, (uint32_t)x);
		break;
	case NS_PB_UINT64:
	case NS_PB_FIXED64:
		ns_add_uint(pkt, &fields[F_UINT64], off, len, x);
		break;
	case NS_PB_BOOL:
		ns_add_uint(pkt, &fields[F_BOOL], off, len, x != 0);
		break;
	case NS_PB_ENUM: {
		ns_add_int(pkt, &fields[F_INT32], off, len,
			   (int32_t)(uint32_t)x);
		const char *name =
		    ns_pbschema_enum_name(f->en, (int32_t)(uint32_t)x);
		if (name) /* unknown numbers are shown as numbers */
			ns_add_bytes(pkt, &fields[F_ENUM], off, len,
				     (const uint8_t *)name,
				     (uint32_t)strlen(name));
		break;
	}
	}
}

/* A packed repeated scalar: the values one after another (hidden). */
static void packed_typed(const struct ctx *c, const struct ns_pbfield *f,
			 const uint8_t *p, size_t n)
{
	int wt = wire_of(f->type);
	size_t size = wt == 1 ? 8 : wt == 5 ? 4 : 0;
	if (size && n % size) {
		problem(c, p, n,
			"packed %s values: %zu bytes is not a whole "
			"number of %zu-byte values",
			ns_valstr_find(types, f->type), n, size);
		return;
	}
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	unsigned k = 0;
	while (ns_rd_left(&r) && k < MAX_PACKED_TYPED) {
		const uint8_t *at = r.p;
		uint64_t x;
		if (size == 8) {
			x = ns_rd_u32le(&r);
			x |= (uint64_t)ns_rd_u32le(&r) << 32;
		} else if (size == 4) {
			x = ns_rd_u32le(&r);
		} else {
			x = varint(&r);
		}
		if (r.err) {
			ns_malformed(c->pkt,
				     "protobuf: packed field '%s' ends "
				     "inside a varint",
				     f->name);
			return;
		}
		scalar(c, f, at, (size_t)(r.p - at), x);
		k++;
	}
	if (ns_rd_left(&r)) {
		unsigned more = 0;
		while (ns_rd_left(&r) && !r.err) {
			if (size)
				ns_rd_skip(&r, size);
			else
				varint(&r);
			more++;
		}
		problem(c, p, n, "%u more values not listed", more);
	}
}

static void typed_walk(const struct ctx *c, const uint8_t *p, size_t n,
		       const struct ns_pbmsg *m, int depth, int hide_names);

/*
 * The extent of the group that starts after its start tag at r (field
 * `number`): skips to the matching end-group tag.  Returns the group's
 * content length and leaves r after the end tag; -1 when it does not end.
 */
static long group_extent(struct ns_reader *r, uint64_t number)
{
	const uint8_t *start = r->p;
	int nest = 0;
	while (ns_rd_left(r)) {
		const uint8_t *at = r->p;
		uint64_t tag = varint(r);
		if (r->err || tag >> 3 == 0)
			return -1;
		switch (tag & 7) {
		case 3:
			if (++nest > MAX_DEPTH)
				return -1;
			break;
		case 4:
			if (nest == 0)
				return tag >> 3 == number ? (long)(at - start)
							  : -1;
			nest--;
			break;
		default:
			skip_value(r, (int)(tag & 7));
		}
		if (r->err)
			return -1;
	}
	return -1;
}

/*
 * One field of a typed message as read: [start, end) the whole field (tag
 * included), v its value after the tag, d/dn the content of a
 * length-delimited value or a group, x the value of a varint or fixed one.
 */
struct wire_field {
	const uint8_t *start, *end, *v, *d;
	size_t dn;
	uint64_t number, x;
	int wt;
};

/* Type, number, wire type, length, the value's bytes and the oneof of a
 * typed field (hidden by the caller). */
static void field_details(const struct ctx *c, const struct ns_pbfield *f,
			  const struct wire_field *w)
{
	struct ns_packet *pkt = c->pkt;
	const uint8_t *start = w->start, *end = w->end, *v = w->v;
	add_u(c, F_FIELD_TYPE, start, (size_t)(end - start), f->type);
	add_u(c, F_NUMBER, start, (size_t)(v - start), f->number);
	add_u(c, F_WIRETYPE, start, (size_t)(v - start), (uint64_t)w->wt);
	if (w->wt == 2)
		add_u(c, F_LENGTH, v, (size_t)(w->d - v), w->dn);
	int content = w->wt == 2 || w->wt == 3;
	const uint8_t *vp = content ? w->d : v;
	size_t vn = content ? w->dn : (size_t)(end - v);
	ns_add_bytes(pkt, &fields[F_BYTES], off_of(c, vp),
		     c->offsets ? (uint32_t)vn : 0, vp, (uint32_t)vn);
	if (f->oneof)
		add_str(c, F_ONEOF, start, (size_t)(end - start), f->oneof);
}

/* A message or group field: its type's name with its fields under it, or
 * the bytes with a problem line when it cannot be entered.  `details` is
 * where the field's hidden details start. */
static void typed_message(const struct ctx *c, const struct ns_pbfield *f,
			  const struct wire_field *w, int depth,
			  uint32_t details)
{
	struct ns_packet *pkt = c->pkt;
	const uint8_t *d = w->d;
	size_t dn = w->dn;
	if (f->msg && depth + 1 < MAX_DEPTH) {
		ns_add_bytes(pkt, &fields[F_MSG_NAME], off_of(c, d),
			     c->offsets ? (uint32_t)dn : 0,
			     (const uint8_t *)f->msg->name,
			     (uint32_t)strlen(f->msg->name));
		hide(pkt, details);
		ns_tree_push(pkt);
		typed_walk(c, d, dn, f->msg, depth + 1, f->msg->map_entry);
		ns_tree_pop(pkt);
		return;
	}
	hide(pkt, details);
	if (f->msg)
		problem(c, d, dn,
			"nested deeper than %d messages: "
			"shown as bytes",
			MAX_DEPTH);
	else
		problem(c, d, dn,
			"type of field '%s' not in the "
			"descriptor set: shown as bytes",
			f->name);
}

/* One field the type declares, with a wire type that fits its type. */
static void typed_field(const struct ctx *c, const struct ns_pbfield *f,
			const struct wire_field *w, int depth, int hide_name)
{
	struct ns_packet *pkt = c->pkt;
	uint32_t name_at = pkt->nfv;
	ns_add_bytes(pkt, &fields[F_FIELD_NAME], off_of(c, w->start),
		     c->offsets ? (uint32_t)(w->end - w->start) : 0,
		     (const uint8_t *)f->name, (uint32_t)strlen(f->name));
	if (hide_name)
		hide(pkt, name_at);
	ns_tree_push(pkt);
	uint32_t details = pkt->nfv;
	field_details(c, f, w);
	if (f->type == NS_PB_MESSAGE || f->type == NS_PB_GROUP) {
		typed_message(c, f, w, depth, details);
		ns_tree_pop(pkt);
		return;
	}
	if (w->wt == 2 && f->type != NS_PB_STRING && f->type != NS_PB_BYTES)
		packed_typed(c, f, w->d, w->dn);
	else if (f->type == NS_PB_STRING)
		ns_add_bytes(pkt, &fields[F_STRING], off_of(c, w->d),
			     c->offsets ? (uint32_t)w->dn : 0, w->d,
			     (uint32_t)w->dn);
	else if (f->type != NS_PB_BYTES)
		scalar(c, f, w->v, (size_t)(w->end - w->v), w->x);
	/* the problem lines of a packed field stay in sight */
	for (uint32_t i = details; i < pkt->nfv; i++)
		if (pkt->fv[i].f != &fields[F_PROBLEM])
			pkt->fv[i].hidden = 1;
	ns_tree_pop(pkt);
}

/* Raw decoding of one field [start, end) inside a typed message. */
static void raw_field(const struct ctx *c, const uint8_t *start,
		      const uint8_t *end, int depth)
{
	walk(c, start, (size_t)(end - start), depth);
}

/* The problem line of a declared field that came with a wire type its
 * type cannot have, said under the raw field's label at pkt->fv[at]. */
static void wrong_wire_type(const struct ctx *c, const struct ns_pbfield *f,
			    const struct wire_field *w, uint32_t at)
{
	struct ns_packet *pkt = c->pkt;
	const char *tn = ns_valstr_find(types, f->type);
	uint8_t saved = pkt->depth;
	pkt->depth = (uint8_t)(pkt->fv[at].depth + 1);
	problem(c, w->start, (size_t)(w->end - w->start),
		"field '%s' is %s but came with wire type %d: "
		"shown raw",
		f->name, tn ? tn : "of no known type", w->wt);
	pkt->depth = saved;
}

/* The value after a field's tag (w->wt, w->number and w->v set); sets
 * r->err when it is cut short, its group does not end, or its wire type
 * is impossible. */
static void read_value(struct ns_reader *r, struct wire_field *w)
{
	switch (w->wt) {
	case 0:
		w->x = varint(r);
		break;
	case 1:
		w->x = ns_rd_u32le(r);
		w->x |= (uint64_t)ns_rd_u32le(r) << 32;
		break;
	case 5:
		w->x = ns_rd_u32le(r);
		break;
	case 2: {
		uint64_t len = varint(r);
		if (!r->err && len > ns_rd_left(r))
			r->err = NS_EMALFORMED;
		w->d = r->p;
		w->dn = (size_t)len;
		ns_rd_skip(r, w->dn);
		break;
	}
	case 3: {
		long gl = group_extent(r, w->number);
		if (gl < 0)
			r->err = NS_EMALFORMED;
		w->d = w->v;
		w->dn = gl < 0 ? 0 : (size_t)gl;
		break;
	}
	default: /* 4 (an end with no start), 6, 7 */
		r->err = NS_EMALFORMED;
	}
}

static void typed_walk(const struct ctx *c, const uint8_t *p, size_t n,
		       const struct ns_pbmsg *m, int depth, int hide_names)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (ns_rd_left(&r)) {
		struct wire_field w = {.start = r.p};
		uint64_t tag = varint(&r);
		if (r.err || tag >> 3 == 0 || tag >> 3 > 536870911) {
			ns_malformed(c->pkt, "protobuf: bad field tag");
			return;
		}
		w.number = tag >> 3;
		w.wt = (int)(tag & 7);
		w.v = r.p;
		read_value(&r, &w);
		if (r.err) {
			/* what can be shown is the field's start, raw */
			ns_malformed(c->pkt, "protobuf: %s field %llu %s",
				     m->name, (unsigned long long)w.number,
				     w.wt == 4 || w.wt > 5
					 ? "has an impossible wire type"
					 : "cut short");
			return;
		}
		w.end = r.p;
		const struct ns_pbfield *f =
		    ns_pbschema_field(m, (uint32_t)w.number);
		int want = f ? wire_of(f->type) : -1;
		int packable =
		    f && f->repeated && want != 2 && want != 3 && want >= 0;
		if (f && (w.wt == want || (w.wt == 2 && packable))) {
			typed_field(c, f, &w, depth, hide_names);
			continue;
		}
		uint32_t at = c->pkt->nfv;
		raw_field(c, w.start, w.end, depth);
		if (f && at < c->pkt->nfv)
			wrong_wire_type(c, f, &w, at);
	}
}

/* ---- the tree lines of typed values ------------------------------------- */

/* A double as the shortest text that reads back the same. */
static void put_real(struct ns_buf *b, double v, int is_float)
{
	char tmp[40];
	for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		double back = strtod(tmp, NULL);
		if (is_float ? (float)back == (float)v : back == v)
			break;
	}
	ns_buf_puts(b, tmp);
}

/* One typed value (and the enum name after it, which it consumes). */
static uint32_t put_value(struct ns_buf *b, const struct ns_packet *pkt,
			  uint32_t j, uint32_t end)
{
	const struct ns_fv *v = &pkt->fv[j];
	const struct ns_field *f = v->f;
	if (f == &fields[F_INT32] && j + 1 < end &&
	    pkt->fv[j + 1].f == &fields[F_ENUM]) {
		const struct ns_fv *e = &pkt->fv[j + 1];
		ns_buf_escaped(b, e->v.b.p, e->v.b.n);
		ns_buf_puts(b, " (");
		ns_buf_i64(b, v->v.i);
		ns_buf_putc(b, ')');
		return j + 2;
	}
	if (f == &fields[F_BOOL])
		ns_buf_puts(b, v->v.u ? "true" : "false");
	else if (f == &fields[F_DOUBLE] || f == &fields[F_FLOAT])
		put_real(b, v->v.d, f == &fields[F_FLOAT]);
	else
		ns_format_display(b, v);
	return j + 1;
}

static int is_value(const struct ns_field *f)
{
	return f == &fields[F_STRING] || f == &fields[F_INT32] ||
	       f == &fields[F_INT64] || f == &fields[F_UINT32] ||
	       f == &fields[F_UINT64] || f == &fields[F_BOOL] ||
	       f == &fields[F_DOUBLE] || f == &fields[F_FLOAT];
}

/* One past the last value under pkt->fv[i]. */
static uint32_t subtree_end(const struct ns_packet *pkt, uint32_t i)
{
	uint32_t j = i + 1;
	while (j < pkt->nfv && pkt->fv[j].depth > pkt->fv[i].depth &&
	       pkt->fv[j].layer == pkt->fv[i].layer)
		j++;
	return j;
}

static void value_text(struct ns_buf *b, const struct ns_packet *pkt,
		       uint32_t i);

/* A map entry's key → value, from the entry message's two fields. */
static void entry_text(struct ns_buf *b, const struct ns_packet *pkt,
		       uint32_t msg, uint32_t end)
{
	uint32_t key = 0, val = 0;
	uint8_t d = (uint8_t)(pkt->fv[msg].depth + 1);
	for (uint32_t j = msg + 1; j < end; j++) {
		const struct ns_fv *x = &pkt->fv[j];
		if (x->depth != d || x->f != &fields[F_FIELD_NAME])
			continue;
		if (x->v.b.n == 3 && memcmp(x->v.b.p, "key", 3) == 0)
			key = j;
		else if (x->v.b.n == 5 && memcmp(x->v.b.p, "value", 5) == 0)
			val = j;
	}
	if (key)
		value_text(b, pkt, key);
	else /* proto3 leaves a default key out */
		ns_buf_puts(b, "(default)");
	ns_buf_puts(b, " \xe2\x86\x92 "); /* → */
	if (val)
		value_text(b, pkt, val);
	else
		ns_buf_puts(b, "(default)");
}

/* The value part of the typed field at pkt->fv[i]. */
static void value_text(struct ns_buf *b, const struct ns_packet *pkt,
		       uint32_t i)
{
	uint32_t end = subtree_end(pkt, i);
	uint8_t d = (uint8_t)(pkt->fv[i].depth + 1);
	uint64_t type = 0, wt = 0;
	const struct ns_fv *bytes = NULL;
	for (uint32_t j = i + 1; j < end; j++) {
		const struct ns_fv *x = &pkt->fv[j];
		if (x->depth != d)
			continue;
		if (x->f == &fields[F_FIELD_TYPE]) {
			type = x->v.u;
		} else if (x->f == &fields[F_WIRETYPE]) {
			wt = x->v.u;
		} else if (x->f == &fields[F_BYTES]) {
			bytes = x;
		} else if (x->f == &fields[F_MSG_NAME]) {
			/* a map entry's fields (hidden) go on this line */
			uint32_t me = subtree_end(pkt, j);
			if (j + 1 < me && pkt->fv[j + 1].hidden &&
			    pkt->fv[j + 1].f == &fields[F_FIELD_NAME]) {
				entry_text(b, pkt, j, me);
				return;
			}
			ns_buf_escaped(b, x->v.b.p, x->v.b.n);
			return;
		}
	}
	/* bytes, and a message that could not be entered: the bytes */
	if (type == NS_PB_BYTES || type == NS_PB_MESSAGE ||
	    type == NS_PB_GROUP) {
		if (bytes)
			ns_format_display(b, bytes);
		return;
	}
	int list = wt == 2 && type != NS_PB_STRING; /* packed */
	if (list)
		ns_buf_putc(b, '[');
	unsigned k = 0;
	for (uint32_t j = i + 1; j < end;) {
		const struct ns_fv *x = &pkt->fv[j];
		if (x->depth != d || !is_value(x->f)) {
			j++;
			continue;
		}
		if (k++)
			ns_buf_puts(b, ", ");
		j = put_value(b, pkt, j, end);
	}
	if (list)
		ns_buf_putc(b, ']');
	if (list && !k && bytes) { /* none could be read: the bytes */
		b->len -= 2;
		ns_format_display(b, bytes);
	}
}

/* `name = value`, `name: Type` (a message, its fields below it), or
 * `name: key → value` (a map entry); a oneof member says so. */
static void field_line(struct ns_buf *b, const struct ns_packet *pkt,
		       uint32_t i)
{
	const struct ns_fv *fv = &pkt->fv[i];
	ns_buf_escaped(b, fv->v.b.p, fv->v.b.n);
	uint32_t end = subtree_end(pkt, i);
	const struct ns_fv *oneof = NULL;
	int msg = 0;
	for (uint32_t j = i + 1; j < end; j++) {
		const struct ns_fv *x = &pkt->fv[j];
		if (x->depth != fv->depth + 1)
			continue;
		if (x->f == &fields[F_ONEOF])
			oneof = x;
		else if (x->f == &fields[F_MSG_NAME])
			msg = 1;
	}
	ns_buf_puts(b, msg ? ": " : " = ");
	value_text(b, pkt, i);
	if (oneof) {
		ns_buf_puts(b, " (oneof ");
		ns_buf_escaped(b, oneof->v.b.p, oneof->v.b.n);
		ns_buf_putc(b, ')');
	}
}

static void msg_line(struct ns_buf *b, const struct ns_packet *pkt, uint32_t i)
{
	ns_buf_escaped(b, pkt->fv[i].v.b.p, pkt->fv[i].v.b.n);
}

void ns_protobuf_typed(struct ns_packet *pkt, const uint8_t *base,
		       const uint8_t *p, size_t n, int offsets, uint32_t at,
		       const struct ns_pbmsg *type)
{
	if (!type && pkt->eng && pkt->eng->summary_only) {
		check(pkt, p, n); /* raw values only a tree or filter reads */
		return;
	}
	if (!type) {
		ns_protobuf_raw(pkt, base, p, n, offsets, at);
		return;
	}
	struct ctx c = {pkt, base, offsets, at};
	uint8_t depth = pkt->depth;
	ns_add_bytes(pkt, &fields[F_MSG_NAME], off_of(&c, p),
		     offsets ? (uint32_t)n : 0, (const uint8_t *)type->name,
		     (uint32_t)strlen(type->name));
	ns_tree_push(pkt);
	typed_walk(&c, p, n, type, 0, type->map_entry);
	pkt->depth = depth;
}

/* Records the raw decoding of the message p[0..n) (see pbschema.h). */
void ns_protobuf_raw(struct ns_packet *pkt, const uint8_t *base,
		     const uint8_t *p, size_t n, int offsets, uint32_t at)
{
	struct ctx c = {pkt, base, offsets, at};
	uint8_t depth = pkt->depth;
	ns_add_label(pkt, &fields[F_MESSAGE],
		     offsets ? (uint32_t)(p - base) : at,
		     offsets ? (uint32_t)n : 0);
	ns_tree_push(pkt);
	walk(&c, p, n, 0);
	pkt->depth = depth;
}

/* Stateless: the bytes at r as one message (unit tests, the fuzzer). */
static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
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
