/*
 * ipfrag — IPv4 and IPv6 fragment reassembly (RFC 791 §3.2, RFC 8200
 * §4.5), bounded.
 *
 * A datagram in progress is keyed by (source, destination, identification,
 * protocol) for IPv4 and (source, destination, identification) for IPv6.
 * Its fragments are copied into one buffer per datagram at their offsets;
 * the bytes already held are kept when a later fragment overlaps them (the
 * first copy wins, as in TCP reassembly), and the overlap is reported, with
 * "conflict" when the bytes differ (RFC 5722 tells an IPv6 receiver to drop
 * such a datagram; an analyser shows it, as Wireshark does).  The datagram
 * is complete when a last fragment (MF clear) has said its length and the
 * bytes before it are all held.
 *
 * Bounds (invariant 2): at most NS_IPFRAG_MAX_DGRAMS datagrams in progress,
 * NS_IPFRAG_MAX_PIECES fragments each, NS_IPFRAG_MAX_BYTES of buffers and
 * piece lists in all, each allocation also from the run's budget (mem.h).
 * A new datagram past a cap evicts the oldest; a fragment that still does
 * not fit is dropped.  A datagram waits at most NS_IPFRAG_TIMEOUT_V4 /
 * _V6 of capture time (Linux's ipfrag_time, RFC 8200's 60 s) from its
 * first fragment.  A fragment that would end past the largest datagram the
 * header allows (65535 bytes in all) is refused and its datagram dropped
 * (the "ping of death").  Every outcome has a counter (struct
 * ns_ipfrag_stats), printed at the end of the run.
 *
 * The table is the caller's (the engine's); the bytes given are copied, so
 * the caller's packet may go.  A completed datagram's bytes and fragment
 * list stay valid until the next call on the table.
 */
#ifndef NS_IPFRAG_H
#define NS_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

struct ns_mem;

#define NS_IPFRAG_MAX_DGRAMS 1024u
#define NS_IPFRAG_MAX_PIECES 1024u
#define NS_IPFRAG_MAX_BYTES  ((size_t)4 << 20)
#define NS_IPFRAG_TIMEOUT_V4 (30 * 1000000000LL)
#define NS_IPFRAG_TIMEOUT_V6 (60 * 1000000000LL)

struct ns_ipfrag_key {
	uint8_t v6;    /* 0 IPv4, 1 IPv6 */
	uint8_t proto; /* IPv4's protocol field; 0 for IPv6 */
	uint32_t id;
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
};

/* One fragment of a datagram, as the completing packet lists them. */
struct ns_ipfrag_piece {
	uint64_t frame;	      /* its packet number */
	uint32_t off, len;    /* its bytes of the datagram */
	uint8_t layer;	      /* the IP layer's index in its packet */
	uint8_t overlap;      /* it overlapped bytes already held */
	uint8_t conflict;     /* ... and they differed */
	uint8_t toolong;      /* it went past the datagram's end */
	uint8_t multipletail; /* a second last fragment */
};

struct ns_ipfrag_stats {
	uint64_t fragments;   /* fragments taken */
	uint64_t reassembled; /* datagrams completed */
	uint64_t expired;     /* datagrams dropped at the timeout */
	uint64_t evicted;     /* dropped at a cap for a newer one */
	uint64_t dropped;     /* fragments refused: a cap, the budget */
	uint64_t too_long;    /* fragments past the largest datagram */
	uint64_t overlaps;    /* fragments overlapping held bytes */
	uint64_t conflicts;   /* ... with different bytes */
	uint64_t incomplete;  /* datagrams still waiting at the end */
};

enum ns_ipfrag_status {
	NS_IPFRAG_WAIT,	    /* kept; the datagram is not complete */
	NS_IPFRAG_COMPLETE, /* this fragment completed the datagram */
	NS_IPFRAG_REFUSED,  /* not kept (a cap, the budget, too long) */
};

/* What ns_ipfrag_add() made of one fragment. */
struct ns_ipfrag_result {
	int status;			 /* enum ns_ipfrag_status */
	struct ns_ipfrag_piece this_one; /* the fragment's own flags */
	/* NS_IPFRAG_COMPLETE: the datagram and its fragments in offset
	 * order, valid until the next call on the table */
	const uint8_t *data;
	uint32_t len;
	const struct ns_ipfrag_piece *pieces;
	uint32_t npieces;
};

struct ns_ipfrag_dgram;

struct ns_ipfrag {
	struct ns_mem *mem; /* the budget, or NULL (not accounted) */
	uint32_t max_dgrams, max_pieces;
	size_t max_bytes;
	int64_t timeout[2]; /* ns, IPv4 and IPv6 */
	size_t used;	    /* bytes of buffers and piece lists */
	size_t peak;
	struct ns_ipfrag_dgram *d; /* max_dgrams slots, made on first use */
	uint32_t *bucket;	   /* hash chains, by slot index + 1 */
	uint32_t nbuckets;
	uint32_t free_head;	     /* unused slots, by index + 1 */
	uint32_t age_head, age_tail; /* in order of first fragment */
	uint32_t count;		     /* datagrams in progress */
	uint32_t done;		     /* completed one to free, index + 1 */
	struct ns_ipfrag_stats st;
};

/* Sets the default caps and timeouts; nothing is allocated yet. */
void ns_ipfrag_init(struct ns_ipfrag *t, struct ns_mem *mem);
/* Frees everything; what still waits is counted as incomplete. */
void ns_ipfrag_free(struct ns_ipfrag *t);

/*
 * Adds the fragment p[0..n) at byte offset `off` of the datagram `k`
 * (more: MF set), seen in packet `frame` at capture time ts (ns), whose IP
 * layer is the layer-th.  `max` is the largest datagram payload the header
 * allows (65535 less the headers before the fragmentable part).  Returns
 * the status, with the details in *res.
 */
int ns_ipfrag_add(struct ns_ipfrag *t, const struct ns_ipfrag_key *k,
		  int64_t ts, uint64_t frame, uint8_t layer, uint32_t off,
		  int more, const uint8_t *p, uint32_t n, uint32_t max,
		  struct ns_ipfrag_result *res);

#endif
