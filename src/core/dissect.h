/*
 * dissect — the dissector descriptor, the dispatch tables and the loop that
 * walks a packet from its link layer up.
 *
 * A dissector is one file in dissectors/ exporting one struct ns_dissector:
 * its name, its fields, the function that parses its header and the tables
 * it binds to (link type, ethertype, IP protocol, …).  The dissect function
 * reads its header from the reader it is given, records fields, leaves the
 * reader on its payload (limited to the payload's extent) and names what
 * comes next with ns_next().  The core then finds the dissector bound to
 * that key and hands it the same reader.  Adding a protocol means writing its
 * file and adding one line to the table in dissect.c.
 */
#ifndef NS_DISSECT_H
#define NS_DISSECT_H

#include <stdint.h>

#include "core/buf.h"
#include "core/field.h"
#include "core/packet.h"
#include "core/reader.h"

enum ns_table_id {
	NS_TAB_NONE,
	NS_TAB_LINKTYPE,  /* pcap LINKTYPE_* value */
	NS_TAB_ETHERTYPE, /* Ethernet type (also SLL protocol, VLAN inner type)
			   */
	NS_TAB_IPPROTO,	  /* IPv4 protocol / IPv6 next header */
	NS_TAB_BSD_AF,	  /* BSD NULL/loopback address family */
	NS_TAB_TCP_PORT,
	NS_TAB_UDP_PORT,
	NS_TAB_LTYPE,	/* Linux ETH_P_* below 0x0600 (sll.ltype): 4 = 802.2 LLC
			 */
	NS_TAB_LLC_SAP, /* IEEE 802.2 DSAP of a non-SNAP information frame */
	NS_TAB_MPLS_PW, /* pseudowire payload after an MPLS stack: RFC 4446 PW
			   type */
	/* key: index in the UDP heuristics (ns_udp_heuristic) */
	NS_TAB_UDP_HEUR,
	/* keyed by name (ns_binding.name, case-insensitive) */
	NS_TAB_ALPN,	/* TLS ALPN protocol id ("h2"): decrypted bytes */
	NS_TAB_UPGRADE, /* HTTP Upgrade token ("h2c") */
	NS_TAB_COUNT
};

struct ns_dissector;

/*
 * What a dissector is handed besides its bytes (never NULL).  A header read
 * from the packet gets an empty one; a message a stream or a transport hands
 * over (ns_stream_message, ns_dissect_layer) carries the caller's state for
 * it.  Per-flow state of a datagram protocol is asked for with
 * ns_flow_state() (flow/transport.h); nothing a dissector keeps lives in a
 * file-static.
 */
struct ns_dctx {
	const struct ns_dissector *d; /* the dissector being run */
	/* the connection and direction of a stream message, or NULL */
	const struct ns_stream_ctx *stream;
	/* what the caller lends this layer for the one call: a stream
	 * dissector's per-connection state, a transport's events */
	void *state;
};

/*
 * An application protocol over TCP (src/flow/stream.h binds it and feeds
 * it): how it takes the reassembled bytes of a connection.
 */
struct ns_stream;
struct ns_flow;
struct ns_engine;

struct ns_stream_ctx {
	struct ns_packet *pkt; /* NULL at the end of the run: nothing can be
				  recorded then */
	struct ns_flow *flow;
	struct ns_stream *st;
	int dir;	       /* 0 client→server */
	struct ns_engine *eng; /* the run's: its event bus */
};

struct ns_stream_ops {
	/* 1 when the first bytes of a direction are this protocol, 0 when
	 * they are not, -1 when more bytes are needed to tell.  from_start:
	 * they are the direction's very first bytes (the handshake was seen,
	 * nothing is missing before them), so a protocol that opens with a
	 * preface need not look for itself mid-connection. */
	int (*probe)(const uint8_t *p, size_t n, int dir, int from_start);
	size_t state_size;
	/* Consumes messages from the front of p[0..n); returns how many
	 * bytes it used (the rest is offered again with more). */
	size_t (*consume)(void *state, struct ns_stream_ctx *ctx,
			  const uint8_t *p, size_t n);
	/* n bytes are missing in ctx->dir; return 0 to stop dissecting
	 * this connection. */
	int (*gap)(void *state, struct ns_stream_ctx *ctx, uint32_t n);
	/* ctx->dir has ended (FIN reached in order, or the run ended). */
	void (*fin)(void *state, struct ns_stream_ctx *ctx);
	/* frees what state points to (not state itself) */
	void (*destroy)(void *state);
	/* optional: the connection ends (after fin both ways, before
	 * NS_EV_CONN_END): publish what is still to be told (calls still
	 * open, the TLS session); ctx->pkt is NULL */
	void (*end)(void *state, struct ns_stream_ctx *ctx);
	/* optional: the connection was handed to this dissector by another
	 * (ns_stream_switch), on its fresh state; `hint` is what the other
	 * said about it (the upgraded HTTP/1.1 request line), or NULL */
	void (*upgraded)(void *state, const char *hint);
};

struct ns_binding {
	uint8_t table; /* enum ns_table_id; 0 ends a list */
	uint32_t key;
};

/* A binding in a table keyed by name (NS_TAB_ALPN, NS_TAB_UPGRADE). */
struct ns_name_binding {
	uint8_t table; /* 0 ends a list */
	const char *name;
};

