/*
 * GRE (RFC 2784, with the RFC 2890 key and sequence number and the
 * RFC 1701 routing fields) and the enhanced GRE of PPTP (RFC 2637 §4.1),
 * IP protocol 47; and ERSPAN, which exists only inside GRE.
 *
 * GRE: flags and version, protocol type, then the optional fields in wire
 * order — checksum and offset (present when C or R is set), key (split
 * into payload length and call ID in enhanced GRE), sequence number,
 * acknowledgment number (enhanced GRE with A set) and, with R, a list of
 * source route entries ended by one with address family 0 and length 0.
 * The protocol type is an EtherType: the payload goes to the EtherType
 * table, except 0x6558 (transparent Ethernet bridging), which is a whole
 * Ethernet frame and goes to the Ethernet dissector by its link type.  A
 * GRE packet without payload (keepalives) stops at the header, as in
 * Wireshark.  The checksum is not verified (tshark reports, never drops).
 *
 * ERSPAN (draft-foschiano-erspan) rides in GRE with protocol type 0x88be
 * (type I and II) or 0x22eb (type III).  Type I has no header at all and
 * is recognised only by the GRE header around it (flags and version all
 * zero), which is why it lives in this file: it reads the enclosing GRE
 * layer's recorded flags instead of re-reading bytes.  Type II is 8 bytes,
 * type III 12 plus an optional 8-byte platform sub-header; both are
 * followed by an Ethernet frame without FCS.
 */
#include "core/dissect.h"

#define GRE_C	0x8000 /* checksum present */
#define GRE_R	0x4000 /* routing present (RFC 1701) */
#define GRE_K	0x2000 /* key present */
#define GRE_S	0x1000 /* sequence number present */
#define GRE_A	0x0080 /* acknowledgment present (enhanced GRE) */
#define GRE_VER 0x0007

#define ETYPE_TEB	  0x6558 /* transparent Ethernet bridging */
#define LINKTYPE_ETHERNET 1

enum {
	F_FLAGS,
	F_FL_C,
	F_FL_R,
	F_FL_K,
	F_FL_S,
	F_FL_SSR,
	F_FL_REC,
	F_FL_ACK,
	F_FL_RES,
	F_FL_VER,
	F_PROTO,
	F_CHECKSUM,
	F_OFFSET,
	F_KEY,
	F_KEY_PLEN,
	F_KEY_CALLID,
	F_SEQ,
	F_ACK,
	F_ROUTING,
	F_RT_AF,
	F_RT_OFF,
	F_RT_LEN,
	F_RT_INFO,
	F_COUNT
};

static const struct ns_valstr proto_vals[] = {
    {0x0000, "Possible GRE keepalive packet"},
    {0x0800, "IP"},
    {0x86dd, "IPv6"},
    {0x0806, "ARP"},
    {0x6558, "Transparent Ethernet bridging"},
    {0x880b, "PPP"},
    {0x8847, "MPLS label switched packet"},
    {0x8848, "MPLS multicast label switched packet"},
    {0x88be, "ERSPAN"},
    {0x22eb, "ERSPAN"},
    {0x883e, "WCCP"},
    {0x2001, "NHRP"},
    {0x8137, "IPX"},
    {0x00fe, "OSI"},
    {0x6559, "Frame Relay"},
    {0x8100, "802.1Q Virtual LAN"},
    {0, NULL},
};

