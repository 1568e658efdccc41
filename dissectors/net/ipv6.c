/*
 * IPv6 (RFC 8200) and its extension-header chain.
 *
 * The fixed header is 40 bytes; the payload is limited to the payload
 * length.  The extension headers (hop-by-hop, routing, fragment,
 * destination options, AH, mobility, HIP, shim6: RFC 8200 §4, RFC 4302 for
 * AH's different length unit) are walked inside this layer, each length
 * checked against what remains, until an upper-layer protocol is reached.
 * Hop-by-hop and destination options are walked as TLVs (§4.2).  A
 * fragment header (§4.5) other than an atomic one (offset 0, M clear: RFC
 * 6946) ends the walk: what follows it is the fragmentable part, which is
 * reassembled (src/proto/ipdefrag.h, keyed by source, destination and
 * identification) and handed to the next header the fragment header names
 * on the packet that completes the datagram.  Without an engine or inside
 * an ICMPv6 quote, the first fragment goes on to the transport, flagged,
 * and a later one ends dissection.  Payload length 0 with a hop-by-hop
 * header is a jumbogram (RFC 2675).
 */
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "core/names.h"
#include "proto/ipdefrag.h"

enum {
	F_VERSION,
	F_TCLASS,
	F_DSCP,
	F_ECN,
	F_FLOW,
	F_PLEN,
	F_NXT,
	F_HLIM,
	F_SRC,
	F_DST,
	F_HOP_NXT,
	F_HOP_LEN,
	F_RT_NXT,
	F_RT_LEN,
	F_RT_TYPE,
	F_RT_SEGLEFT,
	F_FRAG_NXT,
	F_FRAG_OFFSET,
	F_FRAG_MORE,
	F_FRAG_IDENT,
	F_DST_NXT,
	F_DST_LEN,
	F_EXT_NXT,
	F_EXT_LEN,
	F_OPT,
	F_OPT_TYPE,
	F_OPT_LEN,
	F_HOPOPTS,
	F_ROUTING,
	F_FRAGHDR,
	F_DSTOPTS,
	F_EXTHDR,
	F_ADDR,
	F_FRAGMENTS,
	F_FRAGMENT,
	F_FRAG_OVERLAP,
	F_FRAG_CONFLICT,
	F_FRAG_MULTITAILS,
	F_FRAG_TOOLONG,
	F_FRAG_COUNT,
	F_REASM_LEN,
	F_REASM_DATA,
	F_REASM_IN,
	F_COUNT
};