struct ns_dissector {
	const char *name; /* "tcp": filter name and field prefix */
	const char
	    *column; /* "TCP": protocol column, NULL to keep the one below */
	const char *title; /* "Transmission Control Protocol" */
	struct ns_field *fields;
	unsigned nfields;
	/* Parses the header at r, records fields, names the next table/key.
	 * Returns 0, NS_ETRUNC or NS_EMALFORMED (see ns_malformed()). */
	int (*dissect)(struct ns_packet *pkt, struct ns_reader *r,
		       const struct ns_dctx *cx);
	/* 1 when dissect() reads back fields it recorded to learn something
	 * (TLS: the certificates' identities, decryption's randoms; DNS: the
	 * transactions' answers): its fields are recorded even in a run
	 * that reads none (ns_pkt_keep_fields()) */
	uint8_t reads_fields;
	/* Writes the summary of layer `li` for the one-line output; NULL to
	 * let a lower layer speak. */
	void (*info)(const struct ns_packet *pkt, unsigned li,
		     struct ns_buf *out);
	const struct ns_binding *bindings;
	const struct ns_name_binding *names;
	/* An application protocol over TCP: how it takes stream bytes
	 * (stream.h); its dissect() then parses one message. */
	const struct ns_stream_ops *stream;
	/* A datagram on a UDP port no dissector is bound to: 1 when its
	 * bytes p[0..n) are this protocol (as tshark's heuristic dissectors;
	 * the packet's ports are set), or NULL. */
	int (*udp_heuristic)(const struct ns_packet *pkt, const uint8_t *p,
			     size_t n);
	/* Per-flow state of a datagram protocol (DNS's query matching): its
	 * size, and what frees what it points to (not the state itself).
	 * Made zeroed on first use by ns_flow_state(), freed with the flow. */
	size_t flow_state_size;
	void (*flow_state_free)(void *state);
	/* Filled by the registry: the protocol's own field (`tcp`). */
	struct ns_field proto;
};

/* Every dissector, in registration order. */
extern struct ns_dissector *const ns_dissectors[];
extern const unsigned ns_ndissectors;

/* The pseudo-dissectors the core itself drives. */
extern struct ns_dissector ns_diss_frame;
extern struct ns_dissector ns_diss_data;

/* Numbers every dissector's fields (protocol field first, then its own,
 * in registration order), indexes them and builds the dispatch tables;
 * call once before dissecting (later calls do nothing). */
void ns_registry_init(void);
const struct ns_dissector *ns_table_lookup(uint8_t table, uint32_t key);
/* The dissector bound to a name in a table keyed by name, or NULL. */
const struct ns_dissector *ns_table_lookup_name(uint8_t table,
						const uint8_t *name, size_t n);
/* Decode As: binds d to (table, key) from now on, in place of whatever
 * was bound there.  0, or -1 without memory. */
int ns_table_bind(uint8_t table, uint32_t key, const struct ns_dissector *d);

/* Names the table and key that select the next dissector. */
static inline void ns_next(struct ns_packet *pkt, uint8_t table, uint32_t key)
{
	pkt->next_table = table;
	pkt->next_key = key;
}

/* For transports: the next dissector by port, trying the lower port first
 * (as Wireshark does); no-op when neither port is bound. */
void ns_next_port(struct ns_packet *pkt, uint8_t table, uint16_t sport,
		  uint16_t dport);

/* Dissects the whole packet begun with ns_pkt_begin(). */
void ns_dissect(struct ns_packet *pkt);
/* Records only the frame layer (number, times, lengths): for a display
 * filter that reads nothing else when no output needs more. */
void ns_dissect_frame_only(struct ns_packet *pkt);

/*
 * Records a layer for dissector d over the bytes of r and runs d->dissect
 * on them (used for messages from reassembled streams: src is the buffer r
 * reads, NULL for packet data).  Returns the layer index, or -1 when the
 * layer cap is reached.
 */
int ns_dissect_layer(struct ns_packet *pkt, const struct ns_dissector *d,
		     struct ns_reader *r, const uint8_t *src, uint32_t srclen,
		     const struct ns_dctx *cx);

/* For UDP: names the first dissector whose udp_heuristic claims the
 * payload p[0..n) as the next one; returns 0 when none does. */
int ns_udp_heuristic(struct ns_packet *pkt, const uint8_t *p, size_t n);
/* For UDP: names owner as the next dissector when it is one with a UDP
 * heuristic (a flow that one claimed stays with it, as tshark's
 * conversations do); returns 0 when it is not. */
int ns_udp_heuristic_of(struct ns_packet *pkt, const void *owner);

/* Stream dissectors with a heuristic, in registration order. */
const struct ns_dissector *const *ns_stream_heuristics(unsigned *n);

/*
 * Dissects the bytes at r as a packet of the protocol selected by table/key,
 * adding layers to pkt (used by ICMP for the quoted IP header).  Truncation
 * inside does not mark the packet.
 */
void ns_dissect_inner(struct ns_packet *pkt, struct ns_reader *r, uint8_t table,
		      uint32_t key);

/* Marks the current layer malformed with a reason (formatted in the arena).
 * Returns NS_EMALFORMED so a dissector can `return ns_malformed(...)`. */
int ns_malformed(struct ns_packet *pkt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
