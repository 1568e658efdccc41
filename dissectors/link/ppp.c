/*
 * Point-to-Point Protocol framing (LINKTYPE_PPP 9, LINKTYPE_PPP_HDLC 50,
 * LINKTYPE_PPP_WITH_DIR 204; EtherType 0x880b, PPP inside GRE/PPTP).
 *
 * RFC 1662 section 3.1: HDLC-like framing puts address 0xff and control
 * 0x03 in front of the protocol; both may be omitted (address-and-control
 * field compression, RFC 1661 section 6.6), so they are taken to be there
 * exactly when the first byte is 0xff — what Wireshark does, without
 * checking the control value.  A first byte of 0x0f or 0x8f is a Cisco HDLC
 * frame on a link that says PPP; Cisco HDLC is not decoded, so the frame is
 * left as data.  The protocol field is one byte when its first byte is odd
 * (protocol field compression, RFC 1661 section 6.5), two otherwise.  The
 * frames are de-stuffed by the capturing host: no flags, escapes or FCS are
 * looked for.
 *
 * Network protocols map to the EtherType table (0x0021 IPv4, 0x0057 IPv6,
 * 0x0281/0x0283 MPLS, RFC 3032 section 4.3); 0x004b is 802.2 LLC (RFC 2043).
 * Control protocols (LCP, IPCP, PAP, CHAP, …) are named but left as data.
 */
#include "core/dissect.h"

enum { F_DIR, F_ADDR, F_CTRL, F_PROTO, F_COUNT };

static const struct ns_valstr dir_vals[] = {
    {0, "Sent"},
    {1, "Received"},
    {0, NULL},
};

static const struct ns_valstr proto_vals[] = {
    {0x0021, "Internet Protocol version 4"},
    {0x002b, "Novell IPX"},
    {0x002d, "Van Jacobson Compressed TCP/IP"},
    {0x002f, "Van Jacobson Uncompressed TCP/IP"},
    {0x003d, "PPP Multilink Protocol"},
    {0x004b, "SNA over 802.2"},
    {0x0057, "Internet Protocol version 6"},
    {0x0281, "MPLS Unicast"},
    {0x0283, "MPLS Multicast"},
    {0x8021, "Internet Protocol Control Protocol"},
    {0x8057, "IPv6 Control Protocol"},
    {0x80fd, "Compression Control Protocol"},
    {0x8281, "MPLS Control Protocol"},
    {0xc021, "Link Control Protocol"},
    {0xc023, "Password Authentication Protocol"},
    {0xc025, "Link Quality Report"},
    {0xc223, "Challenge Handshake Authentication Protocol"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_DIR] = NS_F_VALS("ppp.direction", "Direction", 8, NS_BASE_DEC, dir_vals),
    [F_ADDR] = NS_F_HEX("ppp.address", "Address", 8),
    [F_CTRL] = NS_F_HEX("ppp.control", "Control", 8),
    [F_PROTO] =
	NS_F_VALS("ppp.protocol", "Protocol", 16, NS_BASE_HEX, proto_vals),
};

/* PPP protocol number to the EtherType of the same protocol, or 0. */
static uint16_t ethertype(uint16_t proto)
{
	switch (proto) {
	case 0x0021:
		return 0x0800;
	case 0x0057:
		return 0x86dd;
	case 0x0281:
		return 0x8847;
	case 0x0283:
		return 0x8848;
	default:
		return 0;
	}
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	/* LINKTYPE_PPP_WITH_DIR: a direction byte, non-zero when sent, before
	 * the frame; only when PPP is the link layer itself (layer 1). */
	if (pkt->linktype == 204 && pkt->nlayers == 2) {
		uint32_t off = ns_rd_off(r);
		uint8_t dir = ns_rd_u8(r);
		if (r->err)
			return NS_ETRUNC;
		ns_add_uint(pkt, &fields[F_DIR], off, 1, dir ? 0 : 1);
	}
	uint8_t b0 = ns_rd_peek(r, 0);
	if (r->err)
		return NS_ETRUNC;
	if (b0 == 0x0f || b0 == 0x8f)
		return 0; /* Cisco HDLC framing: not decoded, left as data */
	if (b0 == 0xff) {
		ns_get_u8(pkt, r, &fields[F_ADDR]);
		ns_get_u8(pkt, r, &fields[F_CTRL]);
	}
	uint32_t off = ns_rd_off(r);
	uint16_t proto = ns_rd_u8(r);
	uint32_t plen = 1;
	if (!(proto & 1)) {
		proto = (uint16_t)(proto << 8 | ns_rd_u8(r));
		plen = 2;
	}
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_PROTO], off, plen, proto);
	uint16_t et = ethertype(proto);
	if (et)
		ns_next(pkt, NS_TAB_ETHERTYPE, et);
	else if (proto == 0x004b)
		ns_next(pkt, NS_TAB_LTYPE, 0x0004); /* 802.2 LLC */
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *p = ns_pkt_find(pkt, (int)li, &fields[F_PROTO]);
	ns_buf_puts(out, "PPP");
	if (p) {
		const char *n = ns_valstr_find(proto_vals, p->v.u);
		ns_buf_puts(out, ", protocol ");
		ns_buf_hex(out, p->v.u, 4);
		if (n) {
			ns_buf_puts(out, " (");
			ns_buf_puts(out, n);
			ns_buf_putc(out, ')');
		}
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 9},	/* DLT_PPP */
    {NS_TAB_LINKTYPE, 50},	/* DLT_PPP_SERIAL (LINKTYPE_PPP_HDLC) */
    {NS_TAB_LINKTYPE, 204},	/* LINKTYPE_PPP_WITH_DIR */
    {NS_TAB_ETHERTYPE, 0x880b}, /* PPP in GRE (PPTP, RFC 2637) */
    {0, 0},
};

struct ns_dissector ns_diss_ppp = {
    .name = "ppp",
    .column = "PPP",
    .title = "Point-to-Point Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
