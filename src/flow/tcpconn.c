/*
 * tcpconn — see tcpconn.h.
 *
 * The sequence analysis follows the rules tshark 4.0 applies
 * (tcp_analyze_sequence_number in Wireshark's packet-tcp.c), in the same
 * order, so that tcp.analysis.* flags mean the same thing: zero-window
 * probe, zero window, lost segment, keep-alive, window update, window
 * full, keep-alive ACK, zero-window-probe ACK, duplicate ACK; then, for a
 * segment that does not advance the sequence space, fast retransmission
 * (after 2+ duplicate ACKs, within 20 ms), out-of-order (within the
 * initial RTT, or 3 ms), spurious retransmission (already acked), or
 * retransmission.  Relative sequence numbers start at 0 for a SYN and at 1
 * for a connection seen mid-stream, as tshark's.
 *
 * The connection summary follows Zeek's conn.log: conn_state (S0 … OTH)
 * and history letters (upper case from the client, lower case from the
 * server), each letter recorded once per direction.
 */
#include "flow/tcpconn.h"

#include <stdlib.h>
#include <string.h>

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PUSH 0x08
#define TH_ACK	0x10

#define OOO_DEFAULT_NS	3000000 /* out-of-order threshold without an RTT */
#define FAST_RETRANS_NS 20000000

static inline int lt_seq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline int gt_seq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline int le_seq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

void ns_tcp_conn_init(struct ns_tcp_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->d[0].wscale = c->d[1].wscale = -1;
	c->d[0].valid_bif = c->d[1].valid_bif = 1;
	c->initial_rtt = -1;
	c->resetter = 2;
	c->first_data_ts[0] = c->first_data_ts[1] = -1;
	c->last_data_ts[0] = c->last_data_ts[1] = -1;
}

void ns_tcp_conn_free(struct ns_tcp_conn *c)
{
	for (int i = 0; i < 2; i++) {
		struct ns_tcp_dir *d = &c->d[i];
		free(d->segs);
		d->segs = NULL;
		d->nsegs = d->segcap = 0;
		free(d->holes);
		d->holes = NULL;
		d->nholes = 0;
	}
}

void ns_tcp_conn_trim(struct ns_tcp_conn *c)
{
	for (int i = 0; i < 2; i++) {
		struct ns_tcp_dir *d = &c->d[i];
		if (d->segs && !d->nsegs) {
			free(d->segs);
			d->segs = NULL;
			d->segcap = 0;
		}
		if (d->holes && !d->nholes) {
			free(d->holes);
			d->holes = NULL;
		}
	}
}

int ns_tcp_conn_is_new(const struct ns_tcp_conn *c, int dir,
		       const struct ns_tcp_seginfo *s)
{
	const struct ns_tcp_dir *d = &c->d[dir];
	if ((s->flags & (TH_SYN | TH_ACK)) != TH_SYN)
		return 0;
	return d->base_set && s->seq != d->base_seq;
}

/* ---- history (Zeek conn.log) ------------------------------------------- */

static void history(struct ns_tcp_conn *c, int dir, char letter)
{
	static const char letters[] = "SHADFRTWIQG";
	const char *p = strchr(letters, letter);
	if (!p)
		return;
	uint32_t bit = 1u << ((p - letters) * 2 + dir);
	if (c->hist_seen & bit || (size_t)c->hist_len + 1 >= sizeof(c->history))
		return;
	c->hist_seen |= bit;
	c->history[c->hist_len++] = dir ? (char)(letter - 'A' + 'a') : letter;
	c->history[c->hist_len] = '\0';
}

/* ---- unacked segments (for ack_rtt and bytes in flight) ----------------- */

static struct ns_tcp_seg *seg_at(struct ns_tcp_dir *d, unsigned i)
{
	return &d->segs[i];
}

