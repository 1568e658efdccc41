/*
 * dns_txn — DNS queries matched to their responses, and the transaction
 * events that tell the rest of netscope about them.
 *
 * Matching is per flow (the UDP flow, or the TCP connection) and
 * transaction id, as tshark does: a response gets dns.response_to and
 * dns.time; a query with the id of an unanswered one less than 5 s old is
 * a retransmission (dns.retransmit_request_in), a second response to one
 * query too (dns.retransmit_response_in), and a response matching no
 * query is unsolicited.  The state is a ring of the latest transactions
 * (struct dns_flow: 4 slots, growing to 64 while answers are outstanding)
 * in the flow's slot for this dissector (ns_flow_state()), freed with the
 * flow.  A query learns the frame of its response (dns.response_in) only
 * in two-pass analysis (-2): in the first pass the response leaves a note
 * on the query's frame and layer (ns_engine_note()), which the second pass
 * reads.
 *
 * Events (core/event.h, payload struct ns_dns_txn from core/txn.h), on the
 * engine's bus: NS_EV_DNS_QUERY for each query (retransmission set when it
 * repeats one unanswered), NS_EV_DNS_RESPONSE for each response (matched
 * to its query, a repeated answer, or unsolicited), NS_EV_DNS_END for a
 * query that leaves unanswered: newer ones pushed it out of the ring, or
 * its flow's state is freed (the flow ended; pkt is then NULL and ts the
 * flow's last packet).  A transaction's question, rcode and answers are
 * read from the message's fields (ns_dns_sum(), as the summary line reads
 * them).  Nothing is built when nobody listens (ns_bus_wants()); the
 * query's name is kept in its slot only while someone listens for END or
 * RESPONSE, so memory stays bounded by the ring and the flow table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/event.h"
#include "core/txn.h"
#include "core/mem.h"
#include "dns_int.h"
#include "flow/flow.h"
#include "flow/transport.h"

#define RETRANS_NS (5 * 1000000000LL) /* tshark's retransmission timer */

/* ---- the transaction's text ----------------------------------------- */

/* Copies n bytes of text into dst (size bytes with its NUL); what does not
 * fit is cut, at a character boundary, and ends with "…". */
static void copy_cut(char *dst, size_t size, const char *src, size_t n)
{
	if (n < size) {
		if (n)
			memcpy(dst, src, n);
		dst[n] = 0;
		return;
	}
	size_t k = size - 4; /* room for "…" and the NUL */
	while (k > 0 && ((uint8_t)src[k] & 0xc0) == 0x80)
		k--; /* not inside a UTF-8 sequence */
	memcpy(dst, src, k);
	memcpy(dst + k, "\xe2\x80\xa6", 4);
}

static void set_qtype(struct ns_dns_txn *x, unsigned qtype)
{
	char tmp[16];
	const char *n = ns_dns_type_name(qtype, tmp);
	x->qtype = (uint16_t)qtype;
	copy_cut(x->qtype_name, sizeof(x->qtype_name), n, strlen(n));
}

static void txn_init(struct ns_dns_txn *x, uint16_t id,
		     const struct dns_flow *df)
{
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->tcp = df->tcp;
	x->rcode = -1;
	x->t_query = -1;
	x->t_response = -1;
}

/* The message's first question, its name escaped as dns.qry.name is
 * shown (the message's scratch buffer holds the text on the way: dns.rr's
 * texts are in the arena by now). */
static void txn_question(struct ns_dns_txn *x, struct dns_msg *m)
{
	if (m->have_qtype)
		set_qtype(x, m->qtype);
	if (m->qname) {
		m->rr.len = 0;
		ns_buf_escaped(&m->rr, m->qname, m->qname_n);
		copy_cut(x->qname, sizeof(x->qname), m->rr.p, m->rr.len);
	}
}

/* What the response says: rcode, answers, when. */
static void txn_answer(struct ns_dns_txn *x, const struct ns_packet *pkt,
		       const struct dns_sum *s, struct ns_buf *tmp)
{
	x->rcode = (int)(s->have_full ? s->rcode_full : s->rcode);
	tmp->len = 0;
	ns_dns_put_answers(tmp, s);
	copy_cut(x->answers, sizeof(x->answers), tmp->p, tmp->len);
	x->t_response = pkt->ts;
	x->response_frame = pkt->num;
}

