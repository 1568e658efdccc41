/*
 * json — the JSON and NDJSON sinks (-T json, -T ndjson): one object per
 * packet, built from the packet's flat field array.
 *
 * The layout (man/netscope.1, section JSON OUTPUT, is the reference):
 *
 *   {"timestamp":"2026-11-25T12:39:46.852576Z","protocols":"eth:ip:udp",
 *    "layers":{"frame":{"frame.number":1,...},"eth":{...},"ip":{...},...}}
 *
 * Every object follows the same rules, at every level:
 *  - keys are full field names (`ip.src`), as -T fields and filters name
 *    them, or protocol names for layers;
 *  - a key that would occur more than once in an object maps to an array
 *    of its values in packet order: a repeated field, a repeated subtree,
 *    a protocol that occurs twice (IP in IP): never a duplicate key;
 *  - a field that heads a subtree maps to its value and `NAME_tree` to the
 *    subtree's object (tshark's convention); a label (a field without a
 *    value, such as tcp.options.mss) maps to the subtree's object itself;
 *  - the layers an ICMP error quotes nest in the quoting layer's object.
 * Numbers and booleans are JSON numbers and booleans; times are seconds
 * (absolute ones since the epoch); bytes are plain lowercase hex.
 *
 * Cost: linear in the packet's fields.  Equal keys are grouped through a
 * table indexed by field id that is stamped per object, so nothing is
 * cleared per packet and no object is scanned twice.  The scratch arrays
 * grow to the largest packet seen (bounded by NS_MAX_FIELDS) and are
 * reused; ns_json_free() releases them.  Most packets repeat the layouts
 * of earlier ones (the same fields in the same tree, layer by layer): a
 * layer's layout is kept as a plan (NS_JSON_PLANS per layer position,
 * layers of up to NS_JSON_PLAN_MAX fields) with the text its members
 * wrote the first time, and a layer that matches one is written as that
 * text with its own values in between, nothing worked out again.
 */
#ifndef NS_JSON_H
#define NS_JSON_H

#include <stdint.h>

#include "core/buf.h"
#include "core/packet.h"

/* A layer's plan as last made at one layer position: its fields (field
 * and depth) and what was worked out from them (end, next, first, as
 * offsets in the layer).  A packet whose layer there has the same fields
 * in the same tree takes it instead of working it out again (the layers
 * of one kind of packet repeat); layers of more than NS_JSON_PLAN_MAX
 * fields are not kept. */
#define NS_JSON_PLAN_MAX 256
#define NS_JSON_PLANS	 16 /* kept per layer position */

struct ns_json_op {
	uint32_t off, len; /* text lit[off .. off + len) */
	uint32_t field;	   /* then this field's value (UINT32_MAX: none) */
	uint8_t type;	   /* the field's (enum ns_ftype) */
};

struct ns_json_plan {
	uint32_t n; /* 0: none */
	const struct ns_field *f[NS_JSON_PLAN_MAX];
	uint8_t depth[NS_JSON_PLAN_MAX];
	uint8_t first[NS_JSON_PLAN_MAX];
	uint32_t end[NS_JSON_PLAN_MAX], next[NS_JSON_PLAN_MAX];
	/* what the layer's members write, as recorded the first time: the
	 * text between the values (keys, brackets, braces) is the plan's,
	 * only the values are the packet's (0 ops: not recorded yet) */
	uint32_t nops;
	struct ns_json_op ops[NS_JSON_PLAN_MAX + 1];
	char *lit; /* with 64 bytes to spare: pieces are copied 64 at once */
	uint32_t litlen, litcap;
};

/* Where a layer's layout is (a plan's, or the scratch arrays from the
 * layer's first field): indexed by field from the layer's first. */
struct ns_json_lay {
	uint32_t *end, *next;
	uint8_t *first;
	struct ns_json_plan *plan; /* NULL: the scratch arrays */
};

struct ns_json {
	/* per field value of the current packet */
	uint32_t *end;	/* index just past its subtree */
	uint32_t *next; /* next value with the same key in its object */
	/* the first value with its key in its object: 1 when it is the only
	 * one, 2 when others follow (next[]); 0 for the others */
	uint8_t *first;
	uint32_t cap;
	/* per field id */
	uint32_t *stamp, *last, *head;
	uint32_t nids;
	const struct ns_field *const *by_id; /* the registry's */
	uint32_t serial; /* stamp of the object being grouped */
	/* NS_JSON_PLANS for each layer position (NULL until one is made
	 * there); and which one of a position's a new layout replaces next */
	struct ns_json_plan *plan[NS_MAX_LAYERS];
	uint8_t victim[NS_MAX_LAYERS];
	struct ns_json_lay lay[NS_MAX_LAYERS]; /* the packet's, by layer */
	/* the plan whose text is being recorded, and where in the output the
	 * text since the last value starts */
	struct ns_json_plan *rec;
	size_t rec_mark;
	/* "YYYY-MM-DDTHH:MM:SS" of the last timestamp's second */
	int64_t tsec;
	int have_tsec;
	char tprefix[32];
};

/* Appends the JSON object of pkt (no newline); with `raw`, the captured
 * bytes as "raw" (-x). */
void ns_json_packet(struct ns_json *j, struct ns_buf *b,
		    const struct ns_packet *pkt, int raw);
void ns_json_free(struct ns_json *j);

#endif