static const struct ns_valstr version_vals[] = {
    {0, "GRE"},
    {1, "Enhanced GRE"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_FLAGS] = NS_F_HEX("gre.flags_and_version", "Flags and Version", 16),
    [F_FL_C] = NS_F_BOOL("gre.flags.checksum", "Checksum Bit"),
    [F_FL_R] = NS_F_BOOL("gre.flags.routing", "Routing Bit"),
    [F_FL_K] = NS_F_BOOL("gre.flags.key", "Key Bit"),
    [F_FL_S] = NS_F_BOOL("gre.flags.sequence_number", "Sequence Number Bit"),
    [F_FL_SSR] =
	NS_F_BOOL("gre.flags.strict_source_route", "Strict Source Route Bit"),
    [F_FL_REC] =
	NS_F_UINT("gre.flags.recursion_control", "Recursion control", 16),
    [F_FL_ACK] = NS_F_BOOL("gre.flags.ack", "Acknowledgment"),
    [F_FL_RES] = NS_F_UINT("gre.flags.reserved", "Flags (Reserved)", 16),
    [F_FL_VER] = NS_F_VALS("gre.flags.version", "Version", 16, NS_BASE_DEC,
			   version_vals),
    [F_PROTO] =
	NS_F_VALS("gre.proto", "Protocol Type", 16, NS_BASE_HEX, proto_vals),
    [F_CHECKSUM] = NS_F_HEX("gre.checksum", "Checksum", 16),
    [F_OFFSET] = NS_F_UINT("gre.offset", "Offset", 16),
    [F_KEY] = NS_F_HEX("gre.key", "Key", 32),
    [F_KEY_PLEN] = NS_F_UINT("gre.key.payload_length", "Payload Length", 16),
    [F_KEY_CALLID] = NS_F_UINT("gre.key.call_id", "Call ID", 16),
    [F_SEQ] = NS_F_UINT("gre.sequence_number", "Sequence Number", 32),
    [F_ACK] = NS_F_UINT("gre.ack_number", "Acknowledgment Number", 32),
    [F_ROUTING] = NS_F_NONE("gre.routing", "Routing"),
    [F_RT_AF] = NS_F_UINT("gre.routing.address_family", "Address Family", 16),
    [F_RT_OFF] = NS_F_UINT("gre.routing.sre_offset", "SRE Offset", 8),
    [F_RT_LEN] = NS_F_UINT("gre.routing.src_length", "SRE Length", 8),
    [F_RT_INFO] = NS_F_BYTES("gre.routing.information", "Routing Information"),
};

/* RFC 1701 §2.2.5: SREs until the NULL entry (family 0, length 0).  Each
 * pass consumes at least 4 bytes, so the loop ends with the data. */
static void routing(struct ns_packet *pkt, struct ns_reader *r)
{
	for (;;) {
		uint32_t off = ns_rd_off(r);
		uint16_t af = ns_rd_u16(r);
		uint8_t sre_off = ns_rd_u8(r);
		uint8_t len = ns_rd_u8(r);
		if (r->err)
			return;
		ns_add_label(pkt, &fields[F_ROUTING], off, 4u + len);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_RT_AF], off, 2, af);
		ns_add_uint(pkt, &fields[F_RT_OFF], off + 2, 1, sre_off);
		ns_add_uint(pkt, &fields[F_RT_LEN], off + 3, 1, len);
		if (af == 0 && len == 0) {
			ns_tree_pop(pkt);
			return;
		}
		ns_get_bytes(pkt, r, &fields[F_RT_INFO], len);
		ns_tree_pop(pkt);
	}
}

