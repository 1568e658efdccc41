/*
 * TCP header (RFC 9293 §3.1) and options (MSS, window scale RFC 7323,
 * SACK-permitted and SACK RFC 2018, timestamps RFC 7323).
 *
 * The data offset is checked (>= 20 bytes, within the segment) before the
 * options are walked; every option length is checked against what remains.
 * tcp.len is derived from the IP payload length, so it is right even when
 * the capture was cut by the snaplen.  The checksum is not verified (as
 * tshark by default).
 */
#include "dissect.h"

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
	[F_OPT_KIND] = NS_F_VALS("tcp.option_kind", "Kind", 8, NS_BASE_DEC, kind_vals),
	[F_OPT_LEN] = NS_F_UINT("tcp.option_len", "Length", 8),
	[F_OPT_EOL] = NS_F_NONE("tcp.options.eol", "End of Option List (EOL)"),
	[F_OPT_NOP] = NS_F_NONE("tcp.options.nop", "No-Operation (NOP)"),
	[F_OPT_MSS] = NS_F_NONE("tcp.options.mss", "Maximum segment size"),
	[F_OPT_MSS_VAL] = NS_F_UINT("tcp.options.mss_val", "MSS Value", 16),
	[F_OPT_WSCALE] = NS_F_NONE("tcp.options.wscale", "Window scale"),
	[F_OPT_WS_SHIFT] = NS_F_UINT("tcp.options.wscale.shift", "Shift count", 8),
	[F_OPT_WS_MULT] = NS_F_UINT("tcp.options.wscale.multiplier", "Multiplier", 16),
	[F_OPT_SACK_PERM] = NS_F_NONE("tcp.options.sack_perm", "SACK permitted"),
	[F_OPT_SACK] = NS_F_NONE("tcp.options.sack", "SACK"),
	[F_OPT_SACK_LE] = NS_F_UINT("tcp.options.sack_le", "TCP SACK Left Edge", 32),
	[F_OPT_SACK_RE] = NS_F_UINT("tcp.options.sack_re", "TCP SACK Right Edge", 32),
	[F_OPT_SACK_COUNT] = NS_F_UINT("tcp.options.sack.count", "TCP SACK Count", 8),
	[F_OPT_TS] = NS_F_NONE("tcp.options.timestamp", "Timestamps"),
	[F_OPT_TSVAL] = NS_F_UINT("tcp.options.timestamp.tsval", "Timestamp value", 32),
	[F_OPT_TSECR] = NS_F_UINT("tcp.options.timestamp.tsecr", "Timestamp echo reply", 32),
	[F_OPT_UNKNOWN] = NS_F_NONE("tcp.options.unknown", "Unknown option"),
	[F_OPT_UNKNOWN_PAYLOAD] = NS_F_BYTES("tcp.options.unknown.payload", "Payload"),
	[F_PAYLOAD] = NS_F_BYTES("tcp.payload", "TCP payload"),
};

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

