/*
 * packet — the record of one packet: metadata, the stack of layers, and the
 * typed fields every layer emitted.
 *
 * One record is reused for every packet: ns_pkt_begin() resets it, keeping
 * its field array and the first chunk of its arena.  Dissectors add fields
 * through the ns_add_* / ns_get_* helpers below; a field holds its value
 * (numbers inline, bytes as a pointer into the packet or the arena) and the
 * offset and length of the bytes it came from.  Fields are stored flat, in
 * emission order, each with a tree depth, so the verbose tree, filters and
 * JSON can walk them without a separate tree being built.
 *
 * Lifetime: field values that point into packet data are valid until the
 * next ns_pkt_begin(); nothing may keep them longer.
 */
#ifndef NS_PACKET_H
#define NS_PACKET_H

#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/field.h"
#include "core/reader.h"

#define NS_MAX_LAYERS 32
#define NS_MAX_FIELDS 65536

struct ns_fv {
	const struct ns_field *f;
	uint32_t off, len; /* bytes of the packet this value came from */
	uint8_t depth;	   /* 0 for a protocol, its fields 1, subtrees deeper */
	uint8_t layer;	   /* index into ns_packet.layers */
	/* recorded for filters and -T fields but not drawn in the verbose
	 * tree, as Wireshark's hidden items (details of a typed protobuf
	 * field that its one line already tells); its children that are
	 * not hidden are drawn one level up */
	uint8_t hidden;
	union {
		uint64_t u;
		int64_t i;
		double d;
		struct {
			const uint8_t *p;
			uint32_t n;
		} b;
	} v;
};

enum ns_layer_status {
	NS_LAYER_OK = 0,
	NS_LAYER_TRUNCATED, /* the capture ended inside this layer */
	NS_LAYER_MALFORMED, /* this layer's bytes are impossible */
};

struct ns_dissector;
struct ns_engine;
struct ns_flow;
struct ns_streams;

struct ns_layer {
	const struct ns_dissector *d;
	uint32_t off, len; /* bytes from the layer's header to its end */
	uint32_t fv_first, fv_end; /* its fields: fv[fv_first .. fv_end) */
	uint8_t status;		   /* enum ns_layer_status */
	uint8_t quoted;	    /* inside another layer's payload (ICMP error) */
	uint8_t decrypted;  /* carried by decrypted TLS (tls_decrypt.c) */
	const char *reason; /* why it is malformed, or NULL */
	/* the bytes off/len and the layer's field offsets refer to: NULL for
	 * the packet's own data, else a reassembled message (arena copy) */
	const uint8_t *src;
	uint32_t srclen;
	/* what the dissector noted for its summary line as it recorded the
	 * fields (in the packet's arena), or NULL */
	void *sum;
};

enum ns_addr_type { NS_ADDR_NONE, NS_ADDR_ETHER, NS_ADDR_IPV4, NS_ADDR_IPV6 };

struct ns_packet {
	/* metadata, set by ns_pkt_begin() */
	uint64_t num;  /* 1-based frame number */
	int64_t ts;    /* capture time, ns since the epoch */
	int64_t rel;   /* ns since the first packet of the run */
	int64_t delta; /* ns since the previous packet read (0: the first) */
	uint32_t caplen, len;
	int linktype;
	int ts_digits; /* 6 or 9: precision of the source */
	/* the pcapng interface (frame.interface_id, frame.interface_name):
	 * set by the run after ns_pkt_begin() for what libwiretap read;
	 * -1 and NULL otherwise (libpcap does not say) */
	int64_t ifid;
	const char *ifname;
	const uint8_t *data;

	struct ns_layer layers[NS_MAX_LAYERS];
	unsigned nlayers;

	struct ns_fv *fv;
	uint32_t nfv, fvcap;
	/* fvcap, or 0 when no field is recorded (ns_pkt_keep_fields) */
	uint32_t fvroom;
	/* nothing reads the fields: none is recorded (1), or only the named
	 * ones (2) */
	uint8_t nofields;
	/* when nofields: the fields recorded all the same, by id (named[id]
	 * non-zero; ns_pkt_name_fields), or NULL */
	const uint8_t *named;
	uint32_t nnamed;
	uint32_t fv_dropped; /* fields not recorded: NS_MAX_FIELDS reached */
	uint8_t depth;	     /* depth given to the next field */
	uint8_t cur_layer;   /* nlayers - 1, kept by layer_open */

	struct ns_arena arena;
	/* text a dissector builds while it parses (dns.rr), reused from
	 * packet to packet; empty on entry to a dissector's call */
	struct ns_buf scratch;

