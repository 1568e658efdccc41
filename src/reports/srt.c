/*
 * srt — service response time per method: `-z grpc,srt` (per gRPC method,
 * service/Method) and `-z http,srt` (per HTTP method and path, the query
 * left out; every HTTP/1.1 and HTTP/2 exchange, gRPC's included).
 *
 * Fed by NS_EV_HTTP_END (the call's final facts) and, for the gaps between
 * a gRPC call's response messages, NS_EV_HTTP_MESSAGE.  Per row: calls,
 * errors, the mix of statuses, and the call latency (first request byte to
 * the frame that ended the call) as min, p50, p90, p99, max; for gRPC
 * methods that stream (any call with more than one message a way) the
 * time to the first response message and the gaps between response
 * messages.  Percentiles are nearest-rank over every call (core/quant.h:
 * exact up to a bound, within 1% past it, and the table says which).
 *
 * Server pushes (HTTP/2 PUSH_PROMISE) are not counted: the client asked
 * for none of them; nor is an upgrade's 101, whose request goes on as
 * HTTP/2's stream 1.  A call with no start or no end in the capture counts in
 * `calls` (and in `errors` when it failed) but has no latency; the notes say
 * how many.
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/quant.h"
#include "core/txn.h"
#include "proto/grpcmsg.h"
#include "reports/keymap.h"
#include "reports/report.h"
#include "reports/table.h"

#define MAX_ROWS     1000  /* keys; later ones fold into "(other)" */
#define MAX_INFLIGHT 65536 /* calls whose last message time is kept */
#define POOL	     (4u * 1000 * 1000) /* exact values per report (32 MB) */
#define NSTATUS	     18			/* gRPC 0..16, and any other */

struct row {
	uint64_t calls, errors, no_latency;
	uint64_t status[NSTATUS]; /* gRPC codes; HTTP: 1xx..5xx at 1..5,
				     0 none, 6 reset */
	uint8_t streaming;
	struct ns_quant lat, ttfm, gap;
};

struct srt {
	int grpc; /* grpc,srt; else http,srt */
	uint64_t pool;
	struct ns_keymap rows;
	struct row other; /* keys past MAX_ROWS */
	uint8_t other_used;
	struct ns_keymap inflight; /* (conn uid, id) → last message time */
	uint64_t gaps_untracked;
};

static void row_init(struct srt *s, struct row *r)
{
	ns_quant_init(&r->lat, &s->pool);
	ns_quant_init(&r->ttfm, &s->pool);
	ns_quant_init(&r->gap, &s->pool);
}

static void row_free(void *slot)
{
	struct row *r = slot;
	ns_quant_free(&r->lat);
	ns_quant_free(&r->ttfm);
	ns_quant_free(&r->gap);
}

/* The row of key, made when new; "(other)" when the table is full. */
static struct row *row_of(struct srt *s, const char *key, size_t n)
{
	int made;
	struct row *r = ns_keymap_get(&s->rows, key, n, 1, &made);
	if (r && made)
		row_init(s, r);
	if (!r) {
		r = &s->other;
		if (!s->other_used)
			row_init(s, r);
		s->other_used = 1;
	}
	return r;
}

struct call_key {
	uint64_t uid;
	uint32_t id;
};

static struct call_key key_of(const struct ns_call *c)
{
	struct call_key k;
	memset(&k, 0, sizeof(k));
	k.uid = c->conn_uid;
	k.id = c->id;
	return k;
}

