/*
 * tuimodel — see tuimodel.h.  Connections are read from the engine's flow
 * once per packet; calls, DNS transactions and what a connection carries
 * come from the transaction events the model subscribes to.
 */
#include "tui/tuimodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/event.h"
#include "core/field.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "flow/tcpconn.h"
#include "proto/grpcmsg.h"

#define HASH_SLOTS (2 * NS_TUI_MAX_ROWS)
#define EMPTY	   UINT32_MAX

/* ---- a small open-addressing map u64 → row ----------------------------- */

static int hash_init(struct ns_tui_hash *h)
{
	h->keys = calloc(HASH_SLOTS, sizeof(*h->keys));
	h->vals = malloc(HASH_SLOTS * sizeof(*h->vals));
	if (!h->keys || !h->vals)
		return -1;
	memset(h->vals, 0xff, HASH_SLOTS * sizeof(*h->vals));
	h->mask = HASH_SLOTS - 1;
	return 0;
}

static uint32_t hslot(const struct ns_tui_hash *h, uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (uint32_t)k & h->mask;
}

static uint32_t hash_get(const struct ns_tui_hash *h, uint64_t k)
{
	for (uint32_t i = hslot(h, k);; i = (i + 1) & h->mask) {
		if (h->vals[i] == EMPTY)
			return EMPTY;
		if (h->keys[i] == k)
			return h->vals[i];
	}
}

static void hash_put(struct ns_tui_hash *h, uint64_t k, uint32_t v)
{
	uint32_t i = hslot(h, k);
	while (h->vals[i] != EMPTY && h->keys[i] != k)
		i = (i + 1) & h->mask;
	h->keys[i] = k;
	h->vals[i] = v;
}

/* Removes k if it maps to v (backward-shift deletion keeps probes short). */
static void hash_del(struct ns_tui_hash *h, uint64_t k, uint32_t v)
{
	uint32_t i = hslot(h, k);
	while (h->vals[i] != EMPTY && h->keys[i] != k)
		i = (i + 1) & h->mask;
	if (h->vals[i] == EMPTY || h->vals[i] != v)
		return;
	h->vals[i] = EMPTY;
	for (uint32_t j = (i + 1) & h->mask; h->vals[j] != EMPTY;
	     j = (j + 1) & h->mask) {
		uint32_t home = hslot(h, h->keys[j]);
		/* j's entry may move to i when its home is not in (i, j] */
		if (((j - home) & h->mask) >= ((j - i) & h->mask)) {
			h->keys[i] = h->keys[j];
			h->vals[i] = h->vals[j];
			h->vals[j] = EMPTY;
			i = j;
		}
	}
}

static void hash_free(struct ns_tui_hash *h)
{
	free(h->keys);
	free(h->vals);
}

/* ---- init ------------------------------------------------------------------
 */

int ns_tuimodel_init(struct ns_tuimodel *m)
{
	memset(m, 0, sizeof(*m));
	m->call = calloc(NS_TUI_MAX_ROWS, sizeof(*m->call));
	m->dns = calloc(NS_TUI_MAX_ROWS, sizeof(*m->dns));
	if (!m->call || !m->dns || hash_init(&m->call_ix) < 0 ||
	    hash_init(&m->dns_ix) < 0)
		return -1;
	ns_methods_init(&m->methods, NS_METHODS_ANY);
	m->f_rst = ns_field_by_name("http2.rst_stream.error");
	m->f_sid = ns_field_by_name("http2.streamid");
	m->f_dns_id = ns_field_by_name("dns.id");
	m->f_qconn = ns_field_by_name("quic.connection.number");
	m->f_qver = ns_field_by_name("quic.version");
	m->f_qcc = ns_field_by_name("quic.cc.error_code");
	m->f_qcc_app = ns_field_by_name("quic.cc.error_code.app");
	m->f_h3err = ns_field_by_name("http3.error_code");
	return 0;
}

void ns_tuimodel_free(struct ns_tuimodel *m)
{
	free(m->conn[0]);
	free(m->conn[1]);
	free(m->call);
	free(m->dns);
	hash_free(&m->call_ix);
	hash_free(&m->dns_ix);
	ns_methods_free(&m->methods);
	memset(m, 0, sizeof(*m));
}

/* ---- connections ------------------------------------------------------------
 */

