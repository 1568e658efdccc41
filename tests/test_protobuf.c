/*
 * test_protobuf — typed protobuf decoding (dissectors/app/protobuf.c) with
 * message types from a FileDescriptorSet (src/proto/pbschema.c).
 *
 * Under test: loading tests/pcaps/inference.desc (what protoc writes for
 * the gRPC captures' service) and descriptor sets built here with the
 * protobuf-c code generated from descriptor.proto (relative references,
 * enum aliases, proto3 optional, groups, a recursive type, an unresolved
 * type); the errors for a missing file and for bytes that are not a set;
 * method lookup by gRPC path; and the decoding of hand-encoded messages:
 * every scalar type, enums by name and unknown numbers, nested and
 * repeated messages, maps with scalar and message values, packed and
 * unpacked repeated fields, oneofs, fields the type does not declare, a
 * wrong wire type for the declared type, and malformed input (truncated
 * varint, length past the end, bad tag, a packed field of the wrong size,
 * nesting past the depth limit, random bytes).  What the verbose tree
 * draws is checked through the text sink itself.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/engine.h"
#include "google/protobuf/descriptor.pb-c.h"
#include "proto/pbschema.h"

extern struct ns_dissector ns_diss_protobuf;

static struct ns_pbschema *inf; /* inference.desc */

static struct ns_pbschema *load_inference(void)
{
	const char *src = getenv("srcdir");
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/pcaps/inference.desc",
		 src ? src : ".");
	char err[256] = "";
	struct ns_pbschema *s = ns_pbschema_load(path, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s: %s", path, err);
	return s;
}

/* after tu_tcase's own fixture (registry and record) */
static void setup(void)
{
	inf = load_inference();
}

static void teardown(void)
{
	ns_pbschema_free(inf);
	inf = NULL;
}

/* ---- an encoder for test messages --------------------------------------- */

/* messages are built in check_util's frames (2 KiB) */
#define enc tu_frame

static void e_raw(struct enc *e, const void *p, size_t n)
{
	tu_put(e, p, n);
}

static void e_var(struct enc *e, uint64_t v)
{
	do {
		uint8_t c = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			c |= 0x80;
		e_raw(e, &c, 1);
	} while (v);
}

static void e_tag(struct enc *e, uint32_t num, int wt)
{
	e_var(e, (uint64_t)num << 3 | (uint64_t)wt);
}

static void e_f32(struct enc *e, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	e_raw(e, b, 4);
}

static void e_f64(struct enc *e, uint64_t v)
{
	e_f32(e, (uint32_t)v);
	e_f32(e, (uint32_t)(v >> 32));
}

static void e_len(struct enc *e, uint32_t num, const void *p, size_t n)
{
	e_tag(e, num, 2);
	e_var(e, n);
	e_raw(e, p, n);
}

static void e_str(struct enc *e, uint32_t num, const char *s)
{
	e_len(e, num, s, strlen(s));
}

static void e_sub(struct enc *e, uint32_t num, const struct enc *sub)
{
	e_len(e, num, sub->b, sub->n);
}

static uint32_t fbits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static uint64_t dbits(double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	return u;
}

static uint64_t zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* ---- decoding into a record, and what the tree draws --------------------- */

static const struct ns_pbmsg *cur_type;

static int typed_dissect(struct ns_packet *pkt, struct ns_reader *r,
			 const struct ns_dctx *cx)
{
	size_t n = ns_rd_left(r);
	ns_protobuf_typed(pkt, r->base, r->p, n, 1, 0, cur_type);
	ns_rd_skip(r, n);
	return 0;
}

static struct ns_dissector typed_diss = {
    .name = "protobuf",
    .column = "Protobuf",
    .title = "Protocol Buffers",
    .dissect = typed_dissect,
};

static uint8_t data[8192];

static struct ns_packet *decode(const struct ns_pbschema *s, const char *type,
				const uint8_t *p, size_t n)
{
	cur_type = type ? ns_pbschema_message(s, type) : NULL;
	if (type)
		ck_assert_msg(cur_type != NULL, "no type %s", type);
	typed_diss.proto = ns_diss_protobuf.proto;
	memcpy(data, p, n);
	ns_pkt_begin(&tu_pkt, 1, 0, 0, (uint32_t)n, (uint32_t)n, 1, data);
	struct ns_reader r;
	ns_rd_init(&r, data, n);
	ns_dissect_layer(&tu_pkt, &typed_diss, &r, data, (uint32_t)n, NULL);
	return &tu_pkt;
}

