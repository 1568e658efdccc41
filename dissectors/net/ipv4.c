/*
 * IPv4 (RFC 791).
 *
 * The header is checked before it is trusted: version 4, IHL >= 5, total
 * length >= header length.  Total length 0 is taken as "whatever was
 * captured" (TCP segmentation offload on the capturing host, as Wireshark
 * does).  The payload is limited to total length, so Ethernet padding is not
 * taken for transport data.  Options are walked (RFC 791 §3.1: EOL, NOP and
 * type-length-value); a bad option length marks the layer malformed but the
 * transport is still dissected.  Fragments (MF set or a non-zero offset)
 * are reassembled before the transport (src/proto/ipdefrag.h, keyed by
 * source, destination, identification and protocol): the packet that
 * completes a datagram carries its transport over the reassembled bytes,
 * the others show as fragments.  Without an engine (one header alone) or
 * inside an ICMP quote, only the first fragment goes to the transport,
 * flagged.  The header checksum is not verified (as tshark by default).
 */
#include <stdio.h>
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "core/names.h"
#include "proto/ipdefrag.h"

enum {
	F_VERSION,
	F_HDR_LEN,
	F_DSFIELD,
	F_DSCP,
	F_ECN,
	F_LEN,
	F_ID,
	F_FLAGS,
	F_FLAGS_RB,
	F_FLAGS_DF,
	F_FLAGS_MF,
	F_FRAG_OFFSET,
	F_TTL,
	F_PROTO,
	F_CHECKSUM,
	F_SRC,
	F_DST,
	F_OPTIONS,
	F_OPT_TYPE,
	F_OPT_LEN,
	F_OPT_DATA,
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

static const struct ns_valstr opt_vals[] = {
    {0, "End of Options List (EOL)"},  {1, "No Operation (NOP)"},
    {7, "Record Route (RR)"},	       {68, "Time Stamp (TS)"},
    {130, "Security (SEC)"},	       {131, "Loose Source Route (LSR)"},
    {133, "Extended Security (ESEC)"}, {134, "Commercial IP Security (CIPSO)"},
    {136, "Stream ID (SID)"},	       {137, "Strict Source Route (SSR)"},
    {148, "Router Alert (RTRALT)"},    {0, NULL},
};

static struct ns_field fields[] = {
    [F_VERSION] = NS_F_UINT("ip.version", "Version", 8),
    [F_HDR_LEN] = NS_F_UINT("ip.hdr_len", "Header Length", 8),
    [F_DSFIELD] = NS_F_HEX("ip.dsfield", "Differentiated Services Field", 8),
    [F_DSCP] =
	NS_F_UINT("ip.dsfield.dscp", "Differentiated Services Codepoint", 8),
    [F_ECN] =
	NS_F_UINT("ip.dsfield.ecn", "Explicit Congestion Notification", 8),
    [F_LEN] = NS_F_UINT("ip.len", "Total Length", 16),
    [F_ID] = NS_F_HEX("ip.id", "Identification", 16),
    [F_FLAGS] = NS_F_HEX("ip.flags", "Flags", 8),
    [F_FLAGS_RB] = NS_F_BOOL("ip.flags.rb", "Reserved bit"),
    [F_FLAGS_DF] = NS_F_BOOL("ip.flags.df", "Don't fragment"),
    [F_FLAGS_MF] = NS_F_BOOL("ip.flags.mf", "More fragments"),
    /* in 8-byte units, as Wireshark's field (the summary shows bytes) */
    [F_FRAG_OFFSET] = NS_F_UINT("ip.frag_offset", "Fragment Offset", 16),
    [F_TTL] = NS_F_UINT("ip.ttl", "Time to Live", 8),
    [F_PROTO] =
	NS_F_VALS("ip.proto", "Protocol", 8, NS_BASE_DEC, ns_ipproto_vals),
    [F_CHECKSUM] = NS_F_HEX("ip.checksum", "Header Checksum", 16),
    [F_SRC] = NS_F_IPV4("ip.src", "Source Address"),
    [F_DST] = NS_F_IPV4("ip.dst", "Destination Address"),
    [F_OPTIONS] = NS_F_BYTES("ip.options", "Options"),
    [F_OPT_TYPE] = NS_F_VALS("ip.opt.type", "Type", 8, NS_BASE_DEC, opt_vals),
    [F_OPT_LEN] = NS_F_UINT("ip.opt.len", "Length", 8),
    [F_OPT_DATA] = NS_F_BYTES("ip.opt.data", "Data"),
    [F_ADDR] = NS_F_ALIAS("ip.addr", "Source or Destination Address", "ip.src",
			  "ip.dst"),
    /* reassembly (Wireshark's names; ip.fragments carries the bytes as
     * tshark's does) */
    [F_FRAGMENTS] = NS_F_BYTES("ip.fragments", "IPv4 Fragments"),
    [F_FRAGMENT] = NS_F_UINT("ip.fragment", "IPv4 Fragment", 32),
    [F_FRAG_OVERLAP] = NS_F_BOOL("ip.fragment.overlap", "Fragment overlap"),
    [F_FRAG_CONFLICT] = NS_F_BOOL("ip.fragment.overlap.conflict",
				  "Conflicting data in fragment overlap"),
    [F_FRAG_MULTITAILS] =
	NS_F_BOOL("ip.fragment.multipletails", "Multiple tail fragments found"),
    [F_FRAG_TOOLONG] =
	NS_F_BOOL("ip.fragment.toolongfragment", "Fragment too long"),
    [F_FRAG_COUNT] = NS_F_UINT("ip.fragment.count", "Fragment count", 32),
    [F_REASM_LEN] =
	NS_F_UINT("ip.reassembled.length", "Reassembled IPv4 length", 32),
    [F_REASM_DATA] = NS_F_BYTES("ip.reassembled.data", "Reassembled IPv4 data"),
    [F_REASM_IN] =
	NS_F_UINT("ip.reassembled_in", "Reassembled IPv4 in frame", 32),
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

static void options(struct ns_packet *pkt, struct ns_reader *r)
{
	while (ns_rd_left(r) > 0) {
		uint32_t off = ns_rd_off(r);
		uint8_t type = ns_rd_u8(r);
		ns_add_uint(pkt, &fields[F_OPT_TYPE], off, 1, type);
		if (type == 0) /* EOL: the rest is padding */
			return;
		if (type == 1)
			continue;
		uint8_t len = ns_rd_u8(r);
		if (r->err || len < 2 || (size_t)(len - 2) > ns_rd_left(r)) {
			ns_malformed(pkt, "option %u has bad length %u", type,
				     len);
			return;
		}
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_OPT_LEN], off + 1, 1, len);
		if (len > 2)
			ns_get_bytes(pkt, r, &fields[F_OPT_DATA], len - 2u);
		ns_tree_pop(pkt);
	}
}

