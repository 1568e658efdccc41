/*
 * ICMPv6 (RFC 4443) with Neighbor Discovery (RFC 4861) and MLD (RFC 2710,
 * RFC 3810) message headers.
 *
 * Error messages quote the offending IPv6 packet, dissected as quoted layers
 * (see icmp.c).  Neighbor Discovery options are type/length TLVs in units of
 * 8 bytes; a zero length is invalid (§4.6) and ends the walk as malformed,
 * since it would otherwise loop forever.
 */
#include "core/dissect.h"

enum {
	F_TYPE,
	F_CODE,
	F_CHECKSUM,
	F_RESERVED,
	F_MTU,
	F_POINTER,
	F_ECHO_ID,
	F_ECHO_SEQ,
	F_RA_HOPLIM,
	F_RA_FLAGS,
	F_RA_LIFETIME,
	F_RA_REACHABLE,
	F_RA_RETRANS,
	F_NS_TARGET,
	F_NA_FLAGS,
	F_NA_R,
	F_NA_S,
	F_NA_O,
	F_NA_TARGET,
	F_RD_TARGET,
	F_RD_DST,
	F_MLD_MRD,
	F_MLD_MADDR,
	F_MLDR_NRECS,
	F_OPT,
	F_OPT_TYPE,
	F_OPT_LEN,
	F_OPT_SRC_LL,
	F_OPT_TGT_LL,
	F_OPT_PREFIX_LEN,
	F_OPT_PREFIX,
	F_OPT_MTU,
	F_DATA,
	F_COUNT
};

static const struct ns_valstr type_vals[] = {
    {1, "Destination Unreachable"},
    {2, "Packet Too Big"},
    {3, "Time Exceeded"},
    {4, "Parameter Problem"},
    {128, "Echo (ping) request"},
    {129, "Echo (ping) reply"},
    {130, "Multicast Listener Query"},
    {131, "Multicast Listener Report"},
    {132, "Multicast Listener Done"},
    {133, "Router Solicitation"},
    {134, "Router Advertisement"},
    {135, "Neighbor Solicitation"},
    {136, "Neighbor Advertisement"},
    {137, "Redirect"},
    {143, "Multicast Listener Report Message v2"},
    {0, NULL},
};

static const struct ns_valstr unreach_vals[] = {
    {0, "no route to destination"},
    {1, "communication with destination administratively prohibited"},
    {2, "beyond scope of source address"},
    {3, "address unreachable"},
    {4, "port unreachable"},
    {5, "source address failed ingress/egress policy"},
    {6, "reject route to destination"},
    {0, NULL},
};

static const struct ns_valstr exceeded_vals[] = {
    {0, "hop limit exceeded in transit"},
    {1, "fragment reassembly time exceeded"},
    {0, NULL},
};

