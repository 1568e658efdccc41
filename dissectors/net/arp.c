/*
 * ARP (RFC 826) and RARP (RFC 903).
 *
 * The address sizes come from the packet (hlen, plen) and are trusted only
 * after the four addresses are known to fit.  Ethernet/IPv4 addresses get
 * typed fields (MAC, IPv4); any other combination is shown as bytes.  The
 * summary follows tshark: who-has/tell, is-at, gratuitous ARP and probes
 * (RFC 5227).
 */
#include <string.h>

#include "core/dissect.h"

enum {
	F_HW_TYPE,
	F_PROTO_TYPE,
	F_HW_SIZE,
	F_PROTO_SIZE,
	F_OPCODE,
	F_SRC_HW_MAC,
	F_SRC_PROTO_IPV4,
	F_DST_HW_MAC,
	F_DST_PROTO_IPV4,
	F_SRC_HW,
	F_SRC_PROTO,
	F_DST_HW,
	F_DST_PROTO,
	F_COUNT
};

static const struct ns_valstr opcode_vals[] = {
    {1, "request"},
    {2, "reply"},
    {3, "reverse request"},
    {4, "reverse reply"},
    {8, "inverse request"},
    {9, "inverse reply"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_HW_TYPE] = NS_F_UINT("arp.hw.type", "Hardware type", 16),
    [F_PROTO_TYPE] = NS_F_HEX("arp.proto.type", "Protocol type", 16),
    [F_HW_SIZE] = NS_F_UINT("arp.hw.size", "Hardware size", 8),
    [F_PROTO_SIZE] = NS_F_UINT("arp.proto.size", "Protocol size", 8),
    [F_OPCODE] =
	NS_F_VALS("arp.opcode", "Opcode", 16, NS_BASE_DEC, opcode_vals),
    [F_SRC_HW_MAC] = NS_F_ETHER("arp.src.hw_mac", "Sender MAC address"),
    [F_SRC_PROTO_IPV4] = NS_F_IPV4("arp.src.proto_ipv4", "Sender IP address"),
    [F_DST_HW_MAC] = NS_F_ETHER("arp.dst.hw_mac", "Target MAC address"),
    [F_DST_PROTO_IPV4] = NS_F_IPV4("arp.dst.proto_ipv4", "Target IP address"),
    [F_SRC_HW] = NS_F_BYTES("arp.src.hw", "Sender hardware address"),
    [F_SRC_PROTO] = NS_F_BYTES("arp.src.proto", "Sender protocol address"),
    [F_DST_HW] = NS_F_BYTES("arp.dst.hw", "Target hardware address"),
    [F_DST_PROTO] = NS_F_BYTES("arp.dst.proto", "Target protocol address"),
};

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint16_t htype = ns_get_u16(pkt, r, &fields[F_HW_TYPE]);
	uint16_t ptype = ns_get_u16(pkt, r, &fields[F_PROTO_TYPE]);
	uint8_t hlen = ns_get_u8(pkt, r, &fields[F_HW_SIZE]);
	uint8_t plen = ns_get_u8(pkt, r, &fields[F_PROTO_SIZE]);
	ns_get_u16(pkt, r, &fields[F_OPCODE]);
	if (r->err)
		return NS_ETRUNC;
	if (!ns_rd_need(r, 2u * hlen + 2u * plen))
		return NS_ETRUNC;
	int mac = hlen == 6 && (htype == 1 || htype == 6);
	int ip4 = plen == 4 && ptype == 0x0800;
	const struct ns_field *sh = &fields[mac ? F_SRC_HW_MAC : F_SRC_HW];
	const struct ns_field *sp =
	    &fields[ip4 ? F_SRC_PROTO_IPV4 : F_SRC_PROTO];
	const struct ns_field *th = &fields[mac ? F_DST_HW_MAC : F_DST_HW];
	const struct ns_field *tp =
	    &fields[ip4 ? F_DST_PROTO_IPV4 : F_DST_PROTO];
	if (hlen)
		ns_get_bytes(pkt, r, sh, hlen);
	if (plen)
		ns_get_bytes(pkt, r, sp, plen);
	if (hlen)
		ns_get_bytes(pkt, r, th, hlen);
	if (plen)
		ns_get_bytes(pkt, r, tp, plen);
	return r->err ? NS_ETRUNC : 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *op = ns_pkt_find(pkt, (int)li, &fields[F_OPCODE]);
	const struct ns_fv *sha =
	    ns_pkt_find(pkt, (int)li, &fields[F_SRC_HW_MAC]);
	const struct ns_fv *spa =
	    ns_pkt_find(pkt, (int)li, &fields[F_SRC_PROTO_IPV4]);
	const struct ns_fv *tpa =
	    ns_pkt_find(pkt, (int)li, &fields[F_DST_PROTO_IPV4]);
	if (!op)
		return;
	if (!sha || !spa || !tpa || (op->v.u != 1 && op->v.u != 2)) {
		const char *n = ns_valstr_find(opcode_vals, op->v.u);
		ns_buf_puts(out, "ARP ");
		if (n) {
			ns_buf_puts(out, n);
		} else {
			ns_buf_puts(out, "opcode ");
			ns_buf_u64(out, op->v.u);
		}
		return;
	}
	static const uint8_t zero[4];
	if (memcmp(spa->v.b.p, tpa->v.b.p, 4) == 0) {
		ns_buf_puts(out, "Gratuitous ARP for ");
		ns_buf_ipv4(out, spa->v.b.p);
		ns_buf_puts(out, op->v.u == 1 ? " (Request)" : " (Reply)");
	} else if (op->v.u == 1) {
		ns_buf_puts(out, "Who has ");
		ns_buf_ipv4(out, tpa->v.b.p);
		if (memcmp(spa->v.b.p, zero, 4) == 0) {
			ns_buf_puts(out, "? (ARP Probe)");
		} else {
			ns_buf_puts(out, "? Tell ");
			ns_buf_ipv4(out, spa->v.b.p);
		}
	} else {
		ns_buf_ipv4(out, spa->v.b.p);
		ns_buf_puts(out, " is at ");
		ns_buf_mac(out, sha->v.b.p);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_ETHERTYPE, 0x0806},
    {NS_TAB_ETHERTYPE, 0x8035}, /* RARP */
    {0, 0},
};

struct ns_dissector ns_diss_arp = {
    .name = "arp",
    .column = "ARP",
    .title = "Address Resolution Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
