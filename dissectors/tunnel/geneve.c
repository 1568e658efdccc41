/*
 * Geneve (RFC 8926), UDP port 6081.
 *
 * Eight fixed bytes — version (2 bits) and options length (6 bits, in
 * 4-byte words), flags (O: control packet, C: critical options), protocol
 * type (an EtherType), 24-bit VNI, a reserved byte — then the options and
 * the payload.  Options are TLVs (class 16, type 8, 3 reserved bits and a
 * 5-bit length in words, RFC 8926 §3.5); their walk is confined to the
 * options length and stops at an option that claims more than is left,
 * while the payload still starts where the options length says (as in
 * Wireshark).  The payload goes to the EtherType table, except 0x6558
 * (transparent Ethernet bridging), which goes to the Ethernet dissector by
 * its link type.  A version other than 0 is shown and not refused: RFC
 * 8926 §3.4 only says such packets are to be dropped by tunnel endpoints.
 */
#include "core/dissect.h"

#define ETYPE_TEB	  0x6558
#define LINKTYPE_ETHERNET 1

enum {
	F_VERSION,
	F_OPT_LEN, /* the header's options length and each option's length */
	F_FLAGS,
	F_FLAG_OAM,
	F_FLAG_CRIT,
	F_FLAG_RES,
	F_PROTO,
	F_VNI,
	F_RESERVED,
	F_OPTIONS,
	F_OPTION,
	F_OPT_CLASS,
	F_OPT_TYPE,
	F_OPT_TYPE_CRIT,
	F_OPT_FLAGS,
	F_OPT_FLAGS_RES,
	F_OPT_DATA,
	F_COUNT
};

static const struct ns_valstr proto_vals[] = {
    {0x0800, "IPv4"},
    {0x86dd, "IPv6"},
    {0x0806, "ARP"},
    {0x6558, "Transparent Ethernet bridging"},
    {0x8847, "MPLS label switched packet"},
    {0x894f, "Network Service Header"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_VERSION] = NS_F_UINT("geneve.version", "Version", 8),
    [F_OPT_LEN] = NS_F_UINT("geneve.option.length", "Length", 8),
    [F_FLAGS] = NS_F_HEX("geneve.flags", "Flags", 8),
    [F_FLAG_OAM] = NS_F_BOOL("geneve.flags.oam",
			     "Operations, Administration and Management Frame"),
    [F_FLAG_CRIT] =
	NS_F_BOOL("geneve.flags.critical", "Critical Options Present"),
    [F_FLAG_RES] = NS_F_BOOL("geneve.flags.reserved", "Reserved"),
    [F_PROTO] = NS_F_VALS("geneve.proto_type", "Protocol Type", 16, NS_BASE_HEX,
			  proto_vals),
    [F_VNI] = NS_F_HEX("geneve.vni", "Virtual Network Identifier (VNI)", 24),
    [F_RESERVED] = NS_F_HEX("geneve.reserved", "Reserved", 8),
    [F_OPTIONS] = NS_F_BYTES("geneve.options", "Geneve Options"),
    [F_OPTION] = NS_F_BYTES("geneve.option", "Option"),
    [F_OPT_CLASS] = NS_F_HEX("geneve.option.class", "Class", 16),
    [F_OPT_TYPE] = NS_F_HEX("geneve.option.type", "Type", 8),
    [F_OPT_TYPE_CRIT] =
	NS_F_BOOL("geneve.option.type.critical", "Critical Option"),
    [F_OPT_FLAGS] = NS_F_HEX("geneve.option.flags", "Flags", 8),
    [F_OPT_FLAGS_RES] = NS_F_BOOL("geneve.option.flags.reserved", "Reserved"),
    [F_OPT_DATA] =
	NS_F_BYTES("geneve.option.unknown.data", "Unknown Option Data"),
};

/* One option TLV at o, whose 4-byte header is read; `opt` is a copy of
 * o from before it, to record the whole option's bytes. */