struct ns_tui_conn *ns_tuimodel_conn(struct ns_tuimodel *m, uint32_t flow)
{
	int p = flow >> 31;
	uint32_t at = (flow & 0x7fffffffu) % NS_TUI_MAX_ROWS;
	if (at >= m->conn_cap[p])
		return NULL;
	struct ns_tui_conn *c = &m->conn[p][at];
	return c->used && c->flow == flow ? c : NULL;
}

static struct ns_tui_conn *conn_row(struct ns_tuimodel *m,
				    const struct ns_flow *f, uint32_t flow)
{
	int p = flow >> 31;
	uint32_t at = (flow & 0x7fffffffu) % NS_TUI_MAX_ROWS;
	if (at >= m->conn_cap[p]) {
		uint32_t nc = m->conn_cap[p] ? m->conn_cap[p] : 256;
		while (nc <= at)
			nc *= 2;
		if (nc > NS_TUI_MAX_ROWS)
			nc = NS_TUI_MAX_ROWS;
		struct ns_tui_conn *n =
		    realloc(m->conn[p], nc * sizeof(*m->conn[p]));
		if (!n)
			return NULL;
		memset(n + m->conn_cap[p], 0,
		       (nc - m->conn_cap[p]) * sizeof(*n));
		m->conn[p] = n;
		m->conn_cap[p] = nc;
	}
	struct ns_tui_conn *c = &m->conn[p][at];
	if (c->used && c->flow == flow)
		return c;
	if (!c->used)
		m->nconn[p]++;
	memset(c, 0, sizeof(*c));
	c->used = 1;
	c->flow = flow;
	c->rtt = -1;
	c->first_ts = f->first_ts;
	struct ns_buf b = {0};
	ns_flow_endpoint(&b, f, f->client);
	snprintf(c->cli, sizeof(c->cli), "%.*s", (int)b.len, b.p);
	ns_buf_reset(&b);
	ns_flow_endpoint(&b, f, !f->client);
	snprintf(c->srv, sizeof(c->srv), "%.*s", (int)b.len, b.p);
	ns_buf_free(&b);
	return c;
}

uint64_t ns_tuimodel_rate(const struct ns_tuimodel *m,
			  const struct ns_tui_conn *c)
{
	/* the newest second is still filling: the one before it counts */
	int64_t now = m->now / 1000000000;
	if (c->rate_sec == now)
		return c->rate_prev;
	if (c->rate_sec == now - 1)
		return c->rate_cur;
	return 0;
}

static int rank(const char *app)
{
	static const char *order[] = {"",     "dns", "http", "tls",
				      "quic", "h2",  "h3",   "grpc"};
	for (int i = 0; i < 8; i++)
		if (strcmp(app, order[i]) == 0)
			return i;
	return 0;
}

static void set_app(struct ns_tui_conn *c, const char *app)
{
	if (rank(app) > rank(c->app))
		snprintf(c->app, sizeof(c->app), "%s", app);
}

/* ---- calls
 * -------------------------------------------------------------------- */

static uint64_t call_key(uint32_t conn, uint32_t sid)
{
	return (uint64_t)conn << 32 | sid;
}

static struct ns_tui_call *call_row(struct ns_tuimodel *m, uint32_t conn,
				    uint32_t sid, int create)
{
	uint32_t i = hash_get(&m->call_ix, call_key(conn, sid));
	if (i != EMPTY)
		return &m->call[i];
	if (!create)
		return NULL;
	uint32_t at = (uint32_t)(m->ncall % NS_TUI_MAX_ROWS);
	struct ns_tui_call *c = &m->call[at];
	if (c->used)
		hash_del(&m->call_ix, call_key(c->conn, c->sid), at);
	memset(c, 0, sizeof(*c));
	c->used = 1;
	c->conn = conn;
	c->sid = sid;
	c->status = c->grpc_status = c->status_meant = -1;
	c->t_req = c->t_first_resp = c->t_first_msg = c->t_end = -1;
	hash_put(&m->call_ix, call_key(conn, sid), at);
	m->ncall++;
	return c;
}

/* Copies s into dst[size], cut to fit. */
static void copy_cstr(char *dst, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);
	memcpy(dst, s, n);
	dst[n] = 0;
}

/* Copies s escaped as the views show text (no control bytes reach the
 * terminal), cut to fit. */
