/*
 * event — transaction events: what dissectors tell the rest of netscope
 * about connections and transactions, and the bus that carries them to
 * whoever subscribed.
 *
 * Two streams leave the dissectors: the fields of each packet (for packet
 * sinks and the display filter) and these events (for everything that
 * summarises: --calls, --conversations, -z reports, the TUI's tables,
 * statistics, records).  A dissector publishes and never knows who
 * listens; a report subscribes and never reaches into a dissector.  Each
 * event names its connection (flow, and the flow's stable uid in the
 * transaction structs) so consumers can join what they receive.
 *
 * The bus is part of the engine (one per run, no globals): subscribers are
 * called synchronously, in subscription order, while the packet that
 * caused the event is being dissected (pkt is NULL for what happens at the
 * end of the run, when flows are flushed).  Publishing to a type nobody
 * subscribed costs one test of a bit mask, so a run pays only for what it
 * asked (invariant 4).  Payload pointers are valid during the call only.
 */
#ifndef NS_EVENT_H
#define NS_EVENT_H

#include <stddef.h>
#include <stdint.h>

struct ns_packet;
struct ns_flow;
struct ns_call;
struct ns_dns_txn;
struct ns_tls_info;
struct ns_hdr;

enum ns_ev_type {
	/* connections (src/flow) */
	NS_EV_CONN_OPEN,   /* a flow was created */
	NS_EV_CONN_END,	   /* a flow ends (closed and expired, evicted, or
			      the run ends): its counters are final */
	NS_EV_STREAM_DATA, /* new contiguous bytes of one TCP direction */
	NS_EV_STREAM_GAP,  /* bytes missing in one TCP direction */
	/* TLS (dissectors/app/tls.c), payload tls */
	NS_EV_TLS_HELLO,     /* a ClientHello or ServerHello was parsed */
	NS_EV_TLS_HANDSHAKE, /* the handshake is done (hs_time known) */
	NS_EV_TLS_END,	     /* the connection ends: what TLS said of it */
	NS_EV_TLS_DATA,	     /* decrypted application data, one direction
				(u.data; --tls-keylog) */
	/* DNS (dissectors/app/dns_txn.c), payload dns */
	NS_EV_DNS_QUERY,    /* a query (retransmission set when it repeats) */
	NS_EV_DNS_RESPONSE, /* a response, matched or unsolicited */
	NS_EV_DNS_END,	    /* a query leaves unanswered (its flow ended, or
			       newer ones pushed it out) */
	/* HTTP/1.x and HTTP/2 exchanges, gRPC calls; payload call */
	NS_EV_HTTP_REQUEST,  /* the request's header block is complete */
	NS_EV_HTTP_RESPONSE, /* a response header block (not trailers) */
	NS_EV_HTTP_BODY,     /* body bytes of one side (data, dir) */
	NS_EV_HTTP_MESSAGE,  /* a message of a body format (gRPC) completed */
	NS_EV_HTTP_TRAILERS, /* a trailer block */
	NS_EV_HTTP_RESET,    /* RST_STREAM */
	NS_EV_HTTP_END,	     /* the call ends (both sides over, reset, the
				connection ended, or it was forgotten): final */
	NS_EV_QUIC_END,	     /* a QUIC connection ends (its last path) */
	NS_EV_PACKET,	     /* a packet was dissected (ev->pkt: every
				packet of the run, its layers done) */
	NS_EV_COUNT
};

#define NS_EV_BIT(t) (1u << (t))
#define NS_EV_HTTP_ALL                                                         \
	(NS_EV_BIT(NS_EV_HTTP_REQUEST) | NS_EV_BIT(NS_EV_HTTP_RESPONSE) |      \
	 NS_EV_BIT(NS_EV_HTTP_BODY) | NS_EV_BIT(NS_EV_HTTP_MESSAGE) |          \
	 NS_EV_BIT(NS_EV_HTTP_TRAILERS) | NS_EV_BIT(NS_EV_HTTP_RESET) |        \
	 NS_EV_BIT(NS_EV_HTTP_END))

