/*
 * GTP-U, the user plane of the GPRS Tunnelling Protocol version 1
 * (3GPP TS 29.281), UDP port 2152.
 *
 * Eight mandatory bytes — flags (version 3 bits, protocol type, spare, E,
 * S, PN), message type, length, TEID — then, when any of E, S or PN is
 * set, the sequence number, N-PDU number and next extension header type
 * (all three present together, §5.1), then a chain of extension headers
 * (§5.2: a length in 4-byte units including itself, content, next type;
 * type 0 ends it).  The length counts everything after the mandatory
 * header, so it bounds both the optional part and the payload; the chain
 * walk is confined to it and ends because every header is at least 4
 * bytes.  A T-PDU (message 255) carries a user packet with no type field:
 * as Wireshark, we take the first nibble, 4 for IPv4 and 6 for IPv6.
 * GTPv0 is shown as far as its flags; GTPv2 (control plane only, TS
 * 29.274) is another protocol and left as data.
 */
#include "core/dissect.h"

#define GTP_E	 0x04
#define GTP_S	 0x02
#define GTP_PN	 0x01
#define MSG_TPDU 0xff

enum {
	F_FLAGS,
	F_FL_VERSION,
	F_FL_PT,
	F_FL_RES,
	F_FL_E,
	F_FL_S,
	F_FL_PN,
	F_MESSAGE,
	F_LENGTH,
	F_TEID,
	F_SEQ,
	F_NPDU,
	F_EXT_NEXT,
	F_EXT_HDR,
	F_EXT_LEN,
	F_EXT_DATA,
	F_PSC_TYPE,
	F_PSC_PPP,
	F_PSC_RQI,
	F_PSC_QFI,
	F_COUNT
};

static const struct ns_valstr version_vals[] = {
    {0, "GTP release 97/98 version"},
    {1, "GTP release 99 version"},
    {2, "GTPv2"},
    {0, NULL},
};

static const struct ns_valstr pt_vals[] = {
    {0, "GTP'"},
    {1, "GTP"},
    {0, NULL},
};

/* TS 29.281 §6.1 */
static const struct ns_valstr message_vals[] = {
    {1, "Echo request"},      {2, "Echo response"},
    {26, "Error Indication"}, {31, "Supported Extension Headers Notification"},
    {253, "Tunnel Status"},   {254, "End Marker"},
    {255, "T-PDU"},	      {0, NULL},
};

/* TS 29.281 §5.2.1 */
static const struct ns_valstr ext_vals[] = {
    {0x00, "No more extension headers"},
    {0x01, "MBMS support indication"},
    {0x02, "MS Info Change Reporting support indication"},
    {0x03, "Long PDCP PDU Number"},
    {0x20, "Service Class Indicator"},
    {0x40, "UDP Port"},
    {0x81, "RAN Container"},
    {0x82, "Long PDCP PDU Number"},
    {0x83, "Xw RAN Container"},
    {0x84, "NR RAN Container"},
    {0x85, "PDU Session Container"},
    {0xc0, "PDCP PDU Number"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_FLAGS] = NS_F_HEX("gtp.flags", "Flags", 8),
    [F_FL_VERSION] =
	NS_F_VALS("gtp.flags.version", "Version", 8, NS_BASE_DEC, version_vals),
    [F_FL_PT] = NS_F_VALS("gtp.flags.payload", "Protocol type", 8, NS_BASE_DEC,
			  pt_vals),
    [F_FL_RES] = NS_F_UINT("gtp.flags.reserved", "Reserved", 8),
    [F_FL_E] = NS_F_BOOL("gtp.flags.e", "Is Next Extension Header present?"),
    [F_FL_S] = NS_F_BOOL("gtp.flags.s", "Is Sequence Number present?"),
    [F_FL_PN] = NS_F_BOOL("gtp.flags.pn", "Is N-PDU number present?"),
    [F_MESSAGE] =
	NS_F_VALS("gtp.message", "Message Type", 8, NS_BASE_HEX, message_vals),
    [F_LENGTH] = NS_F_UINT("gtp.length", "Length", 16),
    [F_TEID] = NS_F_HEX("gtp.teid", "TEID", 32),
    [F_SEQ] = NS_F_HEX("gtp.seq_number", "Sequence number", 16),
    [F_NPDU] = NS_F_HEX("gtp.npdu_number", "N-PDU Number", 8),
    [F_EXT_NEXT] = NS_F_VALS("gtp.ext_hdr.next", "Next extension header type",
			     8, NS_BASE_HEX, ext_vals),
    [F_EXT_HDR] = NS_F_NONE("gtp.ext_hdr", "Extension header"),
    [F_EXT_LEN] = NS_F_UINT("gtp.ext_hdr.length", "Extension Header Length", 8),
    /* our own: Wireshark has a field per extension type */
    [F_EXT_DATA] = NS_F_BYTES("gtp.ext_hdr.data", "Extension Header Content"),
    [F_PSC_TYPE] = NS_F_UINT("gtp.ext_hdr.pdu_ses_con.pdu_type", "PDU Type", 8),
    [F_PSC_PPP] = NS_F_BOOL("gtp.ext_hdr.pdu_ses_cont.ppp",
			    "Paging Policy Presence (PPP)"),
    [F_PSC_RQI] = NS_F_BOOL("gtp.ext_hdr.pdu_ses_cont.rqi",
			    "Reflective QoS Indicator (RQI)"),
    [F_PSC_QFI] = NS_F_UINT("gtp.ext_hdr.pdu_ses_con.qos_flow_id",
			    "QoS Flow Identifier (QFI)", 8),
};