static void seg_add(struct ns_tcp_dir *d, uint32_t seq, uint32_t nextseq,
		    uint64_t frame, int64_t ts)
{
	if (d->nsegs >= d->segcap) {
		if (d->segcap >= NS_TCP_MAX_UNACKED)
			return; /* as tshark: stop remembering when too many */
		uint16_t cap = d->segcap ? (uint16_t)(d->segcap * 2) : 4;
		struct ns_tcp_seg *n = realloc(d->segs, cap * sizeof(*n));
		if (!n)
			return; /* out of memory: no ack_rtt for this one */
		d->segs = n;
		d->segcap = cap;
	}
	struct ns_tcp_seg *s = seg_at(d, d->nsegs++);
	s->seq = seq;
	s->nextseq = nextseq;
	s->frame = frame;
	s->ts = ts;
}

static void seg_remove(struct ns_tcp_dir *d, unsigned i)
{
	/* shift the later ones down: the list is short and ordered */
	memmove(&d->segs[i], &d->segs[i + 1],
		(d->nsegs - i - 1) * sizeof(d->segs[0]));
	d->nsegs--;
}

/* An ACK from the other side removes what it covers; an exact match gives
 * the RTT of that segment. */
static void seg_ack(struct ns_tcp_dir *d, uint32_t ack, int64_t ts,
		    struct ns_tcp_result *out)
{
	unsigned i = 0;
	while (i < d->nsegs) {
		struct ns_tcp_seg *s = seg_at(d, i);
		if (ack == s->nextseq) {
			/* the first transmission, not a retransmission of it */
			if (!out->acks_frame) {
				out->acks_frame = s->frame;
				out->ack_rtt = ts - s->ts;
			}
		} else if (gt_seq(ack, s->seq) && le_seq(ack, s->nextseq)) {
			s->seq = ack; /* partly acked */
			i++;
			continue;
		} else if (gt_seq(s->nextseq, ack)) {
			i++;
			continue;
		}
		seg_remove(d, i);
	}
}

static uint32_t bytes_in_flight(struct ns_tcp_dir *d)
{
	if (!d->nsegs)
		return 0;
	uint32_t first = seg_at(d, 0)->seq - d->base_seq;
	uint32_t last = seg_at(d, 0)->nextseq - d->base_seq;
	for (unsigned i = 1; i < d->nsegs; i++) {
		struct ns_tcp_seg *s = seg_at(d, i);
		if (s->nextseq - d->base_seq > last)
			last = s->nextseq - d->base_seq;
		if (s->seq - d->base_seq < first)
			first = s->seq - d->base_seq;
	}
	uint32_t n = last - first;
	return n > 0 && n < 2000000000u ? n : 0;
}

/* ---- sequence analysis -------------------------------------------------- */

/* A segment without data, SYN, FIN or RST that repeats the sender's last
 * sequence and ACK numbers: the common ground of tshark's window update,
 * keep-alive ACK, zero-window-probe ACK and duplicate ACK. */
static int repeats_ack(const struct ns_tcp_dir *fwd,
		       const struct ns_tcp_seginfo *s, int sfr)
{
	return s->len == 0 && fwd->lastack_set && s->seq == fwd->nextseq &&
	       s->ack == fwd->lastack && !sfr;
}

/* A range [lo, hi) this capture did not see, the oldest forgotten when
 * NS_TCP_HOLES are kept. */
static void hole_add(struct ns_tcp_dir *d, uint32_t lo, uint32_t hi, int64_t ts)
{
	if (!d->holes && !(d->holes = calloc(1, sizeof(*d->holes))))
		return; /* out of memory: the gap is not remembered */
	struct ns_tcp_holes *h = d->holes;
	if (d->nholes == NS_TCP_HOLES) {
		memmove(h->lo, h->lo + 1,
			sizeof(h->lo[0]) * (NS_TCP_HOLES - 1));
		memmove(h->hi, h->hi + 1,
			sizeof(h->hi[0]) * (NS_TCP_HOLES - 1));
		memmove(h->ts, h->ts + 1,
			sizeof(h->ts[0]) * (NS_TCP_HOLES - 1));
		d->nholes--;
	}
	h->lo[d->nholes] = lo;
	h->hi[d->nholes] = hi;
	h->ts[d->nholes] = ts;
	d->nholes++;
}

