/*
 * dns_info — the one-line summary of DNS messages ("query 0x1a2b A
 * api.example.com", "response 0x1a2b NOERROR A 10.0.0.7 (3.1 ms)"), read
 * back from the fields the dissector recorded, never from the packet.
 *
 * What the line says of a message (its question, answers, rcode) is
 * gathered once by ns_dns_sum(), which the transaction events use too
 * (dns_txn.c), so a DNS transaction reads the same on the line and in
 * every consumer of the events.
 */
#include <string.h>

#include "dns_int.h"

/* One field of the layer into the summary; *sec tracks the section. */
static void sum_field(struct dns_sum *s, const struct ns_fv *fv, int *sec)
{
	const struct ns_field *f = fv->f;
	if (f == DNS_F(F_ID)) {
		s->id = fv->v.u;
		s->have_id = 1;
	} else if (f == DNS_F(F_RESPONSE)) {
		s->resp = (int)fv->v.u;
	} else if (f == DNS_F(F_OPCODE)) {
		s->opcode = fv->v.u;
	} else if (f == DNS_F(F_TRUNCATED)) {
		s->tc = (int)fv->v.u;
	} else if (f == DNS_F(F_RCODE)) {
		s->rcode = fv->v.u;
	} else if (f == DNS_F(F_RCODE_FULL)) {
		s->rcode_full = fv->v.u;
		s->have_full = 1;
	} else if (f == DNS_F(F_QUERIES) || f == DNS_F(F_ZONE)) {
		*sec = SEC_QD;
	} else if (f == DNS_F(F_PREREQS) || f == DNS_F(F_UPDATES) ||
		   f == DNS_F(F_AUTHORITIES)) {
		*sec = SEC_NS;
	} else if (f == DNS_F(F_ANSWERS)) {
		*sec = SEC_AN;
	} else if (f == DNS_F(F_ADDITIONALS)) {
		*sec = SEC_AR;
	} else if (f == DNS_F(F_QRY_NAME) && !s->qname) {
		s->qname = fv;
	} else if (f == DNS_F(F_QRY_TYPE) && !s->qtype) {
		s->qtype = fv;
	} else if (f == DNS_F(F_RR) && *sec == SEC_AN) {
		if (s->nans < INFO_RR_MAX)
			s->ans[s->nans] = fv;
		s->nans++;
	} else if (f == DNS_F(F_TIME)) {
		s->time = fv;
	} else if (f == DNS_F(F_RETRANSMISSION)) {
		s->retrans = 1;
	} else if (f == DNS_F(F_UNSOLICITED)) {
		s->unsol = 1;
	} else if (f == DNS_F(F_TC_RETRY_OF)) {
		s->tc_of = fv->v.u;
	} else if (f == DNS_F(F_TC_RETRY_IN)) {
		s->tc_in = fv->v.u;
	}
}

void ns_dns_sum(const struct ns_packet *pkt, unsigned li, struct dns_sum *s)
{
	const struct ns_layer *l = &pkt->layers[li];
	/* while the layer is being dissected, its fields run to the end */
	uint32_t end = l->fv_end > l->fv_first ? l->fv_end : pkt->nfv;
	int sec = -1;
	memset(s, 0, sizeof(*s));
	for (uint32_t i = l->fv_first; i < end; i++)
		sum_field(s, &pkt->fv[i], &sec);
}

/* Text for the line: what is not printable as \xHH (backslashes stay:
 * "\\#" is RFC 3597's marker, and strings in dns.rr are already quoted).
 * The bytes are the fields' values: arena copies, not packet data. */
static void put_text(struct ns_buf *out, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (ns_rd_left(&r)) {
		uint8_t c = ns_rd_u8(&r);
		if (c >= 0x20 && c < 0x7f) {
			ns_buf_putc(out, (char)c);
		} else {
			char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			ns_buf_put(out, e, 4);
		}
	}
}

void ns_dns_put_answers(struct ns_buf *out, const struct dns_sum *s)
{
	for (unsigned i = 0; i < s->nans && i < INFO_RR_MAX; i++) {
		if (i)
			ns_buf_puts(out, ", ");
		uint32_t n = s->ans[i]->v.b.n;
		put_text(out, s->ans[i]->v.b.p,
			 n > INFO_RR_TEXT ? INFO_RR_TEXT : n);
		if (n > INFO_RR_TEXT)
			ns_buf_puts(out, "\xe2\x80\xa6"); /* … */
	}
	if (s->nans > INFO_RR_MAX)
		ns_buf_printf(out, ", +%u more", s->nans - INFO_RR_MAX);
}