/* The flags and version word at off, bit by bit. */
static void flags(struct ns_packet *pkt, uint32_t off, uint16_t fv)
{
	ns_add_uint(pkt, &fields[F_FLAGS], off, 2, fv);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_FL_C], off, 2, !!(fv & GRE_C));
	ns_add_uint(pkt, &fields[F_FL_R], off, 2, !!(fv & GRE_R));
	ns_add_uint(pkt, &fields[F_FL_K], off, 2, !!(fv & GRE_K));
	ns_add_uint(pkt, &fields[F_FL_S], off, 2, !!(fv & GRE_S));
	ns_add_uint(pkt, &fields[F_FL_SSR], off, 2, (fv >> 11) & 1);
	ns_add_uint(pkt, &fields[F_FL_REC], off, 2, (fv >> 8) & 7);
	if ((fv & GRE_VER) == 1) { /* enhanced GRE has the A bit */
		ns_add_uint(pkt, &fields[F_FL_ACK], off, 2, !!(fv & GRE_A));
		ns_add_uint(pkt, &fields[F_FL_RES], off, 2, (fv >> 3) & 0x0f);
	} else {
		ns_add_uint(pkt, &fields[F_FL_RES], off, 2, (fv >> 3) & 0x1f);
	}
	ns_add_uint(pkt, &fields[F_FL_VER], off, 2, fv & GRE_VER);
	ns_tree_pop(pkt);
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t off = ns_rd_off(r);
	uint16_t fv = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	/* RFC 2637 §4.1: PPTP's enhanced GRE, version 1 carrying PPP */
	int enhanced = (fv & GRE_VER) == 1;
	flags(pkt, off, fv);

	uint16_t proto = ns_get_u16(pkt, r, &fields[F_PROTO]);
	if (fv & (GRE_C | GRE_R)) {
		ns_get_u16(pkt, r, &fields[F_CHECKSUM]);
		ns_get_u16(pkt, r, &fields[F_OFFSET]);
	}
	if (fv & GRE_K) {
		if (enhanced) {
			ns_get_u16(pkt, r, &fields[F_KEY_PLEN]);
			ns_get_u16(pkt, r, &fields[F_KEY_CALLID]);
		} else {
			ns_get_u32(pkt, r, &fields[F_KEY]);
		}
	}
	if (fv & GRE_S)
		ns_get_u32(pkt, r, &fields[F_SEQ]);
	if (enhanced && (fv & GRE_A))
		ns_get_u32(pkt, r, &fields[F_ACK]);
	if (r->err)
		return NS_ETRUNC;
	if (fv & GRE_R) {
		routing(pkt, r);
		if (r->err)
			return NS_ETRUNC;
	}

	if (ns_rd_left(r) == 0)
		return 0; /* keepalive or an empty tunnel packet */
	if (proto == ETYPE_TEB)
		ns_next(pkt, NS_TAB_LINKTYPE, LINKTYPE_ETHERNET);
	else
		ns_next(pkt, NS_TAB_ETHERTYPE, proto);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *p = ns_pkt_find(pkt, (int)li, &fields[F_PROTO]);
	if (!p) {
		ns_buf_puts(out, "GRE");
		return;
	}
	const char *name = ns_valstr_find(proto_vals, p->v.u);
	ns_buf_puts(out, "Encapsulated ");
	if (name) {
		ns_buf_puts(out, name);
	} else {
		ns_buf_hex(out, p->v.u, 4);
		ns_buf_puts(out, " (unknown)");
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_IPPROTO, 47},
    {0, 0},
};

struct ns_dissector ns_diss_gre = {
    .name = "gre",
    .column = "GRE",
    .title = "Generic Routing Encapsulation",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};

/* ---- ERSPAN ------------------------------------------------------------- */

enum {
	E_VERSION,
	E_VLAN,
	E_COS,
	E_ENCAP,
	E_BSO,
	E_TRUNCATED,
	E_SPANID,
	E_RESERVED,
	E_INDEX,
	E_TIMESTAMP,
	E_SGT,
	E_P,
	E_FT,
	E_HW,
	E_DIRECTION,
	E_GRA,
	E_O,
	E_PLATID,
	E_PID1_RSVD1,
	E_PID1_VSMID,
	E_PID1_PORT,
	E_PID3_RSVD1,
	E_PID3_PORT,
	E_PID3_TS,
	E_PID4_RSVD1,
	E_PID4_RSVD2,
	E_PID4_RSVD3,
	E_PID5_SWITCH,
	E_PID5_PORT,
	E_PID5_TS,
	E_PID7_RSVD1,
	E_PID7_SOURCE,
	E_PID7_TS,
	E_PID_RSVD,
	E_COUNT
};