static struct ns_field fields[] = {
    [F_VERSION] = NS_F_UINT("ipv6.version", "Version", 8),
    [F_TCLASS] = NS_F_HEX("ipv6.tclass", "Traffic Class", 32),
    [F_DSCP] =
	NS_F_UINT("ipv6.tclass.dscp", "Differentiated Services Codepoint", 8),
    [F_ECN] =
	NS_F_UINT("ipv6.tclass.ecn", "Explicit Congestion Notification", 8),
    [F_FLOW] = NS_F_HEX("ipv6.flow", "Flow Label", 24),
    [F_PLEN] = NS_F_UINT("ipv6.plen", "Payload Length", 16),
    [F_NXT] =
	NS_F_VALS("ipv6.nxt", "Next Header", 8, NS_BASE_DEC, ns_ipproto_vals),
    [F_HLIM] = NS_F_UINT("ipv6.hlim", "Hop Limit", 8),
    [F_SRC] = NS_F_IPV6("ipv6.src", "Source Address"),
    [F_DST] = NS_F_IPV6("ipv6.dst", "Destination Address"),
    [F_HOP_NXT] = NS_F_VALS("ipv6.hopopts.nxt", "Next Header", 8, NS_BASE_DEC,
			    ns_ipproto_vals),
    [F_HOP_LEN] = NS_F_UINT("ipv6.hopopts.len", "Length", 8),
    [F_RT_NXT] = NS_F_VALS("ipv6.routing.nxt", "Next Header", 8, NS_BASE_DEC,
			   ns_ipproto_vals),
    [F_RT_LEN] = NS_F_UINT("ipv6.routing.len", "Length", 8),
    [F_RT_TYPE] = NS_F_UINT("ipv6.routing.type", "Type", 8),
    [F_RT_SEGLEFT] = NS_F_UINT("ipv6.routing.segleft", "Segments Left", 8),
    [F_FRAG_NXT] = NS_F_VALS("ipv6.fraghdr.nxt", "Next header", 8, NS_BASE_DEC,
			     ns_ipproto_vals),
    [F_FRAG_OFFSET] = NS_F_UINT("ipv6.fraghdr.offset", "Offset", 16),
    [F_FRAG_MORE] = NS_F_BOOL("ipv6.fraghdr.more", "More Fragments"),
    [F_FRAG_IDENT] = NS_F_HEX("ipv6.fraghdr.ident", "Identification", 32),
    [F_DST_NXT] = NS_F_VALS("ipv6.dstopts.nxt", "Next Header", 8, NS_BASE_DEC,
			    ns_ipproto_vals),
    [F_DST_LEN] = NS_F_UINT("ipv6.dstopts.len", "Length", 8),
    [F_EXT_NXT] = NS_F_VALS("ipv6.ext.nxt", "Next Header", 8, NS_BASE_DEC,
			    ns_ipproto_vals),
    [F_EXT_LEN] = NS_F_UINT("ipv6.ext.len", "Length", 8),
    [F_OPT] = NS_F_NONE("ipv6.opt", "IPv6 Option"),
    [F_OPT_TYPE] = NS_F_UINT("ipv6.opt.type", "Type", 8),
    [F_OPT_LEN] = NS_F_UINT("ipv6.opt.length", "Length", 8),
    [F_HOPOPTS] = NS_F_NONE("ipv6.hopopts", "Hop-by-Hop Options"),
    [F_ROUTING] = NS_F_NONE("ipv6.routing", "Routing Header"),
    [F_FRAGHDR] = NS_F_NONE("ipv6.fraghdr", "Fragment Header"),
    [F_DSTOPTS] = NS_F_NONE("ipv6.dstopts", "Destination Options"),
    [F_EXTHDR] = NS_F_NONE("ipv6.ext", "Extension Header"),
    [F_ADDR] = NS_F_ALIAS("ipv6.addr", "Source or Destination Address",
			  "ipv6.src", "ipv6.dst"),
    /* reassembly (Wireshark's names) */
    [F_FRAGMENTS] = NS_F_NONE("ipv6.fragments", "IPv6 Fragments"),
    [F_FRAGMENT] = NS_F_UINT("ipv6.fragment", "IPv6 Fragment", 32),
    [F_FRAG_OVERLAP] = NS_F_BOOL("ipv6.fragment.overlap", "Fragment overlap"),
    [F_FRAG_CONFLICT] = NS_F_BOOL("ipv6.fragment.overlap.conflict",
				  "Conflicting data in fragment overlap"),
    [F_FRAG_MULTITAILS] = NS_F_BOOL("ipv6.fragment.multipletails",
				    "Multiple tail fragments found"),
    [F_FRAG_TOOLONG] =
	NS_F_BOOL("ipv6.fragment.toolongfragment", "Fragment too long"),
    [F_FRAG_COUNT] = NS_F_UINT("ipv6.fragment.count", "Fragment count", 32),
    [F_REASM_LEN] =
	NS_F_UINT("ipv6.reassembled.length", "Reassembled IPv6 length", 32),
    [F_REASM_DATA] =
	NS_F_BYTES("ipv6.reassembled.data", "Reassembled IPv6 data"),
    [F_REASM_IN] =
	NS_F_UINT("ipv6.reassembled.in", "Reassembled IPv6 in frame", 32),
};

static const struct ns_ipdefrag_fields defrag_fields = {
    .fragments = &fields[F_FRAGMENTS],
    .fragment = &fields[F_FRAGMENT],
    .overlap = &fields[F_FRAG_OVERLAP],
    .conflict = &fields[F_FRAG_CONFLICT],
    .multipletails = &fields[F_FRAG_MULTITAILS],
    .toolong = &fields[F_FRAG_TOOLONG],
    .count = &fields[F_FRAG_COUNT],
    .length = &fields[F_REASM_LEN],
    .data = &fields[F_REASM_DATA],
    .reassembled_in = &fields[F_REASM_IN],
};

/* A fragment header's content (not an atomic fragment's). */
struct frag {
	uint8_t seen, more, nxt;
	uint32_t off; /* bytes */
	uint32_t ident;
};

