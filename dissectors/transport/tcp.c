/*
 * TCP header (RFC 9293 §3.1) and options (MSS, window scale RFC 7323,
 * SACK-permitted and SACK RFC 2018, timestamps RFC 7323), with the
 * connection tracking of src/flow/transport.c: stream index, relative sequence
 * numbers, tcp.analysis.* (tshark's meanings), the connection state and
 * its transitions, and the payload handed to stream reassembly.
 *
 * The data offset is checked (>= 20 bytes, within the segment) before the
 * options are walked; every option length is checked against what remains.
 * tcp.len is derived from the IP payload length, so it is right even when
 * the capture was cut by the snaplen.  A header cut short is shown with the
 * raw values it has and is not tracked.  The checksum is not verified (as
 * tshark by default).
 */
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "flow/stream.h"
#include "flow/transport.h"

enum {
	F_SRCPORT,
	F_DSTPORT,
	F_SEQ,
	F_ACK,
	F_HDR_LEN,
	F_FLAGS,
	F_FLAGS_RES,
	F_FLAGS_AE,
	F_FLAGS_CWR,
	F_FLAGS_ECE,
	F_FLAGS_URG,
	F_FLAGS_ACK,
	F_FLAGS_PUSH,
	F_FLAGS_RESET,
	F_FLAGS_SYN,
	F_FLAGS_FIN,
	F_WINDOW,
	F_CHECKSUM,
	F_URGENT,
	F_LEN,
	F_OPTIONS,
	F_OPT_KIND,
	F_OPT_LEN,
	F_OPT_EOL,
	F_OPT_NOP,
	F_OPT_MSS,
	F_OPT_MSS_VAL,
	F_OPT_WSCALE,
	F_OPT_WS_SHIFT,
	F_OPT_WS_MULT,
	F_OPT_SACK_PERM,
	F_OPT_SACK,
	F_OPT_SACK_LE,
	F_OPT_SACK_RE,
	F_OPT_SACK_COUNT,
	F_OPT_TS,
	F_OPT_TSVAL,
	F_OPT_TSECR,
	F_OPT_UNKNOWN,
	F_OPT_UNKNOWN_PAYLOAD,
	F_PAYLOAD,
	F_STREAM,
	F_SEQ_RAW,
	F_ACK_RAW,
	F_NXTSEQ,
	F_WIN_SIZE,
	F_WIN_SCALE,
	F_ANALYSIS,
	F_A_FLAGS,
	F_A_RETRANS,
	F_A_FAST_RETRANS,
	F_A_SPURIOUS,
	F_A_OOO,
	F_A_LOST,
	F_A_ACK_LOST,
	F_A_WIN_UPDATE,
	F_A_WIN_FULL,
	F_A_KEEPALIVE,
	F_A_KEEPALIVE_ACK,
	F_A_DUPACK,
	F_A_DUPACK_NUM,
	F_A_DUPACK_FRAME,
	F_A_ZERO_WIN,
	F_A_ZWP,
	F_A_ZWP_ACK,
	F_A_REUSED,
	F_A_IRTT,
	F_A_ACK_RTT,
	F_A_ACKS_FRAME,
	F_A_BIF,
	F_TIME_REL,
	F_TIME_DELTA,
	F_CONN_EVENT,
	F_CONN_STATE,
	F_CONN_HISTORY,
	F_PORT,
	F_COUNT
};

