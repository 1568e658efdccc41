/*
 * conntiming — `-z conn,timing`: one row per TCP connection whose SYN was
 * seen, in tcp.stream order, with where its time went (reports/timing.h):
 * the name looked up and the NXDOMAIN answers of its search walk, then
 * curl -w's five times from the start of the lookup (or the SYN):
 * namelookup, connect, appconnect, starttransfer, total, and the server's
 * time from the first request byte to the first response byte (ttfb).
 * At most MAX_ROWS connections are listed (the notes say how many more).
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/engine.h"
#include "flow/flow.h"
#include "reports/report.h"
#include "reports/table.h"
#include "reports/timing.h"

#define MAX_ROWS 100000

struct crow {
	uint32_t index;
	char client[64], server[64];
	struct ns_timing_row t;
};

struct conntiming {
	struct ns_timing timing;
	struct crow *rows;
	size_t n, cap;
	uint64_t more;
	struct ns_buf b;
};

static void endpoint(struct conntiming *k, const struct ns_flow *f, int side,
		     char *out, size_t cap)
{
	ns_buf_reset(&k->b);
	ns_flow_endpoint(&k->b, f, side);
	snprintf(out, cap, "%.*s", (int)k->b.len, k->b.p);
}

static void on_end(void *ctx, const struct ns_event *ev)
{
	struct conntiming *k = ctx;
	const struct ns_flow *f = ev->flow;
	struct ns_timing_row row;
	if (!f || ns_timing_of(&k->timing, f, &row) < 0)
		return;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct crow *r =
		    cap <= MAX_ROWS ? realloc(k->rows, cap * sizeof(*r)) : NULL;
		if (!r) {
			k->more++;
			return;
		}
		k->rows = r;
		k->cap = cap;
	}
	struct crow *r = &k->rows[k->n++];
	r->index = f->index;
	r->t = row;
	endpoint(k, f, f->client, r->client, sizeof(r->client));
	endpoint(k, f, !f->client, r->server, sizeof(r->server));
}

static void conntiming_free(void *state)
{
	struct conntiming *k = state;
	ns_timing_free(&k->timing);
	free(k->rows);
	ns_buf_free(&k->b);
	free(k);
}

static void *conntiming_start(struct ns_engine *e, const char *arg, char *err,
			      size_t errlen)
{
	if (*arg) {
		snprintf(err, errlen, "-z conn,timing takes no arguments");
		return NULL;
	}
	struct conntiming *k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ns_timing_start(&k->timing, e) < 0 ||
	    ns_bus_subscribe(&e->bus, NS_EV_BIT(NS_EV_CONN_END), on_end, k) <
		0) {
		snprintf(err, errlen, "too many reports at once");
		conntiming_free(k);
		return NULL;
	}
	return k;
}

static int by_index(const void *a, const void *b)
{
	const struct crow *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

static void conntiming_finish(void *state, FILE *out, int json)
{
	struct conntiming *k = state;
	struct ns_table *t = ns_table_new(
	    "conn,timing", "Where the time went, per TCP connection (ms from "
			   "the start of the name lookup, or the SYN)");
	if (!t) {
		conntiming_free(k);
		return;
	}
	static const char *const cols[] = {
	    "stream",	     "client",	   "server",  "name",
	    "walk",	     "namelookup", "connect", "appconnect",
	    "starttransfer", "total",	   "ttfb"};
	for (unsigned i = 0; i < 11; i++)
		ns_table_col(t, cols[i], i >= 1 && i <= 3);
	if (k->n)
		qsort(k->rows, k->n, sizeof(*k->rows), by_index);
	for (size_t i = 0; i < k->n; i++) {
		const struct crow *r = &k->rows[i];
		ns_table_row(t);
		ns_table_u64(t, r->index);
		ns_table_str(t, r->client);
		ns_table_str(t, r->server);
		ns_table_str(t, r->t.name);
		if (r->t.name[0])
			ns_table_u64(t, r->t.walk);
		else
			ns_table_none(t);
		ns_table_ms(t, r->t.namelookup);
		ns_table_ms(t, r->t.connect);
		ns_table_ms(t, r->t.appconnect);
		ns_table_ms(t, r->t.starttransfer);
		ns_table_ms(t, r->t.total);
		ns_table_ms(t, r->t.ttfb);
	}
	ns_table_note(t, "namelookup: the client's DNS lookup of the server's "
			 "address, its search walk included; appconnect: the "
			 "TLS handshake's end; starttransfer: the first "
			 "response byte (unknown in TLS not decrypted); ttfb: "
			 "first request byte to first response byte");
	if (k->more)
		ns_table_note(t, "%llu more connections not listed",
			      (unsigned long long)k->more);
	ns_table_print(t, out, json);
	conntiming_free(k);
}

const struct ns_report ns_report_conn_timing = {
    .name = "conn,timing",
    .usage = "conn,timing",
    .start = conntiming_start,
    .finish = conntiming_finish,
    .free = conntiming_free,
};
