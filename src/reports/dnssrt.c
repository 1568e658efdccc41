/*
 * dnssrt — `-z dns,srt[,N]`: DNS response times and outcomes per query
 * type, per name (the N names queried most, default 10), and the search
 * walks: what a resolver's search list cost before the answer.
 *
 * Fed by the DNS transactions (NS_EV_DNS_QUERY, _RESPONSE, _END from
 * dissectors/app/dns_txn.c).  Per row: queries (new ones), answered, the
 * rcode mix of the answers, the response time (query to its matched
 * response) as p50/p99/max, unanswered, and retransmitted queries.
 *
 * A search walk is the stub resolver trying NAME.SUFFIX for each suffix
 * of its search list before NAME itself (Kubernetes' `ndots:5`: a lookup
 * of api.example.com asks api.example.com.ns.svc.cluster.local,
 * ….svc.cluster.local, ….cluster.local, and only then api.example.com).
 * It is seen as NXDOMAIN answers, to the same client and for the same
 * type, of names that extend NAME by a suffix, asked less than 10 s
 * before the query for NAME that is answered without error.  Per name:
 * the walks, the NXDOMAIN queries they cost, and the time they added (the
 * first walk query to the query for NAME).
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/field.h"
#include "core/quant.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "reports/keymap.h"
#include "reports/report.h"
#include "reports/table.h"

#define MAX_NAMES 10000
#define NRCODE	  25  /* rcodes 0..23 (BADCOOKIE), and any other */
#define RING	  256 /* NXDOMAIN answers a walk may be made of */
#define WALK_NS	  (10 * 1000000000LL)
#define POOL	  (4u * 1000 * 1000)

struct drow {
	uint64_t queries, answered, unanswered, retrans;
	uint64_t rcode[NRCODE];
	struct ns_quant rt;
};

struct walkrow {
	uint64_t walks, nx;
	struct ns_quant added;
};

struct nx {
	uint8_t used;
	uint8_t addr[16];
	uint16_t qtype;
	int64_t t_query;
	char name[256];
};

struct dnssrt {
	unsigned top;
	uint64_t pool;
	struct ns_keymap types, names, walks;
	struct drow other; /* names past MAX_NAMES */
	uint8_t other_used;
	uint64_t unsolicited;
	struct nx ring[RING];
	unsigned ring_at;
	const struct ns_field *f_rcode;
};

static struct drow *drow_of(struct dnssrt *d, struct ns_keymap *m,
			    const char *key)
{
	int made;
	struct drow *r = ns_keymap_get(m, key, strlen(key), 1, &made);
	if (r && made)
		ns_quant_init(&r->rt, &d->pool);
	if (!r) {
		r = &d->other;
		if (!d->other_used)
			ns_quant_init(&r->rt, &d->pool);
		d->other_used = 1;
	}
	return r;
}

static void drow_free(void *slot)
{
	ns_quant_free(&((struct drow *)slot)->rt);
}

static void walkrow_free(void *slot)
{
	ns_quant_free(&((struct walkrow *)slot)->added);
}

static const uint8_t *client_addr(const struct ns_event *ev)
{
	static const uint8_t none[16];
	return ev->flow ? ev->flow->key.addr[ev->flow->client] : none;
}

/* An answer without error for x: the NXDOMAINs of its walk, if any. */
static void walk_end(struct dnssrt *d, const struct ns_event *ev,
		     const struct ns_dns_txn *x)
{
	size_t n = strlen(x->qname);
	const uint8_t *addr = client_addr(ev);
	uint64_t nx = 0;
	int64_t first = x->t_query;
	for (unsigned i = 0; i < RING && n; i++) {
		struct nx *e = &d->ring[i];
		if (!e->used || e->qtype != x->qtype ||
		    memcmp(e->addr, addr, 16) != 0 ||
		    x->t_query - e->t_query > WALK_NS ||
		    e->t_query > x->t_query ||
		    strncmp(e->name, x->qname, n) != 0 || e->name[n] != '.')
			continue;
		nx++;
		if (e->t_query < first)
			first = e->t_query;
		e->used = 0;
	}
	if (!nx)
		return;
	int made;
	struct walkrow *w = ns_keymap_get(&d->walks, x->qname, n, 1, &made);
	if (!w)
		return;
	if (made)
		ns_quant_init(&w->added, &d->pool);
	w->walks++;
	w->nx += nx;
	ns_quant_add(&w->added, x->t_query - first);
}