/* The query a slot remembers (for DNS_END, or a response that repeats no
 * question). */
static void txn_from_slot(struct ns_dns_txn *x, const struct dns_slot *t)
{
	if (t->has_q)
		set_qtype(x, t->qtype);
	if (t->qname)
		copy_cut(x->qname, sizeof(x->qname), t->qname,
			 strlen(t->qname));
	x->t_query = t->req_ts;
	x->query_frame = t->req_frame;
}

static void publish(const struct ns_bus *bus, enum ns_ev_type type,
		    const struct ns_packet *pkt, const struct ns_flow *flow,
		    int64_t ts, const struct ns_dns_txn *x)
{
	struct ns_event ev = {.type = type, .pkt = pkt, .flow = flow, .ts = ts};
	/* queries go client to server */
	ev.dir = type == NS_EV_DNS_RESPONSE;
	ev.u.dns = x;
	ns_bus_publish(bus, &ev);
}

/* ---- the ring ------------------------------------------------------- */

static char *mem_strdup(struct ns_mem *mem, const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = ns_mem_alloc(mem, n);
	if (c)
		memcpy(c, s, n);
	return c;
}

/* The slot of an unanswered query ends: DNS_END, and its name goes. */
static void slot_end(const struct dns_flow *df, struct dns_slot *t,
		     const struct ns_packet *pkt, int64_t ts)
{
	if (ns_bus_wants(df->bus, NS_EV_DNS_END)) {
		struct ns_dns_txn x;
		txn_init(&x, t->id, df);
		txn_from_slot(&x, t);
		publish(df->bus, NS_EV_DNS_END, pkt, df->flow, ts, &x);
	}
	ns_mem_free(df->mem, t->qname);
	t->qname = NULL;
}

void ns_dns_flow_free(void *p)
{
	struct dns_flow *df = p;
	if (!df->cap)
		return;
	/* oldest first */
	for (unsigned k = 0; k < df->cap; k++) {
		struct dns_slot *t = &df->t[(df->next + k) % df->cap];
		if (t->used && !t->rep_frame)
			slot_end(df, t, NULL, df->flow->last_ts);
		ns_mem_free(df->mem, t->qname);
	}
	if (df->t != df->first)
		ns_mem_free(df->mem, df->t);
}

/* The newest transaction with this id, or NULL. */
static struct dns_slot *slot_find(struct dns_flow *df, uint16_t id)
{
	for (unsigned k = 1; k <= df->cap; k++) {
		struct dns_slot *t = &df->t[(df->next + df->cap - k) % df->cap];
		if (t->used && t->id == id)
			return t;
	}
	return NULL;
}

/* Doubles the ring, oldest first, so the slot after them is free; 0, or
 * -1 without memory (the ring stays as it was). */
static int ring_grow(struct dns_flow *df)
{
	struct dns_slot *n =
	    ns_mem_alloc(df->mem, 2 * (size_t)df->cap * sizeof(*n));
	if (!n)
		return -1;
	for (unsigned i = 0; i < df->cap; i++)
		n[i] = df->t[(df->next + i) % df->cap];
	if (df->t != df->first)
		ns_mem_free(df->mem, df->t);
	df->t = n;
	df->next = df->cap;
	df->cap *= 2;
	return 0;
}

/* The slot for a new query: the next one, after growing the ring if that
 * one still waits for its answer; if it still does, that query ends. */
static struct dns_slot *slot_take(struct dns_flow *df,
				  const struct ns_packet *pkt)
{
	struct dns_slot *t = &df->t[df->next];
	if (t->used && !t->rep_frame && df->cap < TXN_RING &&
	    ring_grow(df) == 0)
		t = &df->t[df->next];
	if (t->used && !t->rep_frame)
		slot_end(df, t, pkt, pkt->ts); /* pushed out of the ring */
	ns_mem_free(df->mem, t->qname);
	memset(t, 0, sizeof(*t));
	df->next = (df->next + 1) % df->cap;
	return t;
}

/* The flow's state, made on the flow's first message. */
static struct dns_flow *flow_state(struct dns_msg *m)
{
	struct ns_packet *pkt = m->pkt;
	if (!pkt->flow || pkt->quoted || !pkt->eng)
		return NULL;
	struct dns_flow *df = ns_flow_state(pkt, m->cx);
	if (df && !df->cap) {
		df->t = df->first;
		df->cap = TXN_FIRST;
		df->tcp = pkt->flow->key.proto == 6;
		df->bus = &pkt->eng->bus;
		df->mem = &pkt->eng->mem;
		df->flow = pkt->flow;
	}
	return df;
}

