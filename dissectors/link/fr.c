/*
 * Frame Relay (LINKTYPE_FRELAY 107).
 *
 * The Q.922 address (ITU-T Q.922 section 3.3; RFC 2427 section 3) is two
 * to four octets, each ending in an extension bit (EA, 1 on the last):
 * 6 + 4 DLCI bits with C/R, FECN, BECN and DE, then for three- and
 * four-octet forms 7 more bits and a last octet holding either 6 DLCI bits
 * or DL-CORE control (the D/C bit says which).  After it, as Wireshark's
 * default "FRF 3.2 / Cisco HDLC" encapsulation decides:
 *   - an unnumbered control byte (low bits 11, normally 0x03 UI) starts
 *     RFC 2427 multiprotocol encapsulation: control, an optional 0x00 pad,
 *     and an NLPID (ISO/IEC TR 9577): 0xcc IPv4, 0x8e IPv6, 0xcf PPP,
 *     0x80 SNAP (OUI + PID; OUI 000000 carries an EtherType, 0080c2 PID 7
 *     a bridged Ethernet frame without FCS, RFC 2427 section 5.3);
 *   - otherwise, outside DLCI 0 (signalling), Cisco's encapsulation when
 *     the two bytes after the address are an EtherType with a dissector,
 *     else RFC 2427 after all when a known NLPID follows an I, S or U
 *     control field (Wireshark 4.0's guess, which we follow); anything
 *     else is left as data (Wireshark would still try raw Ethernet).
 */
#include "core/dissect.h"

enum {
	F_CR,
	F_FECN,
	F_BECN,
	F_DE,
	F_DLCORE,
	F_DLCI,
	F_CONTROL,
	F_NLPID,
	F_OUI,
	F_SNAPTYPE,
	F_PID,
	F_CHDLCTYPE,
	F_COUNT
};

static const struct ns_valstr nlpid_vals[] = {
    {0x00, "Padding"},	{0x08, "Q.933"},     {0x80, "SNAP"},
    {0x81, "ISO CLNP"}, {0x82, "ISO ES-IS"}, {0x83, "ISO IS-IS"},
    {0x8e, "IPv6"},	{0xcc, "IP"},	     {0xcf, "PPP"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_CR] = NS_F_BOOL("fr.cr", "CR"),
    [F_FECN] = NS_F_BOOL("fr.fecn", "FECN"),
    [F_BECN] = NS_F_BOOL("fr.becn", "BECN"),
    [F_DE] = NS_F_BOOL("fr.de", "DE"),
    [F_DLCORE] = NS_F_HEX("fr.dlcore_control", "DL-CORE Control", 8),
    [F_DLCI] = NS_F_UINT("fr.dlci", "DLCI", 32),
    [F_CONTROL] = NS_F_HEX("fr.control", "Control Field", 8),
    [F_NLPID] = NS_F_VALS("fr.nlpid", "NLPID", 8, NS_BASE_HEX, nlpid_vals),
    [F_OUI] = NS_F_HEX("fr.snap.oui", "Organization Code", 24),
    [F_SNAPTYPE] = NS_F_HEX("fr.snaptype", "Type", 16),
    [F_PID] = NS_F_HEX("fr.snap.pid", "Protocol ID", 16),
    [F_CHDLCTYPE] = NS_F_HEX("fr.chdlctype", "Type", 16),
};

#define EA 0x01
#define DC 0x02

/* Reads the Q.922 address; returns 0 or an error, the DLCI in *dlci. */
static int address(struct ns_packet *pkt, struct ns_reader *r, uint32_t *dlci)
{
	uint32_t off = ns_rd_off(r);
	uint8_t o1 = ns_rd_u8(r);
	if (r->err)
		return NS_ETRUNC;
	if (o1 & EA)
		return ns_malformed(pkt, "1-octet address field");
	uint8_t o2 = ns_rd_u8(r);
	if (r->err)
		return NS_ETRUNC;
	uint32_t a = (uint32_t)(o1 & 0xfc) << 2 | (o2 & 0xf0) >> 4;
	ns_add_uint(pkt, &fields[F_CR], off, 1, (o1 & 0x02) != 0);
	ns_add_uint(pkt, &fields[F_FECN], off + 1, 1, (o2 & 0x08) != 0);
	ns_add_uint(pkt, &fields[F_BECN], off + 1, 1, (o2 & 0x04) != 0);
	ns_add_uint(pkt, &fields[F_DE], off + 1, 1, (o2 & 0x02) != 0);
	if (!(o2 & EA)) {
		uint8_t o = ns_rd_u8(r);
		if (!r->err && !(o & EA)) {
			/* four-octet form: 7 more DLCI bits */
			a = a << 7 | (uint32_t)(o & 0xfe) >> 1;
			o = ns_rd_u8(r);
			if (!r->err && !(o & EA))
				return ns_malformed(
				    pkt, "address longer than 4 octets");
		}
		if (r->err)
			return NS_ETRUNC;
		if (o & DC)
			ns_add_uint(pkt, &fields[F_DLCORE], ns_rd_off(r) - 1, 1,
				    o);
		else
			a = a << 6 | (uint32_t)(o & 0xfc) >> 2;
	}
	ns_add_uint(pkt, &fields[F_DLCI], off, ns_rd_off(r) - off, a);
	*dlci = a;
	return 0;
}