/* TLV options of hop-by-hop and destination options headers (§4.2). */
static void options(struct ns_packet *pkt, struct ns_reader *r)
{
	while (ns_rd_left(r) > 0) {
		uint32_t off = ns_rd_off(r);
		uint8_t type = ns_rd_u8(r);
		if (type == 0) { /* Pad1 */
			ns_add_label(pkt, &fields[F_OPT], off, 1);
			ns_tree_push(pkt);
			ns_add_uint(pkt, &fields[F_OPT_TYPE], off, 1, type);
			ns_tree_pop(pkt);
			continue;
		}
		uint8_t len = ns_rd_u8(r);
		if (r->err || len > ns_rd_left(r)) {
			ns_malformed(pkt, "option 0x%02x has bad length %u",
				     type, len);
			return;
		}
		ns_add_label(pkt, &fields[F_OPT], off, 2u + len);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_OPT_TYPE], off, 1, type);
		ns_add_uint(pkt, &fields[F_OPT_LEN], off + 1, 1, len);
		ns_tree_pop(pkt);
		ns_rd_skip(r, len);
	}
}

static int is_ext(uint8_t nh)
{
	switch (nh) {
	case 0:	  /* hop-by-hop */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 51:  /* AH */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
		return 1;
	default:
		return 0;
	}
}

/* The fields that show an extension header: its label, its next header
 * and its length (-1: the fragment header has none). */
struct ext_kind {
	int label, nxt, len;
};

static struct ext_kind ext_kind(uint8_t nh)
{
	switch (nh) {
	case 0:
		return (struct ext_kind){F_HOPOPTS, F_HOP_NXT, F_HOP_LEN};
	case 43:
		return (struct ext_kind){F_ROUTING, F_RT_NXT, F_RT_LEN};
	case 44:
		return (struct ext_kind){F_FRAGHDR, F_FRAG_NXT, -1};
	case 60:
		return (struct ext_kind){F_DSTOPTS, F_DST_NXT, F_DST_LEN};
	default:
		return (struct ext_kind){F_EXTHDR, F_EXT_NXT, F_EXT_LEN};
	}
}

/* The fragment header after its first two bytes (§4.5); returns nxt, or
 * -1 for a fragment other than the first (no transport header in it). */
static int frag_header(struct ns_packet *pkt, struct ns_reader *h, int nxt,
		       struct frag *fr)
{
	uint32_t foff = ns_rd_off(h);
	uint16_t v = ns_rd_u16(h);
	uint32_t ident = ns_rd_u32(h);
	if (h->err)
		return nxt;
	/* 8-byte units, as Wireshark's field */
	ns_add_uint(pkt, &fields[F_FRAG_OFFSET], foff, 2, v >> 3);
	ns_add_uint(pkt, &fields[F_FRAG_MORE], foff + 1, 1, v & 1);
	ns_add_uint(pkt, &fields[F_FRAG_IDENT], foff + 2, 4, ident);
	/* not an atomic fragment (RFC 6946); the first header only */
	if ((v & 0xfff9) && !fr->seen) {
		fr->seen = 1;
		fr->more = v & 1;
		fr->nxt = (uint8_t)nxt;
		fr->off = (uint32_t)(v >> 3) * 8;
		fr->ident = ident;
	}
	if (v >> 3)
		return -1; /* not the first fragment */
	pkt->ip_fragment = v & 1;
	return nxt;
}

