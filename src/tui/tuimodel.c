/*
 * tuimodel — see tuimodel.h.  Fields are found by name once, at init; a
 * packet is read in one pass over its layers.
 */
#include "tui/tuimodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "flow/flow.h"
#include "proto/grpcmsg.h"
#include "flow/tcpconn.h"

#define HASH_SLOTS (2 * NS_TUI_MAX_ROWS)
#define EMPTY	   UINT32_MAX

static struct {
	const struct ns_field *h2_stream, *h2_type, *h2_es, *h2_sid, *h2_method,
	    *h2_path, *h2_status, *h2_hname, *h2_hvalue, *h2_rst, *h2_lost,
	    *g_sid, *g_path, *g_req, *g_resp, *g_first, *g_status, *g_msg, *sni,
	    *d_id, *d_resp, *d_rcode, *d_name, *d_type, *d_answers, *d_rr,
	    *d_time, *d_rcode_full;
} F;

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
#define FN(v, n) F.v = ns_field_by_name(n)
	FN(h2_stream, "http2.stream");
	FN(h2_type, "http2.type");
	FN(h2_es, "http2.flags.end_stream");
	FN(h2_sid, "http2.streamid");
	FN(h2_method, "http2.headers.method");
	FN(h2_path, "http2.headers.path");
	FN(h2_status, "http2.headers.status");
	FN(h2_hname, "http2.header.name");
	FN(h2_hvalue, "http2.header.value");
	FN(h2_rst, "http2.rst_stream.error");
	FN(h2_lost, "http2.hpack_context_lost");
	FN(g_sid, "grpc.stream_id");
	FN(g_path, "grpc.path");
	FN(g_req, "grpc.request_messages");
	FN(g_resp, "grpc.response_messages");
	FN(g_first, "grpc.first_message_time");
	FN(g_status, "grpc.status");
	FN(g_msg, "grpc.message");
	FN(sni, "tls.handshake.extensions_server_name");
	FN(d_id, "dns.id");
	FN(d_resp, "dns.flags.response");
	FN(d_rcode, "dns.flags.rcode");
	FN(d_name, "dns.qry.name");
	FN(d_type, "dns.qry.type");
	FN(d_answers, "dns.answers");
	FN(d_rr, "dns.rr");
	FN(d_time, "dns.time");
	FN(d_rcode_full, "dns.rcode");
#undef FN
	m->call = calloc(NS_TUI_MAX_ROWS, sizeof(*m->call));
	m->dns = calloc(NS_TUI_MAX_ROWS, sizeof(*m->dns));
	if (!m->call || !m->dns || hash_init(&m->call_ix) < 0 ||
	    hash_init(&m->dns_ix) < 0)
		return -1;
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
	memset(m, 0, sizeof(*m));
}

static void copy_bytes(char *dst, size_t size, const struct ns_fv *fv)
{
	struct ns_buf b = {0};
	ns_buf_escaped(&b, fv->v.b.p, fv->v.b.n);
	size_t n = b.len < size - 1 ? b.len : size - 1;
	memcpy(dst, b.p ? b.p : "", n);
	dst[n] = '\0';
	ns_buf_free(&b);
}

static int fv_is(const struct ns_fv *fv, const char *s)
{
	size_t n = strlen(s);
	return fv->v.b.n == n && memcmp(fv->v.b.p, s, n) == 0;
}

