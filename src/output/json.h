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
 * reused; ns_json_free() releases them.
 */
#ifndef NS_JSON_H
#define NS_JSON_H

#include <stdint.h>

#include "core/buf.h"
#include "core/packet.h"

struct ns_json {
	/* per field value of the current packet */
	uint32_t *end;	/* index just past its subtree */
	uint32_t *next; /* next value with the same key in its object */
	uint8_t *first; /* the first value with its key in its object */
	uint32_t cap;
	/* per field id */
	uint32_t *stamp, *last;
	uint32_t nids;
	const struct ns_field *const *by_id; /* the registry's */
	uint32_t serial; /* stamp of the object being grouped */
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
