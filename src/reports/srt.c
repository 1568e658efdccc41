/*
 * srt — service response time per method: `-z grpc,srt` (per gRPC method,
 * service/Method) and `-z http,srt` (per HTTP method and path, the query
 * left out; every HTTP/1.1 and HTTP/2 exchange, gRPC's included).
 *
 * The rows are summed by reports/methods.h, fed by NS_EV_HTTP_END (the
 * call's final facts) and, for the gaps between a gRPC call's response
 * messages, NS_EV_HTTP_MESSAGE.  Per row: calls,
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
#include "core/txn.h"
#include "reports/methods.h"
#include "reports/report.h"
#include "reports/table.h"

struct srt {
	int grpc; /* grpc,srt; else http,srt */
	struct ns_methods m;
};

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct srt *s = ctx;
	if (ev->type == NS_EV_HTTP_END)
		ns_methods_call(&s->m, ev->u.call);
	else
		ns_methods_message(&s->m, ev);
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
	ns_methods_init(&s->m, grpc ? NS_METHODS_GRPC : NS_METHODS_HTTP);
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

static void put_row(struct srt *s, struct ns_table *t, const char *key,
		    struct ns_method_row *r, int *approx, uint64_t *no_lat)
{
	char mix[256];
	ns_methods_status_mix(r, mix, sizeof(mix));
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
	ns_methods_free(&s->m);
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
	uint32_t *ix = ns_methods_sorted(&s->m, &n);
	int approx = 0;
	uint64_t no_lat = 0;
	for (uint32_t i = 0; ix && i < n; i++)
		put_row(s, t, ns_methods_key(&s->m, ix[i]),
			ns_methods_row(&s->m, ix[i]), &approx, &no_lat);
	if (s->m.other_used)
		put_row(s, t, "(other)", &s->m.other, &approx, &no_lat);
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
	if (s->m.other_used)
		ns_table_note(t, "(other): methods past the first %u",
			      NS_METHODS_MAX_ROWS);
	if (s->m.gaps_untracked)
		ns_table_note(t,
			      "%llu message gaps not measured (over %u "
			      "calls in flight)",
			      (unsigned long long)s->m.gaps_untracked,
			      NS_METHODS_INFLIGHT);
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
