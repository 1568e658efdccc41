/*
 * DNS (RFC 1035 and its successors) over UDP — port 53, mDNS on 5353
 * (RFC 6762), LLMNR on 5355 (RFC 4795), and any other port where the bytes
 * pass tshark's DNS heuristic — and over TCP on port 53, or on any port
 * whose first bytes are a DNS message (probe() below), through the stream
 * interface (RFC 7766: a 2-byte length before each message, several
 * messages per segment, one message over several segments).
 *
 * Decoded: the header and its flags (LLMNR's own), the four sections (an
 * update's zone/prerequisite/update names, RFC 2136), every record's fixed
 * part, and the data of the types dns_rdata.c knows (RFC 3597's generic
 * form for the others).  Each record also gets `dns.rr`, its type and data
 * in master-file style, which the one-line summary uses.  Fields carry
 * Wireshark's names and follow tshark 4.0 where it has a habit worth
 * matching (the root is "<Root>", type bitmaps are listed as dns.resp.type,
 * an SRV owner is split into dns.srv.service/proto/name, nothing of a
 * record that is cut short).
 *
 * Errors that leave the rest of the message readable (a name that loops
 * or is too long, record data that does not fit its type) mark the
 * message malformed after it has been read to its end; the others (past
 * the end of the message) stop there.  Names: dns_name.c.
 *
 * Each message is then matched to its flow's transactions (dns_txn.c),
 * which publishes the DNS transaction events.  The files of the dissector
 * and what they share: dns_int.h.
 */
#include <string.h>

#include "dns_int.h"
#include "flow/flow.h"
#include "flow/stream.h"

static const char *const secname[] = {"question", "answer", "authority",
				      "additional"};

/* ---- questions -------------------------------------------------------- */

static int question(struct dns_msg *m, struct ns_reader *r, unsigned idx)
{
	struct ns_packet *pkt = m->pkt;
	struct dns_name nm;
	uint32_t start = ns_rd_off(r);
	size_t moff = start - m->moff;
	ns_dns_read_name(m, moff, &nm);
	if (nm.hard)
		return ns_dns_bad(m, "question %u: name: %s", idx + 1, nm.err);
	if (ns_rd_left(r) < (size_t)nm.used + 4)
		return ns_dns_bad(m, "question %u cut short", idx + 1);
	const uint8_t *text = ns_dns_add_name(m, F_QRY_NAME, moff, &nm);
	if (idx == 0) { /* the transaction's question */
		m->qname = text;
		m->qname_n = (uint32_t)nm.n;
	}
	if (nm.err)
		ns_dns_soft(m, "question %u: name: %s", idx + 1, nm.err);
	/* tshark: the name's text length ("<Root>" counts 6) and labels (the
	 * root counts as one) */
	ns_add_uint(pkt, DNS_F(F_QRY_NAME_LEN), start, nm.used, nm.n);
	ns_add_uint(pkt, DNS_F(F_COUNT_LABELS), start, nm.used,
		    nm.labels ? nm.labels : 1);
	ns_rd_skip(r, nm.used);
	unsigned type = ns_get_u16(pkt, r, DNS_F(F_QRY_TYPE));
	if (idx == 0 && !r->err) {
		m->have_qtype = 1;
		m->qtype = type;
	}
	uint32_t off = ns_rd_off(r);
	unsigned cls = ns_rd_u16(r);
	if (r->err)
		return ns_dns_bad(m, "question %u cut short", idx + 1);
	if (m->mdns) {
		/* RFC 6762 5.4: the top bit asks for a unicast answer */
		ns_add_uint(pkt, DNS_F(F_QRY_CLASS), off, 2, cls & 0x7fff);
		ns_add_uint(pkt, DNS_F(F_QRY_QU), off, 2, cls >> 15);
	} else {
		ns_add_uint(pkt, DNS_F(F_QRY_CLASS), off, 2, cls);
	}
	return 0;
}

/* ---- records ---------------------------------------------------------- */

