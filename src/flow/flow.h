/*
 * flow — the connection table: TCP and UDP flows keyed by their canonical
 * 5-tuple, with per-direction counters, stream indices, and bounded memory.
 *
 * Keys are canonical: the two endpoints are ordered (lower address, then
 * lower port, first), so both directions of a conversation find the same
 * flow; the flow remembers which endpoint spoke first (the client).  Stream
 * indices (tcp.stream, udp.stream) are handed out in order of first
 * appearance, separately per protocol, as tshark does; a new SYN on a
 * finished TCP flow, or one with a different initial sequence number,
 * starts a new flow with a new index (port reuse).
 *
 * Storage: flows live in fixed chunks of a pool (they never move, so a
 * pointer stays valid while the flow exists); an open-addressing hash with
 * linear probing and backward-shift deletion maps keys to pool slots; an
 * LRU list orders flows by last activity.  Bounds: at most `max_flows`
 * flows (the least recently used one is evicted to make room), and idle
 * flows expire by capture time with a timeout that depends on their state.
 * Every eviction is counted.  Per-flow state owned by other modules (TCP
 * analysis, reassembly, application dissectors) is released through the
 * table's release callback before the slot is reused.
 */
#ifndef NS_FLOW_H
#define NS_FLOW_H

#include <stddef.h>
#include <stdint.h>

#define NS_FLOW_NONE	    UINT32_MAX
#define NS_FLOW_DEFAULT_MAX 100000

struct ns_flow_key {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;	/* 6 TCP, 17 UDP */
	uint16_t port[2];
	uint8_t addr[2][16]; /* IPv4 in the first 4 bytes */
};

/* Idle timeouts (capture-time seconds), by what the flow has become. */
enum ns_flow_idle {
	NS_IDLE_TCP_OPENING,	 /* handshake not completed */
	NS_IDLE_TCP_ESTABLISHED, /* data may still come */
	NS_IDLE_TCP_CLOSED,	 /* FIN both ways, or RST */
	NS_IDLE_UDP,
	NS_IDLE_COUNT
};

struct ns_tcp_conn;
struct ns_stream;

struct ns_flow {
	struct ns_flow_key key;
	uint32_t hash;
	uint32_t id;	/* pool slot */
	uint32_t index; /* tcp.stream / udp.stream */
	uint8_t client; /* key endpoint (0 or 1) that is the client */
	uint8_t first;	/* key endpoint that sent the first packet seen */
	uint8_t idle;	/* enum ns_flow_idle: set with ns_flow_set_idle() */
	uint32_t lru_prev, lru_next;
	uint32_t idle_prev, idle_next; /* in its idle class's list */
	int64_t first_ts, last_ts;     /* ns, capture time */
	uint64_t pkts[2], bytes[2]; /* [0] client→server, [1] server→client */
	struct ns_tcp_conn *tcp;    /* TCP state (tcpconn.c), or NULL */
	struct ns_stream *stream;   /* reassembly + application (stream.c) */
	/* dissectors' own per-flow state (DNS query matching over UDP and
	 * TCP), one slot per dissector: ns_flow_slot() */
	struct ns_flow_slot *slots;
	int live; /* slot in use */
};

/* One dissector's state on a flow (ns_flow_slot), freed with the flow. */
struct ns_flow_slot {
	struct ns_flow_slot *next;
	const void *owner; /* the dissector it belongs to */
	void (*free)(void *state);
	size_t size;
	_Alignas(16) unsigned char state[];
};

struct ns_flow_stats {
	uint64_t created[2];   /* [0] TCP, [1] UDP */
	uint64_t expired_idle; /* removed after their idle timeout */
	uint64_t evicted_cap;  /* removed to stay under max_flows */
	uint32_t peak;	       /* most flows held at once */
};

