/*
 * Linux "cooked" capture headers: SLL (LINKTYPE_LINUX_SLL, 16 bytes) and
 * SLL2 (LINKTYPE_LINUX_SLL2, 20 bytes, adds the interface index), used by
 * captures on the "any" device.  Both give the packet direction, the link
 * address type and the source link address.  The protocol field is an
 * EtherType unless it is one of Linux's pseudo-protocols below 0x0600
 * (802.3 raw, 802.2 LLC, …), which are shown but not dissected further.
 */
#include "core/dissect.h"

enum {
	F_PKTTYPE,
	F_HATYPE,
	F_HALEN,
	F_SRC_ETH,
	F_SRC_OTHER,
	F_ETYPE,
	F_LTYPE,
	F_IFINDEX,
	F_COUNT
};

static const struct ns_valstr pkttype_vals[] = {
    {0, "Unicast to us"},	    {1, "Broadcast"},  {2, "Multicast"},
    {3, "Unicast to another host"}, {4, "Sent by us"}, {0, NULL},
};

static struct ns_field fields[] = {
    [F_PKTTYPE] =
	NS_F_VALS("sll.pkttype", "Packet type", 16, NS_BASE_DEC, pkttype_vals),
    [F_HATYPE] = NS_F_UINT("sll.hatype", "Link-layer address type", 16),
    [F_HALEN] = NS_F_UINT("sll.halen", "Link-layer address length", 16),
    [F_SRC_ETH] = NS_F_ETHER("sll.src.eth", "Source"),
    [F_SRC_OTHER] = NS_F_BYTES("sll.src.other", "Source"),
    [F_ETYPE] = NS_F_HEX("sll.etype", "Protocol", 16),
    [F_LTYPE] = NS_F_HEX("sll.ltype", "Protocol", 16),
    [F_IFINDEX] = NS_F_UINT("sll.ifindex", "Interface index", 32),
};

static void address(struct ns_packet *pkt, struct ns_reader *r, uint16_t hatype,
		    uint8_t halen)
{
	uint32_t off = ns_rd_off(r);
	const uint8_t *a = ns_rd_ptr(r, 8);
	if (!a)
		return;
	/* ARPHRD_ETHER and ARPHRD_LOOPBACK carry MAC addresses */
	if ((hatype == 1 || hatype == 772) && halen == 6) {
		ns_add_bytes(pkt, &fields[F_SRC_ETH], off, 6, a, 6);
		ns_pkt_set_addrs(pkt, NS_ADDR_ETHER, a, NULL);
	} else if (halen) {
		unsigned n = halen > 8 ? 8 : halen;
		ns_add_bytes(pkt, &fields[F_SRC_OTHER], off, n, a, n);
	}
}

static void protocol(struct ns_packet *pkt, uint32_t off, uint16_t proto)
{
	if (proto >= 0x0600) {
		ns_add_uint(pkt, &fields[F_ETYPE], off, 2, proto);
		ns_next(pkt, NS_TAB_ETHERTYPE, proto);
	} else {
		ns_add_uint(pkt, &fields[F_LTYPE], off, 2, proto);
	}
}

static int dissect_v1(struct ns_packet *pkt, struct ns_reader *r)
{
	ns_get_u16(pkt, r, &fields[F_PKTTYPE]);
	uint16_t hatype = ns_get_u16(pkt, r, &fields[F_HATYPE]);
	uint16_t halen = ns_get_u16(pkt, r, &fields[F_HALEN]);
	if (r->err)
		return NS_ETRUNC;
	address(pkt, r, hatype, (uint8_t)(halen > 255 ? 255 : halen));
	uint32_t off = ns_rd_off(r);
	uint16_t proto = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	protocol(pkt, off, proto);
	return 0;
}

static int dissect_v2(struct ns_packet *pkt, struct ns_reader *r)
{
	uint32_t poff = ns_rd_off(r);
	uint16_t proto = ns_rd_u16(r);
	ns_rd_skip(r, 2); /* reserved */
	ns_get_u32(pkt, r, &fields[F_IFINDEX]);
	uint16_t hatype = ns_get_u16(pkt, r, &fields[F_HATYPE]);
	uint32_t toff = ns_rd_off(r);
	uint8_t pkttype = ns_rd_u8(r);
	uint8_t halen = ns_get_u8(pkt, r, &fields[F_HALEN]);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_PKTTYPE], toff, 1, pkttype);
	address(pkt, r, hatype, halen);
	if (r->err)
		return NS_ETRUNC;
	protocol(pkt, poff, proto);
	return 0;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	return pkt->linktype == 276 ? dissect_v2(pkt, r) : dissect_v1(pkt, r);
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *t = ns_pkt_find(pkt, (int)li, &fields[F_PKTTYPE]);
	const struct ns_fv *i = ns_pkt_find(pkt, (int)li, &fields[F_IFINDEX]);
	const struct ns_fv *e = ns_pkt_find(pkt, (int)li, &fields[F_ETYPE]);
	const struct ns_fv *l = ns_pkt_find(pkt, (int)li, &fields[F_LTYPE]);
	ns_buf_puts(out,
		    i ? "Linux cooked capture v2" : "Linux cooked capture");
	if (i) {
		ns_buf_puts(out, ", ifindex ");
		ns_buf_u64(out, i->v.u);
	}
	if (t) {
		const char *n = ns_valstr_find(pkttype_vals, t->v.u);
		ns_buf_puts(out, ", ");
		ns_buf_puts(out, n ? n : "unknown packet type");
	}
	if (e || l) {
		ns_buf_puts(out, ", protocol ");
		ns_buf_hex(out, (e ? e : l)->v.u, 4);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 113}, /* LINKTYPE_LINUX_SLL */
    {NS_TAB_LINKTYPE, 276}, /* LINKTYPE_LINUX_SLL2 */
    {0, 0},
};

struct ns_dissector ns_diss_sll = {
    .name = "sll",
    .column = "SLL",
    .title = "Linux cooked capture",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
