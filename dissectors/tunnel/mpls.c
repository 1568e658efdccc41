/*
 * MPLS label stack entries (RFC 3032, with the TC naming of RFC 5462),
 * EtherTypes 0x8847/0x8848, MPLS in IP (RFC 4023, protocol 137) and MPLS
 * over UDP (RFC 7510, port 6635); and the Ethernet pseudowire control word
 * (RFC 4448 §4.6) that may follow the stack.
 *
 * The whole stack is one layer (one `mpls` in Wireshark's protocol list),
 * its entries' fields repeated in wire order; the walk ends at the entry
 * with the bottom-of-stack bit, or truncated at the end of the data.  The
 * stack does not say what it carries; like Wireshark (and RFC 4928 /
 * RFC 4385) we look at the first nibble after the bottom entry:
 *   4 → IPv4, 6 → IPv6;
 *   1 → a pseudowire associated channel (RFC 4385), not decoded;
 *   0 → an Ethernet pseudowire, with or without a control word.  Which one
 *       is a guess: we see where a plausible EtherType sits (after 12
 *       bytes, or after 16 with a control word) and, when both or neither
 *       fit, take the control word, which RFC 8469 makes the norm.
 *       (Wireshark asks its OUI database whether both addresses belong
 *       to known vendors instead; the two guesses can differ.)  The
 *       control word is its own layer, found through the MPLS_PW table
 *       by pseudowire type.
 * The Generic Associated Channel label (13) at the bottom also announces
 * an associated channel; the payload is then left as data.
 */
#include "core/dissect.h"

#define LINKTYPE_ETHERNET 1
#define PWTYPE_ETHERNET	  0x0005 /* RFC 4446 §3.2 */
#define LABEL_GAL	  13

enum { F_LABEL, F_EXP, F_BOTTOM, F_TTL, F_COUNT };

/* RFC 3032 §2.1 and the IANA special-purpose label registry */
static const struct ns_valstr label_vals[] = {
    {0, "IPv4 Explicit-Null"},
    {1, "Router Alert"},
    {2, "IPv6 Explicit-Null"},
    {3, "Implicit-Null"},
    {7, "Entropy Label Indicator"},
    {13, "Generic Associated Channel Label"},
    {14, "OAM Alert"},
    {15, "Extension"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_LABEL] =
	NS_F_VALS("mpls.label", "MPLS Label", 32, NS_BASE_DEC_HEX, label_vals),
    [F_EXP] = NS_F_UINT("mpls.exp", "MPLS Experimental Bits", 32),
    [F_BOTTOM] = NS_F_UINT("mpls.bottom", "MPLS Bottom Of Label Stack", 32),
    [F_TTL] = NS_F_UINT("mpls.ttl", "MPLS TTL", 32),
};

/* EtherTypes common enough to vouch for an Ethernet header around them. */
static int plausible_etype(uint16_t t)
{
	switch (t) {
	case 0x0800: /* IPv4 */
	case 0x0806: /* ARP */
	case 0x86dd: /* IPv6 */
	case 0x8100: /* 802.1Q */
	case 0x88a8: /* 802.1ad */
	case 0x9100: /* QinQ */
	case 0x8847: /* MPLS */
	case 0x8848:
	case 0x8863: /* PPPoE */
	case 0x8864:
	case 0x8809: /* slow protocols (LACP) */
	case 0x88cc: /* LLDP */
	case 0x8902: /* CFM */
	case 0x88f7: /* PTP */
	case 0x8035: /* RARP */
		return 1;
	}
	return 0;
}

/* Does an Ethernet header start `at` bytes into r: a unicast source and a
 * plausible EtherType?  Works on a copy: r does not move or fail. */
static int looks_like_eth(const struct ns_reader *r, size_t at)
{
	struct ns_reader c = *r;
	ns_rd_skip(&c, at + 6);
	uint8_t src0 = ns_rd_u8(&c);
	ns_rd_skip(&c, 5);
	uint16_t type = ns_rd_u16(&c);
	return !c.err && !(src0 & 1) && plausible_etype(type);
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t label, bos;
	do { /* ends at the bottom entry or the data: 4 bytes a pass */
		uint32_t off = ns_rd_off(r);
		uint32_t e = ns_rd_u32(r);
		if (r->err)
			return NS_ETRUNC;
		label = e >> 12;
		bos = e >> 8 & 1;
		ns_add_uint(pkt, &fields[F_LABEL], off, 4, label);
		ns_add_uint(pkt, &fields[F_EXP], off, 4, e >> 9 & 7);
		ns_add_uint(pkt, &fields[F_BOTTOM], off, 4, bos);
		ns_add_uint(pkt, &fields[F_TTL], off, 4, e & 0xff);
	} while (!bos);

	if (label == LABEL_GAL || ns_rd_left(r) == 0)
		return 0;
	switch (ns_rd_peek(r, 0) >> 4) {
	case 4:
		ns_next(pkt, NS_TAB_ETHERTYPE, 0x0800);
		break;
	case 6:
		ns_next(pkt, NS_TAB_ETHERTYPE, 0x86dd);
		break;
	case 0:
		if (looks_like_eth(r, 4) >= looks_like_eth(r, 0))
			ns_next(pkt, NS_TAB_MPLS_PW, PWTYPE_ETHERNET);
		else
			ns_next(pkt, NS_TAB_LINKTYPE, LINKTYPE_ETHERNET);
		break;
	default: /* 1: associated channel; others: unknown */
		break;
	}
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	ns_buf_puts(out, "MPLS Label Switched Packet");
	int n = 0;
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		if (pkt->fv[i].f != &fields[F_LABEL])
			continue;
		ns_buf_puts(out, n++ ? "/" : ", label ");
		ns_buf_u64(out, pkt->fv[i].v.u);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_ETHERTYPE, 0x8847},
    {NS_TAB_ETHERTYPE, 0x8848},
    {NS_TAB_IPPROTO, 137},
    {NS_TAB_UDP_PORT, 6635},
    {0, 0},
};

struct ns_dissector ns_diss_mpls = {
    .name = "mpls",
    .column = "MPLS",
    .title = "MultiProtocol Label Switching Header",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};

/* ---- Ethernet pseudowire control word ----------------------------------- */

enum { C_SEQ, C_COUNT };

static struct ns_field cw_fields[] = {
    [C_SEQ] = NS_F_UINT("pweth.cw.sequence_number",
			"PW sequence number (ethernet)", 16),
};

/* RFC 4448 §4.6: 0000, 12 reserved bits, 16-bit sequence number. */
static int dissect_cw(struct ns_packet *pkt, struct ns_reader *r,
		      const struct ns_dctx *cx)
{
	uint32_t off = ns_rd_off(r);
	uint32_t cw = ns_rd_u32(r);
	if (r->err)
		return NS_ETRUNC;
	if (cw >> 28)
		return ns_malformed(pkt, "control word starts with %u, not 0",
				    cw >> 28);
	ns_add_uint(pkt, &cw_fields[C_SEQ], off + 2, 2, cw & 0xffff);
	ns_next(pkt, NS_TAB_LINKTYPE, LINKTYPE_ETHERNET);
	return 0;
}

static const struct ns_binding cw_bindings[] = {
    {NS_TAB_MPLS_PW, PWTYPE_ETHERNET},
    {0, 0},
};

struct ns_dissector ns_diss_pwethcw = {
    .name = "pwethcw",
    .column = NULL,
    .title = "PW Ethernet Control Word",
    .fields = cw_fields,
    .nfields = C_COUNT,
    .dissect = dissect_cw,
    .bindings = cw_bindings,
};