static struct ns_packet *dec(const char *type, const struct enc *e)
{
	return decode(inf, type, e->b, e->n);
}

/* The verbose tree of the packet, as `read -v` writes it. */
static const char *tree(const struct ns_packet *pkt)
{
	static char *text;
	static size_t len;
	free(text);
	text = NULL;
	FILE *fp = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(fp);
	struct ns_output o = {.fp = fp, .format = NS_OUT_TEXT, .verbose = 1};
	ns_output_packet(&o, pkt);
	ns_output_flush(&o);
	ns_output_free(&o);
	fclose(fp);
	return text;
}

/* The tree has a line ending in `line` followed by " [field]". */
#define has_line(pkt, line, field)                                             \
	do {                                                                   \
		const char *t_ = tree(pkt);                                    \
		char want_[512];                                               \
		snprintf(want_, sizeof(want_), " %s [%s]\n", (line), (field)); \
		ck_assert_msg(strstr(t_, want_) != NULL,                       \
			      "no line \"%s\" in:\n%s", want_, t_);            \
	} while (0)

#define has_field_line(pkt, line) has_line(pkt, line, "protobuf.field.name")
#define has_problem(pkt, text)                                                 \
	has_line(pkt, "Problem: \"" text "\"", "protobuf.problem")

/* The indentation (spaces) of the first line containing `s`. */
static int indent_of(const char *t, const char *s)
{
	const char *p = strstr(t, s);
	ck_assert_msg(p != NULL, "no \"%s\" in:\n%s", s, t);
	const char *bol = p;
	while (bol > t && bol[-1] != '\n')
		bol--;
	int n = 0;
	while (bol[n] == ' ')
		n++;
	return n;
}

/* -T fields' value list of a field ("a,b,c"). */
static const char *values(const struct ns_packet *pkt, const char *name)
{
	static struct ns_buf b;
	ns_buf_reset(&b);
	const struct ns_field *f = tu_field(name);
	int k = 0;
	for (uint32_t i = 0; i < pkt->nfv; i++) {
		if (pkt->fv[i].f != f)
			continue;
		if (k++)
			ns_buf_putc(&b, ',');
		ns_format_value(&b, &pkt->fv[i]);
	}
	ns_buf_putc(&b, 0);
	return b.p;
}

/* ---- the schema ------------------------------------------------------------
 */

START_TEST(load_inference_desc)
{
	ck_assert_uint_eq(ns_pbschema_nmessages(inf), 6); /* 2 map entries */
	ck_assert_uint_eq(ns_pbschema_nmethods(inf), 4);
	const char *p = "/inference.InferenceService/Predict";
	const struct ns_pbmsg *in = ns_pbschema_method(inf, p, strlen(p), 0);
	const struct ns_pbmsg *out = ns_pbschema_method(inf, p, strlen(p), 1);
	ck_assert_str_eq(in->name, "inference.PredictRequest");
	ck_assert_str_eq(out->name, "inference.PredictReply");
	/* the path is compared whole: no prefix, no longer path */
	ck_assert_ptr_null(ns_pbschema_method(inf, p, strlen(p) - 1, 0));
	ck_assert_ptr_null(ns_pbschema_method(
	    inf, "/inference.InferenceService/PredictX", 36, 0));
	ck_assert_ptr_null(ns_pbschema_method(
	    inf, "/inference.InferenceService/Retrain", 35, 0));
	const char *sp = "/inference.InferenceService/StreamPredict";
	ck_assert_ptr_eq(ns_pbschema_method(inf, sp, strlen(sp), 0), in);
	/* map entries and nested enums are types of their own */
	const struct ns_pbmsg *le =
	    ns_pbschema_message(inf, ".inference.PredictRequest.LabelsEntry");
	ck_assert_ptr_nonnull(le);
	ck_assert(le->map_entry);
	const struct ns_pbfield *f = ns_pbschema_field(in, 5);
	ck_assert_str_eq(f->name, "priority");
	ck_assert_int_eq(f->type, NS_PB_ENUM);
	ck_assert_str_eq(f->en->name, "inference.Priority");
	ck_assert_str_eq(ns_pbschema_enum_name(f->en, 2), "PRIORITY_HIGH");
	ck_assert_ptr_null(ns_pbschema_enum_name(f->en, 7));
	ck_assert_str_eq(ns_pbschema_field(in, 8)->oneof, "prompt");
	ck_assert_ptr_null(ns_pbschema_field(in, 99));
	const struct ns_pbfield *t = ns_pbschema_field(in, 7);
	ck_assert(t->repeated);
	ck_assert_str_eq(t->msg->name, "inference.Tensor");
	ck_assert_str_eq(ns_pbschema_field(t->msg, 4)->en->name,
			 "inference.Tensor.DType");
}
END_TEST