static int fv_int(const struct ns_fv *fv)
{
	int v = 0;
	for (uint32_t i = 0; i < fv->v.b.n && i < 9; i++) {
		uint8_t c = fv->v.b.p[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	return fv->v.b.n ? v : -1;
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
	static const char *order[] = {"", "dns", "http", "tls", "h2", "grpc"};
	for (int i = 0; i < 6; i++)
		if (strcmp(app, order[i]) == 0)
			return i;
	return 0;
}

static void set_app(struct ns_tui_conn *c, const char *app)
{
	if (rank(app) > rank(c->app))
		snprintf(c->app, sizeof(c->app), "%s", app);
}

/* Direction of pkt on f: 0 client→server. */
static int pkt_dir(const struct ns_packet *pkt, const struct ns_flow *f)
{
	if (!pkt->src || !pkt->dst || !pkt->has_ports ||
	    (pkt->addr_type != NS_ADDR_IPV4 && pkt->addr_type != NS_ADDR_IPV6))
		return 0;
	struct ns_flow_key k;
	int side;
	ns_flow_key_make(&k, pkt->addr_type == NS_ADDR_IPV4 ? 4 : 6,
			 f->key.proto, pkt->src, pkt->dst, pkt->sport,
			 pkt->dport, &side);
	return ns_flow_dir(f, side);
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
	c->status = c->grpc_status = -1;
	c->t_req = c->t_first_resp = c->t_first_msg = c->t_end = -1;
	hash_put(&m->call_ix, call_key(conn, sid), at);
	m->ncall++;
	return c;
}

struct h2frame {
	int type;
	int64_t sid;
	int es, status, grpc_status, lost, grpc;
	int64_t rst;
	const struct ns_fv *method, *path, *gmsg;
};

static void h2_flush(struct ns_tuimodel *m, const struct ns_packet *pkt,
		     uint32_t conn, int dir, const struct h2frame *fr)
{
	if (fr->sid <= 0)
		return;
	/* DATA, HEADERS, CONTINUATION begin a call; others only touch one */
	int create = fr->type == 0 || fr->type == 1 || fr->type == 9;
	struct ns_tui_call *c = call_row(m, conn, (uint32_t)fr->sid, create);
	if (!c)
		return;
	if (!c->first_frame) {
		c->first_frame = pkt->num;
		c->req_dir = (uint8_t)(fr->status >= 0 ? dir ^ 1 : dir);
	}
	c->last_frame = pkt->num;
	int side = dir == c->req_dir ? 0 : 1;
	if (side == 0 && c->t_req < 0)
		c->t_req = pkt->ts;
	if (side == 1 && c->t_first_resp < 0)
		c->t_first_resp = pkt->ts;
	if (fr->method)
		copy_bytes(c->method, sizeof(c->method), fr->method);
	if (fr->path)
		copy_bytes(c->path, sizeof(c->path), fr->path);
	if (fr->status >= 0)
		c->status = fr->status;
	if (fr->grpc_status >= 0)
		c->grpc_status = fr->grpc_status;
	if (fr->gmsg)
		copy_bytes(c->grpc_msg, sizeof(c->grpc_msg), fr->gmsg);
	if (fr->grpc)
		c->grpc = 1;
	if (fr->lost)
		c->hpack_lost = 1;
	if (fr->es)
		c->closed[side] = 1;
	if (fr->rst >= 0 && c->end != NS_CALL_RESET) {
		c->end = NS_CALL_RESET;
		c->rst_error = (uint32_t)fr->rst;
		if (c->t_end < 0)
			c->t_end = pkt->ts;
	}
	if (c->closed[0] && c->closed[1] && c->end == NS_CALL_OPEN) {
		c->end = NS_CALL_ENDED;
		c->t_end = pkt->ts;
	}
}

static void h2_layer(struct ns_tuimodel *m, const struct ns_packet *pkt,
		     const struct ns_layer *l, uint32_t conn, int dir)
{
	struct h2frame fr = {
	    .type = -1, .sid = -1, .status = -1, .grpc_status = -1, .rst = -1};
	const struct ns_fv *name = NULL;
	for (uint32_t i = l->fv_first + 1; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		const struct ns_field *f = fv->f;
		if (f == F.h2_stream) {
			h2_flush(m, pkt, conn, dir, &fr);
			memset(&fr, 0, sizeof(fr));
			fr.type = -1;
			fr.sid = fr.rst = -1;
			fr.status = fr.grpc_status = -1;
		} else if (f == F.h2_type) {
			fr.type = (int)fv->v.u;
		} else if (f == F.h2_es) {
			fr.es = fv->v.u != 0;
		} else if (f == F.h2_sid) {
			fr.sid = (int64_t)fv->v.u;
		} else if (f == F.h2_method) {
			fr.method = fv;
		} else if (f == F.h2_path) {
			fr.path = fv;
		} else if (f == F.h2_status) {
			fr.status = (int)fv->v.u;
		} else if (f == F.h2_rst) {
			fr.rst = (int64_t)fv->v.u;
		} else if (f == F.h2_lost) {
			fr.lost = 1;
		} else if (f == F.h2_hname) {
			name = fv;
		} else if (f == F.h2_hvalue && name) {
			if (fv_is(name, "grpc-status"))
				fr.grpc_status = fv_int(fv);
			else if (fv_is(name, "grpc-message"))
				fr.gmsg = fv;
			else if (fv_is(name, "content-type") &&
				 fv->v.b.n >= 16 &&
				 memcmp(fv->v.b.p, "application/grpc", 16) == 0)
				fr.grpc = 1;
		}
	}
	h2_flush(m, pkt, conn, dir, &fr);
}

static void grpc_layer(struct ns_tuimodel *m, const struct ns_packet *pkt,
		       const struct ns_layer *l, uint32_t conn)
{
	struct ns_tui_call *c = NULL;
	for (uint32_t i = l->fv_first + 1; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		const struct ns_field *f = fv->f;
		if (f == F.g_sid) {
			c = call_row(m, conn, (uint32_t)fv->v.u, 1);
			if (c) {
				c->grpc = 1;
				if (!c->first_frame)
					c->first_frame = pkt->num;
				c->last_frame = pkt->num;
			}
		} else if (!c) {
			continue;
		} else if (f == F.g_path && !c->path[0]) {
			copy_bytes(c->path, sizeof(c->path), fv);
		} else if (f == F.g_req) {
			c->msgs[0] = (uint32_t)fv->v.u;
		} else if (f == F.g_resp) {
			c->msgs[1] = (uint32_t)fv->v.u;
		} else if (f == F.g_first && c->t_req >= 0) {
			/* recorded when the call ends: request to the first
			 * response message, as --calls shows it */
			c->t_first_msg = c->t_req + fv->v.i;
		} else if (f == F.g_status) {
			c->grpc_status = (int)fv->v.u;
		} else if (f == F.g_msg) {
			copy_bytes(c->grpc_msg, sizeof(c->grpc_msg), fv);
		}
	}
}

/* ---- DNS
 * ---------------------------------------------------------------------- */

static void dns_layer(struct ns_tuimodel *m, const struct ns_packet *pkt,
		      const struct ns_layer *l, uint32_t flow)
{
	const struct ns_fv *id = NULL, *name = NULL, *type = NULL, *tm = NULL;
	int resp = 0, rcode = -1, ans_depth = -1;
	char answers[160] = "";
	size_t alen = 0;
	for (uint32_t i = l->fv_first + 1; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		const struct ns_field *f = fv->f;
		if (ans_depth >= 0 && fv->depth <= ans_depth)
			ans_depth = -1;
		if (f == F.d_id && !id)
			id = fv;
		else if (f == F.d_resp)
			resp = fv->v.u != 0;
		else if (f == F.d_rcode && rcode < 0)
			rcode = (int)fv->v.u;
		else if (f == F.d_rcode_full) /* with EDNS's upper bits */
			rcode = (int)fv->v.u;
		else if (f == F.d_name && !name)
			name = fv;
		else if (f == F.d_type && !type)
			type = fv;
		else if (f == F.d_time)
			tm = fv;
		else if (f == F.d_answers)
			ans_depth = fv->depth;
		else if (f == F.d_rr && ans_depth >= 0 &&
			 alen + 4 < sizeof(answers)) {
			char one[128];
			copy_bytes(one, sizeof(one), fv);
			alen += (size_t)snprintf(answers + alen,
						 sizeof(answers) - alen, "%s%s",
						 alen ? ", " : "", one);
			if (alen >= sizeof(answers))
				alen = sizeof(answers) - 1;
		}
	}
	if (!id)
		return;
	uint64_t key = (uint64_t)flow << 16 | id->v.u;
	struct ns_tui_dns *d = NULL;
	if (resp) {
		uint32_t at = hash_get(&m->dns_ix, key);
		if (at != EMPTY && !m->dns[at].answered)
			d = &m->dns[at];
	}
	if (!d) {
		uint32_t at = (uint32_t)(m->ndns % NS_TUI_MAX_ROWS);
		d = &m->dns[at];
		if (d->used)
			hash_del(&m->dns_ix, (uint64_t)d->flow << 16 | d->id,
				 at);
		memset(d, 0, sizeof(*d));
		d->used = 1;
		d->flow = flow;
		d->id = (uint16_t)id->v.u;
		d->rcode = -1;
		d->rtt = -1;
		d->t_query = pkt->ts;
		d->qframe = pkt->num;
		d->unsolicited = (uint8_t)resp;
		if (name)
			copy_bytes(d->name, sizeof(d->name), name);
		if (type) {
			const char *tn =
			    ns_valstr_find(type->f->vals, type->v.u);
			if (tn)
				snprintf(d->qtype, sizeof(d->qtype), "%s", tn);
			else
				snprintf(d->qtype, sizeof(d->qtype), "%llu",
					 (unsigned long long)type->v.u);
		}
		hash_put(&m->dns_ix, key, at);
		m->ndns++;
	}
	if (resp) {
		d->answered = 1;
		d->rcode = rcode;
		d->rframe = pkt->num;
		snprintf(d->answers, sizeof(d->answers), "%s", answers);
		if (tm)
			d->rtt = tm->v.i;
		else if (!d->unsolicited)
			d->rtt = pkt->ts - d->t_query;
	}
}

/* ---- per packet -----------------------------------------------------------
 */

void ns_tuimodel_packet(struct ns_tuimodel *m, const struct ns_packet *pkt)
{
	if (pkt->ts > m->now)
		m->now = pkt->ts;
	const struct ns_flow *f = pkt->flow;
	uint32_t flow = EMPTY;
	struct ns_tui_conn *c = NULL;
	int dir = 0;
	if (f && (f->key.proto == 6 || f->key.proto == 17)) {
		flow = (f->key.proto == 17 ? 1u << 31 : 0) | f->index;
		c = conn_row(m, f, flow);
		dir = pkt_dir(pkt, f);
	}
	if (c) {
		if (!c->first_frame)
			c->first_frame = pkt->num;
		memcpy(c->pkts, f->pkts, sizeof(c->pkts));
		memcpy(c->bytes, f->bytes, sizeof(c->bytes));
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
	for (unsigned li = 1; li < pkt->nlayers; li++) {
		const struct ns_layer *l = &pkt->layers[li];
		const char *name = l->d->name;
		if (l->quoted)
			continue;
		if (strcmp(name, "http2") == 0 && c) {
			set_app(c, "h2");
			h2_layer(m, pkt, l, flow, dir);
		} else if (strcmp(name, "grpc") == 0 && c) {
			set_app(c, "grpc");
			grpc_layer(m, pkt, l, flow);
		} else if (strcmp(name, "dns") == 0) {
			if (c)
				set_app(c, "dns");
			dns_layer(m, pkt, l, flow);
		} else if (strcmp(name, "tls") == 0 && c) {
			set_app(c, "tls");
			const struct ns_fv *s =
			    ns_pkt_find(pkt, (int)li, F.sni);
			if (s && !c->sni[0])
				copy_bytes(c->sni, sizeof(c->sni), s);
		} else if (strcmp(name, "http") == 0 && c) {
			set_app(c, "http");
		}
	}
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
	if (c->grpc_status >= 0 || c->end != NS_CALL_RESET)
		return c->grpc_status;
	return ns_grpc_rst_status(c->rst_error);
}

const char *ns_tuimodel_state_name(const struct ns_tui_conn *c)
{
	static const char *names[] = {
	    [NS_TCP_NEW] = "NEW",	   [NS_TCP_SYN_SENT] = "SYN",
	    [NS_TCP_SYN_RCVD] = "SYN-ACK", [NS_TCP_ESTABLISHED] = "ESTAB",
	    [NS_TCP_CLOSING] = "CLOSING",  [NS_TCP_CLOSED] = "CLOSED",
	    [NS_TCP_RESET] = "RESET",	   [NS_TCP_REFUSED] = "REFUSED",
	};
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
		    F.h2_rst ? ns_valstr_find(F.h2_rst->vals, c->rst_error)
			     : NULL;
		if (e)
			snprintf(buf, size, "reset %s", e);
		else
			snprintf(buf, size, "reset 0x%x", c->rst_error);
		return;
	}
	if (c->end == NS_CALL_ENDED) {
		snprintf(buf, size, "ended");
		return;
	}
	const struct ns_tui_conn *cn = ns_tuimodel_conn(m, c->conn);
	if (cn && (cn->state == NS_TCP_CLOSED || cn->state == NS_TCP_RESET))
		snprintf(buf, size, "conn closed");
	else
		snprintf(buf, size, "in flight");
}