/* Whether [lo, hi) below nextseq holds bytes never seen (it reaches into
 * a hole), and when the oldest of those holes was seen (*since); the
 * holes it covers shrink (a hole it falls inside of is left as it is: the
 * bytes around it are still unseen). */
static int fills_hole(struct ns_tcp_dir *d, uint32_t lo, uint32_t hi,
		      int64_t *since)
{
	int filled = 0;
	struct ns_tcp_holes *h = d->holes;
	if (!d->nholes)
		return 0;
	for (unsigned i = 0; i < d->nholes; i++) {
		uint32_t *hl = &h->lo[i], *hh = &h->hi[i];
		if (!lt_seq(lo, *hh) || !lt_seq(*hl, hi))
			continue; /* no overlap */
		if (!filled || h->ts[i] < *since)
			*since = h->ts[i];
		filled = 1;
		if (!gt_seq(lo, *hl))
			*hl = lt_seq(hi, *hh) ? hi : *hh;
		else if (!lt_seq(hi, *hh))
			*hh = lo;
	}
	/* drop the holes that closed */
	unsigned k = 0;
	for (unsigned i = 0; i < d->nholes; i++)
		if (lt_seq(h->lo[i], h->hi[i])) {
			h->lo[k] = h->lo[i];
			h->hi[k] = h->hi[i];
			h->ts[k++] = h->ts[i];
		}
	d->nholes = (uint8_t)k;
	return filled;
}

/* The checks tshark makes before it looks at retransmission, in its order:
 * zero-window probe, zero window, lost segment, keep-alive, window update,
 * window full, keep-alive ACK, zero-window-probe ACK, duplicate ACK.  A
 * zero-window probe or an ACK to one or to a keep-alive ends the list. */
static uint32_t sender_checks(struct ns_tcp_dir *fwd,
			      const struct ns_tcp_dir *rev,
			      const struct ns_tcp_seginfo *s,
			      struct ns_tcp_result *out)
{
	uint32_t seq = s->seq, seglen = s->len, window = s->window;
	uint16_t fl = s->flags;
	int sfr = (fl & (TH_SYN | TH_FIN | TH_RST)) != 0;
	uint32_t ta = 0;

	/* zero window probe: one byte at the edge of a zero window */
	if (seglen == 1 && fwd->nextseq_set && seq == fwd->nextseq &&
	    rev->window == 0 && rev->lastack_set)
		return NS_TA_ZERO_WINDOW_PROBE;
	if (window == 0 && !sfr)
		ta |= NS_TA_ZERO_WINDOW;
	/* previous segment(s) not captured */
	if (fwd->nextseq_set && gt_seq(seq, fwd->nextseq) && !(fl & TH_RST)) {
		ta |= NS_TA_LOST_PACKET;
		fwd->valid_bif = 0;
		hole_add(fwd, fwd->nextseq, seq, s->ts);
	}
	if (seglen <= 1 && !sfr && fwd->nextseq_set &&
	    fwd->nextseq - 1 == seq) {
		ta |= NS_TA_KEEP_ALIVE;
	}
	if (window && window != fwd->window && repeats_ack(fwd, s, sfr))
		ta |= NS_TA_WINDOW_UPDATE;
	/* window full: this segment fills what the receiver advertised */
	if (seglen > 0 && rev->lastack_set && rev->wscale != -1 && !sfr) {
		uint64_t scaled = (uint64_t)rev->window
				  << (rev->wscale >= 0 ? rev->wscale : 0);
		if (seq + seglen == rev->lastack + (uint32_t)scaled)
			ta |= NS_TA_WINDOW_FULL;
	}
	if (window != fwd->window || !repeats_ack(fwd, s, sfr))
		return ta;
	if (window && (rev->last_flags & NS_TA_KEEP_ALIVE))
		return ta | NS_TA_KEEP_ALIVE_ACK;
	if (window == 0 && (rev->last_flags & NS_TA_ZERO_WINDOW_PROBE))
		return ta | NS_TA_ZERO_WINDOW_PROBE_ACK;
	if (window) {
		fwd->dupacknum++;
		ta |= NS_TA_DUPLICATE_ACK;
		out->dupack_num = fwd->dupacknum;
		out->dupack_frame = fwd->lastnondupack;
	}
	return ta;
}

