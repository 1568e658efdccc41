/*
 * ARCNET (LINKTYPE_ARCNET_LINUX 129, LINKTYPE_ARCNET_BSD 7).
 *
 * One-byte source and destination station ids, then on Linux the 2-byte
 * offset field of the hardware frame, then the protocol id.  RFC 1051
 * protocols (0xf0 IP, 0xf1 ARP) follow at once.  RFC 1201 protocols
 * (section 3: 0xd4 IP, 0xd5 ARP, 0xd6 RARP, and the rest) carry a split
 * flag and a 16-bit sequence number first.  BSD captures may hold an RFC
 * 1201 exception frame (split flag 0xff): two pad bytes, the protocol id
 * again, and then the real split flag; Linux hands over reassembled
 * packets and never shows one.  Layout and field names follow Wireshark's
 * packet-arcnet.c, against which the tcpdump ARCNET captures were checked.
 */
#include "core/dissect.h"

enum {
	F_SRC,
	F_DST,
	F_OFFSET,
	F_PROTID,
	F_EXCEPTION,
	F_PADDING,
	F_SPLIT,
	F_SEQ,
	F_COUNT
};

static const struct ns_valstr protid_vals[] = {
    {0xc4, "IPv6"},
    {0xcd, "BACnet"},
    {0xd4, "RFC 1201 IP"},
    {0xd5, "RFC 1201 ARP"},
    {0xd6, "RFC 1201 RARP"},
    {0xdd, "Appletalk"},
    {0xe8, "Encapsulated Ethernet"},
    {0xf0, "RFC 1051 IP"},
    {0xf1, "RFC 1051 ARP"},
    {0xfa, "IPX"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_SRC] = NS_F_HEX("arcnet.src", "Source", 8),
    [F_DST] = NS_F_HEX("arcnet.dst", "Dest", 8),
    [F_OFFSET] = NS_F_BYTES("arcnet.offset", "Offset"),
    [F_PROTID] =
	NS_F_VALS("arcnet.protID", "Protocol ID", 8, NS_BASE_HEX, protid_vals),
    [F_EXCEPTION] = NS_F_HEX("arcnet.exception_flag", "Exception Flag", 8),
    [F_PADDING] = NS_F_HEX("arcnet.padding", "Padding", 16),
    [F_SPLIT] = NS_F_UINT("arcnet.split_flag", "Split Flag", 8),
    [F_SEQ] = NS_F_UINT("arcnet.sequence", "Sequence", 16),
};

#define LINKTYPE_ARCNET_LINUX 129

/* Protocol id to EtherType, or 0 for ids left as data. */
static uint16_t ethertype(uint8_t id)
{
	switch (id) {
	case 0xf0:
	case 0xd4:
		return 0x0800;
	case 0xf1:
	case 0xd5:
		return 0x0806;
	case 0xd6:
		return 0x8035;
	case 0xc4:
		return 0x86dd;
	default:
		return 0;
	}
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	int linux_hdr = pkt->linktype == LINKTYPE_ARCNET_LINUX;
	ns_get_u8(pkt, r, &fields[F_SRC]);
	ns_get_u8(pkt, r, &fields[F_DST]);
	if (linux_hdr)
		ns_get_bytes(pkt, r, &fields[F_OFFSET], 2);
	uint8_t id = ns_get_u8(pkt, r, &fields[F_PROTID]);
	if (r->err)
		return NS_ETRUNC;
	/* RFC 1051 ids, diagnose and BACnet have no fragmentation fields */
	if (id != 0xf0 && id != 0xf1 && id != 0x80 && id != 0xcd) {
		uint32_t off = ns_rd_off(r);
		uint8_t split = ns_rd_u8(r);
		if (r->err)
			return NS_ETRUNC;
		if (!linux_hdr && split == 0xff) {
			ns_add_uint(pkt, &fields[F_EXCEPTION], off, 1, split);
			ns_get_u16(pkt, r, &fields[F_PADDING]);
			ns_get_u8(pkt, r, &fields[F_PROTID]);
			off = ns_rd_off(r);
			split = ns_rd_u8(r);
			if (r->err)
				return NS_ETRUNC;
		}
		ns_add_uint(pkt, &fields[F_SPLIT], off, 1, split);
		ns_get_u16(pkt, r, &fields[F_SEQ]);
		if (r->err)
			return NS_ETRUNC;
	}
	uint16_t et = ethertype(id);
	if (et)
		ns_next(pkt, NS_TAB_ETHERTYPE, et);
	else if (id == 0xcd)
		ns_next(pkt, NS_TAB_LTYPE,
			0x0004); /* BACnet rides on 802.2 LLC */
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *s = ns_pkt_find(pkt, (int)li, &fields[F_SRC]);
	const struct ns_fv *d = ns_pkt_find(pkt, (int)li, &fields[F_DST]);
	const struct ns_fv *p = ns_pkt_find(pkt, (int)li, &fields[F_PROTID]);
	ns_buf_puts(out, "ARCNET");
	if (s && d) {
		ns_buf_putc(out, ' ');
		ns_buf_hex(out, s->v.u, 2);
		ns_buf_puts(out, " > ");
		ns_buf_hex(out, d->v.u, 2);
	}
	if (p) {
		const char *n = ns_valstr_find(protid_vals, p->v.u);
		ns_buf_puts(out, ", protocol ");
		ns_buf_puts(out, n ? n : "");
		if (!n)
			ns_buf_hex(out, p->v.u, 2);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 7},   /* DLT_ARCNET (BSD) */
    {NS_TAB_LINKTYPE, 129}, /* DLT_ARCNET_LINUX */
    {0, 0},
};

struct ns_dissector ns_diss_arcnet = {
    .name = "arcnet",
    .column = "ARCNET",
    .title = "ARCNET",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