static void copy_escaped(char *dst, size_t size, const char *s)
{
	struct ns_buf b = {0};
	ns_buf_escaped(&b, (const uint8_t *)s, strlen(s));
	size_t n = b.len < size - 1 ? b.len : size - 1;
	memcpy(dst, b.p ? b.p : "", n);
	dst[n] = '\0';
	ns_buf_free(&b);
}

/* What a call row shows, copied from the exchange. */
static void call_copy(struct ns_tui_call *r, const struct ns_call *c)
{
	r->grpc = c->grpc;
	r->h1 = c->version == 1;
	r->h3 = c->version == 3;
	r->closed[0] = c->closed[0];
	r->closed[1] = c->closed[1];
	r->end = c->end;
	r->hpack_lost = c->hpack_lost;
	r->rst_error = c->rst_error;
	r->status = c->status;
	r->grpc_status = c->grpc_status;
	r->status_meant = ns_grpc_call_status(c);
	copy_escaped(r->method, sizeof(r->method), c->method);
	copy_escaped(r->path, sizeof(r->path), c->path);
	copy_escaped(r->grpc_msg, sizeof(r->grpc_msg), c->grpc_msg);
	r->t_req = c->t_req;
	r->t_first_resp = c->t_first_resp;
	r->t_first_msg = c->t_first_msg;
	r->t_end = c->t_end;
	r->msgs[0] = c->msgs[0];
	r->msgs[1] = c->msgs[1];
	r->sse = c->sse.on;
	r->sse_done = c->sse.done;
	r->events = c->sse.events;
	r->t_first_event = c->sse.t_first_event;
	if (c->first_frame &&
	    (!r->first_frame || c->first_frame < r->first_frame))
		r->first_frame = c->first_frame;
	if (c->last_frame > r->last_frame)
		r->last_frame = c->last_frame;
}

static uint32_t flow_key(const struct ns_flow *f)
{
	return (f->key.proto == 17 ? 1u << 31 : 0) | f->index;
}

static void on_call(struct ns_tuimodel *m, const struct ns_event *ev)
{
	const struct ns_call *c =
	    ev->type == NS_EV_HTTP_BODY ? ev->call : ev->u.call;
	if (!ev->flow || !c)
		return;
	uint32_t conn = flow_key(ev->flow);
	struct ns_tui_conn *cn = ns_tuimodel_conn(m, conn);
	if (cn)
		set_app(cn, c->grpc	      ? "grpc"
			    : c->version == 3 ? "h3"
			    : c->version == 2 ? "h2"
					      : "http");
	if (ev->type == NS_EV_HTTP_END)
		ns_methods_call(&m->methods, c);
	else if (ev->type == NS_EV_HTTP_MESSAGE)
		ns_methods_message(&m->methods, ev);
	if (c->version == 1 && !c->grpc && !c->sse.on)
		return; /* HTTP/1.1 exchanges are not listed as calls */
	struct ns_tui_call *r = call_row(m, conn, c->id, 1);
	if (!r)
		return;
	call_copy(r, c);
	if (ev->pkt && ev->pkt->num > r->last_frame)
		r->last_frame = ev->pkt->num;
	if (ev->pkt && !r->first_frame)
		r->first_frame = ev->pkt->num;
}

/* ---- DNS
 * ---------------------------------------------------------------------- */

static struct ns_tui_dns *dns_new(struct ns_tuimodel *m, uint32_t flow,
				  const struct ns_dns_txn *x)
{
	uint32_t at = (uint32_t)(m->ndns % NS_TUI_MAX_ROWS);
	struct ns_tui_dns *d = &m->dns[at];
	if (d->used)
		hash_del(&m->dns_ix, (uint64_t)d->flow << 16 | d->id, at);
	memset(d, 0, sizeof(*d));
	d->used = 1;
	d->flow = flow;
	d->id = x->id;
	d->rcode = -1;
	d->rtt = -1;
	d->t_query = x->t_query;
	d->qframe = x->query_frame;
	copy_cstr(d->name, sizeof(d->name), x->qname); /* escaped */
	copy_cstr(d->qtype, sizeof(d->qtype), x->qtype_name);
	hash_put(&m->dns_ix, (uint64_t)flow << 16 | x->id, at);
	m->ndns++;
	return d;
}