/* ---- queries and responses ------------------------------------------ */

/* DNS_QUERY; the new query's slot t (NULL for a retransmission) keeps its
 * name for later events when someone will want it. */
static void tell_query(struct dns_msg *m, const struct dns_flow *df,
		       uint16_t id, struct dns_slot *t)
{
	const struct ns_packet *pkt = m->pkt;
	int keep = t && (ns_bus_wants(df->bus, NS_EV_DNS_END) ||
			 ns_bus_wants(df->bus, NS_EV_DNS_RESPONSE));
	if (!keep && !ns_bus_wants(df->bus, NS_EV_DNS_QUERY))
		return;
	struct ns_dns_txn x;
	txn_init(&x, id, df);
	txn_question(&x, m);
	x.retransmission = t == NULL;
	x.t_query = pkt->ts;
	x.query_frame = pkt->num;
	if (keep) {
		t->has_q = (uint8_t)m->have_qtype;
		t->qtype = x.qtype;
		t->qname = m->qname ? mem_strdup(df->mem, x.qname) : NULL;
	}
	publish(df->bus, NS_EV_DNS_QUERY, pkt, df->flow, pkt->ts, &x);
}

static void query_seen(struct dns_msg *m, struct dns_flow *df, uint16_t id,
		       int show)
{
	struct ns_packet *pkt = m->pkt;
	struct dns_slot *t = slot_find(df, id);
	if (t && !t->rep_frame && pkt->ts - t->req_ts < RETRANS_NS) {
		if (show) {
			ns_add_uint(pkt, DNS_F(F_RETRANSMISSION), 0, 0, 1);
			ns_add_uint(pkt, DNS_F(F_RETRANS_REQ_IN), 0, 0,
				    t->req_frame);
		}
		tell_query(m, df, id, NULL);
		return;
	}
	t = slot_take(df, pkt);
	t->used = 1;
	t->id = id;
	t->req_frame = pkt->num;
	t->req_layer = pkt->cur_layer;
	t->req_ts = pkt->ts;
	/* -2: where the answer is, noted by the first pass; tshark shows it
	 * at the end of the query, where a response shows dns.response_to */
	uint64_t rep;
	if (show && ns_engine_noted(pkt->eng, pkt->num, pkt->cur_layer,
				    DNS_F(F_RESPONSE_IN), &rep))
		ns_add_uint(pkt, DNS_F(F_RESPONSE_IN), 0, 0, rep);
	tell_query(m, df, id, t);
}

enum { MATCHED, REPEATED, UNSOLICITED };

/* DNS_RESPONSE, for a response to t (NULL: unsolicited). */
static void tell_response(struct dns_msg *m, const struct dns_flow *df,
			  uint16_t id, const struct dns_slot *t, int how)
{
	const struct ns_packet *pkt = m->pkt;
	if (!ns_bus_wants(df->bus, NS_EV_DNS_RESPONSE))
		return;
	struct ns_dns_txn x;
	struct dns_sum s;
	txn_init(&x, id, df);
	ns_dns_sum(pkt, pkt->cur_layer, &s);
	/* the query's question, unless the response repeats it (as it
	 * should: RFC 1035 4.1.1) */
	if (t)
		txn_from_slot(&x, t);
	txn_question(&x, m);
	x.answered = t != NULL;
	x.retransmission = how == REPEATED;
	x.unsolicited = how == UNSOLICITED;
	txn_answer(&x, pkt, &s, &m->rr);
	publish(df->bus, NS_EV_DNS_RESPONSE, pkt, df->flow, pkt->ts, &x);
}