/* Walks one extension header; returns its next header, or -1 to stop. */
static int ext_header(struct ns_packet *pkt, struct ns_reader *r, uint8_t nh,
		      int first, uint32_t *plen_left, struct frag *fr)
{
	uint32_t off = ns_rd_off(r);
	uint8_t nxt = ns_rd_peek(r, 0);
	uint8_t len8 = ns_rd_peek(r, 1);
	if (r->err)
		return -1;
	uint32_t len = nh == 44	  ? 8
		       : nh == 51 ? (len8 + 2u) * 4
				  : (len8 + 1u) * 8;
	if (nh == 0 && !first)
		ns_malformed(pkt, "hop-by-hop header not first");
	if (len > ns_rd_left(r) && pkt->caplen == pkt->len && !pkt->quoted)
		ns_malformed(pkt,
			     "extension header %u (%u bytes) exceeds the "
			     "payload",
			     nh, len);
	struct ns_reader h = ns_rd_sub(r, len);
	ns_rd_skip(&h, 2);
	struct ext_kind k = ext_kind(nh);
	ns_add_label(pkt, &fields[k.label], off, len);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[k.nxt], off, 1, nxt);
	if (k.len >= 0)
		ns_add_uint(pkt, &fields[k.len], off + 1, 1, len8);
	int ret = nxt;
	if (nh == 0 || nh == 60) {
		options(pkt, &h);
	} else if (nh == 43) {
		ns_get_u8(pkt, &h, &fields[F_RT_TYPE]);
		ns_get_u8(pkt, &h, &fields[F_RT_SEGLEFT]);
	} else if (nh == 44) {
		ret = frag_header(pkt, &h, nxt, fr);
	}
	ns_tree_pop(pkt);
	if (r->err)
		return -1;
	*plen_left = *plen_left > len ? *plen_left - len : 0;
	return ret;
}

/* After the fragment header: reassembles what follows it.  1 when it was
 * taken (*next: the datagram's next header when this packet completed it,
 * else -1), 0 when nothing is reassembled here (the walk goes on as
 * without reassembly). */
static int defrag(struct ns_packet *pkt, struct ns_reader *r,
		  const struct frag *fr, const uint8_t *src, const uint8_t *dst,
		  uint32_t start, int *next)
{
	struct ns_ipfrag_key k = {.v6 = 1, .id = fr->ident};
	memcpy(k.src, src, 16);
	memcpy(k.dst, dst, 16);
	/* the unfragmentable part and the fragment header count against
	 * the 65535 bytes of payload (§4.5) */
	uint32_t before = ns_rd_off(r) - (start + 40);
	uint32_t max = before < 65535 ? 65535 - before : 0;
	int d = ns_ipdefrag(pkt, r, &defrag_fields, &k, fr->off, fr->more, max);
	if (d < 0)
		return 0;
	*next = d == 1 ? fr->nxt : -1;
	return 1;
}

/* The first word: version, traffic class (DSCP and ECN) and flow label,
 * each when wanted (no summary line reads them).  0 or NS_EMALFORMED. */
static int first_word(struct ns_packet *pkt, uint32_t start, uint32_t w)
{
	unsigned version = w >> 28;
	if (ns_field_wanted(pkt, &fields[F_VERSION]))
		ns_add_uint(pkt, &fields[F_VERSION], start, 1, version);
	if (version != 6)
		return ns_malformed(pkt, "bogus version %u", version);
	unsigned tclass = (w >> 20) & 0xff;
	if (ns_field_wanted(pkt, &fields[F_TCLASS]) ||
	    ns_field_wanted(pkt, &fields[F_DSCP]) ||
	    ns_field_wanted(pkt, &fields[F_ECN])) {
		ns_add_uint(pkt, &fields[F_TCLASS], start, 2, tclass);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_DSCP], start, 2, tclass >> 2);
		ns_add_uint(pkt, &fields[F_ECN], start, 2, tclass & 3);
		ns_tree_pop(pkt);
	}
	if (ns_field_wanted(pkt, &fields[F_FLOW]))
		ns_add_uint(pkt, &fields[F_FLOW], start + 1, 3, w & 0xfffff);
	return 0;
}

/* The payload length to dissect: the header's, a jumbogram's from the
 * frame, or what was captured when the header claims more. */
