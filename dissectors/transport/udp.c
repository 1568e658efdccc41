/*
 * UDP (RFC 768).
 *
 * The length field is checked against the header size and against the IP
 * payload length; the payload is limited to it.  A length larger than the
 * IP payload is malformed, except in the first fragment of a fragmented
 * datagram, where it is expected.  Length 0 in IPv6 is a jumbogram (RFC
 * 2675) and means "the IP payload length".  The checksum is not verified.
 */
#include "core/dissect.h"
#include "flow/transport.h"

enum {
	F_SRCPORT,
	F_DSTPORT,
	F_LENGTH,
	F_CHECKSUM,
	F_STREAM,
	F_PAYLOAD,
	F_PORT,
	F_COUNT
};

static struct ns_field fields[] = {
    [F_SRCPORT] = NS_F_UINT("udp.srcport", "Source Port", 16),
    [F_DSTPORT] = NS_F_UINT("udp.dstport", "Destination Port", 16),
    [F_LENGTH] = NS_F_UINT("udp.length", "Length", 16),
    [F_CHECKSUM] = NS_F_HEX("udp.checksum", "Checksum", 16),
    [F_STREAM] = NS_F_UINT("udp.stream", "Stream index", 32),
    [F_PAYLOAD] = NS_F_BYTES("udp.payload", "Payload"),
    [F_PORT] = NS_F_ALIAS("udp.port", "Source or Destination Port",
			  "udp.srcport", "udp.dstport"),
};

/* A dissector with a UDP heuristic already keeps state on the flow: it
 * is the next one again. */
static int claimed(struct ns_packet *pkt, const struct ns_flow *f)
{
	for (const struct ns_flow_slot *s = f ? f->slots : NULL; s; s = s->next)
		if (ns_udp_heuristic_of(pkt, s->owner))
			return 1;
	return 0;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	size_t avail = ns_rd_left(r);
	uint16_t sport = ns_get_u16(pkt, r, &fields[F_SRCPORT]);
	uint16_t dport = ns_get_u16(pkt, r, &fields[F_DSTPORT]);
	if (r->err)
		return NS_ETRUNC;
	ns_pkt_set_ports(pkt, sport, dport);
	uint32_t len = ns_get_u16(pkt, r, &fields[F_LENGTH]);
	ns_get_u16(pkt, r, &fields[F_CHECKSUM]);
	if (r->err)
		return NS_ETRUNC;
	/* the flow first: a datagram with a bad length still belongs to its
	 * conversation (as in tshark) */
	int dir;
	struct ns_flow *f = pkt->quoted ? ns_quoted_flow(pkt, 17, sport, dport)
					: ns_udp_track(pkt, sport, dport, &dir);
	if (f)
		ns_add_uint(pkt, &fields[F_STREAM], 0, 0, f->index);
	uint32_t iplen =
	    pkt->ip_payload_len ? pkt->ip_payload_len : (uint32_t)avail;
	/* length 0 is an IPv6 jumbogram (RFC 2675); over IPv4 it is bogus */
	if (len == 0 && iplen > 0xffff && pkt->addr_type == NS_ADDR_IPV6)
		len = iplen;
	if (len < 8)
		return ns_malformed(pkt, "bogus length %u", len);
	if (len > iplen && !pkt->ip_fragment && !pkt->quoted)
		return ns_malformed(
		    pkt, "length %u exceeds IP payload length %u", len, iplen);
	ns_rd_limit(r, len - 8);
	size_t left = ns_rd_left(r);
	if (left)
		ns_add_bytes(pkt, &fields[F_PAYLOAD], ns_rd_off(r),
			     (uint32_t)left, r->p, (uint32_t)left);
	ns_next_port(pkt, NS_TAB_UDP_PORT, sport, dport);
	/* no port binding: a protocol may still recognise its bytes (DNS on
	 * a port of its own), as tshark's heuristics do; not in a quote.  A
	 * flow a heuristic claimed before (it keeps state there) stays with
	 * it: QUIC's short headers carry nothing to recognise. */
	if (pkt->next_table == NS_TAB_NONE && left && !pkt->quoted &&
	    !claimed(pkt, f))
		ns_udp_heuristic(pkt, r->p, left);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *l = ns_pkt_find(pkt, (int)li, &fields[F_LENGTH]);
	uint64_t len = l ? l->v.u : 0;
	if (len == 0 && pkt->layers[li].len >= 8) /* jumbogram */
		len = pkt->layers[li].len;
	ns_buf_puts(out, "Len=");
	ns_buf_u64(out, len >= 8 ? len - 8 : 0);
}

static const struct ns_binding bindings[] = {
    {NS_TAB_IPPROTO, 17},
    {0, 0},
};

struct ns_dissector ns_diss_udp = {
    .name = "udp",
    .column = "UDP",
    .title = "User Datagram Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
