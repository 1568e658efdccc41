/*
 * IEEE 802.2 Logical Link Control, with the SNAP extension.
 *
 * LLC is what follows the MAC header wherever there is no EtherType: 802.3
 * length frames, FDDI, 802.11 data frames, Token Ring.  It is DSAP, SSAP
 * and a control field (IEEE 802.2 clause 5): one byte for unnumbered (U)
 * frames, two for information (I) and supervisory (S) frames, which LLC
 * type 2 always sends in extended (modulo-128) form; Wireshark reads those
 * two bytes little-endian and so do we, so llc.control matches it.
 *
 * DSAP = SSAP = 0xAA is SNAP (IEEE 802-2014 clause 10.3; RFC 1042): a
 * 3-byte OUI and a 2-byte protocol id.  For OUI 00-00-00 (RFC 1042) and
 * 00-00-F8 (Cisco, the 802.1H bridge-tunnel variant) the PID is an
 * EtherType, recorded as llc.type as Wireshark does; any other OUI's PID is
 * llc.pid (llc.cisco_pid for Cisco's 00-00-0C).  OUI 00-80-C2 PID 7 is a
 * bridged Ethernet frame without FCS after two pad bytes (RFC 2684 section
 * 5.2).  As in Wireshark, only information frames (I, or UI = control 0x03)
 * are handed upward.  A Novell "raw 802.3" frame (0xffff where the DSAP and
 * SSAP would be) is not told apart: it shows as DSAP/SSAP 0xff.
 */
#include "core/dissect.h"

enum { F_DSAP, F_SSAP, F_CTRL, F_OUI, F_TYPE, F_PID, F_CISCO_PID, F_COUNT };

static const struct ns_valstr sap_vals[] = {
    {0x00, "NULL LSAP"},
    {0x06, "IP"},
    {0x42, "Spanning Tree BPDU"},
    {0x98, "ARP"},
    {0xaa, "SNAP"},
    {0xe0, "NetWare"},
    {0xf0, "NetBIOS"},
    {0xfe, "ISO Network Layer"},
    {0xff, "Global LSAP"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_DSAP] = NS_F_VALS("llc.dsap", "DSAP", 8, NS_BASE_HEX, sap_vals),
    [F_SSAP] = NS_F_VALS("llc.ssap", "SSAP", 8, NS_BASE_HEX, sap_vals),
    [F_CTRL] = NS_F_HEX("llc.control", "Control", 16),
    [F_OUI] = NS_F_HEX("llc.oui", "Organization Code", 24),
    [F_TYPE] = NS_F_HEX("llc.type", "Type", 16),
    [F_PID] = NS_F_HEX("llc.pid", "Protocol ID", 16),
    [F_CISCO_PID] = NS_F_HEX("llc.cisco_pid", "PID", 16),
};

#define OUI_ENCAP_ETHER 0x000000
#define OUI_CISCO_90	0x0000f8
#define OUI_IEEE_802_1	0x0080c2
#define OUI_CISCO	0x00000c

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint8_t dsap = ns_get_u8(pkt, r, &fields[F_DSAP]);
	uint8_t ssap = ns_get_u8(pkt, r, &fields[F_SSAP]);
	uint32_t off = ns_rd_off(r);
	uint16_t ctrl = ns_rd_u8(r);
	uint32_t clen = 1;
	/* I and S frames (low bits not 11) carry a second control byte */
	if ((ctrl & 0x03) != 0x03) {
		ctrl |= (uint16_t)(ns_rd_u8(r) << 8);
		clen = 2;
	}
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_CTRL], off, clen, ctrl);
	int has_info = (ctrl & 0x01) == 0 || ctrl == 0x03;

	if (dsap != 0xaa || ssap != 0xaa) {
		if (has_info)
			ns_next(pkt, NS_TAB_LLC_SAP, dsap);
		return 0;
	}
	off = ns_rd_off(r);
	uint32_t oui = ns_rd_u24(r);
	uint16_t pid = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_OUI], off, 3, oui);
	if (oui == OUI_ENCAP_ETHER || oui == OUI_CISCO_90) {
		if (has_info) {
			ns_add_uint(pkt, &fields[F_TYPE], off + 3, 2, pid);
			ns_next(pkt, NS_TAB_ETHERTYPE, pid);
		}
		return 0;
	}
	/* Wireshark names Cisco's PIDs (CDP, VTP, UDLD, PVST+) apart */
	ns_add_uint(pkt, &fields[oui == OUI_CISCO ? F_CISCO_PID : F_PID],
		    off + 3, 2, pid);
	if (oui == OUI_IEEE_802_1 && pid == 0x0007 && ns_rd_left(r) >= 2) {
		ns_rd_skip(r, 2); /* pad */
		ns_next(pkt, NS_TAB_LINKTYPE, 1);
	}
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *d = ns_pkt_find(pkt, (int)li, &fields[F_DSAP]);
	const struct ns_fv *s = ns_pkt_find(pkt, (int)li, &fields[F_SSAP]);
	const struct ns_fv *o = ns_pkt_find(pkt, (int)li, &fields[F_OUI]);
	const struct ns_fv *t = ns_pkt_find(pkt, (int)li, &fields[F_TYPE]);
	const struct ns_fv *p = ns_pkt_find(pkt, (int)li, &fields[F_PID]);
	if (!p)
		p = ns_pkt_find(pkt, (int)li, &fields[F_CISCO_PID]);
	if (o) {
		ns_buf_puts(out, "LLC SNAP, OUI ");
		ns_buf_hex(out, o->v.u, 6);
		if (t || p) {
			ns_buf_puts(out, t ? ", type " : ", PID ");
			ns_buf_hex(out, (t ? t : p)->v.u, 4);
		}
	} else if (d && s) {
		ns_buf_puts(out, "LLC, DSAP ");
		ns_buf_hex(out, d->v.u, 2);
		ns_buf_puts(out, ", SSAP ");
		ns_buf_hex(out, s->v.u, 2);
	} else {
		ns_buf_puts(out, "LLC");
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LTYPE, 0x0004},	/* ETH_P_802_2: 802.3, FDDI, 802.11 */
    {NS_TAB_ETHERTYPE, 0x8870}, /* "jumbo LLC", as Wireshark binds it */
    {0, 0},
};

struct ns_dissector ns_diss_llc = {
    .name = "llc",
    .column = "LLC",
    .title = "Logical-Link Control",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
