/*
 * VXLAN (RFC 7348), UDP port 4789, with the Group Based Policy extension
 * (draft-smith-vxlan-group-policy) as Wireshark decodes it.
 *
 * Eight bytes: 16 bits of flags (I: the VNI is valid; G, D, A: group
 * policy), a 16-bit group policy ID (reserved without G), the 24-bit VNI
 * and a reserved byte; then a whole Ethernet frame, handed to the Ethernet
 * dissector by its link type.  Flags are not enforced: RFC 7348 §5 asks
 * receivers to ignore reserved bits, and a frame with I clear is still
 * shown.  VXLAN-GPE (port 4790) has a different header and is not decoded.
 */
#include "core/dissect.h"

#define LINKTYPE_ETHERNET 1

enum {
	F_FLAGS,
	F_FLAG_G,
	F_FLAG_I,
	F_FLAG_D,
	F_FLAG_A,
	F_FLAGS_RES,
	F_GBP,
	F_VNI,
	F_RES8,
	F_COUNT
};

static struct ns_field fields[] = {
    [F_FLAGS] = NS_F_HEX("vxlan.flags", "Flags", 16),
    [F_FLAG_G] = NS_F_BOOL("vxlan.flag_g", "GBP Extension"),
    [F_FLAG_I] = NS_F_BOOL("vxlan.flag_i", "VXLAN Network ID (VNI)"),
    [F_FLAG_D] = NS_F_BOOL("vxlan.flag_d", "Don't Learn"),
    [F_FLAG_A] = NS_F_BOOL("vxlan.flag_a", "Policy Applied"),
    [F_FLAGS_RES] = NS_F_HEX("vxlan.flags_reserved", "Reserved(R)", 16),
    [F_GBP] = NS_F_UINT("vxlan.gbp", "Group Policy ID", 16),
    [F_VNI] = NS_F_UINT("vxlan.vni", "VXLAN Network Identifier (VNI)", 24),
    [F_RES8] = NS_F_UINT("vxlan.reserved8", "Reserved", 8),
};

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t off = ns_rd_off(r);
	uint16_t flags = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_FLAGS], off, 2, flags);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_FLAG_G], off, 2, flags >> 15 & 1);
	ns_add_uint(pkt, &fields[F_FLAG_I], off, 2, flags >> 11 & 1);
	ns_add_uint(pkt, &fields[F_FLAG_D], off, 2, flags >> 6 & 1);
	ns_add_uint(pkt, &fields[F_FLAG_A], off, 2, flags >> 3 & 1);
	ns_add_uint(pkt, &fields[F_FLAGS_RES], off, 2, flags & 0x77b7);
	ns_tree_pop(pkt);
	ns_get_u16(pkt, r, &fields[F_GBP]);
	uint32_t voff = ns_rd_off(r);
	uint32_t vni = ns_rd_u24(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_VNI], voff, 3, vni);
	ns_get_u8(pkt, r, &fields[F_RES8]);
	if (r->err)
		return NS_ETRUNC;
	ns_next(pkt, NS_TAB_LINKTYPE, LINKTYPE_ETHERNET);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *v = ns_pkt_find(pkt, (int)li, &fields[F_VNI]);
	ns_buf_puts(out, "VXLAN");
	if (v) {
		ns_buf_puts(out, " VNI ");
		ns_buf_u64(out, v->v.u);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_UDP_PORT, 4789},
    {0, 0},
};

struct ns_dissector ns_diss_vxlan = {
    .name = "vxlan",
    .column = "VXLAN",
    .title = "Virtual eXtensible Local Area Network",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