static void on_dns(struct ns_tuimodel *m, const struct ns_event *ev)
{
	const struct ns_dns_txn *x = ev->u.dns;
	uint32_t flow = ev->flow ? flow_key(ev->flow) : EMPTY;
	struct ns_tui_conn *cn = ev->flow ? ns_tuimodel_conn(m, flow) : NULL;
	if (cn)
		set_app(cn, "dns");
	if (ev->type == NS_EV_DNS_END)
		return;
	if (ev->type == NS_EV_DNS_QUERY) {
		if (!x->retransmission)
			dns_new(m, flow, x);
		return;
	}
	struct ns_tui_dns *d = NULL;
	uint32_t at = hash_get(&m->dns_ix, (uint64_t)flow << 16 | x->id);
	if (!x->unsolicited && at != EMPTY && !m->dns[at].answered)
		d = &m->dns[at];
	if (!d) {
		d = dns_new(m, flow, x);
		d->unsolicited = x->unsolicited;
		d->qframe = x->unsolicited ? x->response_frame : x->query_frame;
		d->t_query = x->unsolicited ? x->t_response : x->t_query;
	}
	d->answered = 1;
	d->rcode = x->rcode;
	d->rframe = x->response_frame;
	copy_escaped(d->answers, sizeof(d->answers), x->answers);
	if (!x->unsolicited && x->t_query >= 0)
		d->rtt = x->t_response - x->t_query;
}

static void on_tls(struct ns_tuimodel *m, const struct ns_event *ev)
{
	struct ns_tui_conn *cn =
	    ev->flow ? ns_tuimodel_conn(m, flow_key(ev->flow)) : NULL;
	if (!cn)
		return;
	const struct ns_tls_info *tls = ev->u.tls;
	set_app(cn, tls->quic ? "quic" : "tls");
	/* a QUIC row's RTT column: its handshake time (no TCP handshake) */
	if (tls->quic && tls->hs_done && cn->rtt < 0)
		cn->rtt = tls->hs_time;
	if (!cn->sni[0] && tls->sni[0])
		copy_escaped(cn->sni, sizeof(cn->sni), tls->sni);
	/* mutual TLS: known at the handshake's end (TLS 1.2 in the clear,
	 * TLS 1.3 with its keys) */
	if (tls->cert_requested)
		cn->mtls = tls->client_cert ? 2 : 1;
	const struct ns_tls_certs *certs = ns_tls_info_certs(tls);
	if (certs->client_id[0])
		copy_escaped(cn->client_id, sizeof(cn->client_id),
			     certs->client_id);
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct ns_tuimodel *m = ctx;
	if (ev->pkt && ev->pkt->ts > m->now)
		m->now = ev->pkt->ts;
	if (ev->type == NS_EV_CONN_OPEN)
		conn_row(m, ev->flow, flow_key(ev->flow));
	else if (ev->type >= NS_EV_HTTP_REQUEST && ev->type <= NS_EV_HTTP_END)
		on_call(m, ev);
	else if (ev->type >= NS_EV_DNS_QUERY)
		on_dns(m, ev);
	else if (ev->type == NS_EV_TLS_HELLO ||
		 ev->type == NS_EV_TLS_HANDSHAKE || ev->type == NS_EV_TLS_END)
		on_tls(m, ev);
}

int ns_tuimodel_subscribe(struct ns_tuimodel *m, struct ns_bus *bus)
{
	uint32_t mask =
	    NS_EV_BIT(NS_EV_CONN_OPEN) | NS_EV_HTTP_ALL |
	    NS_EV_BIT(NS_EV_DNS_QUERY) | NS_EV_BIT(NS_EV_DNS_RESPONSE) |
	    NS_EV_BIT(NS_EV_DNS_END) | NS_EV_BIT(NS_EV_TLS_HELLO) |
	    NS_EV_BIT(NS_EV_TLS_HANDSHAKE) | NS_EV_BIT(NS_EV_TLS_END);
	return ns_bus_subscribe(bus, mask, on_event, m);
}

/* ---- per packet -----------------------------------------------------------
 */

/* What a QUIC packet says of its connection (fields of its quic layer). */
struct quic_seen {
	const struct ns_fv *num, *version, *close;
	int app; /* close is an application's code */
};

static int quic_scan(const struct ns_tuimodel *m, const struct ns_packet *pkt,
		     struct quic_seen *q)
{
	memset(q, 0, sizeof(*q));
	if (!m->f_qconn || pkt->flow->key.proto != 17)
		return 0;
	for (uint32_t i = 0; i < pkt->nfv; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (fv->f == m->f_qconn)
			q->num = fv;
		else if (fv->f == m->f_qver && !q->version && fv->v.u)
			q->version = fv;
		else if ((fv->f == m->f_qcc || fv->f == m->f_qcc_app) &&
			 !q->close) {
			q->close = fv;
			q->app = fv->f == m->f_qcc_app;
		}
	}
	return q->num != NULL;
}