	/* dispatch: set by a dissector to name what comes next */
	uint8_t next_table;
	uint32_t next_key;
	/* set by IPv4/IPv6 for the transport above them */
	uint32_t ip_payload_len; /* payload length the IP header states */
	uint8_t ip_fragment; /* the payload is the first of several fragments */
	/* set by radiotap for the 802.11 frame above it: its Flags byte */
	uint8_t radiotap_flags;
	/* set by IPv4/IPv6 when a fragment completes a datagram: the layers
	 * after this one read the reassembled payload (in the arena) instead
	 * of the packet's bytes; the layer loop switches its reader to it */
	const uint8_t *next_src;
	uint32_t next_srclen;
	/* what new layers read: NULL for the packet's own bytes */
	const uint8_t *cur_src;
	uint32_t cur_srclen;

	/* set by a dissector whose payload must not be taken for an error
	 * when short (the IP header quoted inside an ICMP error) */
	uint8_t quoted;

	/* the addresses and ports of the one-line summary (innermost wins) */
	uint8_t addr_type; /* enum ns_addr_type */
	const uint8_t *src, *dst;
	uint8_t has_ports;
	uint16_t sport, dport;
	/* the addresses of a quoted packet (ICMP error), for its flow */
	uint8_t quote_addr_type;
	const uint8_t *quote_src, *quote_dst;

	/* outcome */
	uint8_t status; /* enum ns_layer_status of the first bad layer */
	const char *reason;

	/* state across packets (flows, streams); NULL: stateless */
	struct ns_engine *eng;
	/* set by a transport that has stream bytes to deliver once its
	 * layer is closed (TCP: ns_stream_deliver on this segment's flow and
	 * direction); returns 1 when a stream consumer took the payload */
	int (*deliver)(struct ns_packet *pkt);
	struct ns_flow *stream_flow;
	int stream_dir;
	struct ns_streams *streams;
	/* the transport's flow, for sinks and filters (NULL when none) */
	struct ns_flow *flow;
};

void ns_pkt_init(struct ns_packet *pkt);
void ns_pkt_free(struct ns_packet *pkt);
/* Starts a new packet on the record; `data` must outlive the packet. */
void ns_pkt_begin(struct ns_packet *pkt, uint64_t num, int64_t ts, int64_t rel,
		  uint32_t caplen, uint32_t len, int linktype,
		  const uint8_t *data);

/* Whether fields are recorded from the next one on (the default);
 * returns whether they were.  A run whose packets nobody reads field by
 * field (no output, no display filter, no report of packets) turns them
 * off, and dissectors run as before with ns_pkt_add() giving NULL, as
 * when the cap is reached.  A dissector that reads its own fields back
 * (ns_dissector.reads_fields: TLS, DNS) has them recorded around its
 * dissect() by the layer loop. */
int ns_pkt_keep_fields(struct ns_packet *pkt, int on);

/* With fields not kept, the ones recorded all the same: named[id]
 * non-zero for field id < n (NULL: none).  A run whose only readers of
 * packets name what they read (-z expert) records just those; `named`
 * must outlive the packet's use. */
void ns_pkt_name_fields(struct ns_packet *pkt, const uint8_t *named,
			uint32_t n);

/* Whether f is recorded while fields are not kept (ns_pkt_name_fields). */
static inline int ns_pkt_named(const struct ns_packet *pkt,
			       const struct ns_field *f)
{
	return f->id < pkt->nnamed && pkt->named[f->id];
}

/* Grows the field array (out of line: rare) and appends; NULL when the
 * cap is reached. */
struct ns_fv *ns_pkt_add_slow(struct ns_packet *pkt, const struct ns_field *f,
			      uint32_t off, uint32_t len);

static inline struct ns_fv *ns_pkt_fill(struct ns_packet *pkt,
					const struct ns_field *f, uint32_t off,
					uint32_t len)
{
	struct ns_fv *fv = &pkt->fv[pkt->nfv++];
	fv->f = f;
	fv->off = off;
	fv->len = len;
	fv->depth = pkt->depth;
	fv->layer = pkt->cur_layer;
	fv->hidden = 0;
	fv->v.u = 0;
	fv->v.b.n = 0;
	return fv;
}

/* Appends a field at the current depth; NULL when the cap is reached or
 * fields are not recorded.  A named field, when fields are not kept,
 * goes in as any other while the array has room. */
static inline struct ns_fv *ns_pkt_add(struct ns_packet *pkt,
				       const struct ns_field *f, uint32_t off,
				       uint32_t len)
{
	if (__builtin_expect(pkt->nfv >= pkt->fvroom, 0)) {
		if (pkt->nofields == 1 ||
		    (pkt->nofields && !ns_pkt_named(pkt, f)))
			return NULL;
		if (pkt->nfv >= pkt->fvcap)
			return ns_pkt_add_slow(pkt, f, off, len);
	}
	return ns_pkt_fill(pkt, f, off, len);
}

