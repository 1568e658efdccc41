/*
 * sse — `-z sse,stat`: one row per SSE stream (a text/event-stream
 * response, over HTTP/1.1, HTTP/2 or decrypted TLS): its connection
 * (tcp.stream, client, server), path, HTTP status, events, time to first
 * event (from the request's first byte), the gaps between events (mean,
 * p99, max), its duration (first request byte to the frame that ended
 * it), and whether an event's data was "[DONE]".
 *
 * Fed by NS_EV_HTTP_MESSAGE (each event of a stream, at the capture time
 * of the bytes that completed it) and NS_EV_HTTP_END (the stream's final
 * facts, struct ns_call's sse block).  While a stream is in flight its
 * gaps are kept in a series (core/quant.h: p99 nearest rank, exact up to
 * a bound shared by the report, within 1% past it); at its end the row
 * keeps the figures only and the series is freed.  Bounded: MAX_INFLIGHT
 * streams followed at once, MAX_ROWS rows kept; what does not fit is
 * counted and the notes say so.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/quant.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "reports/keymap.h"
#include "reports/report.h"
#include "reports/table.h"

#define MAX_ROWS     20000		/* streams listed */
#define MAX_INFLIGHT 65536		/* streams whose gaps are kept */
#define POOL	     (4u * 1000 * 1000) /* exact gaps per report (32 MB) */

/* A stream in flight: its gaps so far. */
struct flight {
	struct ns_quant gaps;
	int64_t last; /* the last event's time */
};

/* A stream that ended: what its row shows. */
struct row {
	uint32_t conn_index, id;
	int status;
	uint32_t events;
	uint8_t done, exact, untracked;
	int64_t ttfe, mean, p99, max, dur;
	char client[56], server[56];
	char path[200];
};

struct sse_stat {
	uint64_t pool;
	struct ns_keymap inflight; /* (conn uid, id) → struct flight */
	struct row *rows;
	size_t nrows, cap;
	uint64_t rows_dropped, untracked;
	struct ns_buf tmp;
};

static void flight_free(void *slot)
{
	struct flight *f = slot;
	ns_quant_free(&f->gaps);
}

/* An event of a stream: the gap since its previous one. */
static void on_message(struct sse_stat *s, const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	if (!c->sse.on)
		return;
	struct ns_call_key k = ns_call_key_ev(ev);
	int made;
	struct flight *f = ns_keymap_get(&s->inflight, &k, sizeof(k), 1, &made);
	if (!f) {
		s->untracked++;
		return;
	}
	if (made)
		ns_quant_init(&f->gaps, &s->pool);
	else
		ns_quant_add(&f->gaps, ev->ts - f->last);
	f->last = ev->ts;
}

/* "127.0.0.1:8000" of one side of the call's connection. */
static void endpoint(struct sse_stat *s, const struct ns_flow *f, int side,
		     char *dst, size_t cap)
{
	ns_buf_reset(&s->tmp);
	if (f)
		ns_flow_endpoint(&s->tmp, f, side);
	else
		ns_buf_putc(&s->tmp, '-');
	snprintf(dst, cap, "%.*s", (int)s->tmp.len, s->tmp.p);
}

static int64_t since(int64_t from, int64_t to)
{
	return from >= 0 && to >= 0 ? to - from : -1;
}

/* The figures of a stream's row, from the call and its series. */
static void figures(struct row *r, const struct ns_call *c, struct flight *f)
{
	r->events = c->sse.events;
	r->done = c->sse.done;
	r->ttfe = since(c->t_req, c->sse.t_first_event);
	r->dur = since(c->t_req, c->t_end);
	r->mean = r->max = r->p99 = -1;
	r->exact = 1;
	if (c->sse.events > 1) {
		r->mean = c->sse.gap_sum / (c->sse.events - 1);
		r->max = c->sse.gap_max;
	}
	if (f && f->gaps.count) {
		r->p99 = ns_quant_pct(&f->gaps, 99);
		r->exact = (uint8_t)ns_quant_exact(&f->gaps);
	}
	r->untracked = c->sse.events > 1 && (!f || f->gaps.count == 0);
}