static const struct ns_valstr opt_vals[] = {
    {1, "Source link-layer address"},
    {2, "Target link-layer address"},
    {3, "Prefix information"},
    {4, "Redirected header"},
    {5, "MTU"},
    {25, "Recursive DNS Server"},
    {31, "DNS Search List"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_TYPE] = NS_F_VALS("icmpv6.type", "Type", 8, NS_BASE_DEC, type_vals),
    [F_CODE] = NS_F_UINT("icmpv6.code", "Code", 8),
    [F_CHECKSUM] = NS_F_HEX("icmpv6.checksum", "Checksum", 16),
    [F_RESERVED] = NS_F_BYTES("icmpv6.reserved", "Reserved"),
    [F_MTU] = NS_F_UINT("icmpv6.mtu", "MTU", 32),
    [F_POINTER] = NS_F_UINT("icmpv6.pointer", "Pointer", 32),
    [F_ECHO_ID] = NS_F_HEX("icmpv6.echo.identifier", "Identifier", 16),
    [F_ECHO_SEQ] = NS_F_UINT("icmpv6.echo.sequence_number", "Sequence", 16),
    [F_RA_HOPLIM] = NS_F_UINT("icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", 8),
    [F_RA_FLAGS] = NS_F_HEX("icmpv6.nd.ra.flag", "Flags", 8),
    [F_RA_LIFETIME] =
	NS_F_UINT("icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", 16),
    [F_RA_REACHABLE] =
	NS_F_UINT("icmpv6.nd.ra.reachable_time", "Reachable time (ms)", 32),
    [F_RA_RETRANS] =
	NS_F_UINT("icmpv6.nd.ra.retrans_timer", "Retrans timer (ms)", 32),
    [F_NS_TARGET] = NS_F_IPV6("icmpv6.nd.ns.target_address", "Target Address"),
    [F_NA_FLAGS] = NS_F_HEX("icmpv6.nd.na.flag", "Flags", 32),
    [F_NA_R] = NS_F_BOOL("icmpv6.nd.na.flag.r", "Router"),
    [F_NA_S] = NS_F_BOOL("icmpv6.nd.na.flag.s", "Solicited"),
    [F_NA_O] = NS_F_BOOL("icmpv6.nd.na.flag.o", "Override"),
    [F_NA_TARGET] = NS_F_IPV6("icmpv6.nd.na.target_address", "Target Address"),
    [F_RD_TARGET] = NS_F_IPV6("icmpv6.nd.rd.target_address", "Target Address"),
    [F_RD_DST] =
	NS_F_IPV6("icmpv6.nd.rd.destination_address", "Destination Address"),
    [F_MLD_MRD] = NS_F_UINT("icmpv6.mld.maximum_response_delay",
			    "Maximum Response Delay [ms]", 16),
    [F_MLD_MADDR] =
	NS_F_IPV6("icmpv6.mld.multicast_address", "Multicast Address"),
    [F_MLDR_NRECS] = NS_F_UINT("icmpv6.mldr.nb_mcast_records",
			       "Number of Multicast Address Records", 16),
    [F_OPT] = NS_F_NONE("icmpv6.opt", "ICMPv6 Option"),
    [F_OPT_TYPE] =
	NS_F_VALS("icmpv6.opt.type", "Type", 8, NS_BASE_DEC, opt_vals),
    [F_OPT_LEN] = NS_F_UINT("icmpv6.opt.length", "Length", 8),
    [F_OPT_SRC_LL] =
	NS_F_BYTES("icmpv6.opt.src_linkaddr", "Source Link-layer address"),
    [F_OPT_TGT_LL] =
	NS_F_BYTES("icmpv6.opt.target_linkaddr", "Target Link-layer address"),
    [F_OPT_PREFIX_LEN] =
	NS_F_UINT("icmpv6.opt.prefix.length", "Prefix Length", 8),
    [F_OPT_PREFIX] = NS_F_IPV6("icmpv6.opt.prefix", "Prefix"),
    [F_OPT_MTU] = NS_F_UINT("icmpv6.opt.mtu", "MTU", 32),
    [F_DATA] = NS_F_BYTES("icmpv6.data", "Data"),
};

static const struct ns_valstr *code_vals(unsigned type)
{
	switch (type) {
	case 1:
		return unreach_vals;
	case 3:
		return exceeded_vals;
	default:
		return NULL;
	}
}

/* The value of one Neighbor Discovery option, o its bytes after the type
 * and length; len the option's length in bytes. */
static void nd_option_value(struct ns_packet *pkt, struct ns_reader *o,
			    uint8_t type, uint32_t len)
{
	switch (type) {
	case 1:
	case 2: {
		/* the address fills the option up to padding; Ethernet's is
		 * 6 bytes */
		uint32_t n = len - 2 == 6 ? 6 : len - 2;
		ns_get_bytes(pkt, o,
			     &fields[type == 1 ? F_OPT_SRC_LL : F_OPT_TGT_LL],
			     n);
		break;
	}
	case 3:
		ns_get_u8(pkt, o, &fields[F_OPT_PREFIX_LEN]);
		ns_rd_skip(o, 1 + 4 + 4 + 4);
		ns_get_bytes(pkt, o, &fields[F_OPT_PREFIX], 16);
		break;
	case 5:
		ns_rd_skip(o, 2);
		ns_get_u32(pkt, o, &fields[F_OPT_MTU]);
		break;
	default:
		break;
	}
}

static void nd_options(struct ns_packet *pkt, struct ns_reader *r)
{
	while (ns_rd_left(r) > 0) {
		uint32_t off = ns_rd_off(r);
		uint8_t type = ns_rd_u8(r);
		uint8_t len8 = ns_rd_u8(r);
		if (r->err)
			return;
		uint32_t len = len8 * 8u;
		if (len == 0) {
			ns_malformed(pkt, "option %u has bad length 0", type);
			return;
		}
		if (len - 2 > ns_rd_left(r)) {
			if (pkt->caplen < pkt->len)
				ns_rd_fail(r); /* cut by the snaplen */
			else
				ns_malformed(pkt, "option %u has bad length %u",
					     type, len8);
			return;
		}
		struct ns_reader o = ns_rd_sub(r, len - 2);
		ns_add_label(pkt, &fields[F_OPT], off, len);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_OPT_TYPE], off, 1, type);
		ns_add_uint(pkt, &fields[F_OPT_LEN], off + 1, 1, len8);
		nd_option_value(pkt, &o, type, len);
		ns_tree_pop(pkt);
	}
}