/* Reads a record's owner and looks ahead at its fixed part: *type, and
 * whether all of it and its data are there (like tshark, nothing of a
 * record that is cut short is shown).  0, or an error code. */
static int record_head(struct dns_msg *m, struct ns_reader *r, int sec,
		       unsigned idx, struct dns_name *owner, unsigned *type)
{
	ns_dns_read_name(m, ns_rd_off(r) - m->moff, owner);
	m->rr.len = 0;
	if (owner->hard)
		return ns_dns_bad(m, "%s %u: name: %s", secname[sec], idx + 1,
				  owner->err);
	/* type, class, TTL, rdlength (RFC 1035 4.1.3) */
	struct ns_reader fixed = ns_rd_at(r, ns_rd_off(r) + owner->used);
	*type = ns_rd_u16(&fixed);
	ns_rd_skip(&fixed, 6);
	size_t rdlen = ns_rd_u16(&fixed);
	if (fixed.err || ns_rd_left(&fixed) < rdlen)
		return ns_dns_bad(m, "%s %u: record cut short", secname[sec],
				  idx + 1);
	return 0;
}

/* tshark gives an SRV owner _service._proto.name as dns.srv.* only. */
static int srv_owner(unsigned type, const struct dns_name *o)
{
	return type == T_SRV && o->n && o->text[0] == '_' &&
	       memchr(o->text, '.', o->n) != NULL;
}

/* dns.srv.service, dns.srv.proto and dns.srv.name from the SRV owner. */
static void srv_split(struct dns_msg *m, const struct dns_name *o,
		      uint32_t start)
{
	struct ns_packet *pkt = m->pkt;
	const char *s = o->text;
	const char *d1 = memchr(s, '.', o->n);
	if (!d1)
		return;
	const char *d2 = memchr(d1 + 1, '.', o->n - (size_t)(d1 + 1 - s));
	uint8_t *c = ns_arena_alloc(&pkt->arena, o->n);
	if (!c)
		return;
	memcpy(c, s, o->n);
	size_t l1 = (size_t)(d1 - s);
	ns_add_bytes(pkt, DNS_F(F_SRV_SERVICE), start, 0, c, (uint32_t)l1);
	if (!d2)
		return;
	size_t l2 = (size_t)(d2 - d1 - 1);
	ns_add_bytes(pkt, DNS_F(F_SRV_PROTO), start, 0, c + l1 + 1,
		     (uint32_t)l2);
	ns_add_bytes(pkt, DNS_F(F_SRV_NAME), start, 0, c + l1 + l2 + 2,
		     (uint32_t)(o->n - l1 - l2 - 2));
}

/* The class and TTL; an OPT record's are RFC 6891's fields. */
static void class_ttl(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	struct ns_packet *pkt = m->pkt;
	if (type == T_OPT) {
		ns_dns_opt_fixed(m, r);
		return;
	}
	uint32_t off = ns_rd_off(r);
	unsigned cls = ns_rd_u16(r);
	if (r->err)
		return;
	if (m->mdns) {
		/* RFC 6762 10.2: the top bit is the cache-flush bit */
		ns_add_uint(pkt, DNS_F(F_RESP_CLASS), off, 2, cls & 0x7fff);
		ns_add_uint(pkt, DNS_F(F_RESP_CACHE_FLUSH), off, 2, cls >> 15);
	} else {
		ns_add_uint(pkt, DNS_F(F_RESP_CLASS), off, 2, cls);
	}
	ns_get_u32(pkt, r, DNS_F(F_RESP_TTL));
}