START_TEST(load_errors)
{
	char err[256];
	ck_assert_ptr_null(
	    ns_pbschema_load("/nonexistent/x.desc", err, sizeof(err)));
	ck_assert_str_eq(err, "No such file or directory");
	/* the .proto source is not a descriptor set */
	const char *src = getenv("srcdir");
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/pcaps/inference.proto",
		 src ? src : ".");
	ck_assert_ptr_null(ns_pbschema_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "not a FileDescriptorSet") != NULL, "%s",
		      err);
	/* nothing, and a protobuf message of another kind */
	ck_assert_ptr_null(
	    ns_pbschema_parse((const uint8_t *)"", 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, "not a FileDescriptorSet") != NULL, "%s",
		      err);
	static const uint8_t other[] = {0x0a, 0x02, 0x10, 0x01};
	ck_assert_ptr_null(
	    ns_pbschema_parse(other, sizeof(other), err, sizeof(err)));
	ck_assert_msg(strstr(err, "not a FileDescriptorSet") != NULL, "%s",
		      err);
	/* a directory reads as an error, not as an empty set */
	ck_assert_ptr_null(ns_pbschema_load("/", err, sizeof(err)));
	ck_assert_str_eq(err, "Is a directory");
}
END_TEST

/* ---- descriptor sets built here --------------------------------------------
 */

typedef Google__Protobuf__FieldDescriptorProto FieldProto;
typedef Google__Protobuf__DescriptorProto MsgProto;

static FieldProto *field(const char *name, int num, int type, int repeated,
			 const char *type_name)
{
	FieldProto *f = calloc(1, sizeof(*f));
	google__protobuf__field_descriptor_proto__init(f);
	f->name = (char *)name;
	f->has_number = 1;
	f->number = num;
	f->has_type = 1;
	f->type = (Google__Protobuf__FieldDescriptorProto__Type)type;
	f->has_label = 1;
	f->label =
	    repeated
		? GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED
		: GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_OPTIONAL;
	f->type_name = (char *)type_name;
	return f;
}

static MsgProto *message(const char *name, FieldProto **f, size_t n)
{
	MsgProto *m = calloc(1, sizeof(*m));
	google__protobuf__descriptor_proto__init(m);
	m->name = (char *)name;
	m->field = f;
	m->n_field = n;
	return m;
}

/*
 * package t;
 * message Node { Node child = 1; int32 v = 2; G g = 3 [group];
 *                optional string opt = 4 (proto3 optional);
 *                E e = 5; Missing gone = 6;
 *                message G { int32 x = 1; } }
 * enum E { option allow_alias = true; A = 1; B = 1; C = 2; }
 * Node refers to Node and G relatively, to E from its package.
 */
static struct ns_pbschema *built(void)
{
	FieldProto *nf[6] = {
	    field("child", 1, NS_PB_MESSAGE, 0, "Node"),
	    field("v", 2, NS_PB_INT32, 0, NULL),
	    field("g", 3, NS_PB_GROUP, 0, "G"),
	    field("opt", 4, NS_PB_STRING, 0, NULL),
	    field("e", 5, NS_PB_ENUM, 0, "E"),
	    field("gone", 6, NS_PB_MESSAGE, 0, ".t.Missing"),
	};
	nf[3]->has_oneof_index = 1;
	nf[3]->oneof_index = 0;
	nf[3]->has_proto3_optional = 1;
	nf[3]->proto3_optional = 1;
	Google__Protobuf__OneofDescriptorProto od;
	google__protobuf__oneof_descriptor_proto__init(&od);
	od.name = "_opt";
	Google__Protobuf__OneofDescriptorProto *odp = &od;
	FieldProto *gf[1] = {field("x", 1, NS_PB_INT32, 0, NULL)};
	MsgProto *g = message("G", gf, 1);
	MsgProto *node = message("Node", nf, 6);
	node->nested_type = &g;
	node->n_nested_type = 1;
	node->oneof_decl = &odp;
	node->n_oneof_decl = 1;