static void response_seen(struct dns_msg *m, struct dns_flow *df, uint16_t id,
			  int show)
{
	struct ns_packet *pkt = m->pkt;
	struct dns_slot *t = slot_find(df, id);
	if (!t) {
		if (show)
			ns_add_uint(pkt, DNS_F(F_UNSOLICITED), 0, 0, 1);
		tell_response(m, df, id, NULL, UNSOLICITED);
		return;
	}
	if (t->rep_frame && t->rep_frame != pkt->num) {
		/* a second answer: tshark names the first, not the query */
		if (show) {
			ns_add_uint(pkt, DNS_F(F_RETRANSMISSION), 0, 0, 1);
			ns_add_uint(pkt, DNS_F(F_RETRANS_RESP_IN), 0, 0,
				    t->rep_frame);
		}
		tell_response(m, df, id, t, REPEATED);
		return;
	}
	t->rep_frame = pkt->num;
	ns_engine_note(pkt->eng, t->req_frame, t->req_layer,
		       DNS_F(F_RESPONSE_IN), pkt->num);
	if (show) {
		ns_add_uint(pkt, DNS_F(F_RESPONSE_TO), 0, 0, t->req_frame);
		ns_add_int(pkt, DNS_F(F_TIME), 0, 0, pkt->ts - t->req_ts);
	}
	tell_response(m, df, id, t, MATCHED);
}

/* ---- a truncated UDP answer and its retry over TCP ------------------ */

/* The newest truncated UDP answers (TC set), kept for the run since the
 * retry comes on another flow: its client, server, question and frame. */
#define TC_KEEP	    16
#define TC_RETRY_NS (5 * 1000000000LL)

struct tc_answer {
	uint8_t used;
	uint8_t client[16], server[16];
	uint16_t qtype;
	unsigned layer;
	uint64_t frame;
	int64_t ts;
	char qname[256];
};

struct dns_run {
	struct tc_answer a[TC_KEEP];
	unsigned at;
};

static int same_question(const struct tc_answer *a, const struct dns_msg *m)
{
	return m->qname && a->qtype == m->qtype &&
	       strlen(a->qname) == m->qname_n &&
	       memcmp(a->qname, m->qname, m->qname_n) == 0;
}

/* A UDP answer with TC: remembered.  A TCP query: tied to the truncated
 * answer it retries (same client, server and question, within 5 s), in
 * both directions with -2. */
static void tc_match(struct dns_msg *m, int response, int show)
{
	struct ns_packet *pkt = m->pkt;
	const struct ns_flow *f = pkt->flow;
	if (!f || !pkt->eng || !m->have_qtype || !m->qname)
		return;
	int tcp = f->key.proto == 6;
	if ((response && (tcp || !m->tc)) || (!response && !tcp))
		return;
	struct dns_run *run =
	    ns_engine_slot(pkt->eng, m->cx->d, sizeof(struct dns_run), NULL);
	if (!run)
		return;
	const uint8_t *client = f->key.addr[f->client];
	const uint8_t *server = f->key.addr[!f->client];
	if (response) { /* truncated: kept for the retry */
		uint64_t in;
		if (show && ns_engine_noted(pkt->eng, pkt->num, pkt->cur_layer,
					    DNS_F(F_TC_RETRY_IN), &in))
			ns_add_uint(pkt, DNS_F(F_TC_RETRY_IN), 0, 0, in);
		struct tc_answer *a = &run->a[run->at++ % TC_KEEP];
		a->used = 1;
		memcpy(a->client, client, 16);
		memcpy(a->server, server, 16);
		a->qtype = (uint16_t)m->qtype;
		a->frame = pkt->num;
		a->layer = pkt->cur_layer;
		a->ts = pkt->ts;
		copy_cut(a->qname, sizeof(a->qname), (const char *)m->qname,
			 m->qname_n);
		return;
	}
	for (unsigned i = 0; i < TC_KEEP; i++) {
		struct tc_answer *a = &run->a[i];
		if (!a->used || pkt->ts - a->ts > TC_RETRY_NS ||
		    pkt->ts < a->ts || memcmp(a->client, client, 16) != 0 ||
		    memcmp(a->server, server, 16) != 0 || !same_question(a, m))
			continue;
		if (show)
			ns_add_uint(pkt, DNS_F(F_TC_RETRY_OF), 0, 0, a->frame);
		ns_engine_note(pkt->eng, a->frame, a->layer,
			       DNS_F(F_TC_RETRY_IN), pkt->num);
		a->used = 0;
		return;
	}
}

void ns_dns_match(struct dns_msg *m, uint16_t id, int response, int show)
{
	tc_match(m, response, show);
	struct dns_flow *df = flow_state(m);
	if (!df)
		return;
	if (response)
		response_seen(m, df, id, show);
	else
		query_seen(m, df, id, show);
}