static const struct ns_valstr kind_vals[] = {
    {0, "End of Option List"},
    {1, "No-Operation (NOP)"},
    {2, "Maximum Segment Size"},
    {3, "Window Scale"},
    {4, "SACK Permitted"},
    {5, "SACK"},
    {8, "Time Stamp Option"},
    {28, "User Timeout"},
    {29, "TCP-AO"},
    {30, "Multipath TCP"},
    {34, "TCP Fast Open Cookie"},
    {253, "RFC3692-style Experiment 1"},
    {254, "RFC3692-style Experiment 2"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_SRCPORT] = NS_F_UINT("tcp.srcport", "Source Port", 16),
    [F_DSTPORT] = NS_F_UINT("tcp.dstport", "Destination Port", 16),
    [F_SEQ] = NS_F_UINT("tcp.seq", "Sequence Number", 32),
    [F_ACK] = NS_F_UINT("tcp.ack", "Acknowledgment Number", 32),
    [F_HDR_LEN] = NS_F_UINT("tcp.hdr_len", "Header Length", 8),
    [F_FLAGS] = NS_F_HEX("tcp.flags", "Flags", 16),
    [F_FLAGS_RES] = NS_F_BOOL("tcp.flags.res", "Reserved"),
    [F_FLAGS_AE] = NS_F_BOOL("tcp.flags.ae", "Accurate ECN"),
    [F_FLAGS_CWR] = NS_F_BOOL("tcp.flags.cwr", "Congestion Window Reduced"),
    [F_FLAGS_ECE] = NS_F_BOOL("tcp.flags.ece", "ECN-Echo"),
    [F_FLAGS_URG] = NS_F_BOOL("tcp.flags.urg", "Urgent"),
    [F_FLAGS_ACK] = NS_F_BOOL("tcp.flags.ack", "Acknowledgment"),
    [F_FLAGS_PUSH] = NS_F_BOOL("tcp.flags.push", "Push"),
    [F_FLAGS_RESET] = NS_F_BOOL("tcp.flags.reset", "Reset"),
    [F_FLAGS_SYN] = NS_F_BOOL("tcp.flags.syn", "Syn"),
    [F_FLAGS_FIN] = NS_F_BOOL("tcp.flags.fin", "Fin"),
    [F_WINDOW] = NS_F_UINT("tcp.window_size_value", "Window", 16),
    [F_CHECKSUM] = NS_F_HEX("tcp.checksum", "Checksum", 16),
    [F_URGENT] = NS_F_UINT("tcp.urgent_pointer", "Urgent Pointer", 16),
    [F_LEN] = NS_F_UINT("tcp.len", "TCP Segment Len", 32),
    [F_OPTIONS] = NS_F_BYTES("tcp.options", "TCP Options"),
    [F_OPT_KIND] =
	NS_F_VALS("tcp.option_kind", "Kind", 8, NS_BASE_DEC, kind_vals),
    [F_OPT_LEN] = NS_F_UINT("tcp.option_len", "Length", 8),
    [F_OPT_EOL] = NS_F_NONE("tcp.options.eol", "End of Option List (EOL)"),
    [F_OPT_NOP] = NS_F_NONE("tcp.options.nop", "No-Operation (NOP)"),
    [F_OPT_MSS] = NS_F_NONE("tcp.options.mss", "Maximum segment size"),
    [F_OPT_MSS_VAL] = NS_F_UINT("tcp.options.mss_val", "MSS Value", 16),
    [F_OPT_WSCALE] = NS_F_NONE("tcp.options.wscale", "Window scale"),
    [F_OPT_WS_SHIFT] = NS_F_UINT("tcp.options.wscale.shift", "Shift count", 8),
    [F_OPT_WS_MULT] =
	NS_F_UINT("tcp.options.wscale.multiplier", "Multiplier", 16),
    [F_OPT_SACK_PERM] = NS_F_NONE("tcp.options.sack_perm", "SACK permitted"),
    [F_OPT_SACK] = NS_F_NONE("tcp.options.sack", "SACK"),
    [F_OPT_SACK_LE] =
	NS_F_UINT("tcp.options.sack_le", "TCP SACK Left Edge", 32),
    [F_OPT_SACK_RE] =
	NS_F_UINT("tcp.options.sack_re", "TCP SACK Right Edge", 32),
    [F_OPT_SACK_COUNT] =
	NS_F_UINT("tcp.options.sack.count", "TCP SACK Count", 8),
    [F_OPT_TS] = NS_F_NONE("tcp.options.timestamp", "Timestamps"),
    [F_OPT_TSVAL] =
	NS_F_UINT("tcp.options.timestamp.tsval", "Timestamp value", 32),
    [F_OPT_TSECR] =
	NS_F_UINT("tcp.options.timestamp.tsecr", "Timestamp echo reply", 32),
    [F_OPT_UNKNOWN] = NS_F_NONE("tcp.options.unknown", "Unknown option"),
    [F_OPT_UNKNOWN_PAYLOAD] =
	NS_F_BYTES("tcp.options.unknown.payload", "Payload"),
    [F_PAYLOAD] = NS_F_BYTES("tcp.payload", "TCP payload"),
    [F_STREAM] = NS_F_UINT("tcp.stream", "Stream index", 32),
    [F_SEQ_RAW] = NS_F_UINT("tcp.seq_raw", "Sequence Number (raw)", 32),
    [F_ACK_RAW] = NS_F_UINT("tcp.ack_raw", "Acknowledgment number (raw)", 32),
    [F_NXTSEQ] = NS_F_UINT("tcp.nxtseq", "Next Sequence Number", 32),
    [F_WIN_SIZE] = NS_F_UINT("tcp.window_size", "Calculated window size", 32),
    [F_WIN_SCALE] =
	NS_F(("tcp.window_size_scalefactor"), "Window size scaling factor",
	     NS_FT_INT, 32, NS_BASE_DEC, NULL),
    [F_ANALYSIS] = NS_F_NONE("tcp.analysis", "SEQ/ACK analysis"),
    [F_A_FLAGS] = NS_F_NONE("tcp.analysis.flags", "TCP Analysis Flags"),
    [F_A_RETRANS] = NS_F_NONE("tcp.analysis.retransmission",
			      "This frame is a (suspected) retransmission"),
    [F_A_FAST_RETRANS] =
	NS_F_NONE("tcp.analysis.fast_retransmission",
		  "This frame is a (suspected) fast retransmission"),
    [F_A_SPURIOUS] =
	NS_F_NONE("tcp.analysis.spurious_retransmission",
		  "This frame is a (suspected) spurious retransmission"),
    [F_A_OOO] = NS_F_NONE("tcp.analysis.out_of_order",
			  "This frame is a (suspected) out-of-order segment"),
    [F_A_LOST] = NS_F_NONE("tcp.analysis.lost_segment",
			   "Previous segment(s) not captured"),
    [F_A_ACK_LOST] = NS_F_NONE("tcp.analysis.ack_lost_segment",
			       "ACKed segment that wasn't captured"),
    [F_A_WIN_UPDATE] =
	NS_F_NONE("tcp.analysis.window_update", "TCP window update"),
    [F_A_WIN_FULL] = NS_F_NONE(
	"tcp.analysis.window_full",
	"TCP window specified by the receiver is now completely full"),
    [F_A_KEEPALIVE] =
	NS_F_NONE("tcp.analysis.keep_alive", "TCP keep-alive segment"),
    [F_A_KEEPALIVE_ACK] = NS_F_NONE("tcp.analysis.keep_alive_ack",
				    "ACK to a TCP keep-alive segment"),
    [F_A_DUPACK] = NS_F_NONE("tcp.analysis.duplicate_ack", "Duplicate ACK"),
    [F_A_DUPACK_NUM] =
	NS_F_UINT("tcp.analysis.duplicate_ack_num", "Duplicate ACK #", 32),
    [F_A_DUPACK_FRAME] = NS_F_UINT("tcp.analysis.duplicate_ack_frame",
				   "Duplicate to the ACK in frame", 32),
    [F_A_ZERO_WIN] =
	NS_F_NONE("tcp.analysis.zero_window", "TCP Zero Window segment"),
    [F_A_ZWP] =
	NS_F_NONE("tcp.analysis.zero_window_probe", "TCP Zero Window Probe"),
    [F_A_ZWP_ACK] = NS_F_NONE("tcp.analysis.zero_window_probe_ack",
			      "ACK to a TCP Zero Window Probe"),
    [F_A_REUSED] = NS_F_NONE("tcp.analysis.reused_ports",
			     "A new tcp session is started with the same ports "
			     "as an earlier session"),
    [F_A_IRTT] = NS_F_RELTIME("tcp.analysis.initial_rtt", "iRTT"),
    [F_A_ACK_RTT] =
	NS_F_RELTIME("tcp.analysis.ack_rtt", "The RTT to ACK the segment was"),
    [F_A_ACKS_FRAME] = NS_F_UINT("tcp.analysis.acks_frame",
				 "This is an ACK to the segment in frame", 32),
    [F_A_BIF] =
	NS_F_UINT("tcp.analysis.bytes_in_flight", "Bytes in flight", 32),
    [F_TIME_REL] = NS_F_RELTIME("tcp.time_relative",
				"Time since first frame in this TCP stream"),
    [F_TIME_DELTA] = NS_F_RELTIME(
	"tcp.time_delta", "Time since previous frame in this TCP stream"),
    [F_CONN_EVENT] = NS_F_STR("tcp.conn.event", "Connection event"),
    [F_CONN_STATE] =
	NS_F_STR("tcp.conn.state", "Connection state (Zeek conn_state)"),
    [F_CONN_HISTORY] =
	NS_F_STR("tcp.conn.history", "Connection history (Zeek)"),
    [F_PORT] = NS_F_ALIAS("tcp.port", "Source or Destination Port",
			  "tcp.srcport", "tcp.dstport"),
};