	Google__Protobuf__EnumValueDescriptorProto ev[3];
	Google__Protobuf__EnumValueDescriptorProto *evp[3];
	const char *names[3] = {"A", "B", "C"};
	int nums[3] = {1, 1, 2};
	for (int i = 0; i < 3; i++) {
		google__protobuf__enum_value_descriptor_proto__init(&ev[i]);
		ev[i].name = (char *)names[i];
		ev[i].has_number = 1;
		ev[i].number = nums[i];
		evp[i] = &ev[i];
	}
	Google__Protobuf__EnumDescriptorProto en;
	google__protobuf__enum_descriptor_proto__init(&en);
	en.name = "E";
	en.value = evp;
	en.n_value = 3;
	Google__Protobuf__EnumDescriptorProto *enp = &en;

	Google__Protobuf__FileDescriptorProto file;
	google__protobuf__file_descriptor_proto__init(&file);
	file.name = "t.proto";
	file.package = "t";
	file.message_type = &node;
	file.n_message_type = 1;
	file.enum_type = &enp;
	file.n_enum_type = 1;
	Google__Protobuf__FileDescriptorProto *fp = &file;
	Google__Protobuf__FileDescriptorSet set;
	google__protobuf__file_descriptor_set__init(&set);
	set.file = &fp;
	set.n_file = 1;