static void nx_add(struct dnssrt *d, const struct ns_event *ev,
		   const struct ns_dns_txn *x)
{
	struct nx *e = &d->ring[d->ring_at++ % RING];
	e->used = 1;
	memcpy(e->addr, client_addr(ev), 16);
	e->qtype = x->qtype;
	e->t_query = x->t_query;
	snprintf(e->name, sizeof(e->name), "%s", x->qname);
}

static void count(struct drow *r, const struct ns_event *ev,
		  const struct ns_dns_txn *x)
{
	switch (ev->type) {
	case NS_EV_DNS_QUERY:
		if (x->retransmission)
			r->retrans++;
		else
			r->queries++;
		break;
	case NS_EV_DNS_RESPONSE:
		r->answered++;
		r->rcode[x->rcode >= 0 && x->rcode < NRCODE - 1 ? x->rcode
								: NRCODE - 1]++;
		if (x->t_query >= 0 && x->t_response >= x->t_query)
			ns_quant_add(&r->rt, x->t_response - x->t_query);
		break;
	default:
		r->unanswered++;
		break;
	}
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct dnssrt *d = ctx;
	const struct ns_dns_txn *x = ev->u.dns;
	if (ev->type == NS_EV_DNS_RESPONSE &&
	    (!x->answered || x->retransmission)) {
		d->unsolicited += x->unsolicited;
		return; /* counted with its query, or asked by nobody */
	}
	const char *type = x->qtype_name[0] ? x->qtype_name : "(none)";
	count(drow_of(d, &d->types, type), ev, x);
	count(drow_of(d, &d->names, x->qname[0] ? x->qname : "<Root>"), ev, x);
	if (ev->type == NS_EV_DNS_RESPONSE && x->rcode == 3)
		nx_add(d, ev, x);
	else if (ev->type == NS_EV_DNS_RESPONSE && x->rcode == 0)
		walk_end(d, ev, x);
}

static void *dnssrt_start(struct ns_engine *e, const char *arg, char *err,
			  size_t errlen)
{
	char *end = NULL;
	long top = *arg ? strtol(arg, &end, 10) : 10;
	if (*arg && (*end || top < 1 || top > 100000)) {
		snprintf(err, errlen,
			 "-z dns,srt,%s: N is the names to list (1-100000)",
			 arg);
		return NULL;
	}
	struct dnssrt *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->top = (unsigned)top;
	d->pool = POOL;
	ns_keymap_init(&d->types, sizeof(struct drow), 1024);
	ns_keymap_init(&d->names, sizeof(struct drow), MAX_NAMES);
	ns_keymap_init(&d->walks, sizeof(struct walkrow), MAX_NAMES);
	d->f_rcode = ns_field_by_name("dns.flags.rcode");
	ns_bus_subscribe(&e->bus,
			 NS_EV_BIT(NS_EV_DNS_QUERY) |
			     NS_EV_BIT(NS_EV_DNS_RESPONSE) |
			     NS_EV_BIT(NS_EV_DNS_END),
			 on_event, d);
	return d;
}

static void rcode_mix(const struct dnssrt *d, const struct drow *r, char *out,
		      size_t cap)
{
	size_t k = 0;
	out[0] = 0;
	for (unsigned i = 0; i < NRCODE && k < cap; i++) {
		if (!r->rcode[i])
			continue;
		const char *name = i == NRCODE - 1 ? "other"
				   : d->f_rcode
				       ? ns_valstr_find(d->f_rcode->vals, i)
				       : NULL;
		if (name)
			k += (size_t)snprintf(out + k, cap - k, "%s%s:%llu",
					      k ? " " : "", name,
					      (unsigned long long)r->rcode[i]);
		else
			k += (size_t)snprintf(out + k, cap - k, "%s%u:%llu",
					      k ? " " : "", i,
					      (unsigned long long)r->rcode[i]);
	}
}

static void put_drow(const struct dnssrt *d, struct ns_table *t,
		     const char *key, struct drow *r, int *approx)
{
	char mix[256];
	rcode_mix(d, r, mix, sizeof(mix));
	ns_table_row(t);
	ns_table_str(t, key);
	ns_table_u64(t, r->queries);
	ns_table_u64(t, r->answered);
	ns_table_str(t, mix);
	ns_table_ms(t, ns_quant_pct(&r->rt, 50));
	ns_table_ms(t, ns_quant_pct(&r->rt, 99));
	ns_table_ms(t, r->rt.max);
	ns_table_u64(t, r->unanswered);
	ns_table_u64(t, r->retrans);
	*approx |= !ns_quant_exact(&r->rt);
}