/* The row of the QUIC connection pkt belongs to when that is another
 * flow's (its first path's), or NULL. */
static struct ns_tui_conn *
quic_first_path(struct ns_tuimodel *m, const struct quic_seen *q, uint32_t flow)
{
	uint32_t num = (uint32_t)q->num->v.u, at = num % NS_TUI_QUIC_ROWS;
	if (!m->quic[at].used || m->quic[at].num != num) {
		m->quic[at].used = 1;
		m->quic[at].num = num;
		m->quic[at].flow = flow;
		return NULL;
	}
	if (m->quic[at].flow == flow)
		return NULL;
	/* the later path has no row of its own (its CONN_OPEN made one) */
	struct ns_tui_conn *own = ns_tuimodel_conn(m, flow);
	if (own) {
		own->used = 0;
		m->nconn[flow >> 31]--;
	}
	return ns_tuimodel_conn(m, m->quic[at].flow);
}

/* The version and the close a QUIC packet told, on its row. */
static void quic_row(struct ns_tui_conn *c, const struct quic_seen *q,
		     const struct ns_packet *pkt)
{
	c->quic = 1;
	if (q->version && !c->quic_version)
		c->quic_version = (uint32_t)q->version->v.u;
	if (q->close && !c->quic_closed) {
		const struct ns_flow *f = pkt->flow;
		c->quic_closed = 1;
		c->quic_close_app = (uint8_t)q->app;
		c->quic_close_code = q->close->v.u;
		c->quic_close_by = pkt->sport != f->key.port[f->client];
	}
}

/* A packet on a QUIC connection's later path, counted on its first
 * path's row (its client sent it when it left the flow's client end). */
static void quic_other_path(struct ns_tui_conn *c, const struct ns_packet *pkt)
{
	const struct ns_flow *f = pkt->flow;
	int dir = pkt->sport != f->key.port[f->client];
	c->xpkts[dir]++;
	c->xbytes[dir] += pkt->len;
	c->pkts[dir]++;
	c->bytes[dir] += pkt->len;
	c->last_ts = f->last_ts;
}

void ns_tuimodel_packet(struct ns_tuimodel *m, const struct ns_packet *pkt)
{
	if (pkt->ts > m->now)
		m->now = pkt->ts;
	const struct ns_flow *f = pkt->flow;
	if (!f || (f->key.proto != 6 && f->key.proto != 17))
		return;
	struct quic_seen q;
	int quic = quic_scan(m, pkt, &q);
	struct ns_tui_conn *c =
	    quic ? quic_first_path(m, &q, flow_key(f)) : NULL;
	if (c) {
		quic_other_path(c, pkt);
		quic_row(c, &q, pkt);
		return;
	}
	c = conn_row(m, f, flow_key(f));
	if (!c)
		return;
	if (quic)
		quic_row(c, &q, pkt);
	if (!c->first_frame)
		c->first_frame = pkt->num;
	for (int d = 0; d < 2; d++) {
		c->pkts[d] = f->pkts[d] + c->xpkts[d];
		c->bytes[d] = f->bytes[d] + c->xbytes[d];
	}
	c->last_ts = f->last_ts;
	if (f->tcp) {
		c->state = f->tcp->state;
		c->rtt = f->tcp->initial_rtt;
	}
	int64_t sec = pkt->ts / 1000000000;
	if (sec != c->rate_sec) {
		c->rate_prev = sec == c->rate_sec + 1 ? c->rate_cur : 0;
		c->rate_cur = 0;
		c->rate_sec = sec;
	}
	c->rate_cur += pkt->len;
}

uint32_t ns_tuimodel_calls_held(const struct ns_tuimodel *m)
{
	return m->ncall < NS_TUI_MAX_ROWS ? (uint32_t)m->ncall
					  : NS_TUI_MAX_ROWS;
}

struct ns_tui_call *ns_tuimodel_call_at(struct ns_tuimodel *m, uint32_t i)
{
	uint64_t first = m->ncall - ns_tuimodel_calls_held(m);
	return &m->call[(first + i) % NS_TUI_MAX_ROWS];
}