	size_t n = google__protobuf__file_descriptor_set__get_packed_size(&set);
	uint8_t *b = malloc(n);
	google__protobuf__file_descriptor_set__pack(&set, b);
	char err[256];
	struct ns_pbschema *s = ns_pbschema_parse(b, n, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	free(b);
	for (int i = 0; i < 6; i++)
		free(nf[i]);
	free(gf[0]);
	free(g);
	free(node);
	return s;
}

START_TEST(built_set_resolution)
{
	struct ns_pbschema *s = built();
	ck_assert_uint_eq(ns_pbschema_nmessages(s), 2);
	ck_assert_uint_eq(ns_pbschema_nmethods(s), 0);
	const struct ns_pbmsg *node = ns_pbschema_message(s, "t.Node");
	ck_assert_ptr_nonnull(node);
	ck_assert_ptr_eq(ns_pbschema_field(node, 1)->msg, node);
	ck_assert_str_eq(ns_pbschema_field(node, 3)->msg->name, "t.Node.G");
	ck_assert_str_eq(ns_pbschema_field(node, 5)->en->name, "t.E");
	/* an alias: the first name declared for the number */
	ck_assert_str_eq(
	    ns_pbschema_enum_name(ns_pbschema_field(node, 5)->en, 1), "A");
	/* a proto3 optional is no oneof to show */
	ck_assert_ptr_null(ns_pbschema_field(node, 4)->oneof);
	/* a type the set does not have */
	ck_assert_ptr_null(ns_pbschema_field(node, 6)->msg);
	ns_pbschema_free(s);
}
END_TEST

START_TEST(depth_limit_group_unresolved)
{
	struct ns_pbschema *s = built();
	/* 20 nested Nodes, v = 1 in the innermost */
	struct enc e[21];
	memset(e, 0, sizeof(e));
	e_tag(&e[20], 2, 0);
	e_var(&e[20], 1);
	for (int i = 19; i >= 0; i--)
		e_sub(&e[i], 1, &e[i + 1]);
	struct ns_packet *pkt = decode(s, "t.Node", e[0].b, e[0].n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_count(pkt, "protobuf.field.name"), 16);
	has_problem(pkt, "nested deeper than 16 messages: shown as bytes");

	/* a group (wire types 3 and 4), an enum alias, an unresolved type */
	struct enc m = {0};
	e_tag(&m, 3, 3);
	e_tag(&m, 1, 0);
	e_var(&m, 9);
	e_tag(&m, 3, 4);
	e_tag(&m, 5, 0);
	e_var(&m, 1);
	e_str(&m, 6, "zz");
	pkt = decode(s, "t.Node", m.b, m.n);
	tu_assert_ok(pkt);
	has_field_line(pkt, "g: t.Node.G");
	has_field_line(pkt, "x = 9");
	has_field_line(pkt, "e = A (1)");
	has_field_line(pkt, "gone = 7a7a");
	has_problem(
	    pkt,
	    "type of field 'gone' not in the descriptor set: shown as bytes");
	/* a group that never ends */
	struct enc bad = {0};
	e_tag(&bad, 3, 3);
	e_tag(&bad, 1, 0);
	e_var(&bad, 9);
	tu_assert_malformed(decode(s, "t.Node", bad.b, bad.n),
			    "field 3 cut short");
	ns_pbschema_free(s);
}
END_TEST

/* ---- decoding with inference.desc ------------------------------------------
 */

START_TEST(every_scalar_type_request)
{
	struct enc e = {0};
	e_str(&e, 1, "resnet"); /* string */
	struct enc pk = {0};
	e_f32(&pk, fbits(1.5f));
	e_f32(&pk, fbits(-2.0f));
	e_sub(&e, 2, &pk); /* packed float */
	e_tag(&e, 3, 0);
	e_var(&e, (uint64_t)-1);     /* int32 -1: 10 bytes */
	e_len(&e, 4, "\x00\xff", 2); /* bytes */
	e_tag(&e, 5, 0);
	e_var(&e, 2); /* enum */
	e_tag(&e, 10, 0);
	e_var(&e, 7); /* unpacked uint32 */
	e_tag(&e, 10, 0);
	e_var(&e, 300);
	e_tag(&e, 11, 0);
	e_var(&e, 1); /* bool */
	e_tag(&e, 12, 1);
	e_f64(&e, dbits(0.1)); /* double */
	e_tag(&e, 13, 0);
	e_var(&e, zz(-300)); /* sint64 */
	e_tag(&e, 14, 5);
	e_f32(&e, (uint32_t)-5); /* sfixed32 */
	e_tag(&e, 15, 1);
	e_f64(&e, (uint64_t)-1234567890123LL); /* sfixed64 */
	e_tag(&e, 16, 5);
	e_f32(&e, 0xdeadbeef); /* fixed32 */
	e_tag(&e, 17, 0);
	e_var(&e, 1ULL << 40); /* uint64 */
	struct ns_packet *pkt = dec("inference.PredictRequest", &e);
	tu_assert_ok(pkt);
	has_line(pkt, "inference.PredictRequest", "protobuf.message.name");
	has_field_line(pkt, "model = \"resnet\"");
	has_field_line(pkt, "input = [1.5, -2]");
	has_field_line(pkt, "max_tokens = -1");
	has_field_line(pkt, "blob = 00ff");
	has_field_line(pkt, "priority = PRIORITY_HIGH (2)");
	has_field_line(pkt, "ids = 7");
	has_field_line(pkt, "ids = 300");
	has_field_line(pkt, "trace = true");
	has_field_line(pkt, "temperature = 0.1");
	has_field_line(pkt, "offset = -300");
	has_field_line(pkt, "seed = -5");
	has_field_line(pkt, "nonce = -1234567890123");
	has_field_line(pkt, "crc = 3735928559");
	has_field_line(pkt, "deadline_us = 1099511627776");
	/* the typed values as -T fields and filters see them */
	ck_assert_str_eq(values(pkt, "protobuf.field.name"),
			 "model,input,max_tokens,blob,priority,ids,ids,trace,"
			 "temperature,offset,seed,nonce,crc,deadline_us");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.int32"), "-1,2,-5");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.int64"),
			 "-300,-1234567890123");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.uint32"),
			 "7,300,3735928559");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.uint64"),
			 "1099511627776");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.bool"), "1");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.float"), "1.5,-2");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.double"), "0.1");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.string"), "resnet");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.enum"),
			 "PRIORITY_HIGH");
	ck_assert_str_eq(values(pkt, "protobuf.field.type"),
			 "9,2,5,12,14,13,13,8,1,18,15,16,7,4");
	ck_assert_str_eq(values(pkt, "protobuf.field.number"),
			 "1,2,3,4,5,10,10,11,12,13,14,15,16,17");
	/* the details are recorded but hidden from the tree */
	const struct ns_fv *num = tu_find(pkt, "protobuf.field.number");
	ck_assert(num->hidden);
	ck_assert(!tu_find(pkt, "protobuf.field.name")->hidden);
	ck_assert_ptr_null(strstr(tree(pkt), "[protobuf.field.number]"));
}
END_TEST