static void put_ms(struct ns_buf *out, int64_t ns)
{
	double ms = (double)ns / 1e6;
	if (ms < 1)
		ns_buf_printf(out, " (%.3f ms)", ms);
	else
		ns_buf_printf(out, " (%.1f ms)", ms);
}

/* "mDNS " or "LLMNR " by port (not over TCP), then what the message is
 * ("query", "notify response", …) and its id. */
static void put_kind(const struct ns_packet *pkt, const struct ns_layer *l,
		     const struct dns_sum *s, struct ns_buf *out)
{
	static const char *const ops[16] = {
	    NULL, "inverse query", "status", NULL, "notify", "update", "DSO",
	};
	uint16_t lo = pkt->sport < pkt->dport ? pkt->sport : pkt->dport;
	uint16_t hi = pkt->sport < pkt->dport ? pkt->dport : pkt->sport;
	if (pkt->has_ports && !l->src) {
		if (lo == 5353 || hi == 5353)
			ns_buf_puts(out, "mDNS ");
		else if (lo == 5355 || hi == 5355)
			ns_buf_puts(out, "LLMNR ");
	}
	if (s->opcode && s->opcode < 16 && ops[s->opcode]) {
		ns_buf_puts(out, ops[s->opcode]);
		ns_buf_puts(out, s->resp ? " response " : " ");
	} else if (s->opcode) {
		ns_buf_printf(out, "opcode %u %s", (unsigned)s->opcode,
			      s->resp ? "response " : "");
	} else {
		ns_buf_puts(out, s->resp ? "response " : "query ");
	}
	ns_buf_hex(out, s->id, 4);
}

/* A response's rcode (with EDNS's upper bits when there was an OPT). */
static void put_rcode(const struct dns_sum *s, struct ns_buf *out)
{
	uint64_t rc = s->have_full ? s->rcode_full : s->rcode;
	const char *rn = ns_valstr_find(ns_dns_rcode_vals, rc);
	ns_buf_putc(out, ' ');
	if (rn)
		ns_buf_puts(out, rn);
	else
		ns_buf_printf(out, "RCODE%u", (unsigned)rc);
}

/* The question (a query, or a response without answers). */
static void put_question(const struct dns_sum *s, struct ns_buf *out)
{
	if (s->resp)
		ns_buf_puts(out, " no answer to");
	if (s->qtype) {
		char tmp[16];
		ns_buf_putc(out, ' ');
		ns_buf_puts(out,
			    ns_dns_type_name((unsigned)s->qtype->v.u, tmp));
	}
	if (s->qname) {
		ns_buf_putc(out, ' ');
		put_text(out, s->qname->v.b.p, s->qname->v.b.n);
	}
}

static void info_one(const struct ns_packet *pkt, unsigned li,
		     struct ns_buf *out)
{
	struct dns_sum s;
	ns_dns_sum(pkt, li, &s);
	if (!s.have_id)
		return;
	put_kind(pkt, &pkt->layers[li], &s, out);
	if (s.resp)
		put_rcode(&s, out);
	if (s.tc)
		ns_buf_puts(out, " TC");
	if (!s.resp || s.nans == 0) {
		put_question(&s, out);
	} else {
		ns_buf_putc(out, ' ');
		ns_dns_put_answers(out, &s);
	}
	if (s.time)
		put_ms(out, s.time->v.i);
	if (s.retrans)
		ns_buf_puts(out, " (retransmission)");
	if (s.unsol)
		ns_buf_puts(out, " (unsolicited)");
	if (s.tc_of)
		ns_buf_printf(out, " (retry of truncated #%llu)",
			      (unsigned long long)s.tc_of);
	if (s.tc_in)
		ns_buf_printf(out, " (retried over TCP in #%llu)",
			      (unsigned long long)s.tc_in);
}

/* Every DNS message of the packet (a TCP segment may complete several). */
void ns_dns_info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	unsigned first = li;
	while (first > 0 && pkt->layers[first - 1].d == pkt->layers[li].d &&
	       pkt->layers[first - 1].src)
		first--;
	for (unsigned k = first; k <= li; k++) {
		if (k > first)
			ns_buf_puts(out, "; ");
		info_one(pkt, k, out);
	}
}
