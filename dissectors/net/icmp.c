/*
 * ICMP for IPv4 (RFC 792, RFC 1122, RFC 4884 lengths not used).
 *
 * Echo, timestamp and address-mask messages are decoded; error messages
 * (unreachable, source quench, redirect, time exceeded, parameter problem)
 * carry the start of the offending datagram, which is dissected as a quoted
 * IPv4 packet: its layers are shown, but a short quote is not an error and
 * its addresses do not replace the packet's own.
 */
#include "core/dissect.h"

enum {
	F_TYPE,
	F_CODE,
	F_CHECKSUM,
	F_IDENT,
	F_SEQ,
	F_SEQ_LE,
	F_MTU,
	F_POINTER,
	F_GW,
	F_UNUSED,
	F_ORIG_TS,
	F_RECV_TS,
	F_XMIT_TS,
	F_MASK,
	F_DATA,
	F_COUNT
};

static const struct ns_valstr type_vals[] = {
    {0, "Echo (ping) reply"},
    {3, "Destination unreachable"},
    {4, "Source quench (flow control)"},
    {5, "Redirect"},
    {8, "Echo (ping) request"},
    {9, "Router advertisement"},
    {10, "Router solicitation"},
    {11, "Time-to-live exceeded"},
    {12, "Parameter problem"},
    {13, "Timestamp request"},
    {14, "Timestamp reply"},
    {15, "Information request"},
    {16, "Information reply"},
    {17, "Address mask request"},
    {18, "Address mask reply"},
    {0, NULL},
};

static const struct ns_valstr unreach_vals[] = {
    {0, "Network unreachable"},
    {1, "Host unreachable"},
    {2, "Protocol unreachable"},
    {3, "Port unreachable"},
    {4, "Fragmentation needed"},
    {5, "Source route failed"},
    {6, "Destination network unknown"},
    {7, "Destination host unknown"},
    {8, "Source host isolated"},
    {9, "Network administratively prohibited"},
    {10, "Host administratively prohibited"},
    {11, "Network unreachable for TOS"},
    {12, "Host unreachable for TOS"},
    {13, "Communication administratively filtered"},
    {14, "Host precedence violation"},
    {15, "Precedence cutoff in effect"},
    {0, NULL},
};

static const struct ns_valstr exceeded_vals[] = {
    {0, "Time to live exceeded in transit"},
    {1, "Fragment reassembly time exceeded"},
    {0, NULL},
};

static const struct ns_valstr redirect_vals[] = {
    {0, "Redirect for network"},
    {1, "Redirect for host"},
    {2, "Redirect for TOS and network"},
    {3, "Redirect for TOS and host"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_TYPE] = NS_F_VALS("icmp.type", "Type", 8, NS_BASE_DEC, type_vals),
    [F_CODE] = NS_F_UINT("icmp.code", "Code", 8),
    [F_CHECKSUM] = NS_F_HEX("icmp.checksum", "Checksum", 16),
    [F_IDENT] =
	NS_F_VALS("icmp.ident", "Identifier (BE)", 16, NS_BASE_DEC_HEX, NULL),
    [F_SEQ] = NS_F_UINT("icmp.seq", "Sequence Number (BE)", 16),
    [F_SEQ_LE] = NS_F_UINT("icmp.seq_le", "Sequence Number (LE)", 16),
    [F_MTU] = NS_F_UINT("icmp.mtu", "MTU of next hop", 16),
    [F_POINTER] = NS_F_UINT("icmp.pointer", "Pointer", 32),
    [F_GW] = NS_F_IPV4("icmp.redir_gw", "Gateway Address"),
    [F_UNUSED] = NS_F_BYTES("icmp.unused", "Unused"),
    [F_ORIG_TS] =
	NS_F_UINT("icmp.originate_timestamp", "Originate Timestamp", 32),
    [F_RECV_TS] = NS_F_UINT("icmp.receive_timestamp", "Receive Timestamp", 32),
    [F_XMIT_TS] =
	NS_F_UINT("icmp.transmit_timestamp", "Transmit Timestamp", 32),
    [F_MASK] = NS_F_IPV4("icmp.address_mask", "Address Mask"),
    [F_DATA] = NS_F_BYTES("icmp.data", "Data"),
};

static const struct ns_valstr *code_vals(unsigned type)
{
	switch (type) {
	case 3:
		return unreach_vals;
	case 5:
		return redirect_vals;
	case 11:
		return exceeded_vals;
	default:
		return NULL;
	}
}

/* Echo, timestamp, information and address-mask messages (RFC 792, RFC
 * 950): identifier, sequence number (also byte-swapped, as Wireshark
 * shows it) and the type's own fields.  0 or NS_ETRUNC. */