/* For a segment that does not advance the sequence space: which kind of
 * retransmission it is (0 when it does advance).  tshark marks fast and
 * spurious retransmissions as retransmissions too. */
static uint32_t retransmission(const struct ns_tcp_conn *c,
			       const struct ns_tcp_dir *fwd,
			       const struct ns_tcp_dir *rev,
			       const struct ns_tcp_seginfo *s)
{
	uint32_t seq = s->seq, seglen = s->len;
	int not_advanced = fwd->nextseq_set && lt_seq(seq, fwd->nextseq);
	if (seglen > 1 && fwd->nextseq_set && fwd->nextseq - 1 == seq)
		not_advanced = 0; /* after a zero window probe */
	if (!not_advanced)
		return 0;
	int64_t t = s->ts - rev->lastack_ts;
	int64_t ooo = c->initial_rtt > 0 ? c->initial_rtt : OOO_DEFAULT_NS;
	if (rev->dupacknum >= 2 && rev->lastack == seq && t < FAST_RETRANS_NS)
		return NS_TA_FAST_RETRANSMISSION | NS_TA_RETRANSMISSION;
	/* a SYN or FIN takes a sequence number: sent again, it ends where
	 * the first one did (tshark labels it a retransmission) */
	uint32_t end = seq + seglen + ((s->flags & (TH_SYN | TH_FIN)) ? 1 : 0);
	if (s->ts - fwd->nextseq_ts < ooo && fwd->nextseq != end)
		return NS_TA_OUT_OF_ORDER;
	if (seglen > 0 && rev->lastack_set &&
	    le_seq(seq + seglen, rev->lastack))
		return NS_TA_SPURIOUS_RETRANSMISSION | NS_TA_RETRANSMISSION;
	return NS_TA_RETRANSMISSION;
}

/* Moves the sender's expected sequence number past this segment and
 * remembers it until it is acked (a zero-window probe moves nothing). */
static void advance(struct ns_tcp_dir *fwd, const struct ns_tcp_seginfo *s,
		    uint32_t ta)
{
	uint32_t seq = s->seq, nextseq = s->seq + s->len;
	uint16_t fl = s->flags;
	if (s->len || (fl & (TH_SYN | TH_FIN))) {
		if (fl & (TH_SYN | TH_FIN))
			nextseq += 1;
		seg_add(fwd, seq, nextseq, s->frame, s->ts);
		if (!fwd->nextseq_set || gt_seq(nextseq, fwd->nextseq)) {
			if (!(ta & NS_TA_ZERO_WINDOW_PROBE)) {
				fwd->nextseq = nextseq;
				fwd->nextseq_set = 1;
				fwd->nextseq_ts = s->ts;
			}
		}
		if (seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) {
			if (!(ta & NS_TA_ZERO_WINDOW_PROBE))
				fwd->maxseqtobeacked = fwd->nextseq;
		}
	} else if (!fwd->nextseq_set) {
		/* a pure ACK starts the expected sequence for mid-stream */
		fwd->nextseq = seq;
		fwd->nextseq_set = 1;
		fwd->nextseq_ts = s->ts;
	}
}

/* Bytes in flight after a data segment, less what the peer SACKed (as
 * tshark 4 counts it). */
static void in_flight(struct ns_tcp_dir *fwd, const struct ns_tcp_dir *rev,
		      const struct ns_tcp_seginfo *s, struct ns_tcp_result *out)
{
	fwd->sacked = 0;
	for (unsigned i = 0; i < s->nsack && i < 4; i++)
		fwd->sacked += s->sack_re[i] - s->sack_le[i];
	if (s->len > 0 && fwd->valid_bif) {
		uint32_t bif = bytes_in_flight(fwd);
		if ((s->flags & TH_FIN) && bif)
			bif--; /* tshark counts the FIN's sequence number out */
		out->bytes_in_flight =
		    bif > rev->sacked ? bif - rev->sacked : 0;
	}
}