static const struct ns_valstr erspan_version_vals[] = {
    {1, "Type II"},
    {2, "Type III"},
    {0, NULL},
};

static const struct ns_valstr encap_vals[] = {
    {0, "Originally without VLAN tag"},
    {1, "Originally ISL encapsulated"},
    {2, "Originally 802.1Q encapsulated"},
    {3, "VLAN tag preserved in frame"},
    {0, NULL},
};

static const struct ns_valstr gra_vals[] = {
    {0, "100 microseconds"},
    {1, "100 nanoseconds"},
    {2, "IEEE 1588"},
    {3, "Custom granularity"},
    {0, NULL},
};

static struct ns_field e_fields[] = {
    [E_VERSION] = NS_F_VALS("erspan.version", "Version", 16, NS_BASE_DEC,
			    erspan_version_vals),
    [E_VLAN] = NS_F_UINT("erspan.vlan", "Vlan", 16),
    [E_COS] = NS_F_UINT("erspan.cos", "COS", 16),
    [E_ENCAP] = NS_F_VALS("erspan.encap", "Encap", 16, NS_BASE_DEC, encap_vals),
    [E_BSO] = NS_F_UINT("erspan.bso", "Bad/Short/Oversized", 16),
    [E_TRUNCATED] = NS_F_UINT("erspan.truncated", "Truncated", 16),
    [E_SPANID] = NS_F_UINT("erspan.spanid", "SpanID", 16),
    [E_RESERVED] = NS_F_UINT("erspan.reserved", "Reserved", 32),
    [E_INDEX] = NS_F_UINT("erspan.index", "Index", 32),
    [E_TIMESTAMP] = NS_F_UINT("erspan.timestamp", "Timestamp", 32),
    [E_SGT] = NS_F_UINT("erspan.sgt", "Security Group Tag", 16),
    [E_P] = NS_F_UINT("erspan.p", "Has Ethernet PDU", 16),
    [E_FT] = NS_F_UINT("erspan.ft", "Frame Type", 16),
    [E_HW] = NS_F_UINT("erspan.hw", "Hardware ID", 16),
    [E_DIRECTION] = NS_F_BOOL("erspan.direction", "Direction"),
    [E_GRA] = NS_F_VALS("erspan.gra", "Timestamp granularity", 16, NS_BASE_DEC,
			gra_vals),
    [E_O] = NS_F_UINT("erspan.o", "Optional Sub headers", 16),
    [E_PLATID] = NS_F_UINT("erspan.platid", "Platform ID", 32),
    [E_PID1_RSVD1] = NS_F_UINT("erspan.pid1.rsvd1", "Reserved", 32),
    [E_PID1_VSMID] = NS_F_UINT("erspan.pid1.vsmid", "VSM Domain ID", 32),
    [E_PID1_PORT] = NS_F_UINT("erspan.pid1.port_index", "Port ID/Index", 32),
    [E_PID3_RSVD1] = NS_F_UINT("erspan.pid3.rsvd1", "Reserved", 32),
    [E_PID3_PORT] = NS_F_UINT("erspan.pid3.port_index", "Port ID/Index", 32),
    [E_PID3_TS] =
	NS_F_UINT("erspan.pid3.timestamp", "Upper 32-bit Timestamp", 32),
    [E_PID4_RSVD1] = NS_F_UINT("erspan.pid4.rsvd1", "Reserved", 32),
    [E_PID4_RSVD2] = NS_F_UINT("erspan.pid4.rsvd2", "Reserved", 32),
    [E_PID4_RSVD3] = NS_F_UINT("erspan.pid4.rsvd3", "Reserved", 32),
    [E_PID5_SWITCH] = NS_F_UINT("erspan.pid5.switchid", "Switch ID", 32),
    [E_PID5_PORT] = NS_F_UINT("erspan.pid5.port_index", "Port ID/Index", 32),
    [E_PID5_TS] = NS_F_UINT("erspan.pid5.timestamp", "Timestamp (seconds)", 32),
    [E_PID7_RSVD1] = NS_F_UINT("erspan.pid7.rsvd1", "Reserved", 32),
    [E_PID7_SOURCE] = NS_F_UINT("erspan.pid7.source_index", "Source Index", 32),
    [E_PID7_TS] =
	NS_F_UINT("erspan.pid7.timestamp", "Upper 32-bit Timestamp", 32),
    [E_PID_RSVD] = NS_F_UINT("erspan.pid.rsvd", "Reserved", 64),
};