static struct ns_table *dtable(const char *name, const char *title,
			       const char *key)
{
	struct ns_table *t = ns_table_new(name, title);
	if (!t)
		return NULL;
	ns_table_col(t, key, 1);
	ns_table_col(t, "queries", 0);
	ns_table_col(t, "answered", 0);
	ns_table_col(t, "rcodes", 1);
	ns_table_col(t, "p50", 0);
	ns_table_col(t, "p99", 0);
	ns_table_col(t, "max", 0);
	ns_table_col(t, "unanswered", 0);
	ns_table_col(t, "retransmitted", 0);
	return t;
}

/* Most queried first (retransmissions included), then by name. */
static int by_queries(const void *a, const void *b, void *m)
{
	const struct drow *x = ns_keymap_slot(m, *(const uint32_t *)a);
	const struct drow *y = ns_keymap_slot(m, *(const uint32_t *)b);
	uint64_t qx = x->queries + x->retrans, qy = y->queries + y->retrans;
	if (qx != qy)
		return qx < qy ? 1 : -1;
	return ns_keymap_by_key(a, b, m);
}

static void dnssrt_free(void *state)
{
	struct dnssrt *d = state;
	ns_keymap_free(&d->types, drow_free);
	ns_keymap_free(&d->names, drow_free);
	ns_keymap_free(&d->walks, walkrow_free);
	if (d->other_used)
		drow_free(&d->other);
	free(d);
}

static void print_walks(struct dnssrt *d, FILE *out, int json)
{
	struct ns_table *t = ns_table_new(
	    "dns,srt,search", "DNS search walks: NXDOMAIN for NAME.SUFFIX "
			      "before NAME was answered (ms)");
	if (!t)
		return;
	ns_table_col(t, "name", 1);
	ns_table_col(t, "walks", 0);
	ns_table_col(t, "nxdomain", 0);
	ns_table_col(t, "added_p50", 0);
	ns_table_col(t, "added_max", 0);
	uint32_t n;
	uint32_t *ix = ns_keymap_sorted(&d->walks, &n, ns_keymap_by_key);
	for (uint32_t i = 0; ix && i < n; i++) {
		struct walkrow *w = ns_keymap_slot(&d->walks, ix[i]);
		ns_table_row(t);
		ns_table_str(t, ns_keymap_key(&d->walks, ix[i]));
		ns_table_u64(t, w->walks);
		ns_table_u64(t, w->nx);
		ns_table_ms(t, ns_quant_pct(&w->added, 50));
		ns_table_ms(t, w->added.max);
	}
	free(ix);
	if (!n)
		ns_table_note(t, "no search walks");
	ns_table_note(t, "added: from the walk's first query to the query "
			 "for the name");
	ns_table_print(t, out, json);
}

static void dnssrt_finish(void *state, FILE *out, int json)
{
	struct dnssrt *d = state;
	int approx = 0;
	struct ns_table *t =
	    dtable("dns,srt", "DNS response time per query type (ms)", "qtype");
	uint32_t n;
	uint32_t *ix = ns_keymap_sorted(&d->types, &n, ns_keymap_by_key);
	for (uint32_t i = 0; t && ix && i < n; i++)
		put_drow(d, t, ns_keymap_key(&d->types, ix[i]),
			 ns_keymap_slot(&d->types, ix[i]), &approx);
	free(ix);
	if (t && d->unsolicited)
		ns_table_note(t, "%llu responses matched no query",
			      (unsigned long long)d->unsolicited);
	if (t)
		ns_table_print(t, out, json);
	char title[96];
	snprintf(title, sizeof(title),
		 "DNS response time per name, the %u most queried (ms)",
		 d->top);
	t = dtable("dns,srt,names", title, "name");
	ix = ns_keymap_sorted(&d->names, &n, by_queries);
	for (uint32_t i = 0; t && ix && i < n && i < d->top; i++)
		put_drow(d, t, ns_keymap_key(&d->names, ix[i]),
			 ns_keymap_slot(&d->names, ix[i]), &approx);
	free(ix);
	if (t && n > d->top)
		ns_table_note(t, "%u more names", n - d->top);
	if (t && d->other_used)
		ns_table_note(t, "names past the first %u are not listed",
			      MAX_NAMES);
	if (t) {
		ns_table_note(t,
			      "response time: query to its response; "
			      "percentiles %s",
			      approx ? "within 1% (log histogram past the "
				       "exact values kept)"
				     : "exact (nearest rank)");
		ns_table_print(t, out, json);
	}
	print_walks(d, out, json);
	dnssrt_free(d);
}

const struct ns_report ns_report_dns_srt = {
    .name = "dns,srt",
    .usage = "dns,srt[,N]",
    .start = dnssrt_start,
    .finish = dnssrt_finish,
    .free = dnssrt_free,
};