/* RFC 2427 section 4: NLPID after a UI control byte. */
static int nlpid(struct ns_packet *pkt, struct ns_reader *r, uint8_t ctrl)
{
	uint8_t id = ns_get_u8(pkt, r, &fields[F_NLPID]);
	if (!r->err && id == 0x00) /* one octet of padding */
		id = ns_get_u8(pkt, r, &fields[F_NLPID]);
	if (r->err)
		return NS_ETRUNC;
	switch (id) {
	case 0xcc:
		ns_next(pkt, NS_TAB_ETHERTYPE, 0x0800);
		break;
	case 0x8e:
		ns_next(pkt, NS_TAB_ETHERTYPE, 0x86dd);
		break;
	case 0xcf:
		ns_next(pkt, NS_TAB_LINKTYPE, 9); /* PPP, RFC 1973 */
		break;
	case 0x80: {
		uint32_t off = ns_rd_off(r);
		uint32_t oui = ns_rd_u24(r);
		uint16_t pid = ns_rd_u16(r);
		if (r->err)
			return NS_ETRUNC;
		ns_add_uint(pkt, &fields[F_OUI], off, 3, oui);
		if (oui == 0x000000 || oui == 0x0000f8) {
			/* an EtherType, used only in UI frames */
			if (ctrl == 0x03) {
				ns_add_uint(pkt, &fields[F_SNAPTYPE], off + 3,
					    2, pid);
				ns_next(pkt, NS_TAB_ETHERTYPE, pid);
			}
		} else {
			ns_add_uint(pkt, &fields[F_PID], off + 3, 2, pid);
			if (oui == 0x0080c2 && pid == 0x0007)
				ns_next(pkt, NS_TAB_LINKTYPE, 1); /* Ethernet */
		}
		break;
	}
	default:
		break; /* OSI and Q.933: left as data */
	}
	return 0;
}

/* NLPIDs with a meaning on Frame Relay: Q.933, SNAP, OSI, IPv6, IP, PPP. */
static int known_nlpid(uint8_t id)
{
	return id == 0x08 || id == 0x80 || id == 0x81 || id == 0x82 ||
	       id == 0x83 || id == 0x8e || id == 0xcc || id == 0xcf;
}

/*
 * Not a UI frame: Cisco encapsulation when the two bytes are an EtherType
 * we dissect; else RFC 2427 with another control field when an NLPID we
 * know follows it.  Returns 1 for RFC 2427, 0 otherwise; *cisco is set to
 * the EtherType for Cisco encapsulation.
 */
static int guess(struct ns_reader *r, uint16_t *cisco)
{
	size_t left = ns_rd_left(r);
	if (left < 2)
		return 0;
	uint16_t type = (uint16_t)(ns_rd_peek(r, 0) << 8 | ns_rd_peek(r, 1));
	if (ns_table_lookup(NS_TAB_ETHERTYPE, type)) {
		*cisco = type;
		return 0;
	}
	size_t at = 0;
	uint8_t c = ns_rd_peek(r, at);
	if (c == 0x00) /* padding before the control field */
		c = ns_rd_peek(r, ++at);
	/* U frames have one control byte, I and S frames (extended) two */
	at += (c & 0x03) == 0x03 ? 1 : 2;
	return at < left && known_nlpid(ns_rd_peek(r, at));
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t dlci = 0;
	int rc = address(pkt, r, &dlci);
	if (rc)
		return rc;
	/* either encapsulation needs at least a byte after the address */
	if (!ns_rd_left(r))
		return NS_ETRUNC;
	uint8_t ctrl = ns_rd_peek(r, 0);
	uint16_t cisco = 0;
	int rfc2427 = ctrl == 0x03;
	if (!rfc2427) {
		/* DLCI 0 carries LAPF signalling; 0xaf is an XID frame */
		if (dlci == 0 || ctrl == 0xaf) {
			ns_get_u8(pkt, r, &fields[F_CONTROL]);
			return 0;
		}
		rfc2427 = guess(r, &cisco);
	}
	if (rfc2427) {
		ns_get_u8(pkt, r, &fields[F_CONTROL]);
		if ((ctrl & 0x03) != 0x03)
			ns_rd_skip(r, 1); /* second byte of an I or S control */
		if (r->err)
			return NS_ETRUNC;
		return nlpid(pkt, r, ctrl);
	}
	if (cisco) {
		uint32_t off = ns_rd_off(r);
		ns_rd_skip(r, 2);
		ns_add_uint(pkt, &fields[F_CHDLCTYPE], off, 2, cisco);
		ns_next(pkt, NS_TAB_ETHERTYPE, cisco);
	}
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *d = ns_pkt_find(pkt, (int)li, &fields[F_DLCI]);
	ns_buf_puts(out, "Frame Relay");
	if (d) {
		ns_buf_puts(out, ", DLCI ");
		ns_buf_u64(out, d->v.u);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 107}, /* DLT_FRELAY */
    {0, 0},
};

struct ns_dissector ns_diss_fr = {
    .name = "fr",
    .column = "FR",
    .title = "Frame Relay",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