/* The record's data d, by type; *fv_gen is set for RFC 3597's form. */
static int record_data(struct dns_msg *m, struct ns_reader *d, unsigned type,
		       const struct dns_name *owner, uint32_t start,
		       size_t *fv_gen)
{
	if (!ns_rd_left(d) && type != T_OPT) {
		/* no data: an update's delete (RFC 2136 2.5.2) or an empty
		 * record; the text loses the space after the type */
		m->rr.len = m->rr.len ? m->rr.len - 1 : 0;
		return 0;
	}
	if (!ns_dns_known_type(type)) {
		*fv_gen = ns_dns_generic(m, d);
		return 0;
	}
	int rc = ns_dns_rdata(m, d, type);
	if (srv_owner(type, owner))
		srv_split(m, owner, start);
	return rc;
}

/* Copies dns.rr's text to the arena and points the field at it. */
static void rr_commit(struct dns_msg *m, size_t fv_rr, size_t fv_gen)
{
	struct ns_packet *pkt = m->pkt;
	uint8_t *s = ns_arena_alloc(&pkt->arena, m->rr.len ? m->rr.len : 1);
	if (!s)
		return;
	memcpy(s, m->rr.p, m->rr.len);
	if (fv_rr < pkt->nfv && pkt->fv[fv_rr].f == DNS_F(F_RR)) {
		pkt->fv[fv_rr].v.b.p = s;
		pkt->fv[fv_rr].v.b.n = (uint32_t)m->rr.len;
	}
	if (fv_gen < pkt->nfv && pkt->fv[fv_gen].f == DNS_F(F_GENERIC)) {
		/* its text is the tail of dns.rr: after "TYPEnnn " */
		uint32_t n = pkt->fv[fv_gen].v.b.n;
		pkt->fv[fv_gen].v.b.p = s + m->rr.len - n;
	}
}

/* One resource record of section `sec`. */
static int record(struct dns_msg *m, struct ns_reader *r, int sec, unsigned idx)
{
	struct ns_packet *pkt = m->pkt;
	struct dns_name owner;
	unsigned type = 0;
	uint32_t start = ns_rd_off(r);
	int rc = record_head(m, r, sec, idx, &owner, &type);
	if (rc)
		return rc;
	/* the record's summary heads its subtree; filled in at the end */
	ns_add_bytes(pkt, DNS_F(F_RR), start, 0, NULL, 0);
	size_t fv_rr = pkt->nfv - 1, fv_gen = (size_t)-1;
	ns_tree_push(pkt);
	if (!srv_owner(type, &owner))
		ns_dns_add_name(m, F_RESP_NAME, start - m->moff, &owner);
	if (owner.err)
		ns_dns_soft(m, "%s %u: name: %s", secname[sec], idx + 1,
			    owner.err);
	ns_rd_skip(r, owner.used);
	ns_get_u16(pkt, r, DNS_F(F_RESP_TYPE));
	char tmp[16];
	ns_buf_puts(&m->rr, ns_dns_type_name(type, tmp));
	ns_buf_putc(&m->rr, ' ');
	class_ttl(m, r, type);
	unsigned rdlen = ns_get_u16(pkt, r, DNS_F(F_RESP_LEN));
	if (r->err) {
		rc = ns_dns_bad(m, "%s %u: record cut short", secname[sec],
				idx + 1);
	} else if (rdlen > ns_rd_left(r)) {
		rc = ns_dns_bad(
		    m, "%s %u: rdlength %u past the end of the message",
		    secname[sec], idx + 1, rdlen);
	} else {
		struct ns_reader d = ns_rd_sub(r, rdlen);
		rc = record_data(m, &d, type, &owner, start, &fv_gen);
	}
	ns_tree_pop(pkt);
	if (fv_rr < pkt->nfv)
		pkt->fv[fv_rr].len = ns_rd_off(r) - start;
	rr_commit(m, fv_rr, fv_gen);
	return rc;
}

/* ---- the message ------------------------------------------------------ */