static void on_end(struct sse_stat *s, const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	if (!c->sse.on)
		return;
	struct ns_call_key k = ns_call_key_ev(ev);
	struct flight *f = ns_keymap_get(&s->inflight, &k, sizeof(k), 0, NULL);
	if (s->nrows == s->cap && s->cap < MAX_ROWS) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct row *nr = realloc(s->rows, nc * sizeof(*nr));
		if (nr) {
			s->rows = nr;
			s->cap = nc;
		}
	}
	if (s->nrows < s->cap) {
		struct row *r = &s->rows[s->nrows++];
		memset(r, 0, sizeof(*r));
		r->conn_index = c->conn_index;
		r->id = c->id;
		r->status = c->status;
		snprintf(r->path, sizeof(r->path), "%s",
			 c->path[0] ? c->path : "-");
		endpoint(s, ev->flow, c->client, r->client, sizeof(r->client));
		endpoint(s, ev->flow, !c->client, r->server, sizeof(r->server));
		figures(r, c, f);
	} else {
		s->rows_dropped++;
	}
	if (f) {
		flight_free(f);
		ns_keymap_del(&s->inflight, &k, sizeof(k));
	}
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct sse_stat *s = ctx;
	if (ev->type == NS_EV_HTTP_END)
		on_end(s, ev);
	else
		on_message(s, ev);
}

static void *sse_start(struct ns_engine *e, const char *arg, char *err,
		       size_t errlen)
{
	if (*arg) {
		snprintf(err, errlen, "-z sse,stat takes no arguments");
		return NULL;
	}
	struct sse_stat *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->pool = POOL;
	ns_keymap_init(&s->inflight, sizeof(struct flight), MAX_INFLIGHT);
	ns_bus_subscribe(
	    &e->bus, NS_EV_BIT(NS_EV_HTTP_END) | NS_EV_BIT(NS_EV_HTTP_MESSAGE),
	    on_event, s);
	return s;
}

static void sse_free(void *state)
{
	struct sse_stat *s = state;
	ns_keymap_free(&s->inflight, flight_free);
	free(s->rows);
	ns_buf_free(&s->tmp);
	free(s);
}

/* In the order of the connections, then of their streams. */
static int by_stream(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->conn_index != y->conn_index)
		return x->conn_index < y->conn_index ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void put_row(struct ns_table *t, const struct row *r)
{
	ns_table_row(t);
	ns_table_u64(t, r->conn_index);
	ns_table_str(t, r->client);
	ns_table_str(t, r->server);
	ns_table_str(t, r->path);
	if (r->status >= 0)
		ns_table_u64(t, (uint64_t)r->status);
	else
		ns_table_none(t);
	ns_table_u64(t, r->events);
	ns_table_ms(t, r->ttfe);
	ns_table_ms(t, r->mean);
	ns_table_ms(t, r->p99);
	ns_table_ms(t, r->max);
	ns_table_ms(t, r->dur);
	ns_table_str(t, r->done ? "yes" : "no");
}

static void notes(struct ns_table *t, const struct sse_stat *s, int exact,
		  uint64_t untracked)
{
	ns_table_note(t, "ttfe: the request's first byte to the packet that "
			 "completed the first event; gaps: between the "
			 "packets that completed consecutive events");
	ns_table_note(t, "gap_p99: nearest rank, %s",
		      exact ? "exact"
			    : "within 1% (log histogram past the "
			      "exact values kept)");
	ns_table_note(t, "done: an event's data was [DONE] (OpenAI's end of "
			 "stream)");
	if (untracked)
		ns_table_note(t,
			      "%llu streams without gap_p99 (over %u streams "
			      "in flight)",
			      (unsigned long long)untracked, MAX_INFLIGHT);
	if (s->rows_dropped)
		ns_table_note(t, "%llu streams not listed (past the first %u)",
			      (unsigned long long)s->rows_dropped, MAX_ROWS);
}

static void sse_finish(void *state, FILE *out, int json)
{
	struct sse_stat *s = state;
	struct ns_table *t =
	    ns_table_new("sse,stat", "SSE streams (times in ms)");
	if (!t) {
		sse_free(s);
		return;
	}
	static const char *const cols[] = {"tcp.stream", "client",   "server",
					   "path",	 "status",   "events",
					   "ttfe",	 "gap_mean", "gap_p99",
					   "gap_max",	 "duration", "done"};
	for (unsigned i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		ns_table_col(t, cols[i], (i >= 1 && i <= 3) || i == 11);
	if (s->nrows)
		qsort(s->rows, s->nrows, sizeof(*s->rows), by_stream);
	int exact = 1;
	uint64_t untracked = 0;
	for (size_t i = 0; i < s->nrows; i++) {
		put_row(t, &s->rows[i]);
		exact &= s->rows[i].exact;
		untracked += s->rows[i].untracked;
	}
	notes(t, s, exact, untracked);
	ns_table_print(t, out, json);
	sse_free(s);
}

const struct ns_report ns_report_sse = {
    .name = "sse,stat",
    .usage = "sse,stat",
    .start = sse_start,
    .finish = sse_finish,
    .free = sse_free,
};