START_TEST(reply_nested_unknown_enum_oneof)
{
	struct enc u = {0};
	e_tag(&u, 1, 0);
	e_var(&u, 3); /* uint32 */
	e_tag(&u, 2, 1);
	e_f64(&u, 7); /* fixed64 */
	e_tag(&u, 3, 0);
	e_var(&u, zz(-2)); /* sint32 */
	struct enc e = {0};
	e_tag(&e, 4, 0);
	e_var(&e, (uint64_t)-5); /* int64 */
	e_sub(&e, 5, &u);	 /* nested */
	e_tag(&e, 7, 0);
	e_var(&e, 7);	     /* an enum number without a name */
	e_str(&e, 8, "cat"); /* oneof result */
	struct enc d = {0};
	e_var(&d, zz(-1));
	e_var(&d, zz(300));
	e_sub(&e, 10, &d); /* packed sint32 */
	struct ns_packet *pkt = dec("inference.PredictReply", &e);
	tu_assert_ok(pkt);
	has_field_line(pkt, "count = -5");
	has_field_line(pkt, "usage: inference.Usage");
	has_field_line(pkt, "tokens = 3");
	has_field_line(pkt, "cost = 7");
	has_field_line(pkt, "delta = -2");
	has_field_line(pkt, "priority = 7");
	has_field_line(pkt, "label = \"cat\" (oneof result)");
	has_field_line(pkt, "deltas = [-1, 300]");
	ck_assert_uint_eq(tu_count(pkt, "protobuf.field.value.enum"), 0);
	ck_assert_str_eq(values(pkt, "protobuf.field.oneof"), "result");
	ck_assert_str_eq(values(pkt, "protobuf.message.name"),
			 "inference.PredictReply,inference.Usage");
	/* the nested fields are drawn one level under their field */
	const char *t = tree(pkt);
	ck_assert_int_eq(indent_of(t, "tokens = 3"),
			 indent_of(t, "usage: inference.Usage") + 4);
	ck_assert_int_eq(indent_of(t, "usage: inference.Usage"),
			 indent_of(t, "inference.PredictReply [") + 4);
}
END_TEST

START_TEST(repeated_packed_and_unpacked)
{
	/* Tensor: shape (int64, packed by default) sent both ways, values
	 * (double, [packed = false]) sent both ways: both are accepted */
	struct enc e = {0};
	e_str(&e, 1, "x");
	struct enc sh = {0};
	e_var(&sh, (uint64_t)-1);
	e_var(&sh, 3);
	e_sub(&e, 2, &sh);
	e_tag(&e, 2, 0);
	e_var(&e, 224);
	e_tag(&e, 3, 1);
	e_f64(&e, dbits(0.5));
	struct enc vals = {0};
	e_f64(&vals, dbits(-2));
	e_f64(&vals, dbits(1e300));
	e_sub(&e, 3, &vals);
	e_tag(&e, 4, 0);
	e_var(&e, 1);
	struct ns_packet *pkt = dec("inference.Tensor", &e);
	tu_assert_ok(pkt);
	has_field_line(pkt, "shape = [-1, 3]");
	has_field_line(pkt, "shape = 224");
	has_field_line(pkt, "values = 0.5");
	has_field_line(pkt, "values = [-2, 1e+300]");
	has_field_line(pkt, "dtype = FLOAT32 (1)");
	ck_assert_str_eq(values(pkt, "protobuf.field.value.int64"), "-1,3,224");
}
END_TEST