static void analyze(struct ns_tcp_conn *c, int dir,
		    const struct ns_tcp_seginfo *s, struct ns_tcp_result *out)
{
	struct ns_tcp_dir *fwd = &c->d[dir], *rev = &c->d[!dir];
	uint16_t fl = s->flags;
	uint32_t ta = sender_checks(fwd, rev, s, out);

	if (!(ta & NS_TA_DUPLICATE_ACK)) {
		fwd->lastnondupack = s->frame;
		fwd->dupacknum = 0;
	}
	/* an ACK for data this capture never saw */
	if (rev->nextseq_set && (fl & TH_ACK) && rev->maxseqtobeacked &&
	    gt_seq(s->ack, rev->maxseqtobeacked)) {
		ta |= NS_TA_ACK_LOST_PACKET;
		rev->maxseqtobeacked = rev->nextseq;
	}
	if ((s->len > 0 || (fl & (TH_SYN | TH_FIN))) &&
	    !(ta & NS_TA_KEEP_ALIVE))
		ta |= retransmission(c, fwd, rev, s);
	/* below the highest sequence seen: a copy of bytes seen (sent
	 * again), or bytes that fill a gap: sent again when they come a
	 * round trip or more after the gap was seen, else the late original
	 * (reordering); a SYN or FIN counts as one byte */
	int sent_again = 0;
	if (ta & (NS_TA_OUT_OF_ORDER | NS_TA_RETRANSMISSION)) {
		int64_t since = 0;
		int64_t rtt =
		    c->initial_rtt > 0 ? c->initial_rtt : OOO_DEFAULT_NS;
		sent_again = !fills_hole(fwd, s->seq,
					 s->seq + s->len +
					     ((fl & (TH_SYN | TH_FIN)) ? 1 : 0),
					 &since) ||
			     s->ts - since >= rtt;
	}
	advance(fwd, s, ta);

	fwd->window = s->window;
	if (fl & TH_ACK) {
		fwd->lastack = s->ack;
		fwd->lastack_set = 1;
		fwd->lastack_ts = s->ts;
		seg_ack(rev, s->ack, s->ts, out);
	}
	fwd->last_flags = ta;
	in_flight(fwd, rev, s, out);
	/* an ACK from this side makes the other side's in-flight count
	 * meaningful again after a lost segment */
	if (fl & TH_ACK)
		rev->valid_bif = 1;
	if (sent_again)
		fwd->retrans++; /* whatever tshark's label: see tcpconn.h */
	out->flags = ta;
}

/* ---- the state machine --------------------------------------------------- */

/* The first RST of a connection ends it: refused when it answers the SYN,
 * reset otherwise. */
static uint8_t on_reset(struct ns_tcp_conn *c, int dir)
{
	uint8_t ev = NS_TE_NONE;
	if (!c->d[dir].rst && c->state != NS_TCP_RESET &&
	    c->state != NS_TCP_REFUSED) {
		if (c->state == NS_TCP_SYN_SENT && dir == 1) {
			c->state = NS_TCP_REFUSED;
			ev = NS_TE_REFUSED;
		} else {
			c->state = NS_TCP_RESET;
			ev = dir ? NS_TE_RESET_SERVER : NS_TE_RESET_CLIENT;
		}
		if (c->resetter == 2)
			c->resetter = (uint8_t)dir;
	}
	c->d[dir].rst = 1;
	return ev;
}

/* The SYN-ACK (or the other side's SYN of a simultaneous open) moves a
 * connection to SYN_RCVD. */
static void synack(struct ns_tcp_conn *c, int64_t ts)
{
	c->state = NS_TCP_SYN_RCVD;
	c->synack_seen = 1;
	c->synack_ts = ts;
}