/* The DS field and its two parts (RFC 2474, RFC 3168), which no summary
 * line reads (ns_field_wanted). */
static void ds_fields(struct ns_packet *pkt, struct ns_reader *r,
		      uint32_t start)
{
	if (!ns_field_wanted(pkt, &fields[F_DSFIELD]) &&
	    !ns_field_wanted(pkt, &fields[F_DSCP]) &&
	    !ns_field_wanted(pkt, &fields[F_ECN])) {
		ns_rd_skip(r, 1);
		return;
	}
	uint8_t ds = ns_get_u8(pkt, r, &fields[F_DSFIELD]);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_DSCP], start + 1, 1, ds >> 2);
	ns_add_uint(pkt, &fields[F_ECN], start + 1, 1, ds & 3);
	ns_tree_pop(pkt);
}

/* The flags and the fragment offset (in 8-byte units); the flag bits
 * only when wanted (the summary line reads the flags).  0 or NS_ETRUNC. */
static int frag_fields(struct ns_packet *pkt, struct ns_reader *r,
		       unsigned *flags, unsigned *frag)
{
	uint32_t foff = ns_rd_off(r);
	uint16_t ff = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	*flags = ff >> 13;
	*frag = ff & 0x1fffu;
	ns_add_uint(pkt, &fields[F_FLAGS], foff, 1, *flags);
	if (ns_field_wanted(pkt, &fields[F_FLAGS_RB]) ||
	    ns_field_wanted(pkt, &fields[F_FLAGS_DF]) ||
	    ns_field_wanted(pkt, &fields[F_FLAGS_MF])) {
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_FLAGS_RB], foff, 1, *flags >> 2 & 1);
		ns_add_uint(pkt, &fields[F_FLAGS_DF], foff, 1, *flags >> 1 & 1);
		ns_add_uint(pkt, &fields[F_FLAGS_MF], foff, 1, *flags & 1);
		ns_tree_pop(pkt);
	}
	ns_add_uint(pkt, &fields[F_FRAG_OFFSET], foff, 2, *frag);
	return 0;
}