struct ns_event {
	enum ns_ev_type type;
	const struct ns_packet *pkt; /* NULL at the end of the run */
	const struct ns_flow *flow;  /* the connection, or NULL */
	int64_t ts;		     /* capture time */
	int dir; /* 0 client→server (stream, body events) */
	union {
		const struct ns_call *call;
		const struct ns_dns_txn *dns;
		const struct ns_tls_info *tls;
		const struct ns_quic_info *quic;
		struct {
			const uint8_t *p;
			size_t n;
		} data; /* STREAM_DATA, HTTP_BODY (u.data, and call below) */
		uint32_t gap; /* STREAM_GAP: bytes missing */
	} u;
	const struct ns_call *call; /* HTTP_BODY: whose body */
	/* HTTP_REQUEST, HTTP_RESPONSE, HTTP_TRAILERS: the block's header
	 * fields in order (HTTP/2 pseudo-headers included), or NULL */
	const struct ns_hdr *hdr;
	unsigned nhdr;
	/* HTTP_MESSAGE of gRPC: the message's first n bytes (NULL when none
	 * were kept) of len */
	struct {
		const uint8_t *p;
		size_t n;
		uint32_t len;
	} msg;
};

typedef void (*ns_event_fn)(void *ctx, const struct ns_event *ev);

#define NS_BUS_MAX 16

struct ns_bus {
	uint32_t mask; /* union of the subscriptions' masks */
	unsigned n;
	struct {
		uint32_t mask;
		ns_event_fn fn;
		void *ctx;
		/* STREAM_DATA / STREAM_GAP: the flows whose bytes it wants
		 * (NULL: all); reassembly keeps a connection only when
		 * someone wants its bytes */
		int (*wants)(void *ctx, const struct ns_flow *f);
		/* PACKET: the fields it reads, named[id] non-zero for id <
		 * nnamed (NULL: every field) */
		const uint8_t *named;
		uint32_t nnamed;
	} sub[NS_BUS_MAX];
};

/* Subscribes fn to the event types in mask (NS_EV_BIT()s); 0, or -1 when
 * NS_BUS_MAX subscriptions exist. */
int ns_bus_subscribe(struct ns_bus *b, uint32_t mask, ns_event_fn fn,
		     void *ctx);
/* The same, for stream bytes of the flows `wants` accepts. */
int ns_bus_subscribe_stream(struct ns_bus *b, ns_event_fn fn, void *ctx,
			    int (*wants)(void *ctx, const struct ns_flow *f));

/* The same, for every packet (NS_EV_PACKET) of which fn reads only the
 * fields marked in named[0..n) by id. */
int ns_bus_subscribe_packets(struct ns_bus *b, ns_event_fn fn, void *ctx,
			     const uint8_t *named, uint32_t n);
/* Marks in named[0..n) the fields the packets' subscribers read; 0, or -1
 * when one of them reads every field. */
int ns_bus_packet_fields(const struct ns_bus *b, uint8_t *named, uint32_t n);

/* Whether anyone listens to type t (b may be NULL: a stateless record). */
static inline int ns_bus_wants(const struct ns_bus *b, enum ns_ev_type t)
{
	return b && (b->mask >> t) & 1u;
}

/* Whether anyone wants the bytes of flow f (STREAM_DATA). */
int ns_bus_wants_stream(const struct ns_bus *b, const struct ns_flow *f);

/* A call's key in a map (hashed as bytes: two 64-bit members, so no
 * padding, whose bytes a copy of the struct need not keep): its
 * connection's uid and its id there. */
struct ns_call_key {
	uint64_t uid;
	uint64_t id;
};
/* From the call itself (at its end: it knows its connection by then). */
struct ns_call_key ns_call_key(const struct ns_call *c);
/* From an event of the call: the connection from the event (an HTTP/2
 * call learns its connection's uid only when the transport publishes an
 * event of its own). */
struct ns_call_key ns_call_key_ev(const struct ns_event *ev);

/* Calls the subscribers of ev->type. */
void ns_bus_publish(const struct ns_bus *b, const struct ns_event *ev);

/* For HTTP transports: event t of call c (side dir), when someone listens
 * (b may be NULL); at pkt's time, or, with no packet (the run's end), the
 * flow's last; with the header block h[0..n) for REQUEST, RESPONSE and
 * TRAILERS. */
void ns_call_publish(const struct ns_bus *b, enum ns_ev_type t,
		     const struct ns_packet *pkt, const struct ns_flow *flow,
		     int dir, const struct ns_call *c, const struct ns_hdr *h,
		     unsigned n);
/* NS_EV_HTTP_BODY: body bytes p[0..n) of side dir of call c. */
void ns_call_publish_body(const struct ns_bus *b, const struct ns_packet *pkt,
			  const struct ns_flow *flow, int dir,
			  const struct ns_call *c, const uint8_t *p, size_t n);

#endif