/* An error message: its second word, then the quoted packet.  0 or
 * NS_ETRUNC. */
static int error_msg(struct ns_packet *pkt, struct ns_reader *r, uint8_t type)
{
	if (type == 2)
		ns_get_u32(pkt, r, &fields[F_MTU]);
	else if (type == 4)
		ns_get_u32(pkt, r, &fields[F_POINTER]);
	else
		ns_get_bytes(pkt, r, &fields[F_RESERVED], 4);
	if (r->err)
		return NS_ETRUNC;
	if (ns_rd_left(r) > 0)
		ns_dissect_inner(pkt, r, NS_TAB_ETHERTYPE, 0x86dd);
	return 0;
}

/* A Neighbor Advertisement's flags word and its R, S and O bits. */
static void na_flags(struct ns_packet *pkt, struct ns_reader *r)
{
	uint32_t off = ns_rd_off(r);
	uint32_t fl = ns_get_u32(pkt, r, &fields[F_NA_FLAGS]);
	if (r->err)
		return;
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_NA_R], off, 1, fl >> 31);
	ns_add_uint(pkt, &fields[F_NA_S], off, 1, fl >> 30 & 1);
	ns_add_uint(pkt, &fields[F_NA_O], off, 1, fl >> 29 & 1);
	ns_tree_pop(pkt);
}

/* Neighbor Discovery messages (RFC 4861 §4): router solicitation and
 * advertisement, neighbor solicitation and advertisement, redirect. */
static void nd_message(struct ns_packet *pkt, struct ns_reader *r, uint8_t type)
{
	switch (type) {
	case 133:
		ns_get_bytes(pkt, r, &fields[F_RESERVED], 4);
		nd_options(pkt, r);
		return;
	case 134:
		ns_get_u8(pkt, r, &fields[F_RA_HOPLIM]);
		ns_get_u8(pkt, r, &fields[F_RA_FLAGS]);
		ns_get_u16(pkt, r, &fields[F_RA_LIFETIME]);
		ns_get_u32(pkt, r, &fields[F_RA_REACHABLE]);
		ns_get_u32(pkt, r, &fields[F_RA_RETRANS]);
		break;
	case 135:
		ns_get_bytes(pkt, r, &fields[F_RESERVED], 4);
		ns_get_bytes(pkt, r, &fields[F_NS_TARGET], 16);
		break;
	case 136:
		na_flags(pkt, r);
		ns_get_bytes(pkt, r, &fields[F_NA_TARGET], 16);
		break;
	case 137:
		ns_get_bytes(pkt, r, &fields[F_RESERVED], 4);
		ns_get_bytes(pkt, r, &fields[F_RD_TARGET], 16);
		ns_get_bytes(pkt, r, &fields[F_RD_DST], 16);
		break;
	default:
		return;
	}
	if (!r->err)
		nd_options(pkt, r);
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint8_t type = ns_get_u8(pkt, r, &fields[F_TYPE]);
	ns_get_u8(pkt, r, &fields[F_CODE]);
	ns_get_u16(pkt, r, &fields[F_CHECKSUM]);
	if (r->err)
		return NS_ETRUNC;
	switch (type) {
	case 1:
	case 2:
	case 3:
	case 4:
		return error_msg(pkt, r, type);
	case 128:
	case 129:
		ns_get_u16(pkt, r, &fields[F_ECHO_ID]);
		ns_get_u16(pkt, r, &fields[F_ECHO_SEQ]);
		break;
	case 130:
	case 131:
	case 132:
		ns_get_u16(pkt, r, &fields[F_MLD_MRD]);
		ns_rd_skip(r, 2);
		ns_get_bytes(pkt, r, &fields[F_MLD_MADDR], 16);
		break;
	case 143:
		ns_rd_skip(r, 2);
		ns_get_u16(pkt, r, &fields[F_MLDR_NRECS]);
		break;
	default:
		nd_message(pkt, r, type);
		break;
	}
	if (r->err)
		return NS_ETRUNC;
	size_t left = ns_rd_left(r);
	if (left)
		ns_get_bytes(pkt, r, &fields[F_DATA], (uint32_t)left);
	return 0;
}