/* Type I: the GRE layer just below carries no flags and version 0. */
static int erspan_type1(const struct ns_packet *pkt)
{
	if (pkt->nlayers < 2)
		return 0;
	int below = (int)pkt->nlayers - 2;
	if (pkt->layers[below].d != &ns_diss_gre)
		return 0;
	/* read again from its bytes: dissection never reads fields back */
	const struct ns_layer *l = &pkt->layers[below];
	struct ns_reader rd;
	ns_rd_init(&rd, l->src ? l->src : pkt->data,
		   l->src ? l->srclen : pkt->caplen);
	rd = ns_rd_at(&rd, l->off);
	return ns_rd_u16(&rd) == 0 && !rd.err;
}

/* The 8-byte platform-specific sub-header of type III; its layout depends
 * on the 6-bit platform ID in its first bits. */
static void platform(struct ns_packet *pkt, struct ns_reader *r)
{
	uint32_t off = ns_rd_off(r);
	uint32_t w1 = ns_rd_u32(r);
	uint32_t w2 = ns_rd_u32(r);
	if (r->err)
		return;
	unsigned id = w1 >> 26;
	const struct ns_field *f = e_fields;
	ns_add_uint(pkt, &f[E_PLATID], off, 4, id);
	switch (id) {
	case 1:
		ns_add_uint(pkt, &f[E_PID1_RSVD1], off, 4, (w1 >> 12) & 0x3fff);
		ns_add_uint(pkt, &f[E_PID1_VSMID], off, 4, w1 & 0xfff);
		ns_add_uint(pkt, &f[E_PID1_PORT], off + 4, 4, w2);
		break;
	case 3:
		ns_add_uint(pkt, &f[E_PID3_RSVD1], off, 4, (w1 >> 14) & 0xfff);
		ns_add_uint(pkt, &f[E_PID3_PORT], off, 4, w1 & 0x3fff);
		ns_add_uint(pkt, &f[E_PID3_TS], off + 4, 4, w2);
		break;
	case 4:
		ns_add_uint(pkt, &f[E_PID4_RSVD1], off, 4, (w1 >> 14) & 0xfff);
		ns_add_uint(pkt, &f[E_PID4_RSVD2], off, 4, w1 & 0x3fff);
		ns_add_uint(pkt, &f[E_PID4_RSVD3], off + 4, 4, w2);
		break;
	case 5:
	case 6:
		ns_add_uint(pkt, &f[E_PID5_SWITCH], off, 4, (w1 >> 16) & 0x3ff);
		ns_add_uint(pkt, &f[E_PID5_PORT], off, 4, w1 & 0xffff);
		ns_add_uint(pkt, &f[E_PID5_TS], off + 4, 4, w2);
		break;
	case 0: /* used by some as an alias of 7 */
	case 7:
		ns_add_uint(pkt, &f[E_PID7_RSVD1], off, 4, (w1 >> 20) & 0x3f);
		ns_add_uint(pkt, &f[E_PID7_SOURCE], off, 4, w1 & 0xfffff);
		ns_add_uint(pkt, &f[E_PID7_TS], off + 4, 4, w2);
		break;
	default:
		ns_add_uint(pkt, &f[E_PID_RSVD], off, 8,
			    ((uint64_t)w1 << 32 | w2) & 0x3ffffff);
		break;
	}
}