/* analysis flags: field and the label tshark puts in front of the info */
static const struct {
	uint32_t flag;
	int field;
	const char *label;
} analysis[] = {
    {NS_TA_REUSED_PORTS, F_A_REUSED, "TCP Port numbers reused"},
    {NS_TA_RETRANSMISSION, F_A_RETRANS, "TCP Retransmission"},
    {NS_TA_FAST_RETRANSMISSION, F_A_FAST_RETRANS, "TCP Fast Retransmission"},
    {NS_TA_SPURIOUS_RETRANSMISSION, F_A_SPURIOUS,
     "TCP Spurious Retransmission"},
    {NS_TA_OUT_OF_ORDER, F_A_OOO, "TCP Out-Of-Order"},
    {NS_TA_LOST_PACKET, F_A_LOST, "TCP Previous segment not captured"},
    {NS_TA_ACK_LOST_PACKET, F_A_ACK_LOST, "TCP ACKed unseen segment"},
    {NS_TA_WINDOW_UPDATE, F_A_WIN_UPDATE, "TCP Window Update"},
    {NS_TA_WINDOW_FULL, F_A_WIN_FULL, "TCP Window Full"},
    {NS_TA_KEEP_ALIVE, F_A_KEEPALIVE, "TCP Keep-Alive"},
    {NS_TA_KEEP_ALIVE_ACK, F_A_KEEPALIVE_ACK, "TCP Keep-Alive ACK"},
    {NS_TA_DUPLICATE_ACK, F_A_DUPACK, NULL}, /* "TCP Dup ACK f#n" */
    {NS_TA_ZERO_WINDOW, F_A_ZERO_WIN, "TCP ZeroWindow"},
    {NS_TA_ZERO_WINDOW_PROBE, F_A_ZWP, "TCP ZeroWindowProbe"},
    {NS_TA_ZERO_WINDOW_PROBE_ACK, F_A_ZWP_ACK, "TCP ZeroWindowProbeAck"},
};

/* What info() shows, noted as the fields are recorded (the summary line
 * is built from them, not from a walk of the layer's fields): the first
 * value of each of the layer's fields that was recorded (the cap may
 * refuse one), and the connection event's text.  One per TCP layer, in
 * the packet's arena (ns_layer.sum); none when no field is recorded. */
struct tcp_sum {
	uint64_t v[F_COUNT];
	unsigned char have[F_COUNT];
	const uint8_t *event;
	uint32_t event_n;
};

/* The layer's summary values, made with the layer. */
static void sum_open(struct ns_packet *pkt)
{
	struct tcp_sum *s = NULL;
	if (!pkt->nofields) {
		s = ns_arena_alloc(&pkt->arena, sizeof(*s));
		if (s) {
			memset(s->have, 0, sizeof(s->have));
			s->event = NULL;
			s->event_n = 0;
		}
	}
	pkt->layers[pkt->cur_layer].sum = s;
}

/* Field k with value v, recorded by the call that left nfv before it,
 * noted when it is the layer's first k. */
static inline void noted(struct ns_packet *pkt, uint32_t nfv, int k, uint64_t v)
{
	struct tcp_sum *s = pkt->layers[pkt->cur_layer].sum;
	if (s && pkt->nfv != nfv && !s->have[k]) {
		s->have[k] = 1;
		s->v[k] = v;
	}
}

static inline void add_u(struct ns_packet *pkt, int k, uint32_t off,
			 uint32_t len, uint64_t v)
{
	uint32_t n = pkt->nfv;
	ns_add_uint(pkt, &fields[k], off, len, v);
	noted(pkt, n, k, v);
}

