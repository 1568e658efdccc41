/*
 * IEEE 802.1Q VLAN tags (EtherType 0x8100, and 0x9100 as used by older
 * QinQ gear) and IEEE 802.1ad service tags (0x88a8).
 *
 * A tag is TCI (priority 3 bits, DEI 1, VLAN ID 12) and the inner EtherType
 * or 802.3 length.  Stacked tags are simply successive layers.  Wireshark
 * names 802.1ad fields ieee8021ad.*, so the service tag is its own
 * descriptor with the same parser.
 */
#include "core/dissect.h"

enum { F_PRI, F_DEI, F_ID, F_ETYPE, F_LEN, F_COUNT };

static struct ns_field q_fields[] = {
    [F_PRI] = NS_F_UINT("vlan.priority", "Priority", 16),
    [F_DEI] = NS_F_BOOL("vlan.dei", "DEI"),
    [F_ID] = NS_F_UINT("vlan.id", "ID", 16),
    [F_ETYPE] = NS_F_HEX("vlan.etype", "Type", 16),
    [F_LEN] = NS_F_UINT("vlan.len", "Length", 16),
};

static struct ns_field ad_fields[] = {
    [F_PRI] = NS_F_UINT("ieee8021ad.priority", "Priority", 16),
    [F_DEI] = NS_F_UINT("ieee8021ad.dei", "DEI", 16),
    [F_ID] = NS_F_UINT("ieee8021ad.id", "ID", 16),
    [F_ETYPE] = NS_F_HEX("ieee8021ad.etype", "Type", 16),
    [F_LEN] = NS_F_UINT("ieee8021ad.len", "Length", 16),
};

static int dissect_tag(struct ns_packet *pkt, struct ns_reader *r,
		       const struct ns_field *f)
{
	uint32_t off = ns_rd_off(r);
	uint16_t tci = ns_rd_u16(r);
	uint16_t type = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &f[F_PRI], off, 2, tci >> 13);
	ns_add_uint(pkt, &f[F_DEI], off, 2, (tci >> 12) & 1);
	ns_add_uint(pkt, &f[F_ID], off, 2, tci & 0x0fff);
	if (type >= 0x0600) {
		ns_add_uint(pkt, &f[F_ETYPE], off + 2, 2, type);
		ns_next(pkt, NS_TAB_ETHERTYPE, type);
	} else if (type <= 1500) {
		ns_add_uint(pkt, &f[F_LEN], off + 2, 2, type);
		ns_rd_limit(r, type);
	} else {
		return ns_malformed(pkt, "invalid length/type 0x%04x", type);
	}
	return 0;
}

static int dissect_q(struct ns_packet *pkt, struct ns_reader *r,
		     const struct ns_dctx *cx)
{
	return dissect_tag(pkt, r, q_fields);
}

static int dissect_ad(struct ns_packet *pkt, struct ns_reader *r,
		      const struct ns_dctx *cx)
{
	return dissect_tag(pkt, r, ad_fields);
}

static void tag_info(const struct ns_packet *pkt, unsigned li,
		     struct ns_buf *out, const struct ns_field *f,
		     const char *what)
{
	const struct ns_fv *id = ns_pkt_find(pkt, (int)li, &f[F_ID]);
	const struct ns_fv *pri = ns_pkt_find(pkt, (int)li, &f[F_PRI]);
	const struct ns_fv *t = ns_pkt_find(pkt, (int)li, &f[F_ETYPE]);
	ns_buf_puts(out, what);
	if (id && pri) {
		ns_buf_puts(out, ", PRI: ");
		ns_buf_u64(out, pri->v.u);
		ns_buf_puts(out, ", ID: ");
		ns_buf_u64(out, id->v.u);
	}
	if (t) {
		ns_buf_puts(out, ", type ");
		ns_buf_hex(out, t->v.u, 4);
	}
}

static void info_q(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	tag_info(pkt, li, out, q_fields, "802.1Q Virtual LAN");
}

static void info_ad(const struct ns_packet *pkt, unsigned li,
		    struct ns_buf *out)
{
	tag_info(pkt, li, out, ad_fields, "802.1ad Service VLAN");
}

static const struct ns_binding q_bindings[] = {
    {NS_TAB_ETHERTYPE, 0x8100},
    {NS_TAB_ETHERTYPE, 0x9100},
    {0, 0},
};

static const struct ns_binding ad_bindings[] = {
    {NS_TAB_ETHERTYPE, 0x88a8},
    {0, 0},
};

struct ns_dissector ns_diss_vlan = {
    .name = "vlan",
    .column = "802.1Q",
    .title = "802.1Q Virtual LAN",
    .fields = q_fields,
    .nfields = F_COUNT,
    .dissect = dissect_q,
    .info = info_q,
    .bindings = q_bindings,
};

struct ns_dissector ns_diss_ieee8021ad = {
    .name = "ieee8021ad",
    .column = "802.1ad",
    .title = "IEEE 802.1ad Service VLAN",
    .fields = ad_fields,
    .nfields = F_COUNT,
    .dissect = dissect_ad,
    .info = info_ad,
    .bindings = ad_bindings,
};