static inline void ns_tree_push(struct ns_packet *pkt)
{
	pkt->depth++;
}

static inline void ns_tree_pop(struct ns_packet *pkt)
{
	if (pkt->depth > 1)
		pkt->depth--;
}

static inline void ns_add_uint(struct ns_packet *pkt, const struct ns_field *f,
			       uint32_t off, uint32_t len, uint64_t v)
{
	struct ns_fv *fv = ns_pkt_add(pkt, f, off, len);
	if (fv)
		fv->v.u = v;
}

static inline void ns_add_int(struct ns_packet *pkt, const struct ns_field *f,
			      uint32_t off, uint32_t len, int64_t v)
{
	struct ns_fv *fv = ns_pkt_add(pkt, f, off, len);
	if (fv)
		fv->v.i = v;
}

static inline void ns_add_double(struct ns_packet *pkt,
				 const struct ns_field *f, uint32_t off,
				 uint32_t len, double v)
{
	struct ns_fv *fv = ns_pkt_add(pkt, f, off, len);
	if (fv)
		fv->v.d = v;
}

/* Bytes-valued field (addresses, strings, raw bytes); `p` must live as long
 * as the packet (packet data or the packet arena). */
static inline void ns_add_bytes(struct ns_packet *pkt, const struct ns_field *f,
				uint32_t off, uint32_t len, const uint8_t *p,
				uint32_t n)
{
	struct ns_fv *fv = ns_pkt_add(pkt, f, off, len);
	if (fv) {
		fv->v.b.p = p;
		fv->v.b.n = n;
	}
}

/* A field with no value: a subtree label such as tcp.options. */
static inline void ns_add_label(struct ns_packet *pkt, const struct ns_field *f,
				uint32_t off, uint32_t len)
{
	ns_pkt_add(pkt, f, off, len);
}

/*
 * Read-and-record: read a big-endian value at the cursor, record it as
 * field f with its offset and size, return it.  Nothing is recorded when the
 * read overruns (the reader's error says so).
 */
static inline uint8_t ns_get_u8(struct ns_packet *pkt, struct ns_reader *r,
				const struct ns_field *f)
{
	uint32_t off = ns_rd_off(r);
	uint8_t v = ns_rd_u8(r);
	if (!r->err)
		ns_add_uint(pkt, f, off, 1, v);
	return v;
}

static inline uint16_t ns_get_u16(struct ns_packet *pkt, struct ns_reader *r,
				  const struct ns_field *f)
{
	uint32_t off = ns_rd_off(r);
	uint16_t v = ns_rd_u16(r);
	if (!r->err)
		ns_add_uint(pkt, f, off, 2, v);
	return v;
}

static inline uint32_t ns_get_u32(struct ns_packet *pkt, struct ns_reader *r,
				  const struct ns_field *f)
{
	uint32_t off = ns_rd_off(r);
	uint32_t v = ns_rd_u32(r);
	if (!r->err)
		ns_add_uint(pkt, f, off, 4, v);
	return v;
}

/* n raw bytes (an address, an opaque blob) as field f; returns them. */
static inline const uint8_t *ns_get_bytes(struct ns_packet *pkt,
					  struct ns_reader *r,
					  const struct ns_field *f, uint32_t n)
{
	uint32_t off = ns_rd_off(r);
	const uint8_t *p = ns_rd_ptr(r, n);
	if (p)
		ns_add_bytes(pkt, f, off, n, p, n);
	return p;
}

/* The first value of field f in layer l (or any layer if l < 0), or NULL. */
const struct ns_fv *ns_pkt_find(const struct ns_packet *pkt, int l,
				const struct ns_field *f);

/* Sets the addresses shown on the summary line; an inner layer overrides. */
static inline void ns_pkt_set_addrs(struct ns_packet *pkt, uint8_t type,
				    const uint8_t *src, const uint8_t *dst)
{
	if (pkt->quoted) { /* kept apart: the quote's flow lookup uses them */
		pkt->quote_addr_type = type;
		pkt->quote_src = src;
		pkt->quote_dst = dst;
		return;
	}
	pkt->addr_type = type;
	pkt->src = src;
	pkt->dst = dst;
	pkt->has_ports = 0;
}

static inline void ns_pkt_set_ports(struct ns_packet *pkt, uint16_t sport,
				    uint16_t dport)
{
	if (pkt->quoted)
		return;
	pkt->has_ports = 1;
	pkt->sport = sport;
	pkt->dport = dport;
}

#endif