static void put_ll(struct ns_buf *out, const struct ns_fv *ll)
{
	if (ll->v.b.n == 6)
		ns_buf_mac(out, ll->v.b.p);
	else
		ns_buf_hexbytes(out, ll->v.b.p, ll->v.b.n, ':');
}

/* " id=…, seq=…, hop limit=…" of an echo request or reply. */
static void info_echo(const struct ns_packet *pkt, unsigned li,
		      struct ns_buf *out)
{
	const struct ns_fv *id = ns_pkt_find(pkt, (int)li, &fields[F_ECHO_ID]);
	const struct ns_fv *sq = ns_pkt_find(pkt, (int)li, &fields[F_ECHO_SEQ]);
	if (id && sq) {
		ns_buf_puts(out, " id=");
		ns_buf_hex(out, id->v.u, 4);
		ns_buf_puts(out, ", seq=");
		ns_buf_u64(out, sq->v.u);
	}
	/* looked up each time: no cache in a file-static (a binary search
	 * over the registry, for echo lines only) */
	const struct ns_field *hlim = ns_field_by_name("ipv6.hlim");
	const struct ns_fv *h = li ? ns_pkt_find(pkt, (int)li - 1, hlim) : NULL;
	if (h) {
		ns_buf_puts(out, ", hop limit=");
		ns_buf_u64(out, h->v.u);
	}
}

/* A Neighbor Advertisement: " target (rtr, sol, ovr) is at ll". */
static void info_na(const struct ns_packet *pkt, unsigned li,
		    const struct ns_fv *tgt_ll, struct ns_buf *out)
{
	const struct ns_fv *tg =
	    ns_pkt_find(pkt, (int)li, &fields[F_NA_TARGET]);
	const struct ns_fv *fl = ns_pkt_find(pkt, (int)li, &fields[F_NA_FLAGS]);
	if (tg) {
		ns_buf_putc(out, ' ');
		ns_buf_ipv6(out, tg->v.b.p);
	}
	if (fl && fl->v.u >> 29) {
		static const char *const names[3] = {"ovr", "sol", "rtr"};
		const char *sep = " (";
		for (int b = 2; b >= 0; b--) {
			if (!(fl->v.u >> (29 + b) & 1))
				continue;
			ns_buf_puts(out, sep);
			ns_buf_puts(out, names[b]);
			sep = ", ";
		}
		ns_buf_putc(out, ')');
	}
	if (tgt_ll) {
		ns_buf_puts(out, " is at ");
		put_ll(out, tgt_ll);
	}
}

/* The type's name, or "Type N", and the code's name where it has one. */
static void info_type(const struct ns_fv *t, const struct ns_fv *c,
		      struct ns_buf *out)
{
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
	}
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *t = ns_pkt_find(pkt, (int)li, &fields[F_TYPE]);
	const struct ns_fv *c = ns_pkt_find(pkt, (int)li, &fields[F_CODE]);
	if (!t)
		return;
	info_type(t, c, out);
	const struct ns_fv *src_ll =
	    ns_pkt_find(pkt, (int)li, &fields[F_OPT_SRC_LL]);
	const struct ns_fv *tgt_ll =
	    ns_pkt_find(pkt, (int)li, &fields[F_OPT_TGT_LL]);
	switch (t->v.u) {
	case 128:
	case 129:
		info_echo(pkt, li, out);
		break;
	case 135: {
		const struct ns_fv *tg =
		    ns_pkt_find(pkt, (int)li, &fields[F_NS_TARGET]);
		if (tg) {
			ns_buf_puts(out, " for ");
			ns_buf_ipv6(out, tg->v.b.p);
		}
		if (src_ll) {
			ns_buf_puts(out, " from ");
			put_ll(out, src_ll);
		}
		break;
	}
	case 136:
		info_na(pkt, li, tgt_ll, out);
		break;
	case 133:
	case 134:
		if (src_ll) {
			ns_buf_puts(out, " from ");
			put_ll(out, src_ll);
		}
		break;
	default:
		break;
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_IPPROTO, 58},
    {0, 0},
};

struct ns_dissector ns_diss_icmpv6 = {
    .name = "icmpv6",
    .column = "ICMPv6",
    .title = "Internet Control Message Protocol v6",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