/* One section of cnt entries, under its label field labf. */
static int section(struct dns_msg *m, struct ns_reader *r, int s, unsigned cnt,
		   int labf)
{
	struct ns_packet *pkt = m->pkt;
	uint32_t soff = ns_rd_off(r);
	ns_add_label(pkt, DNS_F(labf), soff, 0);
	size_t lfv = pkt->nfv - 1;
	int rc = 0;
	ns_tree_push(pkt);
	for (unsigned i = 0; i < cnt && !rc; i++) {
		if (!ns_rd_left(r)) {
			rc = ns_dns_bad(m, "%u %s record%s missing", cnt - i,
					secname[s], cnt - i > 1 ? "s" : "");
			break;
		}
		rc = s == SEC_QD ? question(m, r, i) : record(m, r, s, i);
	}
	ns_tree_pop(pkt);
	if (lfv < pkt->nfv && pkt->fv[lfv].f == DNS_F(labf))
		pkt->fv[lfv].len = ns_rd_off(r) - soff;
	return rc;
}

/* The four sections; an update (RFC 2136 2.2) names them differently. */
static int sections(struct dns_msg *m, struct ns_reader *r,
		    const unsigned cnt[4], int update)
{
	static const int lab[2][4] = {
	    {F_QUERIES, F_ANSWERS, F_AUTHORITIES, F_ADDITIONALS},
	    {F_ZONE, F_PREREQS, F_UPDATES, F_ADDITIONALS},
	};
	int rc = 0;
	for (int s = 0; s < 4 && !rc; s++)
		if (cnt[s])
			rc = section(m, r, s, cnt[s], lab[update][s]);
	return rc;
}

/* The flags (RFC 1035 4.1.1, RFC 4035 3.2 for AD and CD; LLMNR's own,
 * RFC 4795 2.1.1), as a subtree of dns.flags at foff. */
static void header_flags(struct dns_msg *m, uint32_t foff, unsigned fl)
{
	struct ns_packet *pkt = m->pkt;
	unsigned resp = fl >> 15;
	ns_tree_push(pkt);
	ns_add_uint(pkt, DNS_F(F_RESPONSE), foff, 2, resp);
	ns_add_uint(pkt, DNS_F(F_OPCODE), foff, 2, (fl >> 11) & 15);
	if (m->llmnr) {
		ns_add_uint(pkt, DNS_F(F_CONFLICT), foff, 2, (fl >> 10) & 1);
		ns_add_uint(pkt, DNS_F(F_TRUNCATED), foff, 2, (fl >> 9) & 1);
		ns_add_uint(pkt, DNS_F(F_TENTATIVE), foff, 2, (fl >> 8) & 1);
	} else {
		if (resp)
			ns_add_uint(pkt, DNS_F(F_AUTHORITATIVE), foff, 2,
				    (fl >> 10) & 1);
		ns_add_uint(pkt, DNS_F(F_TRUNCATED), foff, 2, (fl >> 9) & 1);
		ns_add_uint(pkt, DNS_F(F_RECDESIRED), foff, 2, (fl >> 8) & 1);
		if (resp)
			ns_add_uint(pkt, DNS_F(F_RECAVAIL), foff, 2,
				    (fl >> 7) & 1);
		ns_add_uint(pkt, DNS_F(F_Z), foff, 2, (fl >> 6) & 1);
		if (resp || (fl & 0x20)) /* tshark: a query's AD bit when set */
			ns_add_uint(pkt, DNS_F(F_AUTHENTICATED), foff, 2,
				    (fl >> 5) & 1);
		ns_add_uint(pkt, DNS_F(F_CHECKDISABLE), foff, 2, (fl >> 4) & 1);
	}
	if (resp)
		ns_add_uint(pkt, DNS_F(F_RCODE), foff, 2, fl & 15);
	ns_tree_pop(pkt);
}