static int dissect_erspan(struct ns_packet *pkt, struct ns_reader *r,
			  const struct ns_dctx *cx)
{
	const struct ns_field *f = e_fields;
	if (erspan_type1(pkt)) {
		ns_next(pkt, NS_TAB_LINKTYPE, LINKTYPE_ETHERNET);
		return 0;
	}
	uint32_t off = ns_rd_off(r);
	uint16_t w1 = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	unsigned ver = w1 >> 12;
	ns_add_uint(pkt, &f[E_VERSION], off, 2, ver);
	if (ver != 1 && ver != 2)
		return ns_malformed(pkt, "unknown ERSPAN version %u", ver);
	ns_add_uint(pkt, &f[E_VLAN], off, 2, w1 & 0x0fff);
	uint16_t w2 = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &f[E_COS], off + 2, 2, w2 >> 13);
	ns_add_uint(pkt, &f[ver == 1 ? E_ENCAP : E_BSO], off + 2, 2,
		    (w2 >> 11) & 3);
	ns_add_uint(pkt, &f[E_TRUNCATED], off + 2, 2, (w2 >> 10) & 1);
	ns_add_uint(pkt, &f[E_SPANID], off + 2, 2, w2 & 0x3ff);
	if (ver == 1) {
		uint32_t w = ns_rd_u32(r);
		if (r->err)
			return NS_ETRUNC;
		ns_add_uint(pkt, &f[E_RESERVED], off + 4, 4, w >> 20);
		ns_add_uint(pkt, &f[E_INDEX], off + 4, 4, w & 0xfffff);
	} else {
		ns_get_u32(pkt, r, &f[E_TIMESTAMP]);
		ns_get_u16(pkt, r, &f[E_SGT]);
		uint16_t w = ns_rd_u16(r);
		if (r->err)
			return NS_ETRUNC;
		ns_add_uint(pkt, &f[E_P], off + 10, 2, w >> 15);
		ns_add_uint(pkt, &f[E_FT], off + 10, 2, (w >> 10) & 0x1f);
		ns_add_uint(pkt, &f[E_HW], off + 10, 2, (w >> 4) & 0x3f);
		ns_add_uint(pkt, &f[E_DIRECTION], off + 10, 2, (w >> 3) & 1);
		ns_add_uint(pkt, &f[E_GRA], off + 10, 2, (w >> 1) & 3);
		ns_add_uint(pkt, &f[E_O], off + 10, 2, w & 1);
		if (w & 1)
			platform(pkt, r);
		if (r->err)
			return NS_ETRUNC;
	}
	ns_next(pkt, NS_TAB_LINKTYPE, LINKTYPE_ETHERNET);
	return 0;
}

static void erspan_info(const struct ns_packet *pkt, unsigned li,
			struct ns_buf *out)
{
	const struct ns_fv *v = ns_pkt_find(pkt, (int)li, &e_fields[E_VERSION]);
	const struct ns_fv *s = ns_pkt_find(pkt, (int)li, &e_fields[E_SPANID]);
	ns_buf_puts(out, "ERSPAN");
	if (!v) {
		ns_buf_puts(out, " Type I");
		return;
	}
	const char *name = ns_valstr_find(erspan_version_vals, v->v.u);
	ns_buf_putc(out, ' ');
	ns_buf_puts(out, name ? name : "unknown version");
	if (s) {
		ns_buf_puts(out, ", span ID ");
		ns_buf_u64(out, s->v.u);
	}
}

static const struct ns_binding erspan_bindings[] = {
    {NS_TAB_ETHERTYPE, 0x88be},
    {NS_TAB_ETHERTYPE, 0x22eb},
    {0, 0},
};

struct ns_dissector ns_diss_erspan = {
    .name = "erspan",
    .column = "ERSPAN",
    .title = "Encapsulated Remote Switch Packet ANalysis",
    .fields = e_fields,
    .nfields = E_COUNT,
    .dissect = dissect_erspan,
    .info = erspan_info,
    .bindings = erspan_bindings,
};