#define EXT_PDU_SESSION 0x85

/* TS 38.415 §5.5.2: the PDU session container's first two bytes, the PDU
 * type (0 downlink, 1 uplink) and the QoS flow; the rest stays raw. */
static void pdu_session(struct ns_packet *pkt, struct ns_reader *c)
{
	uint32_t off = ns_rd_off(c);
	uint8_t b0 = ns_rd_u8(c);
	uint8_t b1 = ns_rd_u8(c);
	if (c->err)
		return;
	unsigned type = b0 >> 4;
	ns_add_uint(pkt, &fields[F_PSC_TYPE], off, 1, type);
	if (type == 0) {
		ns_add_uint(pkt, &fields[F_PSC_PPP], off + 1, 1, b1 >> 7);
		ns_add_uint(pkt, &fields[F_PSC_RQI], off + 1, 1, b1 >> 6 & 1);
	}
	ns_add_uint(pkt, &fields[F_PSC_QFI], off + 1, 1, b1 & 0x3f);
}

/* The extension header chain that starts with type `next`. */
static int extensions(struct ns_packet *pkt, struct ns_reader *r, uint8_t next)
{
	while (next != 0) {
		uint32_t off = ns_rd_off(r);
		uint8_t units = ns_rd_u8(r);
		if (r->err)
			return NS_ETRUNC;
		size_t len = (size_t)units * 4;
		ns_add_label(pkt, &fields[F_EXT_HDR], off, (uint32_t)len);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_EXT_LEN], off, 1, units);
		if (units == 0) {
			ns_tree_pop(pkt);
			return ns_malformed(pkt,
					    "extension header 0x%02x has "
					    "length 0",
					    next);
		}
		if (len > 2) {
			struct ns_reader c = ns_rd_sub(r, len - 2);
			if (r->err)
				return NS_ETRUNC;
			struct ns_reader all = c;
			ns_get_bytes(pkt, &all, &fields[F_EXT_DATA],
				     (uint32_t)len - 2);
			if (next == EXT_PDU_SESSION)
				pdu_session(pkt, &c);
		}
		next = ns_get_u8(pkt, r, &fields[F_EXT_NEXT]);
		ns_tree_pop(pkt);
		if (r->err)
			return NS_ETRUNC;
	}
	return 0;
}

/* The flags byte at off: version 1 (the caller checked), protocol type and
 * the E, S and PN bits. */