/* The message's context: its framing, its flavour by port, its extent. */
static void msg_init(struct dns_msg *m, struct ns_packet *pkt,
		     struct ns_reader *r, const struct ns_dctx *cx)
{
	memset(m, 0, sizeof(*m));
	m->pkt = pkt;
	m->cx = cx;
	/* a message from a TCP stream, not a datagram (whose layer may read
	 * a reassembled IP payload too) */
	m->stream = cx->stream != NULL;
	if (m->stream) /* RFC 7766 8: the 2-byte length before the message */
		ns_get_u16(pkt, r, DNS_F(F_LENGTH));
	uint16_t lo = pkt->sport < pkt->dport ? pkt->sport : pkt->dport;
	uint16_t hi = pkt->sport < pkt->dport ? pkt->dport : pkt->sport;
	if (pkt->has_ports && !m->stream) {
		m->mdns = lo == 5353 || hi == 5353;
		m->llmnr = !m->mdns && (lo == 5355 || hi == 5355);
	}
	m->mr = *r;
	m->moff = ns_rd_off(r);
	m->rr = pkt->scratch;
	m->rr.len = 0;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	static const int cf[2][4] = {
	    {F_COUNT_QUERIES, F_COUNT_ANSWERS, F_COUNT_AUTH, F_COUNT_ADD},
	    {F_COUNT_ZONES, F_COUNT_PREREQ, F_COUNT_UPDATES, F_COUNT_ADD},
	};
	struct dns_msg m;
	msg_init(&m, pkt, r, cx);
	uint16_t id = ns_get_u16(pkt, r, DNS_F(F_ID));
	uint32_t foff = ns_rd_off(r);
	uint16_t fl = ns_get_u16(pkt, r, DNS_F(F_FLAGS));
	unsigned cnt[4] = {0}, resp = fl >> 15, update = ((fl >> 11) & 15) == 5;
	if (!r->err)
		header_flags(&m, foff, fl);
	for (int i = 0; i < 4 && !r->err; i++)
		cnt[i] = ns_get_u16(pkt, r, DNS_F(cf[update][i]));
	if (r->err) {
		pkt->scratch = m.rr;
		return ns_dns_bad(&m, "header cut short");
	}
	int rc = sections(&m, r, cnt, (int)update);
	if (resp && m.opt_seen)
		ns_add_uint(pkt, DNS_F(F_RCODE_FULL), foff, 2,
			    (m.ext_rcode << 4) | (fl & 15u));
	/* the state always learns; the fields come, as in tshark, only after
	 * sections that were read to their end */
	m.tc = (fl >> 9) & 1;
	ns_dns_match(&m, id, (int)resp, rc == 0 && !m.soft[0]);
	pkt->scratch = m.rr;
	if (rc == NS_ETRUNC)
		return rc;
	if (!rc && m.soft[0])
		rc = ns_malformed(pkt, "%s", m.soft);
	/* bytes after the last section: tshark calls them extraneous */
	ns_rd_skip(r, ns_rd_left(r));
	return rc;
}

/* ---- TCP (RFC 7766) --------------------------------------------------- */

struct dns_tcp {
	int dead;
};

/* Hands each complete message (length prefix and all) to dissect(). */
static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct dns_tcp *st = state;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (!st->dead && ns_rd_left(&r) >= 2) {
		struct ns_reader ahead = r;
		size_t len = ns_rd_u16(&ahead);
		if (ns_rd_left(&ahead) < len)
			break; /* the rest of the message comes later */
		const uint8_t *msg = ns_rd_ptr(&r, 2 + len);
		if (ctx->pkt) {
			int li = ns_stream_message(ctx, ctx->st->app, msg,
						   2 + len, ctx->st->state);
			if (li >= 0)
				ns_stream_message_end(ctx, li);
		}
	}
	return ns_rd_off(&r);
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct dns_tcp *st = state;
	(void)ctx;
	(void)n;
	st->dead = 1; /* the framing is lost */
	return 0;
}

/*
 * DNS over TCP on a port no table names: the connection's first bytes are
 * a length-prefixed message (RFC 7766) whose header is a standard query
 * (client) or response (server) with believable counts, as the UDP
 * heuristic asks, and whose first question is a well-formed name (labels
 * of at most 63 bytes, no compression in a question, at most 255 bytes)
 * followed by its type and class, all inside the announced length.  Only
 * on a connection seen from its start: mid-stream, a length prefix cannot
 * be told from any other two bytes.
 */