/* The three-way handshake (RFC 9293 §3.5), or a connection first seen
 * mid-stream. */
static uint8_t handshake(struct ns_tcp_conn *c, int dir,
			 const struct ns_tcp_seginfo *s)
{
	uint16_t syn_ack = (uint16_t)(s->flags & (TH_SYN | TH_ACK));
	switch (c->state) {
	case NS_TCP_NEW:
		if (syn_ack == TH_SYN) {
			c->state = NS_TCP_SYN_SENT;
			c->syn_seen = 1;
			return NS_TE_SYN;
		}
		if (syn_ack == (TH_SYN | TH_ACK)) {
			synack(c, s->ts);
			return NS_TE_SYNACK;
		}
		c->state = NS_TCP_ESTABLISHED;
		c->midstream = 1;
		c->established = 1;
		return NS_TE_MIDSTREAM;
	case NS_TCP_SYN_SENT:
		if (syn_ack == (TH_SYN | TH_ACK) && dir == 1) {
			synack(c, s->ts);
			return NS_TE_SYNACK;
		}
		if (syn_ack == TH_SYN && dir == 1) {
			synack(c, s->ts); /* simultaneous open */
			return NS_TE_SIMULTANEOUS;
		}
		return NS_TE_NONE;
	case NS_TCP_SYN_RCVD:
		if ((s->flags & TH_ACK) && !(s->flags & TH_SYN) &&
		    (dir == 0 || (c->syn_seen && c->d[1].syn))) {
			c->state = NS_TCP_ESTABLISHED;
			c->established = 1;
			c->ack_ts = s->ts;
			return NS_TE_ESTABLISHED;
		}
		return NS_TE_NONE;
	default:
		return NS_TE_NONE;
	}
}

/* FINs each way and the ACKs that cover them (RFC 9293 §3.6); ev is the
 * event so far, returned when the close says nothing more. */
static uint8_t closing(struct ns_tcp_conn *c, int dir,
		       const struct ns_tcp_seginfo *s, uint8_t ev)
{
	uint16_t fl = s->flags;
	struct ns_tcp_dir *fwd = &c->d[dir], *rev = &c->d[!dir];
	if ((fl & TH_FIN) && !fwd->fin) {
		fwd->fin = 1;
		fwd->fin_seq = s->seq + s->len;
		if (c->state == NS_TCP_ESTABLISHED ||
		    c->state == NS_TCP_SYN_RCVD ||
		    c->state == NS_TCP_SYN_SENT) {
			if (!rev->fin)
				c->closer = (uint8_t)dir;
			c->state = NS_TCP_CLOSING;
		}
		if (ev == NS_TE_NONE || ev == NS_TE_MIDSTREAM)
			ev = dir ? NS_TE_FIN_SERVER : NS_TE_FIN_CLIENT;
	}
	/* an ACK that covers the other side's FIN */
	if ((fl & TH_ACK) && rev->fin && !rev->fin_acked &&
	    gt_seq(s->ack, rev->fin_seq)) {
		rev->fin_acked = 1;
		if (fwd->fin && fwd->fin_acked && c->state == NS_TCP_CLOSING) {
			c->state = NS_TCP_CLOSED;
			if (ev == NS_TE_NONE)
				ev = NS_TE_CLOSED;
		}
	}
	if (c->state == NS_TCP_CLOSING && fwd->fin && rev->fin &&
	    fwd->fin_acked && rev->fin_acked) {
		c->state = NS_TCP_CLOSED;
		if (ev == NS_TE_NONE)
			ev = NS_TE_CLOSED;
	}
	return ev;
}

static void state_machine(struct ns_tcp_conn *c, int dir,
			  const struct ns_tcp_seginfo *s,
			  struct ns_tcp_result *out)
{
	if (s->flags & TH_RST) {
		out->event = on_reset(c, dir);
		return;
	}
	uint8_t ev = handshake(c, dir, s);
	if (s->flags & TH_SYN)
		c->d[dir].syn = 1;
	out->event = closing(c, dir, s, ev);
}