static int option(struct ns_packet *pkt, struct ns_reader *r)
{
	uint32_t off = ns_rd_off(r);
	uint8_t kind = ns_rd_u8(r);
	if (kind == 0) {
		ns_add_label(pkt, &fields[F_OPT_EOL], off, 1);
		return 1; /* the rest is padding */
	}
	if (kind == 1) {
		ns_add_label(pkt, &fields[F_OPT_NOP], off, 1);
		return 0;
	}
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
	int label;
	switch (kind) {
	case 2:
		label = F_OPT_MSS;
		break;
	case 3:
		label = F_OPT_WSCALE;
		break;
	case 4:
		label = F_OPT_SACK_PERM;
		break;
	case 5:
		label = F_OPT_SACK;
		break;
	case 8:
		label = F_OPT_TS;
		break;
	default:
		label = F_OPT_UNKNOWN;
		break;
	}
	ns_add_label(pkt, &fields[label], off, len);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_OPT_KIND], off, 1, kind);
	ns_add_uint(pkt, &fields[F_OPT_LEN], off + 1, 1, len);
	switch (kind) {
	case 2:
		ns_get_u16(pkt, r, &fields[F_OPT_MSS_VAL]);
		break;
	case 3: {
		uint8_t shift = ns_get_u8(pkt, r, &fields[F_OPT_WS_SHIFT]);
		ns_add_uint(pkt, &fields[F_OPT_WS_MULT], off + 2, 1,
			    1u << (shift > 14 ? 14 : shift));
		break;
	}
	case 4:
		break;
	case 5: {
		unsigned n = (len - 2u) / 8;
		ns_add_uint(pkt, &fields[F_OPT_SACK_COUNT], off, len, n);
		for (unsigned i = 0; i < n; i++) {
			ns_get_u32(pkt, r, &fields[F_OPT_SACK_LE]);
			ns_get_u32(pkt, r, &fields[F_OPT_SACK_RE]);
		}
		break;
	}
	case 8:
		ns_get_u32(pkt, r, &fields[F_OPT_TSVAL]);
		ns_get_u32(pkt, r, &fields[F_OPT_TSECR]);
		break;
	default:
		if (len > 2)
			ns_get_bytes(pkt, r, &fields[F_OPT_UNKNOWN_PAYLOAD],
				     len - 2u);
		break;
	}
	ns_tree_pop(pkt);
	return 0;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r)
{
	uint32_t start = ns_rd_off(r);
	size_t avail = ns_rd_left(r);
	uint16_t sport = ns_get_u16(pkt, r, &fields[F_SRCPORT]);
	uint16_t dport = ns_get_u16(pkt, r, &fields[F_DSTPORT]);
	if (r->err)
		return NS_ETRUNC;
	ns_pkt_set_ports(pkt, sport, dport);
	ns_get_u32(pkt, r, &fields[F_SEQ]);
	ns_get_u32(pkt, r, &fields[F_ACK]);
	uint32_t foff = ns_rd_off(r);
	uint16_t hf = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	unsigned hlen = (hf >> 12) * 4u, flags = hf & 0x0fffu;
	ns_add_uint(pkt, &fields[F_HDR_LEN], foff, 1, hlen);
	ns_add_uint(pkt, &fields[F_FLAGS], foff, 2, flags);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_FLAGS_RES], foff, 1, (flags >> 9 & 7) != 0);
	ns_add_uint(pkt, &fields[F_FLAGS_AE], foff, 1, (flags >> 8) & 1);
	static const int bit_field[8] = {
		F_FLAGS_FIN, F_FLAGS_SYN,  F_FLAGS_RESET, F_FLAGS_PUSH,
		F_FLAGS_ACK, F_FLAGS_URG, F_FLAGS_ECE,   F_FLAGS_CWR,
	};
	for (int b = 7; b >= 0; b--)
		ns_add_uint(pkt, &fields[bit_field[b]], foff + 1, 1,
			    (flags >> b) & 1);
	ns_tree_pop(pkt);
	ns_get_u16(pkt, r, &fields[F_WINDOW]);
	ns_get_u16(pkt, r, &fields[F_CHECKSUM]);
	ns_get_u16(pkt, r, &fields[F_URGENT]);
	if (r->err)
		return NS_ETRUNC;
	if (hlen < 20)
		return ns_malformed(pkt, "bogus header length %u", hlen);

	/* the segment length the IP header states, or what is here */
	uint32_t seglen = pkt->ip_payload_len ? pkt->ip_payload_len
					      : (uint32_t)avail;
	if (hlen > seglen && !pkt->quoted)
		return ns_malformed(pkt, "header length %u exceeds segment (%u)",
				    hlen, seglen);
	/* a TCP header quoted in an ICMP error has no segment length of its
	 * own (as in Wireshark) */
	if (!pkt->quoted)
		ns_add_uint(pkt, &fields[F_LEN], start, 0,
			    seglen > hlen ? seglen - hlen : 0);

	if (hlen > 20) {
		/* options cut by the snaplen: decode the ones that are whole */
		uint32_t ooff = ns_rd_off(r);
		struct ns_reader o = ns_rd_sub(r, hlen - 20);
		ns_add_bytes(pkt, &fields[F_OPTIONS], ooff, (uint32_t)ns_rd_left(&o),
			     o.p, (uint32_t)ns_rd_left(&o));
		ns_tree_push(pkt);
		while (ns_rd_left(&o) > 0 && !o.err && !option(pkt, &o))
			;
		ns_tree_pop(pkt);
		if (r->err)
			return NS_ETRUNC;
	}
	size_t left = ns_rd_left(r);
	if (left)
		ns_add_bytes(pkt, &fields[F_PAYLOAD], ns_rd_off(r),
			     (uint32_t)left, r->p, (uint32_t)left);
	ns_next_port(pkt, NS_TAB_TCP_PORT, sport, dport);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	uint64_t v[F_COUNT];
	unsigned char have[F_COUNT] = {0};
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (fv->f < fields || fv->f >= fields + F_COUNT)
			continue;
		int k = (int)(fv->f - fields);
		if (!have[k]) { /* first of each: SACK blocks are not listed */
			have[k] = 1;
			v[k] = fv->v.u;
		}
	}
	if (!have[F_FLAGS])
		return;
	static const char *const names[9] = {
		"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE",
	};
	unsigned flags = (unsigned)v[F_FLAGS];
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
	ns_buf_puts(out, "] Seq=");
	ns_buf_u64(out, v[F_SEQ]);
	if (flags & 0x10) {
		ns_buf_puts(out, " Ack=");
		ns_buf_u64(out, v[F_ACK]);
	}
	ns_buf_puts(out, " Win=");
	ns_buf_u64(out, v[F_WINDOW]);
	ns_buf_puts(out, " Len=");
	ns_buf_u64(out, have[F_LEN] ? v[F_LEN] : 0);
	if (have[F_OPT_MSS_VAL]) {
		ns_buf_puts(out, " MSS=");
		ns_buf_u64(out, v[F_OPT_MSS_VAL]);
	}
	if (have[F_OPT_SACK_PERM])
		ns_buf_puts(out, " SACK_PERM");
	if (have[F_OPT_SACK_LE]) {
		ns_buf_puts(out, " SLE=");
		ns_buf_u64(out, v[F_OPT_SACK_LE]);
		ns_buf_puts(out, " SRE=");
		ns_buf_u64(out, v[F_OPT_SACK_RE]);
	}
	if (have[F_OPT_TSVAL]) {
		ns_buf_puts(out, " TSval=");
		ns_buf_u64(out, v[F_OPT_TSVAL]);
		ns_buf_puts(out, " TSecr=");
		ns_buf_u64(out, v[F_OPT_TSECR]);
	}
	if (have[F_OPT_WS_MULT]) {
		ns_buf_puts(out, " WS=");
		ns_buf_u64(out, v[F_OPT_WS_MULT]);
	}
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