/* The row's key: "service/Method", or "METHOD /path" without the query. */
static size_t row_key(const struct srt *s, const struct ns_call *c, char *key,
		      size_t cap)
{
	if (s->grpc)
		return (size_t)snprintf(key, cap, "%s",
					c->path[0] == '/' ? c->path + 1
					: c->path[0]	  ? c->path
							  : "(unknown)");
	size_t q = strcspn(c->path, "?");
	int n = snprintf(key, cap, "%s %.*s", c->method[0] ? c->method : "-",
			 (int)q, c->path[0] ? c->path : "-");
	return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

static int http_failed(const struct ns_call *c)
{
	return c->status >= 500 || c->status < 0 || c->end == NS_CALL_RESET ||
	       c->end == NS_CALL_GOAWAY;
}

static void on_end(struct srt *s, const struct ns_call *c)
{
	struct call_key k = key_of(c);
	ns_keymap_del(&s->inflight, &k, sizeof(k));
	/* a server push is no request of the client's, and a 101 hands the
	 * request to the protocol it upgrades to (its HTTP/2 stream 1) */
	if ((s->grpc && !c->grpc) || c->pushed || c->status == 101)
		return;
	char key[256];
	size_t n = row_key(s, c, key, sizeof(key));
	struct row *r = row_of(s, key, n);
	r->calls++;
	if (s->grpc) {
		int st = ns_grpc_call_status(c);
		r->status[st >= 0 && st < NSTATUS - 1 ? st : NSTATUS - 1]++;
		r->errors += st != 0;
		if (c->msgs[0] > 1 || c->msgs[1] > 1)
			r->streaming = 1;
		if (c->t_req >= 0 && c->t_first_msg >= 0)
			ns_quant_add(&r->ttfm, c->t_first_msg - c->t_req);
	} else {
		int cls = c->status >= 100 && c->status < 600 ? c->status / 100
			  : c->end == NS_CALL_RESET	      ? 6
							      : 0;
		r->status[cls]++;
		r->errors += http_failed(c);
	}
	if (c->t_req >= 0 && c->t_end >= 0)
		ns_quant_add(&r->lat, c->t_end - c->t_req);
	else
		r->no_latency++;
}

/* A gRPC response message: the gap since the call's previous one. */
static void on_message(struct srt *s, const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	if (!c->grpc || ev->dir != 1)
		return;
	struct call_key k = key_of(c);
	int made;
	int64_t *last = ns_keymap_get(&s->inflight, &k, sizeof(k), 1, &made);
	if (!last) {
		s->gaps_untracked++;
		return;
	}
	if (!made) {
		char key[256];
		size_t n = row_key(s, c, key, sizeof(key));
		ns_quant_add(&row_of(s, key, n)->gap, ev->ts - *last);
	}
	*last = ev->ts;
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct srt *s = ctx;
	if (ev->type == NS_EV_HTTP_END)
		on_end(s, ev->u.call);
	else
		on_message(s, ev);
}

static void *start(struct ns_engine *e, const char *arg, int grpc, char *err,
		   size_t errlen)
{
	if (*arg) {
		snprintf(err, errlen, "-z %s,srt takes no arguments",
			 grpc ? "grpc" : "http");
		return NULL;
	}
	struct srt *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->grpc = grpc;
	s->pool = POOL;
	ns_keymap_init(&s->rows, sizeof(struct row), MAX_ROWS);
	ns_keymap_init(&s->inflight, sizeof(int64_t), MAX_INFLIGHT);
	uint32_t mask = NS_EV_BIT(NS_EV_HTTP_END);
	if (grpc)
		mask |= NS_EV_BIT(NS_EV_HTTP_MESSAGE);
	ns_bus_subscribe(&e->bus, mask, on_event, s);
	return s;
}

static void *grpc_start(struct ns_engine *e, const char *arg, char *err,
			size_t errlen)
{
	return start(e, arg, 1, err, errlen);
}

static void *http_start(struct ns_engine *e, const char *arg, char *err,
			size_t errlen)
{
	return start(e, arg, 0, err, errlen);
}

/* "OK:5 NOT_FOUND:1" / "2xx:5 5xx:1 reset:1" */
static void status_mix(const struct srt *s, const struct row *r, char *out,
		       size_t cap)
{
	static const char *const cls[] = {"none", "1xx", "2xx",	 "3xx",
					  "4xx",  "5xx", "reset"};
	size_t k = 0;
	out[0] = 0;
	for (unsigned i = 0; i < NSTATUS && k < cap; i++) {
		if (!r->status[i] || (!s->grpc && i > 6))
			continue;
		const char *name = !s->grpc ? cls[i]
				   : i == NSTATUS - 1
				       ? "other"
				       : ns_grpc_status_name((int)i);
		k += (size_t)snprintf(out + k, cap - k, "%s%s:%llu",
				      k ? " " : "", name ? name : "?",
				      (unsigned long long)r->status[i]);
	}
}

static void put_row(struct srt *s, struct ns_table *t, const char *key,
		    struct row *r, int *approx, uint64_t *no_lat)
{
	char mix[256];
	status_mix(s, r, mix, sizeof(mix));
	ns_table_row(t);
	ns_table_str(t, key);
	ns_table_u64(t, r->calls);
	ns_table_u64(t, r->errors);
	ns_table_str(t, mix);
	ns_table_ms(t, r->lat.min);
	ns_table_ms(t, ns_quant_pct(&r->lat, 50));
	ns_table_ms(t, ns_quant_pct(&r->lat, 90));
	ns_table_ms(t, ns_quant_pct(&r->lat, 99));
	ns_table_ms(t, r->lat.max);
	if (s->grpc && r->streaming) {
		ns_table_ms(t, ns_quant_pct(&r->ttfm, 50));
		ns_table_ms(t, ns_quant_pct(&r->ttfm, 99));
		ns_table_ms(t, ns_quant_pct(&r->gap, 99));
	}
	*approx |= !ns_quant_exact(&r->lat) || !ns_quant_exact(&r->ttfm) ||
		   !ns_quant_exact(&r->gap);
	*no_lat += r->no_latency;
}

static void srt_free(void *state)
{
	struct srt *s = state;
	ns_keymap_free(&s->rows, row_free);
	if (s->other_used)
		row_free(&s->other);
	ns_keymap_free(&s->inflight, NULL);
	free(s);
}

static void srt_finish(void *state, FILE *out, int json)
{
	struct srt *s = state;
	struct ns_table *t = ns_table_new(
	    s->grpc ? "grpc,srt" : "http,srt",
	    s->grpc ? "gRPC service response time, per method (ms)"
		    : "HTTP service response time, per method and path (ms)");
	if (!t) {
		srt_free(s);
		return;
	}
	ns_table_col(t, "method", 1);
	ns_table_col(t, "calls", 0);
	ns_table_col(t, "errors", 0);
	ns_table_col(t, "status", 1);
	static const char *const cols[] = {"min",      "p50",	 "p90",
					   "p99",      "max",	 "ttfm_p50",
					   "ttfm_p99", "gap_p99"};
	for (unsigned i = 0; i < (s->grpc ? 8u : 5u); i++)
		ns_table_col(t, cols[i], 0);
	uint32_t n;
	uint32_t *ix = ns_keymap_sorted(&s->rows, &n, ns_keymap_by_key);
	int approx = 0;
	uint64_t no_lat = 0;
	for (uint32_t i = 0; ix && i < n; i++)
		put_row(s, t, ns_keymap_key(&s->rows, ix[i]),
			ns_keymap_slot(&s->rows, ix[i]), &approx, &no_lat);
	if (s->other_used)
		put_row(s, t, "(other)", &s->other, &approx, &no_lat);
	free(ix);
	ns_table_note(t,
		      "latency: first request byte to the frame that ended "
		      "the call; percentiles %s",
		      approx ? "within 1% (log histogram past the exact "
			       "values kept)"
			     : "exact (nearest rank)");
	if (s->grpc)
		ns_table_note(t, "errors: a status other than OK, or a "
				 "reset; ttfm and gaps: streaming methods");
	else
		ns_table_note(t, "errors: status 5xx, a reset, or no "
				 "response");
	if (no_lat)
		ns_table_note(t,
			      "%llu calls without a start or an end in the "
			      "capture (or an h2c upgrade's stream 1, whose "
			      "request was HTTP/1.1): counted, without latency",
			      (unsigned long long)no_lat);
	if (s->other_used)
		ns_table_note(t, "(other): methods past the first %u",
			      MAX_ROWS);
	if (s->gaps_untracked)
		ns_table_note(t,
			      "%llu message gaps not measured (over %u "
			      "calls in flight)",
			      (unsigned long long)s->gaps_untracked,
			      MAX_INFLIGHT);
	ns_table_print(t, out, json);
	srt_free(s);
}

const struct ns_report ns_report_grpc_srt = {
    .name = "grpc,srt",
    .usage = "grpc,srt",
    .start = grpc_start,
    .finish = srt_finish,
    .free = srt_free,
};

const struct ns_report ns_report_http_srt = {
    .name = "http,srt",
    .usage = "http,srt",
    .start = http_start,
    .finish = srt_finish,
    .free = srt_free,
};