static void option(struct ns_packet *pkt, struct ns_reader *o,
		   struct ns_reader *opt, uint16_t cls, uint8_t type,
		   uint8_t fl, size_t len)
{
	uint32_t off = ns_rd_off(opt);
	ns_get_bytes(pkt, opt, &fields[F_OPTION], (uint32_t)len);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_OPT_CLASS], off, 2, cls);
	ns_add_uint(pkt, &fields[F_OPT_TYPE], off + 2, 1, type);
	ns_add_uint(pkt, &fields[F_OPT_TYPE_CRIT], off + 2, 1, type >> 7);
	ns_add_uint(pkt, &fields[F_OPT_FLAGS], off + 3, 1, fl >> 5);
	ns_add_uint(pkt, &fields[F_OPT_FLAGS_RES], off + 3, 1,
		    (fl & 0xe0) != 0);
	ns_add_uint(pkt, &fields[F_OPT_LEN], off + 3, 1, len);
	if (len > 4)
		ns_get_bytes(pkt, o, &fields[F_OPT_DATA], (uint32_t)len - 4);
	ns_tree_pop(pkt);
}

/* The option TLVs in o (exactly the options length; both it and every
 * option length are multiples of 4, so nothing is left over). */
static void options(struct ns_packet *pkt, struct ns_reader *o)
{
	while (ns_rd_left(o) >= 4) {
		struct ns_reader opt = *o;
		size_t left = ns_rd_left(o);
		uint16_t cls = ns_rd_u16(o);
		uint8_t type = ns_rd_u8(o);
		uint8_t fl = ns_rd_u8(o);
		size_t len = 4 + (size_t)(fl & 0x1f) * 4;
		if (len > left) {
			ns_malformed(pkt,
				     "option length %zu past the end of "
				     "the options",
				     len);
			return;
		}
		option(pkt, o, &opt, cls, type, fl, len);
	}
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t off = ns_rd_off(r);
	uint8_t vo = ns_rd_u8(r);
	uint8_t flags = ns_rd_u8(r);
	if (r->err)
		return NS_ETRUNC;
	unsigned optlen = (vo & 0x3fu) * 4;
	ns_add_uint(pkt, &fields[F_VERSION], off, 1, vo >> 6);
	ns_add_uint(pkt, &fields[F_OPT_LEN], off, 1, optlen);
	ns_add_uint(pkt, &fields[F_FLAGS], off + 1, 1, flags);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_FLAG_OAM], off + 1, 1, flags >> 7);
	ns_add_uint(pkt, &fields[F_FLAG_CRIT], off + 1, 1, flags >> 6 & 1);
	ns_add_uint(pkt, &fields[F_FLAG_RES], off + 1, 1, (flags & 0x3f) != 0);
	ns_tree_pop(pkt);
	uint16_t proto = ns_get_u16(pkt, r, &fields[F_PROTO]);
	uint32_t voff = ns_rd_off(r);
	uint32_t vni = ns_rd_u24(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_VNI], voff, 3, vni);
	ns_get_u8(pkt, r, &fields[F_RESERVED]);
	if (r->err)
		return NS_ETRUNC;
	if (optlen) {
		struct ns_reader o = ns_rd_sub(r, optlen);
		if (r->err)
			return NS_ETRUNC;
		struct ns_reader all = o;
		ns_get_bytes(pkt, &all, &fields[F_OPTIONS], optlen);
		ns_tree_push(pkt);
		options(pkt, &o);
		ns_tree_pop(pkt);
	}
	if (proto == ETYPE_TEB)
		ns_next(pkt, NS_TAB_LINKTYPE, LINKTYPE_ETHERNET);
	else
		ns_next(pkt, NS_TAB_ETHERTYPE, proto);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *p = ns_pkt_find(pkt, (int)li, &fields[F_PROTO]);
	const struct ns_fv *v = ns_pkt_find(pkt, (int)li, &fields[F_VNI]);
	ns_buf_puts(out, "Geneve");
	if (v) {
		ns_buf_puts(out, " VNI ");
		ns_buf_u64(out, v->v.u);
	}
	if (p) {
		const char *name = ns_valstr_find(proto_vals, p->v.u);
		ns_buf_puts(out, ", encapsulated ");
		if (name)
			ns_buf_puts(out, name);
		else
			ns_buf_hex(out, p->v.u, 4);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_UDP_PORT, 6081},
    {0, 0},
};

struct ns_dissector ns_diss_geneve = {
    .name = "geneve",
    .column = "Geneve",
    .title = "Generic Network Virtualization Encapsulation",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