static inline void add_label(struct ns_packet *pkt, int k, uint32_t off,
			     uint32_t len)
{
	uint32_t n = pkt->nfv;
	ns_add_label(pkt, &fields[k], off, len);
	noted(pkt, n, k, 0);
}

/* Reads and records field k, 2 or 4 bytes (wide). */
static inline uint32_t get(struct ns_packet *pkt, struct ns_reader *r, int k,
			   int wide)
{
	uint32_t n = pkt->nfv;
	uint32_t v = wide ? ns_get_u32(pkt, r, &fields[k])
			  : ns_get_u16(pkt, r, &fields[k]);
	noted(pkt, n, k, v);
	return v;
}

/* Fixed lengths of the options that have one (0: variable). */
static unsigned fixed_len(uint8_t kind)
{
	switch (kind) {
	case 2:
		return 4;
	case 3:
		return 3;
	case 4:
		return 2;
	case 8:
		return 10;
	default:
		return 0;
	}
}

/* Only the summary line reads the fields (ns_engine.summary_only): the
 * fields it does not show are left out (invariant 4); info() reads the
 * flags, Seq, Ack, Len, the window, the options it lists, the analysis
 * and the connection's event. */
static int brief(const struct ns_packet *pkt)
{
	return pkt->eng && pkt->eng->summary_only;
}

/* Whether field k, which the summary line does not read, is recorded
 * (ns_field_wanted: -z expert reads the stream). */
static int shown(const struct ns_packet *pkt, int k)
{
	return ns_field_wanted(pkt, &fields[k]);
}

/* The label field an option is shown under. */
static int option_label(uint8_t kind)
{
	switch (kind) {
	case 2:
		return F_OPT_MSS;
	case 3:
		return F_OPT_WSCALE;
	case 4:
		return F_OPT_SACK_PERM;
	case 5:
		return F_OPT_SACK;
	case 8:
		return F_OPT_TS;
	default:
		return F_OPT_UNKNOWN;
	}
}

/* The SACK blocks (RFC 2018 §3), len the option's length. */
static void sack_blocks(struct ns_packet *pkt, struct ns_reader *r,
			uint32_t off, uint8_t len, uint32_t sack_base)
{
	unsigned n = (len - 2u) / 8;
	ns_add_uint(pkt, &fields[F_OPT_SACK_COUNT], off, len, n);
	for (unsigned i = 0; i < n; i++) {
		uint32_t o = ns_rd_off(r);
		uint32_t le = ns_rd_u32(r), re = ns_rd_u32(r);
		if (r->err)
			break;
		add_u(pkt, F_OPT_SACK_LE, o, 4, le - sack_base);
		add_u(pkt, F_OPT_SACK_RE, o + 4, 4, re - sack_base);
	}
}

/* The value of an option whose length was checked, at r; off is where the
 * option starts. */
static void option_value(struct ns_packet *pkt, struct ns_reader *r,
			 uint32_t off, uint8_t kind, uint8_t len,
			 uint32_t sack_base)
{
	switch (kind) {
	case 2:
		get(pkt, r, F_OPT_MSS_VAL, 0);
		break;
	case 3: {
		uint8_t shift = ns_get_u8(pkt, r, &fields[F_OPT_WS_SHIFT]);
		add_u(pkt, F_OPT_WS_MULT, off + 2, 1,
		      1u << (shift > 14 ? 14 : shift));
		break;
	}
	case 4:
		break;
	case 5:
		sack_blocks(pkt, r, off, len, sack_base);
		break;
	case 8:
		get(pkt, r, F_OPT_TSVAL, 1);
		get(pkt, r, F_OPT_TSECR, 1);
		break;
	default:
		if (len > 2)
			ns_get_bytes(pkt, r, &fields[F_OPT_UNKNOWN_PAYLOAD],
				     len - 2u);
		break;
	}
}

/* An option past its kind (not EOL or NOP), read by the caller.
 * sack_base: subtracted from SACK edges (the peer's initial sequence
 * number when the connection is tracked, as tshark shows them relative);
 * 1 when the options end here (a bad length). */
static int option(struct ns_packet *pkt, struct ns_reader *r, uint8_t kind,
		  uint32_t sack_base)
{
	uint32_t off = ns_rd_off(r) - 1; /* its kind was read */
	uint8_t len = ns_rd_u8(r);
	if (r->err || len < 2 || (size_t)(len - 2) > ns_rd_left(r)) {
		ns_malformed(pkt, "option %u has bad length %u", kind, len);
		return 1;
	}
	unsigned want = fixed_len(kind);
	if ((want && len != want) || (kind == 5 && (len - 2) % 8 != 0)) {
		ns_malformed(pkt, "option %u has bad length %u", kind, len);
		return 1;
	}
	add_label(pkt, option_label(kind), off, len);
	ns_tree_push(pkt);
	if (shown(pkt, F_OPT_KIND))
		ns_add_uint(pkt, &fields[F_OPT_KIND], off, 1, kind);
	if (shown(pkt, F_OPT_LEN))
		ns_add_uint(pkt, &fields[F_OPT_LEN], off + 1, 1, len);
	option_value(pkt, r, off, kind, len, sack_base);
	ns_tree_pop(pkt);
	return 0;
}

/* The options tracking needs (window scale, SACK blocks), read without
 * recording: tracking runs before the fields are recorded. */