START_TEST(maps_and_repeated_messages)
{
	struct enc req = {0}, ent = {0}, t1 = {0}, t2 = {0};
	e_str(&ent, 1, "team");
	e_str(&ent, 2, "vision");
	e_sub(&req, 6, &ent);
	memset(&ent, 0, sizeof(ent));
	e_str(&ent, 2, "nokey"); /* proto3 may leave a default key out */
	e_sub(&req, 6, &ent);
	e_str(&t1, 1, "a");
	e_str(&t2, 1, "b");
	e_sub(&req, 7, &t1);
	e_sub(&req, 7, &t2);
	e_len(&req, 9, "\x89PNG", 4); /* oneof prompt */
	struct ns_packet *pkt = dec("inference.PredictRequest", &req);
	tu_assert_ok(pkt);
	has_field_line(pkt, "labels: \"team\" \xe2\x86\x92 \"vision\"");
	has_field_line(pkt, "labels: (default) \xe2\x86\x92 \"nokey\"");
	has_field_line(pkt, "tensors: inference.Tensor");
	has_field_line(pkt, "name = \"a\"");
	has_field_line(pkt, "name = \"b\"");
	has_field_line(pkt, "image = 89504e47 (oneof prompt)");
	/* the entries' own fields are on the map's line, not below it */
	ck_assert_ptr_null(strstr(tree(pkt), "key = "));
	/* ...but there for filters, as Wireshark has them */
	ck_assert_str_eq(
	    values(pkt, "protobuf.field.name"),
	    "labels,key,value,labels,value,tensors,name,tensors,name,image");

	/* a map with message values */
	struct enc rep = {0}, pe = {0}, us = {0};
	e_tag(&us, 1, 0);
	e_var(&us, 4);
	e_tag(&pe, 1, 0);
	e_var(&pe, 5);
	e_sub(&pe, 2, &us);
	e_sub(&rep, 6, &pe);
	pkt = dec("inference.PredictReply", &rep);
	tu_assert_ok(pkt);
	has_field_line(pkt, "per_layer: 5 \xe2\x86\x92 inference.Usage");
	has_field_line(pkt, "tokens = 4");
	const char *t = tree(pkt);
	ck_assert_int_eq(indent_of(t, "tokens = 4"),
			 indent_of(t, "per_layer: 5") + 4);
}
END_TEST

START_TEST(unknown_field_and_wrong_wire_type)
{
	struct enc e = {0};
	e_str(&e, 1, "m");
	e_tag(&e, 111, 0); /* not declared */
	e_var(&e, 42);
	e_tag(&e, 3, 2); /* int32 sent as a string */
	e_var(&e, 2);
	e_raw(&e, "hi", 2);
	e_tag(&e, 1, 0); /* string sent as a varint */
	e_var(&e, 5);
	struct ns_packet *pkt = dec("inference.PredictRequest", &e);
	tu_assert_ok(pkt);
	has_field_line(pkt, "model = \"m\"");
	/* raw, as without a schema */
	has_line(pkt, "Field Number: 111", "protobuf.field.number");
	has_line(pkt, "Uint64: 42", "protobuf.field.value.uint64");
	/* a length-delimited value for a single int32: raw */
	has_problem(pkt,
		    "field 'max_tokens' is int32 but came with wire type 2: "
		    "shown raw");
	has_problem(
	    pkt,
	    "field 'model' is string but came with wire type 0: shown raw");
	has_line(pkt, "Uint64: 5", "protobuf.field.value.uint64");
}
END_TEST

START_TEST(malformed_input)
{
	/* a varint cut short after a good field */
	struct enc e = {0};
	e_str(&e, 1, "ok");
	e_tag(&e, 3, 0);
	e_raw(&e, "\xff\xff", 2);
	struct ns_packet *pkt = dec("inference.PredictRequest", &e);
	tu_assert_malformed(pkt, "inference.PredictRequest field 3 cut short");
	has_field_line(pkt, "model = \"ok\"");
	/* a length past the end of the message */
	struct enc l = {0};
	e_tag(&l, 1, 2);
	e_var(&l, 50);
	e_raw(&l, "abc", 3);
	tu_assert_malformed(dec("inference.PredictRequest", &l),
			    "inference.PredictRequest field 1 cut short");
	/* ...and inside a nested message: the outer one is still shown */
	struct enc n = {0}, inner = {0};
	e_tag(&inner, 1, 2);
	e_var(&inner, 9);
	e_sub(&n, 5, &inner);
	pkt = dec("inference.PredictReply", &n);
	tu_assert_malformed(pkt, "inference.Usage field 1 cut short");
	has_field_line(pkt, "usage: inference.Usage");
	/* field number 0, and an end-group with no start */
	static const uint8_t zero[] = {0x00, 0x01};
	tu_assert_malformed(decode(inf, "inference.PredictRequest", zero, 2),
			    "bad field tag");
	static const uint8_t endg[] = {0x0c};
	tu_assert_malformed(decode(inf, "inference.PredictRequest", endg, 1),
			    "field 1 has an impossible wire type");
	/* a packed float field that is not whole floats */
	struct enc p = {0};
	e_len(&p, 2, "\0\0\x80\x3f\0", 5);
	pkt = dec("inference.PredictRequest", &p);
	tu_assert_ok(pkt);
	has_problem(pkt,
		    "packed float values: 5 bytes is not a whole number of "
		    "4-byte values");
	/* a packed varint field ending inside a varint */
	struct enc v = {0};
	e_len(&v, 2 /* float: fixed */, "", 0);
	e_len(&v, 10, "\x07\x80", 2);
	tu_assert_malformed(dec("inference.PredictRequest", &v),
			    "packed field 'ids' ends inside a varint");
}
END_TEST

