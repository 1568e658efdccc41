/*
 * timing — see timing.h.
 */
#include "reports/timing.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/engine.h"
#include "core/event.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "flow/tcpconn.h"

#define LOOKUP_NS (10 * 1000000000LL) /* a lookup's queries, at most */
#define GAP_NS	  1000000000LL	      /* a pause that ends a lookup */

/* What the connection's TLS and HTTP said, until it ends. */
struct conn {
	uint8_t tls, http;
	int64_t hs_end;	       /* the TLS handshake's end */
	int64_t t_req, t_resp; /* the first exchange's */
	int64_t t_end;	       /* the last exchange's end */
};

static struct conn *conn_of(struct ns_timing *t, uint64_t uid)
{
	int made;
	struct conn *c = ns_keymap_get(&t->conns, &uid, sizeof(uid), 1, &made);
	if (c && made) {
		c->hs_end = c->t_req = c->t_resp = c->t_end = -1;
	}
	return c;
}

/* The addresses in a DNS answer's text ("A 192.0.2.7, AAAA ::1"). */
static void parse_addrs(struct ns_timing_dns *d, const char *answers)
{
	char buf[160];
	snprintf(buf, sizeof(buf), "%s", answers);
	char *save = NULL, *prev = NULL;
	for (char *w = strtok_r(buf, " ,", &save); w && d->naddr < 4;
	     w = strtok_r(NULL, " ,", &save)) {
		uint8_t *a = d->addr[d->naddr];
		if (prev && strcmp(prev, "A") == 0 && inet_pton(AF_INET, w, a))
			d->naddr++;
		else if (prev && strcmp(prev, "AAAA") == 0 &&
			 inet_pton(AF_INET6, w, a))
			d->naddr++;
		prev = w;
	}
}

static void on_dns(struct ns_timing *t, const struct ns_event *ev)
{
	const struct ns_dns_txn *x = ev->u.dns;
	if (!x->answered || x->retransmission || !ev->flow || !x->qname[0])
		return;
	struct ns_timing_dns *d = &t->dns[t->dns_at++ % NS_TIMING_DNS];
	memset(d, 0, sizeof(*d));
	d->used = 1;
	d->nx = x->rcode == 3;
	memcpy(d->client, ev->flow->key.addr[ev->flow->client], 16);
	d->qtype = x->qtype;
	d->t_query = x->t_query;
	d->t_response = x->t_response;
	snprintf(d->qname, sizeof(d->qname), "%s", x->qname);
	if (x->rcode == 0)
		parse_addrs(d, x->answers);
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct ns_timing *t = ctx;
	if (ev->type == NS_EV_DNS_RESPONSE) {
		on_dns(t, ev);
		return;
	}
	if (ev->type == NS_EV_TLS_END) {
		const struct ns_tls_info *i = ev->u.tls;
		struct conn *c =
		    ev->flow ? conn_of(t, ns_flow_uid(ev->flow)) : NULL;
		if (c) {
			c->tls = 1;
			if (i->fin_ts > 0)
				c->hs_end = i->fin_ts;
		}
		return;
	}
	const struct ns_call *k = ev->u.call; /* HTTP_END */
	if (k->pushed || k->status == 101)
		return;
	struct conn *c = conn_of(t, k->conn_uid);
	if (!c)
		return;
	c->http = 1;
	if (k->t_req >= 0 && (c->t_req < 0 || k->t_req < c->t_req)) {
		c->t_req = k->t_req;
		c->t_resp = k->t_first_resp;
	}
	if (k->t_end > c->t_end)
		c->t_end = k->t_end;
}

int ns_timing_start(struct ns_timing *t, struct ns_engine *e)
{
	memset(t->dns, 0, sizeof(t->dns));
	t->dns_at = 0;
	ns_keymap_init(&t->conns, sizeof(struct conn), NS_TIMING_CONNS);
	return ns_bus_subscribe(&e->bus,
				NS_EV_BIT(NS_EV_DNS_RESPONSE) |
				    NS_EV_BIT(NS_EV_TLS_END) |
				    NS_EV_BIT(NS_EV_HTTP_END),
				on_event, t);
}

static int has_addr(const struct ns_timing_dns *d, const uint8_t *a, int v4)
{
	for (unsigned i = 0; i < d->naddr; i++)
		if (memcmp(d->addr[i], a, v4 ? 4 : 16) == 0)
			return 1;
	return 0;
}

/* Whether name is `base` or `base.SUFFIX` (a search walk's). */
static int of_lookup(const char *name, const char *base)
{
	size_t n = strlen(base);
	return strncmp(name, base, n) == 0 && (!name[n] || name[n] == '.');
}

