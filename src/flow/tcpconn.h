/*
 * tcpconn — per-connection TCP state: the handshake/teardown state machine,
 * tshark-compatible sequence analysis (tcp.analysis.*), relative sequence
 * numbers, and the Zeek-style connection summary (conn_state + history).
 *
 * Directions are the flow's: 0 is client→server (the endpoint that sent
 * the first SYN, or the first packet seen for a mid-stream connection).
 * Everything is derived from capture timestamps.
 */
#ifndef NS_TCPCONN_H
#define NS_TCPCONN_H

#include <stdint.h>

#define NS_TCP_MAX_UNACKED 256 /* segments remembered for ack_rtt, per dir */

enum ns_tcp_state {
	NS_TCP_NEW,
	NS_TCP_SYN_SENT,    /* client SYN seen */
	NS_TCP_SYN_RCVD,    /* server SYN-ACK seen */
	NS_TCP_ESTABLISHED, /* handshake done (or mid-stream) */
	NS_TCP_CLOSING,	    /* a FIN seen */
	NS_TCP_CLOSED,	    /* FIN both ways and the last one acked */
	NS_TCP_RESET,	    /* RST after the handshake */
	NS_TCP_REFUSED,	    /* RST in answer to a SYN */
};

/* Analysis flags, tshark's meanings. */
enum {
	NS_TA_RETRANSMISSION = 1 << 0,
	NS_TA_FAST_RETRANSMISSION = 1 << 1,
	NS_TA_SPURIOUS_RETRANSMISSION = 1 << 2,
	NS_TA_OUT_OF_ORDER = 1 << 3,
	NS_TA_LOST_PACKET = 1 << 4,
	NS_TA_ACK_LOST_PACKET = 1 << 5,
	NS_TA_WINDOW_UPDATE = 1 << 6,
	NS_TA_WINDOW_FULL = 1 << 7,
	NS_TA_KEEP_ALIVE = 1 << 8,
	NS_TA_KEEP_ALIVE_ACK = 1 << 9,
	NS_TA_DUPLICATE_ACK = 1 << 10,
	NS_TA_ZERO_WINDOW = 1 << 11,
	NS_TA_ZERO_WINDOW_PROBE = 1 << 12,
	NS_TA_ZERO_WINDOW_PROBE_ACK = 1 << 13,
	NS_TA_REUSED_PORTS = 1 << 14,
};

/* Connection events shown on the packet that caused them. */
enum ns_tcp_event {
	NS_TE_NONE,
	NS_TE_SYN,
	NS_TE_SYNACK,
	NS_TE_SIMULTANEOUS,
	NS_TE_ESTABLISHED,
	NS_TE_MIDSTREAM,
	NS_TE_FIN_CLIENT,
	NS_TE_FIN_SERVER,
	NS_TE_CLOSED,
	NS_TE_RESET_CLIENT,
	NS_TE_RESET_SERVER,
	NS_TE_REFUSED,
};

struct ns_tcp_seg { /* a segment not yet acked, for ack_rtt */
	uint32_t seq, nextseq;
	uint64_t frame;
	int64_t ts;
};

#define NS_TCP_HOLES 8

/* sequence ranges a gap left unseen ([lo, hi): bytes this capture never
 * saw below nextseq), the newest NS_TCP_HOLES, oldest first */
struct ns_tcp_holes {
	uint32_t lo[NS_TCP_HOLES], hi[NS_TCP_HOLES];
	int64_t ts[NS_TCP_HOLES]; /* when the gap was seen */
};