/* Round `round` of a fixed sequence from a small LCG (state *x): 1 to 97
 * bytes into b, every other one starting with a valid tag of a
 * length-delimited field, so decoding goes deeper; returns the length. */
static size_t random_message(uint32_t *x, int round, uint8_t *b)
{
	size_t n = (size_t)(round % 97) + 1;
	for (size_t i = 0; i < n; i++) {
		*x = *x * 1103515245u + 12345u;
		b[i] = (uint8_t)(*x >> 16);
	}
	if (round & 1)
		b[0] = (uint8_t)((round % 17 + 1) << 3 | 2);
	return n;
}

START_TEST(random_bytes_never_crash)
{
	/* a fixed sequence from a small LCG: any bytes as any type */
	static const char *const types[] = {
	    "inference.PredictRequest",
	    "inference.PredictReply",
	    "inference.Tensor",
	    "inference.Usage",
	    "inference.PredictRequest.LabelsEntry",
	};
	uint32_t x = 12345;
	uint8_t b[256];
	for (int round = 0; round < 4000; round++) {
		size_t n = random_message(&x, round, b);
		struct ns_packet *pkt = decode(inf, types[round % 5], b, n);
		ck_assert(pkt->status != NS_LAYER_TRUNCATED);
		(void)tree(pkt);
	}
}
END_TEST

START_TEST(no_type_is_raw)
{
	struct enc e = {0};
	e_str(&e, 1, "m");
	struct ns_packet *pkt = dec(NULL, &e);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_count(pkt, "protobuf.field.name"), 0);
	ck_assert_str_eq(tu_value(pkt, "protobuf.field.value.string"), "m");
	has_line(pkt, "Message", "protobuf.message");
}
END_TEST

/* With nothing but the summary line reading the record
 * (ns_engine.summary_only), a message with no type is only checked: the
 * packet's outcome and reason are those of the full raw decoding. */
START_TEST(summary_only_same_outcome)
{
	static struct ns_engine eng;
	eng.summary_only = 1;
	uint32_t x = 777;
	uint8_t b[256];
	for (int round = 0; round < 4000; round++) {
		size_t n = random_message(&x, round, b);
		if (round % 4 == 3 && n > 2) /* its length within the bytes */
			b[1] = (uint8_t)((x >> 8) % (n - 1));
		tu_pkt.eng = NULL;
		struct ns_packet *pkt = decode(inf, NULL, b, n);
		uint8_t status = pkt->status;
		char reason[256] = "";
		if (pkt->reason)
			snprintf(reason, sizeof(reason), "%s", pkt->reason);
		tu_pkt.eng = &eng;
		pkt = decode(inf, NULL, b, n);
		tu_pkt.eng = NULL;
		ck_assert_uint_eq(pkt->status, status);
		ck_assert_str_eq(pkt->reason ? pkt->reason : "", reason);
		ck_assert_uint_eq(tu_count(pkt, "protobuf.field.number"), 0);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("protobuf");
	TCase *tc = tu_tcase("schema");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, load_inference_desc);
	tcase_add_test(tc, load_errors);
	tcase_add_test(tc, built_set_resolution);
	tcase_add_test(tc, depth_limit_group_unresolved);
	suite_add_tcase(s, tc);
	tc = tu_tcase("typed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_scalar_type_request);
	tcase_add_test(tc, reply_nested_unknown_enum_oneof);
	tcase_add_test(tc, repeated_packed_and_unpacked);
	tcase_add_test(tc, maps_and_repeated_messages);
	tcase_add_test(tc, unknown_field_and_wrong_wire_type);
	tcase_add_test(tc, malformed_input);
	tcase_add_test(tc, random_bytes_never_crash);
	tcase_add_test(tc, no_type_is_raw);
	tcase_add_test(tc, summary_only_same_outcome);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