static void scan_options(struct ns_reader o, struct ns_tcp_seginfo *si)
{
	si->wscale = -1;
	si->nsack = 0;
	while (ns_rd_left(&o) > 0) {
		uint8_t kind = ns_rd_u8(&o);
		if (kind == 0)
			break;
		if (kind == 1)
			continue;
		uint8_t len = ns_rd_u8(&o);
		if (o.err || len < 2 || (size_t)(len - 2) > ns_rd_left(&o))
			break;
		struct ns_reader v = ns_rd_sub(&o, len - 2u);
		if (kind == 3 && len == 3) {
			si->wscale = ns_rd_u8(&v);
		} else if (kind == 5) {
			while (ns_rd_left(&v) >= 8 && si->nsack < 4) {
				si->sack_le[si->nsack] = ns_rd_u32(&v);
				si->sack_re[si->nsack] = ns_rd_u32(&v);
				si->nsack++;
			}
		}
	}
}

/* Whether a reader of packets named one of the flag bits (the enum's
 * F_FLAGS_RES … F_FLAGS_FIN). */
static int bits_named(const struct ns_packet *pkt)
{
	for (int k = F_FLAGS_RES; pkt->nofields == 2 && k <= F_FLAGS_FIN; k++)
		if (ns_pkt_named(pkt, &fields[k]))
			return 1;
	return 0;
}

static void flag_fields(struct ns_packet *pkt, uint32_t foff, unsigned flags)
{
	static const int bit_field[8] = {
	    F_FLAGS_FIN, F_FLAGS_SYN, F_FLAGS_RESET, F_FLAGS_PUSH,
	    F_FLAGS_ACK, F_FLAGS_URG, F_FLAGS_ECE,   F_FLAGS_CWR,
	};
	add_u(pkt, F_FLAGS, foff, 2, flags);
	/* one field per bit: for a tree, JSON, a filter, or a report that
	 * names one (ns_pkt_add() then keeps just those) */
	if (brief(pkt) && !bits_named(pkt))
		return;
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_FLAGS_RES], foff, 1, (flags >> 9 & 7) != 0);
	ns_add_uint(pkt, &fields[F_FLAGS_AE], foff, 1, (flags >> 8) & 1);
	for (int b = 7; b >= 0; b--)
		ns_add_uint(pkt, &fields[bit_field[b]], foff + 1, 1,
			    (flags >> b) & 1);
	ns_tree_pop(pkt);
}

/* A header cut before its 20 bytes: the raw values it has, untracked. */
static int dissect_short(struct ns_packet *pkt, struct ns_reader *r)
{
	get(pkt, r, F_SEQ, 1);
	get(pkt, r, F_ACK, 1);
	uint32_t foff = ns_rd_off(r);
	uint16_t hf = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_HDR_LEN], foff, 1, (hf >> 12) * 4u);
	flag_fields(pkt, foff, hf & 0x0fffu);
	get(pkt, r, F_WINDOW, 0);
	ns_get_u16(pkt, r, &fields[F_CHECKSUM]);
	ns_get_u16(pkt, r, &fields[F_URGENT]);
	return NS_ETRUNC;
}

static void tracking_fields(struct ns_packet *pkt, uint32_t start,
			    const struct ns_tcp_track *t)
{
	const struct ns_tcp_result *res = &t->res;
	/* as tshark: the analysis (and the iRTT in it) only where there is
	 * something to say about this segment: an ACK of a segment, data
	 * (tshark counts bytes since the last PSH), analysis flags */
	int say = res->acks_frame || res->bytes_in_flight || res->flags ||
		  res->has_data;
	if (!say)
		return;
	ns_add_label(pkt, &fields[F_ANALYSIS], start, 0);
	ns_tree_push(pkt);
	if (t->flow->tcp->initial_rtt >= 0)
		add_u(pkt, F_A_IRTT, start, 0,
		      (uint64_t)t->flow->tcp->initial_rtt);
	if (res->acks_frame) {
		ns_add_uint(pkt, &fields[F_A_ACKS_FRAME], start, 0,
			    res->acks_frame);
		ns_add_int(pkt, &fields[F_A_ACK_RTT], start, 0, res->ack_rtt);
	}
	if (res->bytes_in_flight)
		ns_add_uint(pkt, &fields[F_A_BIF], start, 0,
			    res->bytes_in_flight);
	if (res->flags) {
		ns_add_label(pkt, &fields[F_A_FLAGS], start, 0);
		ns_tree_push(pkt);
		for (size_t i = 0; i < NS_NELEM(analysis); i++) {
			if (!(res->flags & analysis[i].flag))
				continue;
			add_label(pkt, analysis[i].field, start, 0);
			if (analysis[i].flag == NS_TA_DUPLICATE_ACK) {
				add_u(pkt, F_A_DUPACK_NUM, start, 0,
				      res->dupack_num);
				add_u(pkt, F_A_DUPACK_FRAME, start, 0,
				      res->dupack_frame);
			}
		}
		ns_tree_pop(pkt);
	}
	ns_tree_pop(pkt);
}

/* Times and the connection's state: shown even for a header the snaplen
 * cut (tshark shows the times too). */
static void conn_fields(struct ns_packet *pkt, uint32_t start,
			const struct ns_tcp_track *t)
{
	const struct ns_tcp_result *res = &t->res;
	if (shown(pkt, F_TIME_REL))
		ns_add_int(pkt, &fields[F_TIME_REL], start, 0, res->time_rel);
	if (shown(pkt, F_TIME_DELTA))
		ns_add_int(pkt, &fields[F_TIME_DELTA], start, 0,
			   res->time_delta);
	const char *ev = ns_tcp_event_name(res->event);
	if (*ev) {
		uint32_t n = pkt->nfv, len = (uint32_t)strlen(ev);
		ns_add_bytes(pkt, &fields[F_CONN_EVENT], start, 0,
			     (const uint8_t *)ev, len);
		struct tcp_sum *s = pkt->layers[pkt->cur_layer].sum;
		if (s && pkt->nfv != n && !s->have[F_CONN_EVENT]) {
			s->have[F_CONN_EVENT] = 1;
			s->event = (const uint8_t *)ev;
			s->event_n = len;
		}
	}
	const struct ns_tcp_conn *c = t->flow->tcp;
	if (shown(pkt, F_CONN_STATE)) {
		const char *st = ns_tcp_conn_state(c);
		ns_add_bytes(pkt, &fields[F_CONN_STATE], start, 0,
			     (const uint8_t *)st, (uint32_t)strlen(st));
	}
	if (!shown(pkt, F_CONN_HISTORY))
		return;
	char *h = ns_arena_strndup(&pkt->arena, c->history, c->hist_len);
	if (h)
		ns_add_bytes(pkt, &fields[F_CONN_HISTORY], start, 0,
			     (const uint8_t *)h, c->hist_len);
}