struct ns_flow_table {
	struct ns_flow **chunks; /* pool: chunks of 2^chunk_shift flows */
	uint32_t nchunks;
	uint32_t chunk_shift;
	uint32_t nalloc;    /* flows allocated in the pool */
	uint32_t free_head; /* free list through lru_next */
	uint32_t *slots;    /* hash → pool id, NS_FLOW_NONE when empty */
	uint32_t nslots;    /* power of two */
	uint32_t count;
	uint32_t max_flows;
	uint32_t lru_head, lru_tail; /* most and least recently used */
	/* the same order per idle class, for expiry: each class's least
	 * recently used flow is the first of that class to expire, whatever
	 * the others' timeouts (one list for all would let an established
	 * flow's hour hold back the closed flows behind it) */
	uint32_t idle_head[NS_IDLE_COUNT], idle_tail[NS_IDLE_COUNT];
	uint32_t next_index[2]; /* next tcp.stream, udp.stream */
	int64_t idle_ns[NS_IDLE_COUNT];
	/* no flow can expire at or before this time: the earliest of the
	 * classes' last flows' last packet plus its timeout, when their
	 * ends have not changed since (INT64_MIN: unknown) */
	int64_t expire_floor;
	uint64_t seed;
	struct ns_flow_stats stats;
	/* frees what other modules hang on a flow (set by the engine) */
	void (*release)(void *ctx, struct ns_flow *f);
	void *release_ctx;
};

/* 0, or NS_ENOMEM. max_flows 0 means NS_FLOW_DEFAULT_MAX. */
int ns_flow_table_init(struct ns_flow_table *t, uint32_t max_flows);
void ns_flow_table_free(struct ns_flow_table *t);

/* Builds the canonical key; *dir is set to the endpoint index of src. */
void ns_flow_key_make(struct ns_flow_key *k, uint8_t family, uint8_t proto,
		      const uint8_t *src, const uint8_t *dst, uint16_t sport,
		      uint16_t dport, int *src_side);

/* The flow for a key, or NULL. */
struct ns_flow *ns_flow_find(struct ns_flow_table *t,
			     const struct ns_flow_key *k);

/*
 * Creates a flow for key k seen first at ts from endpoint `src_side`, with a
 * new stream index; evicts the least recently used flow if the table is
 * full.  Returns NULL only when memory is exhausted.
 */
struct ns_flow *ns_flow_create(struct ns_flow_table *t,
			       const struct ns_flow_key *k, int src_side,
			       int64_t ts);

/* Removes a flow now (e.g. to start a new one on the same key). */
void ns_flow_remove(struct ns_flow_table *t, struct ns_flow *f);

/*
 * The state `owner` keeps on flow f: made zeroed (size bytes) on first use,
 * freed with the flow (`free_fn` first frees what it points to, may be
 * NULL), in the run's budget of application state (mem.h).  NULL when the
 * budget or memory is exhausted.
 */
struct ns_mem;
void *ns_flow_slot(struct ns_mem *mem, struct ns_flow *f, const void *owner,
		   size_t size, void (*free_fn)(void *state));
/* Frees every slot of f (the flow ends). */
void ns_flow_slots_free(struct ns_mem *mem, struct ns_flow *f);
/* The same on any list of slots (the engine keeps one for state that
 * outlives flows: ns_engine_slot()). */
void *ns_slot_in(struct ns_mem *mem, struct ns_flow_slot **list,
		 const void *owner, size_t size, void (*free_fn)(void *state));
void ns_slots_free(struct ns_mem *mem, struct ns_flow_slot **list);

/* Marks the flow used at ts: moves it to the head of the LRU lists. */
void ns_flow_touch(struct ns_flow_table *t, struct ns_flow *f, int64_t ts);

/* What the flow has become (its idle timeout): moves it to that class's
 * list, as its most recently used. */
void ns_flow_set_idle(struct ns_flow_table *t, struct ns_flow *f,
		      enum ns_flow_idle idle);

/* Expires flows idle longer than their timeout at capture time `now`;
 * does a bounded amount of work per call. */
void ns_flow_expire(struct ns_flow_table *t, int64_t now);

/* A connection's id, stable for the run and distinct between TCP and UDP:
 * what transactions name their connection by (tcp.stream / udp.stream in
 * the low 32 bits, bit 32 set for UDP). */
static inline uint64_t ns_flow_uid(const struct ns_flow *f)
{
	return (uint64_t)(f->key.proto == 17) << 32 | f->index;
}

/* Direction of a packet from key endpoint `src_side`: 0 client→server. */
static inline int ns_flow_dir(const struct ns_flow *f, int src_side)
{
	return src_side == f->client ? 0 : 1;
}

/* Iterates live flows in creation order of their pool slots (for reports):
 * returns the next live flow after id (start with NS_FLOW_NONE), or NULL. */
struct ns_flow *ns_flow_next(struct ns_flow_table *t, uint32_t *id);

struct ns_buf;
/* Appends side's endpoint as "addr:port" ("[addr]:port" for IPv6). */
void ns_flow_endpoint(struct ns_buf *b, const struct ns_flow *f, int side);

#endif