uint32_t ns_tuimodel_dns_held(const struct ns_tuimodel *m)
{
	return m->ndns < NS_TUI_MAX_ROWS ? (uint32_t)m->ndns : NS_TUI_MAX_ROWS;
}

struct ns_tui_dns *ns_tuimodel_dns_at(struct ns_tuimodel *m, uint32_t i)
{
	uint64_t first = m->ndns - ns_tuimodel_dns_held(m);
	return &m->dns[(first + i) % NS_TUI_MAX_ROWS];
}

int ns_tuimodel_call_status(const struct ns_tui_call *c)
{
	return c->status_meant;
}

const char *ns_tuimodel_state_name(const struct ns_tui_conn *c)
{
	static const char *names[] = {
	    [NS_TCP_NEW] = "NEW",	   [NS_TCP_SYN_SENT] = "SYN",
	    [NS_TCP_SYN_RCVD] = "SYN-ACK", [NS_TCP_ESTABLISHED] = "ESTAB",
	    [NS_TCP_CLOSING] = "CLOSING",  [NS_TCP_CLOSED] = "CLOSED",
	    [NS_TCP_RESET] = "RESET",	   [NS_TCP_REFUSED] = "REFUSED",
	};
	if (c->quic)
		return c->quic_closed ? "CLOSED" : "OPEN";
	if (c->flow >> 31)
		return "-";
	return c->state < NS_NELEM(names) && names[c->state] ? names[c->state]
							     : "?";
}

void ns_tuimodel_call_end(struct ns_tuimodel *m, const struct ns_tui_call *c,
			  char *buf, size_t size)
{
	if (c->end == NS_CALL_RESET) {
		/* the names http2.rst_stream.error shows */
		const char *e =
		    m->f_rst ? ns_valstr_find(m->f_rst->vals, c->rst_error)
			     : NULL;
		if (e)
			snprintf(buf, size, "reset %s", e);
		else
			snprintf(buf, size, "reset 0x%x", c->rst_error);
		return;
	}
	if (c->end == NS_CALL_ENDED || c->end == NS_CALL_GOAWAY) {
		snprintf(buf, size,
			 c->end == NS_CALL_ENDED ? "ended" : "GOAWAY");
		return;
	}
	const struct ns_tui_conn *cn = ns_tuimodel_conn(m, c->conn);
	if (cn && (cn->state == NS_TCP_CLOSED || cn->state == NS_TCP_RESET))
		snprintf(buf, size, "conn closed");
	else
		snprintf(buf, size, "in flight");
}

/* ---- the display filter's marks ------------------------------------------
 */

void ns_tuimodel_match(struct ns_tuimodel *m, const struct ns_packet *pkt)
{
	const struct ns_flow *f = pkt->flow;
	if (!f || (f->key.proto != 6 && f->key.proto != 17))
		return;
	uint32_t flow = flow_key(f);
	struct ns_tui_conn *c = ns_tuimodel_conn(m, flow);
	if (c)
		c->matched = 1;
	for (uint32_t i = 0; i < pkt->nfv; i++) {
		const struct ns_fv *v = &pkt->fv[i];
		if (v->f == m->f_sid && v->v.u) {
			uint32_t at = hash_get(
			    &m->call_ix, call_key(flow, (uint32_t)v->v.u));
			if (at != EMPTY)
				m->call[at].matched = 1;
		} else if (v->f == m->f_dns_id) {
			uint32_t at =
			    hash_get(&m->dns_ix, (uint64_t)flow << 16 | v->v.u);
			if (at != EMPTY)
				m->dns[at].matched = 1;
		}
	}
}

void ns_tuimodel_match_clear(struct ns_tuimodel *m)
{
	for (int p = 0; p < 2; p++)
		for (uint32_t i = 0; i < m->conn_cap[p]; i++)
			m->conn[p][i].matched = 0;
	for (uint32_t i = 0; i < NS_TUI_MAX_ROWS; i++) {
		m->call[i].matched = 0;
		m->dns[i].matched = 0;
	}
}

int ns_tuimodel_call_matched(struct ns_tuimodel *m, const struct ns_tui_call *c)
{
	if (c->matched)
		return 1;
	const struct ns_tui_conn *cn =
	    c->h1 ? ns_tuimodel_conn(m, c->conn) : NULL;
	return cn && cn->matched;
}