/* The fixed header (RFC 9293 §3.1) as read, with the segment length. */
struct hdr {
	uint32_t start; /* offset of the header */
	uint32_t foff;	/* offset of the data offset and flags word */
	uint16_t sport, dport, win, csum, urg;
	uint32_t seq, ack;
	unsigned hlen, flags;
	uint32_t len; /* payload length */
};

/* The header after the ports, whose 16 bytes are known to be there. */
static void read_fixed(struct ns_reader *r, struct hdr *h)
{
	h->seq = ns_rd_u32(r);
	h->ack = ns_rd_u32(r);
	h->foff = ns_rd_off(r);
	uint16_t hf = ns_rd_u16(r);
	h->win = ns_rd_u16(r);
	h->csum = ns_rd_u16(r);
	h->urg = ns_rd_u16(r);
	h->hlen = (hf >> 12) * 4u;
	h->flags = hf & 0x0fffu;
}

/* Checks the data offset against the header and the segment, and sets
 * h->len; a bad one is shown with what it has.  0 or NS_EMALFORMED. */
static int check_hlen(struct ns_packet *pkt, struct hdr *h, size_t avail)
{
	if (h->hlen < 20) {
		add_u(pkt, F_SEQ, h->start + 4, 4, h->seq);
		add_u(pkt, F_ACK, h->start + 8, 4, h->ack);
		ns_add_uint(pkt, &fields[F_HDR_LEN], h->foff, 1, h->hlen);
		flag_fields(pkt, h->foff, h->flags);
		return ns_malformed(pkt, "bogus header length %u", h->hlen);
	}
	/* the segment length the IP header states, or what is here */
	uint32_t seglen =
	    pkt->ip_payload_len ? pkt->ip_payload_len : (uint32_t)avail;
	if (h->hlen > seglen && !pkt->quoted) {
		ns_add_uint(pkt, &fields[F_HDR_LEN], h->foff, 1, h->hlen);
		flag_fields(pkt, h->foff, h->flags);
		return ns_malformed(pkt,
				    "header length %u exceeds segment (%u)",
				    h->hlen, seglen);
	}
	h->len = seglen > h->hlen ? seglen - h->hlen : 0;
	return 0;
}

/* Runs the connection tracking for a segment of the packet itself (not
 * one quoted in an ICMP error); opts reads the options.  0 when tracked,
 * with t filled. */
static int track(struct ns_packet *pkt, const struct hdr *h,
		 struct ns_reader opts, struct ns_tcp_track *t)
{
	if (!pkt->eng || pkt->quoted || pkt->eng->headers_only)
		return -1;
	struct ns_tcp_seginfo si = {
	    .seq = h->seq,
	    .ack = h->ack,
	    .flags = (uint16_t)h->flags,
	    .window = h->win,
	    .len = h->len,
	    .frame = pkt->num,
	    .ts = pkt->ts,
	};
	scan_options(opts, &si);
	if (ns_rd_left(&opts) < h->hlen - 20)
		si.wscale = -2; /* options cut: window scale unknown */
	return ns_tcp_track(pkt, h->sport, h->dport, &si, t);
}

/* The stream index, the segment length and the sequence numbers, relative
 * when the connection is tracked (t non-NULL). */
static void seq_fields(struct ns_packet *pkt, const struct hdr *h,
		       const struct ns_tcp_track *t)
{
	uint32_t start = h->start;
	if (t && brief(pkt)) { /* what info() reads */
		if (shown(pkt, F_STREAM))
			ns_add_uint(pkt, &fields[F_STREAM], start, 0,
				    t->flow->index);
		if (!pkt->quoted)
			add_u(pkt, F_LEN, start, 0, h->len);
		add_u(pkt, F_SEQ, start + 4, 4, t->res.rel_seq);
		add_u(pkt, F_ACK, start + 8, 4, t->res.rel_ack);
		return;
	}
	if (t) {
		ns_add_uint(pkt, &fields[F_STREAM], start, 0, t->flow->index);
	} else if (pkt->quoted) {
		const struct ns_flow *qf =
		    ns_quoted_flow(pkt, 6, h->sport, h->dport);
		if (qf)
			ns_add_uint(pkt, &fields[F_STREAM], start, 0,
				    qf->index);
	}
	/* a TCP header quoted in an ICMP error has no segment length of its
	 * own (as in Wireshark) */
	if (!pkt->quoted)
		add_u(pkt, F_LEN, start, 0, h->len);
	if (t) {
		add_u(pkt, F_SEQ, start + 4, 4, t->res.rel_seq);
		ns_add_uint(pkt, &fields[F_SEQ_RAW], start + 4, 4, h->seq);
		ns_add_uint(pkt, &fields[F_NXTSEQ], start, 0,
			    t->res.rel_nxtseq);
		add_u(pkt, F_ACK, start + 8, 4, t->res.rel_ack);
		ns_add_uint(pkt, &fields[F_ACK_RAW], start + 8, 4, h->ack);
	} else {
		add_u(pkt, F_SEQ, start + 4, 4, h->seq);
		add_u(pkt, F_ACK, start + 8, 4, h->ack);
	}
}