static uint32_t payload_length(struct ns_packet *pkt, uint32_t start,
			       size_t avail, uint32_t plen, uint8_t nh)
{
	size_t have = avail - 40;
	if (plen == 0 && nh == 0) {
		/* jumbogram (RFC 2675): the length is in a hop-by-hop option;
		 * the frame's length on the wire says the same */
		uint32_t wire =
		    pkt->len > start + 40 ? pkt->len - start - 40 : 0;
		plen = pkt->quoted ? (uint32_t)have : wire;
	} else if (plen > have && pkt->caplen == pkt->len && !pkt->quoted) {
		ns_malformed(pkt,
			     "payload length %u exceeds the %zu bytes present",
			     plen, have);
		plen = (uint32_t)have; /* dissect what is there */
	}
	return plen;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t start = ns_rd_off(r);
	size_t avail = ns_rd_left(r);
	uint32_t w = ns_rd_u32(r);
	if (r->err)
		return NS_ETRUNC;
	int rc = first_word(pkt, start, w);
	if (rc)
		return rc;
	uint32_t poff = ns_rd_off(r);
	uint32_t plen = ns_rd_u16(r);
	if (!r->err && ns_field_wanted(pkt, &fields[F_PLEN]))
		ns_add_uint(pkt, &fields[F_PLEN], poff, 2, plen);
	uint8_t nh = ns_get_u8(pkt, r, &fields[F_NXT]);
	ns_get_u8(pkt, r, &fields[F_HLIM]);
	const uint8_t *src = ns_get_bytes(pkt, r, &fields[F_SRC], 16);
	const uint8_t *dst = ns_get_bytes(pkt, r, &fields[F_DST], 16);
	if (r->err)
		return NS_ETRUNC;
	ns_pkt_set_addrs(pkt, NS_ADDR_IPV6, src, dst);
	plen = payload_length(pkt, start, avail, plen, nh);
	ns_rd_limit(r, plen);

	int first = 1;
	int next = nh;
	struct frag fr = {0};
	int taken = 0;
	while (next >= 0 && is_ext((uint8_t)next) && !taken) {
		next = ext_header(pkt, r, (uint8_t)next, first, &plen, &fr);
		first = 0;
		/* once: an attacker's second fragment header is walked */
		if (fr.seen == 1) {
			fr.seen = 2;
			taken = defrag(pkt, r, &fr, src, dst, start, &next);
		}
	}
	if (r->err)
		return NS_ETRUNC;
	if (!taken) /* else the reassembled datagram's (ipdefrag.c) */
		pkt->ip_payload_len = plen;
	if (next < 0 || next == 59) /* a later fragment, or no next header */
		return 0;
	ns_next(pkt, NS_TAB_IPPROTO, (uint32_t)next);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	const struct ns_fv *fo =
	    ns_pkt_find(pkt, (int)li, &fields[F_FRAG_OFFSET]);
	const struct ns_fv *nxt = NULL;
	/* the last next-header value of the chain names the payload */
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_field *f = pkt->fv[i].f;
		if (f == &fields[F_NXT] || f == &fields[F_HOP_NXT] ||
		    f == &fields[F_RT_NXT] || f == &fields[F_FRAG_NXT] ||
		    f == &fields[F_DST_NXT] || f == &fields[F_EXT_NXT])
			nxt = &pkt->fv[i];
	}
	if (!nxt) {
		ns_buf_puts(out, "IPv6");
		return;
	}
	const char *name = ns_ipproto_name((unsigned)nxt->v.u);
	if (fo) {
		ns_buf_puts(out, "IPv6 fragment (off=");
		ns_buf_u64(out, fo->v.u * 8);
		ns_buf_puts(out, " nxt=");
	} else {
		ns_buf_puts(out, "IPv6 next header ");
	}
	ns_buf_u64(out, nxt->v.u);
	if (name) {
		ns_buf_puts(out, " (");
		ns_buf_puts(out, name);
		ns_buf_putc(out, ')');
	}
	if (fo)
		ns_buf_putc(out, ')');
	const struct ns_fv *in = ns_pkt_find(pkt, (int)li, &fields[F_REASM_IN]);
	if (in)
		ns_buf_printf(out, " [Reassembled in #%llu]",
			      (unsigned long long)in->v.u);
}

static const struct ns_binding bindings[] = {
    {NS_TAB_ETHERTYPE, 0x86dd},
    {NS_TAB_LINKTYPE, 229}, /* LINKTYPE_IPV6 */
    {NS_TAB_BSD_AF, 10},    /* Linux */
    {NS_TAB_BSD_AF, 24},    /* NetBSD, OpenBSD, BSD/OS */
    {NS_TAB_BSD_AF, 28},    /* FreeBSD, DragonFlyBSD */
    {NS_TAB_BSD_AF, 30},    /* Darwin */
    {NS_TAB_IPPROTO, 41},   /* IPv6 in IP */
    {0, 0},
};

struct ns_dissector ns_diss_ipv6 = {
    .name = "ipv6",
    .column = "IPv6",
    .title = "Internet Protocol Version 6",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
