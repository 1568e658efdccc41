/*
 * methods — see methods.h.
 */
#include "reports/methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/txn.h"
#include "proto/grpcmsg.h"

#define POOL (4u * 1000 * 1000) /* exact values per table (32 MB) */

void ns_methods_init(struct ns_methods *m, enum ns_methods_kind kind)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->pool = POOL;
	ns_keymap_init(&m->rows, sizeof(struct ns_method_row),
		       NS_METHODS_MAX_ROWS);
	ns_keymap_init(&m->inflight, sizeof(int64_t), NS_METHODS_INFLIGHT);
}

static void row_init(struct ns_methods *m, struct ns_method_row *r)
{
	ns_quant_init(&r->lat, &m->pool);
	ns_quant_init(&r->ttfm, &m->pool);
	ns_quant_init(&r->gap, &m->pool);
}

static void row_free(void *slot)
{
	struct ns_method_row *r = slot;
	ns_quant_free(&r->lat);
	ns_quant_free(&r->ttfm);
	ns_quant_free(&r->gap);
}

/* Whether the call is counted, and whether by gRPC method. */
static int counted(const struct ns_methods *m, const struct ns_call *c,
		   int *by_grpc)
{
	*by_grpc = c->grpc && m->kind != NS_METHODS_HTTP;
	/* a server push is no request of the client's, and a 101 hands the
	 * request to the protocol it upgrades to (its HTTP/2 stream 1) */
	if (c->pushed || c->status == 101)
		return 0;
	return m->kind != NS_METHODS_GRPC || c->grpc;
}

/* The row of the call, made when new; "(other)" when the table is full. */
static struct ns_method_row *row_of(struct ns_methods *m,
				    const struct ns_call *c, int by_grpc)
{
	char key[256];
	int n;
	if (by_grpc)
		n = snprintf(key, sizeof(key), "%s",
			     c->path[0] == '/' ? c->path + 1
			     : c->path[0]      ? c->path
					       : "(unknown)");
	else
		n = snprintf(
		    key, sizeof(key), "%s %.*s", c->method[0] ? c->method : "-",
		    (int)strcspn(c->path, "?"), c->path[0] ? c->path : "-");
	size_t len = n < 0			? 0
		     : (size_t)n >= sizeof(key) ? sizeof(key) - 1
						: (size_t)n;
	int made;
	struct ns_method_row *r = ns_keymap_get(&m->rows, key, len, 1, &made);
	if (r && made)
		row_init(m, r);
	if (!r) {
		r = &m->other;
		if (!m->other_used)
			row_init(m, r);
		m->other_used = 1;
	}
	r->grpc = (uint8_t)by_grpc;
	return r;
}

void ns_methods_call(struct ns_methods *m, const struct ns_call *c)
{
	struct ns_call_key k = ns_call_key(c);
	ns_keymap_del(&m->inflight, &k, sizeof(k));
	int by_grpc;
	if (!counted(m, c, &by_grpc))
		return;
	struct ns_method_row *r = row_of(m, c, by_grpc);
	r->calls++;
	if (by_grpc) {
		int st = ns_grpc_call_status(c);
		r->status[st >= 0 && st < NS_METHODS_NSTATUS - 1
			      ? st
			      : NS_METHODS_NSTATUS - 1]++;
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
		r->errors += c->status >= 500 || c->status < 0 ||
			     c->end == NS_CALL_RESET ||
			     c->end == NS_CALL_GOAWAY;
	}
	if (c->t_req >= 0 && c->t_end >= 0)
		ns_quant_add(&r->lat, c->t_end - c->t_req);
	else
		r->no_latency++;
}

void ns_methods_message(struct ns_methods *m, const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	int by_grpc;
	if (!c->grpc || ev->dir != 1 || !counted(m, c, &by_grpc) || !by_grpc)
		return;
	struct ns_call_key k = ns_call_key_ev(ev);
	int made;
	int64_t *last = ns_keymap_get(&m->inflight, &k, sizeof(k), 1, &made);
	if (!last) {
		m->gaps_untracked++;
		return;
	}
	int64_t prev = *last;
	*last = ev->ts;
	if (!made)
		ns_quant_add(&row_of(m, c, 1)->gap, ev->ts - prev);
}

uint32_t *ns_methods_sorted(struct ns_methods *m, uint32_t *n)
{
	return ns_keymap_sorted(&m->rows, n, ns_keymap_by_key);
}

void ns_methods_status_mix(const struct ns_method_row *r, char *out,
			   unsigned cap)
{
	static const char *const cls[] = {"none", "1xx", "2xx",	 "3xx",
					  "4xx",  "5xx", "reset"};
	size_t k = 0;
	out[0] = 0;
	for (unsigned i = 0; i < NS_METHODS_NSTATUS && k < cap; i++) {
		if (!r->status[i] || (!r->grpc && i > 6))
			continue;
		const char *name = !r->grpc ? cls[i]
				   : i == NS_METHODS_NSTATUS - 1
				       ? "other"
				       : ns_grpc_status_name((int)i);
		k += (size_t)snprintf(out + k, cap - k, "%s%s:%llu",
				      k ? " " : "", name ? name : "?",
				      (unsigned long long)r->status[i]);
	}
}

void ns_methods_free(struct ns_methods *m)
{
	ns_keymap_free(&m->rows, row_free);
	if (m->other_used)
		row_free(&m->other);
	ns_keymap_free(&m->inflight, NULL);
	m->other_used = 0;
}