/* From the header length to the urgent pointer, with the calculated window
 * when the connection is tracked (t non-NULL). */
static void rest_fields(struct ns_packet *pkt, const struct hdr *h,
			const struct ns_tcp_track *t)
{
	uint32_t foff = h->foff;
	if (shown(pkt, F_HDR_LEN))
		ns_add_uint(pkt, &fields[F_HDR_LEN], foff, 1, h->hlen);
	flag_fields(pkt, foff, h->flags);
	add_u(pkt, F_WINDOW, foff + 2, 2, h->win);
	if (t) {
		add_u(pkt, F_WIN_SIZE, foff + 2, 2, (uint64_t)t->res.win_size);
		if (t->res.win_scale)
			ns_add_int(pkt, &fields[F_WIN_SCALE], foff + 2, 2,
				   t->res.win_scale);
	}
	if (shown(pkt, F_CHECKSUM))
		ns_add_uint(pkt, &fields[F_CHECKSUM], foff + 4, 2, h->csum);
	if (shown(pkt, F_URGENT))
		ns_add_uint(pkt, &fields[F_URGENT], foff + 6, 2, h->urg);
}

/* The options; cut by the snaplen, the ones that are whole. */
static void options_fields(struct ns_packet *pkt, struct ns_reader *r,
			   unsigned hlen, uint32_t sack_base)
{
	uint32_t ooff = ns_rd_off(r);
	struct ns_reader o = ns_rd_sub(r, hlen - 20);
	ns_add_bytes(pkt, &fields[F_OPTIONS], ooff, (uint32_t)ns_rd_left(&o),
		     o.p, (uint32_t)ns_rd_left(&o));
	ns_tree_push(pkt);
	while (ns_rd_left(&o) > 0 && !o.err) {
		uint32_t off = ns_rd_off(&o);
		uint8_t kind = ns_rd_u8(&o);
		if (kind == 0) {
			ns_add_label(pkt, &fields[F_OPT_EOL], off, 1);
			break; /* the rest is padding */
		}
		if (kind == 1) {
			if (shown(pkt, F_OPT_NOP))
				ns_add_label(pkt, &fields[F_OPT_NOP], off, 1);
		} else if (option(pkt, &o, kind, sack_base))
			break;
	}
	ns_tree_pop(pkt);
}

/* The payload, handed to stream reassembly when the connection is tracked
 * (t non-NULL); r stays on it for the dissector bound to the port. */
static void payload(struct ns_packet *pkt, const struct ns_reader *r,
		    const struct hdr *h, const struct ns_tcp_track *t)
{
	size_t left = ns_rd_left(r);
	if (left)
		ns_add_bytes(pkt, &fields[F_PAYLOAD], ns_rd_off(r),
			     (uint32_t)left, r->p, (uint32_t)left);
	if (t) {
		uint16_t server = t->dir ? h->sport : h->dport;
		uint16_t client = t->dir ? h->dport : h->sport;
		ns_stream_segment(&pkt->eng->streams, pkt, t->flow, t->dir,
				  h->seq, h->ack, (uint16_t)h->flags, r->p,
				  (uint32_t)left, server, client);
	}
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	struct hdr h = {.start = ns_rd_off(r)};
	size_t avail = ns_rd_left(r);
	sum_open(pkt);
	h.sport = ns_get_u16(pkt, r, &fields[F_SRCPORT]);
	h.dport = ns_get_u16(pkt, r, &fields[F_DSTPORT]);
	if (r->err)
		return NS_ETRUNC;
	ns_pkt_set_ports(pkt, h.sport, h.dport);
	if (ns_rd_left(r) < 16)
		return dissect_short(pkt, r);
	read_fixed(r, &h);
	int rc = check_hlen(pkt, &h, avail);
	if (rc)
		return rc;

	struct ns_reader opts = *r;
	ns_rd_limit(&opts, h.hlen - 20);
	struct ns_tcp_track tr;
	const struct ns_tcp_track *t =
	    track(pkt, &h, opts, &tr) == 0 ? &tr : NULL;
	seq_fields(pkt, &h, t);
	rest_fields(pkt, &h, t);
	if (h.hlen > 20)
		options_fields(pkt, r, h.hlen,
			       t ? t->flow->tcp->d[!t->dir].base_seq : 0);
	/* a header cut by the snaplen ends here, as tshark's does: the
	 * connection was tracked, but there is no analysis to show */
	if (t && !r->err)
		tracking_fields(pkt, h.start, t);
	if (t)
		conn_fields(pkt, h.start, t);
	if (r->err)
		return NS_ETRUNC;
	payload(pkt, r, &h, t);
	if (!pkt->eng || !pkt->eng->headers_only)
		ns_next_port(pkt, NS_TAB_TCP_PORT, h.sport, h.dport);
	return 0;
}

/* The summary values from the layer's fields, when the arena had no room
 * for them as they were recorded: the same first values. */
static void info_collect(const struct ns_packet *pkt, unsigned li,
			 struct tcp_sum *iv)
{
	const struct ns_layer *l = &pkt->layers[li];
	memset(iv->have, 0, sizeof(iv->have));
	iv->event = NULL;
	iv->event_n = 0;
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (fv->f < fields || fv->f >= fields + F_COUNT)
			continue;
		int k = (int)(fv->f - fields);
		if (!iv->have[k]) {
			iv->have[k] = 1;
			iv->v[k] = fv->v.u;
			if (k == F_CONN_EVENT) {
				iv->event = fv->v.b.p;
				iv->event_n = fv->v.b.n;
			}
		}
	}
}