/* The lookup that gave the client the server's address before `syn`:
 * its start and end in row, and the walk; 0 when none is in the ring. */
static int lookup(const struct ns_timing *t, const struct ns_flow *f,
		  int64_t syn, struct ns_timing_row *row)
{
	const uint8_t *client = f->key.addr[f->client];
	const uint8_t *server = f->key.addr[!f->client];
	int v4 = f->key.family == 4;
	const struct ns_timing_dns *ans = NULL;
	for (unsigned k = 0; k < NS_TIMING_DNS; k++) {
		const struct ns_timing_dns *d = &t->dns[k];
		if (d->used && d->t_response <= syn &&
		    memcmp(d->client, client, 16) == 0 &&
		    has_addr(d, server, v4) &&
		    (!ans || d->t_response > ans->t_response))
			ans = d;
	}
	if (!ans)
		return 0;
	/* this client's answers for the name or a walk of it, before the
	 * SYN, latest first */
	unsigned ix[NS_TIMING_DNS], n = 0;
	for (unsigned k = 0; k < NS_TIMING_DNS; k++) {
		const struct ns_timing_dns *d = &t->dns[k];
		if (d->used && memcmp(d->client, client, 16) == 0 &&
		    d->t_response <= syn &&
		    ans->t_query - d->t_query <= LOOKUP_NS &&
		    of_lookup(d->qname, ans->qname))
			ix[n++] = k;
	}
	for (unsigned i = 1; i < n; i++) /* few: insertion sort */
		for (unsigned j = i;
		     j > 0 && t->dns[ix[j]].t_query > t->dns[ix[j - 1]].t_query;
		     j--) {
			unsigned x = ix[j];
			ix[j] = ix[j - 1];
			ix[j - 1] = x;
		}
	/* the lookup: the name's answers, one per type (A and AAAA go
	 * together), then before them the NXDOMAINs of its walk; what comes
	 * earlier (the name again, or a pause of a second) is another */
	int64_t start = ans->t_query, end = ans->t_response;
	int walking = 0;
	uint16_t types[8];
	unsigned ntypes = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct ns_timing_dns *d = &t->dns[ix[i]];
		if (d->t_response < start - GAP_NS)
			break;
		int own = strcmp(d->qname, ans->qname) == 0;
		if (own) {
			int dup = walking || d->t_query > ans->t_query + GAP_NS;
			for (unsigned k = 0; k < ntypes; k++)
				dup |= types[k] == d->qtype;
			if (dup && d != ans)
				break;
			if (ntypes < 8)
				types[ntypes++] = d->qtype;
		} else if (d->nx) {
			walking = 1;
			row->walk++;
		} else {
			break;
		}
		if (d->t_query < start)
			start = d->t_query;
		if (d->t_response > end)
			end = d->t_response;
	}
	row->start = start;
	row->namelookup = end - start;
	snprintf(row->name, sizeof(row->name), "%s", ans->qname);
	return 1;
}

static int64_t since(int64_t t, int64_t start)
{
	return t >= 0 && t >= start ? t - start : -1;
}

int ns_timing_of(struct ns_timing *t, const struct ns_flow *f,
		 struct ns_timing_row *row)
{
	memset(row, 0, sizeof(*row));
	row->namelookup = row->connect = row->appconnect = -1;
	row->starttransfer = row->total = row->ttfb = -1;
	const struct ns_tcp_conn *tc = f->tcp;
	uint64_t uid = ns_flow_uid(f);
	struct conn none = {0, 0, -1, -1, -1, -1};
	const struct conn *c =
	    ns_keymap_get(&t->conns, &uid, sizeof(uid), 0, NULL);
	if (c)
		none = *c;
	ns_keymap_del(&t->conns, &uid, sizeof(uid));
	c = &none;
	if (!tc || !tc->syn_seen)
		return -1;
	row->start = tc->syn_ts;
	lookup(t, f, tc->syn_ts, row);
	if (tc->synack_seen)
		row->connect = since(tc->synack_ts, row->start);
	if (c->tls)
		row->appconnect = since(c->hs_end, row->start);
	int64_t req = c->http ? c->t_req : tc->first_data_ts[0];
	int64_t resp = c->http ? c->t_resp : tc->first_data_ts[1];
	if (c->tls && !c->http)
		req = resp = -1; /* encrypted: the answer's record unknown */
	row->starttransfer = since(resp, row->start);
	if (req >= 0 && resp >= req)
		row->ttfb = resp - req;
	int64_t last =
	    c->http && c->t_end >= 0 ? c->t_end : tc->last_data_ts[1];
	row->total = since(last, row->start);
	return 0;
}

void ns_timing_free(struct ns_timing *t)
{
	ns_keymap_free(&t->conns, NULL);
}
