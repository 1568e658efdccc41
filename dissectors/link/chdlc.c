/*
 * Cisco HDLC (LINKTYPE_C_HDLC 104).
 *
 * Cisco's framing for synchronous serial links: an address byte (0x0f
 * unicast, 0x8f broadcast), a control byte (0x00) and a 16-bit protocol
 * that is an EtherType, plus Cisco's own values: 0xfefe for OSI (CLNS) and
 * 0x8035 for SLARP keepalives.  SLARP reuses the RARP EtherType, so 0x8035
 * is not handed to the EtherType table (it would be taken for RARP);
 * neither SLARP nor OSI is dissected yet.  There is no public standard; the
 * layout is the one tcpdump (print-chdlc.c) and Wireshark agree on.
 */
#include "core/dissect.h"

enum { F_ADDR, F_CTRL, F_PROTO, F_COUNT };

static const struct ns_valstr addr_vals[] = {
    {0x0f, "Unicast"},
    {0x8f, "Multicast"},
    {0, NULL},
};

static const struct ns_valstr proto_vals[] = {
    {0x0800, "IP"},	      {0x0806, "ARP"},
    {0x8035, "SLARP"},	      {0x86dd, "IPv6"},
    {0x8847, "MPLS unicast"}, {0x8848, "MPLS multicast"},
    {0xfefe, "OSI"},	      {0, NULL},
};

static struct ns_field fields[] = {
    [F_ADDR] = NS_F_VALS("chdlc.address", "Address", 8, NS_BASE_HEX, addr_vals),
    [F_CTRL] = NS_F_HEX("chdlc.control", "Control", 8),
    [F_PROTO] =
	NS_F_VALS("chdlc.protocol", "Protocol", 16, NS_BASE_HEX, proto_vals),
};

#define CHDLC_SLARP 0x8035

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	ns_get_u8(pkt, r, &fields[F_ADDR]);
	ns_get_u8(pkt, r, &fields[F_CTRL]);
	uint16_t proto = ns_get_u16(pkt, r, &fields[F_PROTO]);
	if (r->err)
		return NS_ETRUNC;
	if (proto != CHDLC_SLARP)
		ns_next(pkt, NS_TAB_ETHERTYPE, proto);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *p = ns_pkt_find(pkt, (int)li, &fields[F_PROTO]);
	ns_buf_puts(out, "Cisco HDLC");
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
    {NS_TAB_LINKTYPE, 104}, /* DLT_C_HDLC */
    {0, 0},
};

struct ns_dissector ns_diss_chdlc = {
    .name = "chdlc",
    .column = "CHDLC",
    .title = "Cisco HDLC",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