static void record_history(struct ns_tcp_conn *c, int dir,
			   const struct ns_tcp_seginfo *s,
			   const struct ns_tcp_result *out)
{
	uint16_t fl = s->flags;
	/* Zeek's Q: a SYN with FIN or RST (instead of S or H); I: FIN and
	 * RST together */
	if ((fl & TH_SYN) && (fl & (TH_FIN | TH_RST)))
		history(c, dir, 'Q');
	else if ((fl & (TH_FIN | TH_RST)) == (TH_FIN | TH_RST))
		history(c, dir, 'I');
	else if ((fl & (TH_SYN | TH_ACK)) == TH_SYN)
		history(c, dir, 'S');
	else if ((fl & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		history(c, dir, 'H');
	if (s->len > 0)
		history(c, dir, 'D');
	if (fl & TH_FIN)
		history(c, dir, 'F');
	if (fl & TH_RST)
		history(c, dir, 'R');
	if ((fl & TH_ACK) && !(fl & (TH_SYN | TH_FIN | TH_RST)) && s->len == 0)
		history(c, dir, 'A');
	/* Zeek's T is retransmitted payload: not a SYN or FIN sent again */
	if (s->len > 0 &&
	    (out->flags & (NS_TA_RETRANSMISSION | NS_TA_FAST_RETRANSMISSION |
			   NS_TA_SPURIOUS_RETRANSMISSION)))
		history(c, dir, 'T');
	if (s->window == 0 && !(fl & (TH_SYN | TH_RST)))
		history(c, dir, 'W');
}

/* What the first segments teach about the connection: the base sequence
 * numbers, each side's window scale and the initial RTT. */
static void learn(struct ns_tcp_conn *c, int dir,
		  const struct ns_tcp_seginfo *s)
{
	struct ns_tcp_dir *fwd = &c->d[dir], *rev = &c->d[!dir];
	/* base sequence numbers: the ISN of a SYN, else one before the first
	 * seq; the reverse base from the first ACK (tshark's rule) */
	if (!fwd->base_set) {
		fwd->base_seq = (s->flags & TH_SYN) ? s->seq : s->seq - 1;
		fwd->base_set = 1;
	}
	if (!rev->base_set && (s->flags & TH_ACK)) {
		rev->base_seq = s->ack - 1;
		rev->base_set = 1;
	}
	/* window scaling (RFC 7323 §2.2): only if both SYNs carried it */
	if (s->flags & TH_SYN)
		fwd->wscale =
		    (int8_t)(s->wscale >= 0 ? (s->wscale > 14 ? 14 : s->wscale)
			     : s->wscale == -1 ? -2   /* no option */
					       : -1); /* unknown */

	/* iRTT as tshark measures it: from the most recent SYN to the first
	 * segment with ACK and without SYN, from either side (the handshake's
	 * last ACK, or the RST that refuses the connection) */
	if ((s->flags & (TH_SYN | TH_ACK)) == TH_SYN)
		c->syn_ts = s->ts, c->syn_any = 1;
	else if ((s->flags & (TH_SYN | TH_ACK)) == TH_ACK && c->syn_any &&
		 c->initial_rtt < 0)
		c->initial_rtt = s->ts - c->syn_ts;
}

/* The calculated window and its scale factor as tshark shows them. */
static void window_size(const struct ns_tcp_dir *fwd,
			const struct ns_tcp_dir *rev,
			const struct ns_tcp_seginfo *s,
			struct ns_tcp_result *out)
{
	if (s->flags & TH_SYN) {
		out->win_scale = 0; /* not shown on SYNs */
		out->win_size = s->window;
	} else if (fwd->wscale >= 0 && rev->wscale >= 0) {
		out->win_scale = 1 << fwd->wscale;
		out->win_size = (int64_t)s->window << fwd->wscale;
	} else if (fwd->wscale == -2 || rev->wscale == -2) {
		/* a SYN without the option: no scaling either way */
		out->win_scale = -2;
		out->win_size = s->window;
	} else {
		out->win_scale = -1;
		out->win_size = s->window;
	}
}

void ns_tcp_conn_update(struct ns_tcp_conn *c, int dir, int64_t flow_start,
			const struct ns_tcp_seginfo *s,
			struct ns_tcp_result *out)
{
	struct ns_tcp_dir *fwd = &c->d[dir], *rev = &c->d[!dir];
	memset(out, 0, sizeof(*out));
	out->ack_rtt = -1;

	learn(c, dir, s);
	analyze(c, dir, s, out);
	state_machine(c, dir, s, out);
	record_history(c, dir, s, out);

	out->rel_seq = s->seq - fwd->base_seq;
	out->rel_ack = (s->flags & TH_ACK) ? s->ack - rev->base_seq : s->ack;
	out->rel_nxtseq = s->seq + s->len +
			  ((s->flags & (TH_SYN | TH_FIN)) ? 1 : 0) -
			  fwd->base_seq;
	window_size(fwd, rev, s, out);
	out->has_data = s->len > 0;
	out->time_rel = s->ts - flow_start;
	out->time_delta = c->prev_ts ? s->ts - c->prev_ts : 0;
	c->prev_ts = s->ts;
	if (s->len > 0 && c->first_data_ts[dir] < 0)
		c->first_data_ts[dir] = s->ts;
	if (s->len > 0)
		c->last_data_ts[dir] = s->ts;
}

int ns_tcp_conn_closed(const struct ns_tcp_conn *c)
{
	return c->state == NS_TCP_CLOSED || c->state == NS_TCP_RESET ||
	       c->state == NS_TCP_REFUSED;
}

const char *ns_tcp_conn_state(const struct ns_tcp_conn *c)
{
	const struct ns_tcp_dir *o = &c->d[0], *r = &c->d[1];
	if (c->midstream)
		return "OTH";
	if (!c->synack_seen) {
		if (!c->syn_seen)
			return "OTH";
		if (r->rst)
			return "REJ";
		if (o->rst)
			return "RSTOS0";
		if (o->fin)
			return "SH";
		return "S0";
	}
	if (!c->syn_seen) {
		if (r->rst)
			return "RSTRH";
		if (r->fin)
			return "SHR";
		return "OTH";
	}
	if (c->resetter == 0)
		return "RSTO";
	if (c->resetter == 1)
		return "RSTR";
	if (o->fin && r->fin)
		return "SF";
	if (o->fin)
		return "S2";
	if (r->fin)
		return "S3";
	return "S1";
}

const char *ns_tcp_state_name(uint8_t state)
{
	static const char *const names[] = {
	    [NS_TCP_NEW] = "new",
	    [NS_TCP_SYN_SENT] = "SYN sent",
	    [NS_TCP_SYN_RCVD] = "SYN-ACK sent",
	    [NS_TCP_ESTABLISHED] = "established",
	    [NS_TCP_CLOSING] = "closing",
	    [NS_TCP_CLOSED] = "closed",
	    [NS_TCP_RESET] = "reset",
	    [NS_TCP_REFUSED] = "refused",
	};
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

const char *ns_tcp_event_name(uint8_t event)
{
	static const char *const names[] = {
	    [NS_TE_NONE] = "",
	    [NS_TE_SYN] = "SYN",
	    [NS_TE_SYNACK] = "SYN-ACK",
	    [NS_TE_SIMULTANEOUS] = "simultaneous open",
	    [NS_TE_ESTABLISHED] = "established",
	    [NS_TE_MIDSTREAM] = "mid-stream",
	    [NS_TE_FIN_CLIENT] = "FIN client",
	    [NS_TE_FIN_SERVER] = "FIN server",
	    [NS_TE_CLOSED] = "closed",
	    [NS_TE_RESET_CLIENT] = "reset by client",
	    [NS_TE_RESET_SERVER] = "reset by server",
	    [NS_TE_REFUSED] = "refused",
	};
	return event < sizeof(names) / sizeof(names[0]) ? names[event] : "";
}