static int query(struct ns_packet *pkt, struct ns_reader *r, uint8_t type)
{
	ns_get_u16(pkt, r, &fields[F_IDENT]);
	uint32_t off = ns_rd_off(r);
	uint16_t seq = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_SEQ], off, 2, seq);
	ns_add_uint(pkt, &fields[F_SEQ_LE], off, 2,
		    (uint16_t)(seq >> 8 | seq << 8));
	if (type == 13 || type == 14) {
		ns_get_u32(pkt, r, &fields[F_ORIG_TS]);
		ns_get_u32(pkt, r, &fields[F_RECV_TS]);
		ns_get_u32(pkt, r, &fields[F_XMIT_TS]);
	} else if (type == 17 || type == 18) {
		ns_get_bytes(pkt, r, &fields[F_MASK], 4);
	}
	return 0;
}

/* An error message: its second word (gateway, pointer, next-hop MTU of
 * RFC 1191, or unused), then the quoted datagram.  0 or NS_ETRUNC. */
static int error_msg(struct ns_packet *pkt, struct ns_reader *r, uint8_t type,
		     uint8_t code)
{
	if (type == 5) {
		ns_get_bytes(pkt, r, &fields[F_GW], 4);
	} else if (type == 12) {
		uint32_t off = ns_rd_off(r);
		uint8_t ptr = ns_rd_u8(r);
		if (!r->err)
			ns_add_uint(pkt, &fields[F_POINTER], off, 1, ptr);
		ns_rd_skip(r, 3);
	} else if (type == 3 && code == 4) {
		ns_rd_skip(r, 2);
		ns_get_u16(pkt, r, &fields[F_MTU]);
	} else {
		ns_get_bytes(pkt, r, &fields[F_UNUSED], 4);
	}
	if (r->err)
		return NS_ETRUNC;
	if (ns_rd_left(r) > 0)
		ns_dissect_inner(pkt, r, NS_TAB_ETHERTYPE, 0x0800);
	return 0;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint8_t type = ns_get_u8(pkt, r, &fields[F_TYPE]);
	uint8_t code = ns_get_u8(pkt, r, &fields[F_CODE]);
	ns_get_u16(pkt, r, &fields[F_CHECKSUM]);
	if (r->err)
		return NS_ETRUNC;
	switch (type) {
	case 0:
	case 8:
	case 13:
	case 14:
	case 15:
	case 16:
	case 17:
	case 18:
		if (query(pkt, r, type))
			return NS_ETRUNC;
		break;
	case 3:
	case 4:
	case 5:
	case 11:
	case 12:
		return error_msg(pkt, r, type, code);
	default:
		break;
	}
	if (r->err)
		return NS_ETRUNC;
	size_t left = ns_rd_left(r);
	if (left)
		ns_get_bytes(pkt, r, &fields[F_DATA], (uint32_t)left);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *t = ns_pkt_find(pkt, (int)li, &fields[F_TYPE]);
	const struct ns_fv *c = ns_pkt_find(pkt, (int)li, &fields[F_CODE]);
	if (!t)
		return;
	const char *tn = ns_valstr_find(type_vals, t->v.u);
	if (tn) {
		ns_buf_puts(out, tn);
	} else {
		ns_buf_puts(out, "Type ");
		ns_buf_u64(out, t->v.u);
	}
	const char *cn =
	    c ? ns_valstr_find(code_vals((unsigned)t->v.u), c->v.u) : NULL;
	if (cn) {
		ns_buf_puts(out, " (");
		ns_buf_puts(out, cn);
		ns_buf_putc(out, ')');
	} else if (c && c->v.u) {
		ns_buf_puts(out, " code ");
		ns_buf_u64(out, c->v.u);
	}
	const struct ns_fv *id = ns_pkt_find(pkt, (int)li, &fields[F_IDENT]);
	const struct ns_fv *sq = ns_pkt_find(pkt, (int)li, &fields[F_SEQ]);
	const struct ns_fv *sl = ns_pkt_find(pkt, (int)li, &fields[F_SEQ_LE]);
	if (id && sq && sl) {
		ns_buf_puts(out, " id=");
		ns_buf_hex(out, id->v.u, 4);
		ns_buf_puts(out, ", seq=");
		ns_buf_u64(out, sq->v.u);
		ns_buf_putc(out, '/');
		ns_buf_u64(out, sl->v.u);
		/* looked up each time: no cache in a file-static (a
		 * binary search over the registry, for echo lines only) */
		const struct ns_field *ttl = ns_field_by_name("ip.ttl");
		const struct ns_fv *tv =
		    li ? ns_pkt_find(pkt, (int)li - 1, ttl) : NULL;
		if (tv) {
			ns_buf_puts(out, ", ttl=");
			ns_buf_u64(out, tv->v.u);
		}
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_IPPROTO, 1},
    {0, 0},
};

struct ns_dissector ns_diss_icmp = {
    .name = "icmp",
    .column = "ICMP",
    .title = "Internet Control Message Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