/* The options after the 20 fixed bytes.  0 or NS_ETRUNC. */
static int options_field(struct ns_packet *pkt, struct ns_reader *r,
			 unsigned hlen)
{
	uint32_t ooff = ns_rd_off(r);
	struct ns_reader o = ns_rd_sub(r, hlen - 20);
	if (r->err)
		return NS_ETRUNC;
	ns_add_bytes(pkt, &fields[F_OPTIONS], ooff, hlen - 20, o.p, hlen - 20);
	ns_tree_push(pkt);
	options(pkt, &o);
	ns_tree_pop(pkt);
	return 0;
}

/* Checks the total length tot (recorded as field lenfv) against the header
 * and what was captured, corrects the recorded value where the capture says
 * better, and limits r to the payload.  0 or NS_EMALFORMED. */
static int payload_extent(struct ns_packet *pkt, struct ns_reader *r,
			  uint32_t start, size_t avail, unsigned hlen,
			  uint32_t tot, uint32_t lenfv)
{
	/* the length the wire had from here on, even where the capture cut */
	uint32_t reported = pkt->len > start ? pkt->len - start : 0;
	if (tot == 0 && !pkt->quoted) {
		/* segmentation offload or BIG TCP: the frame is the datagram */
		tot = reported;
	}
	if (lenfv < pkt->nfv && pkt->fv[lenfv].f == &fields[F_LEN])
		pkt->fv[lenfv].v.u = tot;
	if (tot < hlen)
		return ns_malformed(pkt, "total length %u < header length %u",
				    tot, hlen);
	if (tot > avail && pkt->caplen == pkt->len && !pkt->quoted) {
		ns_malformed(pkt,
			     "total length %u exceeds the %zu bytes present",
			     tot, avail);
		tot = (uint32_t)avail; /* dissect what is there */
	}
	pkt->ip_payload_len = tot - hlen;
	ns_rd_limit(r, tot - hlen);
	return 0;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t start = ns_rd_off(r);
	size_t avail = ns_rd_left(r);
	uint8_t vihl = ns_rd_u8(r);
	if (r->err)
		return NS_ETRUNC;
	unsigned version = vihl >> 4, hlen = (vihl & 15u) * 4;
	if (ns_field_wanted(pkt, &fields[F_VERSION]))
		ns_add_uint(pkt, &fields[F_VERSION], start, 1, version);
	if (ns_field_wanted(pkt, &fields[F_HDR_LEN]))
		ns_add_uint(pkt, &fields[F_HDR_LEN], start, 1, hlen);
	if (version != 4)
		return ns_malformed(pkt, "bogus version %u", version);
	if (hlen < 20)
		return ns_malformed(pkt, "bogus header length %u", hlen);

	ds_fields(pkt, r, start);
	/* recorded here, in header order; the value may be corrected below */
	uint32_t loff = ns_rd_off(r);
	uint32_t tot = ns_rd_u16(r);
	/* an index, not a pointer: the field array may grow meanwhile */
	uint32_t lenfv = r->err ? UINT32_MAX : pkt->nfv;
	if (!r->err)
		ns_pkt_add(pkt, &fields[F_LEN], loff, 2);
	uint16_t id = ns_get_u16(pkt, r, &fields[F_ID]);
	unsigned flags, frag;
	if (frag_fields(pkt, r, &flags, &frag))
		return NS_ETRUNC;
	ns_get_u8(pkt, r, &fields[F_TTL]);
	uint8_t proto = ns_get_u8(pkt, r, &fields[F_PROTO]);
	if (ns_field_wanted(pkt, &fields[F_CHECKSUM]))
		ns_get_u16(pkt, r, &fields[F_CHECKSUM]);
	else
		ns_rd_skip(r, 2);
	const uint8_t *src = ns_get_bytes(pkt, r, &fields[F_SRC], 4);
	const uint8_t *dst = ns_get_bytes(pkt, r, &fields[F_DST], 4);
	if (r->err)
		return NS_ETRUNC;
	ns_pkt_set_addrs(pkt, NS_ADDR_IPV4, src, dst);
	if (hlen > 20 && options_field(pkt, r, hlen))
		return NS_ETRUNC;
	int rc = payload_extent(pkt, r, start, avail, hlen, tot, lenfv);
	if (rc)
		return rc;

	if (frag > 0 || (flags & 1)) {
		struct ns_ipfrag_key k = {.v6 = 0, .proto = proto, .id = id};
		memcpy(k.src, src, 4);
		memcpy(k.dst, dst, 4);
		/* the largest payload: 65535 bytes in all (RFC 791) */
		int d = ns_ipdefrag(pkt, r, &defrag_fields, &k, frag * 8,
				    flags & 1, 65535 - hlen);
		if (d == 1)
			ns_next(pkt, NS_TAB_IPPROTO, proto);
		if (d >= 0)
			return 0;
	}
	if (frag > 0)
		return 0; /* a later fragment: no transport header here */
	pkt->ip_fragment = flags & 1;
	ns_next(pkt, NS_TAB_IPPROTO, proto);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *p = ns_pkt_find(pkt, (int)li, &fields[F_PROTO]);
	const struct ns_fv *fo =
	    ns_pkt_find(pkt, (int)li, &fields[F_FRAG_OFFSET]);
	const struct ns_fv *fl = ns_pkt_find(pkt, (int)li, &fields[F_FLAGS]);
	const struct ns_fv *id = ns_pkt_find(pkt, (int)li, &fields[F_ID]);
	if (!p) {
		ns_buf_puts(out, "IPv4");
		return;
	}
	const char *name = ns_ipproto_name((unsigned)p->v.u);
	if (fo && fl && id && (fo->v.u > 0 || (fl->v.u & 1))) {
		ns_buf_puts(out, "Fragmented IP protocol (proto=");
		ns_buf_puts(out, name ? name : "unknown");
		ns_buf_putc(out, ' ');
		ns_buf_u64(out, p->v.u);
		ns_buf_puts(out, ", off=");
		ns_buf_u64(out, fo->v.u * 8);
		ns_buf_puts(out, ", ID=");
		ns_buf_printf(out, "%04x)", (unsigned)id->v.u);
		const struct ns_fv *in =
		    ns_pkt_find(pkt, (int)li, &fields[F_REASM_IN]);
		if (in)
			ns_buf_printf(out, " [Reassembled in #%llu]",
				      (unsigned long long)in->v.u);
		return;
	}
	ns_buf_puts(out, "IPv4 protocol ");
	ns_buf_u64(out, p->v.u);
	if (name) {
		ns_buf_puts(out, " (");
		ns_buf_puts(out, name);
		ns_buf_putc(out, ')');
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_ETHERTYPE, 0x0800},
    {NS_TAB_LINKTYPE, 228}, /* LINKTYPE_IPV4 */
    {NS_TAB_BSD_AF, 2},	    /* AF_INET everywhere */
    {NS_TAB_IPPROTO, 4},    /* IP in IP */
    {0, 0},
};

struct ns_dissector ns_diss_ip = {
    .name = "ip",
    .column = "IPv4",
    .title = "Internet Protocol Version 4",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