struct ns_tcp_dir {
	uint32_t base_seq; /* ISN (or first seq - 1 mid-stream) */
	uint32_t nextseq;  /* highest seq + len seen */
	uint32_t maxseqtobeacked;
	uint32_t lastack;   /* last ack this side sent */
	uint32_t window;    /* last raw window */
	uint32_t fin_seq;   /* seq of its FIN, when fin */
	int64_t nextseq_ts; /* when nextseq advanced */
	int64_t lastack_ts;
	uint64_t lastnondupack; /* frame */
	uint32_t dupacknum;
	int8_t wscale; /* -1 unknown, -2 no scaling, else shift */
	uint8_t base_set, nextseq_set, lastack_set;
	uint8_t syn, fin, rst, fin_acked;
	uint8_t valid_bif;
	uint32_t last_flags; /* analysis flags of its last segment */
	uint32_t sacked;     /* bytes its last segment SACKed */
	uint16_t nsegs, segcap;
	/* oldest first; grown on demand up to NS_TCP_MAX_UNACKED, so that a
	 * connection that never sends much (a flood of SYNs) stays small */
	struct ns_tcp_seg *segs;
	/* the holes (nholes of them); a segment below nextseq outside
	 * them repeats bytes already seen.  Allocated with the first gap:
	 * most connections have none */
	struct ns_tcp_holes *holes;
	uint8_t nholes;
	/* segments sent again, decided from the sequence space and timing
	 * whatever tshark's label (retransmission or out-of-order): a
	 * segment below the highest sequence seen whose bytes this capture
	 * had already seen (a copy cannot be out of order), or that fills a
	 * gap an initial RTT or more after the gap was seen (a
	 * retransmission needs the loss reported back: a round trip); one
	 * that fills a gap sooner is the late original (reordering) */
	uint64_t retrans;
};

struct ns_tcp_conn {
	struct ns_tcp_dir d[2];
	uint8_t state;	   /* enum ns_tcp_state */
	uint8_t midstream; /* no SYN from the client was seen first */
	uint8_t syn_seen, synack_seen, established;
	uint8_t syn_any;  /* a SYN (without ACK) from either side was seen */
	uint8_t closer;	  /* 0 client, 1 server: sent the first FIN */
	uint8_t resetter; /* 0 client, 1 server, 2 nobody */
	int64_t syn_ts, synack_ts, ack_ts; /* handshake times */
	int64_t initial_rtt;		   /* ns, -1 unknown */
	int64_t prev_ts;		   /* last packet, for time_delta */
	int64_t first_data_ts[2], last_data_ts[2]; /* payload, each way */
	char history[24];
	uint8_t hist_len;
	uint32_t hist_seen; /* letters already recorded, by index and dir */
};

/* What ns_tcp_conn_update() found for one segment. */
struct ns_tcp_result {
	uint32_t flags; /* NS_TA_* */
	uint8_t event;	/* enum ns_tcp_event */
	uint32_t rel_seq, rel_ack, rel_nxtseq;
	int64_t ack_rtt; /* -1 none */
	uint64_t acks_frame;
	uint32_t bytes_in_flight; /* 0 none */
	uint32_t dupack_num;
	uint64_t dupack_frame;
	int64_t win_size;  /* calculated window, -1 unknown */
	int32_t win_scale; /* factor: -1 unknown, -2 none */
	int64_t time_rel, time_delta;
	uint8_t has_data; /* the segment carries payload */
};

struct ns_tcp_seginfo {
	uint32_t seq, ack;
	uint16_t flags; /* TCP header flags */
	uint32_t window;
	uint32_t len; /* payload length */
	int wscale;   /* window-scale option shift, -1 when absent, -2 when
			 the options were cut by the snaplen */
	uint64_t frame;
	int64_t ts;
	uint8_t nsack; /* SACK blocks (raw sequence numbers) */
	uint32_t sack_le[4], sack_re[4];
};

void ns_tcp_conn_init(struct ns_tcp_conn *c);
/* Frees what the connection allocated (not c itself). */
void ns_tcp_conn_free(struct ns_tcp_conn *c);
/* A closed connection's tables that are empty go (called as it waits for
 * its timeout: late segments still find what they need). */
void ns_tcp_conn_trim(struct ns_tcp_conn *c);

/* Whether a segment from `dir` starts a new connection on this flow (a SYN
 * with a different ISN, as tshark decides: port reuse). */
int ns_tcp_conn_is_new(const struct ns_tcp_conn *c, int dir,
		       const struct ns_tcp_seginfo *s);

/* Runs the state machine and the analysis for one segment from `dir`. */
void ns_tcp_conn_update(struct ns_tcp_conn *c, int dir, int64_t flow_start,
			const struct ns_tcp_seginfo *s,
			struct ns_tcp_result *out);

/* Zeek conn_state of the connection so far ("S0", "SF", …). */
const char *ns_tcp_conn_state(const struct ns_tcp_conn *c);
/* Short name of the state machine state ("established", …). */
const char *ns_tcp_state_name(uint8_t state);
const char *ns_tcp_event_name(uint8_t event);
/* True when the idle timeout for closed connections applies. */
int ns_tcp_conn_closed(const struct ns_tcp_conn *c);

#endif