/* tshark's analysis labels: "[TCP Retransmission] " … */
static void info_analysis(const struct tcp_sum *iv, struct ns_buf *out)
{
	for (size_t i = 0; i < NS_NELEM(analysis); i++) {
		if (!iv->have[analysis[i].field])
			continue;
		if (analysis[i].label) {
			ns_buf_putc(out, '[');
			ns_buf_puts(out, analysis[i].label);
			ns_buf_puts(out, "] ");
		} else {
			ns_buf_puts(out, "[TCP Dup ACK ");
			ns_buf_u64(out, iv->v[F_A_DUPACK_FRAME]);
			ns_buf_putc(out, '#');
			ns_buf_u64(out, iv->v[F_A_DUPACK_NUM]);
			ns_buf_puts(out, "] ");
		}
	}
}

/* "[SYN, ACK]", or "[<None>]". */
static void info_flags(unsigned flags, struct ns_buf *out)
{
	static const char *const names[9] = {
	    "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE",
	};
	ns_buf_putc(out, '[');
	int first = 1;
	for (int b = 0; b < 9; b++) {
		if (!(flags >> b & 1))
			continue;
		if (!first)
			ns_buf_puts(out, ", ");
		ns_buf_puts(out, names[b]);
		first = 0;
	}
	if (first)
		ns_buf_puts(out, "<None>");
	ns_buf_putc(out, ']');
}

/* " name=value" when the field is there. */
static void info_val(const struct tcp_sum *iv, int k, const char *name,
		     struct ns_buf *out)
{
	if (!iv->have[k])
		return;
	ns_buf_puts(out, name);
	ns_buf_u64(out, iv->v[k]);
}

/* Seq, Ack, Win, Len and the options; a header cut by the snaplen shows
 * only what it has. */
static void info_values(const struct tcp_sum *iv, unsigned flags,
			struct ns_buf *out)
{
	info_val(iv, F_SEQ, " Seq=", out);
	if (flags & 0x10)
		info_val(iv, F_ACK, " Ack=", out);
	if (iv->have[F_WIN_SIZE] || iv->have[F_WINDOW]) {
		ns_buf_puts(out, " Win=");
		ns_buf_u64(out, iv->have[F_WIN_SIZE] ? iv->v[F_WIN_SIZE]
						     : iv->v[F_WINDOW]);
	}
	info_val(iv, F_LEN, " Len=", out);
	info_val(iv, F_OPT_MSS_VAL, " MSS=", out);
	if (iv->have[F_OPT_SACK_PERM])
		ns_buf_puts(out, " SACK_PERM");
	if (iv->have[F_OPT_SACK_LE]) {
		info_val(iv, F_OPT_SACK_LE, " SLE=", out);
		ns_buf_puts(out, " SRE=");
		ns_buf_u64(out, iv->v[F_OPT_SACK_RE]);
	}
	if (iv->have[F_OPT_TSVAL]) {
		info_val(iv, F_OPT_TSVAL, " TSval=", out);
		ns_buf_puts(out, " TSecr=");
		ns_buf_u64(out, iv->v[F_OPT_TSECR]);
	}
	info_val(iv, F_OPT_WS_MULT, " WS=", out);
}

/* " rtt=" and ns in ms with 3 decimals, truncated: "%lld.%03lldms" */
static void put_ms3(struct ns_buf *out, int64_t ns)
{
	if (ns < 0) { /* as printf says a negative time */
		ns_buf_printf(out, " rtt=%lld.%03lldms",
			      (long long)(ns / 1000000),
			      (long long)(ns / 1000 % 1000));
		return;
	}
	ns_buf_put_num(out, " rtt=", (uint64_t)ns / 1000000);
	unsigned us = (unsigned)((uint64_t)ns / 1000 % 1000);
	ns_buf_putc(out, '.');
	ns_buf_putc(out, (char)('0' + us / 100));
	ns_buf_putc(out, (char)('0' + us / 10 % 10));
	ns_buf_putc(out, (char)('0' + us % 10));
	ns_buf_puts(out, "ms");
}

/* The connection's transition, where this packet made one; the SYN and
 * SYN-ACK are already said by the flags. */
static void info_event(const struct tcp_sum *iv, unsigned flags,
		       struct ns_buf *out)
{
	if (!iv->event || !iv->event_n)
		return;
	struct ns_reader ev;
	ns_rd_init(&ev, iv->event, iv->event_n);
	if (flags & 0x02 && ns_rd_starts(&ev, "S", 1))
		return;
	ns_buf_puts(out, " [");
	ns_buf_put(out, (const char *)iv->event, iv->event_n);
	if (iv->event_n == 11 && memcmp(iv->event, "established", 11) == 0 &&
	    iv->have[F_A_IRTT]) {
		int64_t rtt = (int64_t)iv->v[F_A_IRTT];
		put_ms3(out, rtt);
	}
	ns_buf_putc(out, ']');
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct tcp_sum *iv = pkt->layers[li].sum;
	struct tcp_sum own;
	if (!iv) {
		info_collect(pkt, li, &own);
		iv = &own;
	}
	if (!iv->have[F_FLAGS])
		return;
	unsigned flags = (unsigned)iv->v[F_FLAGS];
	/* tshark's analysis labels come first */
	info_analysis(iv, out);
	info_flags(flags, out);
	info_values(iv, flags, out);
	info_event(iv, flags, out);
}

static const struct ns_binding bindings[] = {
    {NS_TAB_IPPROTO, 6},
    {0, 0},
};

struct ns_dissector ns_diss_tcp = {
    .name = "tcp",
    .column = "TCP",
    .title = "Transmission Control Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