static void flags(struct ns_packet *pkt, uint32_t off, uint8_t fl)
{
	ns_add_uint(pkt, &fields[F_FLAGS], off, 1, fl);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_FL_VERSION], off, 1, fl >> 5);
	if (fl >> 5 == 1) {
		ns_add_uint(pkt, &fields[F_FL_PT], off, 1, fl >> 4 & 1);
		ns_add_uint(pkt, &fields[F_FL_RES], off, 1, fl >> 3 & 1);
		ns_add_uint(pkt, &fields[F_FL_E], off, 1, !!(fl & GTP_E));
		ns_add_uint(pkt, &fields[F_FL_S], off, 1, !!(fl & GTP_S));
		ns_add_uint(pkt, &fields[F_FL_PN], off, 1, !!(fl & GTP_PN));
	}
	ns_tree_pop(pkt);
}

/* The sequence number, N-PDU number and next extension type, present
 * together when any of E, S, PN is set (§5.1), then the extension chain.
 * `len` is the message length. */
static int optional(struct ns_packet *pkt, struct ns_reader *r, uint8_t fl,
		    uint16_t len)
{
	if (len < 4)
		return ns_malformed(pkt,
				    "length %u leaves no room for the "
				    "optional fields",
				    len);
	uint32_t off = ns_rd_off(r);
	uint16_t seq = ns_rd_u16(r);
	uint8_t npdu = ns_rd_u8(r);
	uint8_t next = ns_rd_u8(r);
	if (r->err)
		return NS_ETRUNC;
	/* each is shown (and meaningful) only when its own flag is set */
	if (fl & GTP_S)
		ns_add_uint(pkt, &fields[F_SEQ], off, 2, seq);
	if (fl & GTP_PN)
		ns_add_uint(pkt, &fields[F_NPDU], off + 2, 1, npdu);
	if (!(fl & GTP_E))
		return 0;
	ns_add_uint(pkt, &fields[F_EXT_NEXT], off + 3, 1, next);
	return extensions(pkt, r, next);
}

/* A T-PDU's user packet has no type field: as Wireshark, the first nibble
 * tells IPv4 from IPv6. */
static void tpdu(struct ns_packet *pkt, struct ns_reader *r)
{
	switch (ns_rd_peek(r, 0) >> 4) {
	case 4:
		ns_next(pkt, NS_TAB_ETHERTYPE, 0x0800);
		break;
	case 6:
		ns_next(pkt, NS_TAB_ETHERTYPE, 0x86dd);
		break;
	}
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t off = ns_rd_off(r);
	uint8_t fl = ns_rd_u8(r);
	if (r->err)
		return NS_ETRUNC;
	if (fl >> 5 == 2)
		return 0; /* GTPv2-C (TS 29.274), another protocol: data */
	flags(pkt, off, fl);
	if (fl >> 5 != 1)
		return 0; /* GTPv0 has another header: the rest stays data */
	uint8_t msg = ns_get_u8(pkt, r, &fields[F_MESSAGE]);
	uint16_t len = ns_get_u16(pkt, r, &fields[F_LENGTH]);
	ns_get_u32(pkt, r, &fields[F_TEID]);
	if (r->err)
		return NS_ETRUNC;
	size_t left = ns_rd_left(r);
	if (len > left && pkt->caplen == pkt->len && !pkt->quoted)
		ns_malformed(pkt, "length %u exceeds the %zu bytes present",
			     len, left);
	ns_rd_limit(r, len);
	if (fl & (GTP_E | GTP_S | GTP_PN)) {
		int rc = optional(pkt, r, fl, len);
		if (rc)
			return rc;
	}
	if (msg == MSG_TPDU && ns_rd_left(r))
		tpdu(pkt, r);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *m = ns_pkt_find(pkt, (int)li, &fields[F_MESSAGE]);
	const struct ns_fv *t = ns_pkt_find(pkt, (int)li, &fields[F_TEID]);
	if (!m) {
		ns_buf_puts(out, "GTP");
		return;
	}
	const char *name = ns_valstr_find(message_vals, m->v.u);
	if (name) {
		ns_buf_puts(out, name);
	} else {
		ns_buf_puts(out, "GTP message ");
		ns_buf_hex(out, m->v.u, 2);
	}
	if (t) {
		ns_buf_puts(out, " TEID ");
		ns_buf_hex(out, t->v.u, 8);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_UDP_PORT, 2152},
    {0, 0},
};

struct ns_dissector ns_diss_gtp = {
    .name = "gtp",
    .column = "GTP",
    .title = "GPRS Tunneling Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