static int probe(const uint8_t *p, size_t n, int dir, int from_start)
{
	if (!from_start)
		return 0;
	if (n < 2 + 12)
		return -1;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	size_t len = ns_rd_u16(&r);
	if (len < 12 + 5)
		return 0;
	ns_rd_skip(&r, 2); /* the id */
	unsigned fl = ns_rd_u16(&r), qd = ns_rd_u16(&r), an = ns_rd_u16(&r);
	unsigned ns = ns_rd_u16(&r), ar = ns_rd_u16(&r);
	int response = (fl & 0x8000) != 0;
	if ((fl & 0x7800) || response != (dir == 1) || qd != 1)
		return 0;
	if (!response ? an || ns || ar > 10 : an > 1000 || ns > 100 || ar > 100)
		return 0;
	/* the question's name, type and class inside the message */
	size_t name = 0;
	for (;;) {
		if (ns_rd_left(&r) < 1)
			return n >= 2 + len ? 0 : -1;
		uint8_t l = ns_rd_u8(&r);
		if (l == 0)
			break;
		if (l > 63 || (name += (size_t)l + 1) > 255)
			return 0;
		if (ns_rd_left(&r) < l)
			return n >= 2 + len ? 0 : -1;
		ns_rd_skip(&r, l);
	}
	if (ns_rd_left(&r) < 4)
		return n >= 2 + len ? 0 : -1;
	return ns_rd_off(&r) + 4 <= 2 + len;
}

static const struct ns_stream_ops ops = {
    .probe = probe,
    .state_size = sizeof(struct dns_tcp),
    .consume = consume,
    .gap = gap,
};

/*
 * DNS on a UDP port of its own: tshark's heuristic (packet-dns.c), which
 * takes a standard query or response with believable counts: a query has
 * one question and nothing else but a few additional records; a response
 * at most one question, 100 answers, 10 authority and 10 additional
 * records; the counts must fit the bytes there are.  Never on port 137
 * (NetBIOS names have the same layout).
 */
static int udp_heuristic(const struct ns_packet *pkt, const uint8_t *p,
			 size_t n)
{
	/* NetBIOS name service has DNS's layout; tshark has its own
	 * dissector on that port, netscope none yet */
	if (n <= 12 ||
	    (pkt->has_ports && (pkt->sport == 137 || pkt->dport == 137)))
		return 0;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	ns_rd_skip(&r, 2); /* the id */
	unsigned fl = ns_rd_u16(&r), qd = ns_rd_u16(&r), an = ns_rd_u16(&r);
	unsigned ns = ns_rd_u16(&r), ar = ns_rd_u16(&r);
	if (fl & 0x7800) /* opcode: standard queries only */
		return 0;
	if (!(fl & 0x8000)) {
		if (qd != 1 || an || ns || ar > 10)
			return 0;
	} else if (qd > 1 || an > 100 || ns > 10 || ar > 10) {
		return 0;
	}
	if (qd + an == 0)
		return 0;
	return (size_t)qd * 6 + (size_t)(an + ns + ar) * 11 <= n - 12;
}

static const struct ns_binding bindings[] = {
    {NS_TAB_UDP_PORT, 53},
    {NS_TAB_UDP_PORT, 5353},
    {NS_TAB_UDP_PORT, 5355},
    {NS_TAB_TCP_PORT, 53},
    {0, 0},
};

struct ns_dissector ns_diss_dns = {
    .name = "dns",
    .column = "DNS",
    .title = "Domain Name System",
    .fields = ns_dns_fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .reads_fields = 1, /* ns_dns_sum() */
    .info = ns_dns_info,
    .bindings = bindings,
    .stream = &ops,
    .udp_heuristic = udp_heuristic,
    .flow_state_size = sizeof(struct dns_flow),
    .flow_state_free = ns_dns_flow_free,
};
