/*
 * Ethernet II and IEEE 802.3 framing (LINKTYPE_ETHERNET).
 *
 * Destination, source, then a 16-bit field that is an EtherType when
 * >= 0x0600 and an 802.3 length when <= 1500 (IEEE 802.3 clause 3.2.6);
 * values in between are invalid.  An 802.3 length limits the payload.  The
 * FCS is not present in Linux captures and is not looked for.
 */
#include "core/dissect.h"

enum { F_DST, F_SRC, F_TYPE, F_LEN, F_ADDR, F_COUNT };

static struct ns_field fields[] = {
    [F_DST] = NS_F_ETHER("eth.dst", "Destination"),
    [F_SRC] = NS_F_ETHER("eth.src", "Source"),
    [F_TYPE] = NS_F_HEX("eth.type", "Type", 16),
    [F_LEN] = NS_F_UINT("eth.len", "Length", 16),
    [F_ADDR] = NS_F_ALIAS("eth.addr", "Source or Destination Address",
			  "eth.src", "eth.dst"),
};

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	const uint8_t *dst = ns_get_bytes(pkt, r, &fields[F_DST], 6);
	const uint8_t *src = ns_get_bytes(pkt, r, &fields[F_SRC], 6);
	uint32_t off = ns_rd_off(r);
	uint16_t type = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	ns_pkt_set_addrs(pkt, NS_ADDR_ETHER, src, dst);
	if (type >= 0x0600) {
		ns_add_uint(pkt, &fields[F_TYPE], off, 2, type);
		ns_next(pkt, NS_TAB_ETHERTYPE, type);
	} else if (type <= 1500) {
		ns_add_uint(pkt, &fields[F_LEN], off, 2, type);
		ns_rd_limit(r, type);
		ns_next(pkt, NS_TAB_LTYPE, 0x0004); /* ETH_P_802_2: 802.2 LLC */
	} else {
		return ns_malformed(pkt, "invalid length/type 0x%04x", type);
	}
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *t = ns_pkt_find(pkt, (int)li, &fields[F_TYPE]);
	const struct ns_fv *l = ns_pkt_find(pkt, (int)li, &fields[F_LEN]);
	if (t) {
		ns_buf_puts(out, "Ethernet II, type ");
		ns_buf_hex(out, t->v.u, 4);
	} else if (l) {
		ns_buf_puts(out, "IEEE 802.3, length ");
		ns_buf_u64(out, l->v.u);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 1},  /* DLT_EN10MB */
    {NS_TAB_IPPROTO, 143}, /* Ethernet in IPv6 (RFC 8986 segment routing) */
    {0, 0},
};

struct ns_dissector ns_diss_eth = {
    .name = "eth",
    .column = "ETH",
    .title = "Ethernet II",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
