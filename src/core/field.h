/*
 * field — typed field declarations and the field registry.
 *
 * A dissector declares its fields once, in a static array of struct
 * ns_field (name, title, type, display).  Names follow Wireshark's where
 * Wireshark has the same field (`ip.src`, `tcp.flags.syn`), our own under the
 * protocol's prefix otherwise.  At start-up the registry numbers every field,
 * adds one protocol field per dissector (`tcp`), and indexes them by name.
 * The same declarations drive `netscope fields`, the verbose tree, -T fields,
 * JSON keys, and later the display filter and the TUI: one source of truth.
 */
#ifndef NS_FIELD_H
#define NS_FIELD_H

#include <stddef.h>
#include <stdint.h>

enum ns_ftype {
	NS_FT_PROTO,   /* a protocol: present or not */
	NS_FT_NONE,    /* a label for a subtree, no value */
	NS_FT_BOOL,    /* v.u is 0 or 1 */
	NS_FT_UINT,    /* v.u, `bits` wide */
	NS_FT_INT,     /* v.i */
	NS_FT_DOUBLE,  /* v.d */
	NS_FT_RELTIME, /* v.i: nanoseconds */
	NS_FT_ABSTIME, /* v.i: nanoseconds since the Unix epoch */
	NS_FT_ETHER,   /* v.b: 6 bytes */
	NS_FT_IPV4,    /* v.b: 4 bytes, network order */
	NS_FT_IPV6,    /* v.b: 16 bytes */
	NS_FT_STRING,  /* v.b: bytes of text (not NUL-terminated) */
	NS_FT_BYTES,   /* v.b: raw bytes */
	NS_FT_COUNT
};

enum ns_base {
	NS_BASE_DEC,
	NS_BASE_HEX,
	NS_BASE_DEC_HEX, /* decimal, and hex in the tree */
};

struct ns_valstr {
	uint64_t v;
	const char *s;
};

struct ns_dissector;
struct ns_buf;
struct ns_packet;

struct ns_field {
	const char *name;  /* "tcp.srcport" */
	const char *title; /* "Source Port" */
	uint8_t type;	   /* enum ns_ftype */
	uint8_t bits;	   /* width of UINT/INT values, for hex display */
	uint8_t base;	   /* enum ns_base */
	const struct ns_valstr *vals; /* names of values, or NULL */
	/* An alias names two fields of the same type and is never recorded
	 * itself: `tcp.port` is tcp.srcport or tcp.dstport, as in Wireshark,
	 * so `tcp.port == 80` tests either and `-e tcp.port` lists both. */
	const char *alias_of[2];
	/* Optional: writes the verbose-tree line of the value at pkt->fv[i]
	 * (what follows the indent, before " [name]") instead of
	 * "Title: value", e.g. a typed protobuf field as `name = value`
	 * from its hidden children.  Runs only when a tree is drawn. */
	void (*tree_line)(struct ns_buf *b, const struct ns_packet *pkt,
			  uint32_t i);
	/* Assigned by ns_registry_init(). */
	uint32_t id;
	uint32_t name_len; /* strlen(name), for JSON keys; 0: not counted */
	const struct ns_dissector *proto;
	const struct ns_field *alias[2]; /* alias_of resolved */
};

#define NS_F(n, t, ty, w, b, v)                                                \
	{                                                                      \
		.name = (n), .title = (t), .type = (ty), .bits = (w),          \
		.base = (b), .vals = (v)                                       \
	}
#define NS_F_UINT(n, t, w)	 NS_F(n, t, NS_FT_UINT, w, NS_BASE_DEC, NULL)
#define NS_F_HEX(n, t, w)	 NS_F(n, t, NS_FT_UINT, w, NS_BASE_HEX, NULL)
#define NS_F_VALS(n, t, w, b, v) NS_F(n, t, NS_FT_UINT, w, b, v)
#define NS_F_BOOL(n, t)		 NS_F(n, t, NS_FT_BOOL, 1, NS_BASE_DEC, NULL)
#define NS_F_NONE(n, t)		 NS_F(n, t, NS_FT_NONE, 0, NS_BASE_DEC, NULL)
#define NS_F_ETHER(n, t)	 NS_F(n, t, NS_FT_ETHER, 0, NS_BASE_DEC, NULL)
#define NS_F_IPV4(n, t)		 NS_F(n, t, NS_FT_IPV4, 0, NS_BASE_DEC, NULL)
#define NS_F_IPV6(n, t)		 NS_F(n, t, NS_FT_IPV6, 0, NS_BASE_DEC, NULL)
#define NS_F_STR(n, t)		 NS_F(n, t, NS_FT_STRING, 0, NS_BASE_DEC, NULL)
#define NS_F_BYTES(n, t)	 NS_F(n, t, NS_FT_BYTES, 0, NS_BASE_DEC, NULL)
#define NS_F_RELTIME(n, t)	 NS_F(n, t, NS_FT_RELTIME, 0, NS_BASE_DEC, NULL)
#define NS_F_ABSTIME(n, t)	 NS_F(n, t, NS_FT_ABSTIME, 0, NS_BASE_DEC, NULL)
#define NS_F_DOUBLE(n, t)	 NS_F(n, t, NS_FT_DOUBLE, 0, NS_BASE_DEC, NULL)
/* An alias of fields a and b, declared after them in the same table. */
#define NS_F_ALIAS(n, t, a, b)                                                 \
	{                                                                      \
		.name = (n), .title = (t), .alias_of = {(a), (b) }             \
	}

#define NS_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The index of all fields, numbered by id (all[i]->id == i); it keeps
 * `all`.  For the registry (ns_registry_init). */
void ns_fields_index(const struct ns_field **all, uint32_t n);
/* Whether the index is built. */
int ns_fields_indexed(void);

/* Field by name (exact), or NULL. */
const struct ns_field *ns_field_by_name(const char *name);
/* Field by id, or NULL when out of range. */
const struct ns_field *ns_field_by_id(uint32_t id);
/* All of them, indexed by id (ns_field_count() of them), for a caller
 * that looks up one per value. */
const struct ns_field *const *ns_fields_by_id(void);
uint32_t ns_field_count(void);
/* The registered field nearest to name[0..n), if near enough to be a
 * typo (edit distance at most 1 to 3, by length), or NULL. */
const struct ns_field *ns_field_nearest(const char *name, size_t n);

/* 1 when a recorded value of field `have` is a value of `want` (the same
 * field, or one `want` is an alias of). */
static inline int ns_field_is(const struct ns_field *want,
			      const struct ns_field *have)
{
	return have == want || have == want->alias[0] || have == want->alias[1];
}

/* "uint16", "ipv4", …: the type as `netscope fields` shows it. */
const char *ns_ftype_name(const struct ns_field *f);

/* Wireshark's name of the type, as `tshark -G fields` and `netscope
 * fields` print it: "FT_UINT16", "FT_IPv4", "FT_BOOLEAN", ... (integers
 * by their declared width). */
const char *ns_ftype_ws_name(const struct ns_field *f);

/* Name of a value from a field's table, or NULL. */
const char *ns_valstr_find(const struct ns_valstr *vals, uint64_t v);
/* The name field f gives value v, or v as 0x%04x (f may be NULL). */
void ns_field_put_name(struct ns_buf *b, const struct ns_field *f, uint64_t v);

#endif
