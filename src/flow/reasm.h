/*
 * reasm — TCP stream reassembly, one direction at a time.
 *
 * Segments are put in sequence order: retransmitted and overlapping bytes
 * are trimmed (the first copy seen wins), out-of-order segments wait in a
 * sorted list, sequence numbers wrap (all comparisons are modulo 2^32), and
 * SYN and FIN each take one sequence number.  Contiguous bytes accumulate in
 * a pending buffer that the consumer (a stream dissector, or -z follow)
 * takes from the front; what it does not consume stays for the next call.
 *
 * Gaps: bytes the capture never saw (the peer acknowledged past them, or
 * the out-of-order list outgrew its cap, or the capture ended) are skipped
 * with a gap event that says how many bytes are missing, so the consumer
 * can resynchronise or give up.
 *
 * Memory: a per-direction cap on buffered bytes (pending + out-of-order)
 * and a global cap shared by all flows (struct ns_reasm_limits); past them
 * new out-of-order data is dropped and counted, and a gap is declared.
 */
#ifndef NS_REASM_H
#define NS_REASM_H

#include <stddef.h>
#include <stdint.h>

struct ns_reasm_limits {
	uint64_t per_dir; /* most bytes one direction may buffer */
	uint64_t global;  /* most bytes all directions together may */
	uint64_t in_use;  /* bytes buffered now, all flows */
	uint64_t peak;
	uint64_t dropped;   /* bytes not buffered because of a cap */
	uint64_t gaps;	    /* gap events */
	uint64_t gap_bytes; /* bytes skipped over gaps */
};

#define NS_REASM_DEFAULT_PER_DIR (4u << 20)
#define NS_REASM_DEFAULT_GLOBAL	 (256u << 20)
/* Most out-of-order segments one insertion walks past (see buffer()):
 * data that would land deeper in the list is dropped as over a cap.  A
 * segment that goes after the last one (the usual case while a hole
 * waits for its retransmission) is appended without a walk. */
#define NS_REASM_MAX_WALK 1024

struct ns_reasm_seg;

/* Where a byte of the pending buffer came from. */
struct ns_reasm_mark {
	uint64_t off;	/* stream offset of the first byte of the segment */
	int64_t ts;	/* its capture time */
	uint64_t frame; /* its packet number */
};

/* Most marks a direction keeps (a ring; grown from NS_REASM_MARKS_MIN as
 * segments pile up in pending, and freed with pending when it drains). */
#define NS_REASM_MARKS	   64
#define NS_REASM_MARKS_MIN 4

struct ns_reasm_dir {
	uint32_t next;	 /* next sequence number expected */
	uint8_t started; /* next is valid */
	uint8_t fin;	 /* the FIN has been reached in order */
	uint8_t has_fin; /* a FIN was seen at fin_seq */
	uint32_t fin_seq;
	uint64_t offset; /* stream offset of pending[0] */
	/* contiguous bytes not yet consumed; allocated for what arrives and
	 * freed as soon as the consumer has taken everything, so an idle
	 * connection (most of them) holds no buffer */
	uint8_t *pending;
	uint32_t plen, pcap;
	struct ns_reasm_seg *ooo;      /* out of order, sorted by seq */
	struct ns_reasm_seg *ooo_tail; /* its last segment */
	uint32_t ooo_bytes;
	/* ring of mcap marks, oldest first, covering pending: allocated
	 * with its first byte and freed with it */
	struct ns_reasm_mark *marks;
	uint8_t mhead, nmarks, mcap;
	uint64_t delivered; /* stream bytes made contiguous so far */
};

/* What ns_reasm_add() did with one segment. */
struct ns_reasm_result {
	uint32_t new_bytes; /* bytes appended to pending, in order */
	uint8_t retransmit; /* all of it had been seen already */
	uint8_t buffered;   /* held out of order */
	uint8_t dropped;    /* not kept because of a cap: the caller should
			       skip to what is buffered (ns_reasm_skip) */
};

void ns_reasm_init(struct ns_reasm_dir *d);
void ns_reasm_free(struct ns_reasm_dir *d, struct ns_reasm_limits *lim);

/*
 * Adds a segment: seq is its raw sequence number, flags its TCP flags (a
 * SYN takes the sequence number before the first payload byte, a FIN the
 * one after the last).  Returns 0, or NS_ENOMEM (then res->dropped).
 */
int ns_reasm_add(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		 uint32_t seq, uint16_t flags, const uint8_t *data,
		 uint32_t len, int64_t ts, uint64_t frame,
		 struct ns_reasm_result *res);

/* Bytes the peer has acknowledged (up to `ack`) that the capture lacks at
 * the head of the stream: a gap the consumer will never get.  0 if none. */
uint32_t ns_reasm_missing(const struct ns_reasm_dir *d, uint32_t ack);

/*
 * Skips a gap: drops what is pending (the consumer could not use it), moves
 * the expected sequence number to `to` (or, when to_first_buffered, to the
 * first out-of-order segment) and pulls buffered segments that are now in
 * order into pending.  Returns the number of missing bytes skipped.
 */
uint32_t ns_reasm_skip(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		       uint32_t to, int to_first_buffered);

/* Whether an out-of-order segment starts before sequence number seq. */
int ns_reasm_buffered_before(const struct ns_reasm_dir *d, uint32_t seq);

/* Whether out-of-order segments are waiting. */
static inline int ns_reasm_has_buffered(const struct ns_reasm_dir *d)
{
	return d->ooo != NULL;
}

/* The consumer took n bytes from the front of pending. */
void ns_reasm_consume(struct ns_reasm_dir *d, struct ns_reasm_limits *lim,
		      uint32_t n);

/* Capture time and frame of the segment that carried pending[off]. */
const struct ns_reasm_mark *ns_reasm_mark_at(const struct ns_reasm_dir *d,
					     uint32_t off);

#endif
